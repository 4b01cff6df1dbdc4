"""Rank all offers for one demand, or all demands for one offer.

Shape of one query (N items in the pool): one matrix-vector product for cosines, bincount
statistics for per-language calibration, one BM25 pass over the query's postings, then
structured scoring and explanations only on a shortlist of the best texts. Nothing loops
in Python over all N. Weights and the reasoning behind them live in scoring.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import numpy as np

from .lexical import BM25Index
from .normalize import tokens_with_surface
from .profiles import DemandProfile, OfferProfile
from .reasons import Reason, ScoredPair
from .scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    group_stats,
    is_expired,
    scale_by_max,
    structured_fit,
    topical_relevance,
)

_CHUNK = 4096  # rows per block when computing cohort statistics (bounds memory)


class _Pool:
    """Texts, vectors and calibration statistics of one side (offers or demands)."""

    def __init__(
        self,
        ids: Sequence[int | str],
        texts: Sequence[str],
        languages: Sequence[str],
        vectors: np.ndarray | None,
        cohort_vectors: np.ndarray | None,
        cohort_languages: Sequence[str] | None,
        cohort_size: int,
        min_group: int,
    ) -> None:
        self.ids = list(ids)
        self.size = len(self.ids)
        self.languages = sorted(set(languages))
        code_of = {lang: i for i, lang in enumerate(self.languages)}
        self.lang_codes = np.array([code_of[x] for x in languages], dtype=np.int64)
        self.min_group = min_group
        self.bm25 = BM25Index(texts)
        self.vectors: np.ndarray | None = None
        if vectors is not None:
            self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            if self.vectors.shape[0] != self.size:
                raise ValueError("one vector per record is required")
        # Per item and per language of the other side: mean/std of its cosines to a cohort
        # of other-side vectors (the item half of S-norm). Empty without a cohort.
        self.cohort_stats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if self.vectors is not None and cohort_vectors is not None and len(cohort_vectors):
            self._build_cohort_stats(cohort_vectors, list(cohort_languages or []), cohort_size)

    def _build_cohort_stats(
        self, cohort: np.ndarray, cohort_langs: list[str], cohort_size: int
    ) -> None:
        assert self.vectors is not None
        langs = sorted(set(cohort_langs))
        codes = np.array([langs.index(x) for x in cohort_langs], dtype=np.int64)
        keep: list[int] = []
        for code in range(len(langs)):  # evenly spaced, deterministic sample per language
            members = np.flatnonzero(codes == code)
            step = max(1, math.ceil(len(members) / cohort_size))
            keep.extend(members[::step].tolist())
        sample = np.ascontiguousarray(cohort[np.sort(keep)], dtype=np.float32)
        sample_codes = codes[np.sort(keep)]
        means = np.zeros((len(langs), self.size), dtype=np.float32)
        stds = np.zeros((len(langs), self.size), dtype=np.float32)
        for start in range(0, self.size, _CHUNK):
            cos = (self.vectors[start : start + _CHUNK] @ sample.T).astype(np.float64)
            end = start + len(cos)
            for code in range(len(langs)):  # same rule as group_stats, row-wise
                part = cos[:, sample_codes == code]
                if part.shape[1] < self.min_group:
                    part = cos
                mean = part.mean(axis=1)
                means[code, start:end] = mean
                stds[code, start:end] = np.sqrt(np.maximum(part.var(axis=1), 1e-12))
        self.cohort_stats = {lang: (means[i], stds[i]) for i, lang in enumerate(langs)}

    def dense(self, vector: np.ndarray, language: str, cos: np.ndarray | None = None) -> np.ndarray:
        """S-norm calibrated cosine of one query vector against every item.

        `cos` (the raw cosines) may come precomputed from one matrix product for many queries.
        """
        assert self.vectors is not None
        if cos is None:
            cos = self.vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        mean, std = group_stats(cos, self.lang_codes, len(self.languages), self.min_group)
        z_query = (cos - mean[self.lang_codes]) / std[self.lang_codes]
        stats = self.cohort_stats.get(language)
        if stats is None:
            return z_query.astype(np.float32)
        z_item = (cos - stats[0]) / stats[1]
        return (0.5 * (z_query + z_item)).astype(np.float32)


class OfferIndex(_Pool):
    """All published offers, with passage vectors (N x dim) or None (degraded)."""

    def __init__(
        self,
        offers: Sequence[OfferProfile],
        vectors: np.ndarray | None,
        *,
        demand_vectors: np.ndarray | None = None,
        demand_languages: Sequence[str] | None = None,
        cohort_size: int = 1000,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        """`demand_vectors` (query vectors of published demands) calibrate each offer."""
        self.profiles = list(offers)
        super().__init__(
            [o.id for o in self.profiles],
            [o.full_text for o in self.profiles],
            [o.language for o in self.profiles],
            vectors,
            demand_vectors,
            demand_languages,
            cohort_size,
            weights.calibration_min_group,
        )


class DemandIndex(_Pool):
    """All published demands, with query vectors (M x dim) or None (degraded)."""

    def __init__(
        self,
        demands: Sequence[DemandProfile],
        vectors: np.ndarray | None,
        *,
        offer_vectors: np.ndarray | None = None,
        offer_languages: Sequence[str] | None = None,
        cohort_size: int = 1000,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        """`offer_vectors` (passage vectors of published offers) calibrate each demand."""
        self.profiles = list(demands)
        super().__init__(
            [d.id for d in self.profiles],
            [d.full_text for d in self.profiles],
            [d.language for d in self.profiles],
            vectors,
            offer_vectors,
            offer_languages,
            cohort_size,
            weights.calibration_min_group,
        )


def _id_key(value: int | str) -> tuple[int, int | str]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def _rank(
    query_text: str,
    query_language: str,
    query_vector: np.ndarray | None,
    pool: _Pool,
    pair_of: Callable[[int], tuple[DemandProfile, OfferProfile]],
    weights: Weights,
    top_k: int,
    today: date,
    cos: np.ndarray | None = None,
) -> list[ScoredPair]:
    if pool.size == 0 or top_k <= 0:
        return []
    degraded = query_vector is None or pool.vectors is None
    lexical = scale_by_max(pool.bm25.score(query_text))
    if degraded:
        dense = np.zeros(pool.size, dtype=np.float32)
        fused = weights.lexical_only_when_degraded * lexical
        relevance = np.clip(fused, 0.0, 1.0)
    else:
        dense = pool.dense(query_vector, query_language, cos)
        fused = dense + weights.lexical * lexical
        relevance = topical_relevance(fused, weights)

    size = min(pool.size, max(top_k, weights.shortlist))
    if size < pool.size:
        shortlist = np.argpartition(-fused, size - 1)[:size]
    else:
        shortlist = np.arange(pool.size)
    # Text rank of each shortlisted item (ties by position), for the "top x%" reason.
    by_text = shortlist[np.lexsort((shortlist, -fused[shortlist]))]
    text_rank = {int(item): rank for rank, item in enumerate(by_text, start=1)}

    scored: list[tuple[float, int]] = []
    details: dict[int, tuple[float, dict[str, float], list[Reason]]] = {}
    relevance_of = relevance[shortlist].tolist()
    for item, topical in zip(shortlist.tolist(), relevance_of, strict=True):
        demand, offer = pair_of(item)
        fit, parts, reasons = structured_fit(demand, offer, weights)
        score = topical * (1 - weights.structured + weights.structured * fit)
        if is_expired(offer, today):
            score *= weights.expired_factor
            parts["validity"] = 0.0
            reasons.append(Reason("expired", {"valid_until": offer.valid_until.isoformat()}))
        scored.append((round(score, 6), item))
        details[item] = (fit, parts, reasons)

    scored.sort(key=lambda pair: (-pair[0], _id_key(pool.ids[pair[1]])))
    chosen = scored[:top_k]
    shared = pool.bm25.shared_terms(tokens_with_surface(query_text), [i for _, i in chosen])
    results = []
    for score, item in chosen:
        fit, parts, reasons = details[item]
        # Components are rounded for the chosen few only: the shortlist is many times larger.
        components = {
            "dense": round(float(dense[item]), 4),
            "lexical": round(float(lexical[item]), 4),
            "topical": round(float(relevance[item]), 4),
            "structured": round(fit, 4),
            **{name: round(value, 4) for name, value in parts.items()},
        }
        lead: list[Reason] = []
        if not degraded:
            percentile = max(1, math.ceil(100 * text_rank[item] / pool.size))
            lead.append(Reason("text_similarity", {"percentile_top": percentile}))
        terms = shared[item]
        if terms:
            lead.append(Reason("keywords", {"terms": terms}))
        demand, offer = pair_of(item)
        results.append(ScoredPair(demand.id, offer.id, score, components, lead + reasons, degraded))
    return results


def rank_offers_many(
    demands: Sequence[DemandProfile],
    demand_vectors: np.ndarray | None,
    index: OfferIndex,
    weights: Weights = DEFAULT_WEIGHTS,
    top_k: int = 20,
    today: date | None = None,
    block: int = 64,
) -> list[list[ScoredPair]]:
    """rank_offers for many demands (a rebuild): the cosines of a block of demands come from
    one matrix product instead of one product per demand. Same results as rank_offers."""
    today = today or date.today()  # noqa: DTZ011 (callers pass the local date)
    profiles = index.profiles
    results: list[list[ScoredPair]] = []
    for start in range(0, len(demands), block):
        part = demands[start : start + block]
        vectors = None if demand_vectors is None else demand_vectors[start : start + block]
        cosines = None
        if vectors is not None and index.vectors is not None:
            cosines = np.asarray(vectors, dtype=np.float32) @ index.vectors.T
        for row, demand in enumerate(part):
            results.append(_rank(
                demand.full_text, demand.language, None if vectors is None else vectors[row],
                index, lambda item, d=demand: (d, profiles[item]), weights, top_k, today,
                None if cosines is None else cosines[row],
            ))
    return results


def rank_offers(
    demand: DemandProfile,
    demand_vector: np.ndarray | None,
    index: OfferIndex,
    weights: Weights = DEFAULT_WEIGHTS,
    top_k: int = 20,
    today: date | None = None,
) -> list[ScoredPair]:
    """Best offers for one demand, by score desc then offer id asc."""
    profiles = index.profiles
    return _rank(
        demand.full_text,
        demand.language,
        demand_vector,
        index,
        lambda item: (demand, profiles[item]),
        weights,
        top_k,
        today or datetime.now(UTC).date(),  # callers pass their local date
    )


def rank_demands(
    offer: OfferProfile,
    offer_vector: np.ndarray | None,
    index: DemandIndex,
    weights: Weights = DEFAULT_WEIGHTS,
    top_k: int = 20,
    today: date | None = None,
) -> list[ScoredPair]:
    """Best demands for one (new) offer, by score desc then demand id asc."""
    profiles = index.profiles
    return _rank(
        offer.full_text,
        offer.language,
        offer_vector,
        index,
        lambda item: (profiles[item], offer),
        weights,
        top_k,
        today or datetime.now(UTC).date(),  # callers pass their local date
    )
