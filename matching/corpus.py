"""From rows to the engine: profiles, cached embeddings, and the in-process indexes.

The worker keeps one OfferIndex and one DemandIndex in memory. Each look reads what changed
since the previous one (a range scan on updated_at from the read horizon, see read_horizon):
nothing changed, the index is reused; a few records, they are folded in; many records or new
weights, it is built afresh.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from demands.models import Demand
from offers.models import Offer

from .engine.calibration import Reference, load_reference
from .engine.embedder import Embedder, load_embedder, record_vectors, text_hash
from .engine.profiles import DemandProfile, OfferProfile
from .engine.rank import DemandIndex, OfferIndex
from .engine.scoring import DEFAULT_WEIGHTS, ENGINE_VERSION, Weights
from .models import Embedding, EngineSettings

logger = logging.getLogger(__name__)

TOP_K = 20

_lock = threading.Lock()
_state: dict[str, Any] = {}


# --- the model ------------------------------------------------------------------------------


def embedder() -> Embedder | None:
    """The embedding model, loaded once per process; None means degraded (logged once)."""
    with _lock:
        if "embedder" not in _state:
            _state["embedder"] = load_embedder()
            if _state["embedder"] is None:
                logger.error(
                    "matching engine DEGRADED: no embedding model, lexical + structured only"
                )
        return _state["embedder"]


def engine_status(*, load: bool = True) -> tuple[bool, str]:
    """(ok, what). With load=False a process that has not needed the model yet says so
    instead of loading it (~7 s: longer than a load balancer waits for /healthz)."""
    if not load and "embedder" not in _state:
        return True, "not loaded in this process yet (loads on first use)"
    model = embedder()
    if model is None:
        return False, "degraded: lexical + structured only (embedding model did not load)"
    return True, f"ok: {model.model_version}"


def current_weights() -> tuple[Weights, int]:
    """The coordinators' weights over the defaults, and their version."""
    row = EngineSettings.objects.order_by("-version").first()
    if row is None:
        return DEFAULT_WEIGHTS, 0
    known = {f.name for f in fields(Weights)}
    overrides = {k: v for k, v in (row.weights or {}).items() if k in known}
    return Weights(**{**asdict(DEFAULT_WEIGHTS), **overrides}), row.version


def engine_version(weights_version: int) -> str:
    model = embedder()
    return f"{ENGINE_VERSION}/{model.model_version if model else 'lexical'}/w{weights_version}"


# --- profiles ---------------------------------------------------------------------------------


def demand_text(demand: Demand) -> str:
    parts = [demand.problem, demand.current_situation, demand.expected_result, demand.keywords]
    return "\n".join(p for p in parts if p)


def offer_text(offer: Offer) -> str:
    parts = [offer.summary, offer.description, offer.advantages, offer.applications, offer.keywords]
    return "\n".join(p for p in parts if p)


def demand_profile(demand: Demand) -> DemandProfile:
    return DemandProfile(
        id=demand.id,
        title=demand.title,
        text=demand_text(demand),
        language=demand.language or "vi",
        fields=tuple(sorted(f.code for f in demand.fields.all())),
        cooperation=tuple(sorted(c.code for c in demand.cooperation.all())),
        trl_min=demand.trl_min_id,
        preferred_countries=tuple(str(c.code) for c in demand.preferred_countries),
        province=str(demand.province_id),
    )


def offer_profile(offer: Offer) -> OfferProfile:
    return OfferProfile(
        id=offer.id,
        title=offer.title,
        text=offer_text(offer),
        language=offer.language or "en",
        fields=tuple(sorted(f.code for f in offer.fields.all())),
        cooperation=tuple(sorted(c.code for c in offer.cooperation.all())),
        trl=offer.trl_id,
        country=str(offer.provider_country.code or ""),
        valid_until=offer.valid_until,
        provider_type=offer.provider_type,
    )


def matchable_demands():
    return Demand.objects.filter(status__in=Demand.LIVE_STATUSES).prefetch_related(
        "fields", "cooperation"
    )


def matchable_offers():
    return Offer.objects.filter(status__in=Offer.LIVE_STATUSES).prefetch_related(
        "fields", "cooperation"
    )


def _codes_by_owner(relation, owners) -> dict[int, tuple[str, ...]]:
    """{owner id: sorted codes} of one many-to-many relation (codes are the primary keys)."""
    through = relation.through
    owner = relation.field.m2m_field_name() + "_id"
    target = relation.field.m2m_reverse_field_name() + "_id"
    grouped: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(**{f"{owner}__in": owners.values("pk")}).values_list(
        owner, target
    )
    for owner_id, code in rows.iterator(chunk_size=20_000):
        grouped[owner_id].append(code)
    return {owner_id: tuple(sorted(codes)) for owner_id, codes in grouped.items()}


