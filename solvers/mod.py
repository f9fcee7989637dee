from benchopt import BaseSolver

from benchmark_utils.coding import (
    batch_omp,
    default_n_nonzeros,
    sparse_encode_fista,
)
from benchmark_utils.learning import RESTARTS, least_squares_step
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Method of Optimal Directions (Engan, Aase and Husoy 1999).

    Each iteration (one point of the curve), over the whole training set:

    1. sparse coding of every sample for the current ``D`` (``coding``);
    2. the optimal directions, the least-squares dictionary for these codes,
       ``D = (Z^T Z)^{-1} Z^T X``, with a ridge of ``1e-10`` times the mean
       diagonal of ``Z^T Z`` that matters only when it is rank deficient
       (``benchmark_utils.learning.least_squares_dictionary``);
    3. the atoms renormalized to unit norm; the shared restart rule.

    Its ``criterion`` follows the coding: ``"omp"`` or ``"lasso"``.

    Parameters
    ----------
    coding : {"omp", "lasso"}
        Orthogonal matching pursuit with the data model's ``n_nonzeros``
        (``benchmark_utils.coding.batch_omp``; 10% of ``n_features`` when the
        dataset does not give it), or the Lasso with the objective's ``lmbd``
        (the shared restarted FISTA warm-started from the previous codes and
        stopped after ``lasso_max_iter = 10`` iterations: an inexact
        alternation, ``docs/solvers.md``).
    restart : {"unused", "none"}
        ``"unused"`` replaces the atoms used by fewer than 4 samples, zero, or
        duplicating another (|correlation| > 0.99) by the normalized
        worst-represented samples (``benchmark_utils.learning.restart_atoms``);
        ``"none"`` keeps them.

    References
    ----------
    Engan, Aase and Husoy (1999). Method of optimal directions for frame
    design. ICASSP.
    """

    name = "mod"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"

    @property
    def criterion(self):
        """The criterion it optimizes, whose recovery ceiling ends its run
        (``benchmark_utils.metrics.ceilings``): OMP at ``n_nonzeros``, or the
        Lasso with the objective's ``lmbd``."""
        return "omp" if self.coding == "omp" else "lasso"

    parameters = {"coding": ["omp"], "restart": ["unused"]}
    lasso_max_iter = 10

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = (model_mismatch_reason(D_init, "linear")
                  or invalid_choice_reason(
                      coding=(self.coding, ("omp", "lasso")),
                      restart=(self.restart, RESTARTS)))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd
        self.n_nonzeros = default_n_nonzeros(n_nonzeros, *D_init.shape)

    def sparse_code(self, D, Z_previous):
        if self.coding == "omp":
            return batch_omp(self.X, D, self.n_nonzeros)
        return sparse_encode_fista(self.X, D, self.lmbd, Z_init=Z_previous,
                                   max_iter=self.lasso_max_iter, tol=1e-4)

    def run(self, callback):
        D, Z = self.D_init.copy(), None
        self.D = D
        while callback():
            Z = self.sparse_code(D, Z)
            D, Z = least_squares_step(self.X, Z, restart=self.restart)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
