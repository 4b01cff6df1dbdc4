"""Outage drills: a Redis of the test's own is stopped and started; the database is unreachable.

What a user must see: no error page while the broker or the cache is down, every record matched
once the broker is back, and a calm 503 page (with /healthz saying what is down) when the
database is unreachable.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from demands.models import Demand
from matching import services as matching_services
from matching.models import Match
from matching.tasks import match_demand
from outbox import services as outbox
from outbox.models import PendingTask
from portal.cache import FailOpenRedisCache
from portal.celery import app
from tests.conftest import reload_reference_data
from tests.matching.conftest import OFFERS, TEA_DEMAND, make_demand, make_offer
from tests.matching.workers import Worker, wait_for

ROOT = Path(__file__).resolve().parents[2]

TEA_OFFER = {
    "provider_name": "Shizuoka Tea Machinery",
    "provider_type": "company",
    "provider_country": "JP",
    "title": "Green tea steaming, rolling and drying line",
    "summary": "Automatic steaming, rolling and drying machines for green tea with precise "
    "temperature control that keeps the green colour and the roasted aroma of the leaves.",
    "title_vi": "Dây chuyền hấp, vò và sấy chè xanh",
    "summary_vi": "Máy hấp, vò và sấy chè xanh tự động, kiểm soát nhiệt độ, giữ màu và hương chè.",
    "advantages": "Halves drying energy; one operator runs the whole line.",
    "fields": ["4.01"],
    "cooperation": ["license", "training"],
    "trl": 8,
    "ip_status": "patent_granted",
    "patent_numbers": "JP 7099999",
    "external_ref": "JP-TEA-OUTAGE",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on another port, that the test stops and starts."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.pidfile = directory / "redis.pid"
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def up(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pidfile),
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            check=True,
            timeout=10,
        )
        wait_for(self.up, 10, "redis-server to start")

    def stop(self) -> None:
        pid = int(
            wait_for(
                lambda: self.pidfile.exists() and self.pidfile.read_text().strip(),
                5,
                "redis-server's pid file",
            )
        )
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not self.up(), 10, "redis-server to stop")

    def queued(self) -> list[tuple[str, list]]:
        """(task name, args) of each message waiting in the default queue, oldest first."""
        queued = []
        for raw in reversed(self.client.lrange("celery", 0, -1)):
            message = json.loads(raw)
            args = json.loads(base64.b64decode(message["body"]))[0]
            queued.append((message["headers"]["task"], args))
        return queued


@pytest.fixture
def reference_data(transactional_db):
    reload_reference_data()  # a transactional test starts from empty tables


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.up():
        server.stop()


def _drop_celery_pools() -> None:
    # Celery keeps its connection and producer pools for the broker it first used; a test that
    # moves the broker must drop them (what Celery itself does after a fork).
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def portal_on_own_redis(own_redis, settings):
    """The portal (this process) sends its tasks to, and caches in, the test's own Redis."""
    # Read before the settings change: Celery loads its conf from the Django settings on first
    # access, and would otherwise remember (and "restore") the test's own Redis for the tests
    # that follow in this process.
    previous_url, previous_eager = app.conf.broker_url, app.conf.task_always_eager
    settings.REDIS_URL = settings.CELERY_BROKER_URL = own_redis.url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": own_redis.url}}
    app.conf.broker_url = own_redis.url
    app.conf.task_always_eager = False
    _drop_celery_pools()
    outbox._state.update(paused_until=0.0, kept=False)
    FailOpenRedisCache._paused_until = 0.0
    yield own_redis
    app.conf.broker_url = previous_url
    app.conf.task_always_eager = previous_eager
    _drop_celery_pools()
    outbox._state.update(paused_until=0.0, kept=False)
    FailOpenRedisCache._paused_until = 0.0


def _after_outage() -> None:
    """The broker was found down moments ago: let this process try it again at once."""
    outbox._state["paused_until"] = 0.0
    FailOpenRedisCache._paused_until = 0.0


