"""Property-based tests of the simulator: the problem asked for is the one produced."""
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benchmark_utils.metrics import mutual_coherence, welch_bound
from benchmark_utils.simulation import (
    lowest_reachable_coherence,
    make_codes,
    make_dictionary,
    make_problem,
)

ROOT = Path(__file__).resolve().parents[1]


def off_diagonal(D):
    G = np.abs(D @ D.T)
    return G[np.triu_indices(D.shape[0], k=1)]


# --------------------------------------------------------------------------------
# Dictionaries
# --------------------------------------------------------------------------------
def generic_median_bound(n_features, n_pairs, n_std=5.0):
    """Upper bound on the median |correlation| of ``n_pairs`` generic pairs.

    Two independent Gaussian directions in R^n have ``|<d_i, d_j>|`` distributed
    about as ``|N(0, 1/n)|``, whose median is ``0.6745 / sqrt(n)``. The median of
    ``P`` such values has a standard error of about ``0.787 / sqrt(n P)``
    (``1 / (2 f(m) sqrt(P))``, ``f(m) = 2 phi(0.6745) sqrt(n)`` the density at the
    median); the bound is the median plus ``n_std`` standard errors.
    """
    return (0.6745 + n_std * 0.787 / np.sqrt(n_pairs)) / np.sqrt(n_features)


@settings(deadline=None, max_examples=40)
@given(n_features=st.integers(8, 64), ratio=st.floats(0.5, 4.0),
       u=st.floats(0.0, 1.0), seed=st.integers(0, 2 ** 16))
# 4 atoms in R^8, 6 pairs: a median of 0.2862 = 0.803 x the target 0.35625, as
# generic as a Gaussian draw (median 0.238, standard error of 6 pairs 0.11).
@example(n_features=8, ratio=0.5, u=0.375, seed=456)
def test_coherence_kind_hits_the_target(n_features, ratio, u, seed):
    n_atoms = max(2, int(ratio * n_features))
    lowest = lowest_reachable_coherence(n_features, n_atoms)
    target = lowest + u * (0.95 - lowest)
    D = make_dictionary(n_features, n_atoms, kind="coherence", coherence=target,
                        random_state=seed)
    assert D.shape == (n_atoms, n_features)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)
    assert abs(mutual_coherence(D) - target) <= 1e-8
    # One pair at the target, not an equiangular frame: the other pairs spread.
    if target > 1e-6:
        gram = off_diagonal(D)
        assert np.sum(gram >= target - 1e-9) == 1
        # Near the lowest reachable value every frame is nearly equiangular;
        # away from it the other pairs keep a spread of correlations: their
        # median stays well under the target (0.8 x), unless the target is so
        # low for the dimension that a Gaussian draw's own correlations reach
        # it; with few pairs (small dictionaries) their median is too noisy
        # to tell, and the bound says so.
        if u >= 0.3:
            n_pairs = gram.size
            assert np.median(gram) < max(
                0.8 * target, generic_median_bound(n_features, n_pairs))


@pytest.mark.parametrize("n_features, n_atoms", [(8, 12), (16, 32), (20, 30),
                                                 (16, 64)])
def test_grassmannian_between_welch_and_lowest_reachable(n_features, n_atoms):
    D = make_dictionary(n_features, n_atoms, kind="grassmannian", random_state=0)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)
    mu = mutual_coherence(D)
    assert welch_bound(n_features, n_atoms) <= mu
    # The lowest target accepted by kind="coherence" is above what it reaches,
    # and far below a Gaussian dictionary.
    assert mu <= lowest_reachable_coherence(n_features, n_atoms)
    gaussian = make_dictionary(n_features, n_atoms, random_state=0)
    assert mu < 0.6 * mutual_coherence(gaussian)
    D = make_dictionary(n_features, n_atoms, kind="coherence",
                        coherence=lowest_reachable_coherence(n_features, n_atoms),
                        random_state=1)
    assert mutual_coherence(D) == pytest.approx(
        lowest_reachable_coherence(n_features, n_atoms), abs=1e-8)


