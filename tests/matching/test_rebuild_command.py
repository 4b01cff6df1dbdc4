"""`manage.py rebuild_matches`: the coordinator's rebuild, driven from the shell without a worker."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matching import selectors, services
from matching.models import Match, MatchingRun

from .conftest import make_demand

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_demand(enterprise_tn):
    return make_demand(
        enterprise_tn.organization,
        title="Xử lý bụi khi bốc xếp quặng tinh",
        problem="Bụi phát tán khi bốc xếp quặng tinh vonfram tại kho bãi ảnh hưởng công nhân.",
        fields=("2.07",),
    )


def test_rebuild_command_finishes_a_run_the_coordinator_sees(
    tea_demand, second_demand, offers, coordinator
):
    output = StringIO()
    call_command("rebuild_matches", stdout=output)
    run = MatchingRun.objects.get()
    assert (run.state, run.processed, run.total) == (MatchingRun.State.DONE, 2, 2)
    assert run.started_by.role in ("admin", "coordinator")
    assert run.matches_written == Match.objects.count() > 0
    assert Match.objects.filter(demand=tea_demand).exists()
    assert Match.objects.filter(demand=second_demand).exists()
    text = output.getvalue()
    assert "[" + "#" * 30 + "] 2/2 demands" in text
    assert f"Run {run.pk} done: 2 demands, {run.matches_written} matches written" in text
    assert list(selectors.runs_visible_to(coordinator)) == [run]


def test_rebuild_command_resumes_the_stopped_run(tea_demand, offers, coordinator, monkeypatch):
    from matching import tasks

    # A run started on the coordinator's page and stopped before any worker took it.
    monkeypatch.setattr(tasks.rebuild_matches, "delay_on_commit", lambda *args: None)
    run = services.rebuild_start(by=coordinator)
    services.rebuild_stop(run=run, by=coordinator)
    services.rebuild_chunk(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == MatchingRun.State.STOPPED and not Match.objects.exists()

    output = StringIO()
    call_command("rebuild_matches", "--resume", f"--user={coordinator.email}", stdout=output)
    run.refresh_from_db()
    assert (run.state, run.processed, run.cursor) == (MatchingRun.State.DONE, 1, tea_demand.pk)
    assert MatchingRun.objects.count() == 1
    assert Match.objects.filter(demand=tea_demand).count() == len(offers)
    assert f"Resuming run {run.pk}" in output.getvalue()


def test_rebuild_command_refuses_a_second_run_while_one_is_active(
    tea_demand, coordinator, monkeypatch
):
    from matching import tasks

    monkeypatch.setattr(tasks.rebuild_matches, "delay_on_commit", lambda *args: None)
    run = services.rebuild_start(by=coordinator)  # a worker is (said to be) on it
    with pytest.raises(CommandError, match=f"Run {run.pk} is already running"):
        call_command("rebuild_matches", stdout=StringIO())
    with pytest.raises(CommandError, match="No stopped or failed run to resume"):
        call_command("rebuild_matches", "--resume", stdout=StringIO())
    assert MatchingRun.objects.count() == 1


def test_rebuild_command_refuses_a_user_who_may_not_rebuild(tea_demand, staff_tn):
    with pytest.raises(CommandError, match="not a coordinator or an administrator"):
        call_command("rebuild_matches", f"--user={staff_tn.email}", stdout=StringIO())
    assert not MatchingRun.objects.exists()
