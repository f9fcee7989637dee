"""The objective: one shared start, scores that are right, bad input caught."""
import copy

import numpy as np
import pytest

from benchmark_utils.learning import normalize_atoms
from benchmark_utils.metrics import lasso_recovery_ceiling, omp_recovery_ceiling

SMALL = dict(n_samples=400, n_test=100)


def test_true_dictionary_scores_one(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    rng = np.random.default_rng(0)
    D = data["D_true"][rng.permutation(30)] * rng.choice([-3.0, 0.5], (30, 1))
    result = objective.evaluate_result(D=D)
    assert result["recovery"] == pytest.approx(1.0, abs=1e-12)
    assert result["recovered_fraction"] == 1.0
    assert result["n_invalid_atoms"] == 0
    # The truth explains held-out data as well as training data.
    assert abs(result["generalization_gap"]) < 0.1 * result["loss_train"]


def test_losses_ignore_atom_scale(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    D = objective.D_init
    scaled = D * np.linspace(0.1, 10, D.shape[0])[:, None]
    a, b = objective.evaluate_result(D=D), objective.evaluate_result(D=scaled)
    for key in ("loss_train", "loss_test", "recovery"):
        assert a[key] == pytest.approx(b[key], rel=1e-9)


def test_truth_has_lower_loss_than_init(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    truth = objective.evaluate_result(D=data["D_true"])
    init = objective.evaluate_result(D=objective.D_init)
    assert truth["loss_train"] < init["loss_train"]
    assert truth["loss_test"] < init["loss_test"]
    assert init["recovery"] < 0.9


def test_rescaling_data_changes_no_score(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    scaled = dict(data, X=3.0 * data["X"], X_test=3.0 * data["X_test"])
    objective_scaled, _ = load_problem(dataset_params=SMALL)
    objective_scaled.set_data(**scaled)
    assert objective_scaled.lmbd == pytest.approx(3.0 * objective.lmbd)
    D = objective.D_init
    a = objective.evaluate_result(D=D)
    b = objective_scaled.evaluate_result(D=D)
    assert b["recovery"] == pytest.approx(a["recovery"])
    # The Lasso value is 2-homogeneous in (X, lmbd).
    assert b["loss_train"] == pytest.approx(9.0 * a["loss_train"], rel=1e-5)


def test_nan_and_inf_atoms_are_flagged_not_crashing(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    D = data["D_true"].copy()
    D[0, 0] = np.nan
    D[1, 3] = np.inf
    result = objective.evaluate_result(D=D)
    assert result["n_invalid_atoms"] == 2
    assert result["recovery"] == pytest.approx(28 / 30, abs=1e-12)
    scores = [v for v in result.values() if not isinstance(v, str)]
    assert all(np.isfinite(v) for v in scores)
    all_nan = objective.evaluate_result(D=np.full_like(D, np.nan))
    assert all_nan["recovery"] == 0.0 and all_nan["n_invalid_atoms"] == 30
    assert np.isfinite(all_nan["loss_train"])


def test_zero_atoms_count_as_missing(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    D = data["D_true"].copy()
    D[:3] = 0.0
    assert objective.evaluate_result(D=D)["recovery"] == pytest.approx(27 / 30)


def test_wrong_shape_names_expected_shape(load_problem):
    objective, data = load_problem(dataset_params=SMALL)
    with pytest.raises(ValueError, match=r"\(30, 20\)"):
        objective.evaluate_result(D=data["D_true"].T)


@pytest.mark.parametrize("params, match", [
    (dict(init="foo"), r"init must be one of \['random', 'data', 'close'\]"),
    (dict(reg=-0.1), "reg"),
    (dict(reg=float("nan")), "reg"),
    (dict(close_distance=3.0), "close_distance"),
])
def test_bad_objective_parameters(load_problem, params, match):
    with pytest.raises(ValueError, match=match):
        load_problem(objective_params=params, dataset_params=SMALL)


@pytest.mark.parametrize("params, match", [
    (dict(sparsity=-1), "sparsity"),
    (dict(sparsity=40), "sparsity"),
    (dict(snr=float("nan")), "snr"),
])
def test_bad_dataset_parameters(load_problem, params, match):
    with pytest.raises(ValueError, match=match):
        load_problem(dataset_params=dict(SMALL, **params))


@pytest.mark.parametrize("init", ["random", "data", "close"])
def test_shared_init_is_unit_norm_and_reproducible(load_problem, init):
    objective, data = load_problem(objective_params=dict(init=init),
                                   dataset_params=SMALL)
    D_init = objective.get_objective()["D_init"]
    assert D_init.shape == data["D_true"].shape
    np.testing.assert_allclose(np.linalg.norm(D_init, axis=1), 1.0)
    # Every solver gets the same start; a copy, so none can alter another's.
    again = objective.get_objective()["D_init"]
    assert again is not D_init and np.array_equal(again, D_init)
    same_seed, _ = load_problem(objective_params=dict(init=init),
                                dataset_params=SMALL)
    assert np.array_equal(same_seed.D_init, D_init)
    other_rep, _ = load_problem(objective_params=dict(init=init),
                                dataset_params=SMALL, repetition=1)
    assert not np.array_equal(other_rep.D_init, D_init)


def test_data_init_uses_training_samples(load_problem):
    objective, data = load_problem(objective_params=dict(init="data"),
                                   dataset_params=SMALL)
    X_normalized = normalize_atoms(data["X"])
    similarity = np.abs(objective.D_init @ X_normalized.T).max(axis=1)
    np.testing.assert_allclose(similarity, 1.0)


@pytest.mark.parametrize("distance", [0.1, 0.5, 1.2])
def test_close_init_is_at_the_set_distance(load_problem, distance):
    objective, data = load_problem(
        objective_params=dict(init="close", close_distance=distance),
        dataset_params=SMALL,
    )
    gaps = np.linalg.norm(objective.D_init - data["D_true"], axis=1)
    np.testing.assert_allclose(gaps, distance, atol=1e-12)


def test_evaluation_subsample_is_fixed(load_problem):
    objective, _ = load_problem(dataset_params=dict(n_samples=3000, n_test=2500))
    assert objective.scorer.X_eval.shape[0] == objective.n_eval_samples
    assert objective.scorer.X_test_eval.shape[0] == objective.n_eval_samples
    again, _ = load_problem(dataset_params=dict(n_samples=3000, n_test=2500))
    np.testing.assert_array_equal(again.scorer.X_eval, objective.scorer.X_eval)


def test_warm_started_scores_equal_cold_ones_along_a_run(load_problem):
    # The objective warm-starts its scorer's codes from the previous iterate;
    # along a sequence of iterates (init to truth) the scores are the cold
    # ones, and a new run (get_objective) starts from no codes.
    objective, data = load_problem(dataset_params=SMALL)
    assert objective.scorer.warm_start
    cold = copy.copy(objective.scorer)
    cold.warm_start = False
    cold.reset()
    objective.get_objective()
    for t in np.linspace(0.0, 1.0, 6):
        D = (1 - t) * objective.D_init + t * data["D_true"]
        warm, ref = objective.evaluate_result(D=D), cold(D)
        for key in ("loss_train", "loss_test", "recovery"):
            assert warm[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-12)
    assert objective.scorer._codes[0] is not None
    objective.get_objective()
    assert objective.scorer._codes[0] is None
    assert objective.scorer._codes[1] is None


def test_ceilings_are_those_of_the_training_set(load_problem, monkeypatch):
    # A ceiling bounds what a learner of the training set can reach: with
    # more samples than the evaluation subset, it is computed on all of them
    # (on the evaluation subset alone it is lower: fewer samples, more noise
    # in the criterion's stationary point).
    objective, data = load_problem(dataset_params=dict(n_samples=8000,
                                                       n_test=200))
    X, D_true, lmbd = data["X"], data["D_true"], objective.lmbd
    ceiling = objective.properties["ceiling_lasso"]
    assert ceiling == lasso_recovery_ceiling(X, D_true, lmbd)
    assert objective.properties["ceiling_omp"] == omp_recovery_ceiling(
        X, D_true, data["n_nonzeros"])
    assert lasso_recovery_ceiling(objective.scorer.X_eval, D_true,
                                  lmbd) < ceiling
    # Beyond n_ceiling_samples, a fixed subset of that size.
    monkeypatch.setattr(type(objective), "n_ceiling_samples", 3000)
    capped, _ = load_problem(dataset_params=dict(n_samples=8000, n_test=200))
    again, _ = load_problem(dataset_params=dict(n_samples=8000, n_test=200))
    assert capped.properties["ceiling_lasso"] != ceiling
    assert capped.properties["ceiling_lasso"] == \
        again.properties["ceiling_lasso"]
