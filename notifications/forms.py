from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class EmailPreferenceForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("Send me an email when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
