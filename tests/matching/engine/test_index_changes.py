"""An index updated with a few changed records ranks as the portal expects, without a rebuild."""

from datetime import date

import numpy as np

from matching.engine.rank import DemandIndex, rank_demands, rank_offers
from matching.engine.scoring import Weights

from .helpers import demand, fillers, index_with, offer, unit

TODAY = date(2025, 6, 1)
QUERY = unit(1, 0.1)
CALIBRATION = [unit(1, 0.1), unit(0.2, 1), unit(0.1, 0.3, 1)] * 3


def ranked_ids(index, the_demand=None, top_k=50):
    return [
        p.offer_id
        for p in rank_offers(the_demand or demand(), QUERY, index, top_k=top_k, today=TODAY)
    ]


def test_an_edited_offer_is_ranked_in_its_new_version_only():
    before = index_with(
        [(offer("A", title="Tea dryer"), unit(1, 0.12)), (offer("B"), unit(0.3, 1))]
    )
    edited = offer("A", title="Rice polisher", text="Rice polishing machine", fields=("4.01",))
    after = before.with_changes({"A"}, [edited], unit(0, 0, 1)[None, :])

    ids = ranked_ids(after)
    assert ids.count("A") == 1 and len(ids) == after.live_size == before.size
    pair = next(
        p for p in rank_offers(demand(), QUERY, after, top_k=50, today=TODAY) if p.offer_id == "A"
    )
    assert pair.components["field"] == 0.0  # the new fields, not the old ones
    # the index it came from is untouched (a reader may still hold it)
    assert before.live_size == before.size and ranked_ids(before)[0] == "A"


def test_withdrawn_offers_are_never_ranked_and_new_ones_are():
    before = index_with([(offer("A"), unit(1, 0.12)), (offer("B"), unit(1, 0.2))])
    newcomer = offer("N", title="Heat pump tea dryer", text="Máy sấy chè bơm nhiệt")
    after = before.with_changes({"A"}, [newcomer], unit(1, 0.11)[None, :])
    ids = ranked_ids(after)
    assert "A" not in ids and ids[0] == "N"
    # BM25 (when a coordinator gives it weight) finds the newcomer's words
    with_bm25 = Weights(lexical=0.1)
    pair = next(
        p
        for p in rank_offers(demand(), QUERY, after, with_bm25, top_k=50, today=TODAY)
        if p.offer_id == "N"
    )
    assert pair.components["lexical"] > 0


def test_everything_withdrawn_ranks_nothing():
    before = index_with([(offer("A"), unit(1, 0.12))], n_fillers=0)
    assert ranked_ids(before.with_changes({"A"}, [], None)) == []


def test_a_changed_demand_index_ranks_the_new_demand_for_an_offer():
    _offers, vectors = fillers(5)
    index = DemandIndex(
        [demand(id="D1", title="Chăn nuôi", text="Xử lý nước thải chăn nuôi")],
        unit(0, 1)[None, :],
        offer_vectors=np.vstack(vectors + CALIBRATION),
        offer_languages=["en"] * (len(vectors) + len(CALIBRATION)),
    )
    changed = index.with_changes(set(), [demand(id="D2")], QUERY[None, :])
    pairs = rank_demands(offer("T"), unit(1, 0.12), changed, top_k=2, today=TODAY)
    assert pairs[0].demand_id == "D2"
    assert changed.live_size == 2 and index.live_size == 1
