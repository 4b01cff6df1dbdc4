"""Writes of a match's thread: a message (with files), hiding one, the provider contacts a
representation brings in, and who hears of a new message (in-app and by email, each reader in
their own language, with the text and a link).

A provider contact has no account: its emails carry a signed link (`contact_token`) that opens
the thread as its representation sees it; removing the contact closes the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from matching.models import Match
from notifications.models import Kind, Notification
from notifications.services import notify, send_mail
from portal.i18n import language_of
from portal.uploads import MAX_ATTACHMENTS, safe_filename

from . import rules
from .models import Channel, Message, MessageAttachment, ProviderContact, Side
from .thread_selectors import author_label, message_path, thread_path

TOKEN_SALT = "connections.provider-contact"
TOKEN_MAX_AGE = 90 * 24 * 3600  # s; every email carries a fresh link
EXCERPT = 2000  # characters of a message in its notification


# --- provider contacts ------------------------------------------------------------------------


def contact_token(contact: ProviderContact) -> str:
    return signing.dumps({"c": contact.pk, "m": contact.match_id}, salt=TOKEN_SALT)


def contact_from_token(token: str) -> ProviderContact | None:
    """The active contact a link was signed for, or None (tampered, expired or removed)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        ProviderContact.objects.select_related(
            "match__demand__organization",
            "match__demand__province",
            "match__offer__representation",
        )
        .filter(pk=data.get("c"), match_id=data.get("m"), removed_at__isnull=True)
        .first()
    )


def contact_url(contact: ProviderContact) -> str:
    return reverse("connections:contact_thread", args=[contact_token(contact)])


@transaction.atomic
def provider_contact_add(
    *, match: Match, by: User, name: str, email: str, language: str = ""
) -> ProviderContact:
    """The representation brings a person of the provider into the thread (it is told by email)."""
    permissions.require(by, "match.add_provider_contact", match)
    name, email = name.strip(), email.strip().lower()
    if not name or not email:
        raise ValidationError({"email": _("Give the contact's name and email.")})
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    contact = ProviderContact.objects.select_for_update().filter(match=match, email=email).first()
    if contact is not None and contact.removed_at is None:
        raise ValidationError({"email": _("%(email)s is already a contact.") % {"email": email}})
    if contact is None:
        contact = ProviderContact(match=match, email=email)
    contact.name, contact.language, contact.added_by, contact.removed_at = name, language, by, None
    contact.save()
    with translation.override(contact.language):
        subject = _("You are invited to a conversation on the technology-transfer portal")
        text = _(
            "%(name)s of %(representation)s added you to the conversation about your "
            "technology: %(offer)s. You can read it and reply without an account."
        ) % {
            "name": by.get_full_name() or by.email,
            "representation": match.offer.representation.name,
            "offer": match.offer.display_title,
        }
    send_mail(
        to=[contact.email],
        template="connections/email/message",
        context={
            "lang": contact.language,
            "subject": subject,
            "text": text,
            "path": contact_url(contact),
            "has_account": False,
        },
        kind=Kind.MESSAGE,
    )
    return contact


@transaction.atomic
def provider_contact_remove(*, contact: ProviderContact, by: User) -> None:
    """The contact's links stop working; its messages stay."""
    permissions.require(by, "match.add_provider_contact", contact.match)
    ProviderContact.objects.filter(pk=contact.pk).update(removed_at=timezone.now())


# --- messages -----------------------------------------------------------------------------------


def _lock(match: Match) -> Match:
    # The match's answers decide the channels: read them under the lock consent takes too.
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related(
            "demand", "demand__organization", "demand__province", "offer", "offer__representation"
        )
        .get(pk=match.pk)
    )


