"""Rank all offers for one demand, or all demands for one offer.

Shape of one query (N items in the pool): one matrix-vector product for cosines, bincount
statistics for per-language calibration, one BM25 pass over the query's postings, then
structured scoring and explanations only on a shortlist of the best texts. Nothing loops
in Python over all N. Weights and the reasoning behind them live in scoring.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import numpy as np

from .calibration import ANY, Reference
from .lexical import BM25Index
from .profiles import DemandProfile, OfferProfile
from .reasons import Reason, ScoredPair
from .scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    canonical_cooperation,
    field_area,
    is_expired,
    scale_by_max,
    structured_fit,
    topical_relevance,
)

_CHUNK = 4096  # rows per block when computing cohort statistics (bounds memory)
OTHER_SIDE = {"offer": "demand", "demand": "offer"}


class _Pool:
    """Texts, centred vectors and fixed calibration terms of one side (offers or demands)."""

    def __init__(
        self,
        ids: Sequence[int | str],
        texts: Sequence[str],
        languages: Sequence[str],
        vectors: np.ndarray | None,
        side: str,
        reference: Reference | None,
        cohort_vectors: np.ndarray | None = None,
        cohort_languages: Sequence[str] | None = None,
    ) -> None:
        self.ids = list(ids)
        self.size = len(self.ids)
        self.side, self.other_side = side, OTHER_SIDE[side]
        self.item_languages = list(languages)
        # Items replaced or withdrawn since the build (with_changes) stay in the arrays, dead:
        # never ranked. Calibration is fixed per item, so they move nothing else.
        self.dead = np.zeros(self.size, dtype=bool)
        self.live_size = self.size
        self.position = {item: i for i, item in enumerate(self.ids)}
        self.bm25 = BM25Index(texts)
        self.vectors: np.ndarray | None = None
        self.reference: Reference | None = None
        self.item_terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if vectors is not None:
            vectors = np.asarray(vectors, dtype=np.float32)
            if vectors.shape[0] != self.size:
                raise ValueError("one vector per record is required")
            if reference is None or reference.dim != vectors.shape[1]:
                reference = _reference_from_pool(
                    side, vectors, languages, cohort_vectors, cohort_languages
                )
            self.reference = reference
            self.vectors = np.ascontiguousarray(reference.centre(vectors, languages, side))
            self.item_terms = self._item_terms_of(self.vectors, self.item_languages)
        self._group_keys()

    def _group_keys(self) -> None:
        """Each item's calibration group: its language as the reference knows it."""
        if self.reference is None:
            self.group_names, self.group_codes = [], np.zeros(self.size, dtype=np.int64)
            return
        keys = [self.reference.group_key(self.side, lang) for lang in self.item_languages]
        self.group_names = sorted(set(keys))
        code_of = {key: i for i, key in enumerate(self.group_names)}
        self.group_codes = np.array([code_of[k] for k in keys], dtype=np.int64)

    def _item_terms_of(self, centred: np.ndarray, languages: Sequence[str]):
        """Per language of the other side's cohort: each item's half of the S-norm, as
        (scale, shift) so that half = cos * scale + shift. Fixed per item."""
        assert self.reference is not None
        terms = {}
        for lang in [*self.reference.languages(self.other_side), ANY]:
            means = np.zeros(len(centred))
            stds = np.ones(len(centred))
            for start in range(0, len(centred), _CHUNK):
                part = centred[start : start + _CHUNK]
                means[start : start + len(part)], stds[start : start + len(part)] = (
                    self.reference.stats(part, against=self.other_side, language=lang)
                )
            terms[lang] = (
                (0.5 / stds).astype(np.float32),
                (-0.5 * means / stds).astype(np.float32),
            )
        return terms

    def centre_queries(self, vectors: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        """Query vectors (of the other side) as the pool's vectors are: centred, unit."""
        assert self.reference is not None
        return self.reference.centre(vectors, languages, self.other_side)

    def with_changes(self, gone: set, added: Sequence, vectors: np.ndarray | None):
        """A copy where the items `gone` are dead and `added` profiles (with `vectors`) are
        appended; an edited record is both. Self is left as it was (a reader may hold it).

        Between two full builds this costs a copy of the vectors, not a re-tokenising of
        every text. Calibration is per item against the fixed reference, so an appended item
        scores exactly as it would after a full build; only BM25's statistics (a tie-breaker
        outside the score) stay those of the build.
        """
        new = copy.copy(self)
        dead = self.dead.copy()
        dead[[self.position[i] for i in gone if i in self.position]] = True
        new.dead = np.concatenate([dead, np.zeros(len(added), dtype=bool)])
        new.live_size = int((~new.dead).sum())
        new.profiles = [*self.profiles, *added]
        new.ids = [*self.ids, *(p.id for p in added)]
        new.size = len(new.ids)
        new.position = {**self.position, **{p.id: self.size + k for k, p in enumerate(added)}}
        new.item_languages = [*self.item_languages, *(p.language for p in added)]
        new.bm25 = self.bm25.with_docs([p.full_text for p in added])
        if self.vectors is not None and added:
            if vectors is None or len(vectors) != len(added):
                raise ValueError("one vector per added record is required")
            assert self.reference is not None
            fresh = self.reference.centre(vectors, [p.language for p in added], self.side)
            new.vectors = np.concatenate([self.vectors, fresh])
            terms = self._item_terms_of(fresh, [p.language for p in added])
            new.item_terms = {
                lang: (
                    np.concatenate([scale, terms[lang][0]]),
                    np.concatenate([shift, terms[lang][1]]),
                )
                for lang, (scale, shift) in self.item_terms.items()
            }
        new._group_keys()
        new._after_change()
        return new

    def _after_change(self) -> None:
        """Subclasses rebuild what they derive from the profiles."""

    def dense(self, vector: np.ndarray, language: str, cos: np.ndarray | None = None) -> np.ndarray:
        """S-norm calibrated cosine of one query vector against every item (see calibration.py).

        `cos` (the centred cosines) may come precomputed from one matrix product for many
        queries (centre_queries, then a product with `vectors`).
        """
        assert self.vectors is not None and self.reference is not None
        query = self.centre_queries(np.asarray(vector).reshape(1, -1), [language])
        if cos is None:
            cos = self.vectors @ query[0]
        # The query's half: its cosines to the cohort of each item language, once per group.
        mean = np.zeros(len(self.group_names))
        std = np.ones(len(self.group_names))
        for code, key in enumerate(self.group_names):
            m, s = self.reference.stats(query, against=self.side, language=key)
            mean[code], std[code] = m[0], s[0]
        item_scale, item_shift = self.item_terms[
            self.reference.group_key(self.other_side, language)
        ]
        # 0.5 * (z_query + z_item) as one multiply-add per item.
        scale = (0.5 / std).astype(np.float32)[self.group_codes] + item_scale
        shift = (-0.5 * mean / std).astype(np.float32)[self.group_codes] + item_shift
        return cos * scale + shift


def _reference_from_pool(side, vectors, languages, cohort_vectors, cohort_languages) -> Reference:
    """Without a shipped reference of the same model (hand-made vectors in tests, another
    model): calibrate against the pool itself, uncentred, as a live cohort would."""
    other = OTHER_SIDE[side]
    if cohort_vectors is None or not len(cohort_vectors):
        cohort_vectors, cohort_languages = vectors, languages
    return Reference.from_vectors(
        {side: vectors, other: np.asarray(cohort_vectors, dtype=np.float32)},
        {side: list(languages), other: list(cohort_languages or [])},
        centre=False,
    )


class OfferIndex(_Pool):
    """All published offers, with passage vectors (N x dim) or None (degraded)."""

    def __init__(
        self,
        offers: Sequence[OfferProfile],
        vectors: np.ndarray | None,
        *,
        reference: Reference | None = None,
        demand_vectors: np.ndarray | None = None,
        demand_languages: Sequence[str] | None = None,
    ) -> None:
        """`reference`: the fixed calibration cohort (calibration.load_reference). Without one
        (hand-made vectors), `demand_vectors` or the offers themselves calibrate."""
        self.profiles = list(offers)
        super().__init__(
            [o.id for o in self.profiles],
            [o.full_text for o in self.profiles],
            [o.language for o in self.profiles],
            vectors,
            "offer",
            reference,
            demand_vectors,
            demand_languages,
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
            shared = (
                self.fields[np.ix_(items, wanted)].any(axis=1)
                if wanted
                else np.zeros(len(items), bool)
            )
            bits = _bits(self.area_bit, {field_area(c) for c in demand.fields})
            same_area = (self.areas[items] & bits) != 0
            add(
                weights.field,
                self.has_fields[items],
                np.where(shared, 1.0, np.where(same_area, 0.5, 0.0)),
            )
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
            wanted = [
                self.country_id[c.upper()]
                for c in demand.preferred_countries
                if c.upper() in self.country_id
            ]
            country = self.country[items]
            add(weights.country, country >= 0, np.isin(country, wanted).astype(float))
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
        reference: Reference | None = None,
        offer_vectors: np.ndarray | None = None,
        offer_languages: Sequence[str] | None = None,
    ) -> None:
        """`reference` as for OfferIndex; `offer_vectors` calibrate without one."""
        self.profiles = list(demands)
        super().__init__(
            [d.id for d in self.profiles],
            [d.full_text for d in self.profiles],
            [d.language for d in self.profiles],
            vectors,
            "demand",
            reference,
            offer_vectors,
            offer_languages,
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
    if degraded or weights.lexical:
        lexical = pool.bm25.score(query_text)
        if pool.live_size < pool.size:
            lexical[pool.dead] = 0.0
        lexical = scale_by_max(lexical)
    else:  # BM25 has no weight in the score (the default): not worth a pass over its postings
        lexical = np.zeros(pool.size, dtype=np.float32)
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

    if structure is not None:  # offers for one demand: the whole shortlist at once
        fits = structure.fit(pair_of(0)[0], shortlist, weights)
        scores = short_relevance.astype(np.float64) * (
            1 - weights.structured + weights.structured * fits
        )
        scores = np.where(
            structure.expired(shortlist, today), scores * weights.expired_factor, scores
        )
        scored = [
            (round(v, 6), item) for v, item in zip(scores.tolist(), shortlist.tolist(), strict=True)
        ]
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
    # Key phrases and the similarity label are not stored: the portal words them from the two
    # texts and the score when a page shows the pair (matching/reasons.py), at no rebuild cost.
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
        results.append(ScoredPair(demand.id, offer.id, score, components, reasons, degraded))
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
            centred = index.centre_queries(vectors, [d.language for d in part])
            cosines = centred @ index.vectors.T
        for row, demand in enumerate(part):
            results.append(
                _rank(
                    demand.full_text,
                    demand.language,
                    None if vectors is None else vectors[row],
                    index,
                    lambda item, d=demand: (d, profiles[item]),
                    weights,
                    top_k,
                    today,
                    None if cosines is None else cosines[row],
                    index.structure_for_ranking,
                )
            )
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
