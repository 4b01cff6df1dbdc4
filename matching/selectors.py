"""Reads of matches, always scoped by the permission module."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import permissions

from .models import Match, MatchingRun
from .reasons import render_reasons

ANSWER_THRESHOLD = 0.35  # above what an off-topic offer can reach through structure alone


def answering_matches() -> QuerySet:
    """Matches good enough to count as an answer to a demand (not rejected by staff)."""
    return Match.objects.filter(score__gte=ANSWER_THRESHOLD).exclude(status=Match.Status.REJECTED)


def _with_reasons(matches) -> list[Match]:
    matches = list(matches)
    for match in matches:
        match.reason_texts = render_reasons(match.reasons)
    return matches


def matches_for_demand(*, user, demand, limit: int = 20) -> list[Match]:
    queryset = permissions.matches_visible_to(user).filter(demand=demand)
    queryset = queryset.select_related("offer", "offer__representation").order_by("-score", "id")
    return _with_reasons(queryset[:limit])


def matches_for_offer(*, user, offer, limit: int = 20) -> list[Match]:
    queryset = permissions.matches_visible_to(user).filter(offer=offer)
    queryset = queryset.select_related("demand", "demand__province").order_by("-score", "id")
    matches = _with_reasons(queryset[:limit])
    for match in matches:
        match.demand_identity_shown = permissions.demand_shows_identity(user, match.demand)
    return matches


def runs_visible_to(user) -> QuerySet:
    if not permissions.can(user, "matching.view_runs"):
        return MatchingRun.objects.none()
    return MatchingRun.objects.select_related("started_by")
