"""The stability score: known answers, invariances, the halves, the pairing
of replicates in a results frame."""
import numpy as np
import pandas as pd
import pytest

from benchmark_utils.metrics.stability import (
    replicate_skip_reason,
    split_halves,
    stability_score,
)
from benchmark_utils.results.stability import (
    rank_correlations,
    stability_figure,
    stability_pairs,
)


def unit_rows(rng, n_atoms, n_features):
    D = rng.standard_normal((n_atoms, n_features))
    return D / np.linalg.norm(D, axis=1, keepdims=True)


def test_same_dictionary_up_to_permutation_sign_and_scale_is_stable():
    rng = np.random.default_rng(0)
    D = unit_rows(rng, 12, 8)
    E = -3.0 * D[rng.permutation(12)]
    assert stability_score(D, E) == pytest.approx((1.0, 1.0))


def test_stability_is_symmetric_and_known_for_one_changed_atom():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    E = Q.copy()
    # Two atoms rotated by 60 degrees in their plane: each new atom is at
    # |correlation| 1/2 of its old self and sqrt(3)/2 of the other one, so
    # the one-to-one matching crosses them.
    E[0] = 0.5 * Q[0] + np.sqrt(3) / 2 * Q[5]
    E[5] = -np.sqrt(3) / 2 * Q[0] + 0.5 * Q[5]
    a, b = stability_score(Q, E), stability_score(E, Q)
    assert a == pytest.approx(b)
    assert a[0] == pytest.approx((4 + np.sqrt(3)) / 6)
    assert a[1] == pytest.approx(4 / 6)


def test_unrelated_dictionaries_are_not_stable():
    rng = np.random.default_rng(2)
    stability, fraction = stability_score(unit_rows(rng, 30, 20),
                                          unit_rows(rng, 30, 20))
    assert stability < 0.6
    assert fraction == 0.0


def test_broken_atoms_match_nothing():
    rng = np.random.default_rng(3)
    D = unit_rows(rng, 5, 4)
    E = D.copy()
    E[2] = np.nan
    stability, fraction = stability_score(D, E)
    assert fraction == pytest.approx(4 / 5)
    assert stability == pytest.approx(4 / 5)


def test_halves_are_disjoint_equal_and_reproducible():
    a, b = split_halves(11, random_state=0)
    assert len(a) == len(b) == 5
    assert not set(a) & set(b)
    assert np.all(np.diff(a) > 0) and np.all(np.diff(b) > 0)
    a2, b2 = split_halves(11, random_state=0)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    with pytest.raises(ValueError, match="at least 2"):
        split_halves(1)


def test_too_small_halves_are_refused_with_a_reason():
    assert replicate_skip_reason("half-1", 100, 30) is None
    reason = replicate_skip_reason("half-2", 50, 30)
    assert "25" in reason and "fewer than the 30 atoms" in reason
    # All the data: no half to be too small.
    assert replicate_skip_reason("init-1", 50, 30) is None
    assert "replicate must be one of" in replicate_skip_reason("thirds", 50, 3)


def _results(recoveries, stable=True, seed=0):
    """A benchopt-like results frame: for each solver, pairs of half
    replicates whose final dictionaries agree or not."""
    rng = np.random.default_rng(seed)
    rows = []
    for solver, pairs in recoveries.items():
        for rep, (recovery, noise) in enumerate(pairs):
            D = unit_rows(rng, 10, 6)
            for replicate in ("half-1", "half-2"):
                E = D + (noise * rng.standard_normal(D.shape)
                         if replicate == "half-2" else 0.0)
                for it, rec in ((0, 0.4), (1, recovery)):
                    rows.append(dict(
                        objective_name=f"Dictionary recovery[replicate="
                                       f"{replicate}]",
                        dataset_name="simulated[sparsity=2]",
                        solver_name=solver, idx_rep=rep, stop_val=it,
                        time=0.1 * it, p_obj_replicate=replicate,
                        p_dataset_sparsity=2, objective_recovery=rec,
                        objective_loss_train=1.0 - 0.1 * it,
                        objective_budget_spent=0.0,
                        objective_dictionary=list(map(list, E))))
    return pd.DataFrame(rows)


