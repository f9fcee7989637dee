"""Batch Lasso sparse coding, the routines that score every dictionary.

For a dictionary ``D`` (atoms as rows) and signals ``X``, each code solves

    min_z 0.5 ||x - z D||_2^2 + lmbd ||z||_1.

Two solvers of the same problem:

- :func:`~benchmark_utils.coding.lasso_cd.sparse_encode_cd` (module
  ``lasso_cd``): compiled coordinate descent with feature-sign steps, exact;
  the objective scores with it.
- :func:`sparse_encode_fista`: FISTA (Beck and Teboulle 2009) on the Gram
  matrix with the adaptive gradient restart of O'Donoghue and Candes (2015),
  all samples at once: one iteration costs one ``(n_samples, n_atoms) x
  (n_atoms, n_atoms)`` product, and a warm start or a fixed number of steps
  makes it the inexact inner solver of the alternating methods (altmin, MOD
  with Lasso codes).

Both are faster here than scikit-learn's Lasso, which loops over the samples
in Python (``sparse_encode`` with ``lasso_cd`` or ``lasso_lars``).
"""
import numpy as np

from benchmark_utils.validation import check_dictionary


def lambda_max(X):
    """Scale of the regularization: the mean over samples of ``||x_i||_2``.

    For one sample and atoms of unit norm, ``max_k |<x, d_k>| <= ||x||_2`` with
    equality when an atom is aligned with ``x``: ``||x||_2`` is the smallest ``lmbd``
    for which the code of ``x`` is 0 whatever the dictionary. Averaging it over
    samples (rather than taking the max, which grows with ``n_samples``) gives a
    scale that depends on the data only, so that

    - every initialization and every solver share the same ``lmbd``;
    - ``lmbd`` does not drift with the number of samples in a sample-complexity
      sweep;
    - scaling ``X`` by ``c`` scales it by ``c``: a fraction ``reg`` of it is
      scale-invariant.

    With ``reg = 1`` the code of a typical sample is 0.
    """
    X = np.asarray(X, dtype=np.float64)
    return float(np.mean(np.sqrt(np.einsum("ij,ij->i", X, X))))


def soft_threshold(Z, threshold, out=None, work=None):
    """Entry-wise soft thresholding ``sign(z) max(|z| - threshold, 0)``.

    Computed as ``z - clip(z, -threshold, threshold)``: two passes over memory
    instead of four. ``out`` (may be ``Z`` itself) and ``work``, arrays of the
    shape of ``Z``, let a loop run it without allocating.
    """
    clipped = np.clip(Z, -threshold, threshold, out=work)
    return np.subtract(Z, clipped, out=out)


def lasso_loss(X, Z, D, lmbd):
    """Lasso objective ``0.5 ||x - z D||^2 + lmbd ||z||_1`` averaged over samples."""
    residual = X - Z @ D
    n_samples = X.shape[0]
    return float(
        (0.5 * np.sum(residual ** 2) + lmbd * np.abs(Z).sum()) / n_samples
    )


def lasso_duality_gap(X, Z, D, lmbd):
    """Duality gap of the codes ``Z``: a bound on how far their loss is from
    the Lasso's minimum.

    The dual of ``min_z 0.5 ||x - z D||^2 + lmbd ||z||_1`` is
    ``max 0.5 ||x||^2 - 0.5 ||x - theta||^2`` over ``||D theta||_inf <= lmbd``;
    the residual ``x - z D``, scaled into that set, is a dual point, and the
    gap between the two objectives is at least ``lasso_loss(X, Z, D, lmbd)``
    minus the exact minimum (averaged over samples, as the loss). It is 0 at
    the exact codes.

    Raises
    ------
    ValueError
        When ``lmbd <= 0`` (the scaled residual is then not a dual point).
    """
    X, D = _check_lasso_inputs(X, D, lmbd)
    if not lmbd > 0:
        raise ValueError(f"lmbd must be > 0 for the duality gap, got {lmbd}.")
    residual = X - Z @ D
    primal = (0.5 * np.einsum("ij,ij->i", residual, residual)
              + lmbd * np.abs(Z).sum(axis=1))
    scale = np.maximum(1.0, np.abs(residual @ D.T).max(axis=1,
                                                       initial=0.0) / lmbd)
    theta = residual / scale[:, None]
    dual = 0.5 * (np.einsum("ij,ij->i", X, X)
                  - np.einsum("ij,ij->i", X - theta, X - theta))
    return float(np.mean(primal - dual))


def _check_lasso_inputs(X, D, lmbd):
    """``X`` as float64 and ``D`` checked against it; ``lmbd >= 0``."""
    X = np.asarray(X, dtype=np.float64)
    D = check_dictionary(D, n_features=X.shape[1])
    if lmbd < 0:
        raise ValueError(f"lmbd must be >= 0, got {lmbd}.")
    return X, D


def sparse_encode_fista(X, D, lmbd, max_iter=300, tol=1e-7, Z_init=None,
                        lipschitz=None):
    """Solve the Lasso for every row of ``X`` with restarted FISTA.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    D : ndarray of shape (n_atoms, n_features)
        Dictionary; zero atoms are allowed and get zero codes.
    lmbd : float
        Regularization, ``>= 0``.
    max_iter : int, default=300
        Maximum number of iterations.
    tol : float, default=1e-7
        Stop when ``||Z_k+1 - Z_k||_F <= tol * max(||Z_k+1||_F, 1e-12)``.
    Z_init : ndarray of shape (n_samples, n_atoms) or None
        Warm start; zeros when None.
    lipschitz : float or None
        Largest eigenvalue of ``D D^T`` if already known (it is computed
        otherwise); a larger value is safe but slows convergence.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_atoms)
    """
    X, D = _check_lasso_inputs(X, D, lmbd)
    G = D @ D.T
    if lipschitz is None:
        lipschitz = float(np.linalg.eigvalsh(G)[-1]) if G.size else 0.0
    if lipschitz <= 0.0:
        return np.zeros((X.shape[0], D.shape[0]))
    step, threshold = 1.0 / lipschitz, lmbd / lipschitz
    # A gradient step from Y is Y - step (Y G - X D^T) = Y - Y G_step + DX_step.
    G_step = step * G
    DX_step = step * (X @ D.T)

    Z = (np.zeros_like(DX_step) if Z_init is None
         else np.array(Z_init, dtype=np.float64))
    # Buffers reused across iterations: no allocation in the loop.
    Y, Z_new, delta, clipped = (Z.copy(), np.empty_like(Z), np.empty_like(Z),
                                np.empty_like(Z))
    t = 1.0
    for _ in range(max_iter):
        np.matmul(Y, G_step, out=Z_new)
        np.subtract(Y, Z_new, out=Z_new)
        Z_new += DX_step
        soft_threshold(Z_new, threshold, out=Z_new, work=clipped)
        np.subtract(Z_new, Z, out=delta)
        # Adaptive restart (O'Donoghue and Candes 2015): drop the momentum
        # when it points uphill, i.e. when <Y - Z_new, Z_new - Z> > 0.
        flat_delta = delta.ravel()
        if np.dot(Y.ravel(), flat_delta) > np.dot(Z_new.ravel(), flat_delta):
            t = 1.0
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        np.multiply(delta, (t - 1.0) / t_new, out=Y)
        Y += Z_new
        Z, Z_new, t = Z_new, Z, t_new
        delta_norm2 = np.dot(flat_delta, flat_delta)
        flat_Z = Z.ravel()
        if delta_norm2 <= tol ** 2 * max(np.dot(flat_Z, flat_Z), 1e-24):
            break
    return Z
