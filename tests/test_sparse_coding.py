"""The shared Lasso solvers against scikit-learn, and the scale of lambda."""
import numpy as np
import pytest
from sklearn.linear_model import Lasso

from benchmark_utils.coding import (
    lambda_max,
    lasso_duality_gap,
    lasso_loss,
    soft_threshold,
    sparse_encode_cd,
    sparse_encode_fista,
)
from benchmark_utils.coding.lasso_cd import _support_newton
from benchmark_utils.learning import normalize_atoms
from benchmark_utils.simulation import make_problem


def fista(X, D, lmbd, exact=False):
    if exact:
        return sparse_encode_fista(X, D, lmbd, max_iter=5000, tol=1e-12)
    return sparse_encode_fista(X, D, lmbd)


def cd(X, D, lmbd, exact=False):
    return sparse_encode_cd(X, D, lmbd, tol=1e-12 if exact else 1e-4)


SOLVERS = pytest.mark.parametrize("encode", [fista, cd], ids=["fista", "cd"])


def problem(seed=0, n_samples=20, n_features=15, n_atoms=25):
    rng = np.random.default_rng(seed)
    D = normalize_atoms(rng.standard_normal((n_atoms, n_features)))
    X = rng.standard_normal((n_samples, n_features))
    return X, D


@SOLVERS
def test_matches_sklearn_lasso(encode):
    X, D = problem()
    lmbd = 0.1 * lambda_max(X)
    Z = encode(X, D, lmbd, exact=True)
    # scikit-learn's Lasso minimizes 1/(2 n) ||y - A w||^2 + alpha ||w||_1 with
    # n = n_features rows here, so alpha = lmbd / n_features.
    for x, z in zip(X, Z):
        lasso = Lasso(alpha=lmbd / X.shape[1], fit_intercept=False, tol=1e-12,
                      max_iter=100_000).fit(D.T, x)
        np.testing.assert_allclose(z, lasso.coef_, atol=1e-6)


@SOLVERS
def test_solution_satisfies_kkt(encode):
    X, D = problem(1)
    lmbd = 0.2 * lambda_max(X)
    Z = encode(X, D, lmbd, exact=True)
    correlation = (X - Z @ D) @ D.T
    active = Z != 0
    np.testing.assert_allclose(correlation[active],
                               lmbd * np.sign(Z[active]), atol=1e-6)
    assert np.all(np.abs(correlation[~active]) <= lmbd + 1e-6)


@SOLVERS
def test_zero_atoms_get_zero_codes(encode):
    X, D = problem(2)
    D[[0, 4]] = 0.0
    Z = encode(X, D, 0.1)
    assert np.all(Z[:, [0, 4]] == 0)
    assert np.all(encode(X, np.zeros_like(D), 0.1) == 0)


@SOLVERS
def test_lambda_max_zeroes_codes_for_any_unit_dictionary(encode):
    X, D = problem(3, n_samples=1)
    x = X[0]
    D[0] = x / np.linalg.norm(x)  # the most correlated atom possible
    assert lambda_max(X) == pytest.approx(np.linalg.norm(x))
    assert np.all(encode(X, D, lambda_max(X)) == 0)
    assert np.any(encode(X, D, 0.99 * lambda_max(X)) != 0)


def test_lambda_max_is_scale_equivariant_and_stable_in_n_samples():
    X, _ = problem(4, n_samples=4000)
    assert lambda_max(3.0 * X) == pytest.approx(3.0 * lambda_max(X))
    # A mean, not a max: doubling the samples barely moves it.
    assert lambda_max(X[:2000]) == pytest.approx(lambda_max(X), rel=0.02)


@SOLVERS
def test_scaling_data_scales_codes(encode):
    X, D = problem(5)
    Z = encode(X, D, 0.1 * lambda_max(X), exact=True)
    Z3 = encode(3 * X, D, 0.1 * lambda_max(3 * X), exact=True)
    np.testing.assert_allclose(Z3, 3 * Z, atol=1e-6)


def test_coordinate_descent_is_exact_in_one_sweep_on_an_orthonormal_basis():
    # With D D^T = I the coordinates decouple: the Lasso's solution is the
    # soft-thresholded correlations, reached by the first sweep.
    rng = np.random.default_rng(6)
    D = np.linalg.qr(rng.standard_normal((8, 8)))[0]
    X = rng.standard_normal((30, 8))
    expected = soft_threshold(X @ D.T, 0.3)
    np.testing.assert_allclose(sparse_encode_cd(X, D, 0.3, max_sweeps=1),
                               expected, atol=1e-12)


