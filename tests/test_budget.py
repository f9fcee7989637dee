"""The error budget splits 1 - recovery into its three parts exactly."""
import numpy as np
import pandas as pd
import pytest

from benchmark_utils.results.budget import (
    error_budget,
    error_budget_figure,
    error_budget_grid,
    error_budget_map_figure,
)
from benchmark_utils.results.maps import dominant_parts, phase_transition_figure


def runs(criteria, achieved):
    return pd.DataFrame({
        "solver_name": [f"s{i}" for i in range(len(criteria))],
        "objective_name": "obj", "dataset_name": "data", "idx_rep": 0,
        "criterion": criteria, "objective_recovery": achieved,
        "objective_data_recovery_oracle": 0.999,
        "objective_data_ceiling_lasso": 0.99,
        "objective_data_ceiling_omp": 0.998,
    })


def test_parts_add_up_to_the_error_and_use_each_solver_criterion():
    table = error_budget(runs(["lasso", "omp", "none"], [0.98, 0.997, 0.9]))
    parts = table[["statistical", "criterion_part", "optimization"]].sum(axis=1)
    np.testing.assert_allclose(parts, 1.0 - table["achieved"], atol=1e-15)
    np.testing.assert_allclose(table["ceiling"], [0.99, 0.998, 0.999])
    np.testing.assert_allclose(table["statistical"], 0.001)
    np.testing.assert_allclose(table["criterion_part"],
                               [0.009, 0.001, 0.0], atol=1e-15)
    np.testing.assert_allclose(table["optimization"],
                               [0.01, 0.001, 0.099], atol=1e-15)


def test_a_solver_above_its_ceiling_has_a_negative_optimization_part():
    table = error_budget(runs(["lasso"], [0.995]))
    assert table["optimization"].iloc[0] == pytest.approx(-0.005)


def test_no_ground_truth_no_budget():
    frame = runs(["lasso"], [0.9]).drop(
        columns=["objective_data_recovery_oracle"])
    assert error_budget(frame).empty
    fig = error_budget_figure(frame)
    assert "no ground truth" in fig.axes[0].get_title()


def test_figure_has_a_row_per_solver():
    fig = error_budget_figure(runs(["lasso", "omp", "none"],
                                   [0.98, 0.997, 0.9]))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 3 and labels[0].startswith("s1: 0.99700, omp")


def grid_runs():
    """Two solvers on a 2 x 2 grid of sparsity x snr, two repetitions a
    cell; the oracle falls with the noise, the Lasso ceiling with sparsity,
    and solver "b" ends 0.01 below its ceiling, "a" at it."""
    rows = []
    for sparsity in (1, 5):
        for snr in (10.0, 30.0):
            for rep in (0, 1):
                for solver, gap in (("a", 0.0), ("b", 0.01)):
                    oracle = 0.999 if snr == 30.0 else 0.99
                    ceiling = oracle - (0.001 if sparsity == 1 else 0.02)
                    rows.append(dict(
                        solver_name=solver, objective_name="obj",
                        dataset_name=f"data[snr={snr},sparsity={sparsity}]",
                        idx_rep=rep, p_dataset_sparsity=sparsity,
                        p_dataset_snr=snr, criterion="lasso",
                        objective_recovery=ceiling - gap - 0.001 * rep,
                        objective_data_recovery_oracle=oracle,
                        objective_data_ceiling_lasso=ceiling))
    return pd.DataFrame(rows)


