"""Outbound mail. Task names are a public interface.

A mail is never dropped for a passing failure: SMTP and network errors retry with backoff,
for as long as it takes. The price is a rare duplicate (a server that took the mail and then
lost the connection), preferable to a password-reset link or an invitation that never comes.
"""

import logging
import smtplib

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import services
from .models import Notification

logger = logging.getLogger(__name__)

BACKOFF_FACTOR = 10  # s: 10, 20, 40, ... (full jitter)
BACKOFF_MAX = 600  # s; far below the Redis visibility timeout (3600) that re-delivers held tasks
EAGER_TRIES = 3  # in-process (make dev, tests) no broker holds a retry: stop after this many


@shared_task(bind=True, name="notifications.send_mail", max_retries=None)
def send_mail(
    self, address: str, template: str, context: dict, kind: str, headers: dict | None = None
) -> bool:
    """Render and send one mail (services.send_mail queues it); True if it was sent."""
    try:
        return services.mail_deliver(
            address=address, template=template, context=context, kind=kind, headers=headers
        )
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _message in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):  # 5xx: this address will never work
            logger.error("mail %s to %s refused for good: %s", kind, address, error.recipients)
            return False
        retry_error = error
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused, reset, timed out
        retry_error = error
    if self.request.is_eager and self.request.retries + 1 >= EAGER_TRIES:
        logger.error("mail %s to %s not sent in-process: %s", kind, address, retry_error)
        return False
    countdown = get_exponential_backoff_interval(
        BACKOFF_FACTOR, self.request.retries, BACKOFF_MAX, full_jitter=True
    )
    logger.warning("mail %s to %s retried in %d s: %s", kind, address, countdown, retry_error)
    raise self.retry(exc=retry_error, countdown=countdown)


@shared_task(name="notifications.send_email")
def send_email(notification_id: int) -> None:
    """Messages queued before notifications.send_mail existed: re-routed to it."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is not None:
        services.notification_email(notification=notification)
