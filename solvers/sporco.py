import numpy as np
from benchopt import BaseSolver
from sporco.dictlrn.bpdndl import BPDNDictLearn

from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """SPORCO's ``BPDNDictLearn``, an ADMM reference (Wohlberg 2017).

    It solves ``argmin_{D, X} 0.5 ||D X - S||_F^2 + lmbda ||X||_1`` with
    unit-norm atoms, interleaving per outer iteration (one point of the curve)
    one ADMM iteration of BPDN on the codes and one of the constrained MOD on
    the dictionary (Garcia-Cardona and Wohlberg 2018). Atoms and signals are
    columns there: ``D0 = D_init.T``, ``S = X.T``, transposed back in
    ``get_result``. Its loss is our Lasso summed over samples, so
    ``lmbda = lmbd``. The ADMM penalties and their adaptation are SPORCO's
    defaults for this class; the curve comes from its ``Callback`` option.
    It has no parameter of its own.

    References
    ----------
    Wohlberg (2017). SPORCO: a Python package for standard and convolutional
    sparse representations. SciPy.
    Garcia-Cardona and Wohlberg (2018). Convolutional dictionary learning: a
    comparative review and new algorithms. IEEE TCI.
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
