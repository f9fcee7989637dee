"""Cost of one evaluation of the objective, and time to recovery of the references.

On the reference problem P1 (configs/p1.yml: 64 features, 128 atoms, 20,000 training
samples, 4 nonzeros with Gaussian amplitudes, Gaussian dictionary, SNR 30 dB,
reg=0.1, random init), prints in one run:

- the time of ``Objective.evaluate_result`` against one ``X @ D.T`` product;
- the two Lasso solvers side by side, on P1 and on the default problem of
  ``benchopt run .`` (20 x 30, 2,000 samples): the objective's coordinate
  descent (``sparse_encode_cd``, tolerance 1e-4) and restarted FISTA stopped at
  a relative change of 3e-4 (the objective's solver before it), their time on
  the evaluation samples at the random initial dictionary and at ``D_true``, and
  the error of the loss they give against exact codes (certified by their
  duality gap), and on the default problem's true dictionary with ten of its atoms
  replaced by near-copies of ten others (coherence 0.999998);
- for SPAMS trainDL, scikit-learn's MiniBatchDictionaryLearning and
  DictionaryLearning, the solver time (evaluations excluded) to reach recovery 0.99,
  or the best recovery reached within the time cap;
- with ``--ceilings`` instead, the Lasso recovery ceiling of the default problem
  and of P1 (``lasso_recovery_ceiling``, by coordinate descent, what the
  objective reports) against the same alternation with FISTA's codes (to a
  relative change of 1e-6, its implementation before), on the 2,000 evaluation
  samples and on the whole training set, with their times.

Run from the repository root: ``python bench/bench_objective.py [--cap SECONDS]
[--lasso-only | --ceilings]``; writes ``docs/generated/bench_objective.md``
(``docs/generated/bench_objective_ceilings.md`` with ``--ceilings``).
"""
import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import spams
from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext
from sklearn.decomposition import DictionaryLearning, MiniBatchDictionaryLearning
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from page import Page  # noqa: E402

from benchmark_utils.coding import (  # noqa: E402
    lasso_duality_gap,
    lasso_loss,
    sparse_encode_cd,
    sparse_encode_fista,
)
from benchmark_utils.learning import normalize_atoms  # noqa: E402
from benchmark_utils.learning.updates import (  # noqa: E402
    block_coordinate_update,
)
from benchmark_utils.metrics import lasso_recovery_ceiling  # noqa: E402
from benchmark_utils.metrics.ceilings import _alternate  # noqa: E402
from benchmark_utils.metrics.recovery import recovery_score  # noqa: E402
from benchmark_utils.threads import (  # noqa: E402
    apply_thread_policy,
    get_n_threads,
)

ROOT = Path(__file__).resolve().parents[1]
P1 = dict(n_features=64, n_atoms=128, n_samples=20000, n_test=2000, sparsity=4,
          snr=30.0)
TARGET = 0.99


def load_p1(seed=0, params=P1):
    """P1, or the simulated dataset with ``params`` (``{}``: its defaults,
    the problem of ``benchopt run .``), as benchopt loads it."""
    bench = Benchmark(".")
    Dataset, = bench.check_dataset_patterns(["simulated"], class_only=True)
    dataset = Dataset.get_instance(**params)
    objective = bench.get_benchmark_objective().get_instance(reg=0.1,
                                                             init="random")
    RunContext(base_seed=str(seed), objective_name=str(objective),
               dataset_name=str(dataset), repetition=0).attach(
        objective=objective, dataset=dataset, solver=None)
    data = dataset.get_data()
    objective.set_data(**data)
    return objective, data


