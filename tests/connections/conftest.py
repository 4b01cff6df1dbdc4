"""The connection workflow works on matching's pairs: the same published demand and offers."""

from ..matching.conftest import OFFERS, TEA_DEMAND, make_demand, make_offer, offers, tea_demand

__all__ = ["OFFERS", "TEA_DEMAND", "make_demand", "make_offer", "offers", "tea_demand"]
