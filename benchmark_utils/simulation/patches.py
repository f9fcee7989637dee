"""Natural image patches: a recovery problem without a ground truth.

The images are the two photographs shipped inside scikit-learn
(``sklearn.datasets.load_sample_images``: ``china.jpg`` and ``flower.jpg``,
427 x 640 RGB), so nothing is downloaded. The model of the denoising score:

- each image is converted to gray levels in [0, 1] (ITU-R 601 luma);
- its columns are split once: the left ``1 - test_fraction`` share gives the
  training patches, the right share the held-out patches, so that no pixel is
  in both sets;
- square patches of ``patch_size`` pixels are drawn at random positions
  (``sklearn.feature_extraction.image.extract_patches_2d``), half from each
  image;
- Gaussian noise of standard deviation ``noise_sigma`` (in gray levels) is
  added to every patch, training and held-out (the learner never sees a clean
  patch, as in K-SVD denoising);
- each noisy patch has its mean removed, and every array is divided by one
  scale, the standard deviation of the centered noisy training patches, so
  that ``X`` has unit variance per entry.

The denoising score is the PSNR of the held-out noisy patches reconstructed
from their sparse codes, ``Z @ D`` plus the noisy patch's mean, against the
clean patches, in gray levels (peak 1): ``X_test_clean`` holds the clean
patches minus the *noisy* patch's mean, divided by the scale, so that
``psnr(Z @ D, X_test_clean, scale)`` is exactly that score.
"""
from dataclasses import dataclass, field

import numpy as np

from benchmark_utils.metrics.denoising import psnr

# ITU-R BT.601 luma weights, the usual RGB to gray conversion.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


@dataclass
class PatchProblem:
    """Training and held-out patches with their clean references.

    Attributes
    ----------
    X : ndarray of shape (n_samples, patch_size ** 2)
        Noisy training patches, mean removed, scaled.
    X_test : ndarray of shape (n_test, patch_size ** 2)
        Noisy held-out patches, mean removed, scaled.
    X_test_clean : ndarray of shape (n_test, patch_size ** 2)
        Clean held-out patches minus the noisy patch's mean, scaled.
    scale : float
        The divisor applied to every array (gray levels per unit of ``X``).
    atom_shape : tuple of int
        ``(patch_size, patch_size)``: how to show an atom as an image.
    properties : dict
        Measured facts: ``psnr_noisy`` (PSNR of the noisy held-out patches,
        the score of doing nothing), ``psnr_mean_only`` (the score of all-zero
        codes: every patch replaced by its noisy mean), ``noise_sigma``,
        ``scale``, ``patch_size``.
    """

    X: np.ndarray
    X_test: np.ndarray
    X_test_clean: np.ndarray
    scale: float
    atom_shape: tuple
    properties: dict = field(default_factory=dict)


def load_gray_images():
    """scikit-learn's sample images as gray levels in [0, 1] (float64)."""
    from sklearn.datasets import load_sample_images

    images = load_sample_images().images
    return [np.asarray(image, dtype=np.float64) @ LUMA_WEIGHTS / 255.0
            for image in images]


def check_patch_parameters(n_samples, n_test, patch_size, noise_sigma,
                           test_fraction):
    """Raise ``ValueError`` on parameters that cannot make a patch problem."""
    for name, value in (("n_samples", n_samples), ("n_test", n_test),
                        ("patch_size", patch_size)):
        if not (isinstance(value, (int, np.integer)) and value >= 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if patch_size < 2:
        raise ValueError(f"patch_size must be at least 2, got {patch_size}.")
    if not (np.isfinite(noise_sigma) and noise_sigma >= 0):
        raise ValueError(
            f"noise_sigma must be a finite number >= 0 (gray levels in [0, 1]), "
            f"got {noise_sigma!r}."
        )
    if not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must be in (0, 1), got {test_fraction!r}."
        )


