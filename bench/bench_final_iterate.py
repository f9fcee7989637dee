"""Does a study's verdict depend on where the stopping rule ends a run?

The studies read the **final iterate** of each run: success is every true
atom matched at 0.99 (``recovered_fraction`` = 1). The stopping rule's
contract is about the **best** recovery (``bench/bench_stopping.py``). For a
solver whose iterates fluctuate (a constant step on mini-batches), the final
iterate's success changes with where the run ends, while its best recovery
does not. This script measures by how much, on cells of the phase transition
(``configs/phase_transition.yml``: 30 atoms in dimension 20, 1,000 samples,
SNR 30 dB, random init).

How. One ``benchopt run`` per cell with early stopping off
(``DICTREC_STOPPING=off``) and ``--timeout`` the budget records the full
curves of ``-r`` problems; the rule is replayed on each curve as in
``bench_stopping.py`` (the points benchopt evaluates do not depend on the
rule until it stops). For each run: success at the stop of the rule (its
defaults), at the stop of the rule with its noise test at the ceiling turned
on (``ceiling_noise_cap=0.002``; off by default since this script showed what
it does), and the share of the iterates of the budget's second half (by
solver time) that succeed, the success rate of a run read at a random late
time.

Run from the repository root:
``python bench/bench_final_iterate.py [--cells 3,0.2 4,0.3] [-s stochastic-ddl]
[--budget 60] [-r 5] [-j 2]`` (about budget x cells x r / j seconds); prints
one markdown table and writes it to ``docs/generated/bench_final_iterate.md``.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from benchopt.results import read_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_stopping import replay  # noqa: E402
from page import Page  # noqa: E402

from benchmark_utils.runtime.stopping import ENV_VAR  # noqa: E402

DATASET = ("simulated[n_features=20,n_atoms=30,n_samples=1000,n_test=500,"
           "kind=coherence,snr=30.0,coherence={c},sparsity={s}]")
OBJECTIVE = "Dictionary recovery[reg=0.1,init=random]"
SUCCESS = "objective_recovered_fraction"


def record(cells, solver, budget, n_rep, n_jobs, out_dir):
    """Curves of ``solver`` on every cell, early stopping off."""
    frames = []
    for s, c in cells:
        out = Path(out_dir) / f"cell_{s}_{c}"
        cmd = [sys.executable, "-m", "benchopt", "run", str(ROOT),
               "-d", DATASET.format(s=s, c=c), "-o", OBJECTIVE, "-s", solver,
               "--timeout", str(budget), "-n", "100000", "-r", str(n_rep),
               "-j", str(n_jobs), "--no-plot", "--no-display",
               "--output", str(out)]
        print(f"cell sparsity {s}, coherence {c}: {n_rep} runs, budget "
              f"{budget} s", flush=True)
        with open(out.with_suffix(".log"), "w") as f:
            subprocess.run(cmd, check=True, cwd=ROOT, stdout=f,
                           stderr=subprocess.STDOUT,
                           env=dict(os.environ, **{ENV_VAR: "off"}))
        frames.append(read_results(out.with_suffix(".parquet")).assign(
            cell=f"{s} / {c}"))
    return pd.concat(frames, ignore_index=True)


def table(df):
    rows = []
    for (cell, rep), curve in df.groupby(["cell", "idx_rep"], sort=True):
        curve = curve.sort_values("stop_val").reset_index(drop=True)
        success = curve[SUCCESS] >= 1.0
        stop, reason = replay(curve, {})
        stop_noise, _ = replay(curve, {"ceiling_noise_cap": 2e-3})
        late = curve["time"] >= 0.5 * curve["time"].iloc[-1]
        rows.append(dict(
            cell=cell, rep=rep,
            rule=success.iloc[-1 if stop is None else stop],
            rule_time=curve["time"].iloc[-1 if stop is None else stop],
            noise=success.iloc[-1 if stop_noise is None else stop_noise],
            noise_time=curve["time"].iloc[
                -1 if stop_noise is None else stop_noise],
            late=float(success[late].mean()), n_late=int(late.sum()),
            best=curve["objective_recovery"].max(),
            reason=reason.split(" (")[0]))
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["3,0.2", "4,0.3"],
                        help="sparsity,coherence pairs")
    parser.add_argument("-s", "--solver", default="stochastic-ddl")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("-r", "--n-rep", type=int, default=5)
    parser.add_argument("-j", "--n-jobs", type=int, default=1)
    args = parser.parse_args()
    cells = [tuple(c.split(",")) for c in args.cells]
    with tempfile.TemporaryDirectory() as tmp:
        df = record(cells, args.solver, args.budget, args.n_rep,
                    args.n_jobs, tmp)
    t = table(df)
    page = Page(__file__, "Success of the final iterate under the stopping "
                "rule")
    page.print(f"\n{args.solver}: success of the final iterate "
               f"(budget {args.budget:g} s)\n")
    page.print("| cell (sparsity / coherence) | problem | rule: success (s) | "
               "with the noise test: success (s) | late iterates that "
               "succeed | best recovery | the rule's reason |")
    page.print("|---|---|---|---|---|---|---|")
    for r in t.itertuples():
        page.print(f"| {r.cell} | {r.rep} | {'yes' if r.rule else 'no'} "
                   f"({r.rule_time:.1f}) | {'yes' if r.noise else 'no'} "
                   f"({r.noise_time:.1f}) | {r.late:.2f} ({r.n_late}) "
                   f"| {r.best:.4f} | {r.reason} |")
    rule_time = t["rule_time"].sum()
    page.print(f"\nsuccess rate: {t['rule'].mean():.2f} under the rule, "
               f"{t['noise'].mean():.2f} with its noise test, "
               f"{t['late'].mean():.2f} over the late iterates; solver time "
               f"to the stops {rule_time:.1f} s under the rule, "
               f"{t['noise_time'].sum() / rule_time:.2f} times that with its "
               "noise test.")
    page.write()


if __name__ == "__main__":
    main()
