"""Writing notifications: in-app rows at once, emails after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import EmailPreference, Kind, Notification


def notify(
    *, users: Iterable, kind: str, title: str, body: str = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Create one notification per user (duplicates and inactive users skipped) and email them."""
    from outbox.services import enqueue_on_commit

    from .tasks import send_email

    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, title=title[:255], body=body, url=url))
    created = Notification.objects.bulk_create(rows)
    if email:
        for notification in created:
            # Never enqueue inside a transaction: the worker could run before the commit.
            enqueue_on_commit(send_email, notification.pk)
    return created


def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification unless its user muted that kind; True if sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.email or not notification.user.is_active:
        return False
    preference = EmailPreference.objects.filter(user=notification.user).first()
    if preference is not None and not preference.wants(notification.kind):
        return False
    context = {"notification": notification, "SITE_URL": settings.SITE_URL}
    send_mail(
        subject=notification.title,
        message=render_to_string("notifications/email/notification.txt", context),
        from_email=None,
        recipient_list=[notification.user.email],
    )
    return True


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, user, wanted_kinds: Iterable[str]) -> EmailPreference:
    """Keep the kinds the user wants; every other kind is muted."""
    wanted = set(wanted_kinds)
    muted = [kind for kind in Kind.values if kind not in wanted]
    preference, _created = EmailPreference.objects.select_for_update().get_or_create(user=user)
    preference.muted_kinds = muted
    preference.save(update_fields=["muted_kinds", "updated_at"])
    return preference
