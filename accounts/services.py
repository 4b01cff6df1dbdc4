"""Writes for accounts: self-registration, approval, invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import permissions
from .models import Organization, User


@transaction.atomic
def enterprise_register(*, organization: Organization, email: str, password: str,
                        full_name: str, phone: str = "") -> User:
    """Create a pending enterprise and its first member; staff of its province approve it."""
    organization.status = Organization.Status.PENDING
    organization.full_clean()
    organization.save()
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, phone=phone,
        organization=organization,
    )
    staff_emails = list(
        User.objects.filter(
            is_active=True,
            organization__kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            organization__province_id=organization.province_id,
        ).values_list("email", flat=True)
    )
    if staff_emails:
        transaction.on_commit(lambda: _send(
            "accounts/email/registration_pending", staff_emails,
            {"organization": organization, "url": settings.SITE_URL + reverse("accounts:pending")},
        ))
    return user


@transaction.atomic
def organization_review(*, organization: Organization, by: User, approve: bool,
                        note: str = "") -> Organization:
    """Approve or reject a pending registration and tell its members."""
    permissions.require(by, "organization.approve", organization)
    organization.status = (
        Organization.Status.ACTIVE if approve else Organization.Status.REJECTED
    )
    organization.review_note = note
    organization.reviewed_by = by
    organization.reviewed_at = timezone.now()
    organization.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    emails = list(organization.members.values_list("email", flat=True))
    transaction.on_commit(lambda: _send(
        "accounts/email/registration_reviewed", emails,
        {"organization": organization, "approved": approve, "note": note,
         "url": settings.SITE_URL + reverse("accounts:login")},
    ))
    return organization


def user_invite(*, user: User) -> None:
    """Email a link with which an invited user sets their password and signs in."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = settings.SITE_URL + reverse("accounts:invitation", args=[uid, token])
    _send("accounts/email/invitation", [user.email], {"user": user, "url": url})


def _send(template: str, recipients: list[str], context: dict) -> None:
    if not recipients:
        return
    # Emails go out in the portal's first language: recipients have not chosen one yet.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, recipients)
