from benchopt import BaseDataset

from benchmark_utils.simulation import (
    CoherenceNotReachedError,
    check_problem_parameters,
    make_problem,
    rip_sparsity,
)
from benchmark_utils.validation import infeasible_problem


class Dataset(BaseDataset):
    """Simulated recovery problem ``X = Z @ D_true + noise``.

    See ``benchmark_utils.simulation.make_problem`` for the model and
    ``make_dictionary`` for the dictionary kinds. Every repetition (``-r``)
    draws an independent problem from benchopt's seed. The measured properties
    (coherence, Welch bound, RIP estimates, realized SNR, ...) are passed on
    and land in the results as ``data_*`` columns.

    An infeasible combination of parameters (for instance ``kind="orthogonal"``
    with ``n_atoms != n_features``, ``sparsity`` above ``n_atoms``, or a
    coherence target below what can be reached for the shape) is not drawn:
    ``get_data`` returns the reason as ``skip_reason`` (the ``ValueError``
    message of the simulator) and the objective skips that cell of the grid,
    so that a sweep runs its feasible cells instead of stopping at the first
    infeasible one.
    """

    name = "simulated"
    requirements = ["pip::scipy", "pip::threadpoolctl"]

    parameters = {
        "n_features": [20],
        "n_atoms": [30],
        "n_samples": [2000],
        "n_test": [500],
        # gaussian, orthogonal, dirac-hadamard, dirac-dct, grassmannian or
        # coherence (the latter with a target `coherence`).
        "kind": ["gaussian"],
        # Target mutual coherence, only for kind="coherence" (None otherwise).
        "coherence": [None],
        # int: exact number of nonzeros per code; float in (0, 1): Bernoulli rate.
        "sparsity": [3],
        # Amplitude law of the nonzeros: gaussian, rademacher or uniform.
        "distribution": ["gaussian"],
        # Signal-to-noise ratio in dB (inf: noiseless).
        "snr": [30.0],
        # Share of training samples replaced by dense noise outliers.
        "outlier_fraction": [0.0],
    }

    test_parameters = {"n_samples": [500], "n_test": [200]}

    def get_data(self):
        params = dict(
            n_samples=self.n_samples, n_features=self.n_features,
            n_atoms=self.n_atoms, sparsity=self.sparsity, n_test=self.n_test,
            snr=self.snr, kind=self.kind, coherence=self.coherence,
            distribution=self.distribution,
            outlier_fraction=self.outlier_fraction,
        )
        # Infeasible parameters are told without drawing anything; a
        # coherence target near the lowest reachable value can still fail at
        # generation time, from some seeds: both skip the cell. Any other
        # error of the generation is a bug and is raised.
        try:
            check_problem_parameters(**params)
        except ValueError as error:
            return infeasible_problem(error)
        seed = self.get_seed(use_repetition=True)
        try:
            # The codes are not passed on: drawn as CSR matrices, they never
            # take the dense (n_samples, n_atoms) memory (2 GB at 1e6 x 256);
            # X is the same either way.
            problem = make_problem(**params, sparse_codes=True,
                                   random_state=seed)
        except CoherenceNotReachedError as error:
            return infeasible_problem(error)
        return dict(
            X=problem.X, X_test=problem.X_test, D_true=problem.D_true,
            n_nonzeros=rip_sparsity(self.sparsity, self.n_atoms),
            properties=problem.properties, seed=seed,
        )
