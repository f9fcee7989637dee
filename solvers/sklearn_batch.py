import warnings

import numpy as np
from benchopt import BaseSolver
from sklearn.decomposition import DictionaryLearning
from sklearn.exceptions import ConvergenceWarning


class Solver(BaseSolver):
    """scikit-learn's batch ``DictionaryLearning``.

    Alternates a Lasso sparse coding of all samples (``fit_algorithm``) and a
    block coordinate descent over the atoms (Mairal et al. 2009, Section 5.2, run
    on the whole data set). scikit-learn's loss is
    ``0.5 ||X - Z D||_F^2 + alpha ||Z||_1``, i.e. ours summed over samples, so
    ``alpha = lmbd``. The curve is drawn by re-running from ``D_init`` with an
    increasing ``max_iter``.
    """

    name = "sklearn-batch"
    requirements = ["pip::scikit-learn"]
    sampling_strategy = "iteration"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {"fit_algorithm": ["cd"]}

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd

    def run(self, n_iter):
        if n_iter == 0:
            self.D = self.D_init
            return
        n_atoms = self.D_init.shape[0]
        estimator = DictionaryLearning(
            n_components=n_atoms, alpha=self.lmbd, max_iter=n_iter,
            fit_algorithm=self.fit_algorithm, dict_init=self.D_init.copy(),
            # scikit-learn uses dict_init only together with a code_init; the
            # codes are recomputed from dict_init before the first update.
            code_init=np.zeros((self.X.shape[0], n_atoms)),
            random_state=0,
        )
        with warnings.catch_warnings():
            # Inner Lasso solves stopping at scikit-learn's max_iter are part of
            # the algorithm as shipped; their warnings would flood the output.
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(self.X)
        self.D = estimator.components_

    def get_result(self):
        return dict(D=self.D)
