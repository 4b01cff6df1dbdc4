"""Notification emails. Task names are a public interface.

Idempotence: sending twice would email twice, so the task does not autoretry on errors
after send_mail; a lost email is preferable to a duplicate stream of them.
"""

from celery import shared_task

from . import services


@shared_task(name="notifications.send_email")
def send_email(notification_id: int) -> bool:
    """Email one in-app notification to its user, honouring their email preferences."""
    return services.notification_send_email(notification_id=notification_id)
