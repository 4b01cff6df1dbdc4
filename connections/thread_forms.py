"""Input of a match's thread: a message with files, hiding one, a provider contact."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.uploads import AttachmentsField

from .models import Channel


class MessageForm(forms.Form):
    """A message in one of the channels the writer may use now (connections/rules.py)."""

    channel = forms.ChoiceField(label=_("To"))
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = AttachmentsField(label=_("Attach files"))

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, Channel(c).label) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
            self.fields["channel"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        empty = not (data.get("body") or "").strip() and not data.get("attachments")
        if empty and "body" not in self.errors and "attachments" not in self.errors:
            self.add_error("body", _("Write a message or attach a file."))
        return data


class HideMessageForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it?"), max_length=500)


class ProviderContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(
        label=_("Language of the emails"), choices=settings.LANGUAGES, initial="en"
    )
