"""Search by meaning, the pure part: centring, feedback, z-scores and the cut (no database)."""

import numpy as np

from matching.engine import search as engine


def _unit_rows(rng, n, dim=16):
    return engine.unit(rng.standard_normal((n, dim)).astype(np.float32))


def test_centred_cosines_equal_the_cosines_of_centred_vectors():
    rng = np.random.default_rng(1)
    matrix = _unit_rows(rng, 50)
    means = (rng.standard_normal((3, 16)) * 0.3).astype(np.float32)
    groups = rng.integers(0, 3, 50)
    centred = engine.Centred.build(matrix, groups, means)
    query = _unit_rows(rng, 1)[0]

    explicit = engine.unit(matrix - means[groups]) @ query
    assert np.allclose(centred.cosines(query), explicit, atol=1e-5)
    assert np.allclose(centred.rows(np.arange(50)), engine.unit(matrix - means[groups]), atol=1e-5)


def test_feedback_moves_the_query_toward_the_records_holding_its_words():
    rng = np.random.default_rng(2)
    query, topic = _unit_rows(rng, 2)
    moved = engine.query_vector(query, topic[None, :])
    assert moved @ topic > query @ topic
    assert np.isclose(np.linalg.norm(moved), 1.0)
    assert np.allclose(engine.query_vector(query, None), query)


def test_z_scores_are_relative_to_the_reference_texts_of_each_language():
    query = np.array([1.0, 0.0], dtype=np.float32)
    cohorts = [
        np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32),  # cosines 1, 0: mean .5, std .5
        np.array([[0.6, 0.8], [0.0, 1.0]], dtype=np.float32),  # cosines .6, 0: mean .3, std .3
    ]
    z = engine.z_scores(np.array([1.0, 0.9]), query, np.array([0, 1]), cohorts)
    assert np.allclose(z, [1.0, 2.0])


def test_a_bare_query_keeps_only_records_far_past_the_reference():
    z = np.array([engine.MIN_Z + 1, engine.MIN_Z - 0.1, 0.0])
    assert [row for row, _z in engine.hits(z, steered=False)] == [0]
    assert engine.hits(np.array([2.8, 2.5, 1.0]), steered=False) == []  # noise: nothing


def test_a_steered_query_keeps_records_near_its_best_hit():
    z = np.array([1.6, 6.0, 3.1, 2.9, 1.0])
    rows = [row for row, _z in engine.hits(z, steered=True)]
    assert rows == [1, 2]  # best first; 2.9 < RELATIVE (0.5) x 6.0 and 1.0 < MIN_Z_FEEDBACK
    assert engine.hits(np.array([]), steered=True) == []
    assert len(engine.hits(np.full(100, 3.0), steered=True)) == engine.MAX_HITS
