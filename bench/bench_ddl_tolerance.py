"""The stopping tolerance of the paper's code against the line search's end.

The public code of Malezieux, Moreau and Kowalski (ICLR 2022) ends the
training of DDL and AM when one step lowers the loss by less than 1e-6
relatively; our ``ddl`` solver has that test as its ``tol`` parameter, 0 (off)
by default, and otherwise ends when no trial step of its line search lowers the
loss. For each problem, init and gradient this runs the solver twice, with
``tol=1e-6`` and ``tol=0``, with no other stop (no stopping rule, no budget
but ``--max-iter``), scores every iteration with the clock stopped, and prints
where each run ended: iteration, solver time and final recovery. Where the
``tol=1e-6`` run ends lower than the ``tol=0`` run, it ended on a plateau
that the loss leaves later.

Problems, loaded through the benchmark's dataset and objective with benchopt's
seeds (repetition 0, as ``bench/bench_solvers.py`` does):

- ``default``: the simulated dataset's defaults, the problem of
  ``benchopt run .`` (20 x 30, 2,000 samples, 3 nonzeros, SNR 30 dB);
- ``p1``: P1 (64 x 128, 20,000 samples, 4 nonzeros, SNR 30 dB), from
  ``data`` only (the start of the restart study where DDL and AM spend most
  of its time; a few minutes a run).

Run from the repository root:
``python bench/bench_ddl_tolerance.py [--problems default p1]``; writes
``docs/generated/bench_ddl_tolerance.md``.
"""
import argparse
import sys
import time
from pathlib import Path

from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_solvers import P1, load_draw  # noqa: E402
from page import Page  # noqa: E402

from benchmark_utils.metrics import recovery_score  # noqa: E402

PROBLEMS = {
    "default": (dict(), ["random", "data"]),
    "p1": (P1, ["data"]),
}
TOLS = (1e-6, 0.0)


def run_once(benchmark, parameters, init, gradient, tol, seed, max_iter):
    """One run without the benchmark's stopping rule; the trace of
    (iteration, solver time, recovery) of every iteration."""
    dataset, objective, data = load_draw(benchmark, init, seed, 0,
                                         parameters=parameters)
    Solver, = [s for s in benchmark.get_solvers() if s.name == "ddl"]
    solver = Solver.get_instance(gradient=gradient, tol=tol)
    RunContext(base_seed=str(seed), objective_name=str(objective),
               dataset_name=str(dataset), repetition=0).attach(
        objective=objective, dataset=dataset, solver=solver)
    solver.set_objective(**objective.get_objective())
    trace = []
    clock = dict(elapsed=0.0, start=time.perf_counter())

    def callback():
        clock["elapsed"] += time.perf_counter() - clock["start"]
        score = recovery_score(data["D_true"], solver.get_result()["D"])
        trace.append((len(trace), clock["elapsed"], score))
        clock["start"] = time.perf_counter()
        return len(trace) <= max_iter

    solver.run(callback)
    # The dictionary the solver ended with (its last step follows the last
    # callback).
    clock["elapsed"] += time.perf_counter() - clock["start"]
    trace.append((len(trace), clock["elapsed"],
                  recovery_score(data["D_true"], solver.get_result()["D"])))
    return trace


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=["default", "p1"],
                        choices=sorted(PROBLEMS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, default=3000)
    args = parser.parse_args()
    benchmark = Benchmark(str(ROOT))
    page = Page(__file__, "DDL and AM: the paper's tolerance against the line "
                "search's end")
    page.print(f"Every run without the stopping rule, at most {args.max_iter} "
               "iterations; the time ratio is the run's solver time over the "
               "`tol=0` run's.\n")
    page.print("| problem | init | gradient | tol | ends at iteration | solver "
               "time (s) | time ratio to tol=0 | final recovery |")
    page.print("|---|---|---|---|---|---|---|---|")
    for name in args.problems:
        parameters, inits = PROBLEMS[name]
        for init in inits:
            for gradient in ("deep", "analytic"):
                traces = {tol: run_once(benchmark, parameters, init, gradient,
                                        tol, args.seed, args.max_iter)
                          for tol in TOLS}
                reference = traces[0.0][-1][1]
                for tol, trace in traces.items():
                    k, t, rec = trace[-1]
                    page.print(f"| {name} | {init} | {gradient} | {tol:g} | "
                               f"{k} | {t:.2f} | {t / reference:.2f} | "
                               f"{rec:.5f} |")
    page.write()


if __name__ == "__main__":
    main()
