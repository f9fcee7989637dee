"""Speed of the torch solvers on the reference problem P1, against SPAMS, on CPU.

P1 (configs/p1.yml): n_features=64, n_atoms=128, n_samples=20,000, exactly 4 nonzeros
with Gaussian amplitudes, Gaussian dictionary, SNR 30 dB, reg=0.1 (lmbd = 0.1 *
lambda_max(X)), random init shared by all solvers (as in bench/bench_solvers.py).

Two measurements, in one process:

1. **Time to recovery** 0.95 and 0.99 of full-batch DDL, AM (``ddl`` with
   ``gradient="analytic"``) and stochastic DDL, and their ratios to SPAMS
   ``trainDL`` in the same run. Callback solvers are scored at every callback
   with the clock stopped; SPAMS (an ``iteration`` solver) is re-run from
   scratch with a growing number of iterations, and the time of the first run
   reaching each target is reported (as in bench/bench_solvers.py).
2. **One DDL epoch against its floor**: the time of one forward and backward
   pass of the unrolled network over the 20,000 samples (the work of one
   iteration whose first line-search trial is accepted), against the floor
   given by its matrix products: the flop count of those products divided by
   the rate of a ``(n_samples, n_atoms) x (n_atoms, n_atoms)`` product measured
   here, in the same dtype and thread count.

With ``--minibatch-only``, instead: the solver time of one stochastic DDL
mini-batch (``batch_size`` 256, forward and backward pass, its line search) at
the shape of the million-sample study (configs/large_scale.yml: 64 features,
256 atoms), the median over 20 points of one mini-batch each after 5 of warm-up;
the per-batch cost does not depend on ``n_samples``, so 20,000 samples stand in
for the million.

Threads follow the benchmark's policy (``benchmark_utils.threads``: one thread
unless ``DICTREC_N_THREADS`` says otherwise), for BLAS, SPAMS and torch.

Run from the repository root: ``python bench/bench_neural.py [--budget 60]
[--minibatch-only]``; writes ``docs/generated/bench_neural.md``
(``docs/generated/bench_neural_minibatch.md`` with ``--minibatch-only``).
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from benchopt.benchmark import Benchmark
from page import Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmark_utils.coding import lambda_max  # noqa: E402
from benchmark_utils.learning import init_dictionary  # noqa: E402
from benchmark_utils.metrics import recovery_score  # noqa: E402
from benchmark_utils.simulation import make_problem  # noqa: E402
from benchmark_utils.threads import apply_thread_policy  # noqa: E402

TARGETS = (0.95, 0.99)


def time_callback_solver(solver, D_true, budget):
    """Run a callback solver; score every callback with the clock stopped."""
    state = dict(elapsed=0.0, best=0.0, hits={}, n_iter=0)
    start = [time.perf_counter()]

    def callback():
        state["elapsed"] += time.perf_counter() - start[0]
        if state["n_iter"] > 0:
            score = recovery_score(D_true, solver.get_result()["D"])
            state["best"] = max(state["best"], score)
            for target in TARGETS:
                if score >= target and target not in state["hits"]:
                    state["hits"][target] = state["elapsed"]
        state["n_iter"] += 1
        go_on = (len(state["hits"]) < len(TARGETS)
                 and state["elapsed"] < budget)
        start[0] = time.perf_counter()
        return go_on

    solver.run(callback)
    return state


def time_iteration_solver(solver, D_true, budget):
    """Re-run an iteration solver with a growing n_iter until both targets."""
    state = dict(elapsed=0.0, best=0.0, hits={}, n_iter=0)
    n_iter = 1
    while True:
        t0 = time.perf_counter()
        solver.run(n_iter)
        run_time = time.perf_counter() - t0
        score = recovery_score(D_true, solver.get_result()["D"])
        state.update(n_iter=n_iter, best=max(state["best"], score),
                     elapsed=run_time)
        for target in TARGETS:
            if score >= target and target not in state["hits"]:
                state["hits"][target] = run_time
        if len(state["hits"]) == len(TARGETS) or run_time > budget / 3:
            return state
        n_iter = int(np.ceil(n_iter * 1.5))


def matmul_rate(n_samples, n_atoms, dtype, repeats=10):
    """Measured flop rate of the network's product, in flop/s (median)."""
    generator = torch.Generator().manual_seed(0)
    Z = torch.randn(n_samples, n_atoms, generator=generator, dtype=dtype)
    W = torch.randn(n_atoms, n_atoms, generator=generator, dtype=dtype)
    B = torch.randn(n_samples, n_atoms, generator=generator, dtype=dtype)
    for _ in range(3):
        torch.addmm(B, Z, W)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.addmm(B, Z, W)
        times.append(time.perf_counter() - t0)
    return 2.0 * n_samples * n_atoms * n_atoms / float(np.median(times))


def ddl_epoch_flops(n_samples, n_features, n_atoms, n_layers):
    """Flops of the matrix products of one forward and backward pass of DDL.

    Forward: ``D D^T`` and ``X D^T`` once, one ``(n, K) x (K, K)`` product per
    layer, ``Z D`` in the loss. Backward: two products of the same size per
    layer (gradients to the layer's input and to its weight ``I - G / L``),
    and the transposes of the forward's other products (two each).
    """
    n, p, K = n_samples, n_features, n_atoms
    per_layer = 3 * 2 * n * K * K
    outside = 3 * (2 * K * K * p + 2 * n * K * p + 2 * n * K * p)
    return n_layers * per_layer + outside


def time_ddl_epoch(solver, repeats=3):
    """Median time of one forward + backward pass of a set-up ddl solver."""
    params = [solver.D_init.clone()]
    times = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        _, state = solver.evaluate(params)
        solver.gradient_of(state)
        times.append(time.perf_counter() - t0)
    return float(np.median(times[1:]))


