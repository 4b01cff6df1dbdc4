"""Dashboard figures kept a few minutes per scope (insights/snapshots.py): what a reader
notices. Each scope reads its own figures whoever asked first; kept figures say when they were
computed and expire; the reader's own change shows at once, others' after the expiry."""

import time

import pytest
from django.urls import reverse

from insights import snapshots
from matching.models import Match

from .test_dashboards import ALL_FUNNEL, TN_FUNNEL

pytestmark = pytest.mark.django_db

BN_FUNNEL = {
    "published": 2,
    "matched": 1,
    "introduced": 1,
    "consented": 0,
    "meeting": 0,
    "agreement": 0,
}


def page(client, user, role):
    client.force_login(user)
    response = client.get(reverse(f"insights:dashboard_{role}"))
    assert response.status_code == 200
    return response


def test_staff_of_one_province_never_read_another_provinces_kept_figures(
    client, world, staff_tn, staff_bn, coordinator
):
    assert page(client, staff_tn, "staff").context["funnel"] == TN_FUNNEL  # kept for TN
    bn = page(client, staff_bn, "staff")
    assert bn.context["funnel"] == BN_FUNNEL
    assert bn.context["matches_awaiting_review"] == 0
    assert [d.pk for d in bn.context["unanswered"]] == [world.bn_demands[1].pk]
    assert page(client, coordinator, "coordinator").context["funnel"] == ALL_FUNNEL
    # and the other way round, each from its own kept entry now
    assert page(client, staff_tn, "staff").context["funnel"] == TN_FUNNEL
    assert page(client, staff_bn, "staff").context["funnel"] == BN_FUNNEL


def test_a_representation_never_reads_anothers_kept_figures(client, world, rep_jp, rep_de):
    jp = page(client, rep_jp, "representative").context
    assert jp["introduction_counts"] == {"total": 2, "consented": 2, "agreement": 1}
    assert (jp["status_counts"]["published"], jp["status_counts"]["draft"]) == (2, 1)
    de = page(client, rep_de, "representative").context
    assert de["introduction_counts"] == {"total": 2, "consented": 1, "agreement": 0}
    assert (de["status_counts"]["published"], de["status_counts"]["draft"]) == (1, 0)


def test_scopes_are_the_readers_own(cast):
    scopes = {who: snapshots.scope_of(cast(who)) for who in ("staff_tn", "staff_bn", "rep_jp")}
    assert len(set(scopes.values())) == 3
    assert snapshots.scope_of(cast("coordinator")) == "national"
    assert snapshots.scope_of(cast("enterprise_tn")) is None  # its page keeps nothing


def test_kept_figures_say_when_they_were_computed(client, world, staff_tn):
    response = page(client, staff_tn, "staff")
    html = response.content.decode()
    shown = response.context["figures_as_of"]
    assert 'id="figures-as-of"' in html
    from django.utils import timezone

    assert timezone.localtime(shown).strftime("%H:%M") in html


def test_figures_stay_until_they_expire(client, world, staff_tn, monkeypatch):
    """Someone else's change (here a rejection written straight to the table) shows once the
    kept figures expire and the worker has recomputed them; until then the page says how old
    its figures are, and the reader who finds them expired does not wait for the new ones."""
    from insights import tasks

    monkeypatch.setattr(snapshots, "TTL", 1)
    first = page(client, staff_tn, "staff").context
    assert first["matches_awaiting_review"] == 2
    Match.objects.filter(demand=world.tn_demands[3], status=Match.Status.SHORTLISTED).update(
        status=Match.Status.REJECTED
    )
    kept = page(client, staff_tn, "staff").context
    assert kept["matches_awaiting_review"] == 2
    assert kept["figures_as_of"] == first["figures_as_of"]
    time.sleep(1.2)
    expired = page(client, staff_tn, "staff").context  # queues the worker's refresh
    assert expired["matches_awaiting_review"] == 2
    assert expired["figures_as_of"] == first["figures_as_of"]
    tasks.refresh_dashboard(staff_tn.pk, "vi")  # what the worker runs
    fresh = page(client, staff_tn, "staff").context
    assert fresh["matches_awaiting_review"] == 1
    assert fresh["figures_as_of"] > first["figures_as_of"]


