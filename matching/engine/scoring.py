"""Scoring signals and the one place that holds every weight.

Why the weights are what they are (measured on shared/eval/dev and dev-c, checked on split
halves):
- Text relevance is the S-norm of the centred e5 cosine against a fixed reference cohort
  (calibration.py): a pair's text score depends on its two texts only, not on the pool, and
  is the same whichever side ranks it. Per-language centring and per-language z-scores remove
  the same-language bias (vi->en Recall@20 0.84 -> 0.93 on dev).
- BM25 is out of the score (weight 0): it needs the pool's statistics, and with the centred
  dense score it changed nothing on dev (0.8516 with 0 and 0.8518 with 0.1, hybrid-3 draft).
  It still finds the shared words shown as reasons, and carries the degraded mode.
- The z is squashed by a logistic into topical relevance in [0, 1]; centre 1.5, scale 1.5
  (1.0 before: centred z-scores spread wider; nDCG@10 0.839 -> 0.847, vi->en 0.914 -> 0.931;
  the grid over centre 1-2 x scale 1-1.5 x structured 0.4-0.7 x field 2-4 stays within
  0.84-0.85, a flat region). Structured signals then multiply it by
  (1 - structured + structured * fit): an off-topic offer stays near 0 whatever its fit, and
  among topical candidates the fit re-orders. Field agreement weighs 3 of the fit's 7 because
  grade-1 labels are "same field, other problem"; the other signals weigh 1 each.
- Everything else is a round default (TRL gap of 3 levels = no TRL credit, expired offers
  keep a third of their score) rather than a value fitted to the dev set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from .profiles import DemandProfile, OfferProfile
from .reasons import Reason

ENGINE_VERSION = "hybrid-4"  # hybrid-3 + titles weigh extra in records' vectors (embedder.py)
# The calibration cohort's content (calibration.fingerprint): a new cohort moves every score,
# so change ENGINE_VERSION with it (a test compares the two).
REFERENCE_FINGERPRINT = "d28dd3908251"

# Demands may say "equipment_purchase" where offers say "equipment_sale": same deal.
_COOPERATION_ALIASES = {"equipment_purchase": "equipment_sale"}


# What the portal calls "a likely answer" (score in [0, 1]). `evaluate_matching` prints the
# band table; at hybrid-4 (share of relevant pairs, dev / dev-c): 0.45-0.50 10 % / 4 %,
# 0.50-0.55 28 % / 43 %, 0.55-0.60 37 % / 33 %, 0.60-0.65 79 % / 93 %, 0.65-0.70 79 % / 71 %,
# >= 0.70 100 %. Below 0.60 most pairs are not relevant; on the demo a demand with no answer
# (a pesticide-residue test, hybrid-3) still had same-domain offers at 0.56 and 0.59, which
# made it "answered" on every dashboard. From 0.60 about four pairs in five are relevant.
# Coverage, "needs without answers" and the similarity labels read it from here only.
LIKELY_ANSWER = 0.6
# Plain similarity labels by score, best first (the reader never sees "top x %").
SCORE_BANDS = (("strong", 0.7), ("likely", LIKELY_ANSWER), ("possible", 0.45), ("weak", 0.0))


def score_band(score: float) -> str:
    """ "strong" | "likely" | "possible" | "weak": the label a person reads for a score."""
    return next(name for name, floor in SCORE_BANDS if score >= floor)


@dataclass(frozen=True)
class Weights:
    # BM25 (0..1, scaled by the query's best hit in the pool) added to the dense z-score. Off:
    # it depends on the pool (idf, best hit), and a score must not; it cost nothing on dev.
    lexical: float = 0.0
    lexical_only_when_degraded: float = 1.0  # topical = BM25 share alone without a model
    topical_center: float = 1.5  # fused z at which topical relevance is 0.5
    topical_scale: float = 1.5  # z units per logistic unit
    structured: float = 0.5  # share of the score that structured fit can take away
    field: float = 3.0  # weights inside the structured fit (a weighted mean)
    trl: float = 1.0
    cooperation: float = 1.0
    country: float = 1.0
    trl_gap_levels: int = 3  # TRL this far below the minimum earns nothing
    expired_factor: float = 1 / 3  # an expired offer keeps this share of its score
    # Candidates (by text) that get structured scoring. Structure only re-orders topical
    # candidates, and past the best 100 texts of a pool nothing is topical for a top 20.
    shortlist: int = 100


DEFAULT_WEIGHTS = Weights()


@lru_cache(maxsize=4096)
def canonical_cooperation(types: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_COOPERATION_ALIASES.get(t, t) for t in types)


def field_area(code: str) -> str:
    return code.split(".", 1)[0]


@lru_cache(maxsize=4096)
def field_areas(codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(field_area(c) for c in codes)


@lru_cache(maxsize=64)
def signal_weights(weights: Weights) -> dict[str, float]:
    """Weight of each structured signal by name (the fit is computed thousands of times)."""
    return {name: getattr(weights, name) for name in ("field", "trl", "cooperation", "country")}


def structured_fit(
    demand: DemandProfile, offer: OfferProfile, weights: Weights, explain: bool = True
) -> tuple[float, dict[str, float], list[Reason]]:
    """Weighted mean of the structured signals that both sides state (0.5 if none).

    With explain=False the reasons list stays empty: ranking a shortlist needs only the fit.
    """
    parts: dict[str, float] = {}
    reasons: list[Reason] = []

    if demand.fields and offer.fields:
        shared = sorted(set(demand.fields).intersection(offer.fields))
        shared_areas = sorted(field_areas(demand.fields) & field_areas(offer.fields))
        if shared:
            parts["field"] = 1.0
            if explain:
                reasons.append(Reason("same_field", {"code": shared[0]}))
        elif shared_areas:
            parts["field"] = 0.5
            if explain:
                reasons.append(Reason("same_area", {"code": shared_areas[0]}))
        else:
            parts["field"] = 0.0

    if demand.trl_min is not None and offer.trl is not None:
        gap = demand.trl_min - offer.trl
        parts["trl"] = 1.0 if gap <= 0 else max(0.0, 1 - gap / weights.trl_gap_levels)
        if explain:
            code = "trl_fit" if gap <= 0 else "trl_low"
            reasons.append(Reason(code, {"trl": offer.trl, "min": demand.trl_min}))

    if demand.cooperation and offer.cooperation:
        common = sorted(
            canonical_cooperation(tuple(demand.cooperation))
            & canonical_cooperation(tuple(offer.cooperation))
        )
        parts["cooperation"] = 1.0 if common else 0.0
        if common and explain:
            reasons.append(Reason("cooperation", {"types": common}))

    if demand.preferred_countries and offer.country:
        wanted = {c.upper() for c in demand.preferred_countries}
        parts["country"] = 1.0 if offer.country.upper() in wanted else 0.0
        if parts["country"] and explain:
            reasons.append(Reason("country", {"country": offer.country.upper()}))

    weight_of = signal_weights(weights)
    total = sum(weight_of[name] for name in parts)
    if total <= 0:  # nothing stated on both sides (or all weights zero): neutral
        return 0.5, parts, reasons
    fit = sum(weight_of[name] * value for name, value in parts.items()) / total
    return fit, parts, reasons


def is_expired(offer: OfferProfile, today: date) -> bool:
    return offer.valid_until is not None and offer.valid_until < today


# The spread of a query's e5 cosines over a pool (dev set: 0.014 to 0.034) is estimated with a
# few pseudo-observations at a typical value: a pool of one or two vectors has no spread to
# speak of, and z-scores against its ~0 std reached the thousands (a 100 % match between
# unrelated records in the demo). At 100,000 vectors the prior weighs nothing.
PRIOR_STD = 0.025
PRIOR_WEIGHT = 1


def shrunk_std(variance: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    return np.sqrt(
        (n * np.maximum(variance, 0.0) + PRIOR_WEIGHT * PRIOR_STD**2) / (n + PRIOR_WEIGHT)
    )


def topical_relevance(fused: np.ndarray, weights: Weights) -> np.ndarray:
    """Logistic squash of the fused text z-score into [0, 1]."""
    # Clipped: a tiny pool can give z-scores of hundreds, and exp() would overflow (to 0 or 1).
    exponent = np.clip(-(fused - weights.topical_center) / weights.topical_scale, -60.0, 60.0)
    return 1.0 / (1.0 + np.exp(exponent))


def scale_by_max(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)
