import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_fista
from benchmark_utils.learning import RESTARTS, least_squares_step
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Alternating minimization (AltMinDict), over the whole training set.

    Each iteration (one point of the curve), from ``D_init``:

    1. l1 coding of every sample for the current ``D``: the paper's
       ``min ||z||_1 s.t. ||x - z D|| <= eps_t`` in its penalized form, the
       Lasso with the objective's ``lmbd`` (the shared restarted FISTA,
       warm-started from the previous codes, ``lasso_max_iter`` iterations);
    2. hard thresholding: entries with ``|z| < code_threshold * lmbd`` set to 0
       (the paper thresholds at a multiple of ``eps_t`` to clean the supports);
    3. least squares, ``D = (Z^T Z)^{-1} Z^T X`` (relative ridge 1e-10), then
       the atoms normalized; the shared restart rule (``restart``).

    With ``code_threshold = 0`` this is the iteration of ``mod[coding=lasso]``:
    the two papers meet when the coding is l1. The theory is local (an
    initialization within ``O(1/s^2)`` of the truth); every init is run here.

    Parameters
    ----------
    lasso_max_iter : int
        FISTA iterations of the coding step: an inexact alternation
        (``docs/solvers.md``).
    code_threshold : float
        Hard threshold on the codes, in units of ``lmbd``; 0 skips the step.
    restart : {"unused", "none"}
        ``"unused"`` replaces the atoms used by fewer than 4 samples, zero or
        duplicated by the worst-represented samples
        (``benchmark_utils.learning.restart_atoms``); ``"none"`` never.

    References
    ----------
    Agarwal, Anandkumar, Jain, Netrapalli and Tandon (2014). Learning sparsely
    used overcomplete dictionaries. COLT.
    """

    name = "altmin"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {"lasso_max_iter": [10], "code_threshold": [0.0],
                  "restart": ["unused"]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = (model_mismatch_reason(D_init, "linear")
                  or invalid_choice_reason(restart=(self.restart, RESTARTS)))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd

    def run(self, callback):
        D, Z = self.D_init.copy(), None
        self.D = D
        while callback():
            Z = sparse_encode_fista(self.X, D, self.lmbd, Z_init=Z,
                                    max_iter=self.lasso_max_iter, tol=1e-4)
            if self.code_threshold > 0:
                Z[np.abs(Z) < self.code_threshold * self.lmbd] = 0.0
            D, Z = least_squares_step(self.X, Z, restart=self.restart)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
