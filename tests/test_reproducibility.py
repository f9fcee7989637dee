"""Same seed, same numbers: sequentially, with ``-j 2`` and on dask (real runs).

Five ``benchopt run`` commands on a temporary copy of the benchmark, each in
its own process, share the assertions of this module:

- the sweep (three tiny datasets x ``mod`` and ``ksvd`` x 2 repetitions, seed
  0) run sequentially and through ``configs/parallel/dask.yml`` on a local
  dask cluster: the two result files must hold the same values for every run
  and iteration;
- every solver of the benchmark on one tiny dataset x 2 repetitions (seed 0),
  run sequentially and with ``-j 2``: same problems, same initial
  dictionaries, same curves;
- ``mod`` with seed 1: other problems and other initial dictionaries.

Why the comparison can be exact. Every solver here is deterministic given its
seed with one thread (the thread policy's default, and the runs set one BLAS
thread), and the stopping rule (``benchmark_utils.runtime.stopping``) is a function of
the recorded values and iterations only (``min_time`` is 0). What depends on
the wall clock is benchopt's ``--timeout``: a run that reached it on a loaded
machine would end earlier in one file than in the other. ``-n 3`` (three
evaluations after the initial one) lets ``max_runs`` end every run long
before the generous ``--timeout 120``, so curves have the same lengths. Times
(the ``time`` column) are of course not compared.
"""
import numpy as np
import pandas as pd
import pytest
from benchopt.utils.run_context import RunContext

from benchmark_utils.runtime.provenance import (
    PACKAGES,
    array_digest,
    package_versions,
    parse_versions,
    provenance_columns,
)
from benchmark_utils.simulation import make_problem
from tests.benchopt_runs import (
    ROOT,
    TINY_DATASET,
    copy_benchmark,
    read_results,
    run_benchopt,
    solver_args,
    status_lines,
)

MAX_RUNS = 3
TIMEOUT = 120
# Three tiny problems of the sweep: sparsity 1, 2 and 3 (8 x 12 dictionaries).
SWEEP_DATASET = ("simulated[n_features=8,n_atoms=12,n_samples=300,n_test=100,"
                 "sparsity=[1,2,3]]")
SWEEP_SOLVERS = ["mod", "ksvd"]
KEY = ["dataset_name", "objective_name", "solver_name", "idx_rep", "stop_val"]
# Solvers known to give other numbers from the same seed; none today. A
# solver listed here is left out of the -j 2 comparison (say why).
NONDETERMINISTIC = []
PROVENANCE = ["objective_versions", "objective_blas",
              "objective_seed_dataset", "objective_seed_objective",
              "objective_digest_data", "objective_digest_D_init"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("repro") / "bench")
    out = bench / "out"
    common = ["-n", str(MAX_RUNS), "--timeout", str(TIMEOUT), "--no-cache",
              "--no-plot"]
    sweep = ["-d", SWEEP_DATASET, *solver_args(SWEEP_SOLVERS), "-r", "2",
             *common]
    every = ["-d", TINY_DATASET, *common]
    commands = {
        "sequential": [*sweep, "--seed", "0"],
        "dask": [*sweep, "--seed", "0", "--parallel-config",
                 str(bench / "configs" / "parallel" / "dask.yml")],
        "every": [*every, "-r", "2", "--seed", "0"],
        # One repetition with -j 2 (loky workers are slow to start on 2
        # cores), compared with the first repetition of the previous run.
        "every_j2": [*every, "-r", "1", "--seed", "0", "-j", "2"],
        "other_seed": [*every, "-s", "mod", "-r", "2", "--seed", "1"],
    }
    results = {}
    for name, args in commands.items():
        proc, text = run_benchopt(
            bench, *args, "--output", str(out / f"{name}.parquet"))
        assert proc.returncode == 0, f"{name}:\n{text[-3000:]}"
        results[name] = dict(text=text, df=read_results(out / f"{name}.parquet"))
    return results


def _compared_columns(df):
    """Every numeric column a run computes (not its time nor its date)."""
    return sorted(
        c for c in df.select_dtypes(include="number").columns
        if c.startswith("objective_") and c not in KEY
    ) + ["objective_digest_data", "objective_digest_D_init"]


def _indexed(df):
    return df.set_index(KEY).sort_index()


def _assert_same_numbers(first, second):
    first, second = _indexed(first), _indexed(second)
    # Same runs and iterations: no curve cut short in one of the files.
    assert first.index.equals(second.index)
    columns = _compared_columns(first.reset_index())
    assert "objective_recovery" in columns
    pd.testing.assert_frame_equal(first[columns], second[columns],
                                  check_exact=True)


@pytest.mark.integration
def test_sweep_is_complete_and_ran_on_dask(runs):
    seq, dask = runs["sequential"]["df"], runs["dask"]["df"]
    assert "Distributed run with backend: dask" in runs["dask"]["text"]
    assert "Distributed run" not in runs["sequential"]["text"]
    for df in (seq, dask):
        assert df["dataset_name"].nunique() == 3
        assert df["idx_rep"].nunique() == 2
        assert {name.split("[")[0] for name in df["solver_name"]} \
            == set(SWEEP_SOLVERS)
        # max_runs ends every run, not the timeout nor the stopping rule.
        lengths = df.groupby(["dataset_name", "solver_name", "idx_rep"]).size()
        assert (lengths == MAX_RUNS + 1).all()


