"""Matching tasks. Task names are a public interface: renaming one strands queued messages."""

from celery import shared_task


@shared_task(name="matching.match_demand")
def match_demand(demand_id: int) -> None:
    """Rank offers for one published demand (implemented by the matching issue)."""


@shared_task(name="matching.match_offer")
def match_offer(offer_id: int) -> None:
    """Rank demands for one published offer (implemented by the matching issue)."""
