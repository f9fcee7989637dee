"""SPORCO's convolutional dictionary learning (solvers/sporco_conv.py): it
learns our linear model, in our layout, and recovers an easy problem."""
import numpy as np
import pytest

from benchmark_utils.coding import conv_lambda_max, conv_reconstruct
from benchmark_utils.learning import init_conv_atoms
from benchmark_utils.metrics import shift_invariant_recovery
from benchmark_utils.simulation import make_conv_problem

N_ATOMS, N_TIMES_ATOM = 3, 16


def conv_problem(n_channels, seed=0):
    # 10 signals of 600 samples, activations at least an atom apart, 40 dB.
    return make_conv_problem(
        n_signals=10, n_channels=n_channels, n_atoms=N_ATOMS, n_times=600,
        n_times_atom=N_TIMES_ATOM, activation_rate=0.005,
        min_gap=N_TIMES_ATOM, n_test=2, snr=40.0, random_state=seed)


def sporco_conv(benchmark, problem, D_init, **parameters):
    Solver, = benchmark.check_solver_patterns(["sporco-conv"],
                                              class_only=True)
    solver = Solver.get_instance(**parameters)
    inputs = dict(X=problem.X, D_init=D_init,
                  lmbd=0.1 * conv_lambda_max(problem.X, N_TIMES_ATOM))
    skip, reason = solver.skip(**inputs)
    assert not skip, reason
    solver.set_objective(**inputs)
    return solver


@pytest.mark.parametrize("dmethod", ["pgm-backtrack", "cns"])
@pytest.mark.parametrize("n_channels", [1, 2])
def test_recovers_easy_problem_from_close_init(benchmark, n_channels,
                                               dmethod):
    # Every atom starts at distance 0.5 from the truth (recovery 0.875).
    # Atoms flipped in time, transposed channels, or SPORCO's default
    # dictionary step (a step 100 times too long here: recovery swings
    # between 0.5 and 0.8) all end far below 0.99.
    problem = conv_problem(n_channels)
    D_init = init_conv_atoms(problem.X, N_ATOMS, N_TIMES_ATOM, "close",
                             D_true=problem.D_true, random_state=1)
    solver = sporco_conv(benchmark, problem, D_init, dmethod=dmethod)
    calls = iter(range(50))
    solver.run(lambda: next(calls, None) is not None)
    D = solver.get_result()["D"]
    assert D.shape == D_init.shape and D.dtype == np.float64
    start = shift_invariant_recovery(problem.D_true, D_init)
    assert start == pytest.approx(0.875)
    assert shift_invariant_recovery(problem.D_true, D) >= 0.99


def test_learns_the_linear_model_in_our_layout(benchmark):
    # Atoms cut by the edges of every signal, the head of one at the end and
    # its tail at the start: circularly one wrapped atom explains both. The
    # activations whose atom would cross the end stay zero, and SPORCO's
    # circular synthesis is then our linear one, unflipped, from the atoms
    # returned in our layout.
    problem = conv_problem(n_channels=2)
    head, tail = np.split(2 * problem.D_true[0], 2, axis=1)
    problem.X[:, :, :tail.shape[1]] += tail
    problem.X[:, :, -head.shape[1]:] += head
    D_init = init_conv_atoms(problem.X, N_ATOMS, N_TIMES_ATOM, "close",
                             D_true=problem.D_true, random_state=1)
    solver = sporco_conv(benchmark, problem, D_init)
    learner = solver.make_learner(lambda learner: learner.j >= 19)
    learner.solve()
    n_times = problem.X.shape[2]
    n_valid = n_times - N_TIMES_ATOM + 1
    Y = learner.getcoef()  # (n_times, 1, n_signals, n_atoms)
    assert Y.shape == (n_times, 1, len(problem.X), N_ATOMS)
    assert np.any(Y[:n_valid]) and not np.any(Y[n_valid:])
    Z = np.transpose(Y[:n_valid, 0], (1, 2, 0))
    n_channels = problem.X.shape[1]
    D = np.transpose(learner.getdict().reshape(N_TIMES_ATOM, n_channels,
                                               N_ATOMS), (2, 1, 0))
    circular = np.transpose(learner.reconstruct()[..., 0], (2, 1, 0))
    np.testing.assert_allclose(circular, conv_reconstruct(Z, D), atol=1e-10)


def test_skips_linear_problems_and_unknown_steps(benchmark):
    Solver, = benchmark.check_solver_patterns(["sporco-conv"],
                                              class_only=True)
    X = np.zeros((4, 1, 50))
    skip, reason = Solver.get_instance().skip(X=X, D_init=np.eye(3), lmbd=1)
    assert skip and "convolutional" in reason
    skip, reason = Solver.get_instance(dmethod="ism").skip(
        X=X, D_init=np.zeros((2, 1, 5)), lmbd=1.0)
    assert skip and "dmethod" in reason
