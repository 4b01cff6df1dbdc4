"""Background entry points of connection sessions (no logic here)."""

from celery import shared_task

from . import services


@shared_task(name="events.remind_tomorrow")
def remind_tomorrow() -> int:
    # Idempotent: each session is claimed once (reminded_at) before its reminders are sent.
    return services.sessions_remind_tomorrow()
