"""Known answers and invariances of the recovery metrics."""
import numpy as np
import pytest

from benchmark_utils.learning import normalize_atoms
from benchmark_utils.metrics import (
    chance_floor,
    matched_correlations,
    mutual_coherence,
    recovered_fraction,
    recovery_score,
    welch_bound,
)


def gaussian_dictionary(n_atoms, n_features, seed):
    rng = np.random.default_rng(seed)
    return normalize_atoms(rng.standard_normal((n_atoms, n_features)))


@pytest.mark.parametrize("seed", range(5))
def test_permutation_sign_and_scale_score_one(seed):
    rng = np.random.default_rng(seed)
    D = gaussian_dictionary(40, 25, seed)
    perm = rng.permutation(40)
    signs = rng.choice([-1.0, 1.0], size=(40, 1))
    scales = rng.uniform(0.01, 100.0, size=(40, 1))
    D_est = (signs * scales * D)[perm]
    assert recovery_score(D, D_est) == pytest.approx(1.0, abs=1e-12)
    assert recovered_fraction(D, D_est) == 1.0
    # The matching is one-to-one: it undoes the permutation.
    np.testing.assert_allclose(matched_correlations(D, D_est), 1.0, atol=1e-12)


def test_missing_atom_costs_one_over_k():
    D = gaussian_dictionary(30, 50, 0)  # K <= n: near-orthogonal atoms
    K = D.shape[0]
    # A dropped atom and a zero atom cost the same 1/K.
    assert recovery_score(D, D[1:]) == pytest.approx(1 - 1 / K, abs=1e-12)
    D_zero = D.copy()
    D_zero[3] = 0.0
    assert recovery_score(D, D_zero) == pytest.approx(1 - 1 / K, abs=1e-12)
    assert recovered_fraction(D, D_zero) == pytest.approx(1 - 1 / K)


def test_duplicated_atom_is_not_counted_twice():
    # Estimating one atom twice must not recover two true atoms.
    D = np.eye(3)
    D_est = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 0, 1.0]])
    assert recovered_fraction(D, D_est) == pytest.approx(2 / 3)
    assert recovery_score(D, D_est) == pytest.approx(2 / 3)


def test_random_dictionary_scores_near_chance_floor():
    D = gaussian_dictionary(50, 30, 1)
    floor = chance_floor(D)
    rng = np.random.default_rng(123)
    scores = [recovery_score(D, rng.standard_normal(D.shape)) for _ in range(10)]
    assert abs(np.mean(scores) - floor) < 0.02
    assert max(scores) < 0.6


@pytest.mark.parametrize("n_features, n_atoms, expected", [
    (30, 50, 0.42), (50, 100, 0.36),
])
def test_chance_floor_known_values(n_features, n_atoms, expected):
    D = gaussian_dictionary(n_atoms, n_features, 0)
    assert chance_floor(D) == pytest.approx(expected, abs=0.02)


def test_chance_floor_is_deterministic():
    D = gaussian_dictionary(20, 10, 0)
    assert chance_floor(D) == chance_floor(D)


def test_mutual_coherence_known_answers():
    assert mutual_coherence(np.eye(5)) == 0.0
    theta = 0.3
    D = np.array([[1.0, 0.0], [np.cos(theta), np.sin(theta)], [0.0, 1.0]])
    assert mutual_coherence(D) == pytest.approx(np.cos(theta))
    # Rows are normalized first and signs do not matter.
    assert mutual_coherence(np.array([[2.0, 0.0], [-5.0, 0.0]])) == 1.0
    assert mutual_coherence(np.ones((1, 4))) == 0.0


def test_welch_bound_known_answers():
    # Three atoms in R^2: the Mercedes-Benz frame reaches 1/2.
    assert welch_bound(2, 3) == pytest.approx(0.5)
    mercedes = np.array([[np.cos(a), np.sin(a)]
                         for a in (0, 2 * np.pi / 3, 4 * np.pi / 3)])
    assert mutual_coherence(mercedes) == pytest.approx(welch_bound(2, 3))
    assert welch_bound(10, 10) == 0.0
    assert welch_bound(10, 5) == 0.0
    assert welch_bound(64, 128) == pytest.approx(np.sqrt(64 / (64 * 127)))


def test_coherence_never_below_welch_bound():
    for seed in range(3):
        D = gaussian_dictionary(40, 20, seed)
        assert mutual_coherence(D) >= welch_bound(20, 40)


def test_bad_inputs_raise_clear_errors():
    D = gaussian_dictionary(5, 4, 0)
    with pytest.raises(ValueError, match=r"shape \(n_atoms, n_features\)"):
        recovery_score(D, np.ones((5, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        recovery_score(D, np.full((5, 4), np.nan))
    with pytest.raises(ValueError, match="2D"):
        mutual_coherence(np.ones(4))
    with pytest.raises(ValueError, match="threshold"):
        recovered_fraction(D, D, threshold=1.5)
    with pytest.raises(ValueError, match="n_features and n_atoms"):
        welch_bound(0, 3)
