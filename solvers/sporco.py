import numpy as np
from benchopt import BaseSolver
from sporco.dictlrn.bpdndl import BPDNDictLearn

from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """SPORCO's ``BPDNDictLearn`` (Wohlberg 2017), an ADMM reference.

    Solves ``argmin_{D, X} 0.5 ||D X - S||_F^2 + lmbda ||X||_1`` with unit-norm
    atoms by interleaving one ADMM iteration of BPDN (codes) and one of the
    constrained MOD (dictionary) per outer iteration (the "interleaved" scheme
    of Garcia-Cardona and Wohlberg 2018). SPORCO stores atoms as columns and
    signals as columns: ``D0 = D_init.T`` (n_features, n_atoms),
    ``S = X.T``; the dictionary is transposed back in ``get_result``. Its loss
    is our per-sample Lasso summed over samples, so ``lmbda = lmbd``.

    The curve comes from SPORCO's ``Callback`` option, called after every
    outer iteration: it records the dictionary and asks benchopt whether to go
    on (a ``True`` return stops ``solve``). ADMM penalties and their automatic
    adaptation are SPORCO's defaults for this class.
    """

    name = "sporco"
    requirements = ["pip::sporco"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "linear")
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.S = np.ascontiguousarray(X.T)
        self.D_init, self.lmbd = D_init, lmbd

    def run(self, callback):
        self.D = self.D_init
        if not callback():
            return

        def sporco_callback(learner):
            self.D = np.ascontiguousarray(learner.getdict().T)
            return not callback()

        options = BPDNDictLearn.Options({
            "Verbose": False, "MaxMainIter": np.iinfo(np.int32).max,
            "Callback": sporco_callback,
        })
        learner = BPDNDictLearn(self.D_init.T.copy(), self.S, self.lmbd, options)
        learner.solve()

    def get_result(self):
        return dict(D=self.D)
