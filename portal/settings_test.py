"""Test settings: the real PostgreSQL and Redis on localhost, a few lines changed."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@localhost:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://localhost:6379/14")
# Each pytest-xdist worker (gw0, gw1) gets its own Redis database, as it has its own test
# database: two real Celery workers started by tests running side by side would otherwise take
# each other's tasks and run them against the other test database.
if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    _base, _db = os.environ["REDIS_URL"].rsplit("/", 1)
    os.environ["REDIS_URL"] = f"{_base}/{int(_db) + int(os.environ['PYTEST_XDIST_WORKER'][2:])}"
os.environ.setdefault("HTTPS", "0")  # live_server speaks plain HTTP; cookies without __Host-

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Services run tasks in-process; the worker tests start a real Celery worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
