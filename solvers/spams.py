import numpy as np
import spams
from benchopt import BaseSolver

from benchmark_utils.threads import get_n_threads
from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """SPAMS ``trainDL``: online dictionary learning (Mairal et al. 2009), in C++.

    ``mode=2`` solves ``min 0.5 ||x - D a||^2 + lambda1 ||a||_1`` per sample,
    our Lasso with ``lambda1 = lmbd``; atoms are Fortran-ordered columns,
    converted once outside the timed run. ``iter`` is the number of
    mini-batches: the curve re-runs from ``D_init`` with a growing ``iter``
    (why not a callback: ``docs/solvers.md``). SPAMS' OpenMP threads follow
    the benchmark's thread policy (``benchmark_utils.runtime.threads``).

    Parameters
    ----------
    batch_size : int
        Samples per mini-batch (``batchsize``).

    References
    ----------
    Mairal, Bach, Ponce and Sapiro (2009). Online dictionary learning for
    sparse coding. ICML.
    """

    name = "spams"
    requirements = ["pip::spams-bin"]
    sampling_strategy = "iteration"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {"batch_size": [256]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "linear")
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X_fortran = np.asfortranarray(X.T, dtype=np.float64)
        self.D_init_fortran = np.asfortranarray(D_init.T, dtype=np.float64)
        self.D_init, self.lmbd = D_init, lmbd

    def run(self, n_iter):
        if n_iter == 0:
            self.D = self.D_init
            return
        D = spams.trainDL(
            self.X_fortran, D=self.D_init_fortran.copy(order="F"),
            lambda1=self.lmbd, mode=2, iter=n_iter, batchsize=self.batch_size,
            numThreads=get_n_threads(), verbose=False,
        )
        self.D = np.ascontiguousarray(D.T)

    def get_result(self):
        return dict(D=self.D)