def test_budget_per_cell_of_a_phase_transition():
    grids = error_budget_grid(grid_runs(), x="snr", y="sparsity")
    assert sorted(grids) == ["a", "b"]
    a, b = grids["a"], grids["b"]
    assert list(a["statistical"].index) == [1, 5]
    assert list(a["statistical"].columns) == [10.0, 30.0]
    np.testing.assert_allclose(a["statistical"].to_numpy(),
                               [[0.01, 0.001], [0.01, 0.001]], atol=1e-12)
    np.testing.assert_allclose(a["criterion_part"].to_numpy(),
                               [[0.001, 0.001], [0.02, 0.02]], atol=1e-12)
    # Median of the two repetitions (0 and 0.001 below the ceiling).
    np.testing.assert_allclose(a["optimization"].to_numpy(), 0.0005,
                               atol=1e-12)
    np.testing.assert_allclose(b["optimization"].to_numpy(), 0.0105,
                               atol=1e-12)
    with pytest.raises(ValueError, match="differ"):
        error_budget_grid(grid_runs(), x="snr", y="snr")


def test_budget_map_figure_has_three_parts_per_solver():
    fig = error_budget_map_figure(grid_runs(), x="snr", y="sparsity")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 6
    assert sum("optimization" in t for t in titles) == 2


def test_each_cell_names_the_largest_part_of_its_budget():
    parts = dominant_parts(grid_runs(), x="snr", y="sparsity")
    a, b = parts["a"], parts["b"]
    # "a" ends at its ceiling: noise dominates at 10 dB and 1 nonzero, the
    # Lasso's bias at 5 nonzeros (0.02 against 0.001 or 0.01).
    assert a.at[1, 10.0] == ("statistical", pytest.approx(0.01))
    assert a.at[5, 30.0] == ("criterion_part", pytest.approx(0.02))
    assert a.at[5, 10.0] == ("criterion_part", pytest.approx(0.02))
    # "b" ends 0.01 below its ceiling: at 30 dB and 1 nonzero that is most.
    assert b.at[1, 30.0] == ("optimization", pytest.approx(0.0105))


def test_the_success_map_writes_the_largest_part_in_each_cell():
    frame = grid_runs().assign(objective_recovered_fraction=1.0, cut=False)
    texts = [t.get_text() for ax in phase_transition_figure(
        frame, "snr", "sparsity", theory=False).axes for t in ax.texts]
    assert "1.00\nd 1e-02" in texts and "1.00\no 1e-02" in texts
    assert "d data" in per_title(phase_transition_figure(
        frame, "snr", "sparsity", theory=False))
    bare = phase_transition_figure(frame, "snr", "sparsity", theory=False,
                                   budget=False)
    assert "1.00" in [t.get_text() for ax in bare.axes for t in ax.texts]
    without = frame.drop(columns=["objective_data_recovery_oracle"])
    texts = [t.get_text() for ax in phase_transition_figure(
        without, "snr", "sparsity", theory=False).axes for t in ax.texts]
    assert "1.00" in texts
    assert "d data" not in per_title(phase_transition_figure(
        without, "snr", "sparsity", theory=False))


def test_a_sweep_gets_one_row_per_solver_not_per_cell():
    per_cell = error_budget_figure(grid_runs())
    per_solver = error_budget_figure(grid_runs(), exclude=("snr", "sparsity"))
    assert len(per_cell.axes[0].get_yticklabels()) == 8
    labels = [t.get_text() for t in per_solver.axes[0].get_yticklabels()]
    assert [label.split(":")[0] for label in labels] == ["a", "b"]
    assert per_solver.get_size_inches()[1] < per_cell.get_size_inches()[1]


def per_title(fig):
    return fig._suptitle.get_text()


def test_only_crossed_quantities_make_a_map():
    from benchmark_utils.results.studies import crossed_pairs

    grid = grid_runs()  # sparsity {1, 5} x snr {10, 30}: four cells
    assert crossed_pairs(grid, ["sparsity", "snr"]) == [("sparsity", "snr")]
    # Two problems that differ in both (1 nonzero at 10 dB, 5 at 30 dB): two
    # cells, each quantity with two values, no map.
    diagonal = grid[(grid["p_dataset_sparsity"] == 1)
                    == (grid["p_dataset_snr"] == 10.0)]
    assert crossed_pairs(diagonal, ["sparsity", "snr"]) == []
