"""Reads of a match's thread: the channels a reader sees, each message's author as that reader
may know it, the thread's activity on the board and the unread count in the top bar. Which
channels a side reads or writes is connections/rules.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from notifications.models import Kind, Notification

from . import rules
from .models import Channel, Message, ProviderContact, Side


@dataclass
class ThreadChannel:
    channel: str
    label: str
    messages: list[Message] = field(default_factory=list)
    writable: bool = False


def thread_path(match_id: int) -> str:
    """The match's thread page (its notifications link inside it: see `message_path`)."""
    return reverse("connections:thread", args=[match_id])


def message_path(message: Message) -> str:
    """One message's notification link: unique, so hiding it can reach its notifications."""
    return f"{thread_path(message.match_id)}#message-{message.pk}"


def author_label(message: Message, *, viewer_side: str | None) -> str:
    """Who wrote `message`, as a reader on `viewer_side` may know it: the firm stays "the
    enterprise" for the representation's side until both consented (a staff reader or the
    firm itself sees names)."""
    match = message.match
    author = message.author
    name = (author.get_full_name() or author.email) if author else ""
    if message.side == Side.STAFF:
        return _("%(name)s (provincial staff)") % {"name": name} if name else _("Provincial staff")
    if message.side == Side.ENTERPRISE:
        if viewer_side in (Side.STAFF, Side.ENTERPRISE) or match.both_consented:
            org = match.demand.organization.name
            return f"{name} ({org})" if name else org
        return _("the enterprise")
    if message.contact_id:
        return f"{message.contact.name} ({match.offer.provider_name or _('technology provider')})"
    org = match.offer.representation.name
    return f"{name} ({org})" if name else org


CHANNEL_LABELS = {
    Channel.ENTERPRISE: Channel.ENTERPRISE.label,
    Channel.REPRESENTATION: Channel.REPRESENTATION.label,
    Channel.SHARED: Channel.SHARED.label,
}


def _channels(match, *, side: str | None, national: bool) -> list[ThreadChannel]:
    readable = rules.readable_channels(side, match, national=national)
    writable = rules.writable_channels(side, match)
    staff_view = side == Side.STAFF or national
    messages = (
        Message.objects.filter(match=match, channel__in=readable)
        .select_related("author", "contact", "hidden_by")
        .prefetch_related("attachments")
    )
    if not staff_view:  # hidden messages stay in the table; only staff see them (marked)
        messages = messages.filter(hidden_at__isnull=True)
    # The shared channel first once it is open: that is where the conversation goes on.
    order = [Channel.SHARED, Channel.ENTERPRISE, Channel.REPRESENTATION]
    channels = {
        c: ThreadChannel(c, str(CHANNEL_LABELS[c]), writable=c in writable)
        for c in order
        if c in readable
    }
    for message in messages:
        message.match = match  # the labels read the match's parties: no query per message
        message.author_label = author_label(message, viewer_side=side or Side.STAFF)
        channels[message.channel].messages.append(message)
    return list(channels.values())


def thread_of(user, match) -> list[ThreadChannel]:
    """The channels `user` reads on `match`, each with its messages, oldest first."""
    return _channels(match, side=rules.side_of(user, match), national=permissions.is_national(user))


def thread_of_contact(contact: ProviderContact) -> list[ThreadChannel]:
    """What a provider contact reads: what its representation reads."""
    return _channels(contact.match, side=Side.REPRESENTATION, national=False)


def active_contacts(match) -> list[ProviderContact]:
    return list(match.provider_contacts.filter(removed_at__isnull=True))


def with_thread_activity(matches: Iterable) -> None:
    """Set `message_count` and `last_message_at` (messages not hidden) on each match, in one
    query for the whole list (the board's cards)."""
    matches = list(matches)
    activity = {
        row["match_id"]: row
        for row in Message.objects.filter(
            match_id__in=[m.pk for m in matches], hidden_at__isnull=True
        )
        .order_by()
        .values("match_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    }
    for match in matches:
        row = activity.get(match.pk, {})
        match.message_count = row.get("n", 0)
        match.last_message_at = row.get("last")


def sides_replied(match_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(match id, side) for each party that wrote in its match's thread: a reply is an answer
    (the overdue flag and the 14-day reminder leave it alone). One query."""
    ids = list(match_ids)
    if not ids:
        return set()
    rows = (
        Message.objects.filter(match_id__in=ids)
        .filter(Q(side=Side.ENTERPRISE) | Q(side=Side.REPRESENTATION))
        .order_by()
        .values_list("match_id", "side")
        .distinct()
    )
    return set(rows)


def unread_message_count(user) -> int:
    """Messages the user was told of and has not read yet (the top bar; one indexed count)."""
    return Notification.objects.filter(user=user, kind=Kind.MESSAGE, read_at__isnull=True).count()
