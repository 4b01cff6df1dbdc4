"""Reads of offers, always through the permission scope; constant query counts per page."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import permissions
from accounts.models import Role
from portal.text import fold

from .models import Offer, OfferAttachment


def offers_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every offer `user` may open; the list form of the `offer.view` rule (offers/rules.py)."""
    queryset = Offer.objects.all() if queryset is None else queryset
    role = permissions.role_of(user)
    if role == Role.NONE:
        return queryset.none()
    if role == Role.ADMIN:
        return queryset
    scope = Q(status=Offer.Status.PUBLISHED)
    if role == Role.REPRESENTATIVE:
        scope |= Q(representation_id=user.organization_id)
    if role in (Role.STAFF, Role.COORDINATOR):
        scope |= Q(status=Offer.Status.ARCHIVED)
    return queryset.filter(scope)


SIMILARITY_THRESHOLD = 0.45  # pg_trgm similarity of two titles; 0.3 is pg_trgm's own default


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("representation", "trl").prefetch_related(
        "fields", "cooperation"
    )


def offer_list_visible_to(user) -> QuerySet:
    """Every offer the user may open (the scope of search, exports and the API)."""
    return _with_relations(offers_visible_to(user))


def offer_list_catalog(user) -> QuerySet:
    """The published offers, newest first: the catalog every signed-in role browses."""
    return (
        offer_list_visible_to(user)
        .filter(status=Offer.Status.PUBLISHED)
        .order_by("-published_at", "-id")
    )


def offer_list_own(user) -> QuerySet:
    """The offers of the user's representation, in every state."""
    if not permissions.can(user, "offer.list_own"):
        return Offer.objects.none()
    return _with_relations(
        offers_visible_to(user).filter(representation_id=user.organization_id)
    ).order_by("-updated_at", "-id")


def offer_reference_taken(
    representation_id: int | None, provider_name: str, ref: str, *, exclude_pk=None
) -> bool:
    """Whether another offer of this representation and provider has the reference `ref`
    (the form and the API refuse a second one)."""
    if not ref:
        return False
    same = Offer.objects.filter(
        representation_id=representation_id, provider_name=provider_name, external_ref=ref
    )
    return same.exclude(pk=exclude_pk).exists()


def offer_get_visible(user, pk: int) -> Offer:
    """One offer the user may see, or 404 (ids outside the scope do not leak)."""
    return get_object_or_404(
        offer_list_visible_to(user).prefetch_related("attachments", "events__actor"), pk=pk
    )


def offer_get_attachment(user, offer_pk: int, pk: int) -> OfferAttachment:
    offer = offer_get_visible(user, offer_pk)
    if not permissions.can(user, "offer.view_attachments", offer):
        from django.http import Http404

        raise Http404
    return get_object_or_404(OfferAttachment.objects.select_related("offer"), offer=offer, pk=pk)


def offers_similar_to(offer: Offer, *, user, limit: int = 5) -> list[Offer]:
    """Offers the user can see from the same provider with a similar title (not archived)."""
    candidates = (
        offers_visible_to(user)
        .filter(provider_name__iexact=offer.provider_name)
        .exclude(pk=offer.pk)
        .exclude(status=Offer.Status.ARCHIVED)
        .select_related("representation")
    )
    if not offer.title:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            candidates.annotate(similarity=TrigramSimilarity("title", offer.title))
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-id")[:limit]
        )
    # SQLite (embedded mode): pg_trgm's measure computed here, on titles with accents folded.
    grams = title_trigrams(offer.title)
    scored = []
    for candidate in candidates.order_by("-id")[:200]:
        other = title_trigrams(candidate.title)
        similarity = len(grams & other) / len(grams | other) if grams and other else 0.0
        if similarity >= SIMILARITY_THRESHOLD:
            scored.append((similarity, candidate.pk, candidate))
    scored.sort(key=lambda row: (-row[0], -row[1]))
    return [candidate for _similarity, _pk, candidate in scored[:limit]]


def title_trigrams(title: str) -> set[str]:
    """pg_trgm's trigrams of a text: each word (letters and digits), lower-cased and padded
    with two spaces before and one after, cut in threes ("robot" -> "  r", " ro", ..., "ot ")."""
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", fold(title)):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def offers_expiring_soon(user, *, days: int = 30, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return (
        offer_list_own(user)
        .filter(
            status=Offer.Status.PUBLISHED,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=days),
        )
        .order_by("valid_until", "id")
    )


def offer_status_counts(user) -> dict[str, int]:
    """{status: number of the representation's offers}. Every offer of its own representation
    is in a representative's scope, so the count filters on the representation alone (the
    (representation, status) index), not on the scope's "published, or its own"."""
    counts = dict.fromkeys(Offer.Status.values, 0)
    if not permissions.can(user, "offer.list_own"):
        return counts
    rows = (
        Offer.objects.filter(representation_id=user.organization_id)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# --- matches of offers: read through matching's selectors ------------------------------------


def offer_match_counts(offer_ids, *, user=None) -> dict[int, int]:
    """{offer id: number of matches worth a look}; missing ids mean 0. With `user` (any count
    shown to someone), only the pairs that user may see: a representative's count is then its
    shortlisted and introduced pairs, as the offer's panel and the API list them."""
    from matching.selectors import answering, matches_visible_to

    scope = None if user is None else matches_visible_to(user)
    rows = answering(scope).filter(offer_id__in=list(offer_ids)).values("offer_id")
    return {row["offer_id"]: row["n"] for row in rows.annotate(n=Count("id"))}


def offer_matches_for(user) -> QuerySet:
    """The matches of the user's own offers, best first."""
    from matching.models import Match
    from matching.selectors import matches_visible_to

    return matches_visible_to(
        user, Match.objects.filter(offer__representation_id=user.organization_id)
    ).order_by("-score", "id")


def demand_ids_with_matches() -> QuerySet:
    """Ids of demands that have an answer (`matching.selectors.answering`: a likely-answer
    score nobody rejected, or a pair staff shortlisted or introduced). For "without an
    answer" use `~matching.selectors.has_answer()`, not `exclude(pk__in=...)` over this."""
    from matching.selectors import answering

    return answering().values("demand_id")


# --- provincial needs seen from a representation -------------------------------------------


def demands_without_answers(user, *, limit: int = 20) -> QuerySet:
    """Published demands (all provinces, as the user may see them) in the fields of the host
    country's offers that have no answer yet (`matching.selectors.answering`), newest first.

    The fields are read first (a few dozen codes): as a subquery, the planner could probe the
    offers of a field (15,000 rows) once per demand, and the page never answered."""
    from demands.models import Demand
    from demands.selectors import demands_visible_to
    from matching.selectors import has_answer

    country = getattr(user.organization, "country", "") if user.organization_id else ""
    offer_scope = Q(representation_id=user.organization_id)
    if country:
        offer_scope |= Q(representation__country=country)
    field_ids = list(
        Offer.fields.through.objects.filter(
            offer__in=Offer.objects.filter(offer_scope).exclude(status=Offer.Status.ARCHIVED)
        )
        .order_by()
        .values_list("field_id", flat=True)
        .distinct()
    )
    in_fields = Demand.fields.through.objects.filter(
        demand_id=OuterRef("pk"), field_id__in=field_ids
    )
    return (
        demands_visible_to(user)
        .filter(Exists(in_fields), ~has_answer(), status=Demand.Status.PUBLISHED)
        .select_related("province", "organization")
        .prefetch_related("fields")
        .order_by("-published_at", "-id")[:limit]
    )
