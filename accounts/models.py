from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$",
    _("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits for a branch."),
)


class Role(models.TextChoices):
    """What a user may do follows from the kind of their organisation."""

    ENTERPRISE = "enterprise", _("enterprise member")
    STAFF = "staff", _("provincial S&T staff")
    REPRESENTATIVE = "representative", _("overseas S&T representative")
    COORDINATOR = "coordinator", _("national coordinator")
    ADMIN = "admin", _("administrator")
    NONE = "none", _("no role")


class Organization(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("provincial S&T department")
        REPRESENTATION = "representation", _("overseas S&T representation")
        NATIONAL_UNIT = "national_unit", _("national coordinating unit")
        RESEARCH_INSTITUTE = "research_institute", _("university or research institute")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        ACTIVE = "active", _("active")
        REJECTED = "rejected", _("rejected")

    class Size(models.TextChoices):
        MICRO = "micro", _("micro (under 10 staff)")
        SMALL = "small", _("small (10-100 staff)")
        MEDIUM = "medium", _("medium (100-200 staff)")
        LARGE = "large", _("large (over 200 staff)")

    DOMESTIC_KINDS = (
        Kind.ENTERPRISE,
        Kind.PROVINCIAL_DEPARTMENT,
        Kind.RESEARCH_INSTITUTE,
    )
    ROLE_BY_KIND = {
        Kind.ENTERPRISE: Role.ENTERPRISE,
        Kind.RESEARCH_INSTITUTE: Role.ENTERPRISE,
        Kind.PROVINCIAL_DEPARTMENT: Role.STAFF,
        Kind.REPRESENTATION: Role.REPRESENTATIVE,
        Kind.NATIONAL_UNIT: Role.COORDINATOR,
    }

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    province = models.ForeignKey(
        "portal.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    country = CountryField(_("host country"), blank=True)
    tax_code = models.CharField(
        _("tax code"), max_length=14, blank=True, validators=[tax_code_validator]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    main_industry = models.CharField(_("main industry"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["province", "kind", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~Q(tax_code=""),
                name="organization_unique_tax_code",
            ),
            models.CheckConstraint(
                name="organization_domestic_has_province",
                condition=~Q(kind__in=["enterprise", "provincial_department", "research_institute"])
                | Q(province__isnull=False),
            ),
            models.CheckConstraint(
                name="organization_representation_has_country",
                condition=~Q(kind="representation") | ~Q(country=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organization_detail", args=[self.pk])

    @property
    def role(self) -> str:
        return self.ROLE_BY_KIND.get(self.kind, Role.NONE)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person; signs in with their email. The role follows from their organisation."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Empty: not chosen yet; pages and mails then follow the portal's default (Vietnamese).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and emails are shown in this language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times are shown in this zone; empty means Vietnam's time."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.email

    @property
    def role(self) -> str:
        if self.is_superuser and self.organization_id is None:
            return Role.ADMIN
        if self.organization is None or not self.organization.is_active:
            return Role.NONE
        return self.organization.role

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def province_id(self) -> int | None:
        return self.organization.province_id if self.organization_id else None
