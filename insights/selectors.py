"""Scopes of the cross-app reads: which provinces' figures a user may read."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.permissions import role_of
from portal.models import Province


def report_provinces_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The provinces whose figures `user` may read in a report."""
    queryset = Province.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(pk=user.province_id)
    return queryset.none()
