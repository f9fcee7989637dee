"""Template of a solver: copy it to ``solvers/<your_solver>.py`` and edit it.

It runs as it is (``tests/test_contributing.py`` checks that it passes
``benchopt test`` once copied into ``solvers/``). CONTRIBUTING.md explains
every line; the conventions in short:

- ``X`` is ``(n_samples, n_features)``, a dictionary ``(n_atoms, n_features)``
  with atoms as rows; the model is ``X ~ Z @ D``;
- start from ``D_init`` (never draw your own start) and use ``lmbd`` as given;
- draw any randomness from ``self.get_seed(use_repetition=True)``;
- leave threads alone (the objective sets one policy for every solver);
- ``get_result`` returns ``dict(D=...)``, shape ``(n_atoms, n_features)``.
"""
import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_fista
from benchmark_utils.learning import (
    iterate_minibatches,
    project_atoms_unit_ball,
)


class Solver(BaseSolver):
    """Stochastic alternating minimization (a template to start from).

    At each iteration (one point of the curve), on a mini-batch ``X_b`` of
    ``b = batch_size`` training samples:

    1. Lasso codes ``Z`` of ``X_b`` for the current ``D``, with the benchmark's
       ``lmbd`` (the shared FISTA, loose tolerance);
    2. ``D <- P(D - (step / L) Z^T (Z D - X_b) / b)``, ``L`` the largest
       eigenvalue of ``Z^T Z / b`` and ``P`` the projection of every atom onto
       the unit l2 ball.

    Replace this docstring by your algorithm in the same shape, at most 40
    lines: its update in the paper's notation, its parameters, its references.
    Measurements (times, recoveries) go to the generated files of ``bench/``
    and the family's page in ``docs/``, not here.

    Parameters
    ----------
    batch_size : int
        Samples per mini-batch.
    step : float
        Step size, in units of ``1 / L``.

    References
    ----------
    Author, Author and Author (year). Title of the paper. Venue.
    """

    # The name users pass to `benchopt run -s`; lowercase, dashes.
    name = "my-solver"
    # pip packages it needs, as a literal list (benchopt reads it without
    # importing the file); "pip::" installs with pip.
    requirements = ["pip::scipy"]
    # "callback": run() calls callback() once per iteration (cheap curves);
    # "iteration": run(n_iter) is re-run from D_init with growing n_iter (for
    # a library you cannot interrupt, such as SPAMS' trainDL).
    sampling_strategy = "callback"
    # The criterion it optimizes ("lasso", "omp" or None): the stopping rule
    # ends its run at that criterion's recovery ceiling.
    criterion = "lasso"
    # Every combination of these values is a solver configuration.
    parameters = {"batch_size": [256], "step": [1.0]}
    # Smaller values for `benchopt test`, on its 500-sample problem.
    test_config = {"batch_size": 64}

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        # Everything done here is outside the timed run: checks, copies,
        # conversions to another layout.
        # n_nonzeros: nonzeros per code of the data model (None if unknown),
        # for methods that fix the sparsity (OMP, K-SVD) instead of lmbd.
        self.X, self.D_init, self.lmbd = X, D_init, lmbd
        self.seed = self.get_seed(use_repetition=True)

    def run(self, callback):
        n_samples = self.X.shape[0]
        batches = iterate_minibatches(
            n_samples, min(self.batch_size, n_samples), random_state=self.seed
        )
        D = self.D_init.copy()
        self.D = D
        while callback():  # False once the stopping rule or --timeout says so
            X_batch = self.X[next(batches)]
            Z = sparse_encode_fista(X_batch, D, self.lmbd, max_iter=30,
                                    tol=1e-3)
            gram = Z.T @ Z / len(X_batch)
            gradient = gram @ D - Z.T @ X_batch / len(X_batch)
            lipschitz = max(float(np.linalg.eigvalsh(gram)[-1]), 1e-12)
            D = project_atoms_unit_ball(D - self.step / lipschitz * gradient)
            self.D = D  # what get_result() returns at the next callback()

    def get_result(self):
        return dict(D=self.D)
