"""Calibration against the fixed reference: a pair's text score depends on the pair only."""

import numpy as np
import pytest

from matching.engine.calibration import VECTORS_FILE, Reference, fingerprint, load_reference
from matching.engine.embedder import load_embedder
from matching.engine.rank import DemandIndex, OfferIndex, rank_demands, rank_offers
from matching.engine.scoring import REFERENCE_FINGERPRINT

from .helpers import DIM, demand, fillers, offer, unit


def _reference(seed: int = 3, per_language: int = 40) -> Reference:
    """A toy cohort: English and Vietnamese texts of each side lean on their own axis;
    their topics (axes 2-13) are not those of the tests (axes 0 and 1)."""
    rng = np.random.default_rng(seed)
    vectors, languages = {}, {}
    for side in ("offer", "demand"):
        rows, langs = [], []
        for lang, axis in (("en", 14), ("vi", 15)):
            v = np.zeros((per_language, DIM))
            v[:, 2:14] = np.abs(rng.normal(size=(per_language, 12)))  # topics of the cohort
            v[:, axis] = 3.0  # the language's shared direction
            rows.append(v / np.linalg.norm(v, axis=1, keepdims=True))
            langs += [lang] * per_language
        vectors[side], languages[side] = np.vstack(rows).astype(np.float32), langs
    return Reference.from_vectors(vectors, languages)


def _dense_of(pairs, offer_id):
    return next(p.components["dense"] for p in pairs if p.offer_id == offer_id)


def test_centring_lets_the_topic_beat_the_language():
    reference = _reference()
    topic_a_vi = unit(1, 0, *([0.0] * 13), 3)  # a Vietnamese demand on topic A
    answer_en = unit(1, 0, *([0.0] * 12), 3, 0)  # an English offer on topic A
    other_vi = unit(0, 1, *([0.0] * 13), 3)  # a Vietnamese offer on topic B
    assert float(topic_a_vi @ other_vi) > float(topic_a_vi @ answer_en)  # raw: language wins

    index = OfferIndex(
        [offer("EN", language="en"), offer("VI", language="vi")],
        np.vstack([answer_en, other_vi]),
        reference=reference,
    )
    ranked = rank_offers(demand(language="vi"), topic_a_vi, index, top_k=2)
    assert [p.offer_id for p in ranked] == ["EN", "VI"]


def test_a_pairs_score_does_not_move_when_unrelated_offers_join_the_pool():
    reference = _reference()
    wanted = offer("T1")
    query = unit(1, 0.2, 0, *([0.0] * 11), 0, 0.5)
    small = OfferIndex([wanted], unit(1, 0.1, 0)[None, :], reference=reference)
    others, vectors = fillers(50)
    large = OfferIndex(
        [wanted, *others], np.vstack([unit(1, 0.1, 0), *vectors]), reference=reference
    )

    alone = rank_offers(demand(), query, small, top_k=1)[0]
    crowded = next(p for p in rank_offers(demand(), query, large, top_k=51) if p.offer_id == "T1")
    assert crowded.components["dense"] == pytest.approx(alone.components["dense"], abs=1e-4)
    assert crowded.score == pytest.approx(alone.score, abs=1e-4)


def test_a_folded_in_offer_scores_as_after_a_full_build():
    reference = _reference()
    others, vectors = fillers(10)
    query = unit(1, 0.2, 0)
    built = OfferIndex(
        [*others, offer("T1")], np.vstack([*vectors, unit(1, 0.1, 0)]), reference=reference
    )
    folded = OfferIndex(others, np.vstack(vectors), reference=reference).with_changes(
        set(), [offer("T1")], unit(1, 0.1, 0)[None, :]
    )
    full = _dense_of(rank_offers(demand(), query, built, top_k=11), "T1")
    incremental = _dense_of(rank_offers(demand(), query, folded, top_k=11), "T1")
    assert incremental == pytest.approx(full, abs=1e-5)


def test_both_directions_give_the_pair_the_same_text_score():
    reference = _reference()
    demand_vector, offer_vector = unit(1, 0.3, 0), unit(1, 0, 0.2)
    offers_side = OfferIndex([offer("T1")], offer_vector[None, :], reference=reference)
    demands_side = DemandIndex([demand()], demand_vector[None, :], reference=reference)
    forward = rank_offers(demand(), demand_vector, offers_side, top_k=1)[0]
    backward = rank_demands(offer("T1"), offer_vector, demands_side, top_k=1)[0]
    assert backward.components["dense"] == pytest.approx(forward.components["dense"], abs=1e-5)
    assert backward.score == pytest.approx(forward.score, abs=1e-5)


def test_a_cohort_of_one_vector_gives_moderate_z_scores():
    # The demo once calibrated an offer against a single demand: with its ~0 std an unrelated
    # pair scored 100 %. The spread prior keeps such a cohort's z-scores in a real range.
    one = {"offer": unit(1, 0, 0)[None, :], "demand": unit(1, 0.1, 0)[None, :]}
    reference = Reference.from_vectors(one, {"offer": ["en"], "demand": ["vi"]}, centre=False)
    mean, std = reference.stats(unit(1, 0.1, 0)[None, :] * 0.9, against="offer", language="en")
    assert 0.005 < std[0] < 0.1
    assert abs((0.70 - mean[0]) / std[0]) < 20


def test_the_shipped_reference_was_made_by_the_model_in_use():
    model = load_embedder()
    assert model is not None, "the embedding model must load"
    with np.load(VECTORS_FILE) as data:
        assert str(data["model_version"]) == model.model_version, (
            "run `manage.py calibration_reference` after a change of model"
        )
    reference = load_reference(model)
    assert {"vi", "en", "ja", "ko", "de"} <= set(reference.languages("offer"))


def test_a_new_cohort_comes_with_a_new_engine_version():
    # Scores follow from the cohort: stored pairs are re-scored only when ENGINE_VERSION moves.
    assert fingerprint() == REFERENCE_FINGERPRINT, (
        "the calibration cohort changed: bump ENGINE_VERSION and REFERENCE_FINGERPRINT together"
    )
