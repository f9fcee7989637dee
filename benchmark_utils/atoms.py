"""Operations on the atoms (rows) of a dictionary: normalization and projections."""
import numpy as np


def normalize_atoms(D, eps=1e-12):
    """Return a copy of ``D`` whose rows have unit l2 norm.

    Rows with a norm below ``eps`` (numerically zero atoms) are returned as zero
    rows rather than amplified noise, so that a missing atom stays missing.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Dictionary with atoms as rows.
    eps : float, default=1e-12
        Norm under which an atom counts as zero.

    Returns
    -------
    D_normalized : ndarray of shape (n_atoms, n_features)
    """
    D = np.asarray(D, dtype=np.float64)
    norms = np.linalg.norm(D, axis=1, keepdims=True)
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > eps)
    return D * scale


def sanitize_atoms(D):
    """Replace every atom holding a NaN or an infinite entry by a zero row.

    Returns
    -------
    D_clean : ndarray of shape (n_atoms, n_features)
        Float64 copy of ``D`` with the non-finite atoms zeroed.
    n_invalid : int
        Number of atoms that were replaced.
    """
    D = np.array(D, dtype=np.float64)
    bad = ~np.isfinite(D).all(axis=1)
    D[bad] = 0.0
    return D, int(bad.sum())
