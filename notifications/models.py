"""In-app notifications and each person's choice of emails."""

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DEMAND_RETURNED = "demand_returned", _("my demand was returned for changes")
    DEMAND_PUBLISHED = "demand_published", _("my demand was published")
    INTRODUCTION = "introduction", _("a new introduction")
    ANSWER = "answer", _("an answer to an introduction")
    MEETING = "meeting", _("a meeting was scheduled or changed")
    AGREEMENT = "agreement", _("an agreement was recorded")
    REMINDER = "reminder", _("a reminder to answer an introduction")
    DIGEST = "digest", _("the weekly digest of matches awaiting review")
    OFFER_EXPIRING = "offer_expiring", _("my offer is about to expire")
    MESSAGE = "message", _("a new message on a connection")
    ALERT = "alert", _("new records for my saved searches")
    EXPORT = "export", _("an export I asked for is ready or failed")


class AccountMail(StrEnum):
    """Mails about an account or an invitation: always sent, whatever the preferences say."""

    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"
    REGISTRATION_PENDING = "registration_pending"
    REGISTRATION_REVIEWED = "registration_reviewed"
    CAMPAIGN_INVITATION = "campaign_invitation"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class EmailPreference(models.Model):
    """Which emails a person gets; a missing row means all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    muted_kinds = models.JSONField(_("emails turned off"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants(self, kind: str) -> bool:
        return kind not in self.muted_kinds
