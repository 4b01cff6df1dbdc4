"""Forms of the representative's workspace. Drafts accept incomplete input; publishing checks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import CooperationType, Field
from portal.uploads import AttachmentsField

from .models import Offer
from .selectors import offer_reference_taken
from .services import MAX_FIELDS

FORM_FIELDS = [
    "provider_name",
    "provider_type",
    "provider_country",
    "provider_website",
    "title",
    "summary",
    "title_vi",
    "summary_vi",
    "description",
    "advantages",
    "applications",
    "fields",
    "keywords",
    "trl",
    "ip_status",
    "patent_numbers",
    "cooperation",
    "terms",
    "valid_until",
    "source_url",
    "external_ref",
]


def leaf_fields():
    """The 42 fields, not the 6 areas: an offer is classified at field level."""
    return Field.objects.filter(parent__isnull=False).order_by("code")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OfferForm(forms.ModelForm):
    """The representative's offer form. Every field may stay empty in a draft; publishing
    runs the completeness check, so a half-written offer is never lost to a validation error."""

    fields = forms.ModelMultipleChoiceField(
        label=_("S&T fields"),
        queryset=leaf_fields(),
        required=False,
        widget=forms.SelectMultiple,
        help_text=_("One to three fields."),
    )
    cooperation = forms.ModelMultipleChoiceField(
        label=_("Cooperation offered"),
        queryset=CooperationType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provider_website = forms.URLField(
        label=_("provider website"), required=False, max_length=200, assume_scheme="https"
    )
    source_url = forms.URLField(
        label=_("source link"), required=False, max_length=500, assume_scheme="https"
    )
    attachments = AttachmentsField(label=_("Attachments"))

    class Meta:
        model = Offer
        fields = FORM_FIELDS
        widgets = {
            "valid_until": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "summary_vi": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "advantages": forms.Textarea(attrs={"rows": 4}),
            "applications": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title_vi": _("Representatives write Vietnamese: most provincial firms read only it."),
            "summary_vi": _("Please type with diacritics (tiếng Việt có dấu)."),
            "patent_numbers": _("Separate several numbers with commas."),
        }

    def __init__(self, *args, representation_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.representation_id = representation_id or self.instance.representation_id
        for name, field in self.fields.items():
            if name != "attachments":
                field.required = False
        self.fields["fields"].queryset = leaf_fields()
        self.fields["provider_type"].choices = Offer.ProviderType.choices
        self.fields["ip_status"].choices = [("", "---------"), *Offer.IPStatus.choices]

    def clean_fields(self):
        chosen = self.cleaned_data.get("fields") or []
        if len(chosen) > MAX_FIELDS:
            raise forms.ValidationError(_("Choose at most three fields."))
        return chosen

    def clean_provider_type(self):
        return self.cleaned_data.get("provider_type") or Offer.ProviderType.COMPANY

    def clean(self):
        cleaned = super().clean()
        ref = cleaned.get("external_ref")
        if offer_reference_taken(
            self.representation_id,
            cleaned.get("provider_name", ""),
            ref,
            exclude_pk=self.instance.pk,
        ):
            self.add_error("external_ref", _("Another offer of this provider has this reference."))
        return cleaned

    def service_data(self) -> dict:
        """The cleaned values the services accept (attachments go separately)."""
        data = {name: self.cleaned_data.get(name) for name in FORM_FIELDS}
        data["provider_country"] = data["provider_country"] or ""
        return data

    # ModelForm.save() is never called: offers.services owns the write.
    def save(self, commit=True):  # pragma: no cover - guard
        raise NotImplementedError("use offers.services")


class PublishForm(forms.Form):
    confirm_similar = forms.BooleanField(
        label=_("I checked the similar offers; this one is different."), required=False
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("The template filled in: .xlsx or .csv, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload the template as .xlsx or .csv."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
