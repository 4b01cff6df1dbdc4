"""Periodic offer housekeeping (CELERY_BEAT_SCHEDULE). Task names are a public interface."""

from celery import shared_task

from . import services


@shared_task(name="offers.archive_expired")
def archive_expired() -> int:
    """Idempotent: only offers still published and past their date change state."""
    return services.offers_archive_expired()


@shared_task(name="offers.remind_expiring")
def remind_expiring() -> int:
    """Idempotent: each offer's reminder flag is claimed by compare-and-swap before sending."""
    return services.offers_remind_expiring()
