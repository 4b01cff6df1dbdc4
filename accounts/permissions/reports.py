"""Reports and dashboards' figures: provincial staff for their province, the national unit
(coordinator, admin) for every province; nobody else."""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from accounts.models import Role

from .core import is_national, is_staff, role_of

rules.add_rule("report.province", is_staff | is_national)
rules.add_rule("report.national", is_national)


def report_provinces_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The provinces whose figures `user` may read in a report."""
    if queryset is None:
        from portal.models import Province

        queryset = Province.objects.all()
    role = role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(pk=user.province_id)
    return queryset.none()
