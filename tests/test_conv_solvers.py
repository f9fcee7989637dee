"""The convolutional solvers of our own and the unrolled convolutional network."""
import numpy as np
import pytest
import torch

from benchmark_utils import coding
from benchmark_utils.metrics import shift_invariant_recovery
from benchmark_utils.neural import convolutional as network
from benchmark_utils.simulation import make_conv_problem
from tests.solver_runs import SOLVERS as CLASSES
from tests.solver_runs import (
    count_callbacks,
    make_conv_solver,
    run_conv_callbacks,
)


@pytest.fixture(scope="module")
def easy():
    """Few atoms, sparse isolated events, high SNR."""
    return make_conv_problem(10, 1, 3, 600, 16, activation_rate=0.003,
                             min_gap=32, snr=40.0, random_state=0)


@pytest.fixture(scope="module")
def hopeless():
    """One short signal buried in noise: nothing to recover from."""
    return make_conv_problem(1, 1, 3, 200, 16, activation_rate=0.01,
                             snr=-20.0, random_state=0)


SOLVERS = [("conv-altmin", {}),
           ("conv-ddl", {"gradient": "deep"}),
           ("conv-ddl", {"gradient": "analytic"})]


@pytest.mark.parametrize("name, parameters", SOLVERS)
def test_recovers_an_easy_problem_from_the_close_init(easy, name,
                                                      parameters):
    solver = make_conv_solver(name, easy, "close", **parameters)
    start = shift_invariant_recovery(easy.D_true,
                                     np.asarray(solver.D_init))
    D = run_conv_callbacks(solver, 60, easy.D_true.shape)
    assert start < 0.97
    assert shift_invariant_recovery(easy.D_true, D) > 0.99


@pytest.mark.parametrize("name, parameters", SOLVERS[:2])
def test_fails_on_a_hopeless_problem(hopeless, name, parameters):
    solver = make_conv_solver(name, hopeless, "random", **parameters)
    D = run_conv_callbacks(solver, 30, hopeless.D_true.shape)
    assert shift_invariant_recovery(hopeless.D_true, D) < 0.8


def test_torch_layers_equal_the_numpy_model():
    rng = np.random.default_rng(0)
    D = rng.standard_normal((3, 2, 9))
    Z = rng.standard_normal((2, 3, 40))
    X = rng.standard_normal((2, 2, 48))
    t = {name: torch.from_numpy(a) for name, a in
         dict(D=D, Z=Z, X=X).items()}
    np.testing.assert_allclose(network.conv_reconstruct(t["Z"], t["D"]),
                               coding.conv_reconstruct(Z, D), atol=1e-12)
    np.testing.assert_allclose(network.conv_correlate(t["X"], t["D"]),
                               coding.conv_correlate(X, D), atol=1e-12)
    assert float(network.conv_lasso_loss(t["X"], t["Z"], t["D"], 0.2)) == \
        pytest.approx(coding.conv_lasso_loss(X, Z, D, 0.2), rel=1e-12)
    assert network.conv_lipschitz(t["D"], 48) == pytest.approx(
        coding.conv_lipschitz(D, 48), rel=1e-10)
    gradient = network.analytic_conv_gradient(t["X"], t["Z"], t["D"])
    np.testing.assert_allclose(
        gradient, coding.conv_dictionary_gradient(X, Z, D) / len(X),
        atol=1e-12)
    # Enough layers reach the Lasso's activations.
    D_unit = D / np.linalg.norm(D.reshape(3, -1), axis=1)[:, None, None]
    lmbd = 0.1 * coding.conv_lambda_max(X, 9)
    Z_net = network.unrolled_conv_codes(t["X"], torch.from_numpy(D_unit),
                                        lmbd, 3000)
    Z_ref = coding.sparse_encode_conv(X, D_unit, lmbd, max_iter=20000,
                                      tol=1e-12)
    np.testing.assert_allclose(Z_net, Z_ref, atol=1e-6)


def test_network_gradient_against_finite_differences():
    rng = np.random.default_rng(1)
    X = torch.from_numpy(rng.standard_normal((2, 1, 60)))
    D = torch.from_numpy(rng.standard_normal((3, 1, 8)))
    D = network.normalize_conv_atoms(D)
    lmbd = 0.1 * coding.conv_lambda_max(X.numpy(), 8)
    # The step is a constant of the forward pass (as in the solver).
    L = network.conv_lipschitz(D, 60)

    def loss(D):
        Z = network.unrolled_conv_codes(X, D, lmbd, 10, lipschitz=L)
        return network.conv_lasso_loss(X, Z, D, lmbd)

    D_var = D.clone().requires_grad_(True)
    gradient = torch.autograd.grad(loss(D_var), D_var)[0]
    E = torch.from_numpy(rng.standard_normal(D.shape))
    eps = 1e-6
    with torch.no_grad():
        numeric = (loss(D + eps * E) - loss(D - eps * E)) / (2 * eps)
    assert float((gradient * E).sum()) == pytest.approx(float(numeric),
                                                        rel=1e-5)


def test_convolutional_solvers_skip_linear_problems(easy):
    linear_D = np.eye(3)
    for name in ("conv-altmin", "conv-ddl"):
        solver = CLASSES[name].get_instance()
        skip, reason = solver.skip(X=np.eye(3), D_init=linear_D, lmbd=0.1)
        assert skip and "the problem is linear" in reason
    solver = CLASSES["altmin"].get_instance()
    skip, reason = solver.skip(X=easy.X, D_init=easy.D_true, lmbd=0.1)
    assert skip and "the problem is convolutional" in reason


def test_conv_ddl_tol_ends_the_run_at_a_small_relative_decrease(easy):
    # With tol > 0 the run ends on its own at the first accepted step that
    # lowers the loss by less than tol relatively, before the default
    # (tol=0) ends, when no trial step lowers the loss.
    calls = {tol: count_callbacks(make_conv_solver(
        "conv-ddl", easy, "close", gradient="analytic", tol=tol), budget=40)
        for tol in (1e-2, 0.0)}
    assert 2 <= calls[1e-2] < calls[0.0] <= 40
