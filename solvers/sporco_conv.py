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
    """SPORCO's ``ConvBPDNDictLearn``: convolutional dictionary learning by
    interleaved ADMM coding and dictionary steps (Wohlberg 2016, "Efficient
    algorithms for convolutional sparse representations", IEEE TIP;
    Garcia-Cardona and Wohlberg 2018, "Convolutional dictionary learning: a
    comparative review and new algorithms", IEEE TCI).

    It solves, over all signals at once,
    ``argmin_{d, z} 0.5 sum_n ||sum_k d_k * z_nk - x_n||^2
    + lmbda sum_n sum_k ||z_nk||_1`` with atoms of unit norm on their
    support of ``n_times_atom`` samples; for several channels the atoms are
    multichannel (Wohlberg 2016, "Convolutional sparse representation of
    color images", SSIAI): ``x_n[c] ~ sum_k d_k[c] * z_nk``, one activation
    map per atom shared by the channels, and the norm of an atom is taken
    over its channels and times together. This is our model and our Lasso
    summed over signals instead of averaged: the same minimizers with the
    same weight, so ``lmbda = lmbd`` (SPORCO's objective equals ``n_signals``
    times ``benchmark_utils.coding.conv_lasso_loss`` at the same atoms and
    activations). One outer iteration, one point of the curve, couples the
    two steps as SPORCO does (Garcia-Cardona and Wohlberg 2017, "Subproblem
    coupling in convolutional dictionary learning", ICIP):

    1. one ADMM iteration of convolutional BPDN on the activations for the
       current atoms (Wohlberg 2016, TIP: the linear system solved frequency
       by frequency in the DFT domain by the Sherman-Morrison formula,
       iterated for multichannel atoms; the penalty and its adaptation are
       SPORCO's defaults for this class);
    2. one iteration of the constrained convolutional MOD on the atoms for
       the current activations (SPORCO's ``CCMOD``), chosen by ``dmethod``:

       - ``"pgm-backtrack"``: one accelerated proximal gradient (FISTA)
         step, its step ``1 / L`` found by the backtracking of Beck and
         Teboulle (2009), the prox being the projection on the atoms'
         support and unit sphere;
       - ``"cns"``: one iteration of ADMM consensus over the signals
         (Boyd et al. 2011, Ch. 7; Sorel and Sroubek 2016), with no step to
         choose.

       SPORCO's default, PGM with a fixed step, is not offered: in sporco
       0.2.2 its intended ``L = 14 n_signals`` is shadowed by the base
       class's ``L = 1``, a step some 100 to 600 times too long for the
       activations of these problems. From the close init (recovery 0.875)
       it reaches 0.95 to 0.98 within five iterations, then falls and
       swings between 0.54 and 0.75 (period two) up to iteration 50. The two
       steps offered rise steadily instead, on the same curve to three
       decimals (one channel: 0.966, 0.988, 1.000 at iterations 5, 10, 20),
       an iteration of PGM taking 0.6 to 0.7 times one of consensus. From
       other starts they may end at different stationary points (from
       ``init=data`` on one problem: 0.916 for PGM, 0.995 for consensus),
       which is why both are offered. Once PGM has converged its backtracking
       keeps raising ``L`` (rounding makes the sufficient-decrease test
       fail), which only freezes atoms that no longer move.

    **Boundaries.** SPORCO convolves circularly over the signal's
    ``n_times`` samples; ours is linear, with activations in the "valid"
    layout only (``n_times - n_times_atom + 1`` positions, every atom placed
    whole inside the signal). The coding step's own ``NoBndryCross`` option
    forces to zero the activations of the last ``n_times_atom - 1``
    positions, those whose atom would cross the end of the signal and wrap
    around. What is left is exactly our model: a circular convolution of an
    activation map supported on ``[0, n_times - n_times_atom]`` with an atom
    supported on ``[0, n_times_atom - 1]`` never wraps, so it is the linear
    full convolution, and the dictionary step sees only these activations.
    Zero-padding the signals by ``n_times_atom - 1`` would not be: it fits a
    model with activations at ``n_times`` positions, atoms hanging over the
    end into padding that must be fitted as zeros, and the positions of the
    padding still wrapping onto the start.

    **Layouts.** SPORCO puts time first: signals ``S`` of shape
    ``(n_times, n_channels, n_signals)`` (``dimN=1`` time axis, ``dimK=1``
    signal axis, the remaining one the channels), atoms ``(n_times_atom,
    n_channels, n_atoms)``; its dictionary has the atoms' own length, and
    comes back as ``(n_times_atom, n_channels, 1, n_atoms)``. Its ``d_k * z``
    is a convolution (a product of DFTs), as ours, so the atoms are only
    transposed, never flipped.

    The curve comes from SPORCO's ``Callback`` option, called after every
    outer iteration: it records the dictionary and asks benchopt whether to
    go on (a ``True`` return stops ``solve``).
    """

    name = "sporco-conv"
    requirements = ["pip::sporco"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run: the
    # convolutional Lasso with the objective's lmbd.
    criterion = "lasso"
    # The default run (benchopt run .) has the backtracking PGM step (0.6 to
    # 0.7 times the time of a consensus iteration); the consensus step runs
    # with -s "sporco-conv[dmethod=cns]" and in configs/convolutional.yml.
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
