"""A rebuild whose worker died is seen as stalled, and the buttons say what they really did.

Database-level tests (tasks run in-process); the drill with real workers is test_rebuild_drill.py.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching import selectors, services, tasks
from matching.models import Match, MatchingRun

from .conftest import make_demand

pytestmark = pytest.mark.django_db

State = MatchingRun.State


@pytest.fixture
def demands(tea_demand, enterprise_tn):
    dust = make_demand(
        enterprise_tn.organization,
        title="Xử lý bụi khi bốc xếp quặng tinh",
        problem="Bụi phát tán khi bốc xếp quặng tinh vonfram tại kho bãi ảnh hưởng công nhân.",
        fields=("2.07",),
    )
    return [tea_demand, dust]


def make_run(
    demands, *, state=State.RUNNING, idle=timedelta(minutes=10), done=1, attempt=0, by=None
) -> MatchingRun:
    """A run whose worker last made progress `idle` ago, after its first `done` demands."""
    return MatchingRun.objects.create(
        state=state,
        engine_version="test",
        total=len(demands),
        processed=done,
        cursor=demands[done - 1].pk if done else 0,
        attempt=attempt,
        started_by=by,
        heartbeat_at=timezone.now() - idle,
    )


def press(client, url_name, *args):
    """Press a button on the engine page in English; returns the messages it shows."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse(url_name, args=args), follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_a_run_without_progress_for_the_set_time_is_stalled(demands, settings):
    settings.REBUILD_STALL_AFTER = 60
    quiet = make_run(demands, idle=timedelta(seconds=90))
    busy = make_run(demands, idle=timedelta(seconds=20))
    stopping = make_run(demands, state=State.STOPPING, idle=timedelta(seconds=90))
    stopped = make_run(demands, state=State.STOPPED, idle=timedelta(hours=2))
    done = make_run(demands, state=State.DONE, idle=timedelta(hours=2))
    assert set(selectors.runs_stalled()) == {quiet, stopping}
    settings.REBUILD_STALL_AFTER = 120
    assert not selectors.runs_stalled().exists()
    assert {busy, stopped, done}.isdisjoint(selectors.runs_stalled())


def test_the_engine_page_shows_a_stalled_run_and_its_resume_button(client, coordinator, demands):
    run = make_run(demands, idle=timedelta(minutes=7))
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("matching:runs")).content.decode()
    assert "Stalled since" in page and "without progress" in page
    assert reverse("matching:run_resume", args=[run.pk]) in page
    progress = client.get(reverse("matching:run_progress", args=[run.pk])).content.decode()
    assert "Stalled since" in progress
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"  # the default: no English left in it
    progress = client.get(reverse("matching:run_progress", args=[run.pk])).content.decode()
    assert "7\xa0phút không tiến triển" in progress and "minutes" not in progress


def test_a_healthy_run_is_not_shown_stalled(client, coordinator, demands):
    run = make_run(demands, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("matching:runs")).content.decode()
    assert "Stalled since" not in page
    assert reverse("matching:run_resume", args=[run.pk]) not in page
    assert reverse("matching:run_stop", args=[run.pk]) in page


def test_resume_of_a_stalled_run_finishes_it_at_once_from_its_cursor(
    client, coordinator, demands, offers, django_capture_on_commit_callbacks
):
    run = make_run(
        demands, idle=timedelta(minutes=7)
    )  # the first demand was done, then the worker died
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        shown = press(client, "matching:run_resume", run.pk)
    assert shown == [f"Rebuild #{run.pk} resumed after 1 of 2 demands."]
    assert len(queued) == 1  # the chunk was queued again (run here in-process)
    run.refresh_from_db()
    assert (run.state, run.processed, run.attempt) == (State.DONE, 2, 1)
    assert not Match.objects.filter(demand=demands[0]).exists()  # before the cursor: not redone
    assert Match.objects.filter(demand=demands[1]).count() == len(offers)


