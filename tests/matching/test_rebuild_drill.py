"""Drill: kill -9 the worker mid-rebuild; a fresh worker finishes the run, equal to a clean run.

Real PostgreSQL, real Redis, real `celery worker` subprocesses (tests/matching/workers.py). The
killed worker's chunk message stays unacknowledged in Redis for the visibility timeout (an
hour), so only the stall rule brings the run back: the test sets it to a few seconds.
"""

import signal

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from matching import selectors, services
from matching.models import Match, MatchedRecord, MatchingRun
from matching.tasks import rebuild_matches, reconcile
from portal.celery import app
from tests.conftest import reload_reference_data

from .conftest import OFFERS, make_demand, make_offer
from .workers import Worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.xdist_group("celery-worker"),
]

STALL_AFTER = 3  # seconds, for the test process and the workers alike
DRILL = {
    "settings_module": "tests.matching.drill_settings",
    "env": {"REBUILD_STALL_AFTER": str(STALL_AFTER)},
}

TOPICS = [
    ("sấy chè xanh bằng bơm nhiệt", "4.01"),
    ("hàn linh kiện bảng mạch in", "2.02"),
    ("tinh chế quặng vonfram", "2.05"),
    ("xử lý bụi kho quặng", "2.07"),
    ("chiết xuất dược liệu", "4.01"),
    ("xử lý nước thải làng nghề", "2.07"),
]


@pytest.fixture
def corpus(enterprise_tn, rep_jp):
    offers = [make_offer(rep_jp.organization, **spec) for spec in OFFERS]
    for i, (topic, field) in enumerate(TOPICS):
        offers.append(
            make_offer(
                rep_jp.organization,
                title=f"Technology for {topic} #{i}",
                summary=f"A proven line for {topic}, with automatic control and training.",
                fields=(field,),
            )
        )
    demands = [
        make_demand(
            enterprise_tn.organization,
            title=f"Cần công nghệ {topic} ({i})",
            problem=f"Doanh nghiệp cần giải pháp {topic}, quy mô {10 + i} tấn mỗi ngày, "
            "tiết kiệm năng lượng và dễ vận hành.",
            fields=(field,),
        )
        for i in range(30)
        for topic, field in [TOPICS[i % len(TOPICS)]]
    ]
    return demands, offers


def match_rows() -> list[tuple]:
    return list(
        Match.objects.order_by("demand_id", "offer_id").values_list(
            "demand_id", "offer_id", "score", "in_demand_top", "status", "reasons"
        )
    )


@pytest.fixture
def clean_run(corpus, coordinator, settings):
    """The rows and counts of an uninterrupted rebuild (chunks driven in this process), then a
    match table emptied for the drill."""
    settings.REBUILD_CHUNK = 2
    run = services.rebuild_start(by=coordinator, enqueue=False)
    while services.rebuild_chunk(run_id=run.pk):
        pass
    run.refresh_from_db()
    assert run.state == MatchingRun.State.DONE
    rows = match_rows()
    assert {row[0] for row in rows} == {d.pk for d in corpus[0]}
    Match.objects.all().delete()
    MatchedRecord.objects.all().delete()
    return rows, run.matches_written


@pytest.fixture
def workers(tmp_path, settings):
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no message left over from another run
    reload_reference_data()
    settings.REBUILD_STALL_AFTER = STALL_AFTER
    app.conf.task_always_eager = False  # send to Redis for real
    started = []

    def start(name: str) -> Worker:
        started.append(Worker(tmp_path / f"{name}.log", own_group=True, **DRILL))
        return started[-1]

    yield start
    for handle in started:
        handle.stop()
    app.conf.task_always_eager = True


def kill_mid_run(worker: Worker, run: MatchingRun) -> MatchingRun:
    """Freeze the worker (every process of it) once a chunk is done, check the run is midway,
    then kill -9 them all: no process is left to finish or hand back its chunk."""
    wait_for(
        lambda: MatchingRun.objects.get(pk=run.pk).processed > 0, 120, "a first chunk", every=0.02
    )
    worker.signal_group(signal.SIGSTOP)
    run.refresh_from_db()
    worker.signal_group(signal.SIGKILL)
    worker.process.wait(timeout=20)
    assert 0 < run.processed < run.total, "the run finished before the worker could be killed"
    assert run.state == MatchingRun.State.RUNNING
    return run


@pytest.mark.parametrize("trigger", ["resume_button", "reconcile_sweep"])
def test_a_rebuild_whose_worker_was_killed_finishes_equal_to_a_clean_run(
    workers, clean_run, client, coordinator, trigger
):
    clean_rows, clean_written = clean_run
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first = workers("first")
    client.post(reverse("matching:run_start"))
    run = MatchingRun.objects.get(state=MatchingRun.State.RUNNING)
    run = kill_mid_run(first, run)
    killed_at = run.processed
    # Frozen between two chunks, the worker may already have queued the next chunk's message:
    # a fresh worker then simply carries on (nothing stalls). Drop it: the drill is the chunk
    # held by the dead worker, which Redis hands back only after its visibility timeout.
    app.control.purge()

    second = workers("second")  # a fresh worker: the killed chunk's message is not redelivered
    wait_for(
        lambda: selectors.runs_stalled().filter(pk=run.pk).exists(),
        60,
        "the run to count as stalled",
    )
    run.refresh_from_db()
    assert (run.state, run.processed) == (MatchingRun.State.RUNNING, killed_at)  # nobody moved it
    page = client.get(reverse("matching:runs")).content.decode()
    assert "Stalled since" in page

    if trigger == "resume_button":
        response = client.post(reverse("matching:run_resume", args=[run.pk]), follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            f"Rebuild #{run.pk} resumed after {killed_at} of {run.total} demands."
        ]
    else:
        reconcile.delay()  # what beat sends every 10 minutes, run by the fresh worker
    # The killed worker's message, as the broker would hand it back an hour later.
    rebuild_matches.delay(run.pk, 0)

    wait_for(
        lambda: MatchingRun.objects.get(pk=run.pk).state == MatchingRun.State.DONE,
        180,
        "the resumed run to finish",
    )
    run.refresh_from_db()
    assert (run.processed, run.attempt) == (run.total, 1)
    assert run.matches_written == clean_written
    assert match_rows() == clean_rows
    wait_for(
        lambda: "dropped a chunk message of attempt 0" in second.output(),
        60,
        "the late message to be dropped",
    )
    page = client.get(reverse("matching:runs")).content.decode()
    assert "Stalled since" not in page and "100%" in page
