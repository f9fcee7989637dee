import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import default_n_nonzeros
from benchmark_utils.learning import normalize_atoms
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Neural sparse coding, a local method (Arora, Ge, Ma and Moitra 2015).

    Each iteration (one point of the curve), on the whole training set (the
    paper draws fresh samples per step):

    1. decoding by thresholding, ``z = threshold_{C/2}(D x)``: the entries of
       ``D x`` below ``C/2`` in magnitude set to 0;
    2. the Hebbian update ``D <- normalize(D - eta g)`` with
       ``g = E[sgn(z) (z D - x)]`` (the paper's ``E[(A x - y) sgn(x)^T]`` in
       its column layout).

    The paper assumes ``|x_i| >= C = 1`` and steps ``eta = Theta(m/k)``. Here
    ``C/2 = threshold * a``, ``a = sqrt(mean ||x||^2 / k)`` the root-mean-square
    nonzero amplitude, and ``eta = step_scale / (p q)``, ``p q`` (``E|x_i|``
    times ``k/m``) estimated at each step as the mean decoded ``|z_i|``. ``k``
    is the objective's ``n_nonzeros`` (10% of ``n_features`` when not given);
    ``lmbd`` is not used. Its guarantees hold from a dictionary column-wise
    within ``O(1/log n)`` of the truth (``init="close"``); from the other
    inits it runs and is scored, with no guarantee.

    Parameters
    ----------
    variant : {"unbiased", "plain"}
        ``"plain"``: the paper's neurally plausible rule. ``"unbiased"``: the
        paper's unbiased variant as implemented here: the term
        ``sum_{j in S, j != i} <d_j, d_i> z_i d_j`` is subtracted from the
        residual of atom ``i``, so that the expected update vanishes at the
        truth.
    step_scale : float
        ``0.5`` halves the distance to the fixed point at each step.
    threshold : float
        ``1/3`` is ``C/2`` for amplitudes ``|x_i|`` uniform in ``[1, 2]``.

    References
    ----------
    Arora, Ge, Ma and Moitra (2015). Simple, efficient and neural algorithms
    for sparse coding. COLT.
    """

    name = "arora"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # No criterion of its own with a known ceiling: its run ends at the
    # oracle's (benchmark_utils.metrics.ceilings).
    criterion = None
    parameters = {
        "variant": ["unbiased", "plain"],
        "step_scale": [0.5],
        "threshold": [1 / 3],
    }

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = (model_mismatch_reason(D_init, "linear")
                  or invalid_choice_reason(
                      variant=(self.variant, ("plain", "unbiased"))))
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init = X, D_init
        k = default_n_nonzeros(n_nonzeros, *D_init.shape)
        amplitude = np.sqrt(np.mean(np.einsum("ij,ij->i", X, X)) / k)
        self.tau = self.threshold * amplitude

    def run(self, callback):
        X, n_samples = self.X, self.X.shape[0]
        D = self.D_init.copy()
        self.D = D
        while callback():
            # Decoding: z = threshold_{C/2}(D x).
            Z = X @ D.T
            Z[np.abs(Z) < self.tau] = 0.0
            # Hebbian-like update g = E[sgn(z) (z D - x)].
            g = np.sign(Z).T @ (Z @ D - X) / n_samples
            W = np.abs(Z).T @ (Z != 0) / n_samples
            if self.variant == "unbiased":
                # Subtract sum_{j in S \ i} <d_j, d_i> z_i d_j from the
                # residual of atom i: W_ij = E[|z_i| 1(z_j != 0)].
                M = (D @ D.T) * W
                np.fill_diagonal(M, 0.0)
                g -= M @ D
            pq = np.mean(np.diag(W))
            if pq > 0:
                D = normalize_atoms(D - (self.step_scale / pq) * g)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
