"""Check the stopping rule's contract: no run is stopped while still improving.

The contract (``benchmark_utils/runtime/stopping.py``): for every solver, problem and
init, the best recovery reached by a run under the stopping rule is within
0.002 of the best recovery the same solver reaches when it runs without early
stopping to a fixed generous budget.

How it is checked. For each problem, one real ``benchopt run`` of every solver
(default parameters) from the ``random``, ``data`` and ``close`` inits, with
early stopping turned off (``DICTREC_STOPPING=off``) and ``--timeout`` set to
the budget, records the full curves. The rule is a pure function of the curve
recorded so far (``window_progress_decision``), and the points benchopt
evaluates do not depend on the rule until it stops, so replaying the rule on
each recorded curve gives exactly the point where a run under the rule stops,
and its best recovery. (The same seed gives the same problem, init and,
for every deterministic solver, the same iterates.) A rule stop later than
benchopt's default timeout (100 s) would be cut there: the table flags it.

Problems:

- ``easy``: 16 x 24, 2,000 samples, 2 nonzeros, SNR 40 dB (the solver tests');
- ``default``: the simulated dataset's defaults, the problem of ``benchopt run .``
  (20 x 30, 2,000 samples, 3 nonzeros, SNR 30 dB);
- ``p1``: the reference problem P1 (64 x 128, 20,000 samples, 4 nonzeros,
  SNR 30 dB);
- ``depth``: the depth setting of Malezieux, Moreau and Kowalski (ICLR 2022;
  ``configs/depth.yml``: 30 x 50, 1,000 samples, Bernoulli(0.3) codes, SNR
  17 dB, ``reg=0.0265``), for the unrolled solvers it is about, DDL and AM
  (``ddl[gradient=deep]`` and ``ddl[gradient=analytic]``) at 5, 20 and 100
  layers.

Run from the repository root:
``python bench/bench_stopping.py [--problems easy default p1 depth] [--budget-easy 20]
[--budget-p1 45] [--budget-depth 30] [-j 2]``; ``--replay FILE.parquet ...``
re-reads recorded runs instead of running benchopt (``--window``,
``--eps-loss``, ``--eps-recovery``, ``--min-iter``, ``--retreat`` and
``--ceiling-noise-cap`` then replay the rule with other parameters). Prints one
markdown table per problem and writes them to ``docs/generated/bench_stopping.md``.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from page import Page  # noqa: E402

from benchmark_utils.runtime.stopping import (  # noqa: E402
    ENV_VAR,
    ceiling_key,
    window_progress_decision,
)

TOLERANCE = 0.002
DEFAULT_TIMEOUT = 100.0
PROBLEMS = {
    "easy": dict(n_features=16, n_atoms=24, n_samples=2000, n_test=500,
                 sparsity=2, snr=40.0),
    "default": dict(n_features=20, n_atoms=30, n_samples=2000, n_test=500,
                    sparsity=3, snr=30.0),
    "p1": dict(n_features=64, n_atoms=128, n_samples=20000, n_test=2000,
               sparsity=4, snr=30.0),
    "depth": dict(n_features=30, n_atoms=50, n_samples=1000, n_test=500,
                  sparsity=0.3, snr=17.0),
}
# Objective parameters other than the init, and solvers (benchopt -s
# patterns), of the problems that do not use the defaults: every solver.
OBJECTIVE = {"depth": ",reg=0.0265"}
SOLVERS = {"depth": ["ddl[gradient=[deep,analytic],n_layers=[5,20,100]]"]}
INITS = ["random", "data", "close"]


def run_benchopt(problem, budget, n_jobs, solvers, out_dir):
    """Run every solver without early stopping; return the parquet path."""
    params = ",".join(f"{k}={v}" for k, v in PROBLEMS[problem].items())
    output = Path(out_dir) / f"stopping_{problem}"
    cmd = [
        sys.executable, "-m", "benchopt", "run", str(ROOT),
        "-d", f"simulated[{params}]",
        "-o", (f"Dictionary recovery[init=[{','.join(INITS)}]"
               f"{OBJECTIVE.get(problem, '')}]"),
        "--timeout", str(budget), "-n", "1000", "-j", str(n_jobs),
        "--no-plot", "--no-display", "--output", str(output),
    ]
    for solver in solvers or SOLVERS.get(problem, []):
        cmd += ["-s", solver]
    env = dict(os.environ, **{ENV_VAR: "off"})
    log = output.with_suffix(".log")
    print(f"{problem}: benchopt run, budget {budget} s per run, log in {log}",
          flush=True)
    with open(log, "w") as f:
        subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=f,
                       stderr=subprocess.STDOUT)
    return output.with_suffix(".parquet")


# The rule before recovery ceilings, the noise term and the retreat test
# (first decision at iteration 10), replayed to report the solver time the
# current rule saves.
PREVIOUS_RULE = dict(noise_aware=False, use_ceiling=False, retreat=None,
                     min_iter=10)


def replay(curve, rule):
    """Index of the point where the rule stops the curve, and its reason.

    The run's ceiling is the one of its solver's criterion, read from the
    records (``objective_criterion``); ``use_ceiling=False`` in ``rule``
    replays without it.
    """
    rule = dict(rule)
    records = curve.to_dict("records")
    ceiling = None
    if rule.pop("use_ceiling", True):
        criterion = records[0].get("objective_criterion", "none")
        key = ceiling_key(None if criterion in (None, "none") else criterion)
        ceiling = records[0].get(key)
    for i in range(1, len(records)):
        stop, reason, _ = window_progress_decision(
            records[: i + 1], ceiling=ceiling, **rule)
        if stop:
            return i, reason
    return None, "never stopped within the budget"


def contract_table(df, rule, budget=None):
    """One row per run: where the rule stops it and the contract's check.
    A run the rule had not stopped is labelled by how it ended: by the
    budget, or by the solver's own end (DDL and AM end when no step lowers
    their loss any more), read from the objective's ``budget_spent`` column
    (older records without it: an end before half the ``budget``)."""
    rows = []
    for (objective, solver), curve in df.groupby(
            ["objective_name", "solver_name"], sort=True):
        curve = curve.sort_values("stop_val").reset_index(drop=True)
        init = objective.split("init=")[1].split(",")[0].rstrip("]")
        best_budget = curve["objective_recovery"].max()
        stop, reason = replay(curve, rule)
        if stop is None:
            best_rule = best_budget
            end = curve["time"].iloc[-1]
            # The objective records whether the budget ended the run; the
            # solver time is below the budget, which counts evaluations too.
            if "objective_budget_spent" in curve:
                ended_early = not curve["objective_budget_spent"].iloc[-1]
            else:
                ended_early = budget is not None and end < 0.5 * budget
            stopped_at = (f"{'solver ended' if ended_early else 'budget'} "
                          f"({end:.1f} s)")
        else:
            best_rule = curve["objective_recovery"].iloc[: stop + 1].max()
            stopped_at = (f"it {curve['stop_val'].iloc[stop]} "
                          f"({curve['time'].iloc[stop]:.2f} s)")
            if curve["time"].iloc[stop] > DEFAULT_TIMEOUT:
                stopped_at += " > default timeout"
        if stop is None:
            reason = "the rule had not stopped the run when it ended"
        gap = best_budget - best_rule
        previous, _ = replay(curve, {**rule, **PREVIOUS_RULE})
        # The same rule with its noise test at the ceiling (off by default).
        with_noise_test, _ = replay(curve,
                                    {**rule, "ceiling_noise_cap": 2e-3})
        rows.append(dict(
            with_noise_test_time=curve["time"].iloc[
                with_noise_test if with_noise_test is not None else -1],
            previous_time=curve["time"].iloc[
                previous if previous is not None else -1],
            stop_time=(curve["time"].iloc[stop] if stop is not None
                       else curve["time"].iloc[-1]),
            solver=solver, init=init, stopped_at=stopped_at,
            best_rule=best_rule, best_budget=best_budget, gap=gap,
            last_it=int(curve["stop_val"].iloc[-1]),
            ok="yes" if gap <= TOLERANCE else "NO", reason=reason,
        ))
    return pd.DataFrame(rows)


def short_labels(names):
    """Solver names without the parameters that all configurations share."""
    parsed = {}
    for name in names:
        base, _, params = name.partition("[")
        items = [kv for kv in params.rstrip("]").split(",") if kv] if params \
            else []
        parsed[name] = (base, items)
    labels = {}
    for name, (base, items) in parsed.items():
        siblings = [i for b, i in parsed.values() if b == base]
        keep = [kv for kv in items if any(kv not in other for other in siblings)]
        labels[name] = base + (f"[{','.join(keep)}]" if keep else "")
    return labels


def print_table(page, problem, table, budget):
    page.print(f"\n## {problem} (budget {budget} s per run, tolerance "
               f"{TOLERANCE})\n")
    page.print("| solver | init | stopped at | best recovery, rule | "
               "best recovery, budget | gap | within 0.002 | with the noise "
               "test at the ceiling, cap 0.002 (s) | previous rule (s) |")
    page.print("|---|---|---|---|---|---|---|---|---|")
    labels = short_labels(table["solver"].unique())
    for r in table.sort_values(["solver", "init"]).itertuples():
        page.print(f"| {labels[r.solver]} | {r.init} | {r.stopped_at} "
                   f"| {r.best_rule:.4f} | {r.best_budget:.4f} (it {r.last_it}) "
                   f"| {r.gap:.4f} | {r.ok} | {r.with_noise_test_time:.2f} "
                   f"| {r.previous_time:.2f} |")
    expected = {(s, i) for s in table["solver"].unique() for i in INITS}
    missing = sorted(expected - set(zip(table["solver"], table["init"])))
    if missing:
        page.print("\nMISSING runs (errored or skipped; see the benchopt log): "
                   + ", ".join(f"{s} from {i}" for s, i in missing))
    n_bad = int((table["ok"] != "yes").sum()) + len(missing)
    stop_time = table["stop_time"].sum()
    page.print(f"\n{len(table) + len(missing) - n_bad} of "
               f"{len(table) + len(missing)} runs hold the contract; "
               f"solver time up to the rule's stops: {stop_time:.1f} s in all; "
               "with its noise test at the ceiling (cap 0.002) "
               f"{table['with_noise_test_time'].sum() / stop_time:.2f} times "
               "that, under the previous rule (plain window, no ceiling; runs "
               "it had not stopped counted to the budget's end) "
               f"{table['previous_time'].sum() / stop_time:.2f} times that.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS),
                        choices=list(PROBLEMS))
    parser.add_argument("--budget-easy", type=float, default=20.0)
    parser.add_argument("--budget-default", type=float, default=30.0)
    parser.add_argument("--budget-p1", type=float, default=45.0)
    parser.add_argument("--budget-depth", type=float, default=30.0)
    parser.add_argument("-j", "--n-jobs", type=int, default=1)
    parser.add_argument("-s", "--solver", action="append", default=None,
                        help="only these solvers (benchopt -s syntax)")
    parser.add_argument("--replay", nargs="*", default=None,
                        help="parquet files of earlier runs (problem name "
                             "taken from the file name)")
    parser.add_argument("--out-dir", default=None,
                        help="where benchopt writes the results "
                             "(default: a temporary folder)")
    parser.add_argument("--window", type=float, default=None,
                        help="replay with another window (rule parameter)")
    parser.add_argument("--eps-loss", type=float, default=None,
                        help="replay with another eps_loss (rule parameter)")
    parser.add_argument("--eps-recovery", type=float, default=None,
                        help="replay with another eps_recovery")
    parser.add_argument("--min-iter", type=int, default=None,
                        help="replay with another min_iter")
    parser.add_argument("--retreat", type=float, default=None,
                        help="replay with another retreat ratio (0: none)")
    parser.add_argument("--ceiling-noise-cap", type=float, default=None,
                        help="replay with another cap of the noise test at "
                             "the ceiling (0: no test)")
    args = parser.parse_args()
    rule = {k: v for k, v in dict(window=args.window, eps_loss=args.eps_loss,
                                  eps_recovery=args.eps_recovery,
                                  min_iter=args.min_iter,
                                  ceiling_noise_cap=args.ceiling_noise_cap
                                  ).items()
            if v is not None}
    if args.retreat is not None:
        rule["retreat"] = args.retreat or None

    budgets = {"easy": args.budget_easy, "default": args.budget_default,
               "p1": args.budget_p1,
               "depth": args.budget_depth}
    if args.replay:
        files = {Path(f).stem.split("stopping_")[-1].split("_")[0]: f
                 for f in args.replay}
    else:
        out_dir = args.out_dir or tempfile.mkdtemp(prefix="bench_stopping_")
        files = {p: run_benchopt(p, budgets[p], args.n_jobs, args.solver,
                                 out_dir)
                 for p in args.problems}
    page = Page(__file__, "The stopping rule's contract")
    for problem, path in files.items():
        df = pd.read_parquet(path)
        print(f"\nresults: {path}")
        budget = budgets.get(problem, np.nan)
        print_table(page, problem, contract_table(df, rule, budget), budget)
    page.write()


if __name__ == "__main__":
    main()
