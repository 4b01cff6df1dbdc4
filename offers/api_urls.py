"""REST API under /api/ (built by the offers issue)."""

urlpatterns: list = []
