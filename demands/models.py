"""Enterprise technology demands, their history, attachments and survey campaigns."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.i18n import Reading, reading
from portal.models import Attachment, StatusEvent
from portal.states import Workflow


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public: every signed-in user sees it whole")
    ANONYMISED = "anonymised", _("anonymised: others see it without the firm's identity")
    CONFIDENTIAL = "confidential", _("confidential: only the firm and its province's staff")


class SurveyCampaign(models.Model):
    """A province's yearly survey of enterprise technology needs."""

    province = models.ForeignKey(
        "portal.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    intro = models.TextField(_("introduction"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-opens_on"]
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("demands:campaign_detail", args=[self.pk])


class CampaignInvitation(models.Model):
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="campaign_invitations",
    )
    email = models.EmailField(_("email"))
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)

    class Meta:
        ordering = ["invited_at"]
        verbose_name = _("campaign invitation")
        verbose_name_plural = _("campaign invitations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="campaign_invitation_once"),
        ]

    def __str__(self) -> str:
        return self.email


class Demand(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for changes")
        PUBLISHED = "published", _("published")
        IN_CONNECTION = "in_connection", _("in connection")
        FULFILLED = "fulfilled", _("fulfilled")
        CLOSED = "closed", _("closed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")

    class StaffCapacity(models.TextChoices):
        NONE = "none", _("no technical staff yet")
        BASIC = "basic", _("technicians who can operate it after training")
        SKILLED = "skilled", _("engineers who can adapt and maintain it")

    class Investment(models.TextChoices):
        OWN_FUNDS = "own_funds", _("own funds ready")
        LOAN = "loan", _("bank loan or partner investment")
        NEEDS_SUPPORT = "needs_support", _("needs public support")

    # Status groups, each defined here only (permission rules, selectors and figures use them).
    # Live: published and still wanted. These are matched, reviewed and counted as open.
    LIVE_STATUSES = (Status.PUBLISHED, Status.IN_CONNECTION)
    # Not yet ended: the firm may still withdraw it, and it expires past its wanted-by date.
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, *LIVE_STATUSES)
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    # Visible outside the firm and its province's staff (subject to visibility).
    LISTED_STATUSES = (*LIVE_STATUSES, Status.FULFILLED)

    # Every allowed move, declared once: demands.services.demand_transition checks it.
    WORKFLOW = Workflow(
        {
            Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN, Status.EXPIRED},
            Status.RETURNED: {Status.SUBMITTED, Status.WITHDRAWN, Status.EXPIRED},
            Status.SUBMITTED: {
                Status.RETURNED,
                Status.PUBLISHED,
                Status.WITHDRAWN,
                Status.EXPIRED,
            },
            Status.PUBLISHED: {
                Status.IN_CONNECTION,
                Status.FULFILLED,
                Status.CLOSED,
                Status.WITHDRAWN,
                Status.EXPIRED,
            },
            Status.IN_CONNECTION: {
                Status.FULFILLED,
                Status.CLOSED,
                Status.WITHDRAWN,
                Status.EXPIRED,
            },
        },
        refusal=_("A demand that is %(status)s cannot move to %(to)s."),
    )

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    # Copied from the enterprise on creation: every access rule and list filters by it.
    province = models.ForeignKey(
        "portal.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    campaign = models.ForeignKey(
        SurveyCampaign,
        verbose_name=_("survey campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=255)
    # The firm's own English version for readers abroad (optional; shown to English readers).
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    summary_en = models.TextField(_("summary in English"), max_length=2000, blank=True)
    # Text sizes: max_length on a TextField is not a database limit, but forms, the API and
    # the importer enforce it (an 11 MB text otherwise reaches search and the embedder).
    problem = models.TextField(_("problem to solve"), max_length=4000, blank=True)
    current_situation = models.TextField(
        _("current technology and situation"), max_length=4000, blank=True
    )
    expected_result = models.TextField(
        _("expected result and technical specifications"), max_length=4000, blank=True
    )
    fields = models.ManyToManyField(
        "portal.Field", verbose_name=_("S&T fields"), blank=True, related_name="demands"
    )
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    cooperation = models.ManyToManyField(
        "portal.CooperationType",
        verbose_name=_("cooperation wanted"),
        blank=True,
        related_name="demands",
    )
    trl_min = models.ForeignKey(
        "portal.TechnologyReadinessLevel",
        verbose_name=_("minimum TRL"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget_min_vnd = models.BigIntegerField(_("budget from (VND)"), null=True, blank=True)
    budget_max_vnd = models.BigIntegerField(_("budget up to (VND)"), null=True, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    preferred_countries = CountryField(_("preferred countries"), multiple=True, blank=True)
    capacity_staff = models.CharField(
        _("technical staff"), max_length=10, choices=StaffCapacity.choices, blank=True
    )
    capacity_has_space = models.BooleanField(_("has space and utilities for it"), default=False)
    capacity_investment = models.CharField(
        _("investment ability"), max_length=15, choices=Investment.choices, blank=True
    )
    capacity_note = models.TextField(
        _("capacity to absorb the technology"), max_length=2000, blank=True
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.ANONYMISED
    )
    language = models.CharField(_("language"), max_length=5, default="vi")
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    review_note = models.TextField(_("review note"), max_length=2000, blank=True)
    # Lower-case, accent-folded copy of the texts: "che" finds "chè" on every database.
    search_text = models.TextField(editable=False, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("technology demand")
        verbose_name_plural = _("technology demands")
        indexes = [
            models.Index(fields=["province", "status", "-updated_at"]),
            models.Index(fields=["organization", "-updated_at"]),
            models.Index(fields=["status", "-published_at"]),
            # The API's order over the live statuses (two values: the index above cannot sort).
            models.Index(fields=["-published_at", "-id"], name="demand_published_at_idx"),
            # The matching worker asks "what changed since I last looked?" on every match.
            models.Index(fields=["-updated_at"], name="demand_updated_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min_vnd__isnull=True)
                | Q(budget_max_vnd__isnull=True)
                | Q(budget_max_vnd__gte=models.F("budget_min_vnd")),
                name="demand_budget_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("demands:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        """The title in the reader's language where the firm gave one, else the original."""
        return self.reading("title").text

    def reading(self, part: str = "title") -> Reading:
        """The title, or the summary (the problem to solve), as the active language's reader
        sees it."""
        if part == "title":
            return reading(self.title, self.language, {"en": self.title_en})
        return reading(self.problem, self.language, {"en": self.summary_en})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class DemandEvent(StatusEvent):
    """One row per status change: who, when, from, to, note."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=15, choices=Demand.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=15, choices=Demand.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")


def attachment_path(instance, filename: str) -> str:
    # A random name: the original name is kept in the row, never used on disk.
    return f"attachments/demands/{uuid.uuid4().hex}"


class DemandAttachment(Attachment):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    class Meta(Attachment.Meta):
        pass


def export_path(instance, filename: str) -> str:
    # A random name outside any public URL: the file is served only to its requester.
    return f"exports/demands/{uuid.uuid4().hex}.{instance.format}"


class DemandExport(models.Model):
    """A large export of the demand list, prepared by the worker for the one user who asked.

    The filters are kept as the list's query string and applied again, within the requester's
    scope, when the file is written; the file expires with the row (`expires_at`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=10)
    row_count = models.PositiveIntegerField(_("demands"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=100)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("demand export")
        verbose_name_plural = _("demand exports")
        indexes = [
            models.Index(fields=["requested_by", "status"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("demands:export_status", args=[self.pk])
