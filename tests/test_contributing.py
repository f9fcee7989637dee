"""The solver template of CONTRIBUTING.md works as it is.

A contributor copies ``docs/solver_template.py`` into ``solvers/`` and runs
``benchopt test . --skip-install -k my-solver``, as the guide says: here on a
temporary copy of the benchmark, so that the template never rots.
"""
import re
import subprocess
import sys

import pytest
from benchopt.benchmark import Benchmark

from tests.benchopt_runs import ROOT, copy_benchmark

TEMPLATE = ROOT / "docs" / "solver_template.py"
GUIDE = ROOT / "CONTRIBUTING.md"
TEMPLATE_NAME = "my-solver"
# The checks benchopt runs on one solver; each must pass (installs are
# skipped with --skip-install).
SOLVER_CHECKS = ["test_solver_class", "test_solver_install_api",
                 "test_solver_stopping_criterion", "test_solver_run"]


@pytest.fixture(scope="module")
def template_check(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("contrib") / "bench")
    (bench / "solvers" / "my_solver.py").write_text(TEMPLATE.read_text())
    proc = subprocess.run(
        [sys.executable, "-m", "benchopt", "test", str(bench),
         "--skip-install", "-k", TEMPLATE_NAME, "-v"],
        cwd=bench, capture_output=True, text=True, timeout=600,
    )
    return proc, proc.stdout + proc.stderr


def test_template_is_named_as_the_guide_says():
    source = TEMPLATE.read_text()
    assert re.search(rf'^\s+name = "{TEMPLATE_NAME}"$', source, re.MULTILINE)
    guide = GUIDE.read_text()
    assert "docs/solver_template.py" in guide
    assert f"-k {TEMPLATE_NAME}" in guide


@pytest.mark.integration
def test_template_passes_benchopt_tests_once_in_solvers(template_check):
    proc, text = template_check
    assert proc.returncode == 0, text[-5000:]
    for check in SOLVER_CHECKS:
        assert re.search(rf"{check}\[{TEMPLATE_NAME}[^\]]*\] PASSED", text), \
            (check, text[-3000:])


def test_template_outside_solvers_is_not_run_by_default():
    # benchopt loads solvers from solvers/ only: the template in docs/ is
    # never part of a plain `benchopt run .`.
    names = {solver.name for solver in Benchmark(str(ROOT)).get_solvers()}
    assert names and TEMPLATE_NAME not in names
