"""The mathematics of the torch solvers (``benchmark_utils.unrolled``).

Forward pass against the shared numpy Lasso solver, back-propagated gradients
against finite differences, the analytic (AM) gradient against the gradient of
the Lasso value function (Danskin's theorem). All in float64 on tiny problems.
"""
import numpy as np
import pytest
import torch

from benchmark_utils import coding, learning
from benchmark_utils.coding import sparse_encode_fista
from benchmark_utils.neural import (
    BacktrackingLineSearch,
    analytic_dictionary_gradient,
    lasso_loss,
    lipschitz_constant,
    loss_converged,
    normalize_atoms,
    resolve_dtype,
    soft_threshold,
    unrolled_codes,
)


def tiny_problem(n_samples=6, n_features=4, n_atoms=6, seed=0):
    rng = np.random.default_rng(seed)
    D = learning.normalize_atoms(rng.standard_normal((n_atoms, n_features)))
    X = rng.standard_normal((n_samples, n_features))
    return X, D, 0.1 * np.mean(np.linalg.norm(X, axis=1))


def t64(a):
    return torch.tensor(a, dtype=torch.float64)


@pytest.mark.parametrize("algorithm, n_layers", [("fista", 5000),
                                                 ("ista", 20000)])
def test_forward_pass_gives_the_lasso_codes(algorithm, n_layers):
    X, D, lmbd = tiny_problem(n_samples=50, n_features=10, n_atoms=15)
    Z_ref = sparse_encode_fista(X, D, lmbd, max_iter=20000, tol=1e-14)
    Z = unrolled_codes(t64(X), t64(D), lmbd, n_layers, algorithm).numpy()
    np.testing.assert_allclose(Z, Z_ref, atol=1e-8)
    assert coding.lasso_loss(X, Z, D, lmbd) == pytest.approx(
        coding.lasso_loss(X, Z_ref, D, lmbd), rel=1e-12)
    # Few layers are not the solution: the test can fail.
    Z_short = unrolled_codes(t64(X), t64(D), lmbd, 3, algorithm).numpy()
    assert np.abs(Z_short - Z_ref).max() > 1e-3


def test_soft_threshold_float_and_tensor_agree():
    Z = torch.linspace(-2, 2, 41, dtype=torch.float64)
    expected = torch.sign(Z) * torch.clamp(Z.abs() - 0.5, min=0)
    torch.testing.assert_close(soft_threshold(Z, 0.5), expected)
    torch.testing.assert_close(soft_threshold(Z, t64(0.5)), expected)


def test_lipschitz_is_the_spectral_norm():
    _, D, _ = tiny_problem(n_features=30, n_atoms=50)
    L = lipschitz_constant(t64(D))
    assert L == pytest.approx(np.linalg.norm(D @ D.T, 2), rel=1e-12)
    assert L < np.linalg.norm(D @ D.T, "fro")


def unrolled_loss(X, D, lmbd, n_layers, lipschitz, algorithm="fista",
                  step_scales=None, n_backprop=None):
    Z = unrolled_codes(X, D, lmbd, n_layers, algorithm,
                       step_scales=step_scales, n_backprop=n_backprop,
                       lipschitz=lipschitz)
    return lasso_loss(X, Z, D, lmbd)


def finite_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        grad[idx] = (f(x + e) - f(x - e)) / (2 * eps)
    return grad


