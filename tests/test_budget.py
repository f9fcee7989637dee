"""The error budget splits 1 - recovery into its three parts exactly."""
import numpy as np
import pandas as pd
import pytest

from benchmark_utils.results.budget import error_budget, error_budget_figure


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
