import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_fista
from benchmark_utils.learning import RESTARTS, least_squares_step
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Alternating minimization (Agarwal, Anandkumar, Jain, Netrapalli and
    Tandon 2014, "Learning sparsely used overcomplete dictionaries", COLT).

    The paper's AltMinDict, over the whole training set at each iteration:

    1. l1 coding of every sample for the current dictionary. The paper solves
       the constrained form ``min ||z||_1 s.t. ||x - z D|| <= eps_t``; here the
       equivalent penalized form with the objective's ``lmbd`` (the Lasso
       shared by all solvers, restarted FISTA), warm-started from the previous
       codes and stopped after ``lasso_max_iter`` iterations (an inexact
       alternation, measured against exact solves in ``docs/solvers.md``);
    2. hard thresholding of the codes: entries with
       ``|z| < code_threshold * lmbd`` are set to 0 (the paper thresholds at a
       multiple of its ``eps_t`` to clean the supports; 0, the default, skips
       the step, the Lasso codes being sparse already);
    3. least-squares dictionary ``D = (Z^T Z)^{-1} Z^T X`` (a relative ridge of
       1e-10 against rank deficiency) and normalization of the atoms.

    With ``code_threshold = 0`` an iteration is the one of MOD with Lasso
    coding (``mod[coding=lasso]``): the two papers meet on the same alternation
    when the coding is l1. The theory of Agarwal et al. is local (an
    initialization within ``O(1/s^2)`` of the truth, from their clustering
    method); here every init of the objective is run and scored. With
    ``restart="unused"`` (the default), atoms used by fewer than 4 samples,
    zero, or duplicating another are replaced by normalized worst-represented
    samples, the rule every solver family shares
    (``benchmark_utils.learning.restart_atoms``; ``"none"``: never).
    One iteration is one point of the curve.
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
