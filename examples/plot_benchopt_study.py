"""
Run a small study with benchopt and read its results
====================================================

The benchmark itself runs under benchopt: ``benchopt run`` sweeps solvers
and datasets and writes one row per evaluation to a parquet file under
``outputs/``. This runs two solvers on a tiny problem in a subprocess (in a
scratch copy of the benchmark, so that the checkout's ``outputs/`` and cache
are left alone) and reads the results with pandas: the final recovery of
each solver and its recovery against time.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import benchmark_utils

ROOT = Path(benchmark_utils.__file__).resolve().parent.parent
scratch = Path(tempfile.mkdtemp()) / "benchmark"
shutil.copytree(ROOT, scratch, ignore=shutil.ignore_patterns(
    ".git", ".venv", "outputs", "__cache__", "docs", "examples", "tests"))

command = [
    sys.executable, "-m", "benchopt", "run", str(scratch),
    "-d", "simulated[n_features=8,n_atoms=12,n_samples=300,n_test=100]",
    "-s", "mod", "-s", "altmin", "-n", "20", "--timeout", "30",
    "--no-plot", "--output", "tiny",
]
print(" ".join(command[1:]))
subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

###############################################################################
# One row per evaluation: the solver, the time, the scores and the problem's
# measured properties (``data_*`` columns).

results = pd.read_parquet(scratch / "outputs" / "tiny.parquet")
print(results.shape)
results["solver"] = results["solver_name"].str.split("[").str[0]
final = results.sort_values("stop_val").groupby("solver").last()
print(final[["time", "objective_recovery", "objective_recovered_fraction"]]
      .to_string())

fig, ax = plt.subplots(figsize=(6, 4))
for name, runs in results.groupby("solver"):
    runs = runs.sort_values("time")
    ax.plot(runs["time"], runs["objective_recovery"], "o-", ms=3, label=name)
ax.set_xscale("log")
ax.set_xlabel("time (s)")
ax.set_ylabel("recovery")
ax.legend()
fig.tight_layout()
plt.show()
shutil.rmtree(scratch.parent)
