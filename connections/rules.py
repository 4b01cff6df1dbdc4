"""Who may act in the connection workflow on a match (object rules): introductions and the
pipeline after consent are the province's staff's work; each party answers its own side of
an introduction; contacts show only once both sides said interested (double opt-in).
Seeing a match at all is `match.view` (matching/rules.py). django-rules' autodiscovery imports
this module when the apps are ready.
"""

from __future__ import annotations

import rules

from accounts.permissions.core import (
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    status_in,
)
from matching.models import Answer, Match
from matching.rules import party, province_staff


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
# The province's review queue (and its bulk actions); a party's list of its introductions.
rules.add_rule("match.review_queue", is_staff)
rules.add_rule("match.list_introductions", is_enterprise | is_representative)
