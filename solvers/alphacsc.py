import sys

import numpy as np
from alphacsc.convolutional_dictionary_learning import (
    ConvolutionalDictionaryLearning,
)
from benchopt import BaseSolver

from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)

ALGORITHMS = ("batch", "online")
# The coding solvers offered (docs/convolutional.md says why not "fista").
SOLVERS_Z = ("ista", "l-bfgs", "lgcd")
# alphacsc's own defaults for the online algorithm (its OnlineCDL class).
ONLINE_PARAMETERS = {"alpha": 0.8, "batch_size": 1, "batch_selection": "random"}


def lgcd_failure_reason():
    """Why alphacsc 0.4.1's "lgcd" cannot run with this numpy, or None.

    It fails with numpy 2.4 and later (``docs/convolutional.md`` says why).
    """
    if np.lib.NumpyVersion(np.__version__) >= "2.4.0":
        return (f"solver_z='lgcd' of alphacsc 0.4.1 fails with numpy "
                f"{np.__version__} (>= 2.4) from its second iteration")
    return None


class _StopRequested(Exception):
    """Raised from alphacsc's callback when benchopt's callback says stop."""


class Solver(BaseSolver):
    """alphacsc's convolutional dictionary learning, with full-rank atoms.

    alphacsc's ``ConvolutionalDictionaryLearning`` (``rank1=False``) solves,
    over atoms ``d_k`` in the unit Frobenius ball and nonnegative activations,

        min_{d, z >= 0} sum_n 0.5 ||x_n - sum_k z_nk * d_k||^2 + lmbd ||z_n||_1

    by alternate minimization from ``D_init``: at each iteration (one point of
    the curve) the activations are coded for the current atoms (``solver_z``,
    warm-started), then the atoms are updated by projected gradient with
    adaptive steps from the activations' sufficient statistics. An atom with
    fewer than two activations is replaced by the worst-fitted window of the
    signals (alphacsc's rule). alphacsc scales the signals by ``s = X.std()``:
    ``reg = lmbd / s`` with ``lmbd_max="fixed"`` is the benchmark's ``lmbd``.
    Its own stop is off (``eps=-inf``): the benchmark's rule ends the run. Its
    criterion, the Lasso with nonnegative activations, is not the benchmark's
    signed Lasso, hence ``criterion = None``. The layout, the choices and the
    options left out (``"fista"``, the greedy algorithm, ``rank1=True``) are
    explained in ``docs/convolutional.md``.

    Parameters
    ----------
    algorithm : {"batch", "online"}
        ``"batch"`` codes every signal at each iteration; ``"online"`` codes
        one random signal and adds its statistics to the previous ones, weighted
        by the forgetting factor ``alpha = 0.8`` (alphacsc's ``OnlineCDL``
        defaults, after Mairal et al. 2010), drawn from the solver's seed.
    solver_z : {"ista", "l-bfgs", "lgcd"}
        alphacsc's coding solver; ``"lgcd"``, its default, is skipped where it
        cannot run (:func:`lgcd_failure_reason`).

    References
    ----------
    Jas, Dupré la Tour, Şimşekli and Gramfort (2017). Learning the morphology
    of brain signals using alpha-stable convolutional sparse coding. NeurIPS.
    Dupré la Tour, Moreau, Jas and Gramfort (2018). Multivariate convolutional
    sparse coding for electromagnetic brain signals. NeurIPS.
    """

    name = "alphacsc"
    requirements = ["pip::alphacsc==0.4.1"]
    sampling_strategy = "callback"
    # Not the benchmark's Lasso: the Lasso with nonnegative activations, so
    # no criterion ceiling of its own.
    criterion = None
    # benchopt test runs it on the convolutional dataset.
    test_config = {"dataset": {"name": "simulated-convolutional"}}
    # The default run (benchopt run .) has the batch algorithm; the online
    # one runs with -s "alphacsc[algorithm=online]", in
    # configs/convolutional.yml and in bench/bench_conv.py.
    parameters = {"algorithm": ["batch"], "solver_z": ["ista"]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "convolutional") or \
            invalid_choice_reason(algorithm=(self.algorithm, ALGORITHMS),
                                  solver_z=(self.solver_z, SOLVERS_Z))
        if reason is None and self.solver_z == "lgcd":
            reason = lgcd_failure_reason()
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.D_init = np.array(D_init, dtype=np.float64)
        self.lmbd = lmbd
        self.seed = self.get_seed(use_repetition=True)

    def make_learner(self, alphacsc_callback):
        """alphacsc's learner from ``D_init`` with our ``lmbd``, calling
        ``alphacsc_callback(z_encoder, pobj)`` before its first iteration
        and after every one (``pobj``: its costs on the scaled signals)."""
        n_atoms, _, n_times_atom = self.D_init.shape
        return ConvolutionalDictionaryLearning(
            n_atoms, n_times_atom, n_iter=sys.maxsize, rank1=False,
            solver_z=self.solver_z, reg=self.lmbd / self.X.std(),
            lmbd_max="fixed", eps=-np.inf, D_init=self.D_init.copy(),
            algorithm=self.algorithm,
            algorithm_params=(dict(ONLINE_PARAMETERS)
                              if self.algorithm == "online" else {}),
            n_jobs=1, verbose=0, callback=alphacsc_callback,
            random_state=self.seed, raise_on_increase=False)

    def run(self, callback):
        self.D = self.D_init.copy()

        def alphacsc_callback(z_encoder, pobj):
            self.D = np.array(z_encoder.D_hat, dtype=np.float64)
            if not callback():
                raise _StopRequested

        try:
            self.make_learner(alphacsc_callback).fit(self.X)
        except _StopRequested:
            pass

    def get_result(self):
        return dict(D=self.D)
