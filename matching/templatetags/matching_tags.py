"""How a match reads on a page: its score as a percentage and its chips. The match panels of
demand and offer pages are in connections_tags (they list the pairs staff rejected too)."""

import logging

from django import template

from .. import reasons

register = template.Library()
logger = logging.getLogger(__name__)


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
