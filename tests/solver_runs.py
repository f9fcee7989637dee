"""Drive the benchmark's solvers outside benchopt's runner, as the runner does.

The solver classes are loaded through benchopt (``Benchmark(".")``); a solver
gets the objective's inputs for a simulated problem and runs a fixed number of
callbacks.
"""
from pathlib import Path

import numpy as np
from benchopt.benchmark import Benchmark

from benchmark_utils.coding import conv_lambda_max, lambda_max
from benchmark_utils.learning import init_conv_atoms, init_dictionary

BENCHMARK = Benchmark(Path(__file__).resolve().parents[1])
SOLVERS = {solver.name: solver for solver in BENCHMARK.get_solvers()}


def make_solver(name, problem, init, n_nonzeros=None, reg=0.1, seed=0,
                **parameters):
    """Solver ``name`` with its objective's inputs for ``problem`` set.

    The initial dictionary is drawn by the objective's protocol ``init``
    (``distance=0.5`` for ``"close"``, seed 1); outside the runner there is no
    run context to draw seeds from, so the solver's seed is ``seed``.
    """
    X = problem.X
    D_init = init_dictionary(X, problem.D_true.shape[0], init,
                             D_true=problem.D_true, distance=0.5,
                             random_state=1)
    solver = SOLVERS[name].get_instance(**parameters)
    solver.get_seed = lambda **kwargs: seed
    solver.set_objective(X=X, D_init=D_init, lmbd=reg * lambda_max(X),
                         n_nonzeros=n_nonzeros)
    return solver


def run_callbacks(solver, n_iter, n_atoms, n_features):
    """Run ``n_iter`` callbacks; return the final dictionary, checked."""
    count = [0]

    def callback():
        count[0] += 1
        return count[0] <= n_iter

    solver.run(callback)
    D = solver.get_result()["D"]
    assert D.shape == (n_atoms, n_features) and D.dtype == np.float64
    assert np.isfinite(D).all()
    return D


def count_callbacks(solver, budget):
    """Run ``solver`` with a budget of ``budget`` callbacks; return how many
    it asked for (fewer than ``budget + 1``: it ended on its own)."""
    count = [0]

    def callback():
        count[0] += 1
        return count[0] <= budget

    solver.run(callback)
    return count[0]


def make_conv_solver(name, problem, init="close", reg=0.1, seed=0,
                     distance=0.3, **parameters):
    """A convolutional solver with its objective's inputs for ``problem`` (a
    :class:`benchmark_utils.simulation.ConvProblem`) set, as
    :func:`make_solver` does for the linear ones."""
    X, D_true = problem.X, problem.D_true
    D_init = init_conv_atoms(X, D_true.shape[0], D_true.shape[2], init,
                             D_true=D_true, distance=distance, random_state=1)
    solver = SOLVERS[name].get_instance(**parameters)
    solver.get_seed = lambda **kwargs: seed
    solver.set_objective(X=X, D_init=D_init,
                         lmbd=reg * conv_lambda_max(X, D_true.shape[2]))
    return solver


def run_conv_callbacks(solver, n_iter, shape):
    """Run ``n_iter`` callbacks; return the final atoms, checked."""
    count = [0]

    def callback():
        count[0] += 1
        return count[0] <= n_iter

    solver.run(callback)
    D = np.asarray(solver.get_result()["D"])
    assert D.shape == tuple(shape) and D.dtype == np.float64
    assert np.isfinite(D).all()
    return D
