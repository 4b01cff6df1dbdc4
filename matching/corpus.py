"""From rows to the engine: profiles, cached embeddings, and the in-process indexes.

The worker keeps one OfferIndex and one DemandIndex in memory. Each is rebuilt only when the
published set changes, which one cheap aggregate query tells (count, last update, last id).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import asdict, fields
from typing import Any

import numpy as np
from django.db.models import Count, Max
from django.db.models.functions import Mod

from demands.models import Demand
from offers.models import Offer

from .engine.embedder import Embedder, load_embedder, text_hash
from .engine.profiles import DemandProfile, OfferProfile
from .engine.rank import DemandIndex, OfferIndex
from .engine.scoring import DEFAULT_WEIGHTS, ENGINE_VERSION, Weights
from .models import Embedding, EngineSettings

logger = logging.getLogger(__name__)

MATCHABLE_DEMAND_STATUSES = (Demand.Status.PUBLISHED, Demand.Status.IN_CONNECTION)
MATCHABLE_OFFER_STATUSES = (Offer.Status.PUBLISHED,)
TOP_K = 20
COHORT_SIZE = 2000  # vectors of the other side used to calibrate each item's cosines

_lock = threading.Lock()
_state: dict[str, Any] = {}


# --- the model ------------------------------------------------------------------------------


def embedder() -> Embedder | None:
    """The embedding model, loaded once per process; None means degraded (logged once)."""
    with _lock:
        if "embedder" not in _state:
            _state["embedder"] = load_embedder()
            if _state["embedder"] is None:
                logger.error("matching engine DEGRADED: no embedding model, lexical + structured only")
        return _state["embedder"]


def engine_status() -> tuple[bool, str]:
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
        budget_vnd=demand.budget_max_vnd,
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
    return Demand.objects.filter(status__in=MATCHABLE_DEMAND_STATUSES).prefetch_related(
        "fields", "cooperation"
    )


def matchable_offers():
    return Offer.objects.filter(status__in=MATCHABLE_OFFER_STATUSES).prefetch_related(
        "fields", "cooperation"
    )


# --- embeddings --------------------------------------------------------------------------------


def vectors_for(kind: str, profiles: list) -> np.ndarray | None:
    """One vector per profile, from the cache when the text is unchanged, else embedded now."""
    model = embedder()
    if model is None or not profiles:
        return None
    ids = [p.id for p in profiles]
    hashes = {p.id: text_hash(p.full_text) for p in profiles}
    cached = {
        row.object_id: row
        for row in Embedding.objects.filter(kind=kind, object_id__in=ids, model_version=model.model_version)
    }
    stale = [p for p in profiles if p.id not in cached or cached[p.id].text_hash != hashes[p.id]]
    if stale:
        embed = model.embed_queries if kind == Embedding.Kind.DEMAND else model.embed_passages
        fresh = embed([p.full_text for p in stale])
        rows = [
            Embedding(kind=kind, object_id=p.id, model_version=model.model_version,
                      text_hash=hashes[p.id], language=p.language,
                      vector=fresh[i].astype("<f4").tobytes())
            for i, p in enumerate(stale)
        ]
        Embedding.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["kind", "object_id"],
            update_fields=["model_version", "text_hash", "language", "vector", "updated_at"],
        )
        for row in rows:
            cached[row.object_id] = row
    return np.vstack([np.frombuffer(bytes(cached[i].vector), dtype="<f4") for i in ids])


def cohort_vectors(kind: str, model_version: str) -> tuple[np.ndarray | None, list[str]]:
    """An evenly spread sample of one side's cached vectors: the other side's calibration."""
    stored = Embedding.objects.filter(kind=kind, model_version=model_version)
    step = max(1, math.ceil(stored.count() / COHORT_SIZE))
    if step > 1:
        stored = stored.annotate(slot=Mod("object_id", step)).filter(slot=0)
    rows = list(stored.order_by("object_id").values_list("vector", "language"))
    if not rows:
        return None, []
    matrix = np.frombuffer(b"".join(bytes(v) for v, _lang in rows), dtype="<f4")
    return matrix.reshape(len(rows), -1), [lang for _v, lang in rows]


# --- in-process indexes --------------------------------------------------------------------------


def _token(queryset) -> tuple:
    summary = queryset.order_by().aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (summary["n"], summary["last"], summary["top"])


def offer_index(weights: Weights) -> OfferIndex:
    """All published offers, rebuilt when they (or the weights) change."""
    offers = matchable_offers()
    key = (_token(offers), weights)
    cached = _state.get("offer_index")
    if cached and cached[0] == key:
        return cached[1]
    profiles = [offer_profile(o) for o in offers.order_by("id")]
    vectors = vectors_for(Embedding.Kind.OFFER, profiles)
    model = embedder()
    cohort, cohort_langs = cohort_vectors(Embedding.Kind.DEMAND, model.model_version) if model else (None, [])
    index = OfferIndex(profiles, vectors, demand_vectors=cohort, demand_languages=cohort_langs,
                       cohort_size=COHORT_SIZE, weights=weights)
    _state["offer_index"] = (key, index)
    return index


def demand_index(weights: Weights) -> DemandIndex:
    """All matchable demands, rebuilt when they (or the weights) change."""
    demands = matchable_demands()
    key = (_token(demands), weights)
    cached = _state.get("demand_index")
    if cached and cached[0] == key:
        return cached[1]
    profiles = [demand_profile(d) for d in demands.order_by("id")]
    vectors = vectors_for(Embedding.Kind.DEMAND, profiles)
    model = embedder()
    cohort, cohort_langs = cohort_vectors(Embedding.Kind.OFFER, model.model_version) if model else (None, [])
    index = DemandIndex(profiles, vectors, offer_vectors=cohort, offer_languages=cohort_langs,
                        cohort_size=COHORT_SIZE, weights=weights)
    _state["demand_index"] = (key, index)
    return index


def forget_indexes() -> None:
    """Drop the in-memory indexes (tests, and after a weights change in this process)."""
    _state.pop("offer_index", None)
    _state.pop("demand_index", None)
