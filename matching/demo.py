"""Demo matches: rank every published demand and offer once, in-process (connections.demo
then walks a few of the pairs through the connection pipeline)."""

from __future__ import annotations

from . import services
from .corpus import matchable_demands, matchable_offers


def seed(context) -> None:
    for demand_id in matchable_demands().values_list("pk", flat=True):
        services.match_demand(demand_id=demand_id)
    for offer_id in matchable_offers().values_list("pk", flat=True):
        services.match_offer(offer_id=offer_id)
