"""Profiles and hand-made vectors: signal tests need no model."""

from __future__ import annotations

import numpy as np

from matching.engine.profiles import DemandProfile, OfferProfile
from matching.engine.rank import OfferIndex

DIM = 16


def unit(*weights: float) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def demand(**overrides) -> DemandProfile:
    values = {
        "id": "D1",
        "title": "Máy sấy chè",
        "text": "Cần máy sấy chè tiết kiệm năng lượng",
        "language": "vi",
        "fields": ("2.03",),
        "cooperation": ("equipment_purchase",),
        "trl_min": 7,
        "preferred_countries": ("JP",),
    }
    return DemandProfile(**{**values, **overrides})


def offer(offer_id: str, **overrides) -> OfferProfile:
    values = {
        "id": offer_id,
        "title": "Tea dryer",
        "text": "Energy saving tea dryer",
        "language": "en",
        "fields": ("2.03",),
        "cooperation": ("equipment_sale",),
        "trl": 9,
        "country": "JP",
    }
    return OfferProfile(**{**values, **overrides})


def fillers(count: int) -> tuple[list[OfferProfile], list[np.ndarray]]:
    """Unrelated offers along other axes, so calibration has a background."""
    rng = np.random.default_rng(0)
    offers, vectors = [], []
    for i in range(count):
        offers.append(
            offer(
                f"F{i:02d}",
                title="Unrelated",
                text=f"Other topic {i}",
                fields=("5.01",),
                cooperation=("consulting",),
                country="US",
                trl=3,
            )
        )
        v = np.abs(rng.normal(size=DIM)).astype(np.float32)
        v[0] = 0.05
        vectors.append(v / np.linalg.norm(v))
    return offers, vectors


def index_with(targets: list[tuple[OfferProfile, np.ndarray]], n_fillers: int = 12) -> OfferIndex:
    offers, vectors = fillers(n_fillers)
    offers += [o for o, _ in targets]
    vectors += [v for _, v in targets]
    return OfferIndex(offers, np.vstack(vectors))
