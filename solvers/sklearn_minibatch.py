import warnings

from benchopt import BaseSolver
from sklearn.decomposition import MiniBatchDictionaryLearning
from sklearn.exceptions import ConvergenceWarning

from benchmark_utils.learning import iterate_minibatches
from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """scikit-learn's ``MiniBatchDictionaryLearning`` (Mairal et al. 2009).

    Online dictionary learning: each step codes one mini-batch with the Lasso
    (``alpha = lmbd``, the same per-sample Lasso), updates the sufficient
    statistics, then the dictionary by block coordinate descent. One
    ``partial_fit`` on one mini-batch is one point of the curve; the
    mini-batches sweep shuffled epochs of the training set.

    Parameters
    ----------
    batch_size : int
        Samples per mini-batch (why 32: ``docs/solvers.md``).

    References
    ----------
    Mairal, Bach, Ponce and Sapiro (2009). Online dictionary learning for
    sparse coding. ICML.
    """

    name = "sklearn-minibatch"
    requirements = ["pip::scikit-learn"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    # 32 samples a step, not 256 (docs/solvers.md says why).
    parameters = {"batch_size": [32]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "linear")
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd
        self.seed = self.get_seed(use_repetition=True)

    def run(self, callback):
        batches = iterate_minibatches(self.X.shape[0], self.batch_size,
                                      random_state=self.seed)
        estimator = MiniBatchDictionaryLearning(
            n_components=self.D_init.shape[0], alpha=self.lmbd,
            batch_size=self.batch_size, dict_init=self.D_init.copy(),
            fit_algorithm="cd", random_state=self.seed,
        )
        self.D = self.D_init
        while callback():
            batch = next(batches)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                estimator.partial_fit(self.X[batch])
            self.D = estimator.components_

    def get_result(self):
        return dict(D=self.D)
