"""CUDA speed-up of the torch solvers on the reference problem P1.

P1 as in bench/bench_neural.py (64 x 128, 20,000 samples, 4 Gaussian nonzeros,
SNR 30 dB, reg=0.1, shared random init). For each (device, dtype) of
``cpu/float64`` (the reference), ``cuda/float32`` and ``cuda/float64``:

- the time of one DDL epoch (forward and backward pass of ``--n-layers``
  unrolled FISTA layers over the 20,000 samples), the device synchronized
  before the clock is read;
- the time to recovery 0.95 of full-batch DDL and of stochastic DDL (scoring
  excluded, the solvers synchronize before every callback), within
  ``--budget`` seconds each;

then prints a markdown table with the speed-ups over the CPU and the GPU's
name. Without CUDA it says so and exits with status 0; ``--device cpu`` runs
the CPU rows only (float64 and float32), to check the script anywhere.
Threads follow the benchmark's policy (one unless ``DICTREC_N_THREADS`` says
otherwise). About 3 minutes with the default budget on a GPU machine.

Run from the repository root: ``python bench/bench_cuda.py [--budget 25]``;
writes ``docs/generated/bench_cuda.md`` (nothing when there is no CUDA device;
``docs/generated/bench_cuda_cpu.md`` with ``--device cpu``).
"""
import argparse
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_neural import p1_setup, time_callback_solver  # noqa: E402
from page import Page  # noqa: E402

from benchmark_utils.neural import synchronize  # noqa: E402
from benchmark_utils.threads import apply_thread_policy  # noqa: E402

TARGET = 0.95


def epoch_time(solver, repeats=3):
    """Median time of one synchronized forward + backward pass of ``ddl``."""
    params = [solver.D_init.clone()]
    times = []
    for _ in range(repeats + 1):
        synchronize(solver.torch_device)
        t0 = time.perf_counter()
        _, state = solver.evaluate(params)
        solver.gradient_of(state)
        synchronize(solver.torch_device)
        times.append(time.perf_counter() - t0)
    return sorted(times[1:])[len(times[1:]) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda",
                        help="cuda: CPU reference and CUDA rows; cpu: CPU "
                             "rows only (a check of the script)")
    parser.add_argument("--budget", type=float, default=25.0,
                        help="seconds per solver and configuration")
    parser.add_argument("--n-layers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        print("No CUDA device is available to PyTorch "
              f"(torch {torch.__version__}): nothing to measure. "
              "Use --device cpu to check the script on the CPU.")
        return 0
    n_threads = apply_thread_policy()
    configs = [("cpu", "float64"), ("cpu", "float32")]
    if args.device == "cuda":
        configs = [("cpu", "float64"), ("cuda", "float32"),
                   ("cuda", "float64")]

    problem, lmbd, D_init, classes = p1_setup(args.seed)
    X = problem.X

    def make(name, **params):
        solver = classes[name].get_instance(n_layers=args.n_layers, **params)
        solver.get_seed = lambda **kwargs: args.seed
        solver.set_objective(X=X, D_init=D_init.copy(), lmbd=lmbd,
                             n_nonzeros=4)
        return solver

    rows = []
    for device, dtype in configs:
        ddl = make("ddl", gradient="deep", device=device, dtype=dtype)
        epoch = epoch_time(ddl)
        hits = {}
        for name, params in [("ddl", {"gradient": "deep"}),
                             ("stochastic-ddl", {})]:
            solver = make(name, device=device, dtype=dtype, **params)
            state = time_callback_solver(solver, problem.D_true, args.budget)
            hits[name] = state["hits"].get(TARGET), state["elapsed"]
        rows.append((device, dtype, epoch, hits))
        print(device, dtype, f"epoch {epoch:.4f} s", hits, flush=True)

    gpu = (torch.cuda.get_device_name(0) if args.device == "cuda"
           else "none (CPU rows only)")
    page = Page(__file__, "CUDA speed-up of the torch solvers on P1",
                variant=None if args.device == "cuda" else "cpu")
    page.print(f"GPU: {gpu}; CPU: "
               f"{platform.processor() or platform.machine()}, {n_threads} "
               f"thread(s); torch {torch.__version__}; P1, {args.n_layers} "
               f"FISTA layers, budget {args.budget:.0f} s\n")
    page.print(f"| device | dtype | DDL epoch (s) | speed-up | DDL to {TARGET} "
               f"(s) | speed-up | stochastic DDL to {TARGET} (s) | speed-up |")
    page.print("|---|---|---|---|---|---|---|---|")
    ref_epoch, ref_hits = rows[0][2], rows[0][3]

    def cell(hit, ref):
        value, elapsed = hit
        if value is None:
            return f"not reached in {elapsed:.0f} s", "-"
        return f"{value:.2f}", (f"{ref[0] / value:.1f}x" if ref[0] else "-")

    for device, dtype, epoch, hits in rows:
        cells = [f"{epoch:.4f}", f"{ref_epoch / epoch:.1f}x"]
        for name in ("ddl", "stochastic-ddl"):
            cells += cell(hits[name], ref_hits[name])
        page.print(f"| {device} | {dtype} | " + " | ".join(cells) + " |")
    page.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
