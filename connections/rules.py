"""Who may act in the connection workflow on a match (object rules): introductions and the
pipeline after consent are the province's staff's work; each party answers its own side of
an introduction; contacts show only once both sides said interested (double opt-in).
Seeing a match at all is `match.view` (matching/rules.py). django-rules' autodiscovery imports
this module when the apps are ready.
"""

from __future__ import annotations

import rules

from accounts.permissions.core import (
    is_coordinator,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    status_in,
)
from matching.models import Answer, Match
from matching.rules import party, province_staff

from .models import Channel, Side


@rules.predicate
def own_answer_pending(user, match) -> bool:
    """The user's side (enterprise or representation) has not answered the introduction."""
    if match.demand.organization_id == user.organization_id:
        return match.enterprise_answer == Answer.PENDING
    if match.offer.representation_id == user.organization_id:
        return match.representation_answer == Answer.PENDING
    return False


@rules.predicate
def both_consented(user, match) -> bool:
    return match.both_consented


is_introduced = status_in(Match.Status.INTRODUCED)

rules.add_rule("match.introduce", province_staff)
rules.add_rule("match.answer", party & is_introduced & own_answer_pending)
rules.add_rule("match.see_contacts", province_staff | is_national | (party & both_consented))
rules.add_rule("match.view_history", province_staff | is_national)
rules.add_rule("match.record_meeting", province_staff)
rules.add_rule("match.record_outcome", province_staff)
rules.add_rule("match.view_board", is_staff | is_national)
# An agreement recorded at signing is completed later (the registration certificate of a
# technology transfer contract comes weeks after): the province's staff or the coordinator.
rules.add_rule(
    "match.complete_agreement",
    (province_staff | is_coordinator) & status_in(Match.Status.AGREEMENT),
)
# The province's review queue (and its bulk actions); a party's list of its introductions.
rules.add_rule("match.review_queue", is_staff)
rules.add_rule("match.list_introductions", is_enterprise | is_representative)


# --- the thread on an introduced match -------------------------------------------------------
# Before both sides consent, staff talk with each side in its own channel (the representation
# must not learn the firm's identity); after consent, one shared channel for everyone. The
# provider contact a representation brings in reads and writes as the representation does.


def side_of(user, match) -> str | None:
    """The side `user` speaks for on `match`: staff of its province, a party, or None."""
    if province_staff(user, match):
        return Side.STAFF
    if is_enterprise(user) and match.demand.organization_id == user.organization_id:
        return Side.ENTERPRISE
    if is_representative(user) and match.offer.representation_id == user.organization_id:
        return Side.REPRESENTATION
    return None


def readable_channels(side: str | None, match, *, national: bool = False) -> list[str]:
    """The channels a side reads (a national unit reads them all, writes none)."""
    if side == Side.STAFF or national:
        return [Channel.ENTERPRISE, Channel.REPRESENTATION, Channel.SHARED]
    if side is None or match.status not in Match.INTRODUCED_STATUSES:
        return []
    own = Channel.ENTERPRISE if side == Side.ENTERPRISE else Channel.REPRESENTATION
    return [own, Channel.SHARED] if match.both_consented else [own]


def writable_channels(side: str | None, match) -> list[str]:
    """The channels a side may write in now: none once the connection ended (dropped)."""
    if side is None or match.status not in Match.PROGRESS_STATUSES:
        return []
    if side == Side.STAFF:
        private = [Channel.ENTERPRISE, Channel.REPRESENTATION]
        return [Channel.SHARED, *private] if match.both_consented else private
    if match.both_consented:
        return [Channel.SHARED]
    return [Channel.ENTERPRISE if side == Side.ENTERPRISE else Channel.REPRESENTATION]


@rules.predicate
def reads_a_channel(user, match) -> bool:
    return bool(readable_channels(side_of(user, match), match, national=is_national(user)))


@rules.predicate
def writes_a_channel(user, match) -> bool:
    return bool(writable_channels(side_of(user, match), match))


@rules.predicate
def own_offer(user, match) -> bool:
    return is_representative(user) and match.offer.representation_id == user.organization_id


@rules.predicate
def message_in_readable_channel(user, message) -> bool:
    match = message.match
    return message.channel in readable_channels(
        side_of(user, match), match, national=is_national(user)
    )


@rules.predicate
def message_staff_reader(user, message) -> bool:
    return bool(province_staff(user, message.match) or is_national(user))


@rules.predicate
def message_not_hidden(user, message) -> bool:
    return message.hidden_at is None


is_connection_open = status_in(*Match.PROGRESS_STATUSES)

rules.add_rule("match.read_thread", reads_a_channel)
rules.add_rule("match.write_thread", writes_a_channel)
rules.add_rule("match.hide_message", province_staff)
rules.add_rule("match.add_provider_contact", own_offer & is_connection_open)
# One message (and its attachments): in a channel the user reads; hidden ones only for staff.
rules.add_rule(
    "message.view", message_in_readable_channel & (message_not_hidden | message_staff_reader)
)
