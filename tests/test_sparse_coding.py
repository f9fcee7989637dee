"""The shared Lasso solver against scikit-learn, and the scale of lambda."""
import numpy as np
import pytest
from sklearn.linear_model import Lasso

from benchmark_utils.coding import (
    lambda_max,
    lasso_loss,
    soft_threshold,
    sparse_encode_fista,
)
from benchmark_utils.learning import normalize_atoms


def problem(seed=0, n_samples=20, n_features=15, n_atoms=25):
    rng = np.random.default_rng(seed)
    D = normalize_atoms(rng.standard_normal((n_atoms, n_features)))
    X = rng.standard_normal((n_samples, n_features))
    return X, D


def test_fista_matches_sklearn_lasso():
    X, D = problem()
    lmbd = 0.1 * lambda_max(X)
    Z = sparse_encode_fista(X, D, lmbd, max_iter=5000, tol=1e-12)
    # scikit-learn's Lasso minimizes 1/(2 n) ||y - A w||^2 + alpha ||w||_1 with
    # n = n_features rows here, so alpha = lmbd / n_features.
    for x, z in zip(X, Z):
        lasso = Lasso(alpha=lmbd / X.shape[1], fit_intercept=False, tol=1e-12,
                      max_iter=100_000).fit(D.T, x)
        np.testing.assert_allclose(z, lasso.coef_, atol=1e-6)


def test_fista_solution_satisfies_kkt():
    X, D = problem(1)
    lmbd = 0.2 * lambda_max(X)
    Z = sparse_encode_fista(X, D, lmbd, max_iter=5000, tol=1e-12)
    correlation = (X - Z @ D) @ D.T
    active = Z != 0
    np.testing.assert_allclose(correlation[active],
                               lmbd * np.sign(Z[active]), atol=1e-6)
    assert np.all(np.abs(correlation[~active]) <= lmbd + 1e-6)


def test_zero_atoms_get_zero_codes():
    X, D = problem(2)
    D[[0, 4]] = 0.0
    Z = sparse_encode_fista(X, D, 0.1)
    assert np.all(Z[:, [0, 4]] == 0)
    assert np.all(sparse_encode_fista(X, np.zeros_like(D), 0.1) == 0)


def test_lambda_max_zeroes_codes_for_any_unit_dictionary():
    X, D = problem(3, n_samples=1)
    x = X[0]
    D[0] = x / np.linalg.norm(x)  # the most correlated atom possible
    assert lambda_max(X) == pytest.approx(np.linalg.norm(x))
    assert np.all(sparse_encode_fista(X, D, lambda_max(X)) == 0)
    assert np.any(sparse_encode_fista(X, D, 0.99 * lambda_max(X)) != 0)


def test_lambda_max_is_scale_equivariant_and_stable_in_n_samples():
    X, _ = problem(4, n_samples=4000)
    assert lambda_max(3.0 * X) == pytest.approx(3.0 * lambda_max(X))
    # A mean, not a max: doubling the samples barely moves it.
    assert lambda_max(X[:2000]) == pytest.approx(lambda_max(X), rel=0.02)


def test_scaling_data_scales_codes():
    X, D = problem(5)
    Z = sparse_encode_fista(X, D, 0.1 * lambda_max(X), tol=1e-12, max_iter=5000)
    Z3 = sparse_encode_fista(3 * X, D, 0.1 * lambda_max(3 * X), tol=1e-12,
                             max_iter=5000)
    np.testing.assert_allclose(Z3, 3 * Z, atol=1e-6)


def test_lasso_cost_known_value():
    X = np.array([[1.0, 2.0]])
    D = np.array([[1.0, 0.0], [0.0, 1.0]])
    Z = np.array([[1.0, 0.0]])
    # residual (0, 2): 0.5 * 4 + 0.5 * |1| = 2.5
    assert lasso_loss(X, Z, D, 0.5) == pytest.approx(2.5)
    np.testing.assert_array_equal(soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0),
                                  [-1.0, 0.0, 2.0])


def test_negative_lambda_raises():
    X, D = problem()
    with pytest.raises(ValueError, match="lmbd"):
        sparse_encode_fista(X, D, -1.0)