def all_offer_profiles(ids: Iterable[int] | None = None) -> list[OfferProfile]:
    """offer_profile() of every matchable offer (or of those among `ids`), read as plain rows
    (an index build reads 100,000 offers: model instances and prefetches cost more than ranking)."""
    offers = Offer.objects.filter(status__in=Offer.LIVE_STATUSES)
    if ids is not None:
        offers = offers.filter(pk__in=list(ids))
    fields_of = _codes_by_owner(Offer.fields, offers)
    cooperation_of = _codes_by_owner(Offer.cooperation, offers)
    rows = offers.order_by("id").values_list(
        "id",
        "title",
        "summary",
        "description",
        "advantages",
        "applications",
        "keywords",
        "language",
        "trl_id",
        "provider_country",
        "valid_until",
        "provider_type",
    )
    return [
        OfferProfile(
            id=pk,
            title=title,
            text="\n".join(p for p in texts if p),
            language=language or "en",
            fields=fields_of.get(pk, ()),
            cooperation=cooperation_of.get(pk, ()),
            trl=trl,
            country=str(country or ""),
            valid_until=valid_until,
            provider_type=provider_type,
        )
        for pk, title, *texts, language, trl, country, valid_until, provider_type in rows.iterator(
            chunk_size=5000
        )
    ]


def all_demand_profiles(ids: Iterable[int] | None = None) -> list[DemandProfile]:
    """demand_profile() of every matchable demand (or of those among `ids`), as plain rows."""
    demands = Demand.objects.filter(status__in=Demand.LIVE_STATUSES)
    if ids is not None:
        demands = demands.filter(pk__in=list(ids))
    fields_of = _codes_by_owner(Demand.fields, demands)
    cooperation_of = _codes_by_owner(Demand.cooperation, demands)
    rows = demands.order_by("id").values_list(
        "id",
        "title",
        "problem",
        "current_situation",
        "expected_result",
        "keywords",
        "language",
        "trl_min_id",
        "preferred_countries",
        "province_id",
    )
    return [
        DemandProfile(
            id=pk,
            title=title,
            text="\n".join(p for p in texts if p),
            language=language or "vi",
            fields=fields_of.get(pk, ()),
            cooperation=cooperation_of.get(pk, ()),
            trl_min=trl_min,
            preferred_countries=_country_codes(countries),
            province=str(province),
        )
        for pk, title, *texts, language, trl_min, countries, province in rows.iterator(
            chunk_size=5000
        )
    ]


