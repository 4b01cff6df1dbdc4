"""Search by meaning for the catalogues: the ORM and cache side of matching/engine/search.py.

Plugged into portal/search.py at start-up (MatchingConfig.ready), so offers and demands search
by meaning without importing matching. It reads the vectors the matching engine already stores
(`Embedding`: offers as passages, demands as queries); records without one (drafts, records
never matched) are found by their words only.

Cost per search: one query embedded (~15 ms; kept, with its feedback, for the same query
again), one matrix-vector product over the cached
vectors (~4 ms at 100k offers), and 3-4 small queries (the newest embedding id, the query's
lexical hits for feedback, the scope check of at most 500 ids). The vectors stay in memory per
process and kind (100k offers x 384 float32 = 150 MB; 20k demands 30 MB): new embeddings are
read by id as they appear, re-embedded texts once a minute by `updated_at`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import timedelta

import numpy as np
from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from demands.models import Demand, Visibility
from offers.models import Offer
from portal import search as portal_search
from portal.text import has_vietnamese_diacritics

from . import corpus
from .engine import search as engine
from .engine.calibration import Reference, load_reference
from .models import Embedding

MODELS = {"offer": Offer, "demand": Demand}
MATCHABLE = {"offer": Offer.LIVE_STATUSES, "demand": Demand.LIVE_STATUSES}
CANDIDATES = 500  # best rows checked against the user's scope per `pk IN` query
SCOPE_ROUNDS = 4  # blocks of candidates checked at most
FEEDBACK = 10  # lexical hits of each kind and word that steer the query
COMMON = 0.2  # a word in more than this share of a kind's records steers nothing
RECHECK = timedelta(seconds=60)  # how often re-embedded texts are looked for

_lock = threading.Lock()
_cache: dict[str, _Vectors] = {}
_reference: dict[str, Reference] = {}
# A query's embedding never changes, and its words' feedback only with new vectors: the same
# search again (the next page, another filter, a popular query) costs neither again.
QUERIES_KEPT = 256
FEEDBACK_FOR = 60.0  # seconds a query's feedback is kept (new vectors of a kind drop it)
_queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_feedbacks: OrderedDict[tuple, tuple[float, tuple]] = OrderedDict()


def _kept(store: OrderedDict, key, compute):
    """`compute()`'s value for `key`, kept in `store` (the QUERIES_KEPT most recent)."""
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = store[key] = compute()
    if len(store) > QUERIES_KEPT:
        store.popitem(last=False)
    return value


def _embedded_query(model, text: str) -> np.ndarray:
    return _kept(_queries, (model.model_version, text), lambda: model.embed_queries([text]))


def _kept_feedback(text: str, caches: dict[str, _Vectors]):
    """`_feedback(text, caches)`, kept FEEDBACK_FOR seconds while no kind gets new vectors."""
    key = (text, *((kind, caches[kind].last_id, caches[kind].size) for kind in sorted(caches)))
    now = time.monotonic()
    at, value = _kept(_feedbacks, key, lambda: (now, _feedback(text, caches)))
    if now - at > FEEDBACK_FOR:
        value = _feedback(text, caches)
        _feedbacks[key] = (now, value)
    return value


class _Vectors:
    """One kind's stored vectors in memory, grown in place: a new record costs its own row
    (and its norm), not a copy of the 150 MB matrix."""

    def __init__(self, reference: Reference, kind: str, dim: int) -> None:
        self.reference = reference
        self.kind = kind
        side = reference.sides[kind]
        self.groups = list(side.means)  # the reference's language groups of this kind
        self.means = np.stack([side.means[g] for g in self.groups]).astype(np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._codes = np.zeros(0, dtype=np.int32)
        self._norms = np.zeros(0, dtype=np.float32)
        self.size = 0
        self.row_of: dict[int, int] = {}
        self.last_id = 0  # highest Embedding.id read
        self.checked_at = timezone.now()
        self.horizon = corpus.read_horizon()  # taken before the first read

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self.size]

    @property
    def centred(self) -> engine.Centred:
        n = self.size
        return engine.Centred(self._matrix[:n], self.means, self._codes[:n], self._norms[:n])

    def cohorts(self) -> list[np.ndarray]:
        """Per language group, the reference texts a query's z-score is measured among: the
        topic-neutral background (the evaluation texts are half about tea, which made "tea"
        look ordinary next to them and found no tea demand)."""
        side = self.reference.sides[self.kind]
        return [side.neutral_cohort(g) for g in self.groups]

    def merge(self, rows: Iterable[tuple[int, int, str, bytes]]) -> None:
        """Rows (embedding id, object id, language, vector): replace known records, add new."""
        side = self.reference.sides[self.kind]
        changed = []
        for emb_id, object_id, language, vector in rows:
            self.last_id = max(self.last_id, emb_id)
            i = self.row_of.get(object_id)
            if i is None:
                self._grow(self.size + 1)  # doubling: amortised, not a copy per record
                i = self.row_of[object_id] = self.size
                self._ids[i] = object_id
                self.size += 1
            self._matrix[i] = np.frombuffer(vector, dtype="<f4")
            self._codes[i] = self.groups.index(side.key(language))
            changed.append(i)
        if changed:
            index = np.array(changed)
            self._norms[index] = engine.row_norms(
                self._matrix[index], self.means, self._codes[index]
            )

    def _grow(self, rows: int) -> None:
        if rows <= len(self._ids):
            return
        capacity = max(rows, 2 * len(self._ids), 1024)
        for name in ("_ids", "_matrix", "_codes", "_norms"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)


