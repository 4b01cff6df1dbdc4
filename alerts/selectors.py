"""Reads: a user's saved searches, and the records a saved search finds, always through the
owner's permission scope (the lists' own selectors and FilterSets)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts import permissions
from demands.filters import DemandFilter
from demands.models import Demand
from demands.selectors import demand_list_visible_to, demands_visible_to
from offers.filters import OfferFilter
from offers.models import Offer
from offers.selectors import offer_list_catalog

from .models import Hit, SavedSearch

Target = SavedSearch.Target
# Keys of a list's query string that do not choose records.
IGNORED_KEYS = frozenset({"page"})


def saved_searches_visible_to(user) -> QuerySet:
    """The user's own saved searches (nobody sees another person's)."""
    if not permissions.can(user, "savedsearch.create"):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user)


def saved_search_get_own(user, pk: int) -> SavedSearch:
    """The user's saved search, else 404 (another person's id does not leak)."""
    return get_object_or_404(saved_searches_visible_to(user), pk=pk)


@dataclass
class _Request:
    """What the lists' FilterSets read from a request: the user (scoped dropdowns) and GET."""

    user: object
    GET: QueryDict = field(default_factory=QueryDict)


def _filterset(target: str, user, data: QueryDict, queryset: QuerySet | None = None):
    if target == Target.OFFERS:
        base = offer_list_catalog(user) if queryset is None else queryset
        return OfferFilter(data, queryset=base, request=_Request(user, data))
    if queryset is None:
        queryset = demand_list_visible_to(user, scope=data.get("scope"))
    return DemandFilter(data, queryset=queryset, request=_Request(user, data))


def _query_keys(filterset) -> set[str]:
    """The query-string keys a FilterSet reads (a range widget reads name_min and name_max)."""
    keys = set()
    for name, form_field in filterset.form.fields.items():
        suffixes = getattr(form_field.widget, "widgets_names", None)
        keys |= {name + suffix for suffix in suffixes} if suffixes else {name}
    return keys


def query_normalise(*, target: str, user, query: str) -> str:
    """The list's query string as a saved search keeps it: the keys its FilterSet reads (and
    the demand list's scope), empty values and the page dropped, sorted. Raises ValidationError
    with the FilterSet's own messages when a filter is invalid."""
    if target not in Target.values:
        raise ValidationError("unknown list")
    data = QueryDict(query or "")
    filterset = _filterset(target, user, data, queryset=_empty(target))
    allowed = _query_keys(filterset) - IGNORED_KEYS
    if target == Target.DEMANDS:
        allowed.add("scope")
    kept = QueryDict(mutable=True)
    for key in sorted(set(data) & allowed):
        values = [value.strip() for value in data.getlist(key) if value.strip()]
        if values:
            kept.setlist(key, values)
    checked = _filterset(target, user, kept, queryset=_empty(target))
    if not checked.is_valid():
        raise ValidationError(
            [
                f"{checked.form.fields[name].label}: {' '.join(errors)}"
                if name in checked.form.fields
                else " ".join(errors)
                for name, errors in checked.form.errors.items()
            ]
        )
    query = kept.urlencode()
    if len(query) > SavedSearch._meta.get_field("query").max_length:
        raise ValidationError(_("These filters are too long to save; remove some words."))
    return query


def _empty(target: str) -> QuerySet:
    return (Offer if target == Target.OFFERS else Demand).objects.none()


def saved_search_records(
    saved_search: SavedSearch, *, since: dt.datetime | None = None
) -> QuerySet:
    """Published records the saved search finds for its owner: the list's scope and filters,
    published since `since` and not delivered yet; oldest publication first.

    The base is narrowed to the new records before the filters run, so a run costs what the
    new records cost, not the whole catalogue (a meaning-only hit is then judged among the
    new records; words match exactly as on the list)."""
    user = saved_search.user
    model = Offer if saved_search.target == Target.OFFERS else Demand
    if saved_search.is_default:
        queryset = _default_demands(user)
    else:
        data = QueryDict(saved_search.query)
        if model is Offer:
            queryset = offer_list_catalog(user)
        else:
            queryset = demand_list_visible_to(user, scope=data.get("scope"))
    queryset = queryset.filter(status__in=model.LIVE_STATUSES, published_at__isnull=False)
    if since is not None:
        queryset = queryset.filter(published_at__gte=since)
    queryset = queryset.filter(
        ~Exists(Hit.objects.filter(saved_search=saved_search, record_id=OuterRef("pk")))
    )
    if not saved_search.is_default:
        filterset = _filterset(saved_search.target, user, data, queryset=queryset)
        # A filter that became invalid (a field code withdrawn) finds nothing, not everything.
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    return queryset.order_by("published_at", "pk")


def _default_demands(user) -> QuerySet:
    """Demands the representative may see in the fields its published offers cover."""
    covered = Offer.fields.through.objects.filter(
        offer__representation_id=user.organization_id, offer__status=Offer.Status.PUBLISHED
    ).values("field_id")
    in_fields = Demand.fields.through.objects.filter(field_id__in=covered).values("demand_id")
    return demands_visible_to(user, Demand.objects.all()).filter(id__in=in_fields)


def default_fields(saved_search: SavedSearch) -> QuerySet:
    """The fields a representative's automatic alert follows today."""
    from portal.models import Field

    return Field.objects.filter(
        offers__representation_id=saved_search.user.organization_id,
        offers__status=Offer.Status.PUBLISHED,
    ).distinct()


def saved_search_last_matches(saved_search: SavedSearch, *, limit: int = 20) -> list:
    """The records its latest digests delivered that the owner may still open, newest first."""
    ids = list(saved_search.hits.values_list("record_id", flat=True)[:limit])
    user = saved_search.user
    if saved_search.target == Target.OFFERS:
        from offers.selectors import offers_visible_to

        records = offers_visible_to(user, Offer.objects.filter(pk__in=ids))
    else:
        records = demands_visible_to(user, Demand.objects.filter(pk__in=ids))
    by_id = {record.pk: record for record in records.prefetch_related("fields")}
    return [by_id[pk] for pk in ids if pk in by_id]
