"""Catalog and API filters, always applied to an already scoped queryset."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal import search as portal_search
from portal.models import CooperationType, Field
from portal.widgets import QuickSelect

from .models import Offer

LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("zh", _("Chinese")),
]


def field_choices(request):
    # Reference data, the same for everyone: nothing of another firm can leak through it.
    return Field.objects.order_by("code")


def cooperation_choices(request):
    return CooperationType.objects.all()


def search(queryset, name, value):
    """Whole words, exact accents first, then by meaning; ordered by relevance (portal/search)."""
    return portal_search.search(queryset, value, kind="offer")


def in_field(queryset, name, value):
    """A field, or an area (1-6) and all its fields."""
    if value is None:
        return queryset
    # EXISTS, not a join + DISTINCT: counting DISTINCT rows with every column spilled to disk.
    tagged = Offer.fields.through.objects.filter(offer_id=OuterRef("pk"))
    if value.parent_id is None:
        return queryset.filter(Exists(tagged.filter(field__parent=value)))
    return queryset.filter(Exists(tagged.filter(field=value)))


def offering(queryset, name, value):
    """Offers proposing this kind of cooperation."""
    if value is None:
        return queryset
    through = Offer.cooperation.through.objects
    return queryset.filter(Exists(through.filter(offer_id=OuterRef("pk"), cooperationtype=value)))


@extend_schema_field(OpenApiTypes.STR)
class FieldFilter(django_filters.ModelChoiceFilter):
    """A field or area code, e.g. "2.02" or "4"."""


class OfferFilter(portal_search.SearchLastMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=search)
    field = FieldFilter(
        label=_("S&T field"), queryset=field_choices, method=in_field, widget=QuickSelect
    )
    country = django_filters.ChoiceFilter(
        label=_("Provider country"),
        field_name="provider_country",
        choices=lambda: list(countries),
        widget=QuickSelect,
    )
    trl_min = django_filters.NumberFilter(
        label=_("Minimum TRL"), field_name="trl_id", lookup_expr="gte", min_value=1, max_value=9
    )
    cooperation = django_filters.ModelChoiceFilter(
        label=_("Cooperation"),
        queryset=cooperation_choices,
        method=offering,
    )
    ip_status = django_filters.ChoiceFilter(label=_("IP status"), choices=Offer.IPStatus.choices)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=LANGUAGES)

    class Meta:
        model = Offer
        fields = ["q", "field", "country", "trl_min", "cooperation", "ip_status", "language"]


class OwnOfferFilter(OfferFilter):
    """The representative's own offers: the catalog filters plus the state."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=Offer.Status.choices)

    class Meta(OfferFilter.Meta):
        fields = [*OfferFilter.Meta.fields, "status"]
