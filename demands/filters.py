"""List filters, built on the already-scoped queryset; every dropdown is scoped too."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from demands.selectors import campaigns_visible_to
from portal.models import CooperationType, Field, TechnologyReadinessLevel
from portal.search import SearchLastMixin
from portal.widgets import QuickSelect

from .models import Demand, SurveyCampaign
from .selectors import demand_search


class DateRangeWidget(django_filters.widgets.RangeWidget):
    """Two date inputs, each named for screen readers; the field's label points at the first."""

    def __init__(self, *, start_label, end_label):
        super().__init__(attrs={"type": "date"})
        self.widgets[0].attrs["aria-label"] = start_label
        self.widgets[1].attrs["aria-label"] = end_label

    def id_for_label(self, id_):
        # Django gives a multi-widget no id for its label, which left <label for=""> (axe: critical)
        return f"{id_}_0" if id_ else id_


def user_campaigns(request):
    if request is None:
        return SurveyCampaign.objects.none()
    return campaigns_visible_to(request.user)


def _descending(label) -> str:
    return gettext("%s (descending)") % label


class ReaderOrderingFilter(django_filters.OrderingFilter):
    """Sort choices in the reader's language: django-filter writes each "(descending)" label
    once, at import, in whatever language is active then."""

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices += [(param, label), (f"-{param}", lazy(_descending, str)(label))]
        return choices


class DemandFilter(SearchLastMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("status"), choices=Demand.Status.choices)
    field = django_filters.ModelChoiceFilter(
        label=_("S&T field"),
        field_name="fields",
        queryset=Field.objects.filter(parent__isnull=False),
        widget=QuickSelect,
    )
    campaign = django_filters.ModelChoiceFilter(label=_("survey campaign"), queryset=user_campaigns)
    cooperation = django_filters.ModelChoiceFilter(
        label=_("cooperation wanted"), queryset=CooperationType.objects.all()
    )
    trl = django_filters.ModelChoiceFilter(
        label=_("minimum TRL"),
        field_name="trl_min",
        queryset=TechnologyReadinessLevel.objects.all(),
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("created between"),
        field_name="created_at__date",
        widget=DateRangeWidget(start_label=_("created from"), end_label=_("created until")),
    )
    sort = ReaderOrderingFilter(
        label=_("sort by"),
        fields=(
            ("updated_at", "updated"),
            ("created_at", "created"),
            ("title", "title"),
            ("wanted_by", "wanted_by"),
            ("budget_max_vnd", "budget"),
            ("status", "status"),
        ),
        field_labels={
            "updated_at": _("last change"),
            "created_at": _("created"),
            "title": _("title"),
            "wanted_by": _("wanted by"),
            "budget_max_vnd": _("budget"),
            "status": _("status"),
        },
    )

    class Meta:
        model = Demand
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. chè, nước thải, PCB")}
        )
        # Campaigns mean nothing to representatives and enterprises.
        if not permissions.can(request.user if request else None, "demand.list_province"):
            self.form.fields.pop("campaign")
            self.filters.pop("campaign")

    def search(self, queryset, name, value):
        return demand_search(queryset, value)

    @property
    def qs(self):
        queryset = super().qs
        chosen = getattr(self.form, "cleaned_data", {})
        # A search is ordered by relevance unless a sort is chosen.
        if not chosen.get("sort") and not (chosen.get("q") or "").strip():
            queryset = queryset.order_by("-updated_at", "-id")
        return queryset
