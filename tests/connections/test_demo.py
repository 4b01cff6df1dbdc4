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
    # The stories read as real ones: introduced a day after publication (so the dashboards'
    # delay is not 0), a conversation once both said interested, the meeting held before the
    # negotiation and the signing, nothing dated in the future.
    from django.utils import timezone

    match = agreement.match
    assert match.introduced_at - match.demand.published_at == timezone.timedelta(days=1)
    assert [m.side for m in match.messages.order_by("created_at")] == [
        "staff",
        "representation",
        "enterprise",
    ]
    from notifications.models import Kind, Notification

    assert not Notification.objects.filter(kind=Kind.MESSAGE, read_at=None).exists()
    meeting = match.meetings.get()
    steps = dict(match.events.values_list("to_status", "created_at"))
    assert steps["meeting"] < meeting.starts_at < steps["negotiating"] < steps["agreement"]
    assert max(steps.values()) <= timezone.now() and agreement.signed_on <= timezone.localdate()
    import zoneinfo

    held = timezone.localtime(meeting.starts_at, zoneinfo.ZoneInfo(meeting.timezone))
    assert (held.hour, held.minute) == (9, 0)  # a morning in the meeting's own zone
