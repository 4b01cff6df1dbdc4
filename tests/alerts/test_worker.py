"""The daily alert on a real `celery worker` (Redis, the test database): delivered twice for
the same period, as a re-delivery or a second beat would, it sends one digest."""

import re

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from alerts import services
from alerts.models import Digest
from alerts.tasks import send_digests
from notifications.models import Kind, Notification
from portal.celery import app
from tests.conftest import reload_reference_data

from ..matching.workers import Worker, wait_for

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


def succeeded(log: str, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", log))


def test_a_daily_digest_delivered_twice_to_a_real_worker_is_sent_once(
    worker, enterprise_tn, publish_offer
):
    services.saved_search_create(
        user=enterprise_tn, target="offers", query="trl_min=5", name="TRL 5+"
    )
    offer = publish_offer(title_vi="Máy sấy chè bằng bơm nhiệt")
    period = services.period_of("daily", timezone.now())

    send_digests.delay("daily", period)
    send_digests.delay("daily", period)

    wait_for(lambda: succeeded(worker.output(), "alerts.send_digests") >= 2, 120, "both runs")
    wait_for(lambda: succeeded(worker.output(), "notifications.send_mail") >= 1, 60, "the mail")
    assert Digest.objects.get().record_count == 1
    (note,) = Notification.objects.filter(user=enterprise_tn, kind=Kind.ALERT)
    assert offer.title_vi in note.body
    assert succeeded(worker.output(), "notifications.send_mail") == 1