def _country_codes(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(code for code in value.split(",") if code)
    return tuple(str(getattr(c, "code", c)) for c in value)


# --- embeddings --------------------------------------------------------------------------------


def vectors_for(kind: str, profiles: list) -> np.ndarray | None:
    """One vector per profile, from the cache when the text is unchanged, else embedded now."""
    model = embedder()
    if model is None or not profiles:
        return None
    position = {p.id: i for i, p in enumerate(profiles)}
    hashes = [text_hash(p.full_text) for p in profiles]
    matrix = np.zeros((len(profiles), model.dim), dtype=np.float32)
    found = np.zeros(len(profiles), dtype=bool)
    stored = Embedding.objects.filter(kind=kind, model_version=model.model_version)
    if len(profiles) <= 1000:
        stored = stored.filter(object_id__in=list(position))
    # A whole index reads every stored vector of its kind: stream them, no model instances.
    for object_id, stored_hash, vector in stored.values_list(
        "object_id", "text_hash", "vector"
    ).iterator(chunk_size=5000):
        i = position.get(object_id)
        if i is not None and stored_hash == hashes[i]:
            matrix[i] = np.frombuffer(vector, dtype="<f4")
            found[i] = True
    stale = np.flatnonzero(~found).tolist()
    if stale:
        side = "demand" if kind == Embedding.Kind.DEMAND else "offer"
        fresh = record_vectors(
            model, side, [profiles[i].title for i in stale], [profiles[i].full_text for i in stale]
        )
        matrix[stale] = fresh
        Embedding.objects.bulk_create(
            [
                Embedding(
                    kind=kind,
                    object_id=profiles[i].id,
                    model_version=model.model_version,
                    text_hash=hashes[i],
                    language=profiles[i].language,
                    vector=fresh[k].astype("<f4").tobytes(),
                )
                for k, i in enumerate(stale)
            ],
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["model_version", "text_hash", "language", "vector", "updated_at"],
        )
    return matrix


def reference() -> Reference | None:
    """The fixed calibration cohort for the loaded model (once per process)."""
    model = embedder()
    if model is None:
        return None
    with _lock:
        if "reference" not in _state:
            _state["reference"] = load_reference(model)
        return _state["reference"]


# --- in-process indexes --------------------------------------------------------------------------


# A record's updated_at is stamped before its transaction commits, so a look at "what changed
# since" must reach back to the start of every transaction still open when the last look was
# taken. On PostgreSQL that start is read (read_horizon); elsewhere (the embedded SQLite demo,
# a few hundred rows) a fixed margin does. A fixed 5-minute margin on PostgreSQL made every
# match after an import of 100k offers re-read those 100k rows (322-362 ms instead of 80 ms).
COMMIT_MARGIN = timedelta(minutes=5)
# Between the application's clock (updated_at) and the database's (xact_start).
CLOCK_SKEW = timedelta(seconds=5)


def read_horizon() -> datetime:
    """Every row committed after this call has updated_at >= the returned time: the start of
    the oldest transaction open now (or now), less the clock skew.

    Reads pg_stat_activity, which shows xact_start of the sessions of the portal's own
    database role (all of its writers); autovacuum and other databases are left out.
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now - COMMIT_MARGIN
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        (oldest,) = cursor.fetchone()
    return min(oldest, now) - CLOCK_SKEW if oldest else now - CLOCK_SKEW


@dataclass
class _Cached:
    index: OfferIndex | DemandIndex
    weights: Weights
    stamps: dict[int, datetime]  # updated_at of each indexed record, as read for the index
    horizon: datetime  # read_horizon() taken before the last look: the next one reads from it
    changes: int = 0  # records folded in since the index was built


def _stamps(model, statuses) -> dict[int, datetime]:
    rows = model.objects.filter(status__in=statuses).order_by().values_list("pk", "updated_at")
    return dict(rows.iterator(chunk_size=20_000))


# Changes folded into an index before it is built afresh: each is scored apart (in Python)
# for BM25 and weighs on the statistics of the build, so a few hundred at most.
MAX_CHANGES = 200


def _changes(cached: _Cached, model, statuses) -> tuple[dict[int, datetime], set[int]]:
    """Since the last look: {id: updated_at} of matchable records published or edited, and
    the ids of indexed records withdrawn. One range scan on the updated_at index (drafts being
    edited are read and skipped), instead of an aggregate over every row on each match."""
    recent = model.objects.filter(updated_at__gte=cached.horizon).order_by()
    edited: dict[int, datetime] = {}
    withdrawn: set[int] = set()
    for pk, status, updated_at in recent.values_list("pk", "status", "updated_at"):
        if status in statuses:
            if cached.stamps.get(pk) != updated_at:
                edited[pk] = updated_at
        elif pk in cached.stamps:
            withdrawn.add(pk)
    return edited, withdrawn


_SIDES = {
    # name: (model, matchable statuses, profiles loader, index class, embedding kind)
    "offer_index": (Offer, Offer.LIVE_STATUSES, all_offer_profiles, OfferIndex, "offer"),
    "demand_index": (Demand, Demand.LIVE_STATUSES, all_demand_profiles, DemandIndex, "demand"),
}


def _index(name: str, weights: Weights):
    """One side's in-memory index: reused while nothing changed, updated in place of a few
    changed records, built afresh after many changes or a change of weights."""
    model, statuses, load, index_class, kind = _SIDES[name]
    cached = _state.get(name)
    horizon = read_horizon()  # before reading: what commits later is seen by the next look
    if cached and cached.weights == weights:
        edited, withdrawn = _changes(cached, model, statuses)
        if not edited and not withdrawn:
            cached.horizon = horizon
            return cached.index
        if cached.changes + len(edited) + len(withdrawn) <= MAX_CHANGES:
            profiles = load(edited)
            index = cached.index.with_changes(
                set(edited) | withdrawn, profiles, vectors_for(kind, profiles)
            )
            stamps = {**cached.stamps, **{p.id: edited[p.id] for p in profiles}}
            for pk in withdrawn | (set(edited) - {p.id for p in profiles}):
                stamps.pop(pk, None)
            changes = cached.changes + len(edited) + len(withdrawn)
            _state[name] = _Cached(index, weights, stamps, horizon, changes)
            return index
    stamps = _stamps(model, statuses)  # before the rows: a race means a rebuild, not a miss
    profiles = load()
    vectors = vectors_for(kind, profiles)
    _state.pop(name, None)  # let the old index go before the new one is built
    index = index_class(profiles, vectors, reference=reference())
    _state[name] = _Cached(index, weights, stamps, horizon)
    return index


def offer_index(weights: Weights) -> OfferIndex:
    """All published offers (see _index)."""
    return _index("offer_index", weights)


def demand_index(weights: Weights) -> DemandIndex:
    """All matchable demands (see _index)."""
    return _index("demand_index", weights)


def forget_indexes() -> None:
    """Drop the in-memory indexes (tests, and after a weights change in this process)."""
    _state.pop("offer_index", None)
    _state.pop("demand_index", None)
