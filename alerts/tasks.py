"""Beat entry points for saved-search alerts. Task names are a public interface.

Idempotent: a digest is one row per saved search and period, written with its hits, its
notification and its queued mail in one transaction (services.saved_search_deliver), so a
re-delivered or retried task skips what was sent and sends what was not. The period travels
with the retry: a retry after midnight still completes yesterday's digests.
"""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)

BACKOFF_FACTOR = 30  # s: 30, 60, 120, ... (full jitter)
BACKOFF_MAX = 900  # s; far below the Redis visibility timeout (3600)


@shared_task(bind=True, name="alerts.send_digests", max_retries=12)
def send_digests(self, frequency: str, period: str | None = None) -> int:
    """Send this period's digests of every active saved search of `frequency`."""
    period = period or services.period_of(frequency, timezone.now())
    sent, failed = services.digests_send(frequency=frequency, period=period)
    if failed and not self.request.is_eager:
        countdown = get_exponential_backoff_interval(
            BACKOFF_FACTOR, self.request.retries, BACKOFF_MAX, full_jitter=True
        )
        logger.warning(
            "alerts %s: %d saved searches failed, retried in %d s", period, failed, countdown
        )
        raise self.retry(kwargs={"frequency": frequency, "period": period}, countdown=countdown)
    return sent