@pytest.mark.parametrize("algorithm", ["fista", "ista"])
def test_backpropagated_gradient_matches_finite_differences(algorithm):
    # The step 1 / L is a constant of the forward pass (computed without
    # gradient), so the finite differences hold it fixed too.
    X, D, lmbd = tiny_problem()
    X = t64(X)
    L = lipschitz_constant(t64(D))
    D_t = t64(D).requires_grad_(True)
    grad, = torch.autograd.grad(
        unrolled_loss(X, D_t, lmbd, 10, L, algorithm), D_t)
    fd = finite_difference(
        lambda d: float(unrolled_loss(X, t64(d), lmbd, 10, L, algorithm)), D)
    np.testing.assert_allclose(grad.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_learned_step_gradient_matches_finite_differences():
    X, D, lmbd = tiny_problem(seed=1)
    X, D_t = t64(X), t64(D)
    L = lipschitz_constant(D_t)
    scales0 = np.linspace(0.6, 1.4, 8)
    scales = t64(scales0).requires_grad_(True)
    grad, = torch.autograd.grad(
        unrolled_loss(X, D_t, lmbd, 8, L, "ista", step_scales=scales), scales)
    fd = finite_difference(
        lambda s: float(unrolled_loss(X, D_t, lmbd, 8, L, "ista",
                                      step_scales=t64(s))), scales0)
    np.testing.assert_allclose(grad.numpy(), fd, rtol=1e-6, atol=1e-9)


def test_truncated_backpropagation():
    X, D, lmbd = tiny_problem(seed=2)
    X = t64(X)
    L = lipschitz_constant(t64(D))

    def grad_for(n_backprop):
        D_t = t64(D).requires_grad_(True)
        loss = unrolled_loss(X, D_t, lmbd, 12, L, n_backprop=n_backprop)
        return torch.autograd.grad(loss, D_t)[0]

    # All layers carry gradient: the full back-propagation.
    torch.testing.assert_close(grad_for(12), grad_for(None))
    # No layer carries gradient: the gradient at fixed codes (AM's).
    Z = unrolled_codes(X, t64(D), lmbd, 12, "fista")
    torch.testing.assert_close(grad_for(0),
                               analytic_dictionary_gradient(X, Z, t64(D)))
    # In between, the gradient of the loss whose first 7 layers see D frozen.
    D_frozen = t64(D)

    def partly_frozen(d):
        d = t64(d)
        return float(lasso_loss(X, _partly_frozen_codes(X, D_frozen, d, lmbd,
                                                        L), d, lmbd))

    np.testing.assert_allclose(grad_for(5).numpy(),
                               finite_difference(partly_frozen, D),
                               rtol=1e-6, atol=1e-8)


def _partly_frozen_codes(X, D_frozen, D, lmbd, L):
    # 7 FISTA layers with D_frozen, then 5 with D: what truncation
    # differentiates (written out here, independently of the module).
    step = 1.0 / L
    Z = Y = torch.zeros(X.shape[0], D.shape[0], dtype=torch.float64)
    t = 1.0
    for i in range(12):
        Dk = D_frozen if i < 7 else D
        Z_new = soft_threshold(Y - step * (Y @ Dk - X) @ Dk.T, lmbd * step)
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        Y = Z_new + (t - 1) / t_new * (Z_new - Z)
        Z, t = Z_new, t_new
    return Z


def lasso_value(X, D, lmbd):
    Z = sparse_encode_fista(X, D, lmbd, max_iter=50000, tol=1e-15)
    return coding.lasso_loss(X, Z, D, lmbd), Z


def test_analytic_gradient_is_the_value_function_gradient():
    # Danskin: d/dD min_Z F(Z, D) = dF/dD at the minimizer Z*(D).
    X, D, lmbd = tiny_problem(n_samples=20, n_features=5, n_atoms=7, seed=3)
    _, Z = lasso_value(X, D, lmbd)
    grad = analytic_dictionary_gradient(t64(X), t64(Z), t64(D)).numpy()
    fd = finite_difference(lambda d: lasso_value(X, d, lmbd)[0], D, eps=1e-5)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


def test_deep_gradient_approaches_the_value_function_gradient():
    X, D, lmbd = tiny_problem(n_samples=20, n_features=5, n_atoms=7, seed=3)
    _, Z = lasso_value(X, D, lmbd)
    g_star = analytic_dictionary_gradient(t64(X), t64(Z), t64(D)).numpy()
    L = lipschitz_constant(t64(D))
    errors = []
    for n_layers in (5, 20, 100, 1000):
        D_t = t64(D).requires_grad_(True)
        grad, = torch.autograd.grad(
            unrolled_loss(t64(X), D_t, lmbd, n_layers, L), D_t)
        errors.append(np.linalg.norm(grad.numpy() - g_star)
                      / np.linalg.norm(g_star))
    assert errors[0] > 1e-2, errors
    assert errors[-1] < 1e-6, errors
    assert errors[-1] < errors[1] < errors[0], errors


def test_line_search_accepts_only_decrease_and_is_bounded():
    target = t64([3.0, -1.0])

    def evaluate(params):
        return float(((params[0] - target) ** 2).sum()), "state"

    x = t64([0.0, 0.0])
    loss = evaluate([x])[0]
    grads = [2 * (x - target)]
    # A huge first step: backtracking must shrink it until the loss drops.
    search = BacktrackingLineSearch(step=1e3, max_backtracks=20)
    accepted, (x_new,), new_loss, state = search.search(
        [x], grads, loss, evaluate, lambda p: p)
    assert accepted and new_loss < loss and state == "state"
    assert search.n_evaluations <= 21
    # At the minimum no step decreases the loss: the point is kept, in at
    # most max_backtracks + 1 evaluations.
    search = BacktrackingLineSearch(step=1.0, max_backtracks=5)
    accepted, (x_same,), same_loss, _ = search.search(
        [target], [t64([1.0, 1.0])], 0.0, evaluate, lambda p: p)
    assert not accepted and torch.equal(x_same, target) and same_loss == 0.0
    assert search.n_evaluations == 6


def test_loss_converged_is_the_relative_decrease_below_tol():
    # The public code's test: (previous - loss) / previous < tol.
    assert loss_converged(2.0, 2.0 - 1e-6, tol=1e-6)        # 5e-7
    assert not loss_converged(2.0, 2.0 - 4e-6, tol=1e-6)    # 2e-6
    assert not loss_converged(2.0, 1.0, tol=0.4)            # 0.5
    assert loss_converged(2.0, 1.0, tol=0.6)
    # tol = 0 never stops; a zero loss has no relative decrease.
    assert not loss_converged(2.0, 2.0, tol=0.0)
    assert not loss_converged(0.0, 0.0, tol=1e-6)


def test_projection_and_dtype_rules():
    D = t64([[3.0, 4.0], [0.0, 0.0]])
    torch.testing.assert_close(normalize_atoms(D),
                               t64([[0.6, 0.8], [0.0, 0.0]]))
    assert resolve_dtype("auto", "cpu") == torch.float64
    assert resolve_dtype("float32", "cpu") == torch.float32
    with pytest.raises(ValueError, match="dtype"):
        resolve_dtype("float16", "cpu")
