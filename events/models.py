"""Connection sessions: working days where firms meet the S&T representatives.

A session has registrations (a firm with the demands it brings, an invited representation with
the offers it brings), interpreters by language, and meeting requests between a firm and a
representation; the accepted ones are placed over slots and tables by events/scheduling.py.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Session(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for registration")
        CLOSED = "closed", _("registration closed")
        HELD = "held", _("held")

    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), max_length=4000, blank=True)
    province = models.ForeignKey(
        "portal.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    is_online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True)
    first_day = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=1)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Ho_Chi_Minh")
    start_time = models.TimeField(_("first meeting starts at"), default=dt.time(8, 30))
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=30)
    slots_per_day = models.PositiveSmallIntegerField(_("meetings per day"), default=8)
    # [["10:00", "10:15"], ["11:30", "13:30"]]: no meeting overlaps a break.
    breaks = models.JSONField(_("breaks"), default=list, blank=True)
    tables = models.PositiveSmallIntegerField(_("tables or online rooms"), default=10)
    registration_opens_on = models.DateField(_("registration opens on"))
    registration_closes_on = models.DateField(_("registration closes on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("timetable built at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminders sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-first_day", "-id"]
        verbose_name = _("connection session")
        verbose_name_plural = _("connection sessions")
        indexes = [models.Index(fields=["province", "-first_day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_on__gte=models.F("registration_opens_on")),
                name="session_registration_window",
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="session_at_least_one_day"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        """The title in the reader's language: the English one for English readers, if given."""
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def slot_times(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Start and end of every slot (aware, in the session's zone), slot 0 first."""
        breaks = [(dt.time.fromisoformat(a), dt.time.fromisoformat(b)) for a, b in self.breaks]
        length = dt.timedelta(minutes=self.slot_minutes)
        found = []
        for day in range(self.days):
            date = self.first_day + dt.timedelta(days=day)
            start = dt.datetime.combine(date, self.start_time, tzinfo=self.zone)
            end_of_day = dt.datetime.combine(date, dt.time(23, 59), tzinfo=self.zone)
            taken = 0
            while taken < self.slots_per_day and start + length <= end_of_day:
                end = start + length
                clash = next(
                    (
                        b
                        for a, b in breaks
                        if start.time() < b and a < end.time()  # the slot overlaps the break
                    ),
                    None,
                )
                if clash is not None:
                    start = dt.datetime.combine(date, clash, tzinfo=self.zone)
                    continue
                found.append((start, end))
                taken += 1
                start = end
        return found

    def is_registration_open(self, today: dt.date) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.registration_opens_on <= today <= self.registration_closes_on
        )

    @property
    def place(self) -> str:
        return self.online_link if self.is_online else self.venue


class Interpreter(models.Model):
    """Interpreters of one language: how many meetings of that language can run at once."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="interpreters")
    language = models.CharField(_("language"), max_length=8)
    count = models.PositiveSmallIntegerField(_("interpreters"), default=1)

    class Meta:
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "language"], name="interpreter_one_row_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} x{self.count}"


class Registration(models.Model):
    """A firm registered with its demands, or a representation invited with its offers."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        REPRESENTATION = "representation", _("representation")

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        REGISTERED = "registered", _("registered")
        WITHDRAWN = "withdrawn", _("withdrawn")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="session_registrations",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED
    )
    demands = models.ManyToManyField(
        "demands.Demand", verbose_name=_("demands brought"), blank=True, related_name="+"
    )
    offers = models.ManyToManyField(
        "offers.Offer", verbose_name=_("offers brought"), blank=True, related_name="+"
    )
    unavailable_slots = models.JSONField(_("slots not available"), default=list, blank=True)
    interpreter_language = models.CharField(_("needs an interpreter of"), max_length=8, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "organization__name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization"], name="registration_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.session_id}"

    @property
    def person(self) -> str:
        """Who the timetable keeps from being in two places: the organisation."""
        return f"org{self.organization_id}"


class MeetingRequest(models.Model):
    """A meeting between a registered firm and a representation, and what became of it."""

    class Asker(models.TextChoices):
        ENGINE = "engine", _("proposed by the portal")
        ENTERPRISE = "enterprise", _("asked by the enterprise")
        REPRESENTATION = "representation", _("asked by the representation")
        STAFF = "staff", _("added by staff")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        DROPPED = "dropped", _("dropped")

    class Answer(models.TextChoices):
        PENDING = "pending", _("no answer yet")
        YES = "yes", _("yes")
        NO = "no", _("no")

    class Outcome(models.TextChoices):
        NONE = "", _("not recorded")
        FOLLOW_UP = "follow_up", _("follow up")
        NOT_NOW = "not_now", _("not now")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="requests")
    firm = models.ForeignKey(
        Registration, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    representation = models.ForeignKey(
        Registration, verbose_name=_("representation"), on_delete=models.CASCADE, related_name="+"
    )
    demand = models.ForeignKey(
        "demands.Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer = models.ForeignKey(
        "offers.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match = models.ForeignKey(
        "matching.Match", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_by = models.CharField(_("asked by"), max_length=16, choices=Asker.choices)
    asked_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("why meet"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    enterprise_answer = models.CharField(max_length=8, choices=Answer.choices, default="pending")
    representation_answer = models.CharField(
        max_length=8, choices=Answer.choices, default="pending"
    )
    value = models.FloatField(_("value"), default=1.0)
    pinned_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    pinned_table = models.PositiveSmallIntegerField(null=True, blank=True)
    slot = models.PositiveSmallIntegerField(_("slot"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    unplaced_reason = models.CharField(max_length=20, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    enterprise_outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default="", blank=True
    )
    enterprise_note = models.TextField(_("enterprise's note"), max_length=2000, blank=True)
    representation_outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default="", blank=True
    )
    representation_note = models.TextField(_("representation's note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-value", "id"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        indexes = [models.Index(fields=["session", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "demand", "offer"],
                condition=Q(demand__isnull=False) & Q(offer__isnull=False),
                name="meeting_request_one_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(table__isnull=True) | Q(slot__isnull=False),
                name="meeting_request_table_needs_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} ↔ {self.representation_id} ({self.status})"

    @property
    def is_placed(self) -> bool:
        return self.slot is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_slot is not None
