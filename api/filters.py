"""Filters of the API's lists that the pages do not share (offers use offers.filters)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_noop

from demands.models import Demand
from demands.selectors import demand_search
from portal.search import SearchLastMixin


class DemandFilter(SearchLastMixin, django_filters.FilterSet):
    class Meta:
        model = Demand
        fields: list[str] = []

    q = django_filters.CharFilter(
        method="search",
        help_text=gettext_noop(
            "Whole words, exact accents first, then by meaning; ordered by relevance."
        ),
    )
    field = django_filters.CharFilter(method="in_field", help_text=gettext_noop("S&T field code."))
    province = django_filters.CharFilter(
        field_name="province__slug", help_text=gettext_noop("Province slug.")
    )

    def search(self, queryset, name, value):
        return demand_search(queryset, value)

    def in_field(self, queryset, name, value):
        # EXISTS, not a join + DISTINCT over every column (see offers.filters.in_field).
        tagged = Demand.fields.through.objects.filter(demand_id=OuterRef("pk"), field__code=value)
        return queryset.filter(Exists(tagged))
