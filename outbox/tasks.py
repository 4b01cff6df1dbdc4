"""The outbox flush: every minute from beat, and whenever a process sees the broker is back."""

from contextlib import suppress

from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task(name=services.FLUSH_TASK)
def flush() -> int:
    """Send the tasks kept while the broker was down (idempotent: rows are locked and deleted)."""
    return services.outbox_flush()


@worker_ready.connect
def flush_when_a_worker_starts(sender=None, **_kwargs) -> None:
    """A worker coming up usually means the broker is reachable again."""
    with suppress(Exception):  # if not, the beat sends it within a minute
        flush.delay()
