"""Matches: staff of the demand's province and coordinators see and act on them; a
representative sees the matches of its own offers; an enterprise sees only the matches that
staff introduced to it, on its own demands."""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role

from .core import (
    is_admin,
    is_coordinator,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    role_of,
)

INTRODUCED_OR_LATER = ("introduced", "consented", "meeting", "negotiating", "agreement", "dropped")


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
def was_introduced(user, match) -> bool:
    return match.status in INTRODUCED_OR_LATER


@rules.predicate
def offer_is_own(user, offer) -> bool:
    return offer.representation_id == user.organization_id


@rules.predicate
def demand_is_in_users_province(user, demand) -> bool:
    return demand.province_id == user.province_id


province_staff = is_staff & demand_in_users_province

rules.add_rule(
    "match.view",
    province_staff
    | is_national
    | (is_representative & offer_is_users)
    | (is_enterprise & demand_is_users & was_introduced),
)
rules.add_rule("match.review", province_staff)


@rules.predicate
def is_introduced(user, match) -> bool:
    return match.status == "introduced"


@rules.predicate
def own_answer_pending(user, match) -> bool:
    """The user's side (enterprise or representation) has not answered the introduction."""
    if match.demand.organization_id == user.organization_id:
        return match.enterprise_answer == "pending"
    if match.offer.representation_id == user.organization_id:
        return match.representation_answer == "pending"
    return False


@rules.predicate
def both_consented(user, match) -> bool:
    return match.both_consented


party = (is_enterprise & demand_is_users) | (is_representative & offer_is_users)
# Introductions and the pipeline after consent are the province's staff's work.
rules.add_rule("match.introduce", province_staff)
rules.add_rule("match.answer", party & is_introduced & own_answer_pending)
# Double opt-in: a party sees the other's contact only once both said interested.
rules.add_rule("match.see_contacts", province_staff | is_national | (party & both_consented))
rules.add_rule("match.view_history", province_staff | is_national)
rules.add_rule("match.record_meeting", province_staff)
rules.add_rule("match.record_outcome", province_staff)
rules.add_rule("match.view_board", is_staff | is_national)
# Whose pages carry a "matches" panel even while it is empty.
rules.add_rule("offer.view_matches", is_staff | is_national | (is_representative & offer_is_own))
rules.add_rule("demand.view_matches", is_national | (is_staff & demand_is_in_users_province))
# Who sees the engine's proposals before staff act on them (representatives see a pair once
# shortlisted or introduced; enterprises once introduced).
rules.add_rule("match.see_proposals", is_staff | is_national)
rules.add_rule("matching.rebuild", is_coordinator | is_admin)
rules.add_rule("matching.settings", is_coordinator | is_admin)
rules.add_rule("matching.view_runs", is_coordinator | is_admin)


def matches_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    if queryset is None:
        from matching.models import Match

        queryset = Match.objects.all()
    role = role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(demand__province_id=user.province_id)
    if role == Role.REPRESENTATIVE:
        # Pairs of its offers once staff shortlisted or introduced them: never the engine's
        # raw proposals nor staff rejections (DESIGN.md; the same rule for pages and the API).
        # A confidential demand stays out of sight until it is introduced.
        return queryset.filter(offer__representation_id=user.organization_id).filter(
            Q(status__in=INTRODUCED_OR_LATER)
            | (Q(status="shortlisted") & ~Q(demand__visibility="confidential"))
        )
    if role == Role.ENTERPRISE:
        return queryset.filter(
            Q(demand__organization_id=user.organization_id) & Q(status__in=INTRODUCED_OR_LATER)
        )
    return queryset.none()
