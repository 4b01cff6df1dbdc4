from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from matching.engine.rank import DemandIndex, OfferIndex, rank_demands, rank_offers
from matching.engine.reasons import Reason

from .helpers import demand, index_with, offer, unit

TODAY = date(2025, 6, 1)
QUERY = unit(1, 0.1)
ON_TOPIC = unit(1, 0.12)


def score_of(pairs, offer_id):
    return next(p.score for p in pairs if p.offer_id == offer_id)


def compare(good, bad, the_demand=None):
    """Scores of two offers with the same text vector that differ in one attribute."""
    index = index_with([(good, ON_TOPIC), (bad, ON_TOPIC)])
    pairs = rank_offers(the_demand or demand(), QUERY, index, top_k=50, today=TODAY)
    return score_of(pairs, good.id), score_of(pairs, bad.id)


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ({"fields": ("2.03",)}, {"fields": ("2.07",)}),  # same field > same area
        ({"fields": ("2.07",)}, {"fields": ("4.01",)}),  # same area > none
        ({"trl": 7}, {"trl": 5}),
        ({"cooperation": ("equipment_sale",)}, {"cooperation": ("license",)}),
        ({"country": "JP"}, {"country": "DE"}),
        ({"valid_until": date(2026, 1, 1)}, {"valid_until": date(2025, 1, 1)}),
    ],
)
def test_each_structured_signal_moves_the_score(good, bad):
    good_score, bad_score = compare(offer("A", **good), offer("B", **bad))
    assert good_score > bad_score


def test_equipment_purchase_counts_as_equipment_sale():
    pairs = rank_offers(demand(), QUERY, index_with([(offer("A"), ON_TOPIC)]), today=TODAY)
    top = pairs[0]
    assert top.offer_id == "A"
    assert Reason("cooperation", {"types": ["equipment_sale"]}) in top.reasons
    assert Reason("same_field", {"code": "2.03"}) in top.reasons
    assert Reason("trl_fit", {"trl": 9, "min": 7}) in top.reasons
    # No percentile, no bigram "keywords": the portal words the score and the key phrases.
    assert not {r.code for r in top.reasons} & {"text_similarity", "keywords"}


def test_relevance_gate_perfect_fit_off_topic_ranks_below_topical_match():
    perfect_fit = offer("A", title="Software licence", text="Accounting software")
    poor_fit = offer(
        "B",
        fields=("6.01",),
        cooperation=("license",),
        trl=3,
        country="BR",
        valid_until=date(2030, 1, 1),
    )
    index = index_with([(perfect_fit, unit(0, 0, 1)), (poor_fit, ON_TOPIC)])
    pairs = rank_offers(demand(), QUERY, index, top_k=50, today=TODAY)
    assert score_of(pairs, "B") > score_of(pairs, "A")
    assert score_of(pairs, "A") < 0.25  # no structured fit lifts it into the useful range


def test_same_input_gives_identical_output_and_ties_break_by_id():
    twins = [(offer(name), ON_TOPIC) for name in ("C", "A", "B")]
    index = index_with(twins)
    first = rank_offers(demand(), QUERY, index, top_k=5, today=TODAY)
    second = rank_offers(demand(), QUERY, index, top_k=5, today=TODAY)
    assert first == second
    assert [p.offer_id for p in first[:3]] == ["A", "B", "C"]
    assert [p.score for p in first] == sorted((p.score for p in first), reverse=True)


def test_scores_are_within_unit_interval_with_components():
    pairs = rank_offers(demand(), QUERY, index_with([(offer("A"), ON_TOPIC)]), top_k=50)
    assert all(0.0 <= p.score <= 1.0 for p in pairs)
    assert {"dense", "lexical", "topical", "structured"} <= set(pairs[0].components)


def test_degraded_mode_ranks_lexically_and_says_so():
    offers = [
        offer("A", title="Máy sấy chè", text="Máy sấy chè tiết kiệm năng lượng", language="vi"),
        offer("B", title="Wastewater", text="Compact wastewater treatment"),
    ]
    index = OfferIndex(offers, None)
    pairs = rank_offers(demand(), None, index, today=TODAY)
    assert [p.offer_id for p in pairs] == ["A", "B"]
    assert all(p.degraded for p in pairs)


def test_rank_demands_mirrors_rank_offers():
    wanted = demand(id="D1")
    other = demand(id="D2", fields=("4.01",), cooperation=("license",))
    index = DemandIndex([other, wanted], np.vstack([unit(0, 0, 1), QUERY]))
    pairs = rank_demands(offer("A"), ON_TOPIC, index, today=TODAY)
    assert [p.demand_id for p in pairs] == ["D1", "D2"]
    assert pairs[0].offer_id == "A"


def test_shortlist_limits_structured_scoring_but_not_top_k():
    index = index_with([(offer("A"), ON_TOPIC)], n_fillers=40)
    pairs = rank_offers(demand(), QUERY, index, replace_weights(shortlist=5), top_k=10)
    assert len(pairs) == 10 and pairs[0].offer_id == "A"


def replace_weights(**changes):
    from matching.engine.scoring import DEFAULT_WEIGHTS

    return replace(DEFAULT_WEIGHTS, **changes)


def test_ranking_many_demands_at_once_gives_the_same_pairs_as_one_by_one():
    from matching.engine.rank import rank_offers_many

    index = index_with([(offer("A"), ON_TOPIC), (offer("B", fields=("5.01",)), ON_TOPIC)])
    demands = [demand(id=f"D{i}", trl_min=5 + i % 3) for i in range(5)]
    vectors = np.vstack([QUERY] * len(demands))
    together = rank_offers_many(demands, vectors, index, top_k=4, today=TODAY, block=2)
    one_by_one = [rank_offers(d, QUERY, index, top_k=4, today=TODAY) for d in demands]
    assert len(together) == len(one_by_one) == 5
    for mine, theirs in zip(together, one_by_one, strict=True):
        assert [(p.offer_id, p.reasons) for p in mine] == [(p.offer_id, p.reasons) for p in theirs]
        assert [p.score for p in mine] == pytest.approx([p.score for p in theirs], abs=1e-5)
