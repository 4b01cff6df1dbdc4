"""Test settings: the real PostgreSQL and Redis on localhost, a few lines changed."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@localhost:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://localhost:6379/14")
os.environ.setdefault("HTTPS", "0")  # live_server speaks plain HTTP; cookies without __Host-

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Services run tasks in-process; the worker tests start a real Celery worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
