from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from .engine.scoring import DEFAULT_WEIGHTS, Weights

# The weights a coordinator may tune; the rest are engine internals.
EDITABLE = {
    "lexical": _("weight of exact terms (BM25) next to meaning"),
    "structured": _("share of the score that field, TRL, cooperation and country can move"),
    "field": _("weight of the S&T field inside the structured fit"),
    "trl": _("weight of TRL fit"),
    "cooperation": _("weight of cooperation type"),
    "country": _("weight of preferred country"),
    "expired_factor": _("share of its score an expired offer keeps"),
}

SHARES = {"structured": 1, "expired_factor": 1}  # fractions; the other weights are relative


class EngineSettingsForm(forms.Form):
    note = forms.CharField(label=_("Why this change"), max_length=300)

    def __init__(self, *args, current: Weights = DEFAULT_WEIGHTS, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in EDITABLE.items():
            self.fields[name] = forms.FloatField(
                label=label,
                min_value=0,
                max_value=SHARES.get(name, 10),
                initial=getattr(current, name),
                # "0,333" in Vietnamese, "0.333" in English: three decimals at most, localised
                help_text=_("default %(value)s")
                % {"value": floatformat(getattr(DEFAULT_WEIGHTS, name), -3)},
            )
        self.order_fields([*EDITABLE, "note"])

    def weights(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE}
