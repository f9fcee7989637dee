from benchopt import BaseSolver

from benchmark_utils.coding import batch_omp, default_n_nonzeros
from benchmark_utils.learning import RESTARTS, ksvd_atom_updates, restart_atoms
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """K-SVD (Aharon, Elad and Bruckstein 2006, IEEE Trans. Signal Processing).

    Each iteration is the paper's two stages:

    1. sparse coding: every training sample is coded with exactly ``k``
       nonzeros by orthogonal matching pursuit, all samples at once on the Gram
       matrix (``benchmark_utils.coding.batch_omp``, the Batch-OMP of Rubinstein et
       al. 2008; no Python loop over samples);
    2. codebook update: for each atom in turn, the residual restricted to the
       samples that use it, without its own contribution, is approximated by a
       rank-one matrix: the atom becomes the leading right singular vector and
       its codes the leading left singular vector times the singular value
       (``atom_update="svd"``, the paper), or one power-iteration step from the
       current codes (``atom_update="approximate"``, approximate K-SVD of
       Rubinstein, Zibulevsky and Elad 2008).

    With ``restart="unused"`` (the default), atoms that carry no information
    are replaced after each iteration by the normalized training samples with
    the largest residuals (the worst represented), the paper's rule for unused
    atoms, extended to atoms used by fewer than 4 samples and to the second
    atom of every pair with |correlation| above 0.99 (the thresholds are our
    choice): ``benchmark_utils.learning.restart_atoms``, the rule every solver
    family can use through its ``restart`` parameter. Without it
    (``restart="none"``), duplicated or nearly unused atoms from a random start
    are never freed (``docs/solvers.md`` measures both).

    ``k`` is the data model's number of nonzeros per code (``n_nonzeros`` from
    the objective); when the dataset does not give it, 10% of ``n_features``
    (at least 1). K-SVD does not use the Lasso ``lmbd``. One iteration (both
    stages over all samples) is one point of the curve.
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
