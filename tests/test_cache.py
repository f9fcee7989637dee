"""benchopt's cache never serves results computed with other library code or
another thread policy (real benchopt runs on a temporary copy).

benchopt caches whole runs of callback and iteration solvers alike; its key
sees the objective, dataset and solver files only. The objective adds the
digest of ``benchmark_utils/`` and the ``DICTREC_*`` environment variables
(``benchmark_utils.runtime.cache_key``).
"""
import re

import pytest

from tests.benchopt_runs import (
    TINY_DATASET,
    copy_benchmark,
    read_results,
    run_benchopt,
    solver_args,
    status_lines,
)

# One callback solver and one iteration solver.
SOLVERS = ["mod", "spams"]
THRESHOLD_LINE = "RECOVERED_THRESHOLD = 0.99\n"


def _cached(text):
    """``{solver: served from the cache?}`` from a run's output."""
    return {name: status.endswith("(cached)")
            for name, status in status_lines(text).items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("cache") / "bench")
    out = bench / "out"
    args = solver_args(SOLVERS)
    args += ["-d", TINY_DATASET, "-n", "3", "--timeout", "30", "--no-plot"]

    def run(name, env=None):
        proc, text = run_benchopt(
            bench, *args, "--output", str(out / f"{name}.parquet"), env=env)
        assert proc.returncode == 0, text[-3000:]
        return dict(cached=_cached(text),
                    df=read_results(out / f"{name}.parquet"))

    results = {"first": run("first"), "again": run("again")}
    # A change of library code that changes a result: every atom counts as
    # recovered.
    metrics = bench / "benchmark_utils" / "metrics" / "recovery.py"
    source = metrics.read_text()
    assert source.count(THRESHOLD_LINE) == 1
    metrics.write_text(source.replace(THRESHOLD_LINE,
                                      "RECOVERED_THRESHOLD = 0.0\n"))
    results["edited"] = run("edited")
    # A change that changes no result: a comment.
    metrics.write_text(metrics.read_text() + "# an edit\n")
    results["comment"] = run("comment")
    results["threads"] = run("threads", env={"DICTREC_N_THREADS": "2"})
    results["threads_again"] = run("threads_again",
                                   env={"DICTREC_N_THREADS": "2"})
    return results


def _assert_cached(result, expected):
    assert len(result["cached"]) == len(SOLVERS), result["cached"]
    assert all(v is expected for v in result["cached"].values()), \
        result["cached"]


@pytest.mark.integration
def test_unchanged_rerun_is_served_from_cache(runs):
    _assert_cached(runs["first"], False)
    _assert_cached(runs["again"], True)


@pytest.mark.integration
def test_library_edit_recomputes(runs):
    _assert_cached(runs["edited"], False)
    # The new results come from the edited code.
    assert (runs["edited"]["df"]["objective_recovered_fraction"] == 1.0).all()
    assert (runs["first"]["df"]["objective_recovered_fraction"] < 1.0).any()


@pytest.mark.integration
def test_any_library_file_change_recomputes(runs):
    _assert_cached(runs["comment"], False)


@pytest.mark.integration
def test_thread_policy_is_part_of_the_key(runs):
    _assert_cached(runs["threads"], False)
    assert (runs["threads"]["df"]["objective_n_threads"] == 2).all()
    assert (runs["comment"]["df"]["objective_n_threads"] == 1).all()
    _assert_cached(runs["threads_again"], True)


@pytest.mark.integration
def test_status_parsing_sees_every_solver(runs):
    names = set(runs["first"]["cached"])
    assert {re.sub(r"\[.*", "", n) for n in names} == set(SOLVERS)
