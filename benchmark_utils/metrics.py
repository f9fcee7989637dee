"""Measures of a dictionary (coherence, Welch bound, RIP) and of its recovery.

Every function takes dictionaries with atoms as rows, ``(n_atoms, n_features)``, and
normalizes the rows itself, so the scores are invariant to a positive (or negative)
rescaling of each atom.
"""
from itertools import combinations
from math import comb

import numpy as np
from scipy.optimize import linear_sum_assignment

from benchmark_utils.atoms import normalize_atoms
from benchmark_utils.supports import random_supports
from benchmark_utils.validation import (
    check_dictionary, check_positive_int, check_random_state
)


# |correlation| at which a true atom counts as recovered (K-SVD's experiments).
RECOVERED_THRESHOLD = 0.99

def mutual_coherence(D):
    """Mutual coherence ``max_{i != j} |<d_i, d_j>|`` of the normalized rows of D.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)

    Returns
    -------
    mu : float
        In [0, 1]; 0 for a single atom.
    """
    D = normalize_atoms(check_dictionary(D))
    if D.shape[0] < 2:
        return 0.0
    G = np.abs(D @ D.T)
    np.fill_diagonal(G, 0.0)
    return float(G.max())


def welch_bound(n_features, n_atoms):
    """Lowest possible mutual coherence of ``n_atoms`` unit vectors in R^n_features.

    ``sqrt((K - n) / (n (K - 1)))`` with ``K = n_atoms`` and ``n = n_features``, and
    0 when ``K <= n`` (an orthonormal family exists).
    """
    n, K = int(n_features), int(n_atoms)
    if n < 1 or K < 1:
        raise ValueError(
            f"n_features and n_atoms must be >= 1, got {n_features}, {n_atoms}."
        )
    if K <= n:
        return 0.0
    return float(np.sqrt((K - n) / (n * (K - 1))))


def matched_correlations(D_true, D_est):
    """|correlation| of each true atom with its match in ``D_est``.

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
            "(benchmark_utils.atoms.sanitize_atoms)."
        )
    D_est = normalize_atoms(D_est)
    C = np.abs(D_true @ D_est.T)
    rows, cols = linear_sum_assignment(C, maximize=True)
    correlations = np.zeros(D_true.shape[0])
    correlations[rows] = C[rows, cols]
    # Rounding can push a perfect match a hair above 1.
    return np.minimum(correlations, 1.0)


def recovery_score(D_true, D_est):
    """Mean over the true atoms of their matched |correlation| with ``D_est``.

    1.0 means that ``D_est`` equals ``D_true`` up to a permutation, a sign flip and a
    rescaling of each atom. A missing atom (fewer estimated atoms, or a zero row)
    costs ``1 / n_atoms``. See :func:`matched_correlations` for the matching.

    Returns
    -------
    score : float in [0, 1]
    """
    return float(matched_correlations(D_true, D_est).mean())


def recovered_fraction(D_true, D_est, threshold=RECOVERED_THRESHOLD):
    """Share of true atoms whose matched |correlation| is at least ``threshold``.

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


def _sample_supports(n_atoms, s, n_supports, rng):
    """``n_supports`` uniform random s-subsets of range(n_atoms), or all of them.

    When there are at most ``n_supports`` subsets of size ``s``, every one is
    returned (in lexicographic order), which makes the estimate exact.
    """
    if comb(n_atoms, s) <= n_supports:
        return np.array(list(combinations(range(n_atoms), s)), dtype=np.intp)
    return random_supports(n_supports, n_atoms, s, rng)


def rip_lower_bound(D, s, n_supports=1000, random_state=0):
    """Lower bound on the restricted isometry constant ``delta_s`` of ``D``.

    ``delta_s`` is the smallest ``delta`` such that
    ``(1 - delta) ||z||^2 <= ||z D||^2 <= (1 + delta) ||z||^2`` for every code
    ``z`` with at most ``s`` nonzeros. For a support ``S``, the extreme
    eigenvalues of the Gram matrix ``D_S D_S^T`` (``D_S``: the rows in ``S``)
    give ``max(1 - lambda_min, lambda_max - 1)``; the largest value over the
    sampled supports is a lower bound on ``delta_s`` (exact when every support
    is visited, which happens when there are at most ``n_supports`` of them).
    Besides the random supports, the ``n_atoms`` greedy supports made of each
    atom and its ``s - 1`` most correlated atoms are visited, so that a few
    very coherent atoms are not missed by sampling (and ``delta_2`` equals the
    mutual coherence). Computing ``delta_s`` itself is NP-hard in general.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Rows are normalized first.
    s : int
        Support size, in ``[1, n_atoms]``.
    n_supports : int, default=1000
        Number of supports drawn uniformly at random (plus the greedy ones).
    random_state : int, Generator or None, default=0
        With the default fixed seed the value is a deterministic function of
        ``D``.

    Returns
    -------
    delta : float
        In ``[0, inf)``; 0 for ``s = 1`` (unit-norm atoms), at least 1 when
        ``s > n_features`` (``D_S D_S^T`` is then singular).
    """
    D = normalize_atoms(check_dictionary(D))
    n_atoms = D.shape[0]
    s = check_positive_int(s, "s")
    if s > n_atoms:
        raise ValueError(f"s must be in [1, n_atoms={n_atoms}], got {s}.")
    n_supports = check_positive_int(n_supports, "n_supports")
    rng = check_random_state(random_state)
    supports = _sample_supports(n_atoms, s, n_supports, rng)
    if s > 1 and supports.shape[0] < comb(n_atoms, s):
        # Greedy supports: each atom with its s - 1 most correlated atoms, where
        # the worst blocks are likely to be (so delta_2 is always exact).
        G = np.abs(D @ D.T)
        np.fill_diagonal(G, np.inf)
        greedy = np.argsort(-G, axis=1, kind="stable")[:, :s]
        supports = np.vstack([supports, greedy])
    delta = 0.0
    # Batches of supports bound the memory of the stacked Gram matrices.
    batch = max(1, 2 ** 22 // (s * s + s * D.shape[1]))
    for start in range(0, supports.shape[0], batch):
        D_S = D[supports[start:start + batch]]
        eig = np.linalg.eigvalsh(D_S @ np.swapaxes(D_S, 1, 2))
        delta = max(delta, float(np.max(np.maximum(1.0 - eig[:, 0],
                                                   eig[:, -1] - 1.0))))
    return max(delta, 0.0)


def rip_coherence_bound(D, s):
    """Upper bound ``(s - 1) mu`` on ``delta_s`` from the mutual coherence ``mu``.

    By Gershgorin's theorem every eigenvalue of ``D_S D_S^T`` lies within
    ``(s - 1) mu`` of 1 for unit-norm atoms. The bound exceeds 1 (and says
    nothing) as soon as ``s > 1 + 1 / mu``.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    s : int
        Support size, at least 1.

    Returns
    -------
    bound : float
    """
    s = check_positive_int(s, "s")
    return float((s - 1) * mutual_coherence(D))
