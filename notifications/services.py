"""Notifications and the portal's one outbound mail path.

Every email leaves through `send_mail`: once the transaction commits it queues (through the
outbox) one `notifications.send_mail` task per recipient; the task renders the templates in
the portal's language and sends, retrying SMTP failures with backoff. Whether the recipient
wants an optional kind (a notification, reminder or digest: `Kind`) is decided when the mail
is sent; account mails (`AccountMail`) always go. This app imports no other app's models, so
every app may send mail through it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.i18n import in_language_of

from .models import AccountMail, EmailPreference, Kind, Notification

logger = logging.getLogger(__name__)

ACCOUNT_MAILS = frozenset(mail.value for mail in AccountMail)
MAIL_KINDS = ACCOUNT_MAILS | frozenset(Kind.values)


def send_mail(
    *,
    to: Iterable[Any],
    template: str,
    context: dict | None = None,
    kind: str,
    headers: dict[str, str] | None = None,
) -> list[str]:
    """Queue `template` (`<template>_subject.txt` and `<template>.txt`) to each recipient (a user
    or an address) once the transaction commits; returns the addresses queued.

    The context may hold plain values, dates and saved model instances: the task reads the
    instances afresh when it renders. `headers` are added to the mail (e.g. List-Unsubscribe)."""
    from outbox.services import enqueue_on_commit

    from . import tasks

    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    packed = _pack(context or {})
    addresses: dict[str, str] = {}
    for recipient in to:
        address = (getattr(recipient, "email", recipient) or "").strip()
        if address:
            addresses.setdefault(address.lower(), address)
    for address in addresses.values():
        # Never enqueue inside a transaction: the worker could run before the commit.
        if headers:
            enqueue_on_commit(
                tasks.send_mail, address, template, packed, str(kind), headers=dict(headers)
            )
        else:
            enqueue_on_commit(tasks.send_mail, address, template, packed, str(kind))
    return list(addresses.values())


def mail_deliver(
    *, address: str, template: str, context: dict, kind: str, headers: dict | None = None
) -> bool:
    """Render and send one queued mail; False when it is not to be sent (muted, inactive
    recipient, or an object it speaks of is gone). SMTP errors propagate: the task retries."""
    recipient = _account(address)
    if kind not in ACCOUNT_MAILS and not _wants(recipient, kind):
        return False
    try:
        values = _unpack(context)
    except ObjectDoesNotExist:
        logger.info("mail %s to %s not sent: what it speaks of was deleted", kind, address)
        return False
    values.setdefault("SITE_URL", settings.SITE_URL)
    # In the recipient's language and time zone (an address without an account: the
    # portal's), whoever caused the mail.
    with in_language_of(recipient):
        subject = render_to_string(f"{template}_subject.txt", values)
        body = render_to_string(f"{template}.txt", values)
    EmailMessage(
        subject=" ".join(subject.split()),  # a header: one line
        body=body,
        to=[address],
        # X-Portal-Mail lets a mailbox rule or an operator sort them
        headers={**(headers or {}), "X-Portal-Mail": kind},
    ).send()
    return True


def _account(address: str):
    """The account that reads `address`, or None."""
    return (
        get_user_model()
        .objects.filter(email__iexact=address)
        .select_related("email_preference")
        .first()
    )


def _wants(user, kind: str) -> bool:
    """An address without an account gets every mail; an account's preference decides."""
    if user is None:
        return True
    if not user.is_active:
        return False
    try:
        return user.email_preference.wants(kind)
    except EmailPreference.DoesNotExist:
        return True


# The task's arguments travel as JSON (the outbox row, the broker): model instances go as
# their label and pk, dates as ISO text.
def _pack(value):
    if isinstance(value, models.Model):
        if value.pk is None:
            raise ValueError(f"an unsaved {value._meta.label} cannot go in a mail's context")
        return {"$model": value._meta.label, "pk": value.pk}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(key): _pack(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_pack(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a mail's context cannot carry {type(value).__name__}")


def _unpack(value):
    if isinstance(value, list):
        return [_unpack(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$model" in value:
        return apps.get_model(value["$model"])._default_manager.get(pk=value["pk"])
    if "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    return {key: _unpack(item) for key, item in value.items()}


# --- in-app notifications ----------------------------------------------------------------------


Text = str | Callable[[], str]  # a callable (or a lazy string) is read in each recipient's language


def notify(
    *, users: Iterable, kind: str, title: Text, body: Text = "", url: str = "", email: bool = True
) -> list[Notification]:
    """Create one notification per user (duplicates and inactive users skipped) and email them.

    The text is stored as each user will read it: give `title` and `body` as lazy strings or
    as callables (`lambda: _("...") % {...}`), and they are rendered in each recipient's
    language, not in the language of whoever caused the notification."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        with in_language_of(user):
            title_text, body_text = render_text(title), render_text(body)
        rows.append(
            Notification(user=user, kind=kind, title=title_text[:255], body=body_text, url=url)
        )
    created = Notification.objects.bulk_create(rows)
    if email:
        for notification in created:
            notification_email(notification=notification)
    return created


def render_text(value: Text) -> str:
    """A notification's text in the active language (call it inside `in_language_of`)."""
    return str(value() if callable(value) else value)


def notification_email(*, notification: Notification) -> None:
    """Email one notification to its user (their preference for its kind is read on sending)."""
    send_mail(
        to=[notification.user],
        template="notifications/email/notification",
        context={"notification": notification},
        kind=notification.kind,
    )


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