@transaction.atomic
def message_post(
    *,
    match: Match,
    channel: str,
    body: str,
    by: User | None = None,
    contact: ProviderContact | None = None,
    attachments: Sequence[tuple[Any, str]] = (),
) -> Message:
    """Write in a channel of the match's thread (a user, or a provider contact through its
    link) and tell its other readers. `attachments` are checked uploads (portal.uploads)."""
    body = body.strip()
    locked = _lock(match)
    if contact is not None:
        if contact.match_id != locked.pk or contact.removed_at is not None:
            raise PermissionDenied
        side = Side.REPRESENTATION
    else:
        permissions.require(by, "match.write_thread", locked)
        side = rules.side_of(by, locked)
    if channel not in rules.writable_channels(side, locked):
        raise ValidationError({"channel": _("You cannot write in this channel now.")})
    if not body and not attachments:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("A message carries at most %(n)d files.") % {"n": MAX_ATTACHMENTS}}
        )
    message = Message.objects.create(
        match=locked, channel=channel, side=side, author=by, contact=contact, body=body
    )
    for upload, mime in attachments:
        attachment = MessageAttachment(
            message=message,
            original_name=safe_filename(upload.name),
            content_type=mime,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save("upload", upload, save=False)  # stored under a random name
        attachment.save()
    message_deliver(message)
    return message


@transaction.atomic
def message_hide(*, message: Message, by: User, reason: str) -> Message:
    """Staff hide a message: kept with who and why, gone for everyone but staff (its
    notifications lose the text)."""
    reason = reason.strip()
    permissions.require(by, "match.hide_message", message.match)
    if not reason:
        raise ValidationError({"reason": _("Say why the message is hidden.")})
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.hidden_at is None:
        message.hidden_at, message.hidden_by, message.hidden_reason = timezone.now(), by, reason
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        Notification.objects.filter(kind=Kind.MESSAGE, url=message_path(message)).update(
            body=_("This message was hidden by the provincial staff.")
        )
    return message


def thread_mark_read(*, user: User, match: Match) -> int:
    """The user opened the match's thread: its message notifications are read."""
    return Notification.objects.filter(
        user=user,
        kind=Kind.MESSAGE,
        read_at__isnull=True,
        url__startswith=f"{thread_path(match.pk)}#",
    ).update(read_at=timezone.now())


def thread_share_answers(match: Match, *, by: User) -> list[Message]:
    """At consent, each side's answer message joins the shared thread and reaches the other
    side (before, only staff read it)."""
    from .models import MatchEvent

    shared = []
    for side, org_id, text in (
        (Side.ENTERPRISE, match.demand.organization_id, match.enterprise_message),
        (Side.REPRESENTATION, match.offer.representation_id, match.representation_message),
    ):
        if not text:
            continue
        author = by if by.organization_id == org_id else None
        if author is None:  # the side that answered first: its answer's event names who
            event = (
                MatchEvent.objects.filter(match=match, actor__organization_id=org_id)
                .select_related("actor")
                .order_by("-created_at", "-id")
                .first()
            )
            author = event.actor if event else None
        message = Message.objects.create(
            match=match,
            channel=Channel.SHARED,
            side=side,
            author=author,
            body=text,
            is_answer=True,
        )
        other = Side.REPRESENTATION if side == Side.ENTERPRISE else Side.ENTERPRISE
        message_deliver(message, sides={other})
        shared.append(message)
    return shared


# --- who hears of a message ------------------------------------------------------------------


def _readers(match: Match, channel: str) -> list[tuple[User, str]]:
    from .services import enterprise_users, province_staff, representation_users

    readers = [(user, Side.STAFF) for user in province_staff(match.demand.province_id)]
    if channel in (Channel.ENTERPRISE, Channel.SHARED):
        readers += [(user, Side.ENTERPRISE) for user in enterprise_users(match)]
    if channel in (Channel.REPRESENTATION, Channel.SHARED):
        readers += [(user, Side.REPRESENTATION) for user in representation_users(match)]
    return readers


def _text(message: Message, *, viewer_side: str, summary: str) -> tuple[str, str]:
    """The notification's title and body for one reader, in the active language."""
    title = _("New message from %(author)s (connection #%(id)d)") % {
        "author": author_label(message, viewer_side=viewer_side),
        "id": message.match_id,
    }
    if message.is_answer:
        title = _("The other side's answer: %(author)s (connection #%(id)d)") % {
            "author": author_label(message, viewer_side=viewer_side),
            "id": message.match_id,
        }
    files = [a.original_name for a in message.attachments.all()]
    lines = [message.body[:EXCERPT]]
    if files:
        lines.append(_("Attached: %s") % ", ".join(files))
    lines.append(summary)
    return title, "\n".join(line for line in lines if line)


def message_deliver(message: Message, *, sides: set[str] | None = None) -> None:
    """Notify the message's readers (but its author) in-app and by email, each in their
    language; `sides` narrows it to some sides. Mails leave after the commit."""
    from .services import demand_summary

    match = message.match
    url = message_path(message)
    for user, side in _readers(match, message.channel):
        if user.pk == message.author_id or (sides is not None and side not in sides):
            continue
        language = language_of(user)
        with translation.override(language):
            summary = _("Demand: %s") % demand_summary(match, user)
            title, body = _text(message, viewer_side=side, summary=summary)
        notify(users=[user], kind=Kind.MESSAGE, title=title, body=body, url=url, email=False)
        send_mail(
            to=[user],
            template="connections/email/message",
            context={
                "lang": language,
                "subject": title,
                "text": body,
                "path": url,
                "has_account": True,
            },
            kind=Kind.MESSAGE,
        )
    if sides is not None and Side.REPRESENTATION not in sides:
        return
    if message.channel not in (Channel.REPRESENTATION, Channel.SHARED):
        return
    for contact in match.provider_contacts.filter(removed_at__isnull=True):
        if contact.pk == message.contact_id:
            continue
        with translation.override(contact.language):
            summary = _("Offer: %s") % match.offer.display_title
            title, body = _text(message, viewer_side=Side.REPRESENTATION, summary=summary)
        send_mail(
            to=[contact.email],
            template="connections/email/message",
            context={
                "lang": contact.language,
                "subject": title,
                "text": body,
                "path": contact_url(contact),
                "has_account": False,
            },
            kind=Kind.MESSAGE,
        )
