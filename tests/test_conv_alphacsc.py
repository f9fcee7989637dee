"""alphacsc's convolutional dictionary learning (solvers/alphacsc.py): it
learns our model, in our layout, with our lmbd, and recovers an easy problem
from a close start."""
import numpy as np
import pytest

from benchmark_utils.coding import conv_lasso_loss
from benchmark_utils.metrics import shift_invariant_recovery
from benchmark_utils.simulation import make_conv_problem
from tests.solver_runs import SOLVERS, make_conv_solver, run_conv_callbacks

N_ATOMS, N_TIMES_ATOM = 3, 16


def nonnegative_problem(n_channels):
    """10 signals of 600 samples, activations at least an atom apart, 40 dB,
    nonnegative activations (alphacsc's model)."""
    return make_conv_problem(
        n_signals=10, n_channels=n_channels, n_atoms=N_ATOMS, n_times=600,
        n_times_atom=N_TIMES_ATOM, activation_rate=0.005,
        min_gap=N_TIMES_ATOM, n_test=2, snr=40.0, nonnegative=True,
        random_state=0)


@pytest.mark.parametrize("algorithm, n_iter", [("batch", 20),
                                               ("online", 60)])
@pytest.mark.parametrize("n_channels", [1, 2])
def test_recovers_easy_problem_from_close_init(algorithm, n_iter,
                                               n_channels):
    # Every atom starts at distance 0.5 from the truth (recovery 0.875).
    # Atoms flipped in time on the way in and out end at 0.43 to 0.65, with
    # their channels swapped at 0.35 to 0.39; reg = lmbd * X.std() or
    # lmbd / X.std() ** 2 in place of lmbd / X.std() at 0.78 to 0.96 (reg =
    # lmbd still recovers this easy problem: the next test catches it).
    problem = nonnegative_problem(n_channels)
    solver = make_conv_solver("alphacsc", problem, "close", distance=0.5,
                              algorithm=algorithm)
    skip, reason = solver.skip(X=problem.X, D_init=solver.D_init,
                               lmbd=solver.lmbd)
    assert not skip, reason
    start = shift_invariant_recovery(problem.D_true, solver.D_init)
    assert start == pytest.approx(0.875)
    D = run_conv_callbacks(solver, n_iter, problem.D_true.shape)
    assert shift_invariant_recovery(problem.D_true, D) >= 0.99


def test_minimizes_our_lasso_with_our_lmbd():
    # alphacsc learns on X / X.std(): its cost at its atoms and activations,
    # rescaled, must be our convolutional Lasso with our lmbd at the same
    # atoms and activations (rescaled), and its activations nonnegative.
    problem = nonnegative_problem(n_channels=2)
    solver = make_conv_solver("alphacsc", problem, "close", distance=0.5)
    X, scale = solver.X, solver.X.std()
    seen = []

    def record(z_encoder, pobj):
        seen.append((np.array(z_encoder.D_hat), scale * z_encoder.z_hat,
                     pobj[-1] if pobj else None))
        if len(seen) == 4:
            raise StopIteration

    with pytest.raises(StopIteration):
        solver.make_learner(record).fit(X)
    np.testing.assert_array_equal(seen[0][0], solver.D_init)
    for D, Z, cost in seen[1:]:
        assert D.shape == solver.D_init.shape and Z.min() >= 0
        ours = conv_lasso_loss(X, Z, D, solver.lmbd)
        assert cost * scale ** 2 / len(X) == pytest.approx(ours, rel=1e-9)


def test_stops_when_benchopt_says_so_and_keeps_the_last_atoms():
    problem = nonnegative_problem(n_channels=1)
    solver = make_conv_solver("alphacsc", problem, "close", distance=0.5)
    calls = []

    def callback():
        calls.append(solver.get_result()["D"].copy())
        return len(calls) < 3

    solver.run(callback)
    assert len(calls) == 3
    np.testing.assert_array_equal(calls[0], solver.D_init)
    assert not np.array_equal(calls[1], calls[0])
    np.testing.assert_array_equal(solver.get_result()["D"], calls[-1])


def test_skips_linear_problems_and_unknown_options():
    Solver = SOLVERS["alphacsc"]
    X, D = np.zeros((4, 1, 50)), np.zeros((2, 1, 5))
    skip, reason = Solver.get_instance().skip(X=X, D_init=np.eye(3), lmbd=1)
    assert skip and "the problem is linear" in reason
    for option in (dict(algorithm="greedy"), dict(solver_z="fista")):
        skip, reason = Solver.get_instance(**option).skip(X=X, D_init=D,
                                                          lmbd=1.0)
        assert skip and next(iter(option)) in reason
    skip, reason = Solver.get_instance(solver_z="lgcd").skip(X=X, D_init=D,
                                                             lmbd=1.0)
    numpy_2_4 = np.lib.NumpyVersion(np.__version__) >= "2.4.0"
    assert skip == numpy_2_4 and (not skip or "numpy" in reason)
