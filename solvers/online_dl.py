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
    """Online dictionary learning (Mairal, Bach, Ponce and Sapiro 2009, ICML).

    Algorithm 1 of the paper with its mini-batch extension, written in numpy
    (and the benchmark's compiled Lasso coordinate descent) so that it can be
    set against SPAMS' C++ ``trainDL`` (same algorithm) on equal terms. At
    mini-batch ``t`` (samples drawn from shuffled epochs):

    1. sparse coding of the mini-batch with the Lasso
       ``0.5 ||x - z D||^2 + lmbd ||z||_1``, by the shared coordinate descent
       to a tolerance of ``lasso_tol`` (the paper solves it exactly with LARS;
       at 1e-4 the loss is within about 1e-8 of the exact one, see
       ``benchmark_utils.coding.lasso``);
    2. sufficient statistics ``A = sum z z^T`` and ``B = sum z^T x``, each
       past term weighted down at every mini-batch by the mini-batch weight
       ``beta = (theta + 1 - eta) / (theta + 1)`` of the JMLR 2010 version
       of the paper (Section 3.4.3), ``eta = batch_size``, ``theta = t eta``
       if ``t < eta`` else ``eta^2 + t - eta``, capped at ``2 n_samples``
       (``benchmark_utils.learning.online_forgetting_factor``); and, since the
       training set is finite and revisited (Section 3.4.1, "handling
       fixed-size data sets"), the statistics keep the codes of the current
       and the previous pass only: at the start of each pass the pass before
       the previous one is dropped, so that a sample does not count with the
       code an older dictionary gave it. Both are what SPAMS ``trainDL`` does
       (its ``A`` and ``B`` are kept as an even-pass and an odd-pass part);
       without them, at a batch of 256 the memory of the statistics is some
       65,000 samples, and on the default problem (2,000 samples) this
       solver took 2,398 mini-batches to the recovery SPAMS reached in 141;
    3. one sweep of block coordinate descent on the atoms over the unit ball,
       warm-started at the current dictionary (Algorithm 2).

    Atoms that no sample has used yet (``A_jj = 0``) are not updated; after the
    first epoch, with ``restart="unused"`` (the default), such atoms are
    replaced by the worst-represented samples of the current mini-batch, the
    paper's "purging the dictionary from unused atoms": the benchmark's
    restart rule with the usage counted on the statistics of the last two
    passes rather than on one batch (``"none"``: never). ``A`` starts at 0
    (the paper's ``t0 = 0``). One mini-batch is one iteration of the curve.
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
