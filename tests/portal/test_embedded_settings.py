"""`make run`'s settings, read by a fresh process from the real settings module: with no
REDIS_URL the broker is a SQLite file in var/ and tasks really go through it; with REDIS_URL,
Redis. One setting decides."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from portal.celery import app
state = {
    "broker_url": app.conf.broker_url,
    "transport": type(app.connection_for_write().transport).__module__,
    "eager": app.conf.task_always_eager,
    "transport_options": app.conf.broker_transport_options,
    "concurrency": app.conf.worker_concurrency,
    "beat_schedule_file": app.conf.beat_schedule_filename,
    "email": settings.EMAIL_BACKEND,
    "mail_dir": str(settings.EMAIL_FILE_PATH),
    "cache": settings.CACHES["default"],
}
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        state["journal_mode"] = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        state["busy_timeout_ms"] = cursor.fetchone()[0]
print(json.dumps(state))
"""


def settings_state(tmp_path: Path, **env: str) -> dict:
    unset = {
        "REDIS_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "DATABASE_URL",
        "PYTEST_XDIST_WORKER",
        "EMAIL_BACKEND",
    }
    full_env = {
        **{k: v for k, v in os.environ.items() if k not in unset},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "tests-only-not-a-secret",
        "DEBUG": "0",
        "HTTPS": "0",
        "PORTAL_VAR_DIR": str(tmp_path),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_redis_tasks_go_to_a_sqlite_broker_in_var(tmp_path):
    state = settings_state(tmp_path)
    assert state["broker_url"] == f"sqlite:///{tmp_path / 'celery-broker.sqlite'}"
    assert state["transport"] == "portal.broker"  # kombu's SQL transport, polled often
    assert state["eager"] is False  # the worker runs them, as in production
    assert state["concurrency"] == 1  # one writer beside the web server on the SQLite database
    assert state["beat_schedule_file"] == str(tmp_path / "celerybeat-schedule")
    # Web and worker share the SQLite database: readers beside a writer, writers wait their turn.
    assert (state["journal_mode"], state["busy_timeout_ms"]) == ("wal", 30_000)
    # Emails land as files a person can open.
    assert state["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert state["mail_dir"] == str(tmp_path / "mail")
    # What the worker keeps (dashboard figures, key phrases) the web server reads: files in var/.
    assert state["cache"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert state["cache"]["LOCATION"] == str(tmp_path / "cache")


def test_with_redis_the_broker_is_redis(tmp_path):
    state = settings_state(
        tmp_path,
        REDIS_URL="redis://localhost:6379/1",
        DATABASE_URL="postgres://postgres@localhost:5432/portal",
    )
    assert state["broker_url"] == "redis://localhost:6379/1"
    assert state["transport"] == "kombu.transport.redis"
    assert state["eager"] is False
    assert state["transport_options"]["visibility_timeout"] == 3600
    assert state["email"] == "django.core.mail.backends.console.EmailBackend"
    assert not (tmp_path / "celery-broker.sqlite").exists()


def test_make_dev_can_still_run_tasks_in_process(tmp_path):
    assert settings_state(tmp_path, CELERY_TASK_ALWAYS_EAGER="1")["eager"] is True
