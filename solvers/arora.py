import numpy as np
from benchopt import BaseSolver

from benchmark_utils.coding import default_n_nonzeros
from benchmark_utils.learning import normalize_atoms
from benchmark_utils.validation import (
    invalid_choice_reason,
    model_mismatch_reason,
)


class Solver(BaseSolver):
    """Neural sparse coding of Arora, Ge, Ma and Moitra (2015), "Simple,
    efficient and neural algorithms for sparse coding" (COLT).

    **A local method**: its guarantees hold from a dictionary already close to
    the truth (column-wise within ``O(1/log n)``, with a bounded operator norm),
    the regime of the objective's ``init="close"``. With the ``random`` or
    ``data`` inits it still runs and is scored, but nothing says it recovers.

    Each iteration, on the whole training set (the paper draws ``p`` fresh
    samples per step; we reuse the training set, a batch gradient step):

    1. decoding by thresholding, ``z = threshold_{C/2}(D x)``: the correlations
       of a sample with the atoms, entries below ``C/2`` in magnitude set to 0
       (hard thresholding);
    2. the Hebbian-like update ``D <- D - eta g`` with
       ``g = E[sgn(z) (z D - x)]`` (in the paper's column layout,
       ``g = E[(A x - y) sgn(x)^T]``), ``variant="plain"`` (the paper's
       neurally plausible rule); ``variant="unbiased"`` removes the systematic
       bias of the plain rule (the paper's unbiased variant, as implemented
       here): in the gradient of atom ``i``, each other support atom ``j`` is
       decoded with ``d_j`` projected orthogonally to ``d_i``, i.e. the term
       ``sum_{j in S, j != i} <d_j, d_i> z_i d_j`` is subtracted from the
       residual, so that the expected update vanishes at the truth. The
       atoms are renormalized after each step (the paper's projection step
       keeps them near unit norm; the recovery score ignores the norms).

    Scales. The paper assumes nonzero amplitudes ``|x_i| >= C`` (``C = 1``) and
    ``q = k/m`` (``k`` nonzeros, ``m`` atoms). We do not know ``C``: the
    threshold is ``C/2 = threshold * a`` with ``a = sqrt(mean ||x||^2 / k)``
    the root-mean-square amplitude of the nonzeros (exact for unit-norm,
    nearly orthogonal atoms), and ``threshold = 1/3`` by default, which is
    ``C/2`` for the amplitude law ``|x_i|`` uniform in ``[1, 2]``
    (``a = sqrt(7/3)``). The expected update of atom ``i`` is
    ``p q (lambda_i d_i - d*_i + bias)`` with ``p = E|x_i|``; the paper's step
    ``eta = Theta(m/k)`` (with ``p = Theta(1)`` from ``C = 1``) is here
    ``eta = step_scale / (p q)``, with ``p q`` estimated at each step as the
    mean over atoms and samples of the decoded ``|z_i|`` (``m/k`` times
    ``1/p``); ``step_scale = 0.5`` halves the distance to the fixed point at
    each step. ``k`` is the objective's ``n_nonzeros`` (10% of ``n_features``
    when not given). ``lmbd`` is not used. One step is one point of the curve.
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
