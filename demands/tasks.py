"""Background entry points for demands. Task names are a public interface."""

from celery import shared_task

from . import services


@shared_task(name="demands.expire_overdue")
def expire_overdue() -> int:
    """Expire open demands past their wanted-by date; idempotent (state guard per row)."""
    return services.demands_expire_overdue()
