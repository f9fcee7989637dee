"""Where the wall clock of ``benchopt run .`` goes, from a cold cache.

Runs the README's command without its cache and its dashboard (``benchopt
run . --no-display --no-cache --no-plot``, every dataset and solver at its
default) in a subprocess, then ``benchopt plot`` on its results, and splits
the wall clock into:

- **start**: benchopt's import and the listing of the benchmark (every
  solver module imported: PyTorch, scikit-learn, SPAMS, SPORCO), measured by
  ``benchopt run . -s <no such solver>``, which stops right after it;
- **problems**: each default dataset's ``get_data`` and the objective's
  ``set_data`` (the Lasso and OMP ceilings of the simulated problem),
  measured in this process as benchopt calls them;
- **solver time**: the sum over runs of the solver time benchopt records
  (the ``time`` of each run's last evaluation, the same number its
  curves show); for an ``iteration`` solver (SPAMS) benchopt re-runs the
  solver from scratch for every point, and the re-runs are counted apart;
- **evaluations**: the number of evaluated iterates (rows of the results)
  times the cost of one evaluation of each dataset's objective, measured here
  on its initial dictionary (the first iterates of a run, far from the
  truth, cost up to twice what a converged one does);
- **dashboard**: ``benchopt plot`` on the run's results, less the start;
- the rest: benchopt's per-run overhead, the warm-up runs, result writing.

It also times a fixed amount of work first
(:func:`benchmark_utils.results.report.machine_speed`): the speed of a
virtual machine varies from one day to the next, and the numbers of two
files compare only next to it. Each share is also given as a fraction of
the total, measured in the same run.

Run from the repository root: ``python bench/bench_default_run.py``
(about as long as the run itself, plus half a minute); writes
``docs/generated/bench_default_run.md``.
"""
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from page import Page  # noqa: E402

from benchmark_utils.results.report import machine_speed  # noqa: E402


def timed(cmd):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0 and "-s" not in cmd:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}"
                 f"{proc.stderr[-2000:]}")
    return elapsed


def problem_costs():
    """Per default dataset: seconds of get_data + set_data, and of one
    evaluation of the initial dictionary (median of 5)."""
    bench = Benchmark(ROOT)
    out = {}
    for Dataset in bench.get_datasets():
        dataset = Dataset.get_instance()
        objective = bench.get_benchmark_objective().get_instance()
        RunContext(base_seed="0", objective_name=str(objective),
                   dataset_name=str(dataset), repetition=0).attach(
            objective=objective, dataset=dataset, solver=None)
        t0 = time.perf_counter()
        objective.set_data(**dataset.get_data())
        setup = time.perf_counter() - t0
        D = objective.D_init
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            objective.evaluate_result(D=D)
            times.append(time.perf_counter() - t0)
        out[Dataset.name] = (setup, float(np.median(times)))
    return out


def main():
    page = Page(__file__, "Where the wall clock of the default run goes")
    speed = machine_speed()
    blas, python = speed
    print(f"machine: 50 matrix products 500 x 500 in {blas:.3f} s, 3M Python "
          f"additions in {python:.3f} s (best of 3)\n")
    # benchopt plot reads results from the benchmark's outputs/ folder only.
    out = ROOT / "outputs" / time.strftime("default_run_%Y-%m-%d_%Hh%Mm%S")
    wall = timed([sys.executable, "-m", "benchopt", "run", ".",
                  "--no-display", "--no-cache", "--no-plot",
                  "--output", str(out)])
    results = out.with_suffix(".parquet")
    dashboard = timed([sys.executable, "-m", "benchopt", "plot", ".",
                       "-f", str(results), "--no-display"])
    start = timed([sys.executable, "-m", "benchopt", "run", ".", "-s",
                   "no-such-solver", "--no-display"])
    df = pd.read_parquet(results)
    costs = problem_costs()

    runs = df.groupby(["dataset_name", "solver_name", "idx_rep"])
    last = runs.agg(time=("time", "max"), n_eval=("time", "size"),
                    strategy=("sampling_strategy", "first")).reset_index()
    last["dataset"] = last["dataset_name"].str.split("[").str[0]
    # benchopt's schedule re-runs an iteration solver for each point: its
    # wall clock is the sum of the times of all its points.
    reruns = df[df["sampling_strategy"] == "iteration"].groupby(
        ["dataset_name", "solver_name", "idx_rep"])["time"].sum().sum()
    reruns -= last.loc[last["strategy"] == "iteration", "time"].sum()

    rows = [("benchopt's start and listing", start)]
    for name, (setup, _) in costs.items():
        rows.append((f"problem {name}: data and ceilings", setup))
    for name, g in last.groupby("dataset", sort=True):
        rows.append((f"solver time, {name} ({len(g)} runs)", g["time"].sum()))
    rows.append(("re-runs of the iteration solvers", reruns))
    for name, g in last.groupby("dataset", sort=True):
        cost = costs[name][1]
        rows.append((f"evaluations, {name} ({int(g['n_eval'].sum())} x "
                     f"{1e3 * cost:.0f} ms)", g["n_eval"].sum() * cost))
    rows.append(("dashboard (benchopt plot, less the start)",
                 max(dashboard - start, 0.0)))
    # The command of the README draws the dashboard in the same process as
    # the run: its wall clock is the run's plus `benchopt plot`'s, less the
    # second start.
    total = wall + max(dashboard - start, 0.0)
    rows.append(("the rest (per-run overhead, warm-ups, writing)",
                 total - sum(v for _, v in rows)))
    page.print(f"`benchopt run .` from a cold cache: {total:.1f} s "
               f"of wall clock ({wall:.1f} s without the dashboard)\n")
    page.print("| share | seconds | fraction of the total |\n|---|---|---|")
    for label, seconds in rows:
        page.print(f"| {label} | {seconds:.1f} | {seconds / total:.1%} |")
    page.print("\nSlowest runs (solver time):\n")
    page.print("| dataset | solver | solver time (s) | evaluations |\n"
               "|---|---|---|---|")
    for r in last.sort_values("time", ascending=False).head(8).itertuples():
        page.print(f"| {r.dataset} | {r.solver_name[:60]} "
                   f"| {r.time:.1f} | {r.n_eval} |")
    print(f"\nresults: {results}")
    page.write(speed=speed)


if __name__ == "__main__":
    main()
