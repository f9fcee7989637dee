"""Infeasible cells of a dataset grid are skipped with their reason, the
others run (a real benchopt run, and the checks it relies on)."""
import re

import pytest

from benchmark_utils.simulation import check_problem_parameters, make_problem
from tests.benchopt_runs import (
    copy_benchmark,
    read_results,
    run_benchopt,
)
from tests.conftest import attach_context

# The sweep of the issue, on the default 20 x 30 problem (fewer samples: the
# feasibility of a cell does not depend on them).
GRID = {"sparsity": [3, 40], "kind": ["gaussian", "orthogonal"]}
SMALL = {"n_samples": 300, "n_test": 100}
DEFAULT_SHAPE = {"n_features": 20, "n_atoms": 30}


def _expected_reason(sparsity, kind):
    """The simulator's own message for a cell, None when it is feasible."""
    try:
        check_problem_parameters(sparsity=sparsity, kind=kind, **SMALL,
                                 **DEFAULT_SHAPE)
    except ValueError as error:
        return f"infeasible parameters: {error}"
    return None


def _parse_cells(text):
    """``{(kind, sparsity): (skipped, reason)}`` from benchopt's output."""
    cells, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        match = re.match(r"simulated\[(.*)\]$", line)
        if match:
            params = dict(p.split("=", 1) for p in match.group(1).split(","))
            current = (params["kind"], int(params["sparsity"]))
            cells[current] = (False, None)
        elif current and line.endswith(" skip"):
            cells[current] = (True, None)
        elif current and line.startswith("Reason: "):
            cells[current] = (True, line[len("Reason: "):])
    return cells


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("grid") / "bench")
    dataset = "simulated[sparsity=[3,40],kind=[gaussian,orthogonal]," \
        "n_samples=300,n_test=100]"
    proc, text = run_benchopt(
        bench, "-s", "mod", "-d", dataset, "-n", "2", "--timeout", "30",
        "--no-plot", "--output", str(bench / "out" / "grid.parquet"))
    assert proc.returncode == 0, text[-3000:]
    return text, read_results(bench / "out" / "grid.parquet")


@pytest.mark.integration
def test_infeasible_cells_are_skipped_with_their_reason(grid_run):
    text, _ = grid_run
    cells = _parse_cells(text)
    assert len(cells) == 4, cells
    n_skipped = 0
    for kind in GRID["kind"]:
        for sparsity in GRID["sparsity"]:
            reason = _expected_reason(sparsity, kind)
            skipped, shown = cells[(kind, sparsity)]
            assert skipped == (reason is not None), (kind, sparsity)
            assert shown == reason
            n_skipped += skipped
    assert n_skipped == 3


@pytest.mark.integration
def test_feasible_cell_runs(grid_run):
    _, df = grid_run
    assert set(df["p_dataset_kind"]) == {"gaussian"}
    assert set(df["p_dataset_sparsity"]) == {3}
    assert df["objective_recovery"].notna().all()
    assert len(df) == 3  # the initial point and -n 2 evaluations


# --------------------------------------------------------------------------
# The checks behind the skip
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    dict(kind="orthogonal"),
    dict(sparsity=40),
    dict(kind="dirac-hadamard", n_features=12, n_atoms=24),
    dict(kind="coherence", coherence=0.01),
    dict(kind="coherence"),
    dict(kind="gaussian", coherence=0.5),
    dict(distribution="uniform", amplitude_range=(0.0, 1.0)),
    dict(snr=float("nan")),
    dict(outlier_fraction=1.0),
    dict(n_test=0),
])
def test_check_problem_parameters_says_what_make_problem_says(kwargs):
    params = dict(n_samples=50, n_features=20, n_atoms=30, sparsity=3)
    params.update(kwargs)
    with pytest.raises(ValueError) as checked:
        check_problem_parameters(**params)
    with pytest.raises(ValueError) as made:
        make_problem(**params, random_state=0)
    assert str(checked.value) == str(made.value)


def test_check_problem_parameters_accepts_feasible_cells():
    assert check_problem_parameters(50, 20, 30, 3) is None
    assert check_problem_parameters(50, 16, 24, 0.1, kind="dirac-hadamard") \
        is None
    assert check_problem_parameters(50, 20, 20, 3, kind="orthogonal") is None


@pytest.mark.parametrize("params", [dict(kind="orthogonal"), dict(sparsity=31)])
def test_dataset_returns_the_reason_instead_of_data(benchmark, params):
    Dataset, = benchmark.check_dataset_patterns(["simulated"], class_only=True)
    dataset = Dataset.get_instance(**params)
    attach_context(benchmark, dataset=dataset)
    data = dataset.get_data()
    assert data["D_true"] is None and data["X"] is None
    assert data["skip_reason"] == _expected_reason(
        params.get("sparsity", 3), params.get("kind", "gaussian"))
    objective = benchmark.get_benchmark_objective().get_instance()
    assert objective.skip(**data) == (True, data["skip_reason"])
