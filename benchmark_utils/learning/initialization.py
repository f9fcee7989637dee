"""Initial dictionaries shared by every solver: the three protocols of the objective.

- ``"random"``: i.i.d. Gaussian atoms, normalized.
- ``"data"``: ``n_atoms`` distinct training samples drawn at random, normalized.
- ``"close"``: the true dictionary with every atom rotated away from itself by a set
  l2 distance, the regime of local convergence theorems (Arora et al. 2015,
  Agarwal et al. 2014, Gribonval et al. 2015).
"""
import numpy as np

from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.validation import check_dictionary, check_random_state

INIT_METHODS = ("random", "data", "close")


def perturb_dictionary(D, distance, random_state=None):
    """Move every atom of ``D`` to l2 distance exactly ``distance`` from itself.

    Atom ``d`` (normalized first) becomes ``cos(theta) d + sin(theta) u`` with ``u`` a
    random unit vector orthogonal to ``d`` and ``theta = 2 arcsin(distance / 2)``, so
    the result has unit norm and ``||d' - d||_2 = distance``.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    distance : float in [0, 2]
    random_state : int, Generator or None

    Returns
    -------
    D_perturbed : ndarray of shape (n_atoms, n_features)
    """
    if not 0.0 <= distance <= 2.0:
        raise ValueError(
            "distance must be in [0, 2] (the l2 distance between two unit atoms), "
            f"got {distance}."
        )
    D = normalize_atoms(check_dictionary(D))
    if D.shape[1] < 2 and distance not in (0.0, 2.0):
        raise ValueError("n_features must be >= 2 to rotate an atom.")
    rng = check_random_state(random_state)
    U = rng.standard_normal(D.shape)
    U -= np.einsum("ij,ij->i", U, D)[:, None] * D
    U = normalize_atoms(U)
    theta = 2.0 * np.arcsin(distance / 2.0)
    return np.cos(theta) * D + np.sin(theta) * U


def init_dictionary(X, n_atoms, method="random", D_true=None, distance=0.5,
                    random_state=None):
    """Initial dictionary with unit-norm atoms as rows, by one of three protocols.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training signals.
    n_atoms : int
    method : {"random", "data", "close"}, default="random"
        See the module docstring.
    D_true : ndarray of shape (n_atoms, n_features) or None
        Required by ``"close"``.
    distance : float, default=0.5
        l2 distance of each initial atom to its true atom, for ``"close"``.
    random_state : int, Generator or None

    Returns
    -------
    D_init : ndarray of shape (n_atoms, n_features)
    """
    if method not in INIT_METHODS:
        raise ValueError(f"init must be one of {list(INIT_METHODS)}, got {method!r}.")
    X = np.asarray(X, dtype=np.float64)
    n_samples, n_features = X.shape
    rng = check_random_state(random_state)
    if method == "random":
        return normalize_atoms(rng.standard_normal((n_atoms, n_features)))
    if method == "data":
        candidates = np.flatnonzero(np.linalg.norm(X, axis=1) > 0)
        if candidates.size < n_atoms:
            raise ValueError(
                f"init='data' needs at least n_atoms={n_atoms} nonzero training "
                f"samples, got {candidates.size}."
            )
        return normalize_atoms(X[rng.choice(candidates, n_atoms, replace=False)])
    if D_true is None:
        raise ValueError("init='close' needs the true dictionary D_true.")
    D_true = check_dictionary(D_true, "D_true", n_atoms=n_atoms,
                              n_features=n_features)
    return perturb_dictionary(D_true, distance, random_state=rng)
