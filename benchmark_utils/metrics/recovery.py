"""Recovery of a true dictionary by an estimate, up to permutation and sign.

Both dictionaries have atoms as rows and are normalized here, so the scores are
invariant to a positive (or negative) rescaling of each atom.
"""
import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.validation import check_dictionary, check_random_state

# |correlation| at which a true atom counts as recovered (K-SVD's experiments).
RECOVERED_THRESHOLD = 0.99


def matched_correlations(D_true, D_est):
    """``|correlation|`` of each true atom with its match in ``D_est``.

    The rows of both dictionaries are normalized (a zero row stays zero and so
    correlates 0 with everything), then the one-to-one matching that maximizes the
    sum of absolute correlations is found with the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`). True atoms left without a match
    (when ``D_est`` has fewer atoms) get 0.

    Parameters
    ----------
    D_true : ndarray of shape (n_atoms, n_features)
    D_est : ndarray of shape (n_atoms_est, n_features)

    Returns
    -------
    correlations : ndarray of shape (n_atoms,)
        In [0, 1], in the order of the true atoms.
    """
    D_true = normalize_atoms(check_dictionary(D_true, "D_true"))
    D_est = check_dictionary(D_est, "D_est", n_features=D_true.shape[1])
    if not np.isfinite(D_est).all():
        raise ValueError(
            "D_est holds NaN or infinite entries; zero those atoms first "
            "(benchmark_utils.learning.sanitize_atoms)."
        )
    D_est = normalize_atoms(D_est)
    C = np.abs(D_true @ D_est.T)
    rows, cols = linear_sum_assignment(C, maximize=True)
    correlations = np.zeros(D_true.shape[0])
    correlations[rows] = C[rows, cols]
    # Rounding can push a perfect match a hair above 1.
    return np.minimum(correlations, 1.0)


def recovery_score(D_true, D_est):
    """Mean over the true atoms of their matched ``|correlation|`` with ``D_est``.

    1.0 means that ``D_est`` equals ``D_true`` up to a permutation, a sign flip and a
    rescaling of each atom. A missing atom (fewer estimated atoms, or a zero row)
    costs ``1 / n_atoms``. See :func:`matched_correlations` for the matching.

    Returns
    -------
    score : float in [0, 1]
    """
    return float(matched_correlations(D_true, D_est).mean())


def recovered_fraction(D_true, D_est, threshold=RECOVERED_THRESHOLD):
    """Share of true atoms whose matched ``|correlation|`` is at least ``threshold``.

    This is the success criterion of K-SVD's experiments (Aharon et al. 2006) made
    one-to-one: two true atoms cannot both be "found" by the same estimate.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}.")
    return float((matched_correlations(D_true, D_est) >= threshold).mean())


def chance_floor(D_true, n_draws=32, random_state=0):
    """Expected :func:`recovery_score` of a random Gaussian guess of D_true's shape.

    Estimated by Monte Carlo over ``n_draws`` Gaussian dictionaries; with the default
    fixed ``random_state`` the value is a deterministic function of ``D_true``. Read
    any recovery score against it: at 30 x 50 it is about 0.42, at 64 x 128 about
    0.33, so a score of 0.5 is barely above guessing.

    Parameters
    ----------
    D_true : ndarray of shape (n_atoms, n_features)
    n_draws : int, default=32
    random_state : int, Generator or None, default=0

    Returns
    -------
    floor : float
    """
    D_true = check_dictionary(D_true, "D_true")
    rng = check_random_state(random_state)
    scores = [
        recovery_score(D_true, rng.standard_normal(D_true.shape))
        for _ in range(n_draws)
    ]
    return float(np.mean(scores))
