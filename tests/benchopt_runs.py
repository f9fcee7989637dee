"""Run benchopt for real on a temporary copy of the benchmark (used by the
fault, grid, cache and dashboard tests)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark_utils.coding import sparse_encode_cd

ROOT = Path(__file__).resolve().parents[1]

# A problem small enough for a run of a few solvers to take seconds.
TINY_DATASET = "simulated[n_features=8,n_atoms=12,n_samples=300,n_test=100]"
TINY_N_ATOMS, TINY_N_FEATURES = 12, 8

_IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "__cache__", "outputs", "__pycache__", ".pytest_cache",
    ".hypothesis", "*.pyc",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def copy_benchmark(dest):
    """Copy the benchmark's files (no environment, cache or outputs) to
    ``dest``, with the compiled code of our numba kernels."""
    dest = Path(dest)
    shutil.copytree(ROOT, dest, ignore=_IGNORED)
    # A copy would compile the Lasso kernel again at its first call (1.7 s,
    # more on a slow machine), inside the first timed run of the copy: with
    # the tests' 3 s budgets that run was cut where the next was not. numba's
    # cache files are keyed on the source's modification time and size, which
    # copytree keeps.
    for path in _kernel_cache_files():
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return dest


def _kernel_cache_files():
    """numba's cache files of the Lasso kernel, compiled here if need be."""
    sparse_encode_cd(np.ones((1, 2)), np.eye(2), 0.1)
    folder = ROOT / "benchmark_utils" / "coding" / "__pycache__"
    return sorted(folder.glob("lasso_cd.*.nb[ic]"))


def solver_args(names):
    """``-s name`` for each solver name (or pattern)."""
    return [arg for name in names for arg in ("-s", name)]


def run_benchopt(bench_dir, *args, env=None, timeout=300):
    """``python -m benchopt run bench_dir *args`` without display.

    Returns the completed process and its output as plain text (colors
    removed, progress lines split). One BLAS thread, so that results do not
    depend on the thread pool.
    """
    full_env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                    MKL_NUM_THREADS="1")
    full_env.pop("DICTREC_N_THREADS", None)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "benchopt", "run", str(bench_dir),
         "--no-display", *args],
        cwd=bench_dir, capture_output=True, text=True, env=full_env,
        timeout=timeout,
    )
    text = _ANSI.sub("", proc.stdout + proc.stderr).replace("\r", "\n")
    return proc, text


def status_lines(text):
    """Final status line of every solver: ``{solver_name: status text}``."""
    statuses = {}
    for line in text.splitlines():
        match = re.match(r"\s*\|--(\S.*?):\s+(error|done.*|diverged|skip)\s*$",
                         line)
        if match:
            statuses[match.group(1)] = match.group(2).strip()
    return statuses


def read_results(path):
    return pd.read_parquet(path)
