"""Restricted isometry estimates and the cumulative coherence: the sampled lower
bound, the coherence and Babel upper bounds."""
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark_utils.metrics import (
    cumulative_coherence,
    mutual_coherence,
    rip_coherence_bound,
    rip_lower_bound,
    rip_upper_bound,
)


def brute_force_delta(D, s):
    """delta_s by visiting every support, one eigendecomposition at a time."""
    D = D / np.linalg.norm(D, axis=1, keepdims=True)
    delta = 0.0
    for S in combinations(range(D.shape[0]), s):
        eig = np.linalg.eigvalsh(D[list(S)] @ D[list(S)].T)
        delta = max(delta, 1 - eig[0], eig[-1] - 1)
    return delta


@pytest.mark.parametrize("n_atoms, n_features, s", [(6, 4, 2), (7, 5, 3), (8, 3, 4)])
def test_exhaustive_when_few_supports(n_atoms, n_features, s):
    # At most n_supports subsets: every one is visited, the bound is exact.
    D = np.random.default_rng(0).standard_normal((n_atoms, n_features))
    assert rip_lower_bound(D, s) == pytest.approx(brute_force_delta(D, s), abs=1e-12)


def test_delta_2_is_the_coherence():
    # Gram of a pair: eigenvalues 1 +- |<d_i, d_j>|.
    D = np.random.default_rng(1).standard_normal((12, 6))
    assert rip_lower_bound(D, 2) == pytest.approx(mutual_coherence(D), abs=1e-12)


def test_orthonormal_rows_have_zero_delta():
    Q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((16, 16)))
    for s in (1, 4, 16):
        assert rip_lower_bound(Q, s) < 1e-12
        assert rip_coherence_bound(Q, s) < 1e-12


def test_repeated_atom_gives_delta_one():
    D = np.random.default_rng(3).standard_normal((5, 8))
    D[4] = -2.5 * D[0]
    assert rip_lower_bound(D, 2) == pytest.approx(1.0, abs=1e-12)


def test_more_atoms_than_dimensions_gives_at_least_one():
    D = np.random.default_rng(4).standard_normal((30, 5))
    assert rip_lower_bound(D, 6) >= 1.0 - 1e-12


def test_single_atom_supports_are_isometric():
    D = np.random.default_rng(5).standard_normal((40, 10))
    assert rip_lower_bound(D, 1) == pytest.approx(0.0, abs=1e-12)
    assert rip_coherence_bound(D, 1) == 0.0


@settings(deadline=None, max_examples=25)
@given(n_features=st.integers(2, 16), extra=st.integers(0, 30),
       s=st.integers(2, 6), seed=st.integers(0, 2 ** 16))
def test_sampled_lower_bound_sits_under_the_coherence_bound(n_features, extra, s,
                                                            seed):
    n_atoms = max(s, n_features + extra)
    D = np.random.default_rng(seed).standard_normal((n_atoms, n_features))
    lower = rip_lower_bound(D, s, n_supports=200, random_state=seed)
    # Gershgorin: every eigenvalue of a Gram block is within (s - 1) mu of 1.
    assert 0.0 <= lower <= rip_coherence_bound(D, s) + 1e-12
    # A larger sample from the same stream starts with the same supports (or
    # visits them all), so it never gives less.
    more = rip_lower_bound(D, s, n_supports=400, random_state=seed)
    assert lower <= more + 1e-12


def test_sampled_bound_never_exceeds_exact_value():
    D = np.random.default_rng(6).standard_normal((12, 6))
    exact = brute_force_delta(D, 3)  # 220 supports
    for seed in range(5):
        sampled = rip_lower_bound(D, 3, n_supports=20, random_state=seed)
        assert sampled <= exact + 1e-12
        assert sampled > 0.5 * exact


def test_deterministic_and_scale_invariant():
    D = np.random.default_rng(7).standard_normal((50, 20))
    a = rip_lower_bound(D, 4)
    assert rip_lower_bound(D, 4) == a
    scales = np.random.default_rng(8).uniform(0.1, 10, size=(50, 1))
    assert rip_lower_bound(D * scales, 4) == pytest.approx(a, abs=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(s=0), "s must be"),
    (dict(s=11), r"s must be in \[1, n_atoms=10\]"),
    (dict(s=2.5), "s must be"),
    (dict(s=2, n_supports=0), "n_supports"),
    (dict(s=2, random_state="x"), "random_state"),
])
def test_invalid_arguments(kwargs, match):
    D = np.random.default_rng(0).standard_normal((10, 5))
    with pytest.raises(ValueError, match=match):
        rip_lower_bound(D, **kwargs)


