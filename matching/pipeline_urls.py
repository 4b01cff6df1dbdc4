"""Review queue, introductions with consent and the connection pipeline (issue 6)."""

urlpatterns: list = []
