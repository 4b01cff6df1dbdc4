"""Periodic tasks of the connection workflow. Their names predate this app: beat's schedule
and messages already queued address them as matching.*, so the names stay."""

from celery import shared_task

from matching.tasks import RETRY

from . import services


@shared_task(name="matching.remind_overdue_answers", **RETRY)
def remind_overdue_answers() -> int:
    """Remind the side that has not answered an introduction in 14 days (once: compare-and-swap)."""
    return services.matches_remind_overdue()


@shared_task(name="matching.weekly_digest")
def weekly_digest() -> int:
    """Tell staff how many matches await their review (weekly; not retried, to avoid repeats)."""
    return services.staff_weekly_digest()
