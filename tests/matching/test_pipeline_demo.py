import pytest


@pytest.mark.django_db
def test_demo_seeds_pipeline_examples_once():
    from io import StringIO

    from django.core.management import call_command

    from matching.models import Agreement, Match, MatchEvent

    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    statuses = set(Match.objects.values_list("status", flat=True))
    assert {"shortlisted", "introduced", "meeting", "agreement"} <= statuses
    events = MatchEvent.objects.count()
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    assert MatchEvent.objects.count() == events and Agreement.objects.count() == 1