def test_resume_of_a_run_that_is_progressing_says_so_and_queues_nothing(
    client, coordinator, demands, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks() as queued:
        shown = press(client, "matching:run_resume", run.pk)
    assert shown == [f"Rebuild #{run.pk} is already running (1 of 2 demands); nothing was changed."]
    assert queued == []
    run.refresh_from_db()
    assert (run.state, run.attempt) == (State.RUNNING, 0)


def test_resume_of_a_finished_run_says_there_is_nothing_to_resume(client, coordinator, demands):
    run = make_run(demands, state=State.DONE, done=2)
    client.force_login(coordinator)
    assert press(client, "matching:run_resume", run.pk) == [
        f"Rebuild #{run.pk} has nothing to resume: it is done."
    ]
    run.refresh_from_db()
    assert (run.state, run.attempt) == (State.DONE, 0)


def test_resume_of_a_stopping_run_takes_back_the_stop(
    client, coordinator, demands, django_capture_on_commit_callbacks
):
    run = make_run(demands, state=State.STOPPING, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks() as queued:
        shown = press(client, "matching:run_resume", run.pk)
    assert shown == [f"Rebuild #{run.pk} resumed after 1 of 2 demands."]
    assert queued == []  # its worker is still on the chunk and goes on
    run.refresh_from_db()
    assert run.state == State.RUNNING


def test_resume_of_an_old_run_while_another_runs_changes_nothing(client, coordinator, demands):
    old = make_run(demands, state=State.STOPPED)
    active = make_run(demands, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    assert press(client, "matching:run_resume", old.pk) == [
        f"Rebuild #{active.pk} is already running (1 of 2 demands); nothing was changed."
    ]
    old.refresh_from_db()
    assert old.state == State.STOPPED


def test_stop_of_a_stalled_run_stops_it_now(client, coordinator, demands):
    run = make_run(demands, idle=timedelta(minutes=7))
    client.force_login(coordinator)
    assert press(client, "matching:run_stop", run.pk) == [
        f"Rebuild #{run.pk} stopped after 1 of 2 demands; you can resume it."
    ]
    run.refresh_from_db()
    assert run.state == State.STOPPED
    assert press(client, "matching:run_stop", run.pk) == [
        f"Rebuild #{run.pk} has nothing to stop: it is stopped."
    ]


def test_stop_of_a_progressing_run_waits_for_its_chunk(client, coordinator, demands):
    run = make_run(demands, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    assert press(client, "matching:run_stop", run.pk) == [
        f"Rebuild #{run.pk} stops after its current chunk; you can resume it."
    ]
    run.refresh_from_db()
    assert run.state == State.STOPPING
    assert press(client, "matching:run_stop", run.pk) == [
        f"Rebuild #{run.pk} is already stopping after its current chunk; nothing was changed."
    ]


def test_start_while_a_run_progresses_starts_nothing(client, coordinator, demands):
    run = make_run(demands, idle=timedelta(seconds=5))
    client.force_login(coordinator)
    assert press(client, "matching:run_start") == [
        f"Rebuild #{run.pk} is already running (1 of 2 demands); nothing was changed."
    ]
    assert MatchingRun.objects.count() == 1


def test_start_while_a_run_is_stalled_resumes_that_run(
    client, coordinator, demands, offers, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(minutes=7))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        shown = press(client, "matching:run_start")
    assert shown == [f"Rebuild #{run.pk} resumed after 1 of 2 demands."]
    assert MatchingRun.objects.count() == 1
    run.refresh_from_db()
    assert (run.state, run.processed) == (State.DONE, 2)


def test_a_late_message_from_before_the_resume_is_dropped(demands, offers, monkeypatch):
    run = make_run(demands, idle=timedelta(seconds=5), attempt=1)  # resumed once already
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: queued.append(args))
    tasks.rebuild_matches(run.pk, 0)  # the killed worker's message, re-delivered an hour later
    run.refresh_from_db()
    assert (run.state, run.processed, run.cursor) == (State.RUNNING, 1, demands[0].pk)
    assert not Match.objects.exists() and queued == []
    tasks.rebuild_matches(run.pk, 1)  # the resumed attempt's message does the work
    run.refresh_from_db()
    assert (run.state, run.processed) == (State.DONE, 2)
    assert Match.objects.filter(demand=demands[1]).count() == len(offers)


def test_a_chunk_overtaken_by_a_resume_does_not_move_the_run(demands, offers, monkeypatch):
    """A worker thought dead (slow, not killed) finishes its chunk after a resume: its rows are
    the same upserts, but the cursor and counts belong to the new attempt."""
    run = make_run(demands, done=0, idle=timedelta(minutes=7))
    real_match = services.match_demands

    def resumed_meanwhile(**kwargs):
        written = real_match(**kwargs)
        MatchingRun.objects.filter(pk=run.pk).update(attempt=1)
        return written

    monkeypatch.setattr(services, "match_demands", resumed_meanwhile)
    assert services.rebuild_chunk(run_id=run.pk, attempt=0) is False
    run.refresh_from_db()
    assert (run.state, run.processed, run.cursor, run.matches_written) == (State.RUNNING, 0, 0, 0)


def test_the_reconcile_sweep_resumes_a_stalled_run(
    demands, offers, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(minutes=7))
    stopping = make_run(demands, state=State.STOPPING, idle=timedelta(minutes=7))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.reconcile()
    assert result["rebuilds"] == 1
    run.refresh_from_db()
    stopping.refresh_from_db()
    assert (run.state, run.processed, run.attempt) == (State.DONE, 2, 1)
    assert stopping.state == State.STOPPED  # its stop was asked for: it is not restarted


def test_the_reconcile_sweep_leaves_a_progressing_run_alone(
    demands, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(seconds=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reconcile()["rebuilds"] == 0
    run.refresh_from_db()
    assert (run.state, run.attempt, run.processed) == (State.RUNNING, 0, 1)


OTHERS = [
    "pending_enterprise_tn",
    "enterprise_tn",
    "enterprise_bn",
    "staff_tn",
    "staff_bn",
    "rep_jp",
    "rep_de",
]


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("button", ["matching:run_resume", "matching:run_stop"])
def test_nobody_else_can_resume_or_stop_a_stalled_run(
    client, cast, who, button, demands, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(minutes=7))
    client.force_login(cast(who))
    with django_capture_on_commit_callbacks() as queued:
        assert client.post(reverse(button, args=[run.pk])).status_code == 404
    assert queued == []
    run.refresh_from_db()
    assert (run.state, run.attempt) == (State.RUNNING, 0)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, demands):
    run = make_run(demands, idle=timedelta(minutes=7))
    response = client.post(reverse("matching:run_resume", args=[run.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    run.refresh_from_db()
    assert run.attempt == 0


def test_an_administrator_may_resume_a_stalled_run(
    client, superuser, demands, django_capture_on_commit_callbacks
):
    run = make_run(demands, idle=timedelta(minutes=7))
    client.force_login(superuser)
    with django_capture_on_commit_callbacks():
        assert press(client, "matching:run_resume", run.pk) == [
            f"Rebuild #{run.pk} resumed after 1 of 2 demands."
        ]