def make_patch_problem(n_samples=5000, n_test=1000, patch_size=8,
                       noise_sigma=0.1, test_fraction=0.25,
                       random_state=None):
    """Draw training and held-out patches from scikit-learn's sample images.

    Parameters
    ----------
    n_samples, n_test : int
        Number of training and held-out patches (half from each image).
    patch_size : int
        Side of the square patches, in pixels (``patch_size ** 2`` features).
    noise_sigma : float >= 0
        Standard deviation of the additive Gaussian noise, in gray levels
        (images in [0, 1]); 0.1 gives a noisy PSNR of about 20 dB.
    test_fraction : float in (0, 1)
        Share of each image's columns (on the right) kept for held-out patches.
    random_state : int, Generator or None
        Seed of the patch positions and the noise.

    Returns
    -------
    PatchProblem
    """
    from sklearn.feature_extraction.image import extract_patches_2d

    check_patch_parameters(n_samples, n_test, patch_size, noise_sigma,
                           test_fraction)
    rng = np.random.default_rng(random_state)
    images = load_gray_images()
    counts = {
        "train": np.array_split(np.arange(n_samples), len(images)),
        "test": np.array_split(np.arange(n_test), len(images)),
    }
    clean = {"train": [], "test": []}
    for i, image in enumerate(images):
        cut = int(round(image.shape[1] * (1 - test_fraction)))
        regions = {"train": image[:, :cut], "test": image[:, cut:]}
        for split, region in regions.items():
            if min(region.shape) < patch_size:
                raise ValueError(
                    f"patch_size={patch_size} does not fit in the {split} part "
                    f"of the images ({region.shape[0]} x {region.shape[1]} "
                    f"pixels); lower patch_size or change test_fraction."
                )
            n = len(counts[split][i])
            seed = int(rng.integers(2 ** 31 - 1))
            patches = extract_patches_2d(region, (patch_size, patch_size),
                                         max_patches=n, random_state=seed)
            clean[split].append(patches.reshape(n, -1))
    clean = {split: np.concatenate(parts) for split, parts in clean.items()}

    noisy = {split: c + noise_sigma * rng.standard_normal(c.shape)
             for split, c in clean.items()}
    means = {split: x.mean(axis=1, keepdims=True) for split, x in noisy.items()}
    X = noisy["train"] - means["train"]
    scale = float(X.std())
    if not scale > 0:
        raise ValueError("the training patches are constant: nothing to learn.")
    X = X / scale
    X_test = (noisy["test"] - means["test"]) / scale
    X_test_clean = (clean["test"] - means["test"]) / scale
    properties = dict(
        patch_size=int(patch_size), noise_sigma=float(noise_sigma),
        scale=scale, psnr_noisy=float(psnr(X_test, X_test_clean, scale)),
        # The score of codes that are all zero: each patch denoised to its
        # (noisy) mean; a dictionary has to beat it to be of any use.
        psnr_mean_only=float(psnr(0.0, X_test_clean, scale)),
    )
    return PatchProblem(X=X, X_test=X_test, X_test_clean=X_test_clean,
                        scale=scale, atom_shape=(patch_size, patch_size),
                        properties=properties)


def image_grid(atom_images, n_cols=None, border=1):
    """Tile atom images (``(n_atoms, h, w)``, uint8 or float) into one image.

    Returns a float array in [0, 1] with a white border between atoms.
    """
    atom_images = np.asarray(atom_images, dtype=np.float64)
    if atom_images.max(initial=0) > 1:
        atom_images = atom_images / 255.0
    n, h, w = atom_images.shape
    n_cols = n_cols or int(np.ceil(np.sqrt(n)))
    n_rows = int(np.ceil(n / n_cols))
    grid = np.ones((n_rows * (h + border) + border,
                    n_cols * (w + border) + border))
    for k in range(n):
        r, c = divmod(k, n_cols)
        top, left = border + r * (h + border), border + c * (w + border)
        grid[top:top + h, left:left + w] = atom_images[k]
    return grid
