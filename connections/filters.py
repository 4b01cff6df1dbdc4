"""Filters of the review queue, their choices scoped to what the user may see."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from demands.selectors import campaigns_visible_to, demands_visible_to
from matching.models import Match
from matching.selectors import matches_visible_to
from portal.models import Field


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Match.Status.choices)
    field = django_filters.ModelChoiceFilter(
        label=_("field"),
        queryset=Field.objects.filter(parent__isnull=False),
        method="filter_field",
    )
    score_min = django_filters.NumberFilter(
        label=_("score from"), field_name="score", lookup_expr="gte"
    )
    score_max = django_filters.NumberFilter(
        label=_("score up to"), field_name="score", lookup_expr="lte"
    )
    country = django_filters.ChoiceFilter(
        label=_("provider country"), field_name="offer__provider_country", choices=list(countries)
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("survey campaign"), field_name="demand__campaign", queryset=None
    )
    demand = django_filters.ModelChoiceFilter(label=_("demand"), queryset=None)

    class Meta:
        model = Match
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["campaign"].queryset = campaigns_visible_to(user)
        demand_ids = matches_visible_to(user).values("demand_id")
        self.filters["demand"].queryset = (
            demands_visible_to(user).filter(pk__in=demand_ids).order_by("title")
        )

    def filter_field(self, queryset, name, value):
        # A subquery, not a join: the queue keeps one row per match without DISTINCT.
        from demands.models import Demand
        from offers.models import Offer

        return queryset.filter(
            demand_id__in=Demand.fields.through.objects.filter(field=value).values("demand_id")
        ) | queryset.filter(
            offer_id__in=Offer.fields.through.objects.filter(field=value).values("offer_id")
        )
