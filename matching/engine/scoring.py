"""Scoring signals and the one place that holds every weight.

Why the weights are what they are (measured on shared/eval/dev, checked on split halves):
- Text relevance is the S-norm of the e5 cosine (speaker-verification style symmetric
  normalisation): the mean of the cosine's z-score among the demand's cosines to all offers
  of that offer's language, and among the offer's cosines to a cohort of demands of the
  demand's language. Per-language z-scores remove the same-language bias (nDCG@10 0.59 ->
  0.73); the offer-side z removes "hub" offers that sit close to every query (-> 0.80).
  Both halves weigh 1/2 by definition of S-norm: no tuning, and the score is symmetric, so a
  demand->offers run and an offer->demands run give the pair the same text score.
- BM25 (scaled by the query's best hit, 0..1) is only a tie-breaker for exact terms (model
  names, "Johkasou"): it cannot cross languages, so it favours same-language distractors;
  on dev weight 0.5 cost 0.03 nDCG@10 and 0.1 costs 0.01 (on 5 of 6 split halves).
- The fused z is squashed by a logistic into topical relevance in [0, 1]. Structured signals
  then multiply it by (1 - structured + structured * fit): an off-topic offer (relevance near
  0) stays near 0 whatever its fit, and among topical candidates the fit re-orders. 0.5 beat
  0 and 0.35 on every split half (+0.03). Field agreement weighs 3 of the fit's 7 because
  grade-1 labels are "same field, other problem"; the other signals weigh 1 each.
- Logistic centre/scale (1.5, 1.0) sit in a flat region (nDCG@10 within 0.02 for 1-2, 0.5-1).
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

ENGINE_VERSION = "hybrid-2"

# Demands may say "equipment_purchase" where offers say "equipment_sale": same deal.
_COOPERATION_ALIASES = {"equipment_purchase": "equipment_sale"}


# What the portal calls "a likely answer" (score in [0, 1]): the lowest score band in which,
# on the dev set, most pairs are relevant (grade >= 2). `evaluate_matching` prints the table.
# Coverage, "needs without answers" and the similarity labels read it from here only.
LIKELY_ANSWER = 0.5
# Plain similarity labels by score, best first (the reader never sees "top x %").
SCORE_BANDS = (("strong", 0.7), ("likely", LIKELY_ANSWER), ("possible", 0.3), ("weak", 0.0))


def score_band(score: float) -> str:
    """"strong" | "likely" | "possible" | "weak": the label a person reads for a score."""
    return next(name for name, floor in SCORE_BANDS if score >= floor)


@dataclass(frozen=True)
class Weights:
    lexical: float = 0.1  # BM25 (0..1, per query) added to the dense z-score
    lexical_only_when_degraded: float = 1.0  # topical = BM25 share alone without a model
    topical_center: float = 1.5  # fused z at which topical relevance is 0.5
    topical_scale: float = 1.0  # z units per logistic unit
    structured: float = 0.5  # share of the score that structured fit can take away
    field: float = 3.0  # weights inside the structured fit (a weighted mean)
    trl: float = 1.0
    cooperation: float = 1.0
    country: float = 1.0
    budget: float = 1.0
    trl_gap_levels: int = 3  # TRL this far below the minimum earns nothing
    expired_factor: float = 1 / 3  # an expired offer keeps this share of its score
    calibration_min_group: int = 5  # smaller language groups are calibrated on the whole pool
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
    return {name: getattr(weights, name) for name in ("field", "trl", "cooperation", "country", "budget")}


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

    if demand.budget_vnd and offer.price_vnd:
        within = offer.price_vnd <= demand.budget_vnd
        parts["budget"] = 1.0 if within else demand.budget_vnd / offer.price_vnd
        if explain:
            params = {"price": offer.price_vnd, "budget": demand.budget_vnd}
            reasons.append(Reason("budget_fit" if within else "budget_over", params))

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
    return np.sqrt((n * np.maximum(variance, 0.0) + PRIOR_WEIGHT * PRIOR_STD**2) / (n + PRIOR_WEIGHT))


def group_stats(
    values: np.ndarray, groups: np.ndarray, n_groups: int, min_size: int,
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of `values` per group code; groups under `min_size` get the pool's.

    `counts` (the group sizes) may be passed when the groups are fixed and values are not."""
    if counts is None:
        counts = np.bincount(groups, minlength=n_groups)
    values64 = values.astype(np.float64)
    squared = values64**2
    sums = np.bincount(groups, weights=values64, minlength=n_groups)
    squares = np.bincount(groups, weights=squared, minlength=n_groups)
    small = counts < min_size
    safe = np.maximum(counts, 1)
    if small.any():
        mean = np.where(small, values64.mean(), sums / safe)
        second = np.where(small, squared.mean(), squares / safe)
    else:
        mean, second = sums / safe, squares / safe
    std = shrunk_std(second - mean**2, np.where(small, len(values), counts))
    return mean, std


def topical_relevance(fused: np.ndarray, weights: Weights) -> np.ndarray:
    """Logistic squash of the fused text z-score into [0, 1]."""
    # Clipped: a tiny pool can give z-scores of hundreds, and exp() would overflow (to 0 or 1).
    exponent = np.clip(-(fused - weights.topical_center) / weights.topical_scale, -60.0, 60.0)
    return 1.0 / (1.0 + np.exp(exponent))


def scale_by_max(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)
