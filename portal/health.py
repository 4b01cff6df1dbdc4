"""What /healthz reports: each dependency's state, read live."""

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
    if not settings.REDIS_URL:
        return True, "ok: tasks run in-process (no broker configured)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return True, "ok"
    except redis.RedisError as error:
        return False, f"down: {error.__class__.__name__}"


def checks() -> dict[str, tuple[bool, str]]:
    return {"database": database_state(), "broker": broker_state()}


def matching_state() -> str:
    """Reported, not a failure: a degraded engine still ranks by terms and structure."""
    from matching.corpus import engine_status

    return engine_status()[1]
