"""Dictionary updates for fixed codes: least squares (MOD), K-SVD, block coordinate.

Every function takes and returns dictionaries with atoms as rows,
``(n_atoms, n_features)``, and codes ``Z`` of shape ``(n_samples, n_atoms)`` for the
model ``X ~ Z @ D``.
"""
import numpy as np
from scipy import linalg, sparse

from benchmark_utils.learning.atoms import normalize_atoms, restart_atoms


def least_squares_dictionary(X, Z, ridge=1e-10):
    """Least-squares dictionary for fixed codes: ``argmin_D ||X - Z D||_F^2``.

    The update of MOD (Engan, Aase and Husoy 1999) and of alternating
    minimization (Agarwal et al. 2014): ``D = (Z^T Z)^{-1} Z^T X``, computed by a
    Cholesky solve of the normal equations (``n_atoms x n_atoms``), not by an
    explicit inverse.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Z : ndarray or scipy.sparse matrix of shape (n_samples, n_atoms)
        Sparse codes (the simulator's CSR codes) are never densified.
    ridge : float, default=1e-10
        ``ridge * trace(Z^T Z) / n_atoms`` is added to the diagonal of ``Z^T Z``
        so that the system stays solvable when it is rank deficient (an atom that
        codes no sample, or two atoms with proportional code columns). The
        relative size keeps it scale-free and far below the effect of noise. An
        atom whose code column is zero gets a zero row: callers detect and
        replace it.

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)
        Not normalized.
    """
    X = np.asarray(X, dtype=np.float64)
    if sparse.issparse(Z):
        A = (Z.T @ Z).toarray()
        B = np.asarray(Z.T @ X)
    else:
        Z = np.asarray(Z, dtype=np.float64)
        A = Z.T @ Z
        B = Z.T @ X
    return least_squares_from_statistics(A, B, ridge=ridge)


def least_squares_from_statistics(A, B, ridge=1e-10):
    """:func:`least_squares_dictionary` from ``A = Z^T Z`` and ``B = Z^T X``
    (which can be summed over chunks of samples); ``A`` is modified."""
    n_atoms = A.shape[0]
    scale = np.trace(A) / n_atoms
    if scale <= 0:
        return np.zeros((n_atoms, B.shape[1]))
    A[np.diag_indices(n_atoms)] += ridge * scale
    return linalg.solve(A, B, assume_a="pos", check_finite=False)


def least_squares_step(X, Z, restart="unused"):
    """One dictionary step of MOD and alternating minimization, atoms renormalized.

    The least-squares dictionary (:func:`least_squares_dictionary`) with its
    atoms normalized, then, with ``restart="unused"``, the atoms that carry no
    information (unused, zero or duplicated) replaced by the worst-represented
    training samples (:func:`benchmark_utils.learning.restart_atoms`, the rule
    every solver family shares; ``"none"``: no restart).

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)
        Unit-norm atoms.
    Z : ndarray of shape (n_samples, n_atoms)
        The codes rescaled for the normalized atoms (``Z @ D`` unchanged for
        the atoms kept): a warm start for the next coding step.
    """
    D = least_squares_dictionary(X, Z)
    residual = X - Z @ D
    Z = Z * np.linalg.norm(D, axis=1)
    D = normalize_atoms(D)
    D, _ = restart_atoms(D, Z, X, residual, restart=restart)
    return D, Z


