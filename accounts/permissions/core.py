"""Who the user is, organisation rules, and the `can` / `require` entry points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import Organization, Role

if TYPE_CHECKING:
    from accounts.models import User

# --- who the user is ---------------------------------------------------------------------


def role_of(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    return user.role


@rules.predicate
def is_enterprise(user) -> bool:
    return role_of(user) == Role.ENTERPRISE


@rules.predicate
def is_staff(user) -> bool:
    return role_of(user) == Role.STAFF


@rules.predicate
def is_representative(user) -> bool:
    return role_of(user) == Role.REPRESENTATIVE


@rules.predicate
def is_coordinator(user) -> bool:
    return role_of(user) == Role.COORDINATOR


@rules.predicate
def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


is_national = is_coordinator | is_admin


def status_in(*statuses):
    """The object's status is one of `statuses` (pass the app's own enum members)."""

    @rules.predicate(name=f"status_in{tuple(str(s) for s in statuses)}")
    def check(user, obj) -> bool:
        return obj.status in statuses

    return check


# --- where the object belongs --------------------------------------------------------------


@rules.predicate
def in_users_province(user, obj) -> bool:
    """The object (anything with `province_id`) lies in the user's province."""
    province_id = getattr(obj, "province_id", None)
    return province_id is not None and province_id == user.province_id


@rules.predicate
def is_own_organization(user, obj) -> bool:
    return obj is not None and obj.pk == user.organization_id


@rules.predicate
def is_pending_registration(user, obj) -> bool:
    return obj.status == Organization.Status.PENDING and obj.kind in (
        Organization.Kind.ENTERPRISE,
        Organization.Kind.RESEARCH_INSTITUTE,
    )


# --- organisations ---------------------------------------------------------------------------

rules.add_rule(
    "organization.view",
    is_national | (is_staff & in_users_province) | is_own_organization,
)
rules.add_rule("organization.edit", is_admin | (is_enterprise & is_own_organization))
rules.add_rule(
    "organization.approve",
    is_pending_registration & (is_admin | (is_staff & in_users_province)),
)
rules.add_rule("organization.list_pending", is_staff | is_admin)
# The Django admin site (the menu link; the site itself checks is_staff/superuser).
rules.add_rule("site.administer", is_admin)


def organizations_visible_to(user: User, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organization.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(Q(province_id=user.province_id) | Q(pk=user.organization_id))
    if role in (Role.ENTERPRISE, Role.REPRESENTATIVE):
        return queryset.filter(pk=user.organization_id)
    return queryset.none()


def pending_registrations_for(user: User) -> QuerySet:
    """Enterprises awaiting approval that this user may approve."""
    pending = Organization.objects.filter(
        status=Organization.Status.PENDING,
        kind__in=[Organization.Kind.ENTERPRISE, Organization.Kind.RESEARCH_INSTITUTE],
    )
    role = role_of(user)
    if role == Role.ADMIN:
        return pending
    if role == Role.STAFF:
        return pending.filter(province_id=user.province_id)
    return pending.none()


# --- the API the rest of the portal calls ------------------------------------------------------


def can(user, action: str, obj: Any = None) -> bool:
    """May `user` perform `action` (e.g. "organization.approve") on `obj`?"""
    if role_of(user) == Role.NONE:
        return False
    return rules.test_rule(action, user, obj)


def require(user, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(action)
