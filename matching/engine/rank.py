"""Rank all offers for one demand, or all demands for one offer.

Shape of one query (N items in the pool): one matrix-vector product for cosines, bincount
statistics for per-language calibration, one BM25 pass over the query's postings, then
structured scoring and explanations only on a shortlist of the best texts. Nothing loops
in Python over all N. Weights and the reasoning behind them live in scoring.py.
"""

from __future__ import annotations

import copy
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
    canonical_cooperation,
    field_area,
    group_stats,
    is_expired,
    scale_by_max,
    shrunk_std,
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
        # Items replaced or withdrawn since the build (with_changes) stay in the arrays, dead:
        # never ranked, and grouped apart so they do not move the calibration statistics.
        self.dead = np.zeros(self.size, dtype=bool)
        self.live_size = self.size
        self.group_codes, self.n_groups = self.lang_codes, len(self.languages)
        self.position = {item: i for i, item in enumerate(self.ids)}
        self.bm25 = BM25Index(texts)
        self.vectors: np.ndarray | None = None
        if vectors is not None:
            self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            if self.vectors.shape[0] != self.size:
                raise ValueError("one vector per record is required")
        # Per item and per language of the other side: mean/std of its cosines to a cohort
        # of other-side vectors (the item half of S-norm). Empty without a cohort.
        self.cohort_stats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._item_terms_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._group_counts: np.ndarray | None = None
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
        self._cohort = (sample, codes[np.sort(keep)], langs)
        means, stds = self._cohort_stats_of(self.vectors)
        self.cohort_stats = {lang: (means[i], stds[i]) for i, lang in enumerate(langs)}

    def _cohort_stats_of(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cohort language x item: mean and std of the item's cosines to that cohort."""
        sample, sample_codes, langs = self._cohort
        means = np.zeros((len(langs), len(vectors)), dtype=np.float32)
        stds = np.zeros((len(langs), len(vectors)), dtype=np.float32)
        for start in range(0, len(vectors), _CHUNK):
            cos = (vectors[start : start + _CHUNK] @ sample.T).astype(np.float64)
            end = start + len(cos)
            for code in range(len(langs)):  # same rule as group_stats, row-wise
                part = cos[:, sample_codes == code]
                if part.shape[1] < self.min_group:
                    part = cos
                means[code, start:end] = part.mean(axis=1)
                stds[code, start:end] = shrunk_std(part.var(axis=1), part.shape[1])
        return means, stds

    def with_changes(self, gone: set, added: Sequence, vectors: np.ndarray | None):
        """A copy where the items `gone` are dead and `added` profiles (with `vectors`) are
        appended; an edited record is both. Self is left as it was (a reader may hold it).

        Between two full builds this costs a copy of the vectors, not a re-tokenising of
        every text; BM25 and calibration statistics stay those of the build (close enough for
        a few hundred changes, after which the caller builds afresh).
        """
        new = copy.copy(self)
        dead = self.dead.copy()
        dead[[self.position[i] for i in gone if i in self.position]] = True
        dead = np.concatenate([dead, np.zeros(len(added), dtype=bool)])
        new.profiles = [*self.profiles, *added]
        new.ids = [*self.ids, *(p.id for p in added)]
        new.size = len(new.ids)
        new.position = {**self.position, **{p.id: self.size + k for k, p in enumerate(added)}}
        languages = sorted(set(self.languages) | {p.language for p in added})
        remap = np.array([languages.index(x) for x in self.languages], dtype=np.int64)
        new.languages = languages
        new.lang_codes = np.concatenate([
            remap[self.lang_codes] if len(self.lang_codes) else self.lang_codes,
            np.array([languages.index(p.language) for p in added], dtype=np.int64),
        ])
        new.dead, new.live_size = dead, int((~dead).sum())
        has_dead = bool(dead.any())
        new.group_codes = np.where(dead, len(languages), new.lang_codes) if has_dead else new.lang_codes
        new.n_groups = len(languages) + int(has_dead)
        new.bm25 = self.bm25.with_docs([p.full_text for p in added])
        if self.vectors is not None and added:
            if vectors is None or len(vectors) != len(added):
                raise ValueError("one vector per added record is required")
            fresh = np.ascontiguousarray(vectors, dtype=np.float32)
            new.vectors = np.concatenate([self.vectors, fresh])
            if self.cohort_stats:
                means, stds = self._cohort_stats_of(fresh)
                new.cohort_stats = {
                    lang: (
                        np.concatenate([self.cohort_stats[lang][0], means[i]]),
                        np.concatenate([self.cohort_stats[lang][1], stds[i]]),
                    )
                    for i, lang in enumerate(self._cohort[2])
                }
        new._item_terms_cache = {}
        new._group_counts = None
        new._after_change()
        return new

    def _after_change(self) -> None:
        """Subclasses rebuild what they derive from the profiles."""

    def dense(self, vector: np.ndarray, language: str, cos: np.ndarray | None = None) -> np.ndarray:
        """S-norm calibrated cosine of one query vector against every item.

        `cos` (the raw cosines) may come precomputed from one matrix product for many queries.
        """
        assert self.vectors is not None
        if cos is None:
            cos = self.vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        if self._group_counts is None:
            self._group_counts = np.bincount(self.group_codes, minlength=self.n_groups)
        mean, std = group_stats(
            cos, self.group_codes, self.n_groups, self.min_group, self._group_counts
        )
        stats = self._item_terms(language)
        if stats is None:
            return ((cos - mean[self.group_codes]) / std[self.group_codes]).astype(np.float32)
        # 0.5 * (z_query + z_item) as one multiply-add per item: z = cos * scale + shift, with
        # the item half precomputed per query language (this runs for every demand of a rebuild).
        item_scale, item_shift = stats
        scale = (0.5 / std).astype(np.float32)[self.group_codes] + item_scale
        shift = (-0.5 * mean / std).astype(np.float32)[self.group_codes] + item_shift
        return cos * scale + shift

    def _item_terms(self, language: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Half of each item's z-score among the cohort of `language`, as (scale, shift)."""
        if language not in self.cohort_stats:
            return None
        if language not in self._item_terms_cache:
            mean, std = self.cohort_stats[language]
            self._item_terms_cache[language] = (
                (0.5 / std).astype(np.float32),
                (-0.5 * mean / std).astype(np.float32),
            )
        return self._item_terms_cache[language]


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
        self.structure = _OfferStructure(self.profiles)

    def _after_change(self) -> None:
        self.structure = _OfferStructure(self.profiles)

    @property
    def structure_for_ranking(self) -> _OfferStructure | None:
        return self.structure if self.structure.exact else None


def _bits(bit_of: dict[str, int], keys) -> int:
    mask = 0
    for key in keys:
        mask |= bit_of.get(key, 0)
    return mask


class _OfferStructure:
    """The offers' structured facts as arrays, so a shortlist's fit is a few numpy operations.

    Same arithmetic, in the same order, as scoring.structured_fit (which still explains the
    chosen few): the fits are identical, not just close.
    """

    def __init__(self, offers: Sequence[OfferProfile]) -> None:
        n = len(offers)
        codes = sorted({c for o in offers for c in o.fields})
        self.field_id = {c: i for i, c in enumerate(codes)}
        self.fields = np.zeros((n, max(1, len(codes))), dtype=bool)
        areas = sorted({field_area(c) for o in offers for c in o.fields})
        self.area_bit = {a: 1 << i for i, a in enumerate(areas[:63])}
        self.areas = np.zeros(n, dtype=np.int64)
        kinds = sorted({c for o in offers for c in canonical_cooperation(tuple(o.cooperation))})
        self.cooperation_bit = {c: 1 << i for i, c in enumerate(kinds[:63])}
        self.cooperation = np.zeros(n, dtype=np.int64)
        countries = sorted({o.country.upper() for o in offers if o.country})
        self.country_id = {c: i for i, c in enumerate(countries)}
        self.country = np.full(n, -1, dtype=np.int64)
        self.trl = np.full(n, np.nan)
        self.price = np.full(n, np.nan)
        self.valid_until = np.full(n, np.inf)  # ordinal day
        for i, o in enumerate(offers):
            for c in o.fields:
                self.fields[i, self.field_id[c]] = True
                self.areas[i] |= self.area_bit.get(field_area(c), 0)
            for c in canonical_cooperation(tuple(o.cooperation)):
                self.cooperation[i] |= self.cooperation_bit.get(c, 0)
            if o.country:
                self.country[i] = self.country_id[o.country.upper()]
            if o.trl is not None:
                self.trl[i] = o.trl
            if o.price_vnd:
                self.price[i] = o.price_vnd
            if o.valid_until is not None:
                self.valid_until[i] = o.valid_until.toordinal()
        self.has_fields = self.fields.any(axis=1)
        # The bitmasks hold 63 areas and 63 cooperation kinds; past that, use structured_fit.
        self.exact = len(areas) <= 63 and len(kinds) <= 63

    def fit(self, demand: DemandProfile, items: np.ndarray, weights: Weights) -> np.ndarray:
        total = np.zeros(len(items))
        acc = np.zeros(len(items))

        def add(weight: float, stated: np.ndarray, value: np.ndarray) -> None:
            nonlocal total, acc
            total = total + np.where(stated, weight, 0.0)
            acc = acc + np.where(stated, weight * value, 0.0)

        if demand.fields:
            wanted = [self.field_id[c] for c in demand.fields if c in self.field_id]
            shared = self.fields[np.ix_(items, wanted)].any(axis=1) if wanted else np.zeros(len(items), bool)
            bits = _bits(self.area_bit, {field_area(c) for c in demand.fields})
            same_area = (self.areas[items] & bits) != 0
            add(weights.field, self.has_fields[items], np.where(shared, 1.0, np.where(same_area, 0.5, 0.0)))
        if demand.trl_min is not None:
            trl = self.trl[items]
            gap = demand.trl_min - trl
            value = np.where(gap <= 0, 1.0, np.maximum(0.0, 1 - gap / weights.trl_gap_levels))
            add(weights.trl, ~np.isnan(trl), value)
        if demand.cooperation:
            bits = _bits(self.cooperation_bit, canonical_cooperation(tuple(demand.cooperation)))
            have = self.cooperation[items]
            add(weights.cooperation, have != 0, ((have & bits) != 0).astype(float))
        if demand.preferred_countries:
            wanted = [self.country_id[c.upper()] for c in demand.preferred_countries if c.upper() in self.country_id]
            country = self.country[items]
            add(weights.country, country >= 0, np.isin(country, wanted).astype(float))
        if demand.budget_vnd:
            price = self.price[items]
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(price <= demand.budget_vnd, 1.0, demand.budget_vnd / price)
            add(weights.budget, ~np.isnan(price), value)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, acc / np.where(total > 0, total, 1.0), 0.5)

    def expired(self, items: np.ndarray, today: date) -> np.ndarray:
        return self.valid_until[items] < today.toordinal()


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
    structure: _OfferStructure | None = None,
) -> list[ScoredPair]:
    if pool.live_size == 0 or top_k <= 0:
        return []
    degraded = query_vector is None or pool.vectors is None
    query_tokens = tokens_with_surface(query_text)  # once: for BM25 and for the shared words
    lexical = pool.bm25.score([token for token, _ in query_tokens])
    if pool.live_size < pool.size:
        lexical[pool.dead] = 0.0
    lexical = scale_by_max(lexical)
    if degraded:
        dense = np.zeros(pool.size, dtype=np.float32)
        fused = weights.lexical_only_when_degraded * lexical
    else:
        dense = pool.dense(query_vector, query_language, cos)
        fused = dense + weights.lexical * lexical

    if pool.live_size < pool.size:
        fused = np.where(pool.dead, -np.inf, fused)
    size = min(pool.live_size, max(top_k, weights.shortlist))
    if size < pool.size:
        shortlist = np.argpartition(fused, pool.size - size)[pool.size - size :]
    else:
        shortlist = np.arange(pool.size)
    # Topical relevance of the shortlist only: nothing past it can be chosen.
    short_fused = fused[shortlist]
    if degraded:
        short_relevance = np.clip(short_fused, 0.0, 1.0)
    else:
        short_relevance = topical_relevance(short_fused, weights)
    relevance = dict(zip(shortlist.tolist(), short_relevance.tolist(), strict=True))
    # Text rank of each shortlisted item (ties by position), for the "top x%" reason.
    by_text = shortlist[np.lexsort((shortlist, -short_fused))]
    text_rank = {int(item): rank for rank, item in enumerate(by_text, start=1)}

    if structure is not None:  # offers for one demand: the whole shortlist at once
        fits = structure.fit(pair_of(0)[0], shortlist, weights)
        scores = short_relevance.astype(np.float64) * (
            1 - weights.structured + weights.structured * fits
        )
        scores = np.where(structure.expired(shortlist, today), scores * weights.expired_factor, scores)
        scored = [(round(v, 6), item) for v, item in zip(scores.tolist(), shortlist.tolist(), strict=True)]
    else:
        scored = []
        for item, topical in zip(shortlist.tolist(), short_relevance.tolist(), strict=True):
            demand, offer = pair_of(item)
            fit, _parts, _none = structured_fit(demand, offer, weights, explain=False)
            score = topical * (1 - weights.structured + weights.structured * fit)
            if is_expired(offer, today):
                score *= weights.expired_factor
            scored.append((round(score, 6), item))

    scored.sort(key=lambda pair: (-pair[0], _id_key(pool.ids[pair[1]])))
    chosen = scored[:top_k]
    shared = pool.bm25.shared_terms(query_tokens, [i for _, i in chosen])
    results = []
    for score, item in chosen:
        demand, offer = pair_of(item)
        # Reasons for the chosen few only: the shortlist is many times larger.
        fit, parts, reasons = structured_fit(demand, offer, weights)
        if is_expired(offer, today):
            parts["validity"] = 0.0
            reasons.append(Reason("expired", {"valid_until": offer.valid_until.isoformat()}))
        components = {
            "dense": round(float(dense[item]), 4),
            "lexical": round(float(lexical[item]), 4),
            "topical": round(relevance[item], 4),
            "structured": round(fit, 4),
            **{name: round(value, 4) for name, value in parts.items()},
        }
        lead: list[Reason] = []
        if not degraded:
            percentile = max(1, math.ceil(100 * text_rank[item] / pool.live_size))
            lead.append(Reason("text_similarity", {"percentile_top": percentile}))
        terms = shared[item]
        if terms:
            lead.append(Reason("keywords", {"terms": terms}))
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
                None if cosines is None else cosines[row], index.structure_for_ranking,
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
        structure=index.structure_for_ranking,
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
