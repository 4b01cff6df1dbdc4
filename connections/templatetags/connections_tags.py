"""The matches panel of demand and offer pages: the engine's pairs (with chips) and, apart,
the pairs staff rejected; each list reads through the permission module."""

from django import template

from accounts import permissions
from matching import reasons
from matching import selectors as matching_selectors

from .. import selectors

register = template.Library()


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


@register.inclusion_tag("connections/_demand_matches.html", takes_context=True)
def demand_matches(context, demand):
    panel = _panel(
        context,
        "demand",
        demand,
        matching_selectors.matches_for_demand,
        selectors.rejected_for_demand,
    )
    # The firm's own published demand: how many candidates staff review (counts, no names).
    progress = matching_selectors.demand_matching_progress(
        user=context["request"].user, demand=demand
    )
    panel.update(progress=progress, show=panel["show"] or progress is not None)
    return panel


@register.inclusion_tag("connections/_offer_matches.html", takes_context=True)
def offer_matches(context, offer):
    return _panel(
        context, "offer", offer, matching_selectors.matches_for_offer, selectors.rejected_for_offer
    )


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """The top bar's count of thread messages the user has not read (0 when signed out)."""
    from ..thread_selectors import unread_message_count

    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_message_count(user)
