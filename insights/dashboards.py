"""What each role's dashboard shows. Each function reads through the apps' selectors and
computes its figures (insights/figures.py) from the querysets the permission module scopes."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from demands.selectors import campaigns_visible_to, demands_visible_to
from matching.selectors import matches_visible_to
from offers.selectors import offers_visible_to

from . import figures, snapshots


def _funnel_labels() -> dict[str, str]:
    return {
        "published": _("Published"),
        "matched": _("Matched"),
        "introduced": _("Introduced"),
        "consented": _("Both sides interested"),
        "meeting": _("Meeting"),
        "agreement": _("Agreement"),
    }


def chart(kind: str, labels, series: list[tuple[str, list]]) -> dict:
    """The JSON a `<canvas data-chart>` reads (static/js/dashboard-charts.js)."""
    return {
        "type": kind,
        "labels": [str(label) for label in labels],
        "series": [{"label": str(label), "data": data} for label, data in series],
    }


def _provincial_numbers(demands, matches, campaigns, *, with_status: bool, fresh: dict) -> dict:
    """The figures staff see for their province and the coordinator for all provinces, as
    plain data (kept per scope by insights/snapshots.py): one grouped query per figure."""
    fresh["unanswered"] = list(figures.unanswered(demands, matches)[:50])
    numbers = {
        "by_field": figures.demands_by_field(demands),
        "campaign_response": figures.campaign_response(campaigns),
        "matches_awaiting_review": figures.awaiting_review_count(matches),
        "median_days_to_introduction": figures.median_days_to_introduction(demands, matches),
        "unanswered_ids": [demand.pk for demand in fresh["unanswered"]],
    }
    if with_status:
        numbers["by_status"] = figures.demands_by_status(demands)
    return numbers


def _provincial_figures(numbers: dict, summary: dict, fresh: dict, by_status=None) -> dict:
    """The template's figures from the kept numbers; the "no answer" list is read afresh by
    id (the demands' names and fields as they are now)."""
    from demands.models import Demand

    by_field = numbers["by_field"]
    by_status = numbers["by_status"] if by_status is None else by_status
    funnel = summary["funnel"]
    labels = _funnel_labels()
    funnel_rows = [(labels[stage], funnel[stage]) for stage in figures.FUNNEL_STAGES]
    response = numbers["campaign_response"]
    unanswered = _listed(
        fresh,
        "unanswered",
        Demand.objects.select_related("organization", "province").prefetch_related("fields"),
        numbers["unanswered_ids"],
    )
    return {
        "by_field": by_field,
        "by_status": by_status,
        "funnel": funnel,
        "funnel_rows": funnel_rows,
        "campaign_response": response,
        "matches_awaiting_review": numbers["matches_awaiting_review"],
        "coverage": summary["coverage"],
        "median_days_to_introduction": numbers["median_days_to_introduction"],
        "unanswered_days": figures.UNANSWERED_DAYS,
        "unanswered_total": summary["unanswered_total"],
        "unanswered": unanswered,
        "charts": {
            "chart_fields": chart(
                "bar",
                [f"{r['code']} {r['name']}" for r in by_field],
                [(_("Demands"), [r["n"] for r in by_field])],
            ),
            "chart_status": chart(
                "bar",
                [r["label"] for r in by_status],
                [(_("Demands"), [r["n"] for r in by_status])],
            ),
            "chart_funnel": chart(
                "bar",
                [label for label, _n in funnel_rows],
                [(_("Demands"), [n for _label, n in funnel_rows])],
            ),
            "chart_campaigns": chart(
                "bar",
                [c["name"] for c in response["campaigns"]],
                [
                    (_("Invited"), [c["invited"] for c in response["campaigns"]]),
                    (_("Responded"), [c["responded"] for c in response["campaigns"]]),
                ],
            ),
        },
    }


def _listed(fresh: dict, name: str, queryset, ids: list[int]) -> list:
    """The rows of a list the figures were just computed with, or, from kept figures, the
    rows of `queryset` with these ids read afresh (names and statuses as they are now)."""
    return fresh[name] if name in fresh else _by_id(queryset, ids)


def _by_id(queryset, ids: list[int]) -> list:
    """The rows of `queryset` with these ids, in the ids' order (one query; none without ids)."""
    found = {row.pk: row for row in queryset.filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]


def _refresher(user):
    """Queue the worker's recomputation of `user`'s figures in the current language."""
    from outbox.services import enqueue

    from .tasks import refresh_dashboard

    language = get_language() or settings.LANGUAGE_CODE
    return lambda: enqueue(refresh_dashboard, user.pk, language)


def _as_of(at) -> dict:
    return {"figures_as_of": at, "figures_ttl_minutes": snapshots.TTL // 60}


def enterprise_context(user) -> dict:
    from demands import selectors as demand_selectors

    demands = demand_selectors.demand_list_visible_to(user, scope="mine")
    introductions = (
        matches_visible_to(user)
        .filter(demand__organization_id=user.organization_id)
        .select_related("demand", "offer", "offer__representation")
        .order_by("-introduced_at", "-id")
    )
    return {
        "my_demands": demands.order_by("-updated_at", "-id")[:10],
        "my_demand_counts": demand_selectors.demand_status_counts(demands),
        "introductions": list(introductions[:20]),
    }


def staff_context(user) -> dict:
    from demands import selectors as demand_selectors
    from demands.models import Demand

    demands = demand_selectors.demand_list_visible_to(user, scope="province")
    counts = demand_selectors.demand_status_counts(demands)
    province_demands = demands_visible_to(user).filter(province_id=user.province_id)
    matches = matches_visible_to(user)

    fresh: dict = {}  # the listed rows, when the figures are computed by this visit

    def compute() -> dict:
        return {
            "summary": figures.demand_figures(province_demands, matches),
            **_provincial_numbers(
                province_demands,
                matches,
                campaigns_visible_to(user),
                with_status=False,
                fresh=fresh,
            ),
        }

    numbers, at = snapshots.cached(snapshots.scope_of(user), "dashboard", compute, _refresher(user))
    return {
        "demand_counts": [
            (Demand.Status(s).label, s, n) for s, n in counts.items() if s != Demand.Status.DRAFT
        ],
        "awaiting_review": demands.filter(status=Demand.Status.SUBMITTED).order_by(
            "submitted_at", "id"
        )[:15],
        "campaigns": demand_selectors.campaign_list_visible_to(user)[:5],
        # the status counts above cover the same demands (the province's, drafts aside) and
        # are read live, as the list of demands awaiting review is
        **_provincial_figures(
            numbers, numbers["summary"], fresh, by_status=figures.status_rows(counts)
        ),
        **_as_of(at),
    }


def representative_context(user) -> dict:
    """Their offers by status with match counts, offers expiring soon, needs without answers,
    and the introductions of their offers."""
    from offers import selectors as offers

    recent = list(offers.offer_list_own(user)[:10])
    counts = offers.offer_match_counts([o.pk for o in recent], user=user)
    matches = matches_visible_to(user)

    fresh: dict = {}

    def compute() -> dict:
        fresh["open_needs"] = list(offers.demands_without_answers(user, limit=20))
        fresh["introductions"] = list(
            figures.introduced(matches)
            .select_related("demand", "demand__province", "demand__organization", "offer")
            .order_by("-introduced_at", "-id")[:20]
        )
        return {
            "statuses": figures.match_status_counts(figures.introduced(matches)),
            "status_counts": offers.offer_status_counts(user),
            "open_need_ids": [demand.pk for demand in fresh["open_needs"]],
            "introduction_ids": [match.pk for match in fresh["introductions"]],
        }

    numbers, at = snapshots.cached(snapshots.scope_of(user), "dashboard", compute, _refresher(user))
    statuses, status_counts = numbers["statuses"], numbers["status_counts"]
    # Kept figures hold the listed rows' ids; they are read afresh, through the user's scope:
    # a row that has since left it is gone, and each shows its status as it is now.
    needs = _listed(
        fresh,
        "open_needs",
        demands_visible_to(user)
        .select_related("province", "organization")
        .prefetch_related("fields"),
        numbers["open_need_ids"],
    )
    introductions = _listed(
        fresh,
        "introductions",
        matches.select_related("demand", "demand__province", "demand__organization", "offer"),
        numbers["introduction_ids"],
    )
    return {
        "status_counts": status_counts,
        # whether an empty "needs without answers" means all answered or nothing posted yet
        "has_offers": bool(status_counts["published"] or status_counts["draft"]),
        "recent_offers": [(offer, counts.get(offer.pk, 0)) for offer in recent],
        "expiring_offers": list(offers.offers_expiring_soon(user, days=30)[:10]),
        # the template asks demand.view_identity whether each firm may be named
        "open_needs": needs,
        "introductions": introductions,
        "introduction_counts": {
            "total": sum(statuses.values()),
            "consented": sum(statuses[s] for s in figures.STAGES_FROM["consented"]),
            "agreement": statuses["agreement"],
        },
        **_as_of(at),
    }


def coordinator_context(user) -> dict:
    from accounts.models import Organization

    demands = demands_visible_to(user)
    matches = matches_visible_to(user)
    representations = permissions.organizations_visible_to(user).filter(
        kind=Organization.Kind.REPRESENTATION
    )

    fresh: dict = {}

    def compute() -> dict:
        provinces = figures.per_province(demands, matches)
        return {
            "provinces": provinces,
            # the national funnel is the provinces' added up: each demand is in one province
            "summary": figures.total_of(provinces),
            "representations": figures.per_representation(
                representations, offers_visible_to(user), matches
            ),
            **_provincial_numbers(
                demands, matches, campaigns_visible_to(user), with_status=True, fresh=fresh
            ),
        }

    numbers, at = snapshots.cached(snapshots.scope_of(user), "dashboard", compute, _refresher(user))
    return {
        **_provincial_figures(numbers, numbers["summary"], fresh),
        "provinces": numbers["provinces"],
        "representations": numbers["representations"],
        **_as_of(at),
    }


CONTEXT_BY_ROLE = {
    Role.STAFF: staff_context,
    Role.REPRESENTATIVE: representative_context,
    Role.COORDINATOR: coordinator_context,
}
