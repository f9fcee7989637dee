"""The layout of docs/architecture.md holds: packages by concept, benchopt
confined to ``runtime`` and ``results``, the mathematics importable without
benchopt, no module of the library over 400 lines."""
import ast
import subprocess
import sys

import pytest

from tests.benchopt_runs import ROOT

LIBRARY = ROOT / "benchmark_utils"
PACKAGES = ["simulation", "metrics", "coding", "learning", "neural", "runtime",
            "results"]
# The packages allowed to import benchopt.
BENCHOPT_PACKAGES = {"runtime", "results"}


def imported_modules(path):
    """Top-level names of the modules a file imports, anywhere in it."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def library_files():
    return sorted(LIBRARY.rglob("*.py"))


def test_library_is_the_documented_packages():
    found = sorted(p.name for p in LIBRARY.iterdir()
                   if p.is_dir() and (p / "__init__.py").exists())
    assert found == sorted(PACKAGES)
    text = (ROOT / "docs" / "architecture.md").read_text()
    for package in PACKAGES:
        assert f"`{package}/`" in text, package
    for package in PACKAGES:
        doc = ast.get_docstring(ast.parse(
            (LIBRARY / package / "__init__.py").read_text()))
        assert doc and len(doc) > 100, package


@pytest.mark.parametrize("path", library_files(),
                         ids=lambda p: str(p.relative_to(LIBRARY)))
def test_benchopt_is_imported_only_by_runtime_and_results(path):
    package = path.relative_to(LIBRARY).parts[0]
    benchopt = [m for m in imported_modules(path)
                if m == "benchopt" or m.startswith("benchopt.")]
    if package in BENCHOPT_PACKAGES:
        return
    assert not benchopt, f"{path.name} imports {benchopt}"


@pytest.mark.parametrize("path", library_files(),
                         ids=lambda p: str(p.relative_to(LIBRARY)))
def test_no_module_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400


def test_the_mathematics_imports_without_benchopt():
    # A fresh interpreter imports every package but runtime and results, and
    # the thread policy they read: benchopt is never loaded.
    code = (
        "import sys\n"
        "import benchmark_utils.simulation, benchmark_utils.metrics\n"
        "import benchmark_utils.coding, benchmark_utils.learning\n"
        "import benchmark_utils.neural, benchmark_utils.threads\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == "
        "'benchopt')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_objective_and_solvers_hold_no_infrastructure():
    # Thread policy, watchdog, provenance, cache key and dashboard come from
    # runtime.objective; no solver or objective wires them itself (a solver
    # may read the policy's count, as SPAMS does for its own threads).
    infrastructure = {"benchmark_utils.runtime.watchdog",
                      "benchmark_utils.runtime.provenance",
                      "benchmark_utils.runtime.cache_key",
                      "benchmark_utils.runtime.dashboard", "threadpoolctl"}
    files = [ROOT / "objective.py", *sorted((ROOT / "solvers").glob("*.py"))]
    for path in files:
        used = infrastructure & set(imported_modules(path))
        assert not used, (path.name, used)
