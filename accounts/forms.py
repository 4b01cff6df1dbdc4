from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.models import AccountMail
from notifications.services import send_mail
from portal.choices import CollatedModelChoiceIterator
from portal.i18n import time_zone_choices
from portal.models import Province

from .models import Organization, User
from .services import normalise_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # django-axes counts failures per username as typed: one spelling, one counter.
        return normalise_email(self.cleaned_data["username"])


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form; its link leaves through the portal's one mail path, after commit."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # The subject is `<template>_subject.txt` beside the body, as the reset view names it.
        send_mail(
            to=[to_email],
            template=email_template_name.removesuffix(".txt"),
            context=context,
            kind=AccountMail.PASSWORD_RESET,
        )


class EnterpriseSignupForm(forms.ModelForm):
    """One form for the enterprise and its first member: what a firm fills in to join."""

    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    email = forms.EmailField(label=_("Your work email"), help_text=_("You will sign in with it."))
    phone = forms.CharField(label=_("Your phone"), max_length=40, required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; a phrase of several words is easy to remember."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Organization
        fields = ["name", "tax_code", "province", "address", "website", "size", "main_industry"]
        help_texts = {
            "tax_code": _("10 digits, or 10 digits-3 digits for a branch. Example: 4600123456"),
            "main_industry": _("Example: tea growing and processing"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_code"].required = True
        self.fields["province"].required = True
        self.fields["province"].queryset = Province.objects.all()
        self.fields["province"].iterator = CollatedModelChoiceIterator  # Đ after D, not after Y
        self.fields["province"].help_text = _(
            "Staff of this province will approve your registration."
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Sign in or reset your password.")
            )
        return email

    def clean_tax_code(self) -> str:
        tax_code = self.cleaned_data["tax_code"].strip()
        if Organization.objects.filter(tax_code=tax_code).exists():
            raise forms.ValidationError(
                _(
                    "This tax code is already registered. Ask a colleague of your firm to invite you, or contact your provincial S&T department."
                )
            )
        return tax_code

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        if p1:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def organization(self) -> Organization:
        organization = super().save(commit=False)
        organization.kind = Organization.Kind.ENTERPRISE
        organization.contact_name = self.cleaned_data["full_name"]
        organization.contact_email = self.cleaned_data["email"]
        organization.contact_phone = self.cleaned_data["phone"]
        return organization


class RegistrationReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note to the enterprise"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("note"):
            self.add_error("note", _("Say why, so the enterprise can correct its registration."))
        return cleaned


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Pages and emails are shown in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        required=False,
        help_text=_("Meeting times are also shown in this zone."),
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "job_title", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not chosen yet: the language the pages are read in now.
        self.initial.setdefault("language", "")
        if not self.initial["language"]:
            self.initial["language"] = get_language() or settings.LANGUAGE_CODE
        if not self.initial.get("time_zone"):
            self.initial["time_zone"] = settings.TIME_ZONE