@pytest.mark.integration
def test_dask_run_gives_the_sequential_numbers(runs):
    _assert_same_numbers(runs["sequential"]["df"], runs["dask"]["df"])


@pytest.mark.integration
def test_every_solver_gives_the_same_numbers_with_two_jobs(runs):
    every, every_j2 = runs["every"]["df"], runs["every_j2"]["df"]
    # Every solver of the benchmark ran, none failed: each solver
    # configuration has a "done" line and rows in both files
    statuses = status_lines(runs["every"]["text"])
    assert len(statuses) >= len(list((ROOT / "solvers").glob("*.py")))
    # (a solver that cannot run here, such as a CUDA one, is skipped)
    ran = {k for k, v in statuses.items() if v != "skip"}
    assert all(statuses[k].startswith("done") for k in ran), statuses
    assert ran == set(every["solver_name"])
    keep = ~every["solver_name"].str.split("[").str[0].isin(NONDETERMINISTIC)
    keep &= every["idx_rep"] == 0
    keep_j2 = ~every_j2["solver_name"].str.split("[").str[0].isin(
        NONDETERMINISTIC)
    _assert_same_numbers(every[keep], every_j2[keep_j2])


@pytest.mark.integration
def test_same_seed_draws_the_same_problems_and_inits(runs):
    df = runs["every"]["df"]
    per_rep = df.groupby("idx_rep")[["objective_digest_data",
                                     "objective_digest_D_init"]].nunique()
    # One problem and one D_init per repetition, shared by every solver ...
    assert (per_rep == 1).all().all()
    # ... and the two repetitions are two different problems.
    assert df.groupby("idx_rep")["objective_digest_data"].first().nunique() == 2
    # At iteration 0 every solver returns D_init: one score per repetition.
    start = df[df["stop_val"] == 0].groupby("idx_rep")["objective_recovery"]
    assert (start.nunique() == 1).all()


@pytest.mark.integration
def test_other_seed_draws_other_problems(runs):
    first = _indexed(runs["every"]["df"])
    other = _indexed(runs["other_seed"]["df"])
    for column in ("objective_digest_data", "objective_digest_D_init",
                   "objective_seed_dataset", "objective_seed_objective",
                   "objective_data_coherence"):
        a = first.groupby("idx_rep")[column].first()
        b = other.groupby("idx_rep")[column].first()
        assert (a != b).all(), column
    mod = [n for n in first.index.unique("solver_name") if n.startswith("mod")]
    a = first.xs(mod[0], level="solver_name")["objective_recovery"]
    b = other.xs(mod[0], level="solver_name")["objective_recovery"]
    assert not np.array_equal(a.to_numpy(), b.to_numpy())


@pytest.mark.integration
def test_results_record_versions_seeds_and_thread_policy(runs):
    df = runs["every"]["df"]
    for column in PROVENANCE + ["base_seed", "idx_rep", "objective_n_threads"]:
        assert df[column].notna().all(), column
    assert (df["base_seed"] == 0).all()
    assert (df["objective_n_threads"] == 1).all()
    versions = parse_versions(df["objective_versions"].iloc[0])
    # The workers run in this test's environment: same versions.
    assert versions == parse_versions(package_versions())
    assert set(PACKAGES) <= set(versions)
    assert versions["numpy"] == df["version-numpy"].iloc[0]
    assert df["objective_blas"].iloc[0] != "unknown"


@pytest.mark.integration
def test_recorded_seed_redraws_the_problem(runs):
    """A reader can redraw a result's problem from its row alone."""
    row = runs["every"]["df"].sort_values("idx_rep").iloc[-1]
    params = {
        column[len("p_dataset_"):]: row[column] for column in row.index
        if column.startswith("p_dataset_")
    }
    params = {k: (None if v is None or (isinstance(v, float) and np.isnan(v))
                  else v) for k, v in params.items()}
    seed = int(row["objective_seed_dataset"])
    # The seed is benchopt's, from the recorded base seed and repetition.
    context = RunContext(base_seed=str(row["base_seed"]),
                         dataset_name=row["dataset_name"],
                         repetition=int(row["idx_rep"]))
    assert seed == context.get_seed("Dataset", use_repetition=True)
    problem = make_problem(**params, random_state=seed)
    assert array_digest(problem.X, problem.X_test, problem.D_true) \
        == row["objective_digest_data"]


def test_digest_sees_values_shapes_and_dtypes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    assert array_digest(X) == array_digest(X.copy())
    assert array_digest(X) == array_digest(np.asfortranarray(X))
    changed = X.copy()
    changed[2, 1] = np.nextafter(changed[2, 1], np.inf)
    assert array_digest(changed) != array_digest(X)
    assert array_digest(X.reshape(3, 5)) != array_digest(X)
    assert array_digest(X.astype(np.float32)) != array_digest(X)
    assert array_digest(X, None) != array_digest(X)
    columns = provenance_columns(X, X, None, X, seed_dataset=None,
                                 seed_objective=3)
    assert columns["seed_dataset"] == -1 and columns["seed_objective"] == 3