def brute_force_babel(D, s):
    """mu_1(s) by visiting every atom and every set of s other atoms."""
    D = D / np.linalg.norm(D, axis=1, keepdims=True)
    G = np.abs(D @ D.T)
    best = 0.0
    for i in range(D.shape[0]):
        others = [j for j in range(D.shape[0]) if j != i]
        for S in combinations(others, s):
            best = max(best, G[i, list(S)].sum())
    return best


@pytest.mark.parametrize("n_atoms, n_features, s",
                         [(6, 4, 1), (6, 4, 3), (7, 3, 5), (5, 5, 4)])
def test_cumulative_coherence_is_the_exhaustive_maximum(n_atoms, n_features, s):
    D = np.random.default_rng(7).standard_normal((n_atoms, n_features))
    assert cumulative_coherence(D, s) == pytest.approx(
        brute_force_babel(D, s), abs=1e-12)


def test_cumulative_coherence_known_values():
    # Orthonormal atoms: no atom resembles another.
    Q, _ = np.linalg.qr(np.random.default_rng(8).standard_normal((9, 9)))
    assert cumulative_coherence(Q, 8) < 1e-12
    # Three equiangular unit vectors of the plane (|<d_i, d_j>| = 1/2):
    # mu_1(1) = 1/2, mu_1(2) = 1.
    angles = np.array([0.0, 2 * np.pi / 3, 4 * np.pi / 3])
    D = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert cumulative_coherence(D, 0) == 0.0
    assert cumulative_coherence(D, 1) == pytest.approx(0.5)
    assert cumulative_coherence(D, 2) == pytest.approx(1.0)
    # One atom correlated with all others, the others orthogonal: the
    # Babel function grows with s where the coherence does not.
    D = np.vstack([np.eye(4), np.full(4, 0.5)])
    assert mutual_coherence(D) == pytest.approx(0.5)
    assert cumulative_coherence(D, 3) == pytest.approx(1.5)


def test_cumulative_coherence_rejects_bad_sizes():
    D = np.random.default_rng(9).standard_normal((5, 3))
    for s in (-1, 5, 2.0, True):
        with pytest.raises(ValueError, match="s must be an integer"):
            cumulative_coherence(D, s)


@settings(deadline=None, max_examples=25)
@given(n_features=st.integers(2, 12), extra=st.integers(0, 20),
       s=st.integers(2, 6), seed=st.integers(0, 2 ** 16))
def test_babel_bound_sits_between_the_sampled_bound_and_the_coherence_bound(
        n_features, extra, s, seed):
    n_atoms = max(s, n_features + extra)
    D = np.random.default_rng(seed).standard_normal((n_atoms, n_features))
    upper = rip_upper_bound(D, s)
    assert rip_lower_bound(D, s, n_supports=200, random_state=seed) \
        <= upper + 1e-12
    assert upper <= rip_coherence_bound(D, s) + 1e-12
    # mu_1 is subadditive in s and at most s mu.
    assert cumulative_coherence(D, s - 1) <= (s - 1) * mutual_coherence(D) \
        + 1e-12


@pytest.mark.parametrize("n_atoms, n_features, s", [(6, 4, 2), (7, 5, 3), (8, 3, 4)])
def test_upper_bound_holds_against_the_exact_constant(n_atoms, n_features, s):
    D = np.random.default_rng(10).standard_normal((n_atoms, n_features))
    assert brute_force_delta(D, s) <= rip_upper_bound(D, s) + 1e-12


def test_spectral_bound_takes_over_for_large_supports():
    # 40 atoms in dimension 4: mu_1(s - 1) is far above 1 for s = 30, while
    # delta_s <= ||D||^2 - 1 (the Gram block's largest eigenvalue is at most
    # the whole Gram's; the smallest is at least 0).
    D = np.random.default_rng(11).standard_normal((40, 4))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    spectral = np.linalg.norm(D, 2) ** 2 - 1
    assert cumulative_coherence(D, 29) > spectral
    assert rip_upper_bound(D, 30) == pytest.approx(spectral)
    assert rip_lower_bound(D, 30) <= spectral + 1e-12
