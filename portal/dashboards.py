"""What each role's dashboard shows. Each function reads through the apps' selectors."""

from __future__ import annotations


def enterprise_context(user) -> dict:
    from demands import selectors as demand_selectors

    demands = demand_selectors.demand_list_visible_to(user, scope="mine")
    return {
        "my_demands": demands.order_by("-updated_at", "-id")[:10],
        "my_demand_counts": demand_selectors.demand_status_counts(demands),
    }


def staff_context(user) -> dict:
    from demands import selectors as demand_selectors
    from demands.models import Demand

    demands = demand_selectors.demand_list_visible_to(user, scope="province")
    counts = demand_selectors.demand_status_counts(demands)
    return {
        "demand_counts": [(Demand.Status(s).label, s, n) for s, n in counts.items()
                          if s != Demand.Status.DRAFT],
        "awaiting_review": demands.filter(status=Demand.Status.SUBMITTED)
        .order_by("submitted_at", "id")[:15],
        "campaigns": demand_selectors.campaign_list_visible_to(user)[:5],
    }


def representative_context(user) -> dict:
    """Their offers by status with match counts, offers expiring soon, needs without answers."""
    from accounts.permissions import demand_shows_identity
    from offers import selectors as offers

    recent = list(offers.offer_list_own(user)[:10])
    counts = offers.offer_match_counts([o.pk for o in recent])
    return {
        "status_counts": offers.offer_status_counts(user),
        "recent_offers": [(offer, counts.get(offer.pk, 0)) for offer in recent],
        "expiring_offers": list(offers.offers_expiring_soon(user, days=30)[:10]),
        # (demand, whether the firm may be named): anonymised demands never show their firm
        "open_needs": [(d, demand_shows_identity(user, d))
                       for d in offers.demands_without_answers(user, limit=20)],
    }


def coordinator_context(user) -> dict:
    return {}
