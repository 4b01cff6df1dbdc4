"""Writes for accounts: self-registration, approval, invitations."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.models import AccountMail
from notifications.services import send_mail
from portal.i18n import (  # noqa: F401  in_language_of, language_of: re-exported for other apps
    in_language_of,
    language_from_accept,
    language_of,
    supported_language,
)

from . import permissions
from .models import Organization, User

logger = logging.getLogger(__name__)

# The reader's language, for apps that render for someone else (a mail, a notification):
# `language_of(user)` ("vi"/"en") and `with in_language_of(user):` (language and time zone),
# defined in portal.i18n so that notifications, below accounts, follows the same rule.

# Password-reset emails: (requests, seconds). Enough for a person who mistyped or lost a mail,
# too few to flood an inbox or to use the portal as a mail cannon from one address.
PASSWORD_RESET_PER_ADDRESS = (3, 3600)
PASSWORD_RESET_PER_IP = (10, 3600)


@transaction.atomic
def enterprise_register(
    *,
    organization: Organization,
    email: str,
    password: str,
    full_name: str,
    phone: str = "",
    language: str = "",
) -> User:
    """Create a pending enterprise and its first member; staff of its province approve it.
    `language`: the one the person's browser asked for (their preference from then on)."""
    organization.status = Organization.Status.PENDING
    organization.full_clean()
    organization.save()
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        phone=phone,
        organization=organization,
        language=supported_language(language),
    )
    staff = User.objects.filter(
        is_active=True,
        organization__kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
        organization__province_id=organization.province_id,
    )
    send_mail(
        to=staff,
        template="accounts/email/registration_pending",
        context={
            "organization": organization,
            "url": settings.SITE_URL + reverse("accounts:pending"),
        },
        kind=AccountMail.REGISTRATION_PENDING,
    )
    return user


@transaction.atomic
def organization_review(
    *, organization: Organization, by: User, approve: bool, note: str = ""
) -> Organization:
    """Approve or reject a pending registration and tell its members."""
    permissions.require(by, "organization.approve", organization)
    organization.status = Organization.Status.ACTIVE if approve else Organization.Status.REJECTED
    organization.review_note = note
    organization.reviewed_by = by
    organization.reviewed_at = timezone.now()
    organization.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    send_mail(
        to=organization.members.all(),
        template="accounts/email/registration_reviewed",
        context={
            "organization": organization,
            "approved": approve,
            "note": note,
            "url": settings.SITE_URL + reverse("accounts:login"),
        },
        kind=AccountMail.REGISTRATION_REVIEWED,
    )
    return organization


def user_invite(*, user: User) -> None:
    """Email (after commit) a link with which an invited user sets their password and signs in."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = settings.SITE_URL + reverse("accounts:invitation", args=[uid, token])
    send_mail(
        to=[user],
        template="accounts/email/invitation",
        context={"user": user, "url": url},
        kind=AccountMail.INVITATION,
    )


def normalise_email(email: str) -> str:
    """The one spelling of an address: emails are stored lower-case and matched without case."""
    return (email or "").strip().lower()


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: every way in (the login page, the admin's) shares one counter
    per account, whatever the letter case typed."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(username) if isinstance(username, str) else username


def password_reset_allowed(*, email: str, ip: str | None) -> bool:
    """Count one reset request against its address and its IP; False once either is over.

    Fixed windows in the cache. A cache that is down fails open: resets still work, unlimited
    for the while, rather than nobody being able to recover a password."""
    email_key = hashlib.sha256(
        normalise_email(email).encode()
    ).hexdigest()  # no address in the cache
    counts = [
        (
            _count(f"password-reset:address:{email_key}", PASSWORD_RESET_PER_ADDRESS[1]),
            PASSWORD_RESET_PER_ADDRESS[0],
        ),
        (
            _count(f"password-reset:ip:{ip or 'unknown'}", PASSWORD_RESET_PER_IP[1]),
            PASSWORD_RESET_PER_IP[0],
        ),
    ]
    allowed = all(count is None or count <= limit for count, limit in counts)
    if not allowed:
        logger.warning("Password reset refused over the limit, from %s", ip)
    return allowed


def _count(key: str, window: int) -> int | None:
    """This request's number in the window, or None when the cache cannot tell."""
    try:
        cache.add(key, 0, timeout=window)  # starts the window; no-op while it runs
        return cache.incr(key)
    except Exception:  # any cache failure: fail open (see above)
        logger.warning("Password reset limit not counted: the cache is unavailable", exc_info=True)
        return None


def user_language_set(*, user: User, language: str) -> bool:
    """Save `user`'s language (from the switcher or the profile); False if not one we speak."""
    language = supported_language(language)
    if not language or not user.is_authenticated:
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True