# --- the outbox --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_is_sent_after_the_commit_and_leaves_no_row(
    portal_on_own_redis, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue_on_commit(match_demand, 41)
        # Kept with the change that asks for it; nothing reaches the broker before the commit.
        assert PendingTask.objects.filter(name="matching.match_demand", args=[41]).exists()
        assert portal_on_own_redis.queued() == []
    assert portal_on_own_redis.queued() == [("matching.match_demand", [41])]
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_task_the_broker_cannot_take_waits_and_is_sent_once_it_is_back(
    portal_on_own_redis, django_capture_on_commit_callbacks
):
    portal_on_own_redis.stop()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue_on_commit(match_demand, 42)  # raises nothing
    kept = PendingTask.objects.get()
    assert (kept.name, kept.args, kept.attempts) == ("matching.match_demand", [42], 1)
    assert "OperationalError" in kept.last_error

    assert outbox.outbox_flush() == 0  # still down: nothing sent, nothing lost
    assert PendingTask.objects.get().attempts == 2

    portal_on_own_redis.start()
    assert outbox.outbox_flush() == 1
    assert portal_on_own_redis.queued() == [("matching.match_demand", [42])]
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_task_asked_for_in_a_rolled_back_change_is_neither_sent_nor_kept(
    portal_on_own_redis, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue_on_commit(match_demand, 43)
        raise RuntimeError("the change failed")
    assert not PendingTask.objects.exists()
    assert portal_on_own_redis.queued() == []


@pytest.mark.django_db
def test_a_task_queued_by_a_task_while_the_broker_is_down_is_kept(portal_on_own_redis):
    portal_on_own_redis.stop()
    outbox.enqueue(match_demand, 44)
    assert PendingTask.objects.filter(name="matching.match_demand", args=[44], attempts=1).exists()


@pytest.mark.django_db
def test_the_flush_sends_a_row_whose_process_died_before_publishing(portal_on_own_redis):
    orphan = PendingTask.objects.create(name="matching.match_demand", args=[45])
    PendingTask.objects.filter(pk=orphan.pk).update(
        created_at=timezone.now() - outbox.ORPHAN_AFTER - timezone.timedelta(seconds=1)
    )
    # A fresh row is still being published by the process that wrote it: left to that process.
    PendingTask.objects.create(name="matching.match_demand", args=[46])
    assert outbox.outbox_flush() == 1
    assert portal_on_own_redis.queued() == [("matching.match_demand", [45])]
    assert list(PendingTask.objects.values_list("args", flat=True)) == [[46]]


@pytest.mark.django_db
def test_the_first_send_after_an_outage_queues_a_flush(portal_on_own_redis):
    portal_on_own_redis.stop()
    outbox.enqueue(match_demand, 47)
    portal_on_own_redis.start()
    _after_outage()
    outbox.enqueue(match_demand, 48)
    assert portal_on_own_redis.queued() == [("matching.match_demand", [48]), ("outbox.flush", [])]


def test_every_scheduled_task_exists_and_the_outbox_is_flushed_every_minute(settings):
    app.loader.import_default_modules()  # what a worker does first: import every tasks module
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert [entry["task"] for entry in schedule.values() if entry["task"] not in app.tasks] == []
    assert {"task": "outbox.flush", "schedule": 60} in schedule.values()


# --- the cache fails open ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_cache_reads_as_empty_while_redis_is_down_and_works_once_it_is_back(
    portal_on_own_redis,
):
    from django.core.cache import cache

    portal_on_own_redis.stop()
    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.get_many(["k"]) == {}
    assert cache.get_or_set("k", 2) == 2
    portal_on_own_redis.start()
    _after_outage()
    cache.set("k", 3)
    assert cache.get("k") == 3


@pytest.mark.django_db
def test_signed_in_pages_answer_while_the_cache_redis_is_down(
    portal_on_own_redis, client, staff_tn, enterprise_tn, rep_jp
):
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND)
    offer = make_offer(rep_jp.organization, **OFFERS[0])
    matching_services.match_demand(demand_id=demand.id)
    assert Match.objects.filter(demand=demand, offer=offer).exists()
    staff_tn.set_password("a long test password 1")
    staff_tn.save()
    token = Token.objects.create(user=rep_jp)
    portal_on_own_redis.stop()

    signed_in = client.post(
        reverse("accounts:login"),
        {"username": staff_tn.email, "password": "a long test password 1"},
    )
    assert signed_in.status_code == 302  # the session lives in the database
    assert client.get(reverse("insights:dashboard"), follow=True).status_code == 200
    page = client.get(demand.get_absolute_url())  # match chips read key phrases from the cache
    assert page.status_code == 200
    assert offer.title in page.content.decode()
    api = client.get("/api/demands/", HTTP_AUTHORIZATION=f"Token {token.key}")  # throttle: cache
    assert api.status_code == 200

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["cache"].startswith("down")


