"""What /healthz reports: each dependency's state, read live (never through the fail-open cache)."""

from django.conf import settings
from django.db import connection


def database_state() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as error:  # any failure means "down"; the message says which
        return False, f"down: {error.__class__.__name__}"


def broker_state() -> tuple[bool, str]:
    """One connection attempt to the broker tasks are sent to (Redis, or the SQL file)."""
    from portal.celery import app

    url = settings.CELERY_BROKER_URL
    options = {"socket_connect_timeout": 1, "socket_timeout": 1} if url.startswith("redis") else {}
    try:
        with app.connection_for_write(url, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)
        return True, "ok"
    except Exception as error:
        return False, f"down: {error.__class__.__name__}"


def cache_state() -> tuple[bool, str]:
    """Pings the cache's Redis itself: the cache backend hides its errors (fails open)."""
    location = settings.CACHES["default"].get("LOCATION")
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower() or not location:
        return True, "ok: in-process memory"
    import redis

    try:
        redis.Redis.from_url(location, socket_connect_timeout=1, socket_timeout=1).ping()
        return True, "ok"
    except (redis.RedisError, OSError) as error:
        return False, f"down: {error.__class__.__name__}"


def checks() -> dict[str, tuple[bool, str]]:
    return {"database": database_state(), "broker": broker_state(), "cache": cache_state()}


def outbox_state() -> str:
    """Reported, not a failure: tasks kept while the broker was down wait to be sent."""
    from outbox.services import outbox_waiting

    try:
        waiting = outbox_waiting()
    except Exception as error:  # the database check already says it is down
        return f"unknown: {error.__class__.__name__}"
    return f"{waiting} tasks waiting for the broker" if waiting else "empty"


def matching_state() -> str:
    """Reported, not a failure: a degraded engine still ranks by terms and structure."""
    from matching.corpus import engine_status

    return engine_status(load=False)[1]
