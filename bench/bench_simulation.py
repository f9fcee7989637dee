"""Cost of simulating a large recovery problem, against writing its output.

Run from the repository root::

    python bench/bench_simulation.py [--n-samples 1000000]

Prints, for ``make_problem`` at n_features=64, n_atoms=128, 4 nonzeros per code,
Gaussian dictionary, SNR 30 dB:

- the time to generate the problem against the time to allocate and write
  arrays of the same sizes as its output (target ratio <= 5);
- the peak memory traced by ``tracemalloc`` during generation against the size
  of the output (target ratio <= 2);

once with dense codes (the default) and once with ``sparse_codes=True``; then
the time of ``make_dictionary(kind="coherence")`` at 64 x 256. With
``--coherence-grid``, first checks the ``coherence`` kind over n_features from 8 to
256 and n_atoms up to 4 n_features (several minutes). Writes
``docs/generated/bench_simulation.md``.
"""
import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from page import Page  # noqa: E402

from benchmark_utils.metrics import mutual_coherence  # noqa: E402
from benchmark_utils.simulation import (  # noqa: E402
    lowest_reachable_coherence,
    make_dictionary,
    make_problem,
)

N_FEATURES, N_ATOMS, SPARSITY = 64, 128, 4


def output_arrays(problem):
    arrays = []
    for name in ("X", "X_test", "D_true", "Z_true", "Z_test", "outliers"):
        a = getattr(problem, name)
        if sparse.issparse(a):
            arrays.extend([a.data, a.indices, a.indptr])
        else:
            arrays.append(a)
    return arrays


def write_baseline(arrays):
    """Seconds to allocate and fill arrays of the same shapes and dtypes."""
    start = time.perf_counter()
    for a in arrays:
        out = np.empty(a.shape, dtype=a.dtype)
        out.fill(1)
        del out
    return time.perf_counter() - start


def generate(n_samples, sparse_codes):
    return make_problem(n_samples, N_FEATURES, N_ATOMS, SPARSITY, n_test=1000,
                        snr=30.0, sparse_codes=sparse_codes, random_state=0)


def timed_generate(n_samples, sparse_codes):
    start = time.perf_counter()
    problem = generate(n_samples, sparse_codes)
    return time.perf_counter() - start, problem


PROBLEM_HEADER = ("| codes | generate (s) | first run (s) | allocate and "
                  "write the output (s) | ratio (target <= 5) | peak memory "
                  "(MiB) | output (MiB) | ratio (target <= 2) |\n"
                  "|---|---|---|---|---|---|---|---|")


def bench_problem(page, n_samples, sparse_codes):
    # A first run pays for the first touch of fresh memory (page faults, and
    # in a virtual machine the host backing the pages); it is left out, and
    # the medians of the next three runs are compared.
    times = []
    for _ in range(4):
        elapsed, problem = timed_generate(n_samples, sparse_codes)
        times.append(elapsed)
        arrays = output_arrays(problem)
        del problem
    out_bytes = sum(a.nbytes for a in arrays)
    baselines = [write_baseline(arrays) for _ in range(4)]
    del arrays
    gen, base = np.median(times[1:]), np.median(baselines[1:])

    tracemalloc.start()
    problem = generate(n_samples, sparse_codes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del problem
    label = "sparse" if sparse_codes else "dense"
    page.print(f"| {label} | {gen:.2f} | {times[0]:.2f} | {base:.3f} | "
               f"{gen / base:.2f} | {peak / 2 ** 20:.1f} | "
               f"{out_bytes / 2 ** 20:.1f} | {peak / out_bytes:.2f} |")


def bench_noise_floor(page, n_samples):
    """The Gaussian noise alone: a floor that no generator of X can go under."""
    rng = np.random.default_rng(0)
    out = np.empty((n_samples, N_FEATURES))
    rng.standard_normal(out=out)
    start = time.perf_counter()
    rng.standard_normal(out=out)
    elapsed = time.perf_counter() - start
    page.print(f"Reference: {out.size:,} standard normal draws (the noise of X) "
               f"on one thread: {elapsed:.2f} s.\n")


def bench_coherence_kind(page):
    n, K = 64, 256
    lowest = lowest_reachable_coherence(n, K)
    page.print(f"\n`make_dictionary(kind='coherence')` at {n} x {K} "
               f"(lowest reachable {lowest:.4f}), 3 seeds:\n")
    page.print("| target | median (s) | max (s) |\n|---|---|---|")
    for target in (lowest, 0.2, 0.3, 0.5, 0.9):
        times = []
        for seed in range(3):
            start = time.perf_counter()
            make_dictionary(n, K, kind="coherence", coherence=target,
                            random_state=seed)
            times.append(time.perf_counter() - start)
        page.print(f"| {target:.4f} | {np.median(times):.3f} | "
                   f"{max(times):.3f} |")


def coherence_grid(page):
    """Error of kind="coherence" over n in 8..256, K in n/2..4n, 4 targets each."""
    page.print("`kind='coherence'` over the grid (target: lowest reachable, "
               "+0.01, midway to 0.95, 0.95):")
    worst, slowest = 0.0, (0.0, None)
    for n in (8, 16, 32, 64, 128, 256):
        for ratio in (0.5, 1, 1.5, 2, 3, 4):
            K = int(ratio * n)
            lowest = lowest_reachable_coherence(n, K)
            for target in (lowest, lowest + 0.01, (lowest + 0.95) / 2, 0.95):
                start = time.perf_counter()
                D = make_dictionary(n, K, kind="coherence", coherence=target,
                                    random_state=0)
                elapsed = time.perf_counter() - start
                worst = max(worst, abs(mutual_coherence(D) - target))
                slowest = max(slowest, (elapsed, f"{n} x {K} at {target:.4f}"))
    page.print(f"largest |measured - target|: {worst:.1e}; slowest case "
               f"{slowest[1]}: {slowest[0]:.1f} s.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--coherence-grid", action="store_true",
                        help="also check kind='coherence' over the whole grid "
                             "(several minutes)")
    args = parser.parse_args()
    page = Page(__file__, "Cost of simulating a large recovery problem")
    if args.coherence_grid:
        coherence_grid(page)
    bench_noise_floor(page, args.n_samples)
    page.print(f"`make_problem`, {args.n_samples:,} samples, {N_FEATURES} x "
               f"{N_ATOMS}, {SPARSITY} nonzeros (median of 3 runs after a "
               "first one):\n")
    page.print(PROBLEM_HEADER)
    bench_problem(page, args.n_samples, sparse_codes=False)
    bench_problem(page, args.n_samples, sparse_codes=True)
    bench_coherence_kind(page)
    page.write()


if __name__ == "__main__":
    main()
