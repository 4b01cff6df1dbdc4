"""Learning from staff decisions: metrics over decision labels and a small weight search.

Pure computation (no Django): labels and a ranking function come in, figures and a proposed
set of weights go out. `matching/decisions.py` reads the labels and ranks with the portal's
own index.

Labels are sparse: staff judge only what the engine showed them. So the two figures read them
the way each question needs (both through evaluate.ranking_metrics, on the same code path as
the evaluation sets):
- Recall@20 on the engine's real ranking over every published offer: of the pairs staff found
  worth pursuing (grade >= 2), how many stand in the top 20 that people see.
- nDCG@10 on the condensed list (the ranking with unjudged offers left out, Sakai 2007): does
  the engine order what staff judged as staff did. A rejected pair above an introduced one
  costs; an offer nobody judged costs nothing, since nobody said it was wrong.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from .evaluate import ranking_metrics
from .scoring import Weights

Labels = Mapping[Hashable, Mapping[Hashable, int]]  # {demand id: {offer id: grade}}
Rankings = Mapping[Hashable, Sequence[Hashable]]  # {demand id: offer ids, best first}
RankFn = Callable[[Weights, Sequence[Hashable]], Rankings]  # (weights, demand ids) -> rankings

RELEVANT = 2  # grade from which a pair counts as an answer (as in evaluate.ranking_metrics)
MIN_DEMANDS = 10  # judged demands needed before a fit says anything
FIT_SHARE = 0.7  # the rest is held back to check the fit

# The global weights the search may move, and the values it tries for each. The signal
# weights inside the structured fit are relative (a weighted mean), so a few levels suffice.
# topical_center is left alone: it moves the score scale that "a likely answer" is read on.
SEARCH_GRID: dict[str, tuple[float, ...]] = {
    "structured": (0.0, 0.25, 0.35, 0.5, 0.65, 0.8),
    "field": (0.0, 1.0, 2.0, 3.0, 4.0, 6.0),
    "lexical": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "trl": (0.0, 0.5, 1.0, 2.0, 3.0),
    "cooperation": (0.0, 0.5, 1.0, 2.0, 3.0),
    "country": (0.0, 0.5, 1.0, 2.0, 3.0),
}


def judged_demands(labels: Labels) -> list[Hashable]:
    """Demands with at least one positive label (grade >= 2), sorted: the ones that count."""
    return sorted(
        (d for d, grades in labels.items() if any(g >= RELEVANT for g in grades.values())), key=str
    )


def condensed(ranking: Sequence[Hashable], grades: Mapping[Hashable, int]) -> list[Hashable]:
    """The judged offers in ranking order; judged offers the ranking left out come last,
    worst grade first (no credit for what the engine did not rank), then by id."""
    ranked = [o for o in ranking if o in grades]
    seen = set(ranked)
    missing = sorted((o for o in grades if o not in seen), key=lambda o: (grades[o], str(o)))
    return ranked + missing


def decision_metrics(rankings: Rankings, labels: Labels, demand_ids=None) -> dict:
    """Mean nDCG@10 (condensed list) and Recall@20 (full ranking) over the judged demands
    (or those of them in `demand_ids`), with the number of demands and labels used."""
    chosen = judged_demands(labels)
    if demand_ids is not None:
        wanted = set(demand_ids)
        chosen = [d for d in chosen if d in wanted]
    ndcg, recall, used = [], [], 0
    for demand in chosen:
        grades = dict(labels[demand])
        ranking = list(rankings.get(demand, ()))
        ndcg.append(ranking_metrics(condensed(ranking, grades), grades, set())["ndcg@10"])
        recall.append(ranking_metrics(ranking, grades, set())["recall@20"])
        used += len(grades)
    return {
        "demands": len(chosen),
        "labels": used,
        "ndcg@10": round(sum(ndcg) / len(ndcg), 4) if ndcg else 0.0,
        "recall@20": round(sum(recall) / len(recall), 4) if recall else 0.0,
    }


def _bucket(demand_id: Hashable) -> str:
    return hashlib.sha256(str(demand_id).encode()).hexdigest()


def split(demand_ids: Sequence[Hashable], share: float = FIT_SHARE) -> tuple[list, list]:
    """(fit, held back): demands ordered by a hash of their id, the first `share` to fit.

    Deterministic (same decisions, same split), and unrelated to dates or provinces."""
    ordered = sorted(demand_ids, key=_bucket)
    cut = round(share * len(ordered))
    return sorted(ordered[:cut], key=str), sorted(ordered[cut:], key=str)


def _objective(figures: dict) -> tuple[float, float]:
    return figures["ndcg@10"], figures["recall@20"]


def coordinate_ascent(
    score: Callable[[Weights], tuple[float, float]],
    start: Weights,
    grid: Mapping[str, Sequence[float]] = SEARCH_GRID,
    rounds: int = 3,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Weights, int]:
    """Best weights found by moving one weight at a time over its grid values, from `start`.

    A move must beat the current best strictly (ties keep what is in place, so noise does not
    drift the weights); stops after a round without moves, `rounds` rounds, or at `deadline`
    (a `clock()` value). Returns the weights and how many settings were scored.
    """
    seen: dict[Weights, tuple[float, float]] = {}

    def scored(weights: Weights) -> tuple[float, float]:
        if weights not in seen:
            seen[weights] = score(weights)
        return seen[weights]

    best, best_score = start, scored(start)
    for _round in range(rounds):
        moved = False
        for name, values in grid.items():
            for value in values:
                if deadline is not None and clock() >= deadline:
                    return best, len(seen)
                candidate = replace(best, **{name: value})
                candidate_score = scored(candidate)
                if candidate_score > best_score:
                    best, best_score, moved = candidate, candidate_score, True
        if not moved:
            break
    return best, len(seen)


@dataclass(frozen=True)
class Fit:
    """A proposal and the figures that justify it (or why there is none)."""

    enough: bool
    demands: int  # judged demands (with a positive label)
    labels: int  # labels on those demands
    current: dict  # {"all" | "fit" | "held": figures} of the weights in place
    proposed: dict  # {"fit" | "held": figures} of the proposal ({} without one)
    weights: dict  # the searched weights' proposed values ({} without one)
    evaluations: int = 0


def fit_weights(
    rank: RankFn,
    labels: Labels,
    start: Weights,
    grid: Mapping[str, Sequence[float]] = SEARCH_GRID,
    min_demands: int = MIN_DEMANDS,
    seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Fit:
    """Figures of the weights in place, and, with enough judged demands, weights fitted on
    70 % of them and checked on the 30 % held back. `rank(weights, demand ids)` ranks offers."""
    judged = judged_demands(labels)
    labels_used = sum(len(labels[d]) for d in judged)
    current_rankings = rank(start, judged)
    current = {"all": decision_metrics(current_rankings, labels)}
    if len(judged) < min_demands:
        return Fit(False, len(judged), labels_used, current, {}, {})
    fit_ids, held_ids = split(judged)
    current["fit"] = decision_metrics(current_rankings, labels, fit_ids)
    current["held"] = decision_metrics(current_rankings, labels, held_ids)
    deadline = None if seconds is None else clock() + seconds
    fit_rankings: dict[Weights, Rankings] = {start: current_rankings}

    def score(weights: Weights) -> tuple[float, float]:
        if weights not in fit_rankings:
            fit_rankings[weights] = rank(weights, fit_ids)
        return _objective(decision_metrics(fit_rankings[weights], labels, fit_ids))

    best, evaluations = coordinate_ascent(score, start, grid, deadline=deadline, clock=clock)
    # The held-back demands are ranked with the proposal only now: the search never saw them.
    held_rankings = current_rankings if best == start else rank(best, held_ids)
    proposed = {
        "fit": decision_metrics(fit_rankings[best], labels, fit_ids),
        "held": decision_metrics(held_rankings, labels, held_ids),
    }
    weights = {name: getattr(best, name) for name in grid}
    return Fit(True, len(judged), labels_used, current, proposed, weights, evaluations)