def queued_refreshes(user) -> int:
    """Refreshes of `user`'s figures waiting in the broker (Redis, the default queue)."""
    import base64
    import json

    import redis
    from django.conf import settings

    messages = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    return sum(
        1
        for message in map(json.loads, messages)
        if message["headers"]["task"] == "insights.refresh_dashboard"
        and json.loads(base64.b64decode(message["body"]))[0] == [user.pk, "vi"]
    )


def test_an_expired_scope_queues_one_refresh(client, world, staff_tn, monkeypatch):
    from portal.celery import app

    monkeypatch.setattr(snapshots, "TTL", 1)
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # a worker beside the portal
    page(client, staff_tn, "staff")
    before = queued_refreshes(staff_tn)
    time.sleep(1.2)
    page(client, staff_tn, "staff")
    page(client, staff_tn, "staff")
    assert queued_refreshes(staff_tn) == before + 1


def test_in_the_embedded_mode_the_refresh_runs_at_once(client, world, staff_tn, monkeypatch):
    """Tasks run in-process there (and in these tests): the visit that finds the figures
    expired refreshes them, the next visit reads the new ones."""
    monkeypatch.setattr(snapshots, "TTL", 1)
    first = page(client, staff_tn, "staff").context
    Match.objects.filter(demand=world.tn_demands[3], status=Match.Status.SHORTLISTED).update(
        status=Match.Status.REJECTED
    )
    time.sleep(1.2)
    page(client, staff_tn, "staff")
    fresh = page(client, staff_tn, "staff").context
    assert fresh["matches_awaiting_review"] == 1
    assert fresh["figures_as_of"] > first["figures_as_of"]


def test_the_readers_own_change_shows_at_once(
    client, world, staff_tn, staff_bn, coordinator, django_capture_on_commit_callbacks
):
    from connections.services import match_reject

    page(client, staff_bn, "staff")
    assert page(client, coordinator, "coordinator").context["matches_awaiting_review"] == 2
    assert page(client, staff_tn, "staff").context["matches_awaiting_review"] == 2
    match = Match.objects.get(demand=world.tn_demands[3], status=Match.Status.SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        match_reject(match=match, by=staff_tn, reason="duplicate")
    assert page(client, staff_tn, "staff").context["matches_awaiting_review"] == 1
    # the national figures are the coordinator's to refresh: kept until they expire
    national = page(client, coordinator, "coordinator").context
    assert national["matches_awaiting_review"] == 2


def test_a_representations_new_draft_shows_at_once(
    client, world, rep_jp, django_capture_on_commit_callbacks
):
    from offers.services import offer_create

    assert page(client, rep_jp, "representative").context["status_counts"]["draft"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        offer_create(by=rep_jp, data={"title": "Bản nháp mới"})
    assert page(client, rep_jp, "representative").context["status_counts"]["draft"] == 2


def test_figures_in_each_language_are_kept_apart(world, staff_tn):
    from django.utils import translation

    from insights import dashboards

    with translation.override("vi"):
        vi = dashboards.staff_context(staff_tn)
        published_vi = translation.gettext("Published")
    with translation.override("en"):
        en = dashboards.staff_context(staff_tn)
    assert [n for _label, n in vi["funnel_rows"]] == [n for _label, n in en["funnel_rows"]]
    assert (vi["funnel_rows"][0][0], en["funnel_rows"][0][0]) == (published_vi, "Published")
    assert vi["by_field"][0]["name"] != en["by_field"][0]["name"]  # the fields' own names


def test_without_redis_every_visit_computes(client, world, staff_tn, settings, monkeypatch):
    from portal.cache import FailOpenRedisCache

    monkeypatch.setattr(FailOpenRedisCache, "_paused_until", 0.0)
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:6399/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert page(client, staff_tn, "staff").context["funnel"] == TN_FUNNEL
    assert page(client, staff_tn, "staff").context["funnel"] == TN_FUNNEL


def test_the_yearly_sheet_is_kept_per_scope(client, world, staff_tn, staff_bn, coordinator):
    from .test_reports import EXPECTED_YEAR, yearly

    assert yearly(client, coordinator)["Thái Nguyên"] == EXPECTED_YEAR["Thái Nguyên"]
    assert yearly(client, staff_tn) == {"Thái Nguyên": EXPECTED_YEAR["Thái Nguyên"]}
    assert yearly(client, staff_bn) == {"Bắc Ninh": EXPECTED_YEAR["Bắc Ninh"]}
    assert yearly(client, staff_tn) == {"Thái Nguyên": EXPECTED_YEAR["Thái Nguyên"]}
