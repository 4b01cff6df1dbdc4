"""Filters of the review queue, their choices scoped to what the user may see."""

import django_filters
from django.db.models import Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from demands.selectors import campaigns_visible_to
from matching.models import Match
from portal.models import Field
from portal.widgets import QuickSelect

from .selectors import review_demands


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Match.Status.choices)
    field = django_filters.ModelChoiceFilter(
        label=_("field"),
        queryset=Field.objects.filter(parent__isnull=False),
        method="filter_field",
        widget=QuickSelect,
    )
    score_min = django_filters.NumberFilter(
        label=_("score from"), field_name="score", lookup_expr="gte"
    )
    score_max = django_filters.NumberFilter(
        label=_("score up to"), field_name="score", lookup_expr="lte"
    )
    country = django_filters.ChoiceFilter(
        label=_("provider country"),
        field_name="offer__provider_country",
        # a callable: the names in the reader's language and order, not the first import's
        choices=lambda: list(countries),
        widget=QuickSelect,
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("survey campaign"), field_name="demand__campaign", queryset=None
    )
    # Typed, never a <select> of every demand (a province holds thousands): a reference or
    # words of the title; static/js/autocomplete.js suggests demands while typing.
    demand = django_filters.CharFilter(label=_("demand"), method="filter_demand", max_length=200)

    class Meta:
        model = Match
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["campaign"].queryset = campaigns_visible_to(user)
        self.form.fields["demand"].widget.attrs.update(
            {
                "placeholder": _("#reference or words of the title"),
                "autocomplete": "off",
                "data-suggest": reverse("connections:review_demands"),
            }
        )

    def filter_demand(self, queryset, name, value):
        demands = review_demands(self.user, value).order_by()
        return queryset.filter(demand_id__in=Subquery(demands.values("pk")))

    def filter_field(self, queryset, name, value):
        # A subquery, not a join: the queue keeps one row per match without DISTINCT.
        from demands.models import Demand
        from offers.models import Offer

        return queryset.filter(
            demand_id__in=Demand.fields.through.objects.filter(field=value).values("demand_id")
        ) | queryset.filter(
            offer_id__in=Offer.fields.through.objects.filter(field=value).values("offer_id")
        )