def test_coordinate_descent_warm_start():
    X, D = problem(7)
    lmbd = 0.1 * lambda_max(X)
    Z = sparse_encode_cd(X, D, lmbd, tol=1e-12)
    # Started at the solution, one sweep moves nothing.
    np.testing.assert_allclose(
        sparse_encode_cd(X, D, lmbd, Z_init=Z, max_sweeps=1), Z, atol=1e-12)
    with pytest.raises(ValueError, match="Z_init"):
        sparse_encode_cd(X, D, lmbd, Z_init=Z[:, :3])
    bad = Z.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        sparse_encode_cd(X, D, lmbd, Z_init=bad)


def test_any_warm_start_gives_the_cold_codes():
    # The stopping test certifies optimality, so a start far from the
    # solution (dense codes, codes on zero atoms) changes nothing but time.
    X, D = problem(9)
    D[3] = 0.0
    lmbd = 0.1 * lambda_max(X)
    cold = sparse_encode_cd(X, D, lmbd)
    rng = np.random.default_rng(9)
    for start in (rng.standard_normal(cold.shape),
                  sparse_encode_cd(X, normalize_atoms(problem(10)[1]), lmbd)):
        kept = start.copy()
        warm = sparse_encode_cd(X, D, lmbd, Z_init=start)
        np.testing.assert_array_equal(start, kept)  # the start is not modified
        assert np.all(warm[:, 3] == 0)
        np.testing.assert_allclose(warm, cold, atol=1e-6)
        assert lasso_loss(X, warm, D, lmbd) == pytest.approx(
            lasso_loss(X, cold, D, lmbd), rel=1e-9)


def test_coordinate_descent_default_tolerance_scores_the_loss():
    # The objective's setting: its loss within 1e-6 of the exact one, closer
    # than restarted FISTA at its default tolerance.
    X, D = problem(8, n_samples=300)
    lmbd = 0.1 * lambda_max(X)
    exact = lasso_loss(X, sparse_encode_cd(X, D, lmbd, tol=1e-14), D, lmbd)
    loss = lasso_loss(X, sparse_encode_cd(X, D, lmbd), D, lmbd)
    assert exact <= loss <= exact + 1e-6


def test_lasso_cost_known_value():
    X = np.array([[1.0, 2.0]])
    D = np.array([[1.0, 0.0], [0.0, 1.0]])
    Z = np.array([[1.0, 0.0]])
    # residual (0, 2): 0.5 * 4 + 0.5 * |1| = 2.5
    assert lasso_loss(X, Z, D, 0.5) == pytest.approx(2.5)
    np.testing.assert_array_equal(soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0),
                                  [-1.0, 0.0, 2.0])


@SOLVERS
def test_negative_lambda_raises(encode):
    X, D = problem()
    with pytest.raises(ValueError, match="lmbd"):
        encode(X, D, -1.0)


def near_duplicate_problem(seed=11, n_samples=300, n_features=20, n_atoms=30,
                           n_pairs=10, distance=2e-3):
    """A dictionary with ``n_pairs`` atoms moved by ``distance`` from others
    (coherence about 0.999998, as Arora et al.'s unbiased variant ends at on
    the default problem), and signals of 3 of its atoms."""
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((n_atoms, n_features))
    D[-n_pairs:] = (D[:n_pairs]
                    + distance * rng.standard_normal((n_pairs, n_features)))
    D = normalize_atoms(D)
    Z = np.zeros((n_samples, n_atoms))
    for row in Z:
        row[rng.choice(n_atoms, 3, replace=False)] = rng.standard_normal(3)
    return Z @ D + 0.05 * rng.standard_normal((n_samples, n_features)), D


def test_lasso_duality_gap_is_zero_at_the_solution_and_bounds_the_error():
    # Orthonormal D: the solution is the soft-thresholded correlations.
    rng = np.random.default_rng(12)
    D = np.linalg.qr(rng.standard_normal((8, 8)))[0]
    X = rng.standard_normal((30, 8))
    Z = soft_threshold(X @ D.T, 0.3)
    assert lasso_duality_gap(X, Z, D, 0.3) == pytest.approx(0.0, abs=1e-12)
    Z_off = Z + 0.01 * rng.standard_normal(Z.shape)
    excess = lasso_loss(X, Z_off, D, 0.3) - lasso_loss(X, Z, D, 0.3)
    assert excess > 0
    assert lasso_duality_gap(X, Z_off, D, 0.3) >= excess
    with pytest.raises(ValueError, match="lmbd"):
        lasso_duality_gap(X, Z, D, 0.0)