def ksvd_atom_updates(X, Z, D, method="svd", order=None):
    """K-SVD's dictionary update stage: one rank-one refit per atom, in sequence.

    For atom ``k`` used by the samples ``omega_k`` (nonzero ``Z[:, k]``), the
    restricted residual without atom ``k``,
    ``E_k = X[omega_k] - Z[omega_k] D + z_k d_k^T``, is approximated by the
    rank-one ``z_k d_k^T`` with ``||d_k|| = 1`` (Aharon, Elad and Bruckstein
    2006). The support of the codes never changes; the new ``z_k`` and
    ``d_k`` are used by the next atoms' updates (Gauss-Seidel order).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Z : ndarray of shape (n_samples, n_atoms)
        Codes, e.g. from OMP.
    D : ndarray of shape (n_atoms, n_features)
    method : {"svd", "approximate"}, default="svd"
        ``"svd"``: the leading singular pair of ``E_k`` (the paper's update).
        ``"approximate"``: one step of alternating minimization of the rank-one
        fit from the current ``z_k`` (approximate K-SVD, Rubinstein, Zibulevsky
        and Elad 2008): ``d_k = E_k^T z_k / ||E_k^T z_k||``, ``z_k = E_k d_k``.
    order : ndarray of int or None
        Order in which the atoms are visited; ``range(n_atoms)`` when None.

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)
        Updated dictionary; used atoms have unit norm, unused ones are unchanged.
    Z : ndarray of shape (n_samples, n_atoms)
        Updated codes (same support as the input).
    residual : ndarray of shape (n_samples, n_features)
        ``X - Z @ D`` for the returned ``Z`` and ``D``.
    unused : ndarray of bool of shape (n_atoms,)
        Atoms used by no sample (left unchanged here; see
        :func:`benchmark_utils.learning.replace_unused_atoms`).
    """
    if method not in ("svd", "approximate"):
        raise ValueError(
            f"method must be 'svd' or 'approximate', got {method!r}."
        )
    X = np.asarray(X, dtype=np.float64)
    D = np.array(D, dtype=np.float64)
    # Column access to the codes is what the loop does: store them by column.
    Z = np.array(Z, dtype=np.float64, order="F")
    n_atoms = D.shape[0]
    residual = X - Z @ D
    unused = np.zeros(n_atoms, dtype=bool)
    for k in range(n_atoms) if order is None else order:
        omega = np.flatnonzero(Z[:, k])
        if omega.size == 0:
            unused[k] = True
            continue
        z = Z[omega, k]
        # Restricted residual without the contribution of atom k.
        E = residual[omega] + np.outer(z, D[k])
        if method == "svd":
            # Leading right singular vector of E as the top eigenvector of the
            # small n_features x n_features matrix E^T E (faster than an SVD
            # of the tall E); then z = E d = s u.
            _, V = linalg.eigh(E.T @ E, subset_by_index=[E.shape[1] - 1] * 2,
                               check_finite=False)
            d = V[:, 0]
            z = E @ d
        else:
            d = E.T @ z
            norm = np.linalg.norm(d)
            if norm == 0:
                unused[k] = True
                continue
            d /= norm
            z = E @ d
        D[k] = d
        Z[omega, k] = z
        residual[omega] = E - np.outer(z, d)
    return D, np.ascontiguousarray(Z), residual, unused


def block_coordinate_update(D, A, B, n_iter=1, eps=1e-12):
    """Block coordinate descent on the atoms with the online sufficient statistics.

    Algorithm 2 of Mairal, Bach, Ponce and Sapiro (2009): with
    ``A = sum_i z_i z_i^T`` (``n_atoms x n_atoms``) and ``B = sum_i z_i^T x_i``
    (``n_atoms x n_features``, our row layout of the paper's ``B = sum x_i a_i^T``),
    each atom in turn is set to the exact minimizer of the surrogate
    ``0.5 tr(D^T A D) - tr(D^T B)`` over the unit ball, the others fixed:
    ``u_j = d_j + (b_j - a_j^T D) / A_jj``, ``d_j = u_j / max(||u_j||, 1)``.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Warm start; not modified.
    A : ndarray of shape (n_atoms, n_atoms)
    B : ndarray of shape (n_atoms, n_features)
    n_iter : int, default=1
        Number of sweeps over the atoms.
    eps : float, default=1e-12
        Atoms with ``A_jj <= eps`` (never used) are left unchanged.

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)
    """
    D = np.array(D, dtype=np.float64)
    diag = np.diag(A)
    for _ in range(n_iter):
        for j in range(D.shape[0]):
            if diag[j] <= eps:
                continue
            u = D[j] + (B[j] - A[j] @ D) / diag[j]
            D[j] = u / max(np.linalg.norm(u), 1.0)
    return D


def online_forgetting_factor(t, batch_size, n_samples=None):
    """Weight of the past statistics at mini-batch ``t`` of online DL.

    The mini-batch rule of Mairal, Bach, Ponce and Sapiro ("Online learning
    for matrix factorization and sparse coding", JMLR 2010, Section 3.4.3):
    with ``eta = batch_size``, ``theta = t eta`` if ``t < eta`` else
    ``eta^2 + t - eta``, and ``beta = (theta + 1 - eta) / (theta + 1)``; the
    statistics are updated as ``A <- beta A + sum_batch z z^T`` (same for
    ``B``). Early mini-batches, coded with a poor dictionary, are thus
    down-weighted, and the weight of the past tends to 1 as ``t`` grows.

    On a training set of ``n_samples`` samples, ``theta`` is capped at
    ``2 n_samples``, as SPAMS' ``trainDL`` does: the statistics then remember
    about two passes over the data whatever the batch size (without the cap,
    at a batch of 256 ``beta`` is 0.996 after the first 256 mini-batches, a
    memory of some 65,000 samples: on 2,000 samples the codes of 30 passes
    earlier, made with far worse dictionaries, still weigh in).

    Parameters
    ----------
    t : int
        Index of the mini-batch, starting at 1.
    batch_size : int
    n_samples : int or None
        Size of the training set; None: no cap (a stream).

    Returns
    -------
    beta : float in [0, 1)
    """
    eta = batch_size
    theta = t * eta if t < eta else eta ** 2 + t - eta
    if n_samples is not None:
        theta = min(theta, 2 * n_samples)
    return (theta + 1.0 - eta) / (theta + 1.0)