def time_minibatch(classes, seed, n_layers, n_atoms=256, n_points=20,
                   warm_up=5):
    """Median solver time of one stochastic DDL mini-batch of 256 samples
    on a 64 x ``n_atoms`` problem (one point of the curve = one mini-batch)."""
    problem = make_problem(20_000, 64, n_atoms, 4, snr=30.0,
                           random_state=seed)
    D_init = init_dictionary(problem.X, n_atoms, "random",
                             D_true=problem.D_true, random_state=seed + 1)
    solver = classes["stochastic-ddl"].get_instance(n_layers=n_layers,
                                                    batches_per_point=1)
    solver.get_seed = lambda **kwargs: seed
    solver.set_objective(X=problem.X, D_init=D_init,
                         lmbd=0.1 * lambda_max(problem.X), n_nonzeros=4)
    stamps = []

    def callback():
        stamps.append(time.perf_counter())
        return len(stamps) <= warm_up + n_points

    solver.run(callback)
    return float(np.median(np.diff(stamps[warm_up:])))


def solver_classes():
    """The benchmark's solver classes by name."""
    return {s.name: s for s in Benchmark(
        Path(__file__).resolve().parents[1]).get_solvers()}


def p1_setup(seed):
    """P1 drawn from ``seed``, its ``lmbd`` (reg 0.1), the shared random init
    (seed + 1) and the benchmark's solver classes by name."""
    problem = make_problem(20_000, 64, 128, 4, snr=30.0, random_state=seed)
    lmbd = 0.1 * lambda_max(problem.X)
    D_init = init_dictionary(problem.X, 128, "random", D_true=problem.D_true,
                             random_state=seed + 1)
    return problem, lmbd, D_init, solver_classes()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds per solver")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-layers", type=int, default=20)
    parser.add_argument("--minibatch-only", action="store_true",
                        help="time one stochastic DDL mini-batch at 64 x 256")
    args = parser.parse_args()
    n_threads = apply_thread_policy()
    if args.minibatch_only:
        page = Page(__file__, "Cost of one stochastic DDL mini-batch",
                    variant="minibatch")
        cost = time_minibatch(solver_classes(), args.seed, args.n_layers)
        page.print(f"threads: {n_threads}; stochastic DDL, {args.n_layers} "
                   f"layers, one mini-batch of 256 on 64 x 256: "
                   f"{cost * 1e3:.1f} ms (median of 20); {300 / cost:,.0f} "
                   f"mini-batches in 300 s, {300 / cost * 256 / 1e6:.2f} "
                   "passes over a million samples")
        page.write()
        return

    problem, lmbd, D_init, classes = p1_setup(args.seed)
    X = problem.X
    L = args.n_layers
    runs = [
        ("spams", {}),
        ("ddl", {"gradient": "deep", "n_layers": L}),
        ("ddl", {"gradient": "analytic", "n_layers": L}),
        ("stochastic-ddl", {"n_layers": L, "batches_per_point": 1}),
    ]

    def make(name, params):
        solver = classes[name].get_instance(**params)
        solver.get_seed = lambda **kwargs: args.seed
        solver.set_objective(X=X, D_init=D_init.copy(), lmbd=lmbd,
                             n_nonzeros=4)
        return solver

    # One DDL epoch against its floor.
    ddl = make("ddl", {"gradient": "deep", "n_layers": L})
    rate = matmul_rate(X.shape[0], 128, torch.float64)
    flops = ddl_epoch_flops(X.shape[0], 64, 128, L)
    epoch = time_ddl_epoch(ddl)
    floor = flops / rate
    page = Page(__file__, "Speed of the torch solvers on P1, against SPAMS")
    page.print(f"threads: {n_threads}; float64 matmul rate "
               f"{rate / 1e9:.1f} Gflop/s ({X.shape[0]} x 128 x 128).\n")
    page.print(f"DDL epoch ({L} FISTA layers, forward + backward, 20,000 "
               f"samples): {epoch:.3f} s; floor {flops / 1e9:.1f} Gflop / "
               f"rate = {floor:.3f} s; ratio {epoch / floor:.2f}.")

    rows = []
    for name, params in runs:
        solver = make(name, params)
        timer = (time_callback_solver if solver.sampling_strategy == "callback"
                 else time_iteration_solver)
        state = timer(solver, problem.D_true, args.budget)
        label = name + "".join(f"[{k}={v}]" for k, v in params.items())
        rows.append((label, state))
        hits = ", ".join(f"{t}: {state['hits'][t]:.2f} s"
                         for t in TARGETS if t in state["hits"])
        print(f"{label:50s} iters={state['n_iter']:5d} "
              f"best={state['best']:.4f} {hits or 'no target reached'} "
              f"(ran {state['elapsed']:.1f} s)", flush=True)

    spams_hits = rows[0][1]["hits"]
    header = " | ".join(f"time to {t} (s) | ratio to SPAMS" for t in TARGETS)
    page.print(f"\nTime to recovery on P1 (solver time, scoring excluded), "
               f"budget {args.budget:.0f} s per solver:\n")
    page.print(f"| solver | {header} | best recovery |")
    page.print("|---" * (2 + 2 * len(TARGETS)) + "|")
    for label, state in rows:
        cells = []
        for t in TARGETS:
            hit = state["hits"].get(t)
            if hit is None:
                cells += [f"not reached in {state['elapsed']:.0f} s", "-"]
            else:
                ref = spams_hits.get(t)
                cells += [f"{hit:.2f}", f"{hit / ref:.1f}" if ref else "-"]
        page.print(f"| {label} | {' | '.join(cells)} | {state['best']:.4f} |")
    page.write()


if __name__ == "__main__":
    main()
