from benchopt import BaseDataset

from benchmark_utils.simulation import make_problem


class Dataset(BaseDataset):
    """Simulated recovery problem ``X = Z @ D_true + noise``.

    See ``benchmark_utils.simulation.make_problem`` for the model. Every
    repetition (``-r``) draws an independent problem from benchopt's seed.
    """

    name = "simulated"
    requirements = ["pip::scipy"]

    parameters = {
        "n_features": [20],
        "n_atoms": [30],
        "n_samples": [2000],
        "n_test": [500],
        # int: exact number of nonzeros per code; float in (0, 1): Bernoulli rate.
        "sparsity": [3],
        # Signal-to-noise ratio in dB (inf: noiseless).
        "snr": [30.0],
    }

    test_parameters = {"n_samples": [500], "n_test": [200]}

    def get_data(self):
        problem = make_problem(
            n_samples=self.n_samples, n_features=self.n_features,
            n_atoms=self.n_atoms, sparsity=self.sparsity, n_test=self.n_test,
            snr=self.snr, random_state=self.get_seed(use_repetition=True),
        )
        if isinstance(self.sparsity, float):
            n_nonzeros = max(1, round(self.sparsity * self.n_atoms))
        else:
            n_nonzeros = self.sparsity
        return dict(
            X=problem.X, X_test=problem.X_test, D_true=problem.D_true,
            n_nonzeros=n_nonzeros, properties=problem.properties,
        )
