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
# The coding solvers offered (the docstring says why not "fista").
SOLVERS_Z = ("ista", "l-bfgs", "lgcd")
# alphacsc's own defaults for the online algorithm (its OnlineCDL class).
ONLINE_PARAMETERS = {"alpha": 0.8, "batch_size": 1, "batch_selection": "random"}


def lgcd_failure_reason():
    """Why alphacsc 0.4.1's "lgcd" cannot run with this numpy, or None.

    Its coordinate descent writes a one-element array into an array entry
    (``beta[k, t] -= z_hat[k, t] * norm_Dk[k]``, ``norm_Dk`` of shape
    ``(n_atoms, 1)``) as soon as the activations it starts from are nonzero:
    numpy 2.4 refuses (``ValueError: setting an array element with a
    sequence``), from the second iteration on.
    """
    if np.lib.NumpyVersion(np.__version__) >= "2.4.0":
        return (f"solver_z='lgcd' of alphacsc 0.4.1 fails with numpy "
                f"{np.__version__} (>= 2.4) from its second iteration")
    return None


class _StopRequested(Exception):
    """Raised from alphacsc's callback when benchopt's callback says stop."""


class Solver(BaseSolver):
    """alphacsc's convolutional dictionary learning (Jas, Dupré la Tour,
    Şimşekli and Gramfort 2017, "Learning the morphology of brain signals
    using alpha-stable convolutional sparse coding", NeurIPS; Dupré la Tour,
    Moreau, Jas and Gramfort 2018, "Multivariate convolutional sparse coding
    for electromagnetic brain signals", NeurIPS), its
    ``ConvolutionalDictionaryLearning`` with full-rank atoms (``rank1=False``).

    It minimizes, over all signals,
    ``sum_n 0.5 ||x_n - sum_k z_nk * d_k||^2 + reg sum_n ||z_n||_1`` with
    atoms in the unit Frobenius ball and **nonnegative activations**
    ``z_nk >= 0`` (the model of both papers: alphacsc's coding solvers are
    all called with ``positive=True``, L-BFGS-B asserts it). Its layout and
    its model are ours (``x_n[c] = sum_k z_nk * d_k[c]``, full convolution,
    activations in the "valid" layout; atoms in and out as
    ``(n_atoms, n_channels, n_times_atom)``, never flipped nor re-signed),
    so the atoms are passed and returned as they are. It is the benchmark's
    convolutional Lasso restricted to nonnegative activations: the same
    problem where the activations are nonnegative (``simulated-convolutional``
    with ``nonnegative=True``, its default), a smaller model where they are
    signed (``nonnegative=False``: from a close start, recovery 0.875, on a
    problem of 10 x 600 samples, 3 atoms of 16, 40 dB, the batch algorithm
    climbs to 0.93 in 50 iterations and the online one peaks at 0.91,
    against 1.0000 within 5 and 50 iterations on the same signals with the
    absolute values of their activations). Hence ``criterion = None``: the
    signed Lasso's ceiling is not its criterion's, and its run ends at the
    oracle or by its progress.

    **The algorithm** (``algorithm``), from ``D_init``:

    - ``"batch"``: alternate minimization; each iteration codes every signal
      for the current atoms (``solver_z``, warm-started from the previous
      activations), then updates the atoms by projected gradient with
      adaptive steps (alphacsc's FISTA on the atoms, at most 300 steps, from
      the sufficient statistics of the activations);
    - ``"online"``: the online scheme of Mairal, Bach, Ponce and Sapiro
      (2010, JMLR) as alphacsc writes it: each iteration codes a random
      batch of ``batch_size = 1`` signal, adds its sufficient statistics to
      the previous ones weighted by the forgetting factor ``alpha = 0.8``
      (alphacsc's ``OnlineCDL`` defaults), then updates the atoms as the
      batch algorithm does; the batches come from ``random_state``, the
      solver's seed.

    In both, an atom with fewer than two activations is replaced by the
    window of the signals with the largest reconstruction error (alphacsc's
    own rule, deterministic). One alphacsc iteration is one point of the
    curve: alphacsc calls its callback with the atoms ``D_init`` before the
    first iteration and after each one; ours records them and raises a
    private exception, caught in ``run``, when benchopt's callback says
    stop. Its own stopping test is disabled (``eps=-inf``): runs end by the
    benchmark's rule, or when every activation is zero. The greedy algorithm
    is not offered: alphacsc replaces ``D_init`` by atoms of its own (none
    at first, then one added per iteration, the worst-fitted window of the
    signals) and calls back with no atoms, then only once all are there:
    it cannot start from the shared ``D_init``. Neither is
    ``rank1=True``: its atoms ``u v^T`` would start from a rank-one
    approximation of ``D_init``, not from ``D_init``.

    **The weight.** ``fit`` divides the signals by their standard deviation
    ``s = X.std()`` before learning and uses ``reg`` on the scaled signals;
    since ``0.5 ||X - z * d||^2 + lmbd ||z||_1 = s^2 (0.5 ||X / s - (z / s)
    * d||^2 + (lmbd / s) ||z / s||_1)``, ``reg = lmbd / s`` with
    ``lmbd_max="fixed"`` is our ``lmbd`` (alphacsc's cost times
    ``s^2 / n_signals`` equals ``benchmark_utils.coding.conv_lasso_loss``
    at the same atoms and activations, to rounding; the sum over signals
    has the mean's minimizers).

    **The coding solver** (``solver_z``), measured with alphacsc 0.4.1,
    ``batch`` (medians of interleaved repeats on 2 shared cores). On the
    default simulated size (10 signals of 1,000 samples, 3 atoms of 32; the
    activations' absolute values) from ``close`` and ``data`` starts, the
    three offered give the same curves (recovery to 3 decimals, loss to 6
    digits) at 21 to 24 ms an iteration for ``"lgcd"`` (locally greedy
    coordinate descent, Dupré la Tour et al. 2018), 23 to 37 for
    ``"ista"``, 60 to 67 for ``"l-bfgs"`` (within 0.001 of the best
    recovery after 0.08 s from ``close`` and 0.27 to 0.29 s from ``data``
    for lgcd and ista, 0.16 and 0.48 to 0.54 s for l-bfgs). On denser,
    overlapping activations (20 signals of 1,000 samples, 3 channels, 5
    atoms of 32) an iteration takes 66 (lgcd), 162 (ista) and 239 ms
    (l-bfgs), recovery 0.999 being reached after 0.40, 0.40 and 0.69 s, to
    the same loss. ``"ista"`` is the default:
    ``"lgcd"``, alphacsc's default, fails with numpy >= 2.4
    (:func:`lgcd_failure_reason`; skipped there with that reason; it runs
    with numpy 2.3), and ``"fista"`` is not offered: once its activations
    have converged its line search finds no decrease and restarts the
    momentum, and a restart forbids its stopping test, so every later
    outer iteration runs the 15,000 inner iterations of its cap (20 outer
    iterations on 10 x 600 samples did not end in 100 s; capped at 50 inner
    iterations, 1.3 s an outer iteration against 40 ms for l-bfgs).

    alphacsc runs sequentially (``n_jobs=1``); its coding draws per-signal
    seeds from numpy's global random state, which none of the offered
    solvers uses (results do not depend on it).
    """

    name = "alphacsc"
    requirements = ["pip::alphacsc==0.4.1"]
    sampling_strategy = "callback"
    # Not the benchmark's Lasso: the Lasso with nonnegative activations (see
    # the docstring), so no criterion ceiling of its own.
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
