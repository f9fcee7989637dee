"""Time to a shift-invariant recovery of 0.95 of every convolutional solver,
as ratios to alphacsc, on the convolutional reference problem, over draws.

The reference problem (written here): 5 Gaussian atoms of 32 samples, one
channel, 20 training signals of 5,000 samples (5 held out), activation rate
0.002 (50 activations a signal), Gaussian amplitudes, SNR 20 dB, reg=0.1
(``lmbd = 0.1 * conv_lambda_max(X, 32)``), initial atoms ``init`` (default
``random``, the benchmark's) shared by all solvers. Each draw is loaded
through the benchmark's own dataset and objective with benchopt's seeds
(base seed ``--seed``, repetition r), so that draw r is repetition r of
``benchopt run . -d simulated-convolutional`` with these parameters.

For each solver and draw, every iteration is scored with the clock stopped
(:func:`benchmark_utils.metrics.shift_invariant_recovery`); the time is the
solver time to the first iteration at 0.95 (the ``exact`` time of
``bench/bench_solvers.py``). The summary gives the median and the range over
draws, and the ratio of medians to alphacsc's batch solver.

Run from the repository root:
``python bench/bench_conv.py [--draws 5] [--budget 60] [--init random]``;
writes ``docs/generated/bench_conv.md``: the summary, then every draw.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The draws and the summary of the linear speed tables (this script's folder
# is on the path when it runs).
from bench_solvers import load_draw, summarize  # noqa: E402
from page import Page  # noqa: E402

from benchmark_utils.metrics import shift_invariant_recovery  # noqa: E402

REFERENCE = dict(n_atoms=5, n_channels=1, n_times_atom=32, n_times=5000,
                 n_signals=20, n_test=5, activation_rate=0.002, snr=20.0)
TARGET = 0.95
REFERENCE_SOLVER = "alphacsc"
SOLVERS = [
    ("alphacsc", {"algorithm": "batch"}), ("alphacsc", {"algorithm": "online"}),
    ("sporco-conv", {}), ("conv-altmin", {}),
    ("conv-ddl", {"gradient": "deep"}), ("conv-ddl", {"gradient": "analytic"}),
]


def time_to_target(solver, D_true, budget):
    """Run a callback solver; score every iteration with the clock stopped;
    stop at the target or the budget."""
    trace = []
    state = dict(elapsed=0.0, n_iter=0)
    start = [time.perf_counter()]

    def callback():
        state["elapsed"] += time.perf_counter() - start[0]
        if state["n_iter"] > 0:
            trace.append((state["elapsed"], shift_invariant_recovery(
                D_true, solver.get_result()["D"])))
        state["n_iter"] += 1
        go_on = state["elapsed"] < budget and not (
            trace and trace[-1][1] >= TARGET)
        start[0] = time.perf_counter()
        return go_on

    solver.run(callback)
    reached = next((t for t, r in trace if r >= TARGET), None)
    best = max((r for _, r in trace), default=0.0)
    return reached, best, len(trace)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds per solver and draw")
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", default="random",
                        choices=("random", "data", "close"))
    args = parser.parse_args()

    benchmark = Benchmark(ROOT)
    classes = {s.name: s for s in benchmark.get_solvers()}
    results = {}
    per_draw = []  # rows of the table of every draw
    for rep in range(args.draws):
        dataset, objective, data = load_draw(
            benchmark, args.init, args.seed, rep,
            dataset_name="simulated-convolutional", parameters=REFERENCE)
        for name, params in SOLVERS:
            solver = classes[name].get_instance(**params)
            RunContext(base_seed=str(args.seed), objective_name=str(objective),
                       dataset_name=str(dataset), solver_name=str(solver),
                       repetition=rep).attach(objective=objective,
                                              dataset=dataset, solver=solver)
            solver.set_objective(**objective.get_objective())
            reached, best, n_iter = time_to_target(solver, data["D_true"],
                                                   args.budget)
            results.setdefault(str(solver), []).append((reached, best))
            per_draw.append(f"| {rep} | {solver} | {n_iter} | {best:.4f} | "
                            + (f"{reached:.2f} |" if reached is not None
                               else "not reached |"))
            print(f"draw {rep} {str(solver):60s} iters={n_iter:5d} "
                  f"best={best:.4f} time="
                  + (f"{reached:.2f} s" if reached is not None
                     else "not reached"), flush=True)

    reference = next(label for label in results
                     if label.startswith(REFERENCE_SOLVER))
    ref_med, _ = summarize([r for r, _ in results[reference]])
    page = Page(__file__, "Time to recovery of the convolutional solvers")
    page.print(f"Time to shift-invariant recovery {TARGET}, init={args.init}, "
               f"median [min, max] over {args.draws} draws (draws that "
               f"reached / all), budget {args.budget:.0f} s; ratio to "
               f"{reference}\n")
    page.print("| solver | time (s) | ratio | best recovery (median) |")
    page.print("|---|---|---|---|")
    for label, runs in results.items():
        med, text = summarize([r for r, _ in runs])
        ratio = f"{med / ref_med:.2f}" if med and ref_med else "-"
        best = np.median([b for _, b in runs])
        page.print(f"| {label} | {text} | {ratio} | {best:.4f} |")
    page.print("\nEvery draw:\n")
    page.print("| draw | solver | iterations | best recovery | time (s) |\n"
               "|---|---|---|---|---|")
    for row in per_draw:
        page.print(row)
    page.write()


if __name__ == "__main__":
    main()
