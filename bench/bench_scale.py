"""How the dataset, the objective and the mini-batch solvers scale with n_samples.

For n_samples from 1e4 to 1e6 (n_features=64, n_atoms=256, 4 Gaussian nonzeros
per code, SNR 30 dB, 2,000 held-out samples, reg=0.1, random init), loaded as
benchopt loads them (the ``simulated`` dataset and the objective, seed 0),
prints:

- the dataset's generation time (``get_data``) and the peak of what it
  allocates, against the size of what it returns (``X`` and ``X_test``);
- the objective's ``set_data`` time (lambda_max, the evaluation subsets, the
  digests of the data, the recovery ceilings of the training set) and the
  time of one evaluation (``evaluate_result``) of the random initial
  dictionary and of the true one: bounded, since the losses are computed on a
  fixed subset of 2,000 samples;
- for the default mini-batch solvers (``online-dl``, ``sklearn-minibatch``,
  ``spams``): the memory ``set_objective`` keeps, and the peak memory while
  running ``--n-batches`` mini-batches with an evaluation of the objective
  after each (as benchopt does), against the size of ``X``. A solver that
  copied the training set once per mini-batch or per evaluation would show a
  peak of 100% of ``X`` or more; a bounded one shows a peak that does not grow
  with n_samples.

Memory is measured two ways (``PeakMemory``): numpy's and Python's
allocations with ``tracemalloc``, and the process's peak resident memory
(Linux ``VmHWM``), which also sees the allocations of C++ libraries (SPAMS).
Linux only.

Run from the repository root::

    python bench/bench_scale.py [--sizes 10000 100000 1000000] [--n-batches 10]

Writes ``docs/generated/bench_scale.md``.
"""
import argparse
import re
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np
from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext
from page import Page

ROOT = Path(__file__).resolve().parents[1]
PROBLEM = dict(n_features=64, n_atoms=256, n_test=2000, sparsity=4, snr=30.0)
MINIBATCH_SOLVERS = ("online-dl", "sklearn-minibatch", "spams")
MIB = 2 ** 20


def _status_kib(field):
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE).group(1))


class PeakMemory:
    """Memory allocated inside a ``with`` block, in bytes, measured two ways.

    - ``traced_peak`` / ``traced_kept``: the peak, and what is still
      allocated at the end, of the Python and numpy allocations made inside
      the block (``tracemalloc``, exact, blind to C++ libraries' own
      allocations);
    - ``rss_extra``: the peak resident memory of the process above its
      resident memory when the block starts (Linux ``VmHWM``, reset through
      ``/proc/self/clear_refs``), which sees every allocation but not memory
      reused from what the process already holds (so small copies can hide
      in it; a copy of a 500 MiB array cannot).
    """

    def __enter__(self):
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to VmRSS
        self._rss_start = _status_kib("VmRSS") * 1024
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.traced_kept, self.traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.rss_extra = _status_kib("VmHWM") * 1024 - self._rss_start
        return False


def load(benchmark, n_samples, seed=0):
    """Dataset and objective of one size, as benchopt builds them."""
    Dataset, = benchmark.check_dataset_patterns(["simulated"], class_only=True)
    dataset = Dataset.get_instance(n_samples=n_samples, **PROBLEM)
    objective = benchmark.get_benchmark_objective().get_instance(
        reg=0.1, init="random")
    context = RunContext(base_seed=str(seed), objective_name=str(objective),
                         dataset_name=str(dataset), repetition=0)
    context.attach(objective=objective, dataset=dataset, solver=None)
    return dataset, objective, context


