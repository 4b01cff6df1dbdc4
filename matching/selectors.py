"""Reads of matches, always scoped by the permission module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts import permissions
from accounts.models import Role
from demands.models import Visibility

from .engine.scoring import LIKELY_ANSWER
from .models import Embedding, Match, MatchedRecord, MatchingRun
from .reasons import render_reasons

Status = Match.Status
# Kept under its old name for the callers that filter on a score alone (the staff digest).
ANSWER_THRESHOLD = LIKELY_ANSWER


def matches_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every match `user` may open: the scope of pages, counts and the API; the list form of
    the `match.view` rule (matching/rules.py)."""
    queryset = Match.objects.all() if queryset is None else queryset
    role = permissions.role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(demand__province_id=user.province_id)
    if role == Role.REPRESENTATIVE:
        # Pairs of its offers once staff shortlisted or introduced them: never the engine's
        # raw proposals nor staff rejections (DESIGN.md; the same rule for pages and the API).
        # A confidential demand stays out of sight until it is introduced.
        return queryset.filter(offer__representation_id=user.organization_id).filter(
            Q(status__in=Match.INTRODUCED_STATUSES)
            | (Q(status=Status.SHORTLISTED) & ~Q(demand__visibility=Visibility.CONFIDENTIAL))
        )
    if role == Role.ENTERPRISE:
        return queryset.filter(
            demand__organization_id=user.organization_id, status__in=Match.INTRODUCED_STATUSES
        )
    return queryset.none()


def answering(matches: QuerySet | None = None) -> QuerySet:
    """The one rule for "this demand has an answer", used by coverage, the funnel, reports and
    the representatives' list: a pair staff shortlisted or introduced (or later), or a pair
    nobody decided against that scores as a likely answer (`engine.scoring.LIKELY_ANSWER`)."""
    matches = Match.objects.all() if matches is None else matches
    likely = Q(score__gte=LIKELY_ANSWER) & ~Q(status__in=Match.DECIDED_AGAINST_STATUSES)
    return matches.filter(likely | Q(status__in=Match.ADVANCED_STATUSES))


def answering_matches() -> QuerySet:
    """Every match that answers its demand (unscoped: callers scope or aggregate)."""
    return answering()


def has_answer(matches: QuerySet | None = None) -> Exists:
    """For a query over demands: whether the outer demand has an answering match. Use it as
    `~has_answer(...)` for the unanswered: an anti-join on the (demand, offer) index, where
    `exclude(pk__in=...)` became a NOT IN rescanned per demand over 400,000 rows."""
    return Exists(answering(matches).filter(demand_id=OuterRef("pk")))


@dataclass(frozen=True)
class MatchingProgress:
    """What a firm may know of its demand's matching: counts and a date, never an offer."""

    candidates: int  # pairs awaiting staff review that are likely answers (the queue's default)
    last_matched_at: datetime | None  # None: the engine has not run on the demand yet


def demand_matching_progress(*, user, demand) -> MatchingProgress | None:
    """The firm's view of its published demand's matching (None for anyone else), in two
    queries: how many candidate offers staff are reviewing (shortlisted, or proposed and
    likely answers: `answering`), and when the engine last matched the demand."""
    if not permissions.can(user, "demand.view_matching_progress", demand):
        return None
    reviewing = Match.objects.filter(demand_id=demand.pk, status__in=Match.REVIEW_STATUSES)
    last = MatchedRecord.objects.filter(kind=Embedding.Kind.DEMAND, object_id=demand.pk)
    return MatchingProgress(
        candidates=answering(reviewing).count(),
        last_matched_at=last.values_list("matched_at", flat=True).first(),
    )


def with_reasons(matches) -> list[Match]:
    """The matches as a list, each with `reason_texts` (the engine's reasons in words)."""
    matches = list(matches)
    for match in matches:
        match.reason_texts = render_reasons(match.reasons)
    return matches


def matches_for_demand(*, user, demand, limit: int = 20) -> list[Match]:
    """The demand's best pairs that staff have not rejected (the rejected ones:
    `connections.selectors.rejected_for_demand`)."""
    queryset = matches_visible_to(user).filter(demand=demand)
    queryset = queryset.exclude(status=Status.REJECTED)
    queryset = queryset.select_related("offer", "offer__representation").order_by("-score", "id")
    return with_reasons(queryset[:limit])


def matches_for_offer(*, user, offer, limit: int = 20) -> list[Match]:
    """The offer's best pairs that staff have not rejected (the rejected ones:
    `connections.selectors.rejected_for_offer`)."""
    queryset = matches_visible_to(user).filter(offer=offer)
    queryset = queryset.exclude(status=Status.REJECTED)
    queryset = queryset.select_related("demand", "demand__province").order_by("-score", "id")
    matches = with_reasons(queryset[:limit])
    for match in matches:
        match.demand_identity_shown = permissions.can(user, "demand.view_identity", match.demand)
    return matches


def run_stalled_rule() -> Q:
    """The one rule for a stalled rebuild: running or stopping, and no chunk started or ended
    for REBUILD_STALL_AFTER seconds. A chunk takes seconds, so its worker was killed (its
    message then waits out the broker's visibility timeout, an hour) or its message was lost."""
    cutoff = timezone.now() - timedelta(seconds=settings.REBUILD_STALL_AFTER)
    return Q(
        state__in=[MatchingRun.State.RUNNING, MatchingRun.State.STOPPING], heartbeat_at__lt=cutoff
    )


def runs_stalled(queryset: QuerySet | None = None) -> QuerySet:
    """The stalled runs among `queryset` (default: all runs)."""
    return (MatchingRun.objects.all() if queryset is None else queryset).filter(run_stalled_rule())


def runs_visible_to(user) -> QuerySet:
    """Runs for the engine page, each with `is_stalled` (then `heartbeat_at` is "stalled since")."""
    if not permissions.can(user, "matching.view_runs"):
        return MatchingRun.objects.none()
    return MatchingRun.objects.select_related("started_by").annotate(
        is_stalled=ExpressionWrapper(run_stalled_rule(), output_field=BooleanField())
    )
