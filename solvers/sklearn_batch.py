import warnings

import numpy as np
from benchopt import BaseSolver
from sklearn.decomposition import DictionaryLearning
from sklearn.exceptions import ConvergenceWarning

from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """scikit-learn's batch ``DictionaryLearning``.

    scikit-learn alternates a Lasso coding of all samples (``fit_algorithm``)
    and a block coordinate descent over the atoms (Mairal et al. 2009,
    Section 5.2, on the whole data set) for the loss
    ``0.5 ||X - Z D||_F^2 + alpha ||Z||_1``, ours summed over samples, so
    ``alpha = lmbd``. One point of the curve is one ``fit(max_iter=1)``
    warm-started from the previous one (``dict_init`` and ``code_init``): the
    iterates of one long ``fit`` (tested), except that an unused atom is
    redrawn from a generator seeded afresh at each iteration. scikit-learn's
    own stop is kept: the run ends, as one long ``fit`` does, when the cost
    falls by less than ``tol`` times itself.

    Parameters
    ----------
    fit_algorithm : {"cd", "lars"}
        scikit-learn's coding solver.

    References
    ----------
    Mairal, Bach, Ponce and Sapiro (2009). Online dictionary learning for
    sparse coding. ICML.
    """

    name = "sklearn-batch"
    requirements = ["pip::scikit-learn"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {"fit_algorithm": ["cd"]}
    # scikit-learn's own stopping tolerance on the relative fall of its cost.
    tol = DictionaryLearning().tol

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "linear")
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd

    def run(self, callback):
        n_atoms = self.D_init.shape[0]
        D = self.D_init.copy()
        # scikit-learn uses dict_init only together with a code_init; the
        # first codes are computed from D_init before the first update.
        Z = np.zeros((self.X.shape[0], n_atoms))
        self.D = self.D_init
        cost = None
        while callback():
            estimator = DictionaryLearning(
                n_components=n_atoms, alpha=self.lmbd, max_iter=1,
                fit_algorithm=self.fit_algorithm, dict_init=D, code_init=Z,
                random_state=0,
            )
            with warnings.catch_warnings():
                # Inner Lasso solves stopping at scikit-learn's max_iter are
                # part of the algorithm as shipped; their warnings would flood
                # the output.
                warnings.simplefilter("ignore", ConvergenceWarning)
                Z = estimator.fit_transform(self.X)
            D = estimator.components_
            self.D = D
            # scikit-learn's stop, from its second iteration on: a fall of
            # the cost below tol times the new cost (a rise included).
            previous, cost = cost, estimator.error_[-1]
            if previous is not None and previous - cost < self.tol * cost:
                break

    def get_result(self):
        return dict(D=self.D)
