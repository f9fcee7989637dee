"""Operations on the atoms (rows) of a dictionary: normalization, projections,
and the restart rule shared by every solver family (:func:`restart_atoms`)."""
import numpy as np

# The values of the solvers' ``restart`` parameter: ``"unused"`` applies the
# benchmark's rule (:func:`restart_atoms`) after every dictionary update,
# ``"none"`` never restarts an atom.
RESTARTS = ("unused", "none")


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


def project_atoms_unit_ball(D):
    """Project every atom of ``D`` onto the unit l2 ball (rows of norm > 1 shrunk).

    This is the constraint set of online dictionary learning (Mairal et al. 2009),
    ``||d_k||_2 <= 1``; atoms inside the ball are left unchanged.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)

    Returns
    -------
    D_projected : ndarray of shape (n_atoms, n_features)
    """
    D = np.asarray(D, dtype=np.float64)
    norms = np.linalg.norm(D, axis=1, keepdims=True)
    return D / np.maximum(norms, 1.0)


def replace_unused_atoms(D, unused, X, residual):
    """Replace unused atoms by the normalized worst-represented training samples.

    The rule of K-SVD (Aharon, Elad and Bruckstein 2006): an atom
    that codes no sample carries no information, so it is replaced by the
    training signal that the current model represents worst, normalized. Here
    the ``n_unused`` signals with the largest residual norms ``||x_i - z_i D||``
    are taken, one per unused atom, all distinct.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Dictionary; not modified.
    unused : ndarray of bool of shape (n_atoms,) or of int indices
        Atoms to replace.
    X : ndarray of shape (n_samples, n_features)
        Training signals.
    residual : ndarray of shape (n_samples, n_features)
        ``X - Z @ D`` for the current codes ``Z``.

    Returns
    -------
    D_new : ndarray of shape (n_atoms, n_features)
        Copy of ``D`` with the unused atoms replaced. Signals of zero norm are
        never chosen; when too few nonzero signals remain, the extra unused
        atoms are kept as they are.
    """
    D = np.array(D, dtype=np.float64)
    unused = np.flatnonzero(unused) if np.asarray(unused).dtype == bool else (
        np.asarray(unused, dtype=np.intp))
    if unused.size == 0:
        return D
    X = np.asarray(X, dtype=np.float64)
    errors = np.einsum("ij,ij->i", residual, residual)
    errors[np.einsum("ij,ij->i", X, X) == 0] = -1.0
    n_new = min(unused.size, X.shape[0])
    worst = np.argpartition(-errors, n_new - 1)[:n_new]
    worst = worst[errors[worst] > -1.0]
    D[unused[:worst.size]] = normalize_atoms(X[worst])
    return D


def duplicated_atoms(D, threshold=0.99):
    """Atoms nearly collinear with an atom of lower index.

    An atom whose ``|correlation|`` with another exceeds a threshold adds nothing
    but a second copy, so one of the pair is freed for replacement (a common
    complement of K-SVD's rule for unused atoms). The atom of higher index in
    each such pair is flagged.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    threshold : float, default=0.99
        ``|correlation|`` (of the normalized atoms) above which two atoms count as
        duplicates.

    Returns
    -------
    duplicated : ndarray of bool of shape (n_atoms,)
    """
    D = normalize_atoms(D)
    C = np.abs(D @ D.T)
    C = np.tril(C, k=-1)
    return (C > threshold).any(axis=1)


def atoms_to_replace(D, Z, min_usage=4, max_correlation=0.99):
    """Atoms that carry no information for the codes ``Z``: the ones to replace.

    An atom is flagged when fewer than ``min_usage`` samples use it (nonzero
    code), when it is (numerically) zero, or when it duplicates an atom of lower
    index (``|correlation|`` above ``max_correlation``, see
    :func:`duplicated_atoms`). The defaults are the benchmark's choice, shared
    by K-SVD, MOD and alternating minimization.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    Z : ndarray of shape (n_samples, n_atoms)
    min_usage : int, default=4
    max_correlation : float, default=0.99

    Returns
    -------
    flagged : ndarray of bool of shape (n_atoms,)
    """
    D = np.asarray(D, dtype=np.float64)
    usage = np.count_nonzero(Z, axis=0)
    zero = np.linalg.norm(D, axis=1) <= 1e-12
    return (usage < min_usage) | zero | duplicated_atoms(D, max_correlation)


def restart_atoms(D, Z, X, residual=None, restart="unused", flagged=None):
    """The benchmark's restart rule, one rule for every solver family.

    With ``restart="unused"``, the atoms that carry no information for the
    codes ``Z`` of the samples ``X`` (:func:`atoms_to_replace`: used by fewer
    than 4 of them, zero, or duplicating another atom), plus any ``flagged``
    by the solver itself, are replaced by the normalized worst-represented of
    these samples (:func:`replace_unused_atoms`, K-SVD's rule). K-SVD, MOD and
    alternating minimization apply it to the whole training set after every
    dictionary update, the mini-batch and unrolled solvers to the samples of
    their last update; ``restart="none"`` turns it off.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Dictionary after the update; not modified.
    Z : ndarray of shape (n_samples, n_atoms)
        Codes of ``X`` with which ``D`` was updated.
    X : ndarray of shape (n_samples, n_features)
    residual : ndarray of shape (n_samples, n_features) or None
        ``X - Z @ D`` when the solver has it; computed only when an atom is
        replaced.
    restart : {"unused", "none"}, default="unused"
    flagged : ndarray of bool of shape (n_atoms,) or None
        Atoms the solver's own update found unused (K-SVD's empty supports).

    Returns
    -------
    D_new : ndarray of shape (n_atoms, n_features)
    n_replaced : int
        Number of atoms flagged (0 when nothing changed).
    """
    if restart not in RESTARTS:
        raise ValueError(f"restart must be one of {list(RESTARTS)}, "
                         f"got {restart!r}.")
    D = np.asarray(D, dtype=np.float64)
    if restart == "none":
        return D, 0
    unused = atoms_to_replace(D, Z)
    if flagged is not None:
        unused |= np.asarray(flagged, dtype=bool)
    if not unused.any():
        return D, 0
    if residual is None:
        residual = np.asarray(X, dtype=np.float64) - Z @ D
    return replace_unused_atoms(D, unused, X, residual), int(unused.sum())


def atoms_to_images(D, atom_shape):
    """Atoms as gray images in [0, 1], each stretched to its own range.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, prod(atom_shape))
    atom_shape : tuple of int

    Returns
    -------
    ndarray of uint8, shape ``(n_atoms, *atom_shape)``
        Gray levels 0..255 (a constant atom is mid-gray).
    """
    D = np.asarray(D, dtype=np.float64).reshape(len(D), *atom_shape)
    low = D.min(axis=(1, 2), keepdims=True)
    span = D.max(axis=(1, 2), keepdims=True) - low
    out = np.full(D.shape, 0.5)
    np.divide(D - low, span, out=out, where=span > 0)
    return np.round(out * 255).astype(np.uint8)
