"""Demands and survey campaigns.

A demand is seen whole by its firm, by staff of its province and by national coordinators
(not while it is a draft: a draft is the firm's own). Everyone else signed in sees it only once
published, and then by its visibility: public whole, anonymised without the firm's identity,
contact and attachments, confidential not at all.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role

from .core import (
    can,
    in_users_province,
    is_admin,
    is_coordinator,
    is_enterprise,
    is_national,
    is_staff,
    role_of,
)

# Status and visibility values, spelled here so this module imports no other app's models.
DRAFT = "draft"
EDITABLE = ("draft", "returned")
SUBMITTABLE = ("draft", "returned")
OPEN = ("draft", "submitted", "returned", "published", "in_connection")
LISTED = ("published", "in_connection", "fulfilled")
PUBLIC, CONFIDENTIAL = "public", "confidential"


@rules.predicate
def is_own_demand(user, demand) -> bool:
    return demand.organization_id == user.organization_id


@rules.predicate
def is_not_draft(user, demand) -> bool:
    return demand.status != DRAFT


@rules.predicate
def is_listed_for_others(user, demand) -> bool:
    return demand.status in LISTED and demand.visibility != CONFIDENTIAL


@rules.predicate
def is_public(user, demand) -> bool:
    return demand.visibility == PUBLIC


def status_in(*statuses):
    @rules.predicate(name=f"status_in{statuses}")
    def check(user, obj) -> bool:
        return obj.status in statuses

    return check


province_staff = is_staff & in_users_province
insiders = (is_enterprise & is_own_demand) | ((province_staff | is_national) & is_not_draft)

rules.add_rule("demand.view", insiders | is_listed_for_others)
rules.add_rule("demand.view_identity", insiders | (is_listed_for_others & is_public))
rules.add_rule("demand.create", is_enterprise)
rules.add_rule("demand.edit", is_enterprise & is_own_demand & status_in(*EDITABLE))
rules.add_rule("demand.submit", is_enterprise & is_own_demand & status_in(*SUBMITTABLE))
rules.add_rule("demand.withdraw", is_enterprise & is_own_demand & status_in(*OPEN))
rules.add_rule("demand.publish", province_staff & status_in("submitted"))
rules.add_rule("demand.return", province_staff & status_in("submitted"))
rules.add_rule("demand.close", province_staff & status_in("published", "in_connection"))
rules.add_rule("demand.fulfil", province_staff & status_in("published", "in_connection"))
rules.add_rule("demand.mark_in_connection", province_staff & status_in("published"))
# The timeline and the review note name the people involved: insiders only.
rules.add_rule("demand.view_history", insiders)
rules.add_rule("demand.import", is_staff)
rules.add_rule("demand.list_province", is_staff | is_coordinator | is_admin)

rules.add_rule("campaign.create", is_staff)
rules.add_rule("campaign.manage", province_staff)
rules.add_rule("campaign.view", province_staff | is_national)


def demands_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every demand `user` may open: the scope of lists, exports, search and the API."""
    if queryset is None:
        from demands.models import Demand

        queryset = Demand.objects.all()
    role = role_of(user)
    listed = Q(status__in=LISTED) & ~Q(visibility=CONFIDENTIAL)
    if role == Role.ADMIN or role == Role.COORDINATOR:
        return queryset.exclude(status=DRAFT)
    if role == Role.STAFF:
        return queryset.filter((Q(province_id=user.province_id) & ~Q(status=DRAFT)) | listed)
    if role == Role.ENTERPRISE:
        return queryset.filter(Q(organization_id=user.organization_id) | listed)
    if role == Role.REPRESENTATIVE:
        return queryset.filter(listed)
    return queryset.none()


def demand_shows_identity(user, demand) -> bool:
    """Whether the firm's name, contact and attachments may be shown to `user`."""
    return can(user, "demand.view_identity", demand)


def campaigns_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    if queryset is None:
        from demands.models import SurveyCampaign

        queryset = SurveyCampaign.objects.all()
    role = role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(province_id=user.province_id)
    return queryset.none()
