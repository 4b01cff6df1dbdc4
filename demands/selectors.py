"""Reads of demands and campaigns, always through the permission scope.

Each list query carries its joins and prefetches so a page costs the same number of queries
whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import Role
from portal import search as portal_search
from portal.models import Field

from .models import Demand, DemandEvent, DemandExport, SurveyCampaign, Visibility

SCOPES = ("mine", "province", "published", "all")


def demands_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every demand `user` may open: the scope of lists, exports, search and the API; the
    list form of the `demand.view` rule (demands/rules.py)."""
    queryset = Demand.objects.all() if queryset is None else queryset
    role = permissions.role_of(user)
    listed = Q(status__in=Demand.LISTED_STATUSES) & ~Q(visibility=Visibility.CONFIDENTIAL)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset.exclude(status=Demand.Status.DRAFT)
    if role == Role.STAFF:
        in_province = Q(province_id=user.province_id) & ~Q(status=Demand.Status.DRAFT)
        return queryset.filter(in_province | listed)
    if role == Role.ENTERPRISE:
        return queryset.filter(Q(organization_id=user.organization_id) | listed)
    if role == Role.REPRESENTATIVE:
        return queryset.filter(listed)
    return queryset.none()


def campaigns_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The list form of the `campaign.view` rule (demands/rules.py)."""
    queryset = SurveyCampaign.objects.all() if queryset is None else queryset
    role = permissions.role_of(user)
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    if role == Role.STAFF:
        return queryset.filter(province_id=user.province_id)
    return queryset.none()


def default_scope(user) -> str:
    role = permissions.role_of(user)
    return {Role.ENTERPRISE: "mine", Role.STAFF: "province"}.get(role, "all")


def scopes_for(user) -> list[str]:
    role = permissions.role_of(user)
    if role == Role.ENTERPRISE:
        return ["mine", "published"]
    if role == Role.STAFF:
        return ["province", "published"]
    return ["all"]


def with_list_joins(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "organization", "province", "campaign", "trl_min"
    ).prefetch_related("fields", "cooperation")


def demand_list_visible_to(user, *, scope: str | None = None) -> QuerySet:
    """The demands of one list page (before filters): the user's scope, narrowed by role."""
    queryset = demands_visible_to(user, Demand.objects.all())
    scope = scope if scope in scopes_for(user) else default_scope(user)
    if scope == "mine":
        queryset = queryset.filter(organization_id=user.organization_id)
    elif scope == "province":
        queryset = queryset.filter(province_id=user.province_id)
    elif scope == "published":
        queryset = queryset.filter(status__in=Demand.LISTED_STATUSES)
    return with_list_joins(queryset)


def demand_list_answerable(user) -> QuerySet:
    """Demands still waiting for answers (published or in connection) that `user` may open,
    newest first: what a representative browses to offer technology (the API's list)."""
    queryset = demands_visible_to(user, Demand.objects.all())
    queryset = queryset.filter(status__in=Demand.LIVE_STATUSES)
    return with_list_joins(queryset).order_by("-published_at", "-id")


def demand_search(queryset: QuerySet, text: str) -> QuerySet:
    """Demands of `queryset` (already scoped) found by `text`, most relevant first: whole
    words with their exact accents, then without accents ("che" finds "chè"), then by meaning
    (portal/search.py). Each row carries what `portal.search.explain` needs."""
    return portal_search.search(queryset, text, kind="demand")


def demand_get_visible(user, pk: int) -> Demand:
    """The demand if the user may open it, else 404 (an id outside the scope does not leak)."""
    queryset = demands_visible_to(user, Demand.objects.all())
    return get_object_or_404(
        queryset.select_related(
            "organization", "province", "campaign", "trl_min", "created_by"
        ).prefetch_related("fields", "cooperation", "attachments"),
        pk=pk,
    )


def demand_events(demand: Demand) -> QuerySet:
    return DemandEvent.objects.filter(demand=demand).select_related("actor")


def demand_status_counts(queryset: QuerySet) -> dict[str, int]:
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {value: counts.get(value, 0) for value, _label in Demand.Status.choices}


def campaign_list_visible_to(user) -> QuerySet:
    return (
        campaigns_visible_to(user)
        .select_related("province")
        .annotate(
            demand_count=Count(
                "demands", filter=~Q(demands__status=Demand.Status.DRAFT), distinct=True
            ),
            invitation_count=Count("invitations", distinct=True),
        )
    )


def campaign_get_visible(user, pk: int) -> SurveyCampaign:
    return get_object_or_404(campaigns_visible_to(user).select_related("province"), pk=pk)


def campaign_demands(campaign: SurveyCampaign) -> QuerySet:
    """What staff follow on the campaign page and export: drafts stay the firm's own."""
    return with_list_joins(campaign.demands.exclude(status=Demand.Status.DRAFT))


def campaign_invitations(campaign: SurveyCampaign) -> QuerySet:
    responded = Demand.objects.filter(
        campaign=campaign, organization_id=OuterRef("organization_id")
    ).exclude(status=Demand.Status.DRAFT)
    return campaign.invitations.select_related("organization").annotate(responded=Exists(responded))


def campaign_stats(campaign: SurveyCampaign) -> dict:
    demands = campaign.demands.exclude(status=Demand.Status.DRAFT)
    invitations = campaign_invitations(campaign)
    by_field_rows = (
        Field.objects.filter(demands__in=demands)
        .annotate(n=Count("demands", distinct=True))
        .order_by("-n", "code")
    )
    return {
        "invited": invitations.count(),
        "responded": invitations.filter(responded=True).count(),
        "enterprises": demands.values("organization_id").distinct().count(),
        "demand_total": demands.count(),
        "by_status": [
            (Demand.Status(s).label, n) for s, n in demand_status_counts(demands).items() if n
        ],
        "by_field": list(by_field_rows),
    }


def demand_export_get_own(user, pk: int) -> DemandExport:
    """One of the user's own prepared exports, else 404 (another's export does not leak)."""
    return get_object_or_404(DemandExport.objects.filter(requested_by_id=user.pk), pk=pk)
