"""Input of the review queue and the pipeline; the services in services.py do the writes."""

import zoneinfo

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Answer, Match, RejectReason
from portal.choices import CollatedModelChoiceIterator
from portal.i18n import interpreter_language_choices, time_zone_choices, time_zone_names
from portal.models import Province

from .models import Agreement, Meeting

# The reason preselected when rejecting: most pairs staff turn down are simply off-topic.
USUAL_REJECT_REASON = RejectReason.WRONG_FIELD
COVERING_NOTE_MAX = 2000


class RejectForm(forms.Form):
    """Shown in every row of the review queue: no ids (they would repeat on the page), each
    input named by its aria-label, as the row has no room for labels."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=RejectReason.choices,
        initial=USUAL_REJECT_REASON,
        widget=forms.Select(attrs={"aria-label": _("Reason")}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"aria-label": _("Note")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("reason") == RejectReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say why the match is rejected."))
        return data


class IntroduceForm(forms.Form):
    """The covering note staff may add to an introduction: both sides read it in their mail."""

    covering_note = forms.CharField(
        label=_("Covering note"),
        required=False,
        max_length=COVERING_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "aria-label": _("Covering note (optional)")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)


class BoardForm(forms.Form):
    """The board's filters: a stage listed alone, and for a national unit one province (a
    bounded list of 34)."""

    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=_("Every province"),
    )
    province.iterator = CollatedModelChoiceIterator  # Vietnamese alphabetical order
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Every stage")), *[(s, s.label) for s in Match.INTRODUCED_STATUSES]],
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkForm(forms.Form):
    ACTIONS = [
        ("shortlist", _("Shortlist")),
        ("reject", _("Reject")),
        ("introduce", _("Introduce")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])  # choices set to the page
    reason = forms.ChoiceField(
        label=_("Reason (when rejecting)"),
        required=False,
        choices=[("", "—"), *RejectReason.choices],
        initial=USUAL_REJECT_REASON,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    covering_note = forms.CharField(
        label=_("Covering note (when introducing)"),
        required=False,
        max_length=COVERING_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, allowed_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in allowed_ids]

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Choose why the matches are rejected."))
        if data.get("reason") == RejectReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say why the matches are rejected."))
        return data


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        widget=forms.RadioSelect,
        choices=[
            (Answer.INTERESTED, Answer.INTERESTED.label),
            (Answer.NOT_INTERESTED, Answer.NOT_INTERESTED.label),
        ],
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeetingForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("time zone"), choices=time_zone_choices, initial="Asia/Ho_Chi_Minh"
    )
    starts_at = forms.DateTimeField(
        label=_("date and time (in that time zone)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = Meeting
        fields = [
            "starts_at",
            "timezone",
            "mode",
            "place",
            "participants",
            "interpreter_needed",
            "interpreter_language",
            "minutes",
        ]
        widgets = {
            "participants": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 3}),
            "interpreter_language": forms.Select(choices=interpreter_language_choices),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A meeting saved before the lists (a zone such as "US/Eastern", a language typed in)
        # keeps its value as a choice until someone picks another.
        zone = self.instance.timezone if self.instance.pk else ""
        if zone and zone not in time_zone_names():
            self.fields["timezone"].choices = [(zone, zone), *time_zone_choices()]
        spoken = self.instance.interpreter_language if self.instance.pk else ""
        if spoken and spoken not in dict(interpreter_language_choices()):
            self.fields["interpreter_language"].widget.choices = [
                *interpreter_language_choices(),
                (spoken, spoken),
            ]

    def clean(self):
        data = super().clean()
        starts_at, tz = data.get("starts_at"), data.get("timezone")
        if starts_at and tz:
            # The time is typed in the meeting's own zone, not the server's.
            data["starts_at"] = starts_at.replace(tzinfo=None).replace(tzinfo=zoneinfo.ZoneInfo(tz))
        if data.get("interpreter_needed") and not data.get("interpreter_language"):
            self.add_error(
                "interpreter_language", _("Which language should the interpreter speak?")
            )
        return data


def _check_dates(form, agreement: Agreement) -> None:
    """The agreement's own date rules (Agreement.date_errors) as errors on the form's fields,
    so the page shows them beside what was typed."""
    for field, error in agreement.date_errors(timezone.localdate()).items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, error)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "kind",
            "value_vnd",
            "signed_on",
            "registration_required",
            "registration_number",
            "registered_on",
            "note",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "registered_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_vnd"].min_value = 0  # the table refuses negatives; say so in the form
        self.fields["value_vnd"].validators.append(MinValueValidator(0))
        self.fields["value_vnd"].widget.attrs["min"] = 0
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["registration_number"].help_text = _(
            "Can be completed later, once the department of science and technology issues "
            "the registration certificate."
        )

    def clean(self):
        data = super().clean()
        fields = {k: data.get(k) for k in self._meta.fields if k in data}
        _check_dates(self, Agreement(**fields))
        return data


class AgreementRegistrationForm(forms.ModelForm):
    """Completing a recorded agreement: its registration certificate's number and date."""

    class Meta:
        model = Agreement
        fields = ["registration_required", "registration_number", "registered_on"]
        widgets = {"registered_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        agreement = Agreement(signed_on=self.instance.signed_on)
        for name in self._meta.fields:
            setattr(agreement, name, data.get(name, getattr(self.instance, name)))
        _check_dates(self, agreement)
        return data


class DropForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was it dropped?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
