"""The connection workflow's records on a match: its meetings, its agreement and its history.

A match's thread (messages between staff and each side, then everyone after consent) lives
here too. The match itself (the pair, its status and the parties' answers) is the engine's output and
stays in matching/models.py; only connections/services.py moves its status after a match is
written. The tables were matching_meeting, matching_agreement and matching_matchevent until
connections/migrations/0001 renamed them.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from matching.models import Match
from portal.models import Attachment, StatusEvent


class Meeting(models.Model):
    class Mode(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    mode = models.CharField(_("format"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=60, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.match_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Agreement(models.Model):
    class Kind(models.TextChoices):
        LICENSE = "license", _("license")
        TRANSFER_CONTRACT = "technology_transfer_contract", _("technology transfer contract")
        JOINT_VENTURE = "joint_venture", _("joint venture")
        EQUIPMENT_PURCHASE = "equipment_purchase", _("equipment purchase")
        OTHER = "other", _("other")

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="agreement")
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    value_vnd = models.BigIntegerField(_("value (VND)"), null=True, blank=True)
    signed_on = models.DateField(_("signing date"))
    # Vietnam's Law on Technology Transfer (2017) requires some contracts to be registered.
    registration_required = models.BooleanField(
        _("must be registered (Law on Technology Transfer)"), default=False
    )
    # The certificate of registration ("Giấy chứng nhận đăng ký hợp đồng chuyển giao công
    # nghệ") the S&T department issues, often weeks after signing: completed later by staff.
    registration_number = models.CharField(
        _("registration certificate number"), max_length=50, blank=True
    )
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(value_vnd__isnull=True) | Q(value_vnd__gte=0),
                name="agreement_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.signed_on})"

    def date_errors(self, today: datetime.date) -> dict[str, str]:
        """What is wrong with the agreement's dates and registration, by field (empty when
        nothing is): a signature or a registration cannot lie ahead, nor a registration
        before the signature; only a contract that must be registered has a certificate."""
        errors: dict[str, str] = {}
        if self.signed_on and self.signed_on > today:
            errors["signed_on"] = _(
                "The signing date %(date)s is in the future: record the agreement once it is "
                "signed (today is %(today)s)."
            ) % {"date": _day(self.signed_on), "today": _day(today)}
        if not self.registration_required and (self.registered_on or self.registration_number):
            field = "registered_on" if self.registered_on else "registration_number"
            errors[field] = _("Only an agreement that must be registered has a registration.")
        elif self.registered_on and self.registered_on > today:
            errors["registered_on"] = _(
                "The registration date %(date)s is in the future (today is %(today)s)."
            ) % {"date": _day(self.registered_on), "today": _day(today)}
        elif self.registered_on and self.signed_on and self.registered_on < self.signed_on:
            errors["registered_on"] = _(
                "The registration date %(date)s is before the signing date %(signed)s: a "
                "contract is registered after it is signed."
            ) % {"date": _day(self.registered_on), "signed": _day(self.signed_on)}
        return errors


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


class MatchEvent(StatusEvent):
    """Every status change of a match: the labels that later tune the weights."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=12, choices=Match.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=Match.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("match event")
        verbose_name_plural = _("match events")


# --- the conversation on an introduced match ------------------------------------------------


class Channel(models.TextChoices):
    """Where a message is read. Before both sides consent, staff talk to each side apart (the
    representation must not learn the firm's identity); after consent, everyone shares one."""

    ENTERPRISE = "enterprise", _("staff and the enterprise")
    REPRESENTATION = "representation", _("staff and the representation")
    SHARED = "shared", _("everyone on the connection")


class Side(models.TextChoices):
    """Who wrote a message, as the thread shows it."""

    STAFF = "staff", _("provincial staff")
    ENTERPRISE = "enterprise", _("enterprise")
    REPRESENTATION = "representation", _("representation")


class ProviderContact(models.Model):
    """A person at the technology provider whom the representation brings into the thread:
    no account, the emails carry a signed link to read and reply (connections.views)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="provider_contacts")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language of the emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("provider contact")
        verbose_name_plural = _("provider contacts")
        constraints = [
            models.UniqueConstraint(fields=["match", "email"], name="provider_contact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Message(models.Model):
    """One message of a match's thread. Hidden by staff: kept, with who hid it and why."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.ForeignKey(
        ProviderContact,
        verbose_name=_("provider contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    body = models.TextField(_("message"), blank=True)
    # The message of an answer to the introduction, shared with the other side at consent.
    is_answer = models.BooleanField(_("answer to the introduction"), default=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["match", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="message_hidden_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match_id} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


def message_attachment_path(instance, filename: str) -> str:
    # A random name: the original name is kept in the row, never used on disk.
    return f"attachments/messages/{uuid.uuid4().hex}"


class MessageAttachment(Attachment):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=message_attachment_path, max_length=200)

    class Meta(Attachment.Meta):
        pass
