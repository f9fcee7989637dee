"""Frames of controlled coherence: Grassmannian packings by alternating projections.

A dictionary ``D`` of shape ``(n_atoms, n_features)`` with unit-norm rows is a frame
of ``n_atoms`` vectors in ``R^n_features``; its Gram matrix ``G = D D^T`` has a unit
diagonal, rank at most ``n_features`` and is positive semi-definite. Its mutual
coherence is the largest off-diagonal ``|G_ij|``, never below the Welch bound
``sqrt((K - n) / (n (K - 1)))``.

Following Tropp, Dhillon, Heath and Strohmer (2005), "Designing structured tight
frames via an alternating projection method", IEEE Trans. Inf. Theory 51(1), a frame
with coherence at most ``mu`` is sought by alternating between

- the *structural* set: symmetric matrices with a unit diagonal and off-diagonal
  entries in ``[-mu, mu]``, onto which the projection clips the entries; and
- the *spectral* set: positive semi-definite matrices of rank at most
  ``n_features``, onto which the projection keeps the ``n_features`` largest
  (non-negative) eigenvalues.

The spectral projection is computed here in factored form ``G = D D^T``: one step of
subspace iteration warm-started from the current frame followed by a Rayleigh-Ritz
step, which costs ``O(K^2 n)`` instead of the ``O(K^3)`` of a full eigendecomposition.
The clipping only touches the entries above ``mu``, so the rest of the Gram matrix
keeps the (unstructured) values of the starting frame.
"""
import numpy as np
from scipy.linalg import eigh

from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.threads import single_blas_thread

# Iterations of alternating projections for the "grassmannian" kind, and at
# most for the "coherence" kind (which stops as soon as its target is met).
ITERATIONS = 1000


def haar_orthogonal(n, rng):
    """Random orthogonal ``n x n`` matrix, uniform (Haar) over O(n)."""
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def gaussian_frame(n_features, n_atoms, rng):
    """``n_atoms`` i.i.d. Gaussian atoms, normalized: the usual random start."""
    return normalize_atoms(rng.standard_normal((n_atoms, n_features)))


def _offdiag_max(G):
    """Largest off-diagonal absolute value of a square matrix (0 if 1 x 1)."""
    if G.shape[0] < 2:
        return 0.0
    A = np.abs(G)
    np.fill_diagonal(A, 0.0)
    return float(A.max())


def _spectral_step(H, D):
    """Rank-n PSD approximation of ``H`` as a factor, warm-started from ``D``.

    One step of subspace iteration from ``range(D)`` then Rayleigh-Ritz: returns
    ``F`` of shape ``D.shape`` with ``F F^T`` the projection of ``H`` onto the PSD
    matrices of rank ``n`` restricted to the subspace ``range(H D)``.
    """
    Q, _ = np.linalg.qr(H @ D)
    T = Q.T @ (H @ Q)
    # scipy's eigh: numpy's is much slower on small matrices when OpenBLAS
    # threads compete for busy cores.
    w, U = eigh((T + T.T) / 2, driver="evd")
    F = np.zeros_like(D)
    # With fewer atoms than features, Q has only n_atoms columns.
    F[:, :Q.shape[1]] = (Q @ U) * np.sqrt(np.maximum(w, 0.0))
    return F


def _align(F, D):
    """Rotate the frame ``F`` to best match ``D`` (orthogonal Procrustes).

    The Gram matrix, hence every correlation, is unchanged; only the
    orientation of the frame in ``R^n_features`` is brought back to that of
    the starting frame, which the spectral step does not keep.
    """
    U, _, Vt = np.linalg.svd(F.T @ D)
    return F @ (U @ Vt)


def alternating_projections(D, bound, n_iter=200, target=None):
    """Lower the coherence of ``D`` by alternating projections (Tropp et al. 2005).

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Starting frame; rows are normalized first.
    bound : float or callable
        Level ``mu`` of the structural set. A callable ``bound(mu_current)`` is
        called at every iteration with the coherence of the current frame and
        returns the level to clip at (a decreasing schedule).
    n_iter : int, default=200
        Maximum number of iterations.
    target : float or None
        Stop as soon as the coherence of the normalized frame is at most
        ``target``.

    Returns
    -------
    D_best : ndarray of shape (n_atoms, n_features)
        The frame of lowest coherence met, rows of unit norm, rotated to best
        match the starting frame (orthogonal Procrustes).
    mu_best : float
        Its mutual coherence.
    """
    # One BLAS thread: the bits then do not depend on the number of cores
    # (benchmark_utils.threads explains the choice).
    with single_blas_thread():
        return _alternating_projections(D, bound, n_iter, target)


def _alternating_projections(D, bound, n_iter, target):
    D = D_start = normalize_atoms(D)
    G = D @ D.T
    mu = _offdiag_max(G)
    D_best, mu_best = D, mu
    for _ in range(n_iter):
        if target is not None and mu_best <= target:
            break
        level = bound(mu) if callable(bound) else bound
        H = np.clip(G, -level, level)
        np.fill_diagonal(H, 1.0)
        D = normalize_atoms(_spectral_step(H, D))
        G = D @ D.T
        mu = _offdiag_max(G)
        if mu < mu_best:
            D_best, mu_best = D, mu
    return normalize_atoms(_align(D_best, D_start)), mu_best
