"""The demo's connection stories: seeded once, each pairing a demand with an offer that answers it."""

from io import StringIO

import pytest
from django.core.management import call_command

from connections import demo as connections_demo
from connections.models import Agreement, MatchEvent
from demands.demo import ANSWERS
from matching.models import Match


@pytest.mark.django_db
def test_demo_seeds_pipeline_examples_once():
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    statuses = set(Match.objects.values_list("status", flat=True))
    assert {"shortlisted", "introduced", "meeting", "agreement"} <= statuses
    events = MatchEvent.objects.count()
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    assert MatchEvent.objects.count() == events and Agreement.objects.count() == 1


@pytest.mark.django_db
def test_demo_pipeline_stories_pair_demands_with_their_answers():
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    agreement = Agreement.objects.select_related("match__demand", "match__offer").get()
    assert agreement.match.demand.title.startswith("Cơ giới hóa khâu làm héo")
    acted = Match.objects.exclude(status=Match.Status.PROPOSED).select_related("demand", "offer")
    assert acted.count() == len(connections_demo.STORIES)
    for match in acted:
        assert match.offer.external_ref in ANSWERS[match.demand.title], (
            match.demand.title,
            match.offer.title,
        )
