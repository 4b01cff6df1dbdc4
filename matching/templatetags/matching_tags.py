"""Match lists to drop into demand and offer pages; each reads through the permission module."""

from django import template

from accounts import permissions

from .. import selectors

register = template.Library()


@register.inclusion_tag("matching/_demand_matches.html", takes_context=True)
def demand_matches(context, demand):
    user = context["request"].user
    matches = selectors.matches_for_demand(user=user, demand=demand)
    rejected = selectors.rejected_for_demand(user=user, demand=demand)
    show = bool(matches or rejected) or permissions.can(user, "demand.view_matches", demand)
    return {"demand": demand, "matches": matches, "rejected": rejected,
            "rejected_total": len(rejected), "show": show,
            "request": context["request"]}


@register.inclusion_tag("matching/_offer_matches.html", takes_context=True)
def offer_matches(context, offer):
    user = context["request"].user
    matches = selectors.matches_for_offer(user=user, offer=offer)
    rejected = selectors.rejected_for_offer(user=user, offer=offer)
    show = bool(matches or rejected) or permissions.can(user, "offer.view_matches", offer)
    return {"offer": offer, "matches": matches, "rejected": rejected,
            "rejected_total": len(rejected), "show": show,
            "request": context["request"]}


@register.filter
def percent(score: float) -> int:
    return round(100 * (score or 0))
