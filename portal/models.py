"""Shared reference data: provinces, the S&T field taxonomy, TRL and cooperation types.

Each carries its Vietnamese and English name; `name` answers in the active language. Also the
abstract shapes that several apps' records share (a status change, an attached file).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Province(BilingualName):
    class Kind(models.TextChoices):
        CITY = "city", _("centrally-run city")
        PROVINCE = "province", _("province")

    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    merged_from = models.CharField(_("merged from (2025)"), max_length=300, blank=True)

    class Meta:
        ordering = ["name_vi"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Field(BilingualName):
    """A field of the S&T classification (OECD FOS 2007): six areas, each with its fields."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("S&T field")
        verbose_name_plural = _("S&T fields")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_area(self) -> bool:
        return self.parent_id is None


class TechnologyReadinessLevel(BilingualName):
    level = models.PositiveSmallIntegerField(_("level"), primary_key=True)
    description_vi = models.CharField(_("description (Vietnamese)"), max_length=300)
    description_en = models.CharField(_("description (English)"), max_length=300)

    class Meta:
        ordering = ["level"]
        verbose_name = _("technology readiness level")
        verbose_name_plural = _("technology readiness levels")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=9), name="trl_level_1_to_9"
            )
        ]

    def __str__(self) -> str:
        return f"TRL {self.level}: {self.name}"

    @property
    def description(self) -> str:
        lang = get_language() or "vi"
        return self.description_en if lang.startswith("en") else self.description_vi


class CooperationType(BilingualName):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("cooperation type")
        verbose_name_plural = _("cooperation types")

    def __str__(self) -> str:
        return self.name


class StatusEvent(models.Model):
    """One row per status change of a record: who, when, from, to, note. A concrete event
    adds the record's foreign key (related_name "events", which portal.states writes through)
    and `from_status` / `to_status` with the record's status choices."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} ({self.created_at:%Y-%m-%d})"


class Attachment(models.Model):
    """A file attached to a record, stored under a random name (`file`'s upload_to, per app);
    the name the user gave is kept in the row only."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
