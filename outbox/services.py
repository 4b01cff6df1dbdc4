"""Enqueue Celery tasks so that a broker outage neither breaks the request nor loses the task.

`enqueue_on_commit(task, *args)` replaces `task.delay_on_commit(*args)`: inside a transaction it
writes the task to the outbox table with the change that asks for it, and after the commit
hands it to the broker and deletes the row. If the broker cannot take it, the row stays (with
the error) and `outbox_flush` sends it later: a beat task every minute, a flush queued as soon
as this process publishes again, and one when a worker starts. A process that dies between
commit and publish leaves its row too; the flush sends rows older than ORPHAN_AFTER as well.

`enqueue(task, *args)` replaces `task.delay(*args)` (inside tasks): it publishes at once and
keeps the task only if that fails.

With `task_always_eager` (embedded mode, tests) both behave exactly as the Celery calls they
replace. Tasks are idempotent, so the rare double send (a flush racing a slow publish) is safe.
"""

from __future__ import annotations

import datetime
import logging
import time

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import PendingTask

logger = logging.getLogger(__name__)

# After a failed publish this process skips the broker for a while: during an outage each
# enqueue then costs one row, not kombu's connection attempts (0.6 s to a refused port, up
# to the connect timeout to an unreachable host).
BROKER_PAUSE = 10.0
# A row nobody reported on for this long belongs to a process that died before publishing.
ORPHAN_AFTER = datetime.timedelta(minutes=2)
FLUSH_BATCH = 200
FLUSH_TASK = "outbox.flush"

# Per process; races between threads only cost one extra attempt or flush.
_state = {"paused_until": 0.0, "kept": False}


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task(*args, **kwargs)` once the current transaction commits; never raises for
    a broker outage (the task waits in the outbox instead)."""
    if task.app.conf.task_always_eager:
        task.delay_on_commit(*args, **kwargs)
        return
    if not transaction.get_connection().in_atomic_block:
        _publish_or_keep(task.name, list(args), kwargs)
        return
    row = PendingTask.objects.create(name=task.name, args=list(args), kwargs=kwargs)
    # robust: whatever happens after the commit, the request that committed does not fail.
    transaction.on_commit(lambda: _send_row(row), robust=True)


def enqueue(task, *args, **kwargs) -> None:
    """Send `task(*args, **kwargs)` now; if the broker cannot take it, keep it in the outbox."""
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return
    _publish_or_keep(task.name, list(args), kwargs)


def outbox_flush(*, limit: int = 10_000) -> int:
    """Send the kept tasks, oldest first, until none is left or the broker fails again.

    Returns how many were sent. Rows are locked while sent (SKIP LOCKED), so two flushes at
    once send each task once."""
    sent = 0
    while sent < limit:
        cutoff = timezone.now() - ORPHAN_AFTER
        with transaction.atomic():
            rows = list(
                PendingTask.objects.select_for_update(skip_locked=True)
                .filter(Q(attempts__gt=0) | Q(created_at__lt=cutoff))
                .order_by("id")[:FLUSH_BATCH]
            )
            if not rows:
                break
            done = []
            failed = None
            for row in rows:
                failed = _publish(row.name, row.args, row.kwargs, flushing=True)
                if failed:
                    _record_failure(row.pk, failed)
                    break
                done.append(row.pk)
            PendingTask.objects.filter(pk__in=done).delete()
        sent += len(done)
        if failed:
            break
    if sent:
        logger.info("outbox: sent %d kept tasks", sent)
    return sent


def outbox_waiting() -> int:
    return PendingTask.objects.count()


def _send_row(row: PendingTask) -> None:
    error = _publish(row.name, row.args, row.kwargs)
    if error is None:
        PendingTask.objects.filter(pk=row.pk).delete()
    else:
        _record_failure(row.pk, error)


def _publish_or_keep(name: str, args: list, kwargs: dict) -> None:
    error = _publish(name, args, kwargs)
    if error is not None:
        PendingTask.objects.create(
            name=name, args=args, kwargs=kwargs, attempts=1, last_error=error
        )


def _record_failure(pk: int, error: str) -> None:
    PendingTask.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_error=error)


def _publish(name: str, args: list, kwargs: dict, *, flushing: bool = False) -> str | None:
    """Hand one task to the broker; the error (short text) if it could not, else None."""
    now = time.monotonic()
    if not flushing and now < _state["paused_until"]:
        return "not sent: the broker failed moments ago"
    try:
        with current_app.pool.acquire(block=True, timeout=5) as conn:
            # One connection attempt and one publish: kombu would otherwise retry for seconds
            # (its connect timeout, then Celery's publish retries) while a request waits.
            conn.ensure_connection(max_retries=0)
            current_app.send_task(name, args=args, kwargs=kwargs, connection=conn, retry=False)
    except Exception as error:  # any failure to publish: keep the task rather than break the caller
        _state["paused_until"] = now + BROKER_PAUSE
        _state["kept"] = True
        logger.warning("broker unavailable; %s kept in the outbox (%s)", name, error)
        return f"{error.__class__.__name__}: {error}"[:500]
    _state["paused_until"] = 0.0
    if flushing:
        _state["kept"] = False  # this flush sends what was kept
    elif _state["kept"]:
        _state["kept"] = False
        # The broker is back: have a worker send what this process kept (never in a request).
        _publish(FLUSH_TASK, [], {})
    return None
