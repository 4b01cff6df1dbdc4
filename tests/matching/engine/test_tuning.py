"""Decision labels -> figures, and the weight search: no database, no model."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from matching.engine import tuning
from matching.engine.scoring import DEFAULT_WEIGHTS, Weights


def test_decision_metrics_on_a_hand_computed_fixture():
    fillers = [f"f{i}" for i in range(19)]
    rankings = {
        "D1": ["a", "b", "c", "d", "e"],
        "D2": ["y", *fillers, "z"],  # z is 21st: outside the 20 people see
        "D3": ["p", "q"],
        "D4": ["q"],
    }
    labels = {
        "D1": {"b": 3, "d": 0, "e": 2},  # agreement, rejected, shortlisted
        "D2": {"z": 2, "y": 0},  # shortlisted, rejected
        "D3": {"p": 1},  # dropped only: no positive label, not counted
        "D4": {"q": 0},  # rejected only: not counted
    }
    # D1: condensed list b(3) d(0) e(2): DCG = 7/log2(2) + 0 + 3/log2(4) = 8.5;
    #     ideal 3, 2, 0: IDCG = 7 + 3/log2(3) = 8.89279; nDCG@10 = 0.95583.
    #     Recall@20 on the full ranking: b and e both in the top 20 -> 1.
    # D2: condensed list y(0) z(2): DCG = 3/log2(3) = 1.89279; IDCG = 3; nDCG@10 = 0.63093.
    #     Recall@20: z is 21st -> 0.
    # Means over D1, D2: nDCG@10 (0.95583 + 0.63093) / 2 = 0.79338 -> 0.7934; Recall@20 0.5.
    figures = tuning.decision_metrics(rankings, labels)
    assert figures == {"demands": 2, "labels": 5, "ndcg@10": 0.7934, "recall@20": 0.5}
    assert figures["ndcg@10"] == round((8.5 / (7 + 3 / math.log2(3)) + 1 / math.log2(3)) / 2, 4)


def test_a_rejected_pair_ranked_above_a_kept_one_costs_and_an_unjudged_one_does_not():
    labels = {"D1": {"good": 2, "bad": 0}}
    best = tuning.decision_metrics({"D1": ["new", "good", "bad"]}, labels)
    worse = tuning.decision_metrics({"D1": ["bad", "good", "new"]}, labels)
    assert best["ndcg@10"] == 1.0  # "new" was never judged: nobody said it was wrong
    assert worse["ndcg@10"] == round(1 / math.log2(3), 4)


def test_judged_offers_the_ranking_left_out_come_last_worst_first():
    grades = {"a": 2, "b": 0, "c": 3}
    assert tuning.condensed(["x", "a"], grades) == ["a", "b", "c"]


def test_split_is_deterministic_and_holds_back_thirty_percent():
    ids = list(range(1, 11))
    fit, held = tuning.split(ids)
    assert (len(fit), len(held)) == (7, 3)
    assert set(fit) | set(held) == set(ids) and not set(fit) & set(held)
    assert tuning.split(list(reversed(ids))) == (fit, held)


def test_coordinate_ascent_finds_the_peak_of_a_smooth_objective():
    def score(w: Weights) -> tuple[float, float]:
        return (-((w.field - 1.0) ** 2) - (w.lexical - 0.2) ** 2, 0.0)

    best, evaluations = tuning.coordinate_ascent(score, DEFAULT_WEIGHTS)
    assert (best.field, best.lexical) == (1.0, 0.2)
    assert best.structured == DEFAULT_WEIGHTS.structured  # a flat direction does not move
    assert evaluations < 60


def test_coordinate_ascent_keeps_the_start_on_ties_and_stops_at_the_deadline():
    best, _ = tuning.coordinate_ascent(lambda w: (0.5, 0.5), DEFAULT_WEIGHTS)
    assert best == DEFAULT_WEIGHTS
    ticks = iter(range(100))
    best, evaluations = tuning.coordinate_ascent(
        lambda w: (w.field, 0.0), DEFAULT_WEIGHTS, deadline=3, clock=lambda: next(ticks)
    )
    assert evaluations == 4  # the start, then one candidate at each tick 0, 1, 2 before 3


def _ranker(calls: list):
    """Each demand has a kept offer "good" and a rejected one "bad"; with the field weight
    at 0 the engine puts "good" first, otherwise "bad"."""

    def rank(weights: Weights, ids):
        calls.append(list(ids))
        order = ["good", "bad"] if weights.field == 0 else ["bad", "good"]
        return dict.fromkeys(ids, order)

    return rank


def test_fit_weights_proposes_what_ranks_the_decisions_better_and_checks_it_on_held_back_demands():
    labels = {d: {"good": 2, "bad": 0} for d in range(12)}
    calls: list = []
    fit = tuning.fit_weights(_ranker(calls), labels, DEFAULT_WEIGHTS)
    assert fit.enough and (fit.demands, fit.labels) == (12, 24)
    assert fit.weights["field"] == 0.0
    assert set(fit.weights) == set(tuning.SEARCH_GRID)
    worse = round(1 / math.log2(3), 4)
    assert fit.current["all"]["ndcg@10"] == worse
    assert fit.current["held"] == {"demands": 4, "labels": 8, "ndcg@10": worse, "recall@20": 1.0}
    assert fit.proposed["held"] == {"demands": 4, "labels": 8, "ndcg@10": 1.0, "recall@20": 1.0}
    _fit_ids, held_ids = tuning.split(list(range(12)))
    # The search ranks the fitting demands only; the held-back ones once with each set.
    assert [c for c in calls if c == held_ids] == [held_ids]


def test_too_few_judged_demands_give_figures_but_no_proposal():
    labels = {d: {"good": 2, "bad": 0} for d in range(9)}
    labels[99] = {"bad": 0}  # a rejection alone does not make a judged demand
    fit = tuning.fit_weights(_ranker([]), labels, DEFAULT_WEIGHTS)
    assert not fit.enough
    assert fit.demands == 9
    assert fit.current["all"]["demands"] == 9
    assert (fit.proposed, fit.weights) == ({}, {})


@pytest.mark.parametrize("name", sorted(tuning.SEARCH_GRID))
def test_every_searched_weight_is_a_weight_of_the_engine(name):
    replace(DEFAULT_WEIGHTS, **{name: tuning.SEARCH_GRID[name][0]})
