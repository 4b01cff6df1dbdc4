"""Reads of the connection workflow, always scoped by the permission module: the review
queue, the pairs staff rejected, the province board, a party's introductions and one match's
page. Pairs come from `matching.selectors.matches_visible_to`, reasons from its selectors."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import permissions
from demands.models import Demand
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Answer, Match
from matching.selectors import matches_visible_to, with_reasons

from .models import MatchEvent
from .services import ANSWER_DAYS

Status = Match.Status
BOARD_STAGES = Match.INTRODUCED_STATUSES  # one column each, in this order
BOARD_CARDS = 600  # the most recently moved cards; older ones are in the report
# What a queue row, a card and the detail page show of a match.
RELATED = (
    "demand",
    "demand__organization",
    "demand__province",
    "demand__campaign",
    "offer",
    "offer__representation",
)


def connections_visible_to(user) -> QuerySet:
    """The matches `user` may open, with what their rows and pages show."""
    return matches_visible_to(user).select_related(*RELATED)


def decorate(matches, user) -> list[Match]:
    """Reasons as text and whether an answer is overdue (templates ask demand.view_identity)."""
    cutoff = timezone.now() - timezone.timedelta(days=ANSWER_DAYS)
    matches = with_reasons(matches)
    for match in matches:
        match.is_overdue = (
            match.status == Status.INTRODUCED
            and match.introduced_at is not None
            and match.introduced_at < cutoff
            and Answer.PENDING in (match.enterprise_answer, match.representation_answer)
        )
    return matches


# --- review queue ---------------------------------------------------------------------------


def review_queue(user, *, status_chosen: bool, likely_only: bool) -> QuerySet:
    """Matches of the province's reviewable demands. Without a chosen status, those still
    awaiting a decision; `likely_only` keeps the likely answers and what staff shortlisted
    (the dashboard's "awaiting review" count: most of a demand's twenty proposals are weakly
    related, and a score filter shows them)."""
    queryset = connections_visible_to(user).filter(demand__status__in=Demand.LIVE_STATUSES)
    if not status_chosen:
        queryset = queryset.filter(status__in=Match.REVIEW_STATUSES)
    if likely_only:
        queryset = queryset.filter(Q(score__gte=LIKELY_ANSWER) | Q(status=Status.SHORTLISTED))
    return queryset


def review_rejected(user) -> QuerySet:
    """The rejected matches of the province's reviewable demands (shown apart from the queue)."""
    return connections_visible_to(user).filter(
        demand__status__in=Demand.LIVE_STATUSES, status=Status.REJECTED
    )


def _rejection_note() -> Subquery:
    """The note of the match's latest move to "rejected" (reason label and the staff's text)."""
    events = MatchEvent.objects.filter(match_id=OuterRef("pk"), to_status=Status.REJECTED)
    return Subquery(events.order_by("-created_at", "-id").values("note")[:1])


def rejected_in(queryset: QuerySet, *, user, limit: int | None = None) -> list[Match]:
    """The rejected pairs of a scoped queryset, best first, each saying why (one query); who
    rejected it and the note only for those who may read a match's history (staff of the
    demand's province, national units). `queryset` selects the relations the page shows."""
    rows = (
        queryset.filter(status=Status.REJECTED)
        .select_related("reviewer")
        .annotate(rejection_note=_rejection_note())
        .order_by("-score", "id")
    )
    rows = list(rows if limit is None else rows[:limit])
    # Rejections are staff decisions: listed only to those who may read a match's history.
    return [match for match in rows if permissions.can(user, "match.view_history", match)]


def rejected_for_demand(*, user, demand) -> list[Match]:
    """The demand's pairs staff rejected, shown apart from its list (one query)."""
    queryset = matches_visible_to(user).filter(demand=demand)
    return rejected_in(
        queryset.select_related("demand", "offer", "offer__representation"), user=user
    )


def rejected_for_offer(*, user, offer) -> list[Match]:
    """The offer's pairs staff rejected, shown apart from its list (one query)."""
    queryset = matches_visible_to(user).filter(offer=offer)
    rows = rejected_in(queryset.select_related("demand", "demand__province", "offer"), user=user)
    for match in rows:
        match.demand_identity_shown = permissions.can(user, "demand.view_identity", match.demand)
    return rows


# --- board, introductions, one match --------------------------------------------------------


def board_columns(user, *, province_id=None) -> list[tuple[str, str, list[Match]]]:
    """Each pipeline stage with its cards, most recently moved first: (stage, label, cards).
    Staff see their province; a national unit sees `province_id`, or every province."""
    queryset = connections_visible_to(user).filter(status__in=BOARD_STAGES)
    if permissions.is_staff(user):
        province_id = user.province_id
    if province_id:
        queryset = queryset.filter(demand__province_id=province_id)
    matches = decorate(queryset.order_by("-updated_at", "id")[:BOARD_CARDS], user)
    return [
        (stage, Status(stage).label, [m for m in matches if m.status == stage])
        for stage in BOARD_STAGES
    ]


def introductions_of(user) -> QuerySet:
    """The matches introduced to the user's enterprise or representation, newest first."""
    return (
        connections_visible_to(user)
        .filter(status__in=Match.INTRODUCED_STATUSES)
        .order_by("-introduced_at", "id")
    )


def history(match: Match) -> QuerySet:
    """Every move of the match, oldest first, with who made it."""
    return match.events.select_related("actor")


def agreement_of(match: Match):
    """The signed agreement, shown only while the match is at that stage."""
    return getattr(match, "agreement", None) if match.status == Status.AGREEMENT else None
