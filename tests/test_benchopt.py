"""benchopt's own checks of every component, run as part of our test suite."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.integration
def test_benchopt_test_suite_passes():
    # benchopt test checks every dataset, solver and the objective: their
    # parameters, get_one_result, that each solver runs and returns a result of
    # the right shape. --skip-install: the environment is set up with pip.
    proc = subprocess.run(
        [sys.executable, "-m", "benchopt", "test", str(ROOT), "--skip-install",
         "-rs"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-5000:]