def test_grassmannian_undercomplete_is_orthonormal():
    D = make_dictionary(12, 8, kind="grassmannian", random_state=0)
    np.testing.assert_allclose(D @ D.T, np.eye(8), atol=1e-12)


@pytest.mark.parametrize("n", [1, 5, 16])
def test_orthogonal_kind(n):
    D = make_dictionary(n, n, kind="orthogonal", random_state=0)
    np.testing.assert_allclose(D @ D.T, np.eye(n), atol=1e-12)


@pytest.mark.parametrize("n, K", [(4, 8), (8, 9), (16, 32), (64, 100)])
def test_dirac_hadamard_coherence(n, K):
    D = make_dictionary(n, K, kind="dirac-hadamard", random_state=0)
    assert D.shape == (K, n)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)
    assert mutual_coherence(D) == pytest.approx(1 / np.sqrt(n), abs=1e-12)


@pytest.mark.parametrize("n, K", [(8, 16), (12, 20), (20, 40), (64, 128)])
def test_dirac_dct_coherence(n, K):
    D = make_dictionary(n, K, kind="dirac-dct", random_state=0)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)
    expected = np.sqrt(2 / n)
    if n & (n - 1) == 0:
        expected *= np.cos(np.pi / (2 * n))
    assert mutual_coherence(D) == pytest.approx(expected, abs=1e-12)
    assert mutual_coherence(D) > 1.3 / np.sqrt(n)


@settings(deadline=None, max_examples=20)
@given(kind=st.sampled_from(["gaussian", "grassmannian", "dirac-dct"]),
       n_features=st.integers(2, 24), extra=st.integers(1, 24),
       seed=st.integers(0, 2 ** 16))
def test_unit_norm_atoms(kind, n_features, extra, seed):
    n_atoms = n_features + extra
    if kind == "dirac-dct":
        n_atoms = min(n_atoms, 2 * n_features)
    D = make_dictionary(n_features, n_atoms, kind=kind, random_state=seed)
    assert D.shape == (n_atoms, n_features)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)


# --------------------------------------------------------------------------------
# Codes, noise, outliers
# --------------------------------------------------------------------------------
@settings(deadline=None, max_examples=30)
@given(n_samples=st.integers(1, 400), n_atoms=st.integers(1, 60),
       data=st.data(), distribution=st.sampled_from(["gaussian", "rademacher",
                                                     "uniform"]),
       seed=st.integers(0, 2 ** 16))
def test_exact_sparsity_is_exact(n_samples, n_atoms, data, distribution, seed):
    s = data.draw(st.integers(1, n_atoms))
    Z = make_codes(n_samples, n_atoms, s, distribution=distribution,
                   random_state=seed)
    assert Z.shape == (n_samples, n_atoms)
    np.testing.assert_array_equal(np.count_nonzero(Z, axis=1), s)


@settings(deadline=None, max_examples=15)
@given(rate=st.floats(0.02, 0.5), seed=st.integers(0, 2 ** 16))
def test_bernoulli_rate_within_sampling_error(rate, seed):
    n = 2000 * 40
    Z = make_codes(2000, 40, rate, random_state=seed)
    sigma = np.sqrt(rate * (1 - rate) / n)
    assert abs(np.mean(Z != 0) - rate) <= 5 * sigma


@settings(deadline=None, max_examples=20)
@given(snr=st.floats(-5.0, 40.0), n_samples=st.integers(200, 3000),
       outlier_fraction=st.sampled_from([0.0, 0.1]), seed=st.integers(0, 2 ** 16))
