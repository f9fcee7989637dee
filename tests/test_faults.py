"""A broken solver loses no other result (real benchopt runs).

Two runs of the same tiny problem on a temporary copy of the benchmark: one
with two healthy solvers (``mod``, a callback solver, and ``spams``, an
iteration solver), one with the same two plus four broken solvers added to the
copy: one that raises, one whose dictionary turns to NaN, one that returns the
wrong shape and one that never returns (it stops calling back). The second run
must complete, give the healthy solvers exactly the same curves, and report
each broken solver with its reason.
"""

import numpy as np
import pytest

from benchmark_utils.runtime.watchdog import HARD_TIMEOUT_FACTOR
from tests.benchopt_runs import (
    TINY_DATASET,
    TINY_N_ATOMS,
    TINY_N_FEATURES,
    copy_benchmark,
    read_results,
    run_benchopt,
    solver_args,
    status_lines,
)

TIMEOUT = 3  # benchopt's --timeout, seconds
MAX_RUNS = 4  # evaluations per solver (-n)
HEALTHY = ["mod", "spams"]

BROKEN_SOLVERS = {
    # A callback solver that raises after two iterations.
    "broken_raise.py": '''
from benchopt import BaseSolver


class Solver(BaseSolver):
    """Raises in the middle of its run."""
    name = "broken-raise"
    sampling_strategy = "callback"

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.D = D_init.copy()

    def run(self, callback):
        it = 0
        while callback():
            it += 1
            if it == 2:
                raise RuntimeError("deliberate failure at iteration 2")

    def get_result(self):
        return dict(D=self.D)
''',
    # An iteration solver that diverges to NaN after its first iteration.
    "broken_nan.py": '''
import numpy as np
from benchopt import BaseSolver


class Solver(BaseSolver):
    """Diverges: every entry is NaN after the first iteration."""
    name = "broken-nan"
    sampling_strategy = "iteration"

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.D_init = D_init

    def run(self, n_iter):
        self.D = self.D_init.copy()
        if n_iter >= 1:
            self.D[:] = np.nan

    def get_result(self):
        return dict(D=self.D)
''',
    # An iteration solver that returns atoms as columns.
    "broken_shape.py": '''
from benchopt import BaseSolver


class Solver(BaseSolver):
    """Returns D transposed: (n_features, n_atoms)."""
    name = "broken-shape"
    sampling_strategy = "iteration"

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.D = D_init.copy()

    def run(self, n_iter):
        pass

    def get_result(self):
        return dict(D=self.D.T)
''',
    # A callback solver that stops calling back: a loop that never ends.
    "broken_hang.py": '''
import numpy as np
from benchopt import BaseSolver


class Solver(BaseSolver):
    """Calls back twice, then loops forever without calling back."""
    name = "broken-hang"
    sampling_strategy = "callback"

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D = X, D_init.copy()

    def run(self, callback):
        callback()
        callback()
        while True:
            try:
                self.D = self.D + 0.0 * (self.X[:10] @ self.D.T).sum()
            except Exception:  # a solver's own guard cannot stop the watchdog
                pass

    def get_result(self):
        return dict(D=self.D)
''',
}
BROKEN = ["broken-raise", "broken-nan", "broken-shape", "broken-hang"]

# Columns that must be identical with and without the broken solvers.
CURVE_COLUMNS = ["stop_val", "objective_recovery",
                 "objective_recovered_fraction", "objective_loss_train",
                 "objective_loss_test", "objective_n_invalid_atoms"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("faults") / "bench")
    for filename, source in BROKEN_SOLVERS.items():
        (bench / "solvers" / filename).write_text(source)
    common = ["-d", TINY_DATASET, "-n", str(MAX_RUNS), "--timeout",
              str(TIMEOUT), "--no-cache", "--no-plot"]
    clean, clean_text = run_benchopt(
        bench, *solver_args(HEALTHY), *common,
        "--output", str(bench / "out" / "clean.parquet"))
    # Broken solvers first, so that the healthy ones run after every failure.
    faulty, faulty_text = run_benchopt(
        bench, *solver_args(BROKEN + HEALTHY), *common,
        "--output", str(bench / "out" / "faulty.parquet"))
    return dict(
        clean=clean, clean_text=clean_text, faulty=faulty,
        faulty_text=faulty_text,
        clean_df=read_results(bench / "out" / "clean.parquet"),
        faulty_df=read_results(bench / "out" / "faulty.parquet"),
    )


def _curves(df, solver):
    rows = df[df["solver_name"].str.startswith(solver + "[")
              | (df["solver_name"] == solver)]
    return rows.sort_values("stop_val")[CURVE_COLUMNS].to_numpy(dtype=float)


@pytest.mark.integration
def test_run_with_broken_solvers_completes(runs):
    assert runs["clean"].returncode == 0, runs["clean_text"][-3000:]
    assert runs["faulty"].returncode == 0, runs["faulty_text"][-3000:]
    # The run ended (the harness kills a run that hangs) and saved everything:
    # the hang cost the watchdog's deadline, not forever.
    assert "Saving result in" in runs["faulty_text"]


@pytest.mark.integration
@pytest.mark.parametrize("solver", HEALTHY)
def test_healthy_solvers_have_identical_curves(runs, solver):
    clean = _curves(runs["clean_df"], solver)
    faulty = _curves(runs["faulty_df"], solver)
    # The initial point and every evaluation up to -n.
    assert clean.shape == (MAX_RUNS + 1, len(CURVE_COLUMNS))
    np.testing.assert_array_equal(faulty, clean)


@pytest.mark.integration
def test_each_broken_solver_is_reported_with_its_reason(runs):
    text = runs["faulty_text"]
    statuses = status_lines(text)
    status = {name: next(v for k, v in statuses.items() if k.startswith(name))
              for name in BROKEN}
    assert status["broken-raise"] == "error"
    assert "RuntimeError: deliberate failure at iteration 2" in text
    assert status["broken-shape"] == "error"
    assert (f"ValueError: D must have shape (n_atoms, n_features) = "
            f"({TINY_N_ATOMS}, {TINY_N_FEATURES}), got "
            f"({TINY_N_FEATURES}, {TINY_N_ATOMS})") in text
    assert status["broken-hang"] == "error"
    limit = HARD_TIMEOUT_FACTOR * TIMEOUT
    assert (f"SolverDeadlineExceeded: broken-hang did not return within "
            f"{limit:g} s") in text
    # NaN is not an error: it is scored (worst score, finite) and flagged.
    assert status["broken-nan"].startswith("done")


@pytest.mark.integration
def test_nan_dictionary_is_scored_and_flagged(runs):
    df = runs["faulty_df"]
    rows = df[df["solver_name"] == "broken-nan"].sort_values("stop_val")
    assert len(rows) == MAX_RUNS + 1
    after_first = rows[rows["stop_val"] >= 1]
    assert (after_first["objective_n_invalid_atoms"] == TINY_N_ATOMS).all()
    assert (after_first["objective_recovery"] == 0.0).all()
    for column in ("objective_loss_train", "objective_loss_test"):
        assert np.isfinite(after_first[column]).all()
    assert rows["objective_n_invalid_atoms"].iloc[0] == 0


@pytest.mark.integration
def test_failed_runs_leave_no_rows(runs):
    names = set(runs["faulty_df"]["solver_name"])
    for name in ("broken-raise", "broken-shape", "broken-hang"):
        assert name not in names
