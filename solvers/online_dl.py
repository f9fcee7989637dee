import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_fista
from benchmark_utils.learning import (
    block_coordinate_update,
    iterate_minibatches,
    online_forgetting_factor,
    replace_unused_atoms,
)


class Solver(BaseSolver):
    """Online dictionary learning (Mairal, Bach, Ponce and Sapiro 2009, ICML).

    Algorithm 1 of the paper with its mini-batch extension, written in numpy so
    that it can be set against SPAMS' C++ ``trainDL`` (same algorithm) on equal
    terms. At mini-batch ``t`` (samples drawn from shuffled epochs):

    1. sparse coding of the mini-batch with the Lasso
       ``0.5 ||x - z D||^2 + lmbd ||z||_1`` (shared restarted FISTA, stopped at
       a relative change of ``lasso_tol`` or ``lasso_max_iter`` iterations: the
       paper solves it exactly with LARS; a loose tolerance costs nothing in
       recovery here and is 6 times cheaper than 1e-7);
    2. sufficient statistics ``A <- beta A + sum z z^T`` and
       ``B <- beta B + sum z^T x`` with the paper's mini-batch weight
       ``beta = (theta + 1 - eta) / (theta + 1)``, ``eta = batch_size``,
       ``theta = t eta`` if ``t < eta`` else ``eta^2 + t - eta``
       (``benchmark_utils.learning.online_forgetting_factor``);
    3. one sweep of block coordinate descent on the atoms over the unit ball,
       warm-started at the current dictionary (Algorithm 2).

    Atoms that no sample has used yet (``A_jj = 0``) are not updated; after the
    first epoch, such atoms are replaced by the worst-represented samples of the
    current mini-batch, the paper's "purging the dictionary from unused
    atoms". ``A`` starts at 0 (the paper's ``t0 = 0``). One
    mini-batch is one iteration of the curve.
    """

    name = "online-dl"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {
        "batch_size": [256],
        "lasso_tol": [1e-3],
        "lasso_max_iter": [30],
    }
    test_config = {"batch_size": 64}

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd
        self.seed = self.get_seed(use_repetition=True)

    def run(self, callback):
        n_samples = self.X.shape[0]
        n_atoms, n_features = self.D_init.shape
        batch_size = min(self.batch_size, n_samples)
        D = self.D_init.copy()
        A = np.zeros((n_atoms, n_atoms))
        B = np.zeros((n_atoms, n_features))
        batches = iterate_minibatches(n_samples, batch_size,
                                      random_state=self.seed)
        t = 0
        self.D = D
        while callback():
            X_batch = self.X[next(batches)]
            t += 1
            Z = sparse_encode_fista(X_batch, D, self.lmbd,
                                    max_iter=self.lasso_max_iter,
                                    tol=self.lasso_tol)
            beta = online_forgetting_factor(t, batch_size)
            A *= beta
            A += Z.T @ Z
            B *= beta
            B += Z.T @ X_batch
            D = block_coordinate_update(D, A, B)
            if t * batch_size >= n_samples:
                unused = np.diag(A) <= 0
                if unused.any():
                    D = replace_unused_atoms(D, unused, X_batch,
                                             X_batch - Z @ D)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