def test_realized_snr_matches_request(snr, n_samples, outlier_fraction, seed):
    n_features = 16
    p = make_problem(n_samples, n_features, 24, 3, n_test=10, snr=snr,
                     outlier_fraction=outlier_fraction, random_state=seed)
    inliers = ~p.outliers
    clean = p.Z_true[inliers] @ p.D_true
    noise = p.X[inliers] - clean
    measured = 10 * np.log10(np.sum(clean ** 2) / np.sum(noise ** 2))
    assert p.properties["snr"] == pytest.approx(measured, abs=1e-6)
    # The noise energy is a chi-square with N degrees of freedom (relative std
    # sqrt(2 / N)), the signal power is the empirical one of all clean signals.
    N = noise.size
    clean_all = p.Z_true @ p.D_true
    ratio = np.mean(clean ** 2) / np.mean(clean_all ** 2)
    expected = snr + 10 * np.log10(ratio)
    tolerance = 5 * 10 / np.log(10) * np.sqrt(2 / N)
    assert abs(measured - expected) <= tolerance


def test_outliers():
    kwargs = dict(n_samples=2000, n_features=20, n_atoms=30, sparsity=3,
                  n_test=100, random_state=4)
    p = make_problem(outlier_fraction=0.25, **kwargs)
    q = make_problem(**kwargs)
    assert p.outliers.sum() == 500 and not q.outliers.any()
    assert p.properties["outlier_fraction"] == 0.25
    # Inliers and the held-out set are the same draws as without outliers.
    np.testing.assert_array_equal(p.X[~p.outliers], q.X[~p.outliers])
    np.testing.assert_array_equal(p.X_test, q.X_test)
    # Outliers are dense and have the average energy of a clean signal.
    outliers = p.X[p.outliers]
    assert np.all(outliers != 0)
    clean_energy = np.mean(np.sum((q.Z_true @ q.D_true) ** 2, axis=1))
    assert np.mean(np.sum(outliers ** 2, axis=1)) == pytest.approx(
        clean_energy, rel=0.1)
    # Not explained by the dictionary: far from their codes' signals.
    residual = outliers - p.Z_true[p.outliers] @ p.D_true
    assert np.mean(residual ** 2) > 0.5 * np.mean(outliers ** 2)


def test_properties_are_named_floats():
    p = make_problem(300, 16, 32, 0.1, kind="dirac-hadamard", n_test=20,
                     outlier_fraction=0.1, random_state=0)
    expected = {"coherence", "welch_bound", "rip_s", "delta_s_lower",
                "delta_s_upper", "sparsity", "snr", "outlier_fraction",
                "chance_floor", "recovery_oracle", "amplitude_min",
                # the theorems' conditions (tests/test_theory.py)
                "coherence_s_max", "theory_coherence", "babel_sum",
                "theory_babel", "lasso_babel", "lasso_s_max", "lasso_lmbd_max",
                "lasso_n_samples", "theory_lasso_samples", "agm_s_max",
                "theory_agm_sparsity", "agm_n_samples", "theory_agm_samples",
                "agmm_s_max", "theory_agmm_initialization"}
    assert set(p.properties) == expected
    assert all(type(v) is float for v in p.properties.values())
    props = p.properties
    assert props["coherence"] == pytest.approx(0.25)
    assert props["rip_s"] == 3.0  # round(0.1 * 32)
    assert props["delta_s_lower"] <= props["delta_s_upper"] + 1e-12
    # The Babel bound mu_1(2): for Dirac-Hadamard (16 x 32), the two largest
    # |correlations| of an atom with others are both 1/4 = mu, so it meets
    # the coherence bound (s - 1) mu.
    assert props["delta_s_upper"] == pytest.approx(2 * 0.25)
    assert props["sparsity"] == pytest.approx(np.count_nonzero(p.Z_true) / 300)


def test_coherence_property_is_the_target():
    p = make_problem(100, 20, 40, 3, kind="coherence", coherence=0.42,
                     random_state=0)
    assert p.properties["coherence"] == pytest.approx(0.42, abs=1e-10)


