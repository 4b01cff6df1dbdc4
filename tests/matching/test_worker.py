"""The worker for real: a `celery worker` subprocess on the local Redis and the test database."""

import os
import signal
import time

import pytest
import redis
from django.conf import settings

from matching.models import Match
from matching.tasks import match_demand
from portal.celery import app
from tests.conftest import reload_reference_data

from .conftest import OFFERS, TEA_DEMAND, make_demand, make_offer
from .workers import Worker, wait_for

# Under pytest-xdist these tests may run in two processes at once (xdist_group is not honoured
# for a module's pytestmark: pytest-xdist#1295); each process has its own Redis database.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.xdist_group("celery-worker"),
]


@pytest.fixture
def worker(tmp_path):
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no message left over from another run
    reload_reference_data()
    app.conf.task_always_eager = False  # send to Redis for real
    handle = Worker(tmp_path / "worker.log")
    yield handle
    handle.stop()
    app.conf.task_always_eager = True


def test_worker_matches_a_published_demand(worker, enterprise_tn, rep_jp):
    offers = [make_offer(rep_jp.organization, **spec) for spec in OFFERS]
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND)
    match_demand.delay(demand.id)
    wait_for(lambda: Match.objects.filter(demand=demand).count() == len(offers), 120, "matches")
    best = Match.objects.filter(demand=demand).order_by("-score").first()
    assert best.offer.fields.filter(code="4.01").exists()
    assert best.reasons
    # Delivered twice (a redelivery), the task leaves the same rows.
    before = list(Match.objects.order_by("id").values_list("id", "offer_id", "score"))
    match_demand.delay(demand.id)
    wait_for(lambda: worker.output().count("succeeded") >= 2, 60, "the second run")
    assert list(Match.objects.order_by("id").values_list("id", "offer_id", "score")) == before


def test_task_killed_with_its_worker_is_delivered_again_and_completes(
    worker, enterprise_tn, rep_jp
):
    # Enough offers that embedding them takes seconds: time to kill the worker mid-task.
    topics = [
        "tea drying",
        "PCB soldering",
        "tungsten refining",
        "herbal extraction",
        "robot arms",
        "water treatment",
        "rice milling",
        "solar inverters",
    ]
    for i in range(120):
        topic = topics[i % len(topics)]
        make_offer(
            rep_jp.organization,
            title=f"{topic.title()} system {i}",
            summary=(
                f"A proven {topic} technology, model {i}, with automatic control, "
                "energy saving, remote monitoring, training of operators and a "
                "maintenance contract; installed in factories in Japan and Korea. "
            )
            * 2,
        )
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND)
    match_demand.delay(demand.id)
    wait_for(lambda: "matching.match_demand" in worker.output(), 60, "the task to start")
    time.sleep(1.5)
    assert not Match.objects.exists(), "the task finished before it could be interrupted"
    os.kill(worker.child_pid(), signal.SIGKILL)
    wait_for(
        lambda: Match.objects.filter(demand=demand).count() == 20, 240, "the re-delivered task"
    )
    log = worker.output()
    assert "WorkerLostError" in log or "SIGKILL" in log
    assert log.count("Task matching.match_demand") >= 2  # received again after the kill