def test_coordinate_descent_is_exact_on_nearly_parallel_atoms():
    # Coordinate descent alone crawls along the difference of two nearly
    # parallel atoms: with 1,000 sweeps its loss stayed some 1e-4 (relative)
    # above the minimum on such dictionaries. The feature-sign step on the
    # support solves it: the default call is within 1e-9 (relative) of the
    # exact codes, whose duality gap certifies them.
    X, D = near_duplicate_problem()
    assert np.max(np.abs(D @ D.T - np.eye(len(D)))) > 0.99999
    lmbd = 0.1 * lambda_max(X)
    Z_exact = sparse_encode_cd(X, D, lmbd, tol=1e-14, max_sweeps=100_000)
    exact = lasso_loss(X, Z_exact, D, lmbd)
    assert lasso_duality_gap(X, Z_exact, D, lmbd) <= 1e-12 * exact
    loss = lasso_loss(X, sparse_encode_cd(X, D, lmbd), D, lmbd)
    assert exact - 1e-12 <= loss <= exact * (1 + 1e-9)


def test_coordinate_descent_on_more_atoms_than_features():
    # A support larger than the dimension makes the support's Gram matrix
    # singular: the step then holds the atoms in the span of the others.
    rng = np.random.default_rng(13)
    D = normalize_atoms(rng.standard_normal((40, 6)))
    X = rng.standard_normal((50, 6))
    lmbd = 0.01 * lambda_max(X)
    Z = sparse_encode_cd(X, D, lmbd, tol=1e-10)
    assert lasso_duality_gap(X, Z, D, lmbd) <= 1e-9 * lasso_loss(X, Z, D, lmbd)


def test_coordinate_descent_is_exact_when_supports_outgrow_the_dimension():
    # Noiseless data, 24 atoms in 16 dimensions, a small lmbd: after ten
    # sweeps one sample had 20 codes on its support, the block of the
    # feature-sign step was nearly singular and its minimizer w of order
    # 1e14, where the objective computed from the Gram matrix is rounding
    # noise; the step went there (objective 1.8e13 against 0.02). The step
    # now refuses codes whose l1 norm alone costs more than the objective
    # it starts from.
    p = make_problem(2000, 16, 24, 2, n_test=10, snr=np.inf, random_state=0)
    D = normalize_atoms(p.D_true)
    lmbd = 0.005 * lambda_max(p.X)
    Z = sparse_encode_cd(p.X, D, lmbd, tol=1e-6)
    loss = lasso_loss(p.X, Z, D, lmbd)
    assert np.abs(Z).max() < 10
    assert lasso_duality_gap(p.X, Z, D, lmbd) <= 1e-7 * loss


def lasso_objective(x, z, D, lmbd):
    return 0.5 * np.sum((x - z @ D) ** 2) + lmbd * np.abs(z).sum()


def test_feature_sign_steps_never_raise_the_objective():
    # From dense codes on 40 atoms in 6 dimensions (supports larger than
    # the dimension: atoms held in the span of the others), and at a
    # known answer: an orthonormal D with the right support and signs,
    # where one step lands on the soft-thresholded correlations.
    rng = np.random.default_rng(14)
    D = normalize_atoms(rng.standard_normal((40, 6)))
    G = D @ D.T
    n = len(D)
    work = (np.empty(n, dtype=np.int64), np.empty((n, n)), np.empty(n),
            np.empty(n))
    for _ in range(20):
        x = rng.standard_normal(6)
        z = rng.standard_normal(n)
        before = lasso_objective(x, z, D, 0.1)
        assert _support_newton(z, D @ x, G, 0.1, *work)
        assert np.isfinite(z).all()
        assert lasso_objective(x, z, D, 0.1) <= before + 1e-12
    # Near the solution, with codes of the wrong sign added off its support:
    # moving to the minimizer w on that support and those signs raises the
    # objective for some of these draws (a step that always moves to w
    # fails here), and the line search must stop at a sign change.
    for _ in range(20):
        x = rng.standard_normal(6)
        z = sparse_encode_cd(x[None], D, 0.1, tol=1e-14)[0]
        off = np.flatnonzero(z == 0)[:3]
        z[off] = -1e-3 * np.sign((D @ x - z @ G)[off])
        before = lasso_objective(x, z, D, 0.1)
        _support_newton(z, D @ x, G, 0.1, *work)
        assert lasso_objective(x, z, D, 0.1) <= before + 1e-12
    Q = np.linalg.qr(rng.standard_normal((8, 8)))[0]
    x = rng.standard_normal(8)
    expected = soft_threshold(Q @ x, 0.3)
    z = np.where(expected != 0, expected + 0.1 * np.sign(expected), 0.0)
    work = (np.empty(8, dtype=np.int64), np.empty((8, 8)), np.empty(8),
            np.empty(8))
    assert _support_newton(z, Q @ x, Q @ Q.T, 0.3, *work)
    np.testing.assert_allclose(z, expected, atol=1e-12)
