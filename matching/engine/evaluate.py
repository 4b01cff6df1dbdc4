"""Offline evaluation on a labelled directory (offers.jsonl, demands.jsonl, qrels.tsv).

Metrics follow shared/eval/README.md: every demand ranks every offer; averages over demands.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .calibration import load_reference
from .embedder import Embedder, load_embedder, record_vectors
from .lexical import BM25Index
from .profiles import DemandProfile, OfferProfile
from .rank import OfferIndex, rank_offers
from .scoring import DEFAULT_WEIGHTS, Weights

Qrels = dict[str, dict[str, int]]


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_eval_dir(path: str | Path) -> tuple[list[OfferProfile], list[DemandProfile], Qrels]:
    root = Path(path)
    offers = [
        OfferProfile(
            id=row["id"],
            title=row.get("title", ""),
            text=row.get("description", ""),
            language=row.get("language", "en"),
            fields=tuple(row.get("fields") or ()),
            cooperation=tuple(row.get("cooperation") or ()),
            trl=row.get("trl"),
            country=row.get("country") or "",
            provider_type=row.get("provider_type") or "",
        )
        for row in _read_jsonl(root / "offers.jsonl")
    ]
    demands = [
        DemandProfile(
            id=row["id"],
            title=row.get("title", ""),
            text=row.get("description", ""),
            language=row.get("language", "vi"),
            fields=tuple(row.get("fields") or ()),
            cooperation=tuple(row.get("cooperation") or ()),
            trl_min=row.get("trl_min"),
            preferred_countries=tuple(row.get("preferred_countries") or ()),
            province=row.get("province") or "",
        )
        for row in _read_jsonl(root / "demands.jsonl")
    ]
    qrels: Qrels = {}
    with (root / "qrels.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.strip().split("\t")
            if len(parts) == 3 and parts[2].lstrip("-").isdigit():
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return offers, demands, qrels


def ranking_metrics(
    ranking: Sequence[str], grades: dict[str, int], cross_lingual: set[str]
) -> dict[str, float | None]:
    """nDCG@10, Recall@20, MRR and cross-lingual Recall@20 of one demand's full ranking."""
    dcg = sum(
        (2 ** grades.get(o, 0) - 1) / math.log2(rank + 1)
        for rank, o in enumerate(ranking[:10], start=1)
    )
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    relevant = {o for o, g in grades.items() if g >= 2}
    top20 = set(ranking[:20])
    first = next((rank for rank, o in enumerate(ranking, start=1) if o in relevant), None)
    cross = relevant & cross_lingual
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "recall@20": len(relevant & top20) / len(relevant) if relevant else 0.0,
        "mrr": 1 / first if first else 0.0,
        "cross_lingual_recall@20": len(cross & top20) / len(cross) if cross else None,
    }


def _rankings(
    engine: str,
    offers: list[OfferProfile],
    demands: list[DemandProfile],
    embedder: Embedder | None,
    weights: Weights,
) -> list[list[tuple[str, float]]]:
    """Per demand, every offer as (id, score), best first."""
    if engine == "lexical":
        bm25 = BM25Index([o.full_text for o in offers])
        ids = np.array([str(o.id) for o in offers])
        rankings = []
        for demand in demands:
            scores = bm25.score(demand.full_text)
            order = np.lexsort((ids, -np.round(scores, 6)))  # score desc, then id asc
            rankings.append([(ids[i], float(scores[i])) for i in order])
        return rankings
    if engine != "hybrid":
        raise ValueError(f"unknown engine {engine!r}")
    offer_vectors = demand_vectors = None
    if embedder is not None:
        offer_vectors = record_vectors(
            embedder, "offer", [o.title for o in offers], [o.full_text for o in offers]
        )
        demand_vectors = record_vectors(
            embedder, "demand", [d.title for d in demands], [d.full_text for d in demands]
        )
    index = OfferIndex(
        offers, offer_vectors, reference=load_reference(embedder) if embedder else None
    )
    return [
        [
            (str(pair.offer_id), pair.score)
            for pair in rank_offers(
                demand,
                None if demand_vectors is None else demand_vectors[i],
                index,
                weights,
                top_k=len(offers),
            )
        ]
        for i, demand in enumerate(demands)
    ]


# Score bands of the table that tells what a score means (engine scores are in [0, 1]).
BANDS = (0.0, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 1.0001)


def score_bands(scored: list[tuple[float, int]]) -> list[dict]:
    """For each band of scores: how many pairs, and the share that is relevant (grade >= 2)
    or related (grade >= 1). `scored` holds (score, grade) of every ranked pair."""
    table = []
    for low, high in itertools.pairwise(BANDS):
        grades = [grade for score, grade in scored if low <= score < high]
        table.append(
            {
                "band": f"{low:.2f}-{min(high, 1.0):.2f}",
                "pairs": len(grades),
                "relevant": round(sum(g >= 2 for g in grades) / len(grades), 3) if grades else None,
                "related": round(sum(g >= 1 for g in grades) / len(grades), 3) if grades else None,
            }
        )
    return table


def evaluate(
    path: str | Path,
    engine: str = "hybrid",
    embedder: Embedder | None = None,
    demand_ids: set[str] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> dict:
    """Rank all offers for every labelled demand and average the README metrics; also the
    Recall@20 of each (demand language -> offer language) pair and the score-band table.

    `embedder` defaults to load_embedder() for the hybrid engine; `demand_ids` restricts the
    average to some demands (split-half checks). Calibration is against the fixed reference,
    so the other demands change nothing.
    """
    started = time.perf_counter()
    offers, demands, qrels = load_eval_dir(path)
    if engine == "hybrid" and embedder is None:
        embedder = load_embedder()
    rankings = _rankings(engine, offers, demands, embedder, weights)
    language_of = {str(o.id): o.language for o in offers}
    per_demand = []
    pair_found: dict[str, list[int]] = {}
    scored: list[tuple[float, int]] = []
    for demand, ranked in zip(demands, rankings, strict=True):
        grades = qrels.get(str(demand.id), {})
        if (demand_ids is not None and str(demand.id) not in demand_ids) or not grades:
            continue
        ranking = [offer_id for offer_id, _score in ranked]
        cross = {o for o in grades if language_of.get(o, demand.language) != demand.language}
        per_demand.append(ranking_metrics(ranking, grades, cross))
        top20 = set(ranking[:20])
        for offer_id, grade in grades.items():
            if grade >= 2:
                found = pair_found.setdefault(
                    f"{demand.language}->{language_of.get(offer_id, '?')}", [0, 0]
                )
                found[0] += offer_id in top20
                found[1] += 1
        scored += [(score, grades.get(offer_id, 0)) for offer_id, score in ranked]

    def mean(key: str) -> float:
        values = [m[key] for m in per_demand if m[key] is not None]
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "engine": engine if embedder is not None or engine == "lexical" else "hybrid-degraded",
        "demands": len(per_demand),
        "offers": len(offers),
        "ndcg@10": mean("ndcg@10"),
        "recall@20": mean("recall@20"),
        "mrr": mean("mrr"),
        "cross_lingual_recall@20": mean("cross_lingual_recall@20"),
        "recall@20_by_language_pair": {
            pair: {"recall@20": round(found / total, 4), "relevant": total}
            for pair, (found, total) in sorted(pair_found.items())
        },
        "score_bands": score_bands(scored) if engine == "hybrid" else [],
        "seconds": round(time.perf_counter() - started, 2),
    }
