"""Forms per role: the enterprise's demand form, staff review, campaigns and import."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from demands.selectors import campaigns_visible_to
from portal.models import CooperationType, Field, TechnologyReadinessLevel
from portal.uploads import MAX_ATTACHMENTS, AttachmentsField

from .models import Demand, SurveyCampaign

MAX_FIELDS = 3
MAX_VND = 10**15


class VNDField(forms.CharField):
    """An amount in đồng; accepts "500.000.000", "500,000,000" or "500 000 000"."""

    default_error_messages = {
        "invalid": _("Write the amount in đồng with digits only, for example 500.000.000."),
        "too_big": _("This amount is too large."),
    }

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        digits = re.sub(r"[\s.,_]", "", value)
        if not digits.isdigit():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(digits)
        if amount > MAX_VND:
            raise forms.ValidationError(self.error_messages["too_big"], code="too_big")
        return amount

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value


class DemandForm(forms.ModelForm):
    """The enterprise's guided form. Every field is optional here so a draft always saves;
    what a reviewer needs is checked by `completeness` when the writer submits."""

    SECTIONS = [
        (_("1. The need"), ["title", "problem", "current_situation"]),
        (
            _("2. The technology you expect"),
            ["expected_result", "fields", "keywords", "trl_min", "cooperation"],
        ),
        (
            _("3. Budget and timing"),
            ["budget_min_vnd", "budget_max_vnd", "wanted_by", "preferred_countries"],
        ),
        (
            _("4. Your capacity to absorb the technology"),
            ["capacity_staff", "capacity_has_space", "capacity_investment", "capacity_note"],
        ),
        (_("5. Visibility and attachments"), ["visibility", "attachments"]),
        (_("6. In English, for readers abroad (optional)"), ["title_en", "summary_en"]),
    ]

    budget_min_vnd = VNDField(label=_("budget from (VND)"), required=False)
    budget_max_vnd = VNDField(label=_("budget up to (VND)"), required=False)
    attachments = AttachmentsField(label=_("attachments"))

    class Meta:
        model = Demand
        fields = [
            "title",
            "problem",
            "current_situation",
            "expected_result",
            "fields",
            "keywords",
            "trl_min",
            "cooperation",
            "budget_min_vnd",
            "budget_max_vnd",
            "wanted_by",
            "preferred_countries",
            "capacity_staff",
            "capacity_has_space",
            "capacity_investment",
            "capacity_note",
            "visibility",
            "title_en",
            "summary_en",
        ]
        widgets = {
            "summary_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
            "problem": forms.Textarea(attrs={"rows": 5}),
            "current_situation": forms.Textarea(attrs={"rows": 4}),
            "expected_result": forms.Textarea(attrs={"rows": 5}),
            "capacity_note": forms.Textarea(attrs={"rows": 3}),
            "wanted_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
            "cooperation": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "title_en": _(
                "Representatives abroad read the portal in English: an English title and "
                "summary let them understand your need at once. Leave empty if unsure; staff "
                "and representatives still see the Vietnamese text."
            ),
            "summary_en": _(
                "A few sentences: the problem, what you expect, the scale. Example: We dry "
                "2 tonnes of green tea a day with coal; we look for a dryer that keeps the "
                "colour and halves the fuel cost."
            ),
            "title": _(
                "One line naming the need. Example: Automatic withering and rolling "
                "line for green tea, 2 tonnes of fresh leaves a day"
            ),
            "problem": _(
                "What goes wrong today and why it matters: volumes, losses, "
                "customers' demands. Example: Hand withering takes 12 hours and the "
                "quality varies from batch to batch; EU buyers reject 15% of lots."
            ),
            "current_situation": _(
                "The equipment and process you use now. Example: Two "
                "drum dryers (2015), manual rolling, 25 workers per shift."
            ),
            "expected_result": _(
                "What the technology must achieve, with figures and "
                "standards. Example: 2 t/day capacity, moisture under 5%, "
                "energy under 1.2 kWh/kg, meets TCVN 1455."
            ),
            "fields": _(
                "One to three S&T fields. Example: 2.11 Other engineering and "
                "technologies (food processing)"
            ),
            "keywords": _(
                "Separated by commas. Example: green tea, withering, rolling, automation"
            ),
            "trl_min": _(
                "How mature the technology must be. Example: TRL 8, a complete "
                "system proven elsewhere"
            ),
            "cooperation": _("Example: equipment purchase and training"),
            "wanted_by": _("When you need it working. Example: 2026-12-31"),
            "preferred_countries": _(
                "Optional; hold Ctrl to choose several. Example: Japan, Korea"
            ),
            "capacity_staff": _(
                "Who will run the technology. Example: engineers who can adapt and maintain it"
            ),
            "capacity_has_space": _("Tick if the building, power and water are ready."),
            "capacity_investment": _("Example: own funds ready"),
            "capacity_note": _(
                "Anything else about your capacity. Example: 500 m² workshop "
                "with 3-phase power; 2 mechanical engineers."
            ),
            "visibility": _(
                "Anonymised is the usual choice: representatives abroad see the "
                "need but not your firm's name until staff introduce you."
            ),
        }

    def __init__(self, *args, existing_attachments: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_attachments = existing_attachments
        for field in self.fields.values():
            field.required = False
        self.fields["fields"].queryset = Field.objects.filter(parent__isnull=False)
        self.fields["cooperation"].queryset = CooperationType.objects.all()
        self.fields["trl_min"].queryset = TechnologyReadinessLevel.objects.all()
        self.fields["budget_min_vnd"].help_text = _(
            "In đồng. Example: 500.000.000 (leave empty if you do not know yet)"
        )
        self.fields["budget_max_vnd"].help_text = _("In đồng. Example: 2.000.000.000")
        self.fields["visibility"].choices = Demand._meta.get_field("visibility").choices
        self.fields["visibility"].initial = Demand._meta.get_field("visibility").default

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def clean_fields(self):
        fields = self.cleaned_data.get("fields")
        if fields is not None and len(fields) > MAX_FIELDS:
            raise forms.ValidationError(
                _("Choose at most %(n)d fields."), params={"n": MAX_FIELDS}, code="too_many"
            )
        return fields

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Demand._meta.get_field("visibility").default

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if files and self.existing_attachments + len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("A demand carries at most %(n)d files; it has %(has)d already."),
                params={"n": MAX_ATTACHMENTS, "has": self.existing_attachments},
                code="count",
            )
        return files

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min_vnd"), cleaned.get("budget_max_vnd")
        if low is not None and high is not None and high < low:
            self.add_error("budget_max_vnd", _("The upper bound is below the lower bound."))
        return cleaned

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        for name in (
            "title",
            "problem",
            "current_situation",
            "expected_result",
            "keywords",
            "capacity_note",
            "capacity_staff",
            "capacity_investment",
            "title_en",
            "summary_en",
        ):
            data[name] = data[name] or ""
        data["fields"] = list(data["fields"] or [])
        data["cooperation"] = list(data["cooperation"] or [])
        data["preferred_countries"] = data["preferred_countries"] or []
        data["capacity_has_space"] = bool(data["capacity_has_space"])
        return data


class ReviewForm(forms.Form):
    """Staff's note with a decision; a return needs it, a publication may carry one."""

    note = forms.CharField(
        label=_("Note to the enterprise"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Demand._meta.get_field("review_note").max_length,
        help_text=_(
            "Required when you return the demand. Example: Please add the capacity "
            "in tonnes per day and a budget range."
        ),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CampaignForm(forms.ModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["name", "year", "opens_on", "closes_on", "intro"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "intro": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "name": _("Example: Survey of technology needs of Thái Nguyên enterprises 2026"),
            "year": _("Example: 2026"),
            "intro": _(
                "Shown to invited enterprises. Example: The Department collects your "
                "technology needs to look for partners abroad."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("A campaign closes after it opens."))
        return cleaned


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line or separated by commas. Example: giamdoc@chetancuong.vn"),
    )

    def clean_emails(self) -> list[str]:
        raw = re.split(r"[\s,;]+", self.cleaned_data["emails"])
        emails, bad = [], []
        validator = forms.EmailField()
        for item in filter(None, raw):
            try:
                emails.append(validator.clean(item).lower())
            except forms.ValidationError:
                bad.append(item)
        if bad:
            raise forms.ValidationError(
                _("Not email addresses: %(bad)s"), params={"bad": ", ".join(bad[:10])}
            )
        if not emails:
            raise forms.ValidationError(_("Give at least one email address."))
        return emails


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        help_text=_("Use the template; at most 5 MB and 2,000 rows."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Survey campaign"),
        queryset=SurveyCampaign.objects.none(),
        required=False,
        help_text=_("The campaign these answers belong to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own campaigns: never another province's names in the dropdown.
        self.fields["campaign"].queryset = campaigns_visible_to(user)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