# --- the broker drill, end to end --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_while_publishing_shows_no_error_and_every_record_is_matched_after(
    reference_data, tmp_path, portal_on_own_redis, client, staff_tn, enterprise_tn, rep_jp
):
    representative = rep_jp
    for spec in OFFERS:
        make_offer(representative.organization, **spec)
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND, status=Demand.Status.SUBMITTED)

    portal_on_own_redis.stop()

    # Staff publish the demand through the real view: a normal redirect and page, no 500.
    client.force_login(staff_tn)
    published = client.post(reverse("demands:publish", args=[demand.pk]))
    assert published.status_code == 302
    assert client.get(published.url).status_code == 200
    demand.refresh_from_db()
    assert demand.status == Demand.Status.PUBLISHED

    # The representative creates and publishes an offer through the API: JSON answers.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=representative).key}")
    created = api.post("/api/offers/", TEA_OFFER, format="json")
    assert created.status_code == 201, created.content
    offer_id = created.json()["id"]
    published_offer = api.post(
        f"/api/offers/{offer_id}/publish/", {"confirm_similar": True}, format="json"
    )
    assert published_offer.status_code == 200, published_offer.content
    assert published_offer["Content-Type"] == "application/json"

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["broker"].startswith("down")
    assert "waiting" in health.json()["outbox"]

    kept = set(PendingTask.objects.values_list("name", flat=True))
    assert {
        "matching.match_demand",
        "notifications.send_mail",
        "matching.embed_record",
        "matching.match_offer",
    } <= kept
    assert not Match.objects.exists()

    # Redis comes back (empty: it kept nothing); a worker starts and flushes the outbox.
    portal_on_own_redis.start()
    worker = Worker(tmp_path / "worker.log")
    try:
        wait_for(lambda: not PendingTask.objects.exists(), 60, "the outbox to be sent")
        wait_for(
            lambda: Match.objects.filter(demand=demand, offer_id=offer_id).exists(),
            180,
            "the demand and the new offer to be matched",
        )
        assert Match.objects.filter(demand=demand).count() >= 2
        wait_for(
            lambda: (
                "notifications.send_mail" in worker.output()
                and "matching.embed_record" in worker.output()
            ),
            30,
            "the email and embedding tasks",
        )
    finally:
        worker.stop()


# --- the database unreachable ------------------------------------------------------------------


@pytest.mark.slow
def test_an_unreachable_database_answers_503_on_healthz_and_a_calm_page_elsewhere(
    settings, tmp_path
):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/portal",  # nothing listens
        "REDIS_URL": settings.REDIS_URL,
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def get(path: str, cookie: str = ""):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie} if cookie else {}
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except OSError:
            return None

    try:
        status, _headers, body = wait_for(lambda: get("/healthz"), 60, "gunicorn to answer")
        assert status == 503
        assert json.loads(body)["database"].startswith("down")

        # A signed-in visitor (any session cookie makes the portal read its session).
        status, headers, body = get(reverse("insights:dashboard"), cookie="sessionid=" + "x" * 32)
        assert status == 503
        assert headers["Retry-After"] == "60"
        assert headers["Content-Type"].startswith("text/html")
        assert "briefly unavailable" in body or "tạm thời" in body.lower()
        assert "Traceback" not in body

        # An API client with a token gets the same, as JSON.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/offers/", headers={"Authorization": "Token " + "0" * 40}
        )
        try:
            urllib.request.urlopen(request, timeout=20)
        except urllib.error.HTTPError as error:
            assert error.code == 503
            assert error.headers["Content-Type"] == "application/json"
            assert json.loads(error.read())["detail"]
        else:
            raise AssertionError("the API answered while the database was down")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