def test_pairs_in_a_results_frame_and_their_rank_correlation():
    # solver a: the more its two halves disagree, the lower its recovery.
    df = _results({"a": [(0.99, 0.0), (0.9, 0.2), (0.8, 0.5), (0.7, 1.0)],
                   "b": [(0.95, 0.0), (0.95, 0.0), (0.95, 0.0)]})
    pairs = stability_pairs(df)
    assert len(pairs) == 7
    assert set(pairs["pair"]) == {"split halves"}
    a = pairs[pairs["solver_name"] == "a"].sort_values("idx_rep")
    assert a["stability"].iloc[0] == pytest.approx(1.0)
    assert np.all(np.diff(a["stability"]) < 0)
    assert a["recovery"].tolist() == pytest.approx([0.99, 0.9, 0.8, 0.7])
    rhos = rank_correlations(pairs)
    assert rhos[("split halves", "a")] == (pytest.approx(1.0), 4)
    # Constant stability and recovery: no rank correlation to report.
    assert np.isnan(rhos[("split halves", "b")][0])
    fig = stability_figure(pairs)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("rho = +1.00" in t for t in legend)
    assert any("undefined" in t for t in legend)


def test_a_lone_replicate_is_not_paired_and_no_replicates_is_an_error():
    df = _results({"a": [(0.99, 0.0), (0.9, 0.2)]})
    lone = df[~((df["idx_rep"] == 1) & (df["p_obj_replicate"] == "half-2"))]
    assert len(stability_pairs(lone)) == 1
    with pytest.raises(ValueError, match="no paired replicates"):
        stability_pairs(df.drop(columns="objective_dictionary"))


def test_without_ground_truth_the_figure_shows_stability_per_solver():
    df = _results({"a": [(0.9, 0.0), (0.9, 0.3)], "b": [(0.9, 1.0)]})
    pairs = stability_pairs(df.drop(columns="objective_recovery"))
    assert "recovery" not in pairs
    assert rank_correlations(pairs) == {}
    fig = stability_figure(pairs)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]


SMALL = dict(n_samples=400, n_test=100)


def test_half_replicates_learn_from_two_disjoint_halves(load_problem):
    full, data = load_problem(dataset_params=SMALL)
    one, _ = load_problem(objective_params=dict(replicate="half-1"),
                          dataset_params=SMALL)
    two, _ = load_problem(objective_params=dict(replicate="half-2"),
                          dataset_params=SMALL)
    rows = {tuple(x) for x in data["X"]}
    first, second = {tuple(x) for x in one.X}, {tuple(x) for x in two.X}
    assert len(one.X) == len(two.X) == 200
    assert first <= rows and second <= rows and not first & second
    # The same start protocol (init=random: the same initial dictionary).
    np.testing.assert_array_equal(one.D_init, two.D_init)
    np.testing.assert_array_equal(one.D_init, full.D_init)
    # Each replicate keeps its dictionary for the pairing.
    result = one.evaluate_result(D=-2.0 * data["D_true"])
    assert result["dictionary"].shape == data["D_true"].shape
    np.testing.assert_allclose(np.abs(np.sum(result["dictionary"]
                                             * data["D_true"], axis=1)), 1.0)
    assert "dictionary" not in full.evaluate_result(D=data["D_true"])


def test_init_replicates_start_from_two_other_dictionaries(load_problem):
    full, data = load_problem(dataset_params=SMALL)
    one, _ = load_problem(objective_params=dict(replicate="init-1"),
                          dataset_params=SMALL)
    two, _ = load_problem(objective_params=dict(replicate="init-2"),
                          dataset_params=SMALL)
    np.testing.assert_array_equal(one.X, data["X"])
    assert not np.allclose(one.D_init, two.D_init)
    assert not np.allclose(one.D_init, full.D_init)
    # Drawn from the objective's seed: the same again.
    again, _ = load_problem(objective_params=dict(replicate="init-2"),
                            dataset_params=SMALL)
    np.testing.assert_array_equal(again.D_init, two.D_init)


def test_a_half_smaller_than_the_dictionary_is_skipped(benchmark):
    Objective = benchmark.get_benchmark_objective()
    objective = Objective.get_instance(replicate="half-1")
    X = np.zeros((50, 20))
    skip, reason = objective.skip(X=X, X_test=X, D_true=np.eye(30, 20))
    assert skip and "25, fewer than the 30 atoms" in reason
    skip, _ = Objective.get_instance(replicate="init-1").skip(
        X=X, X_test=X, D_true=np.eye(30, 20))
    assert not skip