# --------------------------------------------------------------------------------
# Seeds: same bits in a fresh process
# --------------------------------------------------------------------------------
CASES = [
    dict(kind="gaussian", sparsity=3, outlier_fraction=0.1),
    dict(kind="coherence", coherence=0.3, sparsity=0.1, distribution="uniform"),
    dict(kind="grassmannian", sparsity=2, distribution="rademacher", snr=10.0),
    dict(kind="dirac-dct", sparsity=4),
]


def problem_digest(case):
    p = make_problem(300, 16, 24, n_test=50, random_state=11, **case)
    h = hashlib.sha256()
    for a in (p.X, p.X_test, p.D_true, p.Z_true, p.Z_test):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("case", CASES)
def test_same_seed_same_bits_in_a_fresh_process(case):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.test_simulation_properties import problem_digest;"
        f"print(problem_digest({case!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == problem_digest(case)
    assert problem_digest(dict(case, sparsity=1)) != problem_digest(case)


# --------------------------------------------------------------------------------
# Invalid arguments
# --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(kind="orthogonal"), r"n_atoms == n_features"),
    (dict(kind="dirac-hadamard", n_features=12, n_atoms=24), "power of 2"),
    (dict(kind="dirac-hadamard", n_features=16, n_atoms=40),
     r"n_features < n_atoms <= 2 \* n_features"),
    (dict(kind="dirac-dct", n_features=16, n_atoms=16), "n_features < n_atoms"),
    (dict(kind="coherence"), r"needs a target coherence.*\[0\.1\d+, 1\]"),
    (dict(kind="coherence", coherence=1.2), r"Welch bound is 0\.1313"),
    (dict(kind="coherence", coherence=0.05),
     r"Welch bound is 0\.1313 and the lowest coherence .* about 0\.1\d+"),
    (dict(kind="coherence", coherence=-0.1), "feasible range"),
    (dict(kind="coherence", coherence=float("nan")), "real number"),
    (dict(kind="coherence", coherence="low"), "real number"),
    (dict(kind="coherence", n_atoms=1, n_features=3, coherence=0.5),
     "n_atoms >= 2"),
    (dict(kind="gaussian", coherence=0.5), "only used by kind='coherence'"),
    (dict(kind="grassmannian", coherence=0.5), "only used by kind='coherence'"),
    (dict(kind="unknown"), "kind must be one of"),
    (dict(n_features=0), "n_features"),
    (dict(n_atoms=2.5), "n_atoms"),
    (dict(random_state=-1), "random_state"),
])
def test_invalid_dictionary_arguments(kwargs, match):
    params = dict(n_features=20, n_atoms=30)
    params.update(kwargs)
    with pytest.raises(ValueError, match=match):
        make_dictionary(**params)


@pytest.mark.parametrize("kwargs, match", [
    (dict(outlier_fraction=1.0), r"outlier_fraction.*\[0, 1\)"),
    (dict(outlier_fraction=-0.1), "outlier_fraction"),
    (dict(outlier_fraction="some"), "outlier_fraction"),
    (dict(snr=-np.inf), "snr"),
    (dict(distribution="uniform", amplitude_range=(0.0, 1.0)),
     "bounded away from 0"),
    (dict(distribution="laplace"), "distribution must be one of"),
    (dict(sparsity=True), "sparsity"),
    (dict(sparsity=0.0), "sparsity"),
    (dict(n_test=0), "n_test"),
    (dict(kind="coherence", coherence=0.01), "Welch bound"),
])
def test_invalid_problem_arguments(kwargs, match):
    params = dict(n_samples=50, n_features=20, n_atoms=30, sparsity=3)
    params.update(kwargs)
    with pytest.raises(ValueError, match=match):
        make_problem(**params)


def test_coherence_target_in_undercomplete_case_can_be_zero():
    D = make_dictionary(10, 6, kind="coherence", coherence=0.0, random_state=0)
    np.testing.assert_allclose(D @ D.T, np.eye(6), atol=1e-12)
    D = make_dictionary(10, 6, kind="coherence", coherence=1.0, random_state=0)
    assert mutual_coherence(D) == pytest.approx(1.0)
