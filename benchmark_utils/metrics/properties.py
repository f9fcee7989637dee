"""Properties of a dictionary: mutual and cumulative coherence, Welch bound,
RIP bounds.

Every function takes a dictionary with atoms as rows, ``(n_atoms, n_features)``,
and normalizes the rows itself. These describe the *true* dictionary of a
problem (how hard it is to recover); :mod:`.recovery` scores an estimate.
"""
from itertools import combinations
from math import comb

import numpy as np

from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.supports import random_supports
from benchmark_utils.validation import (
    check_dictionary,
    check_positive_int,
    check_random_state,
)


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


def check_support_size(s, n_atoms):
    """Validate a support size: an integer in ``[1, n_atoms]``."""
    s = check_positive_int(s, "s")
    if s > n_atoms:
        raise ValueError(f"s must be in [1, n_atoms={n_atoms}], got {s}.")
    return s


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
    s = check_support_size(s, n_atoms)
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


def cumulative_coherence(D, s):
    """Cumulative coherence (Babel function) ``mu_1(s)`` of the rows of ``D``.

    ``mu_1(s) = max_i max_{|S| = s, i not in S} sum_{j in S} |<d_i, d_j>|``
    (Tropp, "Greed is good", IEEE TIT 2004; Donoho and Elad, PNAS 2003):
    how much ``s`` other atoms can together resemble one atom.
    Computed exactly: for each atom, the sum of the ``s`` largest
    ``|<d_i, d_j>|``, ``j != i``, then the largest of these sums.
    ``mu_1(1)`` is the mutual coherence and ``mu_1(s) <= s mu``.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Rows are normalized first.
    s : int
        Number of other atoms, in ``[0, n_atoms - 1]``.

    Returns
    -------
    mu_1 : float
        In ``[0, s]``; 0 for ``s = 0``.
    """
    D = normalize_atoms(check_dictionary(D))
    n_atoms = D.shape[0]
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not (
            0 <= s <= n_atoms - 1):
        raise ValueError(
            f"s must be an integer in [0, n_atoms - 1 = {n_atoms - 1}], got {s!r}.")
    if s == 0:
        return 0.0
    G = np.abs(D @ D.T)
    np.fill_diagonal(G, 0.0)
    # The s largest entries of each row (the zeroed diagonal is never among
    # them unless they are zeros too, which does not change the sum).
    largest = -np.partition(-G, s - 1, axis=1)[:, :s]
    return float(largest.sum(axis=1).max())


def rip_coherence_bound(D, s):
    """Upper bound ``(s - 1) mu`` on ``delta_s`` from the mutual coherence ``mu``.

    By Gershgorin's theorem every eigenvalue of ``D_S D_S^T`` lies within
    ``(s - 1) mu`` of 1 for unit-norm atoms. The bound exceeds 1 (and says
    nothing) as soon as ``s > 1 + 1 / mu``. :func:`rip_upper_bound` is never
    looser.

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


def rip_upper_bound(D, s):
    """The tightest of the known cheap upper bounds on ``delta_s``.

    - the Babel bound ``mu_1(s - 1)`` (:func:`cumulative_coherence`): by
      Gershgorin's theorem on the Gram block ``D_S D_S^T`` of unit-norm atoms,
      each eigenvalue is within the largest off-diagonal row sum of 1, and a
      row of the block sums ``s - 1`` correlations of one atom with others
      (the argument of Tropp, "Greed is good", 2004); never above
      ``(s - 1) mu``;
    - the spectral bound ``max(1, ||D||_2^2 - 1)``: the Gram block is positive
      semi-definite (``1 - lambda_min <= 1``) and its largest eigenvalue is at
      most that of the whole Gram ``D D^T``; it is the tighter one only where
      the Babel bound is above 1, where ``delta_s`` is large anyway.

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        Rows are normalized first.
    s : int
        Support size, in ``[1, n_atoms]``.

    Returns
    -------
    bound : float
        At least the true ``delta_s``, at most ``(s - 1) mu``.
    """
    D = normalize_atoms(check_dictionary(D))
    s = check_support_size(s, D.shape[0])
    babel = cumulative_coherence(D, s - 1)
    spectral = max(1.0, float(np.linalg.norm(D, 2)) ** 2 - 1.0)
    return min(babel, spectral)
