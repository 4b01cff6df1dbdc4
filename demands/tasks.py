"""Background entry points for demands. Task names are a public interface."""

from celery import shared_task

from . import exports, services

# Backoff between attempts of an export: 10, 20, 40, 80 s (far below the broker's visibility
# timeout), then the requester is told it failed.
EXPORT_RETRIES = 4


@shared_task(name="demands.expire_overdue")
def expire_overdue() -> int:
    """Expire open demands past their wanted-by date; idempotent (state guard per row)."""
    return services.demands_expire_overdue()


@shared_task(name="demands.prepare_export", bind=True, max_retries=EXPORT_RETRIES)
def prepare_export(self, export_id: int) -> bool:
    """Write a large export's file; idempotent (only a pending export is written, and the
    compare-and-swap to ready lets one delivery win)."""
    try:
        return exports.demand_export_prepare(export_id=export_id)
    except Exception as error:  # any failure: retry with backoff, then tell the requester
        if self.request.retries >= self.max_retries:
            exports.demand_export_fail(
                export_id=export_id, error=f"{error.__class__.__name__}: {error}"
            )
            raise
        raise self.retry(exc=error, countdown=10 * 2**self.request.retries) from error


@shared_task(name="demands.sweep_exports")
def sweep_exports() -> tuple[int, int]:
    """Delete expired exports; queue again those whose message was lost (idempotent)."""
    return exports.demand_exports_sweep()
