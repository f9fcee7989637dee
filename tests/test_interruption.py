"""An interrupted sweep loses nothing (real benchopt runs on temporary copies).

A sweep is killed (SIGKILL, as a crash or a lost node would end it) once some
of its runs have finished; the same command run again serves those from
benchopt's cache, computes the others, and its results equal those of the
same sweep run without interruption in another copy of the benchmark.
"""
import os
import re
import subprocess
import sys
import time

import pandas as pd
import pytest

from tests.benchopt_runs import (
    copy_benchmark,
    read_results,
    run_benchopt,
    solver_args,
)

# Four problems (one per SNR) for two solvers: eight runs of a second or so.
DATASET = ("simulated[n_features=8,n_atoms=12,n_samples=300,n_test=100,"
           "snr=[10,20,30,40]]")
SOLVERS = ["mod", "altmin"]
ARGS = [*solver_args(SOLVERS), "-d", DATASET, "-n", "20", "--timeout", "60",
        "--no-plot"]
N_RUNS = 8
# The columns that must agree: the scores of every iterate. Solver times
# differ between two computations of a run (not between a run and its
# cached copy).
SCORES = ["objective_recovery", "objective_loss_train", "objective_loss_test"]
KEY = ["dataset_name", "solver_name", "idx_rep", "stop_val"]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STATUS = re.compile(r"^\s*\|--(\S.*?):\s+(done.*|error|diverged|skip)\s*$",
                     re.MULTILINE)


def final_statuses(text):
    """The final status of every run in a sweep's output, in order (one per
    solver and problem)."""
    return [status.strip() for _, status in _STATUS.findall(text)]


def kill_after_finished_runs(bench, output, n_finished, timeout=300):
    """Start the sweep, SIGKILL it once ``n_finished`` runs are done; return
    the statuses printed before the kill."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env.pop("DICTREC_N_THREADS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchopt", "run", str(bench), "--no-display",
         *ARGS, "--output", str(output)],
        cwd=bench, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    raw, text, deadline = b"", "", time.monotonic() + timeout
    os.set_blocking(proc.stdout.fileno(), False)
    try:
        while time.monotonic() < deadline:
            raw += proc.stdout.read() or b""
            text = _ANSI.sub("", raw.decode(errors="replace")).replace(
                "\r", "\n")
            finished = [s for s in final_statuses(text)
                        if s.startswith("done")]
            if len(finished) >= n_finished or proc.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    return final_statuses(text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    interrupted = copy_benchmark(tmp_path_factory.mktemp("killed") / "bench")
    before = kill_after_finished_runs(interrupted, interrupted / "killed",
                                      n_finished=3)
    proc, text = run_benchopt(interrupted, *ARGS, "--output",
                              str(interrupted / "resumed.parquet"))
    assert proc.returncode == 0, text[-3000:]
    whole = copy_benchmark(tmp_path_factory.mktemp("whole") / "bench")
    proc_whole, text_whole = run_benchopt(
        whole, *ARGS, "--output", str(whole / "whole.parquet"))
    assert proc_whole.returncode == 0, text_whole[-3000:]
    return dict(before=before, after=final_statuses(text),
                resumed=read_results(interrupted / "resumed.parquet"),
                whole=read_results(whole / "whole.parquet"))


@pytest.mark.integration
def test_the_sweep_was_killed_midway(runs):
    finished = [s for s in runs["before"] if s.startswith("done")]
    assert 3 <= len(finished) < N_RUNS, runs["before"]


@pytest.mark.integration
def test_finished_runs_come_back_from_the_cache(runs):
    # A finished run of the killed sweep is "done (cached)" in the second
    # one; the others are computed.
    after = runs["after"]
    assert len(after) == N_RUNS, after
    cached = sum(s.endswith("(cached)") for s in after)
    finished_before = sum(s.startswith("done") for s in runs["before"])
    assert finished_before <= cached < N_RUNS, (runs["before"], after)


@pytest.mark.integration
def test_resumed_results_equal_an_uninterrupted_run(runs):
    resumed = runs["resumed"].set_index(KEY).sort_index()
    whole = runs["whole"].set_index(KEY).sort_index()
    assert resumed[SCORES[0]].notna().all()
    assert resumed.index.equals(whole.index)
    assert resumed.index.get_level_values("solver_name").nunique() == 2
    assert resumed.index.get_level_values("dataset_name").nunique() == 4
    pd.testing.assert_frame_equal(resumed[SCORES], whole[SCORES],
                                  check_exact=True)
