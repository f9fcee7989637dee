import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_cd
from benchmark_utils.learning import (
    RESTARTS,
    block_coordinate_update,
    iterate_minibatches,
    online_forgetting_factor,
    replace_unused_atoms,
)
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Online dictionary learning (Mairal, Bach, Ponce and Sapiro), in numpy.

    Algorithm 1 of the paper with mini-batches, the algorithm of SPAMS'
    ``trainDL`` (``docs/solvers.md`` sets the two side by side). At
    mini-batch ``t`` (one point of the curve; shuffled epochs):

    1. Lasso codes ``z`` of the mini-batch, ``0.5 ||x - z D||^2 + lmbd ||z||_1``
       (the shared coordinate descent, ``benchmark_utils.coding.lasso_cd``);
    2. the statistics ``A <- beta A + sum z^T z``, ``B <- beta B + sum z^T x``
       with the mini-batch weight ``beta = (theta + 1 - eta) / (theta + 1)``,
       ``eta = batch_size``, ``theta = t eta`` if ``t < eta`` else
       ``eta^2 + t - eta``, capped at ``2 n_samples`` (JMLR 2010, Section
       3.4.3; ``benchmark_utils.learning.online_forgetting_factor``); for a
       finite training set (Section 3.4.1) they keep the codes of the current
       and the previous pass only;
    3. one sweep of block coordinate descent on the atoms over the unit ball,
       warm-started at ``D`` (Algorithm 2).

    ``A`` starts at 0 (``t0 = 0``); atoms no sample has used (``A_jj = 0``)
    are not updated.

    Parameters
    ----------
    batch_size : int
        Samples per mini-batch.
    lasso_tol : float
        Tolerance of the coding (the paper solves it exactly, by LARS).
    restart : {"unused", "none"}
        ``"unused"``: after the first epoch, the atoms unused in the statistics
        of the last two passes are replaced by the worst-represented samples
        of the mini-batch, the paper's purge of unused atoms
        (``benchmark_utils.learning.replace_unused_atoms``); ``"none"`` never.

    References
    ----------
    Mairal, Bach, Ponce and Sapiro (2009). Online dictionary learning for
    sparse coding. ICML; (2010). Online learning for matrix factorization and
    sparse coding. JMLR.
    """

    name = "online-dl"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {
        "batch_size": [256],
        "lasso_tol": [1e-4],
        "restart": ["unused"],
    }
    test_config = {"batch_size": 64}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = (model_mismatch_reason(D_init, "linear")
                  or invalid_choice_reason(restart=(self.restart, RESTARTS)))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd
        self.seed = self.get_seed(use_repetition=True)

    def run(self, callback):
        n_samples = self.X.shape[0]
        n_atoms, n_features = self.D_init.shape
        batch_size = min(self.batch_size, n_samples)
        D = self.D_init.copy()
        # Statistics of the current pass over the data and of the previous one.
        A, A_previous = np.zeros((n_atoms, n_atoms)), np.zeros((n_atoms, n_atoms))
        B, B_previous = (np.zeros((n_atoms, n_features)),
                         np.zeros((n_atoms, n_features)))
        batches = iterate_minibatches(n_samples, batch_size,
                                      random_state=self.seed)
        t, seen, current_pass = 0, 0, 0
        self.D = D
        while callback():
            X_batch = self.X[next(batches)]
            t += 1
            # The pass this batch belongs to (the iterator's passes are whole
            # shuffled epochs; the last batch of one may be shorter).
            n_pass = seen // n_samples
            seen += len(X_batch)
            Z = sparse_encode_cd(X_batch, D, self.lmbd, tol=self.lasso_tol)
            if n_pass != current_pass:  # a new pass: drop the one before
                A_previous, B_previous = A, B  # the previous
                A, B = np.zeros_like(A), np.zeros_like(B)
                current_pass = n_pass
            beta = online_forgetting_factor(t, batch_size, n_samples)
            for M in (A, B, A_previous, B_previous):
                M *= beta
            A += Z.T @ Z
            B += Z.T @ X_batch
            A_all = A + A_previous
            D = block_coordinate_update(D, A_all, B + B_previous)
            if seen >= n_samples and self.restart == "unused":
                unused = np.diag(A_all) <= 0
                if unused.any():
                    D = replace_unused_atoms(D, unused, X_batch,
                                             X_batch - Z @ D)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