def best_time(function, repeat=2):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def solver_memory(benchmark, name, objective, context, n_batches):
    """Memory kept by set_objective, and peaks of a few mini-batches.

    Returns the ``PeakMemory`` of ``set_objective``, of ``n_batches``
    mini-batches alone, and of ``n_batches`` mini-batches with an evaluation
    of the objective after each (what benchopt runs).
    """
    solver_class = {s.name: s for s in benchmark.get_solvers()}[name]
    solver = solver_class.get_instance()
    context.attach(objective=objective, dataset=None, solver=solver)
    problem = objective.get_objective()
    with PeakMemory() as setup:
        solver.set_objective(**problem)
    measures = []
    for evaluate in (False, True):
        with PeakMemory() as running:
            if solver.sampling_strategy == "callback":
                count = [0]

                def callback():
                    if evaluate:
                        objective.evaluate_result(**solver.get_result())
                    count[0] += 1
                    return count[0] <= n_batches

                solver.run(callback)
            else:  # re-run from D_init with a growing number of mini-batches
                for n_iter in np.unique(
                        np.geomspace(1, n_batches, 4).astype(int)):
                    solver.run(int(n_iter))
                    if evaluate:
                        objective.evaluate_result(**solver.get_result())
        measures.append(running)
    return setup, *measures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+",
                        default=[1e4, 1e5, 1e6])
    parser.add_argument("--n-batches", type=int, default=10)
    args = parser.parse_args()
    benchmark = Benchmark(str(ROOT))

    scale_rows, solver_rows = [], []
    for n_samples in (int(n) for n in args.sizes):
        dataset, objective, context = load(benchmark, n_samples)
        start = time.perf_counter()
        data = dataset.get_data()
        t_generate = time.perf_counter() - start
        del data
        with PeakMemory() as generation:
            data = dataset.get_data()
        data_bytes = data["X"].nbytes + data["X_test"].nbytes
        start = time.perf_counter()
        objective.set_data(**data)
        t_set_data = time.perf_counter() - start
        D_init, D_true = objective.D_init, data["D_true"]
        t_init = best_time(partial(objective.evaluate_result, D=D_init))
        t_true = best_time(partial(objective.evaluate_result, D=D_true))
        with PeakMemory() as evaluation:
            objective.evaluate_result(D=D_init)
        scale_rows.append([
            f"{n_samples:,}", f"{data_bytes / MIB:,.0f}",
            f"{t_generate:.2f}",
            f"{generation.traced_peak / MIB:,.0f} "
            f"({generation.traced_peak / data_bytes:.2f}x)",
            f"{t_set_data:.3f}", f"{1e3 * t_init:.0f}", f"{1e3 * t_true:.0f}",
            f"{evaluation.traced_peak / MIB:.1f}",
        ])
        x_bytes = data["X"].nbytes
        for name in MINIBATCH_SOLVERS:
            setup, alone, evaluated = solver_memory(
                benchmark, name, objective, context, args.n_batches)
            solver_rows.append([
                name, f"{n_samples:,}", f"{x_bytes / MIB:,.0f}",
                _share(setup.traced_kept, x_bytes),
                _share(alone.traced_peak, x_bytes),
                _share(alone.rss_extra, x_bytes),
                _share(evaluated.traced_peak, x_bytes),
            ])
        del data, dataset, objective
        print(f"n_samples={n_samples:,}: done", flush=True)

    page = Page(__file__, "How the dataset, the objective and the mini-batch "
                "solvers scale with n_samples")
    page.print()
    page.print("| n_samples | X + X_test (MiB) | get_data (s) | get_data peak "
               "allocation (MiB, x data) | set_data (s) | evaluation, random "
               "init (ms) | evaluation, D_true (ms) | evaluation peak "
               "allocation (MiB) |")
    page.print("|---|---|---|---|---|---|---|---|")
    for row in scale_rows:
        page.print("| " + " | ".join(row) + " |")
    page.print()
    page.print(f"Mini-batch solvers, {args.n_batches} mini-batches of 256 "
               "samples, alone and with an evaluation of the objective after "
               "each (MiB, % of X):")
    page.print()
    page.print("| solver | n_samples | X (MiB) | kept by set_objective | "
               "mini-batches: peak allocation | mini-batches: peak resident "
               "memory above start | with evaluations: peak allocation |")
    page.print("|---|---|---|---|---|---|---|")
    for row in solver_rows:
        page.print("| " + " | ".join(row) + " |")
    page.write()


def _share(n_bytes, of_bytes):
    return f"{n_bytes / MIB:,.1f} ({n_bytes / of_bytes:.1%})"


if __name__ == "__main__":
    main()
