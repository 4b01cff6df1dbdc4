from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SavedSearch


class SavedSearchCreateForm(forms.Form):
    """Name a list's filters and choose the alerts; the filters travel as a hidden field."""

    target = forms.ChoiceField(choices=SavedSearch.Target.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=120)
    frequency = forms.ChoiceField(
        label=_("Alerts"),
        choices=SavedSearch.Frequency.choices,
        initial=SavedSearch.Frequency.DAILY,
    )


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    frequency = forms.ChoiceField(label=_("Alerts"), choices=SavedSearch.Frequency.choices)
    is_active = forms.BooleanField(label=_("Send me alerts for this search"), required=False)
