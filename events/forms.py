"""Input of the session pages: each form validates and parses; services do the writing."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Organization
from demands.models import Demand
from offers.models import Offer
from portal.models import Province

from .models import Registration, Session

LANGUAGES = ("en", "ja", "ko", "de", "fr", "zh-hans", "ru", "it", "nl", "es", "th")


def language_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (code, str(translation.get_language_info(code)["name_translated"])) for code in LANGUAGES
    ]


def slot_label(session: Session, index: int, start: dt.datetime) -> str:
    day = start.date()
    if session.days > 1:
        return f"{day:%d/%m} {time_format(start.time(), 'H:i')}"
    return time_format(start.time(), "H:i")


def slot_choices(session: Session) -> list[tuple[int, str]]:
    return [(i, slot_label(session, i, s)) for i, (s, _e) in enumerate(session.slot_times())]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class SessionForm(forms.ModelForm):
    breaks_text = forms.CharField(
        label=_("Breaks"),
        required=False,
        help_text=_("Times without meetings, e.g. 10:00-10:15, 11:30-13:30"),
    )
    representations = forms.ModelMultipleChoiceField(
        label=_("Representations invited"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreters_text = forms.CharField(
        label=_("Interpreters"),
        required=False,
        help_text=_("Language code and how many, e.g. ja:2, de:1"),
    )

    class Meta:
        model = Session
        fields = [
            "title",
            "title_en",
            "intro",
            "province",
            "is_online",
            "venue",
            "online_link",
            "first_day",
            "days",
            "time_zone",
            "start_time",
            "slot_minutes",
            "slots_per_day",
            "tables",
            "registration_opens_on",
            "registration_closes_on",
            "status",
        ]
        widgets = {
            "first_day": DateInput,
            "registration_opens_on": DateInput,
            "registration_closes_on": DateInput,
            "start_time": TimeInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representations"].queryset = Organization.objects.filter(
            kind=Organization.Kind.REPRESENTATION, status=Organization.Status.ACTIVE
        )
        if not permissions.is_national(user):
            self.fields["province"].queryset = Province.objects.filter(pk=user.province_id)
            self.fields["province"].initial = user.province_id
        instance = self.instance
        if instance.pk:
            self.fields["breaks_text"].initial = ", ".join(f"{a}-{b}" for a, b in instance.breaks)
            self.fields["representations"].initial = list(
                instance.registrations.filter(kind=Registration.Kind.REPRESENTATION).values_list(
                    "organization_id", flat=True
                )
            )
            self.fields["interpreters_text"].initial = ", ".join(
                f"{i.language}:{i.count}" for i in instance.interpreters.all()
            )

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(_("Unknown time zone.")) from error
        return name

    def clean_breaks_text(self) -> list[list[str]]:
        found = []
        for part in filter(None, (p.strip() for p in self.cleaned_data["breaks_text"].split(","))):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", part)
            if not match:
                raise ValidationError(_("Write each break as 10:00-10:15."))
            h1, m1, h2, m2 = map(int, match.groups())
            try:
                start, end = dt.time(h1, m1), dt.time(h2, m2)
            except ValueError as error:
                raise ValidationError(_("Write each break as 10:00-10:15.")) from error
            if end <= start:
                raise ValidationError(_("A break must end after it starts."))
            found.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
        return sorted(found)

    def clean_interpreters_text(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in filter(
            None, (p.strip() for p in self.cleaned_data["interpreters_text"].split(","))
        ):
            match = re.fullmatch(r"([a-zA-Z-]{2,8})\s*:\s*(\d{1,3})", part)
            if not match or match.group(1).lower() not in LANGUAGES:
                raise ValidationError(
                    _("Write each language as its code and a number, e.g. ja:2 (codes: %s).")
                    % ", ".join(LANGUAGES)
                )
            found[match.group(1).lower()] = int(match.group(2))
        return found

    def session_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["breaks"] = self.cleaned_data["breaks_text"]
        return data


class RegistrationForm(forms.Form):
    demands = forms.ModelMultipleChoiceField(
        label=_("Demands you bring"),
        queryset=Demand.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    offers = forms.ModelMultipleChoiceField(
        label=_("Offers you present"),
        queryset=Offer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    unavailable_slots = forms.TypedMultipleChoiceField(
        label=_("Slots you cannot attend"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpreter_language = forms.ChoiceField(label=_("Interpreter needed for"), required=False)

    def __init__(self, *args, user, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        if permissions.is_enterprise(user):
            self.fields["demands"].queryset = Demand.objects.filter(
                organization_id=user.organization_id, status__in=Demand.LIVE_STATUSES
            )
            del self.fields["offers"]
        else:
            self.fields["offers"].queryset = Offer.objects.filter(
                representation_id=user.organization_id, status__in=Offer.LIVE_STATUSES
            )
            del self.fields["demands"]
        self.fields["unavailable_slots"].choices = slot_choices(session)
        self.fields["interpreter_language"].choices = language_choices()


class AskForm(forms.Form):
    """A firm asks a representation; a representation asks about a demand brought to the
    session (labelled as the demand's visibility allows: never the firm's name)."""

    other = forms.ModelChoiceField(label=_("Meet"), queryset=Registration.objects.none())
    demand = forms.ModelChoiceField(label=_("About the demand"), queryset=Demand.objects.none())
    note = forms.CharField(label=_("Why meet"), max_length=500, required=False)

    def __init__(self, *args, user, session: Session, others, **kwargs):
        super().__init__(*args, **kwargs)
        if permissions.is_enterprise(user):
            del self.fields["demand"]
            self.fields["other"].queryset = others
            self.fields["other"].label_from_instance = lambda r: r.organization.name
            return
        del self.fields["other"]
        self.fields["demand"].queryset = Demand.objects.filter(
            pk__in=Registration.demands.through.objects.filter(registration__in=others).values(
                "demand_id"
            )
        ).select_related("province")

        def label(demand: Demand) -> str:
            if permissions.can(user, "demand.see_title", demand):
                return demand.display_title
            return _("A confidential technology demand") + f" (#{demand.pk})"

        self.fields["demand"].label_from_instance = label


class AddForm(forms.Form):
    firm = forms.ModelChoiceField(label=_("Enterprise"), queryset=Registration.objects.none())
    representation = forms.ModelChoiceField(
        label=_("Representation"), queryset=Registration.objects.none()
    )
    note = forms.CharField(label=_("Why meet"), max_length=500, required=False)

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        registered = session.registrations.filter(
            status=Registration.Status.REGISTERED
        ).select_related("organization")
        self.fields["firm"].queryset = registered.filter(kind=Registration.Kind.ENTERPRISE)
        self.fields["representation"].queryset = registered.filter(
            kind=Registration.Kind.REPRESENTATION
        )
        for name in ("firm", "representation"):
            self.fields[name].label_from_instance = lambda r: r.organization.name


class MoveForm(forms.Form):
    slot = forms.TypedChoiceField(label=_("Slot"), coerce=int)
    table = forms.IntegerField(label=_("Table"), min_value=1)

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slot_choices(session)
        self.fields["table"].max_value = session.tables


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("follow_up", _("Follow up")), ("not_now", _("Not now"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
