from benchopt import BaseDataset

from benchmark_utils.simulation import (
    check_patch_parameters,
    make_patch_problem,
)
from benchmark_utils.validation import check_positive_int, infeasible_problem


class Dataset(BaseDataset):
    """Natural image patches, without a ground-truth dictionary.

    Patches of scikit-learn's two sample images (nothing is downloaded), gray
    levels, mean removed, scaled to unit variance, with additive Gaussian
    noise of ``noise_sigma`` gray levels; training patches from the left three
    quarters of each image, held-out patches from the right quarter. See
    ``benchmark_utils.simulation.make_patch_problem``.

    With ``D_true = None`` the objective reports no recovery; it reports the
    losses and ``psnr``, the denoising score of the held-out noisy patches
    reconstructed from their sparse codes against the clean patches (the
    noisy patches score ``data_psnr_noisy``, all-zero codes
    ``data_psnr_mean_only``), and the learned atoms as images (the "Learned
    atoms" view). Only the ``random`` and ``data`` inits apply.
    """

    name = "patches"
    requirements = ["pip::scikit-learn", "pip::pillow"]

    # The defaults are sized for `benchopt run .` (36 atoms of 6 x 6 from
    # 1,000 patches: a full-batch iteration costs half what 2,000 cost, the
    # dominant share of the default run; docs/speed.md); configs/patches.yml
    # learns 100 atoms of 8 x 8 from 5,000 patches.
    parameters = {
        "patch_size": [6],
        "n_atoms": [36],
        "n_samples": [1000],
        "n_test": [500],
        # Standard deviation of the noise in gray levels (images in [0, 1]):
        # 0.1 gives noisy patches at 20 dB PSNR.
        "noise_sigma": [0.1],
        # Nonzeros per code for the solvers that code with a fixed count
        # (OMP in K-SVD and MOD).
        "n_nonzeros": [5],
    }

    test_parameters = {"n_samples": [500], "n_test": [200], "n_atoms": [32]}

    def get_data(self):
        # Infeasible parameters (as a patch larger than the images) skip the
        # cell of a sweep with their reason.
        try:
            check_positive_int(self.n_atoms, "n_atoms")
            if not 1 <= self.n_nonzeros <= self.n_atoms:
                raise ValueError(
                    f"n_nonzeros must be in [1, n_atoms={self.n_atoms}], got "
                    f"{self.n_nonzeros}."
                )
            check_patch_parameters(self.n_samples, self.n_test,
                                   self.patch_size, self.noise_sigma,
                                   test_fraction=0.25)
            seed = self.get_seed(use_repetition=True)
            problem = make_patch_problem(
                n_samples=self.n_samples, n_test=self.n_test,
                patch_size=self.patch_size, noise_sigma=self.noise_sigma,
                random_state=seed,
            )
        except ValueError as error:
            return infeasible_problem(error)
        properties = dict(problem.properties,
                          n_features=self.patch_size ** 2)
        return dict(
            X=problem.X, X_test=problem.X_test, D_true=None,
            n_atoms=self.n_atoms, n_nonzeros=self.n_nonzeros,
            properties=properties, seed=seed,
            X_test_clean=problem.X_test_clean, pixel_scale=problem.scale,
            atom_shape=problem.atom_shape,
        )
