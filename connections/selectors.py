"""Reads of the connection workflow, always scoped by the permission module: the review
queue, the pairs staff rejected, the province board, a party's introductions and one match's
page. Pairs come from `matching.selectors.matches_visible_to`, reasons from its selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts import permissions
from demands.models import Demand
from demands.selectors import demands_visible_to
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Answer, Match
from matching.selectors import matches_visible_to, with_reasons
from portal.text import search_blob

from .models import MatchEvent
from .services import ANSWER_DAYS
from .thread_selectors import sides_replied, with_thread_activity

Status = Match.Status
BOARD_STAGES = Match.INTRODUCED_STATUSES  # one column each, in this order
BOARD_COLUMN_CARDS = 12  # cards a column shows; "show more" lists the stage alone, by pages
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
    # A reply in the thread is an answer too (one query, only when an introduction is listed).
    replied = sides_replied(m.pk for m in matches if m.status == Status.INTRODUCED)
    for match in matches:
        match.is_overdue = (
            match.status == Status.INTRODUCED
            and match.introduced_at is not None
            and match.introduced_at < cutoff
            and any(
                getattr(match, f"{side}_answer") == Answer.PENDING
                and (match.pk, side) not in replied
                for side in ("enterprise", "representation")
            )
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


# "#123", "#123 Title" (what a suggestion writes in the field) or a bare "123": demand 123.
REFERENCE = re.compile(r"^\s*(?:#(\d{1,18})\b|(\d{1,18})\s*$)")
SUGGESTIONS = 10  # demands suggested while typing; the filter itself takes every match


def review_demands(user, text: str = "") -> QuerySet:
    """The demands of the user's review queue (live, with a pair the user may see) that `text`
    names: by reference ("#123"), else by the start of every word of it, accents or not
    ("che" finds "Chè"). The queue's demand filter and its suggestions; an empty text names them all."""
    queryset = demands_visible_to(user).filter(
        Exists(matches_visible_to(user).filter(demand_id=OuterRef("pk"))),
        status__in=Demand.LIVE_STATUSES,
    )
    if permissions.is_staff(user):
        # Implied by staff's match scope; said here so the planner reads the province's
        # demands (2,001) instead of every demand of the country holding the words.
        queryset = queryset.filter(province_id=user.province_id)
    reference = REFERENCE.match(text)
    if reference:
        return queryset.filter(pk=int(reference[1] or reference[2]))
    for word in search_blob(text).split():
        # Words from their start ("ch" suggests "chè", "ly" never finds "only"); the plain
        # `contains` lets PostgreSQL's trigram index narrow the rows first.
        queryset = queryset.filter(
            search_text__contains=word, search_text__regex=rf"(^|\W){re.escape(word)}"
        )
    return queryset


def review_demand_suggestions(user, text: str) -> list[dict]:
    """At most SUGGESTIONS demands named by `text`, as the autocomplete shows them."""
    if not text.strip():
        return []
    demands = review_demands(user, text).order_by("title", "pk")
    demands = demands.only("title", "status", "visibility", "organization_id", "province_id")
    rows = []
    for demand in demands[:SUGGESTIONS]:
        title = demand.title if permissions.can(user, "demand.see_title", demand) else ""
        rows.append({"id": demand.pk, "value": f"#{demand.pk} {title}".strip(), "label": title})
    return rows


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


@dataclass
class BoardColumn:
    stage: str
    label: str
    cards: list[Match]
    total: int  # every card of the stage in the scope; `cards` holds the first ones

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


def board_picks_province(user) -> bool:
    """Whether the user's board spans provinces and filters by one (staff see their own)."""
    return not permissions.is_staff(user)


def board_matches(user, *, province_id: int | None = None) -> QuerySet:
    """The board's pairs: staff see their province; a national unit sees `province_id`, or
    every province."""
    queryset = connections_visible_to(user).filter(status__in=BOARD_STAGES)
    if not board_picks_province(user):
        province_id = user.province_id
    if province_id:
        queryset = queryset.filter(demand__province_id=province_id)
    return queryset


def board_columns(
    user, *, province_id: int | None = None, per_column: int = BOARD_COLUMN_CARDS
) -> list[BoardColumn]:
    """Each pipeline stage with its `per_column` most recently moved cards and its total (two
    queries whatever the number of pairs: a national board held 1,700 cards)."""
    queryset = board_matches(user, province_id=province_id)
    totals = dict(
        queryset.order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    newest = Window(
        RowNumber(), partition_by=F("status"), order_by=[F("updated_at").desc(), F("id").asc()]
    )
    # The cards' ids first (ranked over narrow rows), then the cards with their joins.
    ids = queryset.order_by().annotate(rank=newest).filter(rank__lte=per_column)
    ids = list(ids.values_list("pk", flat=True))
    matches = decorate(queryset.filter(pk__in=ids).order_by("-updated_at", "id"), user)
    with_thread_activity(matches)  # each card's message count and last date (one query)
    return [
        BoardColumn(
            stage,
            Status(stage).label,
            [m for m in matches if m.status == stage],
            totals.get(stage, 0),
        )
        for stage in BOARD_STAGES
    ]


def board_stage(user, *, stage: str, province_id: int | None = None) -> QuerySet:
    """One stage's cards, most recently moved first (a column's "show more")."""
    return (
        board_matches(user, province_id=province_id)
        .filter(status=stage)
        .order_by("-updated_at", "id")
    )


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
