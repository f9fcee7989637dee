"""What happens to the solvers that fail at one nonzero (docs/studies.md).

At one nonzero a sample is one atom times an amplitude, plus noise: learning
the dictionary is clustering the samples' directions up to sign, and the
failures of a solver there are those of a clustering. For each problem of a
few cells of the phase transition (30 atoms in dimension 20, 1,000 samples,
SNR 30 dB, coherence 0.2 to 0.9), each solver runs from the benchmark's random
initial dictionary for a fixed number of iterations, well past its end under
the stopping rule, and its final dictionary is taken apart:

- ``missed``: true atoms without a learned atom at |correlation| >= 0.99;
- ``merged``: learned atoms between two true atoms (their two best
  |correlations| with true atoms both above 0.5 and the best below 0.99):
  one atom serving two clusters;
- ``doubled``: true atoms matched at 0.99 by two learned atoms or more;
- ``stray``: learned atoms at |correlation| below 0.5 with every true atom
  (fitted to noise or outliers of the clustering);
- ``weak``: learned atoms that one-nonzero OMP gives to fewer than a quarter
  of the mean number of samples per atom, yet to at least the 4 samples below
  which K-SVD, MOD and altmin replace an atom
  (``benchmark_utils.learning.atoms_to_replace``): kept by the rule;
- ``coherence of missed``: for the missed true atoms, their largest
  |correlation| with another true atom (against the problem's mean of that).

``--min-usage-share 0.25`` replays the same runs with that rule also replacing
the atoms used by fewer than a quarter of the mean (what a relative threshold
would change; not the benchmark's rule).

Run from the repository root: ``python docs/diagnose_one_nonzero.py [--seeds 10]
[--n-iter 300]``; prints one markdown table and writes it to
``docs/generated/diagnose_one_nonzero.md``.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
from benchopt.benchmark import Benchmark

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmark_utils.learning.atoms as atoms_module  # noqa: E402
import benchmark_utils.learning.updates as updates_module  # noqa: E402
from benchmark_utils.coding import batch_omp, lambda_max  # noqa: E402
from benchmark_utils.learning import init_dictionary  # noqa: E402
from benchmark_utils.metrics import matched_correlations  # noqa: E402
from benchmark_utils.results.report import (  # noqa: E402
    GENERATED_DIR,
    write_generated,
)
from benchmark_utils.simulation import make_problem  # noqa: E402

SOLVERS = {s.name: s for s in Benchmark(ROOT).get_solvers()}


def run_solver(name, problem, n_iter, seed, init="random", **parameters):
    X = problem.X
    D_init = init_dictionary(X, problem.D_true.shape[0], init,
                             random_state=seed)
    solver = SOLVERS[name].get_instance(**parameters)
    solver.get_seed = lambda **kwargs: seed
    solver.set_objective(X=X, D_init=D_init, lmbd=0.1 * lambda_max(X),
                         n_nonzeros=1)
    if solver.sampling_strategy == "iteration":
        solver.run(n_iter)
        return solver.get_result()["D"]
    count = [0]

    def callback():
        count[0] += 1
        return count[0] <= n_iter

    solver.run(callback)
    return solver.get_result()["D"]


def relative_usage_rule(share):
    """``atoms_to_replace`` that also flags the atoms used by fewer than
    ``share`` times the mean usage."""
    original = atoms_module.atoms_to_replace

    def rule(D, Z, min_usage=4, max_correlation=0.99):
        usage = np.count_nonzero(Z, axis=0)
        return original(D, Z, min_usage, max_correlation) | (
            usage < share * usage.mean())
    return rule


def anatomy(D_true, D, X):
    """Counts of the failure kinds of the module docstring."""
    T = D_true / np.linalg.norm(D_true, axis=1, keepdims=True)
    norms = np.linalg.norm(D, axis=1, keepdims=True)
    L = np.divide(D, norms, out=np.zeros_like(D), where=norms > 0)
    usage = np.count_nonzero(batch_omp(X, L, 1), axis=0)
    weak = int(np.sum((usage >= 4) & (usage < 0.25 * usage.mean())))
    C = np.abs(L @ T.T)  # learned x true
    matched = matched_correlations(T, L)
    missed = np.flatnonzero(matched < 0.99)
    top2 = np.sort(C, axis=1)[:, -2:]
    merged = int(np.sum((top2[:, 0] > 0.5) & (top2[:, 1] < 0.99)))
    doubled = int(np.sum(np.sum(C >= 0.99, axis=0) >= 2))
    stray = int(np.sum(C.max(axis=1) < 0.5))
    G = np.abs(T @ T.T)
    np.fill_diagonal(G, 0)
    return dict(missed=missed.size, merged=merged, doubled=doubled,
                stray=stray, weak=weak, recovery=float(matched.mean()),
                coherence_missed=(float(G.max(axis=1)[missed].mean())
                                  if missed.size else np.nan),
                coherence_mean=float(G.max(axis=1).mean()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-iter", type=int, default=300)
    parser.add_argument("--coherence", type=float, nargs="+",
                        default=[0.2, 0.5, 0.9])
    parser.add_argument("--solvers", nargs="+",
                        default=["spams", "mod", "ksvd", "altmin"])
    parser.add_argument("--init", default="random")
    parser.add_argument("--min-usage-share", type=float, default=None)
    args = parser.parse_args()
    if args.min_usage_share is not None:
        rule = relative_usage_rule(args.min_usage_share)
        for module in (atoms_module, updates_module):
            module.atoms_to_replace = rule
        for solver in SOLVERS.values():
            # The solver files import the rule by name: their globals.
            namespace = solver.run.__globals__
            if "atoms_to_replace" in namespace:
                namespace["atoms_to_replace"] = rule
    lines = ["| solver | coherence | problems failed | missed atoms | merged | "
             "doubled | stray | weak | median recovery | max coherence of "
             "missed atoms (all atoms) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines))
    for name in args.solvers:
        for coherence in args.coherence:
            rows = []
            for seed in range(args.seeds):
                problem = make_problem(1000, 20, 30, 1, n_test=100,
                                       kind="coherence", coherence=coherence,
                                       snr=30.0, random_state=seed)
                D = run_solver(name, problem, args.n_iter, seed,
                               init=args.init)
                rows.append(anatomy(problem.D_true, D, problem.X))
            failed = [r for r in rows if r["missed"]]
            total = {k: sum(r[k] for r in rows)
                     for k in ("missed", "merged", "doubled", "stray",
                               "weak")}
            cm = [r["coherence_missed"] for r in failed]
            cm_all = [r["coherence_mean"] for r in failed]
            coh = (f"{np.mean(cm):.2f} ({np.mean(cm_all):.2f})" if failed
                   else "-")
            lines.append(
                f"| {name} | {coherence} | {len(failed)}/{len(rows)} | "
                f"{total['missed']} | {total['merged']} | "
                f"{total['doubled']} | {total['stray']} | {total['weak']} | "
                f"{np.median([r['recovery'] for r in rows]):.4f} | {coh} |")
            print(lines[-1], flush=True)
    command = " ".join(["python", "docs/diagnose_one_nonzero.py",
                        *sys.argv[1:]])
    write_generated(
        GENERATED_DIR / "diagnose_one_nonzero.md", command,
        "One nonzero: the final dictionaries taken apart",
        f"{args.seeds} problems per coherence, {args.n_iter} iterations, "
        f"init `{args.init}`; the columns are defined in the docstring of "
        "`docs/diagnose_one_nonzero.py`.\n\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