def best_of(f, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def near_duplicates(D_true, n_pairs=10, distance=2e-3, seed=0):
    """``D_true`` with its last ``n_pairs`` atoms replaced by copies of its
    first ones moved by ``distance``: a dictionary of coherence about
    ``1 - distance**2 / 2``, as the unbiased variant of Arora et al. ends at
    on the default problem (0.999997)."""
    rng = np.random.default_rng(seed)
    D = D_true.copy()
    D[-n_pairs:] = D[:n_pairs] + distance * rng.standard_normal(
        (n_pairs, D.shape[1])) / np.sqrt(D.shape[1])
    return normalize_atoms(D)


LASSO_HEADER = ("| problem | dictionary | Lasso solver | time (ms) | ratio to "
                "coordinate descent | loss error | exact within |\n"
                "|---|---|---|---|---|---|---|")


def lasso_solvers(page, name, objective, dictionaries):
    """Both Lasso solvers on the objective's evaluation samples: their time
    and the error of their loss against the exact codes (coordinate descent
    to a tolerance of 1e-14, with their duality gap, which bounds its own
    error); one row of ``LASSO_HEADER`` each."""
    X, lmbd = objective.scorer.X_eval, objective.lmbd
    sparse_encode_cd(X[:2], normalize_atoms(objective.D_init), lmbd)  # compiled
    solvers = [("coordinate descent, tol 1e-4",
                lambda D: sparse_encode_cd(X, D, lmbd, tol=1e-4)),
               ("restarted FISTA, tol 3e-4",
                lambda D: sparse_encode_fista(X, D, lmbd, tol=3e-4))]
    for label, D in dictionaries:
        D = normalize_atoms(D)
        # The exact codes, certified by their duality gap.
        Z_exact = sparse_encode_cd(X, D, lmbd, tol=1e-14, max_sweeps=100_000)
        exact = lasso_loss(X, Z_exact, D, lmbd)
        gap = lasso_duality_gap(X, Z_exact, D, lmbd)
        reference = None
        for solver, encode in solvers:
            seconds = best_of(lambda: encode(D), repeat=5)
            reference = reference or seconds
            error = lasso_loss(X, encode(D), D, lmbd) - exact
            page.print(f"| {name} | {label} | {solver} | {seconds * 1e3:.1f} | "
                       f"{seconds / reference:.2f} | {error:.1e} | {gap:.0e} |")


def warm_start_along_runs(page, problem, objective,
                          names=("mod", "ddl", "altmin"), n_callbacks=300):
    """The scorer cold and warm-started along the iterates of real runs.

    Each solver runs ``n_callbacks`` callbacks from the objective's initial
    dictionary; the iterates at benchopt's evaluation points (1.5x apart) are
    scored by a cold and a warm-started :class:`DictionaryScorer`, as the
    objective does in a run. Prints the time per iterate and the largest
    difference of a score between the two."""
    page.print("| problem | solver | iterates | cold (ms an iterate) | warm (ms "
               "an iterate) | warm / cold | largest score difference |\n"
               "|---|---|---|---|---|---|---|")
    solvers = {s.name: s for s in Benchmark(ROOT).get_solvers()}
    points = {int(1.5 ** i) for i in range(40)}
    inputs = objective.get_objective()
    for name in names:
        solver = solvers[name].get_instance()
        solver.get_seed = lambda **kwargs: 0
        solver.set_objective(**inputs)
        iterates, count = [], [0]

        def callback():
            count[0] += 1
            if count[0] in points:
                iterates.append(np.array(solver.get_result()["D"], float))
            return count[0] < n_callbacks

        solver.run(callback)
        timings, scores = {}, {}
        for warm in (False, True):
            scorer = copy.copy(objective.scorer)
            scorer.warm_start = warm
            scorer.reset()
            t0 = time.perf_counter()
            scores[warm] = [scorer(D) for D in iterates]
            timings[warm] = (time.perf_counter() - t0) / len(iterates)
        diff = max(abs(a[k] - b[k]) for a, b in zip(scores[False], scores[True])
                   for k in ("loss_train", "loss_test", "recovery"))
        page.print(f"| {problem} | {name} | {len(iterates)} | "
                   f"{timings[False] * 1e3:.1f} | {timings[True] * 1e3:.1f} | "
                   f"{timings[True] / timings[False]:.2f} | {diff:.1e} |")


def time_to_target(trace):
    """First (time, recovery) reaching TARGET in a trace, else the best point."""
    for t, r in trace:
        if r >= TARGET:
            return t, r, True
    t, r = max(trace, key=lambda p: p[1])
    return t, r, False


def trace_spams(objective, cap):
    X = np.asfortranarray(objective.X.T)
    D0 = np.asfortranarray(objective.D_init.T)
    trace, n_iter = [], 25
    while True:
        t0 = time.perf_counter()
        D = spams.trainDL(X, D=D0.copy(order="F"), lambda1=objective.lmbd, mode=2,
                          iter=n_iter, batchsize=256, numThreads=get_n_threads(),
                          verbose=False)
        elapsed = time.perf_counter() - t0
        recovery = objective.evaluate_result(D=D.T)["recovery"]
        trace.append((elapsed, recovery))
        if recovery >= TARGET or elapsed > cap:
            return trace
        n_iter = int(n_iter * 1.5)


def trace_minibatch(objective, cap):
    X = objective.X
    est = MiniBatchDictionaryLearning(
        n_components=objective.n_atoms, alpha=objective.lmbd, batch_size=256,
        dict_init=objective.D_init.copy(), fit_algorithm="cd", random_state=0)
    rng = np.random.default_rng(0)
    trace, elapsed, step, next_eval = [], 0.0, 0, 10
    while elapsed < cap:
        batch = rng.choice(X.shape[0], 256, replace=False)
        t0 = time.perf_counter()
        est.partial_fit(X[batch])
        elapsed += time.perf_counter() - t0
        step += 1
        if step == next_eval:
            recovery = objective.evaluate_result(D=est.components_)["recovery"]
            trace.append((elapsed, recovery))
            if recovery >= TARGET:
                break
            next_eval = int(next_eval * 1.5)
    return trace


class _Stop(Exception):
    pass


def trace_batch(objective, cap):
    snapshots, t_start = [], time.perf_counter()

    def callback(state):
        snapshots.append((time.perf_counter() - t_start,
                          np.array(state["dictionary"])))
        if snapshots[-1][0] > cap:
            raise _Stop

    est = DictionaryLearning(
        n_components=objective.n_atoms, alpha=objective.lmbd, max_iter=1000,
        fit_algorithm="cd", dict_init=objective.D_init.copy(),
        code_init=np.zeros((objective.X.shape[0], objective.n_atoms)),
        callback=callback, random_state=0)
    try:
        est.fit(objective.X)
    except _Stop:
        pass
    trace = []
    for elapsed, D in snapshots:
        trace.append((elapsed, objective.evaluate_result(D=D)["recovery"]))
        if trace[-1][1] >= TARGET:
            break
    return trace


def fista_ceiling(X, D_true, lmbd, tol=1e-7, max_iter=200, code_tol=1e-6):
    """The Lasso ceiling as it was computed before coordinate descent: the
    ceilings' alternation with FISTA's codes of all samples, each call
    warm-started from the previous codes."""
    D_true = normalize_atoms(D_true)
    previous = {"Z": None}

    def code(D):
        Z = sparse_encode_fista(X, D, lmbd, max_iter=10000, tol=code_tol,
                                Z_init=previous["Z"])
        previous["Z"] = Z
        return Z.T @ Z, Z.T @ X

    def update(A, B, D):
        return block_coordinate_update(D, A, B)

    return recovery_score(D_true, _alternate(D_true, code, update, tol,
                                             max_iter))


def compare_ceilings(page):
    page.print("The Lasso recovery ceiling, coordinate descent against "
               "FISTA's codes (one run each); the last row of each problem is "
               "the ceiling the objective reports.\n")
    page.print("| problem | samples | method | ceiling | time (s) |\n"
               "|---|---|---|---|---|")
    for name, params in [("default", {}), ("P1", P1)]:
        objective, data = load_p1(params=params)
        X, D_true, lmbd = data["X"], data["D_true"], objective.lmbd
        for samples, X_part in [("evaluation", objective.scorer.X_eval),
                                ("training set", X)]:
            for method, ceiling in [("coordinate descent",
                                     lasso_recovery_ceiling),
                                    ("FISTA", fista_ceiling)]:
                t0 = time.perf_counter()
                value = ceiling(X_part, D_true, lmbd)
                elapsed = time.perf_counter() - t0
                page.print(f"| {name} | {samples} ({len(X_part)}) | {method} "
                           f"| {value:.8f} | {elapsed:.2f} |")
        page.print(f"| {name} | | reported by the objective | "
                   f"{objective.properties['ceiling_lasso']:.8f} | |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=60.0,
                        help="time cap per solver in seconds (default 60)")
    parser.add_argument("--lasso-only", action="store_true",
                        help="only the comparison of the two Lasso solvers")
    parser.add_argument("--ceilings", action="store_true",
                        help="only the Lasso recovery ceilings")
    args = parser.parse_args()
    apply_thread_policy()  # one thread unless DICTREC_N_THREADS says otherwise
    warnings.simplefilter("ignore", ConvergenceWarning)
    sparse_encode_cd(np.ones((1, 2)), np.eye(2), 0.1)  # compiled (cached)
    if args.ceilings:
        page = Page(__file__, "The Lasso recovery ceiling, two ways",
                    variant="ceilings")
        compare_ceilings(page)
        page.write()
        return

    page = Page(__file__, "Cost of the objective and time to recovery of "
                "the references")
    default, default_data = load_p1(params={})
    objective, data = load_p1()
    page.print(f"The Lasso on the {default.scorer.X_eval.shape[0]} training "
               "samples of the evaluation (best of 5):\n")
    page.print(LASSO_HEADER)
    D_true = default_data["D_true"]
    lasso_solvers(page, "default", default, [
        ("random init", default.D_init), ("D_true", D_true),
        ("near-duplicates", near_duplicates(D_true))])
    lasso_solvers(page, "P1", objective, [("random init", objective.D_init),
                                          ("D_true", data["D_true"])])
    page.print("\nThe scorer along the runs of three solvers, cold and "
               "warm-started (one call each):\n")
    warm_start_along_runs(page, "default", default)
    if args.lasso_only:
        page.write()
        return
    D = objective.D_init
    X = objective.X
    t_matmul = best_of(lambda: X @ D.T)
    t_eval = best_of(lambda: objective.evaluate_result(D=D), repeat=3)
    t_eval_true = best_of(lambda: objective.evaluate_result(D=data["D_true"]),
                          repeat=3)
    page.print(f"\nP1: X {X.shape}, D {D.shape}, lmbd={objective.lmbd:.4f}, "
               f"losses on {objective.scorer.X_eval.shape[0]} train + "
               f"{objective.scorer.X_test_eval.shape[0]} held-out samples "
               "(best of 5 "
               "and 3):\n")
    page.print("| | time (ms) | ratio to X @ D.T |\n|---|---|---|")
    page.print(f"| one X @ D.T (20,000 x 64 x 128) | {t_matmul * 1e3:.1f} | 1 |")
    page.print(f"| evaluate_result, D = D_init | {t_eval * 1e3:.1f} | "
               f"{t_eval / t_matmul:.0f} |")
    page.print(f"| evaluate_result, D = D_true | {t_eval_true * 1e3:.1f} | "
               f"{t_eval_true / t_matmul:.0f} |")

    page.print(f"\nTime to recovery >= {TARGET} on P1 (solver time, cap "
               f"{args.cap:.0f} s):\n")
    rows = []
    for name, trace_fn in [("spams trainDL (batch 256)", trace_spams),
                           ("sklearn MiniBatchDictionaryLearning", trace_minibatch),
                           ("sklearn DictionaryLearning (cd)", trace_batch)]:
        t, r, reached = time_to_target(trace_fn(objective, args.cap))
        rows.append((name, t, r, reached))
    t_ref = rows[0][1] if rows[0][3] else np.nan
    page.print("| solver | reached | solver time (s) | recovery | ratio to "
               "SPAMS |\n|---|---|---|---|---|")
    for name, t, r, reached in rows:
        status = "yes" if reached else "no (its best)"
        page.print(f"| {name} | {status} | {t:.2f} | {r:.4f} | "
                   f"{t / t_ref:.1f} |")
    page.write()


if __name__ == "__main__":
    main()
