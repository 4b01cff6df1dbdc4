"""The connection workflow's records on a match: its meetings, its agreement and its history.

The match itself (the pair, its status and the parties' answers) is the engine's output and
stays in matching/models.py; only connections/services.py moves its status after a match is
written. The tables were matching_meeting, matching_agreement and matching_matchevent until
connections/migrations/0001 renamed them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matching.models import Match
from portal.models import StatusEvent


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
