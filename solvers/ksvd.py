from benchopt import BaseSolver

from benchmark_utils.coding import batch_omp, default_n_nonzeros
from benchmark_utils.learning import RESTARTS, ksvd_atom_updates, restart_atoms
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """K-SVD (Aharon, Elad and Bruckstein 2006).

    Each iteration (one point of the curve) is the paper's two stages:

    1. sparse coding: every sample coded with exactly ``k`` nonzeros by
       orthogonal matching pursuit, all samples at once on the Gram matrix
       (``benchmark_utils.coding.batch_omp``, the Batch-OMP of Rubinstein et
       al. 2008);
    2. codebook update, atom by atom: the residual ``E_j`` restricted to the
       samples that use atom ``j``, without its contribution, is approximated
       by the rank-one ``z_j d_j`` (``atom_update``).

    ``k`` is the data model's ``n_nonzeros`` from the objective (10% of
    ``n_features``, at least 1, when the dataset does not give it); ``lmbd``
    is not used.

    Parameters
    ----------
    atom_update : {"svd", "approximate"}
        ``d_j`` the leading right singular vector of ``E_j`` and ``z_j`` the
        leading left one times the singular value (the paper); or one
        power-iteration step from the current codes (approximate K-SVD).
    restart : {"unused", "none"}
        ``"unused"``, the paper's rule for unused atoms extended: after each
        iteration the atoms used by fewer than 4 samples, zero, or the second
        of a pair with |correlation| above 0.99 are replaced by the normalized
        worst-represented samples (``benchmark_utils.learning.restart_atoms``;
        why it is needed: ``docs/solvers.md``); ``"none"`` never.

    References
    ----------
    Aharon, Elad and Bruckstein (2006). K-SVD: an algorithm for designing
    overcomplete dictionaries for sparse representation. IEEE Trans. Signal
    Processing.
    Rubinstein, Zibulevsky and Elad (2008). Efficient implementation of the
    K-SVD algorithm using batch orthogonal matching pursuit. Technion report.
    """

    name = "ksvd"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): OMP codes at n_nonzeros nonzeros.
    criterion = "omp"
    parameters = {"atom_update": ["svd"], "restart": ["unused"]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = (model_mismatch_reason(D_init, "linear")
                  or invalid_choice_reason(restart=(self.restart, RESTARTS)))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init = X, D_init
        self.n_nonzeros = default_n_nonzeros(n_nonzeros, *D_init.shape)

    def run(self, callback):
        D = self.D_init.copy()
        self.D = D
        while callback():
            Z = batch_omp(self.X, D, self.n_nonzeros)
            D, Z, residual, unused = ksvd_atom_updates(
                self.X, Z, D, method=self.atom_update
            )
            D, _ = restart_atoms(D, Z, self.X, residual,
                                 restart=self.restart, flagged=unused)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
