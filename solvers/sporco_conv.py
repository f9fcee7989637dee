import numpy as np
from benchopt import BaseSolver
from sporco.dictlrn.cbpdndl import ConvBPDNDictLearn
from sporco.pgm.backtrack import BacktrackStandard

from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)

# The dictionary steps offered: SPORCO's proximal gradient step with
# backtracking, or its ADMM consensus step (docstring of the solver).
DMETHODS = ("pgm-backtrack", "cns")


def to_sporco_atoms(D):
    """Atoms ``(n_atoms, n_channels, n_times_atom)`` in SPORCO's layout,
    time first: ``(n_times_atom, n_channels, n_atoms)``."""
    return np.ascontiguousarray(np.transpose(D, (2, 1, 0)))


def from_sporco_atoms(D, shape):
    """SPORCO's dictionary (``(n_times_atom, n_channels, [1,] n_atoms)``)
    back in our layout ``shape = (n_atoms, n_channels, n_times_atom)``."""
    n_atoms, n_channels, n_times_atom = shape
    D = np.reshape(D, (n_times_atom, n_channels, n_atoms))
    return np.ascontiguousarray(np.transpose(D, (2, 1, 0)), dtype=np.float64)


class Solver(BaseSolver):
    """SPORCO's convolutional dictionary learning, ``ConvBPDNDictLearn``.

    It solves, over atoms of unit norm on their support of ``n_times_atom``
    samples (all channels together) and activation maps shared by the channels,

        min_{d, z} 0.5 sum_n ||sum_k d_k * z_nk - x_n||^2
                   + lmbda sum_n sum_k ||z_nk||_1,

    the benchmark's convolutional Lasso summed over signals instead of averaged
    (the same minimizers, ``lmbda = lmbd``). One outer iteration, one point of
    the curve, interleaves two steps coupled as SPORCO couples them:

    1. one ADMM iteration of convolutional BPDN on the activations (solved in
       the DFT domain), with ``NoBndryCross``: the activations whose atom would
       wrap around the signal's end are zero, which leaves exactly the
       benchmark's linear (non-circular) model;
    2. one iteration of the constrained convolutional MOD on the atoms
       (``CCMOD``), by the method ``dmethod``.

    Arrays are transposed to SPORCO's time-first layout and back, never
    flipped. Why SPORCO's default dictionary step is not offered, and the
    boundaries: ``docs/convolutional.md``.

    Parameters
    ----------
    dmethod : {"pgm-backtrack", "cns"}
        One accelerated proximal gradient step, ``1 / L`` found by the
        backtracking of Beck and Teboulle (2009), the prox the projection on
        the atoms' support and unit sphere; or one iteration of ADMM consensus
        over the signals (no step to choose).

    References
    ----------
    Wohlberg (2016). Efficient algorithms for convolutional sparse
    representations. IEEE TIP; and Convolutional sparse representation of
    color images. SSIAI.
    Garcia-Cardona and Wohlberg (2017). Subproblem coupling in convolutional
    dictionary learning. ICIP; (2018). Convolutional dictionary learning: a
    comparative review and new algorithms. IEEE TCI.
    """

    name = "sporco-conv"
    requirements = ["pip::sporco"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run: the
    # convolutional Lasso with the objective's lmbd.
    criterion = "lasso"
    # The default run (benchopt run .) has the backtracking PGM step; the
    # consensus step runs with -s "sporco-conv[dmethod=cns]" and in
    # configs/convolutional.yml.
    parameters = {"dmethod": ["pgm-backtrack"]}
    # benchopt test runs it on the convolutional dataset (it skips linear ones).
    test_config = {"dataset": {"name": "simulated-convolutional"}}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "convolutional") or \
            invalid_choice_reason(dmethod=(self.dmethod, DMETHODS))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.S = np.ascontiguousarray(np.transpose(X, (2, 1, 0)))
        self.D_init, self.lmbd = D_init, lmbd

    def run(self, callback):
        self.D = self.D_init
        if not callback():
            return

        def sporco_callback(learner):
            self.D = from_sporco_atoms(learner.getdict(), self.D_init.shape)
            return not callback()

        self.make_learner(sporco_callback).solve()

    def make_learner(self, sporco_callback):
        """SPORCO's learner from ``D_init``, calling ``sporco_callback`` after
        every outer iteration (a ``True`` return stops it)."""
        dmethod, ccmod = "cns", {}
        if self.dmethod == "pgm-backtrack":
            dmethod, ccmod = "pgm", {"Backtrack": BacktrackStandard()}
        options = ConvBPDNDictLearn.Options({
            "Verbose": False, "MaxMainIter": np.iinfo(np.int32).max,
            "Callback": sporco_callback,
            "CBPDN": {"NoBndryCross": True}, "CCMOD": ccmod,
        }, dmethod=dmethod)
        return ConvBPDNDictLearn(to_sporco_atoms(self.D_init), self.S,
                                 self.lmbd, options, dmethod=dmethod,
                                 dimK=1, dimN=1)

    def get_result(self):
        return dict(D=self.D)
