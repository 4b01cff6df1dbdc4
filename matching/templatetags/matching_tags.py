"""Match lists to drop into demand and offer pages; each reads through the permission module."""

import logging

from django import template

from accounts import permissions

from .. import reasons, selectors

register = template.Library()
logger = logging.getLogger(__name__)


def _panel(context, side: str, record, listed, rejected_of) -> dict:
    """The matches panel of one demand or offer page: its pairs (with chips), the rejected
    ones apart, and whether the panel shows at all."""
    user = context["request"].user
    matches = listed(user=user, **{side: record})
    for match in matches:
        setattr(match, side, record)  # the chips read both texts: no query per match
    matches = reasons.attach_chips(matches, user=user)
    rejected = rejected_of(user=user, **{side: record})
    show = bool(matches or rejected) or permissions.can(user, f"{side}.view_matches", record)
    return {
        side: record,
        "matches": matches,
        "rejected": rejected,
        "rejected_total": len(rejected),
        "show": show,
        "sees_proposals": permissions.can(user, "match.see_proposals"),
        "request": context["request"],
    }


@register.inclusion_tag("matching/_demand_matches.html", takes_context=True)
def demand_matches(context, demand):
    return _panel(
        context, "demand", demand, selectors.matches_for_demand, selectors.rejected_for_demand
    )


@register.inclusion_tag("matching/_offer_matches.html", takes_context=True)
def offer_matches(context, offer):
    return _panel(
        context, "offer", offer, selectors.matches_for_offer, selectors.rejected_for_offer
    )


@register.filter
def percent(score: float) -> int:
    return round(100 * (score or 0))


@register.simple_tag(takes_context=True)
def match_chips(context, match, pair_phrases: bool = False) -> list[str]:
    """Chips of one match. A list of rows uses the phrases already known (same-language ones,
    or pairs cached by a demand or offer page); a single match's page may pair them."""
    if not hasattr(match, "chips"):
        budget = reasons.PAIRING_BUDGET_S if pair_phrases else 0.0
        request = context.get("request")
        visible = reasons.phrases_visible(match, getattr(request, "user", None))
        try:
            pairs = reasons.phrase_pairs_for([match], budget_s=budget) if visible else {}
        except Exception:  # the chips must never break a page (the cache may be down)
            logger.exception("key phrases could not be computed")
            pairs = {}
        match.chips = reasons.match_chips(match, pairs.get(match.pk))
    return match.chips
