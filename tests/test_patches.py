"""The patches dataset (real images, no ground truth) and its denoising score."""
import numpy as np
import pytest
from sklearn.decomposition import MiniBatchDictionaryLearning

from benchmark_utils.learning import atoms_to_images
from benchmark_utils.metrics import psnr
from benchmark_utils.simulation import make_patch_problem
from benchmark_utils.simulation.patches import image_grid

SMALL = dict(n_samples=2000, n_test=400, patch_size=8)


def test_psnr_known_answer():
    x = np.zeros((10, 4))
    assert psnr(x + 0.1, x) == pytest.approx(20.0)
    # arrays in units of `scale` gray levels
    assert psnr(x + 1.0, x, scale=0.1) == pytest.approx(20.0)
    assert psnr(x, x) == np.inf


def test_patches_shapes_scale_and_means():
    p = make_patch_problem(**SMALL, noise_sigma=0.1, random_state=0)
    assert p.X.shape == (2000, 64) and p.X_test.shape == (400, 64)
    assert p.X_test_clean.shape == p.X_test.shape
    assert p.atom_shape == (8, 8)
    np.testing.assert_allclose(p.X.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(p.X_test.mean(axis=1), 0, atol=1e-12)
    assert p.X.std() == pytest.approx(1.0)
    # the noise of the held-out patches is the one asked for
    residual = (p.X_test - p.X_test_clean) * p.scale
    assert residual.std() == pytest.approx(0.1 * np.sqrt(1 - 1 / 64), rel=0.03)
    assert p.properties["psnr_noisy"] == pytest.approx(20.0, abs=0.2)
    assert p.properties["psnr_mean_only"] > p.properties["psnr_noisy"]


def test_patches_same_seed_same_bits():
    a = make_patch_problem(**SMALL, random_state=3)
    b = make_patch_problem(**SMALL, random_state=3)
    c = make_patch_problem(**SMALL, random_state=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X, c.X)


def test_noiseless_patches_score_infinite():
    p = make_patch_problem(**SMALL, noise_sigma=0.0, random_state=0)
    assert p.properties["psnr_noisy"] == np.inf
    np.testing.assert_array_equal(p.X_test, p.X_test_clean)


@pytest.mark.parametrize("params, match", [
    (dict(patch_size=1), "patch_size"),
    (dict(noise_sigma=-0.1), "noise_sigma"),
    (dict(n_samples=0), "n_samples"),
    (dict(patch_size=200), "does not fit"),
])
def test_bad_patch_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        make_patch_problem(**{**SMALL, **params}, random_state=0)


def test_atoms_as_images():
    D = np.vstack([np.arange(16.0), -np.arange(16.0), np.ones(16)])
    images = atoms_to_images(D, (4, 4))
    assert images.dtype == np.uint8 and images.shape == (3, 4, 4)
    assert images[0].min() == 0 and images[0].max() == 255
    assert images[1, 0, 0] == 255  # each atom stretched to its own range
    assert np.all(images[2] == 128)  # a constant atom is mid-gray
    grid = image_grid(images)
    assert grid.shape == (2 * 5 + 1, 2 * 5 + 1)
    assert 0 <= grid.min() and grid.max() <= 1


def test_objective_without_ground_truth(load_problem):
    objective, data = load_problem(
        dataset_name="patches",
        dataset_params=dict(n_samples=2000, n_test=400, n_atoms=32,
                            patch_size=8))
    assert data["D_true"] is None
    result = objective.evaluate_result(**objective.get_one_result())
    assert "recovery" not in result and "recovered_fraction" not in result
    assert np.isfinite(result["loss_train"]) and np.isfinite(result["psnr"])
    assert result["atoms"].shape == (32, 8, 8)
    assert result["data_psnr_noisy"] == pytest.approx(20.0, abs=0.3)


def test_learning_on_noisy_patches_denoises_held_out_patches(load_problem):
    """A dictionary learned on the noisy training patches beats the noisy
    patches, the all-zero codes and the random initial dictionary."""
    objective, data = load_problem(
        dataset_name="patches",
        dataset_params=dict(n_samples=3000, n_test=400, n_atoms=32,
                            patch_size=8))
    start = objective.evaluate_result(**objective.get_one_result())
    learner = MiniBatchDictionaryLearning(
        n_components=32, alpha=objective.lmbd, batch_size=256, max_iter=5,
        dict_init=objective.D_init, random_state=0,
    ).fit(data["X"])
    end = objective.evaluate_result(learner.components_)
    assert end["loss_train"] < start["loss_train"]
    assert end["psnr"] > start["psnr"]
    assert end["psnr"] > data["properties"]["psnr_mean_only"] + 1.0
    assert end["psnr"] > data["properties"]["psnr_noisy"] + 4.0


def test_close_init_needs_a_ground_truth(load_problem):
    with pytest.raises(ValueError, match="init='close' needs a ground-truth"):
        load_problem(objective_params=dict(init="close"),
                     dataset_name="patches",
                     dataset_params=dict(n_samples=500, n_test=100))
