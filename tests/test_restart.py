"""One restart rule for every solver family, behind one ``restart`` parameter.

A dictionary that starts with two copies of one atom is the case the rule is
for: without a restart, the codes of the two copies are equal by symmetry and
so are their updates (for the unrolled networks, exactly), so the copy never
becomes another atom; with ``restart="unused"`` the copy is replaced by a
badly represented sample and the run goes on with distinct atoms.
"""
import numpy as np
import pytest

from benchmark_utils.coding import lambda_max
from benchmark_utils.learning import init_dictionary
from benchmark_utils.simulation import make_problem
from tests.solver_runs import SOLVERS, run_callbacks

# Solver, its other parameters, callbacks: the full-batch solvers, whose
# restart looks at every training sample, and the mini-batch ones.
CASES = [
    ("ksvd", {}, 3),
    ("mod", {}, 3),
    ("altmin", {}, 3),
    ("ddl", {"gradient": "deep", "n_layers": 20}, 3),
    ("ddl", {"gradient": "analytic", "n_layers": 20}, 3),
    ("stochastic-ddl", {"n_layers": 20}, 2),
    ("sparse-autoencoder", {"n_layers": 20}, 2),
]
DEFAULTS = {"ksvd": "unused", "mod": "unused", "altmin": "unused",
            "online-dl": "unused", "ddl": "none", "stochastic-ddl": "none",
            "sparse-autoencoder": "none"}


# One torch thread (tests/conftest.py) for every test of this module.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def problem():
    return make_problem(2000, 16, 24, 2, snr=40.0, random_state=0)


def with_a_copy(problem):
    """The objective's random start with atom 1 a copy of atom 0."""
    D_init = init_dictionary(problem.X, 24, "random", random_state=1)
    D_init[1] = D_init[0]
    return D_init


def largest_correlation(D):
    D = D / np.linalg.norm(D, axis=1, keepdims=True)
    C = np.abs(D @ D.T)
    np.fill_diagonal(C, 0.0)
    return C.max()


def run(name, parameters, n_iter, problem, restart):
    solver = SOLVERS[name].get_instance(restart=restart, **parameters)
    solver.get_seed = lambda **kwargs: 0
    X = problem.X
    skip, reason = solver.skip(X, with_a_copy(problem), 0.1 * lambda_max(X), 2)
    assert not skip, reason
    solver.set_objective(X=X, D_init=with_a_copy(problem),
                         lmbd=0.1 * lambda_max(X), n_nonzeros=2)
    return run_callbacks(solver, n_iter, 24, 16)


@pytest.mark.parametrize("name, parameters, n_iter", CASES)
def test_restart_frees_a_duplicated_atom(problem, name, parameters, n_iter):
    D = run(name, parameters, n_iter, problem, "unused")
    assert largest_correlation(D) < 0.99


@pytest.mark.parametrize("name, parameters, n_iter", [
    case for case in CASES if case[0] in ("ddl", "stochastic-ddl",
                                          "sparse-autoencoder")])
def test_without_restart_the_copy_stays(problem, name, parameters, n_iter):
    D = run(name, parameters, n_iter, problem, "none")
    assert largest_correlation(D) > 1 - 1e-8


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_family_has_the_parameter_with_its_default(problem, name):
    solver = SOLVERS[name].get_instance()
    assert solver.restart == DEFAULTS[name]
    bad = SOLVERS[name].get_instance(restart="always")
    X = problem.X
    skip, reason = bad.skip(X, with_a_copy(problem), 0.1 * lambda_max(X), 2)
    assert skip and "restart must be one of" in reason
