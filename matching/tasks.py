"""Matching tasks: ids in, work in services. Task names are a public interface.

Each task is idempotent (upserts keyed by (demand, offer), compare-and-swap on the rebuild
cursor), so the broker may deliver it twice: with acks_late a killed worker re-delivers.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from redis.exceptions import RedisError

from outbox.services import enqueue

from . import decisions, reasons, services

logger = logging.getLogger(__name__)

# Transient failures worth retrying: the database or Redis blinked.
RETRY = {
    "autoretry_for": (DatabaseError, RedisError, ConnectionError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,  # far below the broker's visibility timeout (3600 s)
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="matching.match_demand", **RETRY)
def match_demand(demand_id: int) -> int:
    """Rank offers for one demand (after it is published or edited)."""
    written = services.match_demand(demand_id=demand_id)
    _warm(demand_id=demand_id)
    return written


@shared_task(name="matching.match_offer", **RETRY)
def match_offer(offer_id: int) -> int:
    """Rank demands for one offer (after it is published or edited)."""
    written = services.match_offer(offer_id=offer_id)
    _warm(offer_id=offer_id)
    return written


def _warm(**record) -> None:
    """Queue the phrase warming; a broker hiccup must not fail (and redo) the matching."""
    try:
        enqueue(warm_reasons, **record)
    except Exception:
        logger.warning("could not queue matching.warm_reasons for %s", record, exc_info=True)


@shared_task(name="matching.warm_reasons", **RETRY)
def warm_reasons(demand_id: int | None = None, offer_id: int | None = None) -> int:
    """Pair the key phrases of a record's matches before anyone opens its page (cache only:
    a lost or repeated run changes nothing but the first view's speed)."""
    return reasons.warm_phrases(demand_id=demand_id, offer_id=offer_id)


@shared_task(name="matching.embed_record", **RETRY)
def embed_record(kind: str, object_id: int) -> bool:
    """Embed a demand submitted for review or an offer saved as a draft, before publication."""
    return services.embed_record(kind=kind, object_id=object_id)


@shared_task(name="matching.rebuild_matches", **RETRY)
def rebuild_matches(run_id: int, attempt: int | None = None) -> None:
    """One chunk of a full rebuild; queues the next chunk until the run is done or stopped.

    `attempt` is the run's attempt when queued: after a resume (a stalled run), the killed
    worker's message, re-delivered late by the broker, is dropped. (Messages queued before
    attempts existed carry none and are taken as the current attempt.)"""
    try:
        more = services.rebuild_chunk(run_id=run_id, attempt=attempt)
    except (DatabaseError, RedisError, ConnectionError):
        raise
    except Exception as error:
        services.rebuild_fail(run_id=run_id, error=error, attempt=attempt)
        raise
    if more:
        enqueue(rebuild_matches, run_id, attempt)


@shared_task(name="matching.propose_weights", **RETRY)
def propose_weights(proposal_id: int) -> None:
    """Fit the weights on staff decisions (only a proposal still being computed is worked on)."""
    decisions.weights_proposal_compute(proposal_id=proposal_id)


@shared_task(name="matching.reconcile")
def reconcile() -> dict:
    """Re-queue records whose matching is missing or stale (a lost task never loses a match),
    and resume rebuilds that stalled (their worker was killed: nobody waits out the broker)."""
    runs = services.rebuild_resume_stalled()
    if runs:
        logger.warning("reconcile: resumed stalled rebuild runs %s", runs)
    demand_ids, offer_ids = services.stale_records()
    for demand_id in demand_ids:
        enqueue(match_demand, demand_id)
    for offer_id in offer_ids:
        enqueue(match_offer, offer_id)
    if demand_ids or offer_ids:
        logger.info(
            "reconcile: re-queued %d demands and %d offers", len(demand_ids), len(offer_ids)
        )
    return {"demands": len(demand_ids), "offers": len(offer_ids), "rebuilds": len(runs)}
