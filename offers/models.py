"""Foreign technology offers posted by Vietnam's S&T representations abroad."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.i18n import Reading, reading
from portal.models import Attachment, StatusEvent
from portal.states import Workflow


class Offer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class ProviderType(models.TextChoices):
        COMPANY = "company", _("company")
        UNIVERSITY = "university", _("university")
        RESEARCH_INSTITUTE = "research_institute", _("research institute")
        OTHER = "other", _("other")

    class IPStatus(models.TextChoices):
        PATENT_GRANTED = "patent_granted", _("patent granted")
        PATENT_PENDING = "patent_pending", _("patent pending")
        KNOW_HOW = "know_how", _("know-how / trade secret")
        NONE = "none", _("no protection")

    # Live: in the catalogue, matched against demands.
    LIVE_STATUSES = (Status.PUBLISHED,)

    # Every allowed move, declared once: offers.services.offer_transition checks it.
    WORKFLOW = Workflow(
        {
            Status.DRAFT: {Status.PUBLISHED, Status.ARCHIVED},
            Status.PUBLISHED: {Status.ARCHIVED},
            Status.ARCHIVED: {Status.PUBLISHED},  # re-published
        },
        refusal=_("An offer that is %(status)s cannot move to %(to)s."),
    )

    representation = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("representation"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        blank=True,
        help_text=_("Your own reference for this offer; imports use it to update, not duplicate."),
    )
    provider_name = models.CharField(_("provider"), max_length=255)
    provider_type = models.CharField(
        _("provider type"),
        max_length=20,
        choices=ProviderType.choices,
        default=ProviderType.COMPANY,
    )
    provider_country = CountryField(_("provider country"))
    provider_website = models.URLField(_("provider website"), blank=True)
    title = models.CharField(_("title (original language)"), max_length=255)
    # Text sizes: max_length on a TextField is not a database limit, but forms, the API and
    # the importer enforce it (an 11 MB text otherwise reaches search and the embedder).
    summary = models.TextField(_("summary (original language)"), max_length=2000, blank=True)
    title_vi = models.CharField(_("title in Vietnamese"), max_length=255, blank=True)
    summary_vi = models.TextField(_("summary in Vietnamese"), max_length=2000, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    advantages = models.TextField(_("advantages and innovations"), max_length=4000, blank=True)
    applications = models.TextField(_("applications"), max_length=4000, blank=True)
    fields = models.ManyToManyField(
        "portal.Field", verbose_name=_("S&T fields"), blank=True, related_name="offers"
    )
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    trl = models.ForeignKey(
        "portal.TechnologyReadinessLevel",
        verbose_name=_("TRL"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_status = models.CharField(
        _("IP status"), max_length=20, choices=IPStatus.choices, blank=True
    )
    patent_numbers = models.CharField(_("patent numbers"), max_length=300, blank=True)
    cooperation = models.ManyToManyField(
        "portal.CooperationType",
        verbose_name=_("cooperation offered"),
        blank=True,
        related_name="offers",
    )
    terms = models.TextField(_("indicative terms"), max_length=2000, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source_url = models.URLField(_("source link"), blank=True, max_length=500)
    language = models.CharField(_("language"), max_length=5, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Lower-case, accent-folded copy of the texts (both languages) for accent-blind search.
    search_text = models.TextField(editable=False, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("technology offer")
        verbose_name_plural = _("technology offers")
        indexes = [
            # The catalogue's order, with the id: a page's ids from the index alone.
            models.Index(fields=["status", "-published_at", "-id"], name="offer_catalogue_idx"),
            models.Index(fields=["representation", "status", "-updated_at"]),
            models.Index(fields=["status", "valid_until"]),
            # The matching worker asks "what changed since I last looked?" on every match.
            models.Index(fields=["-updated_at"], name="offers_updated_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["representation", "provider_name", "external_ref"],
                condition=~Q(external_ref=""),
                name="offer_unique_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offers:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        """The title in the reader's language where the author gave one, else the original."""
        return self.reading("title").text

    def reading(self, part: str = "title") -> Reading:
        """The title or summary as the active language's reader sees it."""
        if part == "title":
            return reading(self.title, self.language, {"vi": self.title_vi})
        return reading(self.summary, self.language, {"vi": self.summary_vi})


class OfferEvent(StatusEvent):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=10, choices=Offer.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Offer.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("offer event")
        verbose_name_plural = _("offer events")


def attachment_path(instance, filename: str) -> str:
    return f"attachments/offers/{uuid.uuid4().hex}"


class OfferAttachment(Attachment):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    class Meta(Attachment.Meta):
        pass
