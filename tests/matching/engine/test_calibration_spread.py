"""The S-norm spread of a tiny pool: z-scores stay in the range a real pool gives."""

import numpy as np

from matching.engine.scoring import group_stats


def test_a_pool_of_one_vector_gives_moderate_z_scores():
    # The demo's first offer was calibrated against a single demand: with its ~0 std an
    # unrelated pair scored 100 %.
    mean, std = group_stats(np.array([0.80]), np.array([0]), n_groups=1, min_size=5)
    z_unrelated = (0.70 - mean[0]) / std[0]
    assert -10 < z_unrelated < -2


def test_a_large_pool_keeps_its_own_spread():
    rng = np.random.default_rng(1)
    cosines = rng.normal(0.8, 0.03, 20_000)
    groups = np.repeat([0, 1], 10_000)
    mean, std = group_stats(cosines, groups, n_groups=2, min_size=5)
    assert np.allclose(std, 0.03, atol=0.001)
    assert np.allclose(mean, 0.8, atol=0.002)