def _rows(kind: str, model_version: str, **where) -> Iterator[tuple[int, int, str, bytes]]:
    stored = Embedding.objects.filter(kind=kind, model_version=model_version, **where)
    for pk, object_id, language, vector in (
        stored.order_by("pk")
        .values_list("pk", "object_id", "language", "vector")
        .iterator(chunk_size=5000)
    ):
        yield pk, object_id, language, bytes(vector)


def _vectors(kind: str, reference: Reference, dim: int) -> _Vectors:
    """The cached vectors of one kind, brought up to date (see the module docstring)."""
    model_version = reference.model_version
    now = timezone.now()
    cached = _cache.get(kind)
    if cached is None or cached.reference is not reference:
        cached = _Vectors(reference, kind, dim)
        cached.merge(_rows(kind, model_version))
        _cache[kind] = cached
        return cached
    if now - cached.checked_at > RECHECK:
        # Everything re-embedded since the last look (however long ago), not the last minute.
        since, cached.horizon = cached.horizon, corpus.read_horizon()
        cached.checked_at = now
        cached.merge(_rows(kind, model_version, updated_at__gte=since))
    if _newest_id(kind) > cached.last_id:
        cached.merge(_rows(kind, model_version, pk__gt=cached.last_id))
    return cached


def _newest_id(kind: str) -> int:
    """The newest stored vector of a kind, read from the end of the (kind, id) index.

    Written as a range on `kind` ordered by (kind, id): with `kind = %s` the planner drops kind
    from the order and walks the primary key backwards instead, through every newer vector of
    the other kind (20,000 demands after the 100,000 offers: 10-13 ms on each search)."""
    newest = (
        Embedding.objects.filter(kind__gte=kind, kind__lte=kind)
        .order_by("-kind", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newest or 0


def _reference_for(model) -> Reference:
    """The engine's fixed reference for this model (shipped vectors; embedded once if stale)."""
    if _reference.get("current") is None or _reference["current"].model_version != (
        model.model_version
    ):
        _reference["current"] = load_reference(model)
    return _reference["current"]


def forget() -> None:
    """Drop the cached vectors (tests)."""
    with _lock:
        _cache.clear()
        _queries.clear()
        _feedbacks.clear()


def _holding(words: Q) -> dict[str, list[int]]:
    """Ids of the newest matchable records of each kind whose texts match `words`."""
    found = {}
    for kind, model in MODELS.items():
        holding = model.objects.filter(words(kind), status__in=MATCHABLE[kind])
        if model is Demand:  # a confidential text must not steer anyone's results
            holding = holding.exclude(visibility=Visibility.CONFIDENTIAL)
        # "pk + 0": found through the word index, then sorted. Ordered by the bare pk, the
        # planner walked the whole primary key for a rare word (1 s on 100,000 offers).
        newest = ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField()).desc()
        found[kind] = list(holding.order_by(newest).values_list("pk", flat=True)[: FEEDBACK + 1])
    return found


def _direction(ids: dict[str, list[int]], caches: dict[str, _Vectors]) -> np.ndarray | None:
    rows = []
    for kind, pks in ids.items():
        vectors = caches[kind]
        found = [vectors.row_of[pk] for pk in pks[:FEEDBACK] if pk in vectors.row_of]
        if found:
            rows.append(vectors.centred.rows(np.array(found)))
    return engine.unit(np.vstack(rows).mean(axis=0)) if rows else None


def _feedback(
    text: str, caches: dict[str, _Vectors]
) -> tuple[np.ndarray | None, dict[str, set[int]]]:
    """Where the records holding the query's words point (pseudo-relevance feedback).

    First the records holding every word ("Sấy chè xanh bằng bơm nhiệt" for "sấy chè"), the
    most specific direction. When no record holds them all, one direction per word: drying
    records and tea records still meet at a tea dryer. A word held by more than COMMON of a
    kind's records says nothing about the topic and is left out. Also returns the ids that
    steered, by kind: they are found by their words, and the cut by meaning ignores them."""
    words = portal_search.parse(text)
    held: dict[str, set[int]] = {kind: set() for kind in MODELS}
    if not words:
        return None, held

    def every_word(kind):
        return portal_search.lexical_q(text, fields=portal_search.FIELDS[kind].text)

    holders = _holding(every_word)
    together = _direction(holders, caches)
    if together is not None:
        return together[None, :], {kind: set(pks) for kind, pks in holders.items()}
    directions = []
    for word in words:

        def this_word(kind, word=word):
            return portal_search.word_q(word, fields=portal_search.FIELDS[kind].text)

        ids = _holding(this_word)
        for kind, pks in ids.items():
            if len(pks) > FEEDBACK and (
                MODELS[kind].objects.filter(this_word(kind)).count() > COMMON * caches[kind].size
            ):
                ids[kind] = []
        direction = _direction(ids, caches)
        if direction is not None:
            directions.append(direction)
            for kind, pks in ids.items():
                held[kind].update(pks)
    return (np.vstack(directions) if directions else None), held


def scores(kind: str, text: str) -> tuple[np.ndarray, np.ndarray, bool, dict[str, set[int]]] | None:
    """(record ids, z-scores, steered by feedback) of every cached record of `kind` for
    `text`; None without the model."""
    model = corpus.embedder()
    if model is None:
        return None
    language = "vi" if has_vietnamese_diacritics(text) else "en"
    with _lock:
        reference = _reference_for(model)
        caches = {name: _vectors(name, reference, model.dim) for name in MODELS}
        vectors = caches[kind]
        if not vectors.size:
            return vectors.ids, np.zeros(0), False, {name: set() for name in MODELS}
        feedback, held = _kept_feedback(text, caches)
        centred_query = reference.centre(_embedded_query(model, text), [language], "demand")[0]
        query = engine.query_vector(centred_query, feedback)
        centred = vectors.centred
        z = engine.z_scores(centred.cosines(query), query, centred.group_of_row, vectors.cohorts())
        return vectors.ids, z, feedback is not None, held


def find(kind: str, queryset: QuerySet, text: str) -> dict[int, float]:
    """{record id: score in (0, 1]} of the records of `queryset` close in meaning to `text`."""
    found = scores(kind, text)
    if found is None:
        return {}
    ids, z, steered, held = found
    anchors = held[kind]
    best = np.flatnonzero(z >= engine.cut(steered=steered))  # the floor; hits() cuts again
    best = best[np.argsort(-z[best], kind="stable")]
    # The user's scope is applied before the cut, a block of candidates at a time: the best
    # 500 of 20,000 demands may all be other provinces' (a firm would then find nothing).
    kept: list[int] = []
    for start in range(0, min(len(best), CANDIDATES * SCOPE_ROUNDS), CANDIDATES):
        block = best[start : start + CANDIDATES]
        visible = set(
            queryset.filter(pk__in=[int(ids[i]) for i in block]).values_list("pk", flat=True)
        )
        kept += [int(i) for i in block if int(ids[i]) in visible]
        if len(kept) >= engine.MAX_HITS * 3:
            break
    keep = np.array(kept, dtype=np.int64)
    if not len(keep):
        return {}
    # The records that steered the query, or hold one of its words, sit closest to it by
    # construction and are found by their words anyway: the share of the best that a hit by
    # meaning must reach is taken among the others (else one of them, at z 15, hid the
    # English tea dryer at 2.6 on a small catalogue).
    worded = _holding_any_word(queryset, text, kind, [int(ids[i]) for i in keep])
    others = [row for row, i in enumerate(keep) if int(ids[i]) not in anchors | worded]
    best_other = float(z[keep[others]].max()) if others else 0.0
    return {
        int(ids[keep[row]]): min(1.0, value / SCALE)
        for row, value in engine.hits(z[keep], steered=steered, best=best_other)
    }


def _holding_any_word(queryset: QuerySet, text: str, kind: str, pks: list[int]) -> set[int]:
    """Those of `pks` that hold one of the query's words: found by their words anyway."""
    words = portal_search.parse(text)
    if not words or not pks:
        return set()
    fields = portal_search.FIELDS[kind].text
    any_word = Q()
    for word in words:
        any_word |= portal_search.word_q(word, fields=fields)
    return set(queryset.filter(any_word, pk__in=pks).values_list("pk", flat=True))


SCALE = 6.0  # z at which a record is as close as a short query gets (1.0 on the page)


def register() -> None:
    portal_search.register_semantic("offer", lambda queryset, text: find("offer", queryset, text))
    portal_search.register_semantic("demand", lambda queryset, text: find("demand", queryset, text))
