"""Saved searches, the digests sent for them and the records each digest delivered."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SavedSearch(models.Model):
    """A list's query string kept under a name, with how often its new records are sent."""

    class Target(models.TextChoices):
        OFFERS = "offers", _("technology offers")
        DEMANDS = "demands", _("technology demands")

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("as soon as published")
        DAILY = "daily", _("daily digest")
        WEEKLY = "weekly", _("weekly digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=120)
    target = models.CharField(_("list"), max_length=10, choices=Target.choices)
    # The list's query string, validated by its FilterSet and normalised (sorted, no page).
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    frequency = models.CharField(
        _("alerts"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    is_active = models.BooleanField(_("alerts on"), default=True)
    # A representative's automatic alert: new demands in the fields its offers cover (the
    # fields are read when it runs, so it follows the offers without being rewritten).
    is_default = models.BooleanField(_("automatic"), default=False)
    last_run_at = models.DateTimeField(_("last looked for new records"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target", "query"],
                condition=Q(is_default=False),
                name="alerts_one_saved_search_per_query",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="alerts_one_default_per_user"
            ),
        ]
        indexes = [models.Index(fields=["frequency", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alerts:detail", args=[self.pk])

    @property
    def list_url(self) -> str:
        """The list this search was saved from, with its filters."""
        base = reverse("offers:catalog" if self.target == self.Target.OFFERS else "demands:list")
        return f"{base}?{self.query}" if self.query else base


class Digest(models.Model):
    """One alert sent for a saved search and period: the row that makes sending idempotent."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(_("period"), max_length=40)  # "d:2026-12-04", "w:2026-W49", ...
    record_count = models.PositiveIntegerField(_("records"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "period"], name="alerts_one_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search} {self.period}"


class Hit(models.Model):
    """A record a digest delivered: never delivered twice for the same saved search."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="hits")
    record_id = models.BigIntegerField(_("record"))  # an Offer or a Demand, by the search's target
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert hit")
        verbose_name_plural = _("alert hits")
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "record_id"], name="alerts_one_hit_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search} #{self.record_id}"
