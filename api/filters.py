"""Filters of the API's lists that the pages do not share (offers use offers.filters)."""

from __future__ import annotations

import django_filters

from demands.models import Demand
from demands.selectors import demand_search
from portal.search import SearchLastMixin


class DemandFilter(SearchLastMixin, django_filters.FilterSet):
    class Meta:
        model = Demand
        fields: list[str] = []

    q = django_filters.CharFilter(
        method="search",
        help_text="Whole words, exact accents first, then by meaning; ordered by relevance.",
    )
    field = django_filters.CharFilter(
        field_name="fields__code", help_text="S&T field code.", distinct=True
    )
    province = django_filters.CharFilter(field_name="province__slug", help_text="Province slug.")

    def search(self, queryset, name, value):
        return demand_search(queryset, value)
