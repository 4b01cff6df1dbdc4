"""Who may see a match and drive the engine (object rules).

Staff of the demand's province and the national unit see every pair; a representative sees
the pairs of its own offers once staff shortlisted (a confidential demand: once introduced) or
introduced them, never the engine's raw proposals nor staff rejections (DESIGN.md); an
enterprise sees only the pairs introduced to it, on its own demands. The same answer for a
whole list is `matching.selectors.matches_visible_to` (tests/accounts/test_rule_scopes.py ties
the two). The workflow on a pair (introductions, answers, meetings) is connections/rules.py.
django-rules' autodiscovery imports this module when the apps are ready.
"""

from __future__ import annotations

import rules

from accounts.permissions.core import (
    is_admin,
    is_coordinator,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    status_in,
)
from demands.models import Demand, Visibility

from .models import Match


@rules.predicate
def demand_in_users_province(user, match) -> bool:
    return match.demand.province_id == user.province_id


@rules.predicate
def offer_is_users(user, match) -> bool:
    return match.offer.representation_id == user.organization_id


@rules.predicate
def demand_is_users(user, match) -> bool:
    return match.demand.organization_id == user.organization_id


@rules.predicate
def demand_not_confidential(user, match) -> bool:
    return match.demand.visibility != Visibility.CONFIDENTIAL


@rules.predicate
def offer_is_own(user, offer) -> bool:
    return offer.representation_id == user.organization_id


@rules.predicate
def demand_is_in_users_province(user, demand) -> bool:
    return demand.province_id == user.province_id


@rules.predicate
def demand_is_own(user, demand) -> bool:
    return demand.organization_id == user.organization_id


was_introduced = status_in(*Match.INTRODUCED_STATUSES)
province_staff = is_staff & demand_in_users_province
party = (is_enterprise & demand_is_users) | (is_representative & offer_is_users)
shortlisted_openly = status_in(Match.Status.SHORTLISTED) & demand_not_confidential

rules.add_rule(
    "match.view",
    province_staff
    | is_national
    | (is_representative & offer_is_users & (was_introduced | shortlisted_openly))
    | (is_enterprise & demand_is_users & was_introduced),
)
rules.add_rule("match.review", province_staff)
# Whose pages carry a "matches" panel even while it is empty.
rules.add_rule("offer.view_matches", is_staff | is_national | (is_representative & offer_is_own))
rules.add_rule("demand.view_matches", is_national | (is_staff & demand_is_in_users_province))
# The firm follows its published demand's matching as counts only: no offer shows before
# staff introduce it (matching.selectors.demand_matching_progress).
rules.add_rule(
    "demand.view_matching_progress",
    is_enterprise & demand_is_own & status_in(Demand.Status.PUBLISHED, Demand.Status.IN_CONNECTION),
)
# Who sees the engine's proposals before staff act on them (representatives see a pair once
# shortlisted or introduced; enterprises once introduced).
rules.add_rule("match.see_proposals", is_staff | is_national)
rules.add_rule("matching.rebuild", is_coordinator | is_admin)
rules.add_rule("matching.settings", is_coordinator | is_admin)
rules.add_rule("matching.view_runs", is_coordinator | is_admin)
