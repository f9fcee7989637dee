"""The ``coherence`` kind of dictionary: a chosen mutual coherence, exactly.

A base dictionary of coherence below the target (a Gaussian draw, pushed
under it by alternating projections when needed), then one atom rotated in
the plane of its most correlated partner so that their |correlation| is the
target; see :func:`benchmark_utils.simulation.make_dictionary`.
:func:`lowest_reachable_coherence` and :func:`check_coherence_target` tell
which targets are feasible for a shape.
"""
import numbers

import numpy as np

from benchmark_utils.metrics.properties import mutual_coherence, welch_bound
from benchmark_utils.simulation.frames import (
    ITERATIONS,
    alternating_projections,
    gaussian_frame,
    haar_orthogonal,
)
from benchmark_utils.validation import check_positive_int

# Tolerance on a measured coherence: targets are met to rounding error.
_COHERENCE_TOL = 1e-10
# Fresh Gaussian starts tried by the ``coherence`` kind before it gives up.
_COHERENCE_STARTS = 5



def lowest_reachable_coherence(n_features, n_atoms):
    """Lowest coherence target accepted by ``make_dictionary(kind="coherence")``.

    A cheap, deterministic estimate, a little above what the ``"grassmannian"``
    kind reaches: 0 when ``K <= n`` (orthonormal families exist), otherwise
    ``min(1, c(K / n) * welch)`` with ``welch`` the Welch bound, ``n =
    n_features``, ``K = n_atoms`` and the factor

    - ``c(r) = 1.15 + 0.1 r`` for ``r <= 3``,
    - ``c(r) = 1.45 + 0.05 (r - 3)`` for ``r > 3``.

    The factor is calibrated to sit a little above what the alternating
    projections of :mod:`benchmark_utils.simulation.frames` reach (1000
    iterations from a Gaussian start) for ``n`` from 8 to 256 and ``K`` up to
    ``4 n`` (``bench/bench_simulation.py --coherence-grid`` measures it).
    When ``K > n (n + 1) / 2`` the estimate is at least 1.1 times Rankin's orthoplex
    bound ``1 / sqrt(n)``, under which no frame exists.
    The reachable coherence varies from one start to the next, most below
    ``n = 16``: a target the first start misses is tried from up to 5 fresh
    Gaussian starts. Below ``n = 8`` a target near the estimate may still raise
    ``ValueError``.

    Parameters
    ----------
    n_features, n_atoms : int

    Returns
    -------
    mu_min : float
    """
    n_features = check_positive_int(n_features, "n_features")
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    if n_atoms <= n_features:
        return 0.0
    ratio = n_atoms / n_features
    if ratio <= 3:
        factor = 1.15 + 0.1 * ratio
    else:
        factor = 1.45 + 0.05 * (ratio - 3)
    mu_min = factor * welch_bound(n_features, n_atoms)
    if n_atoms > n_features * (n_features + 1) // 2:
        mu_min = max(mu_min, 1.1 / np.sqrt(n_features))
    return float(min(1.0, mu_min))


def _rotate_pair(D, i, j, target):
    """Copy of D with atom j rotated in span(d_i, d_j) so that |<d_i, d_j>| = target.

    The sign of the correlation is kept; every other atom is unchanged.
    """
    g = D[i] @ D[j]
    c = target if g >= 0 else -target
    u = D[j] - g * D[i]
    u /= np.linalg.norm(u)
    D = D.copy()
    D[j] = c * D[i] + np.sqrt(max(1.0 - c * c, 0.0)) * u
    D[j] /= np.linalg.norm(D[j])
    return D


def _set_one_pair(D, target, n_candidates=64):
    """Raise the most coherent pair of D (coherence below target) to the target.

    Tries the ``n_candidates`` most correlated pairs in decreasing order and
    returns the first rotated dictionary whose coherence is the target, or None.
    """
    G = np.abs(D @ D.T)
    iu = np.triu_indices(D.shape[0], k=1)
    order = np.argsort(-G[iu], kind="stable")[:n_candidates]
    for p in order:
        i, j = iu[0][p], iu[1][p]
        if np.linalg.norm(D[j] - (D[i] @ D[j]) * D[i]) < 1e-12:
            continue  # d_j = +-d_i: no plane to rotate in
        D_new = _rotate_pair(D, i, j, target)
        if abs(mutual_coherence(D_new) - target) <= _COHERENCE_TOL:
            return D_new
    return None


def _coherence_attempt(n_features, n_atoms, coherence, rng):
    """One start of the ``coherence`` kind: ``(D, mu)``, D None on failure."""
    D = gaussian_frame(n_features, n_atoms, rng)
    mu = mutual_coherence(D)
    if abs(mu - coherence) <= _COHERENCE_TOL:
        return D, mu
    # Base dictionaries of coherence below the target, each further from the
    # Gaussian one: the Gaussian draw itself, then alternating projections
    # (Tropp et al. 2005) clipped ever lower under the target.
    welch = welch_bound(n_features, n_atoms)
    for margin in (0.0, 0.01, 0.03, 0.1):
        stop = coherence * (1.0 - margin - 0.002)
        if mu > stop:
            if n_atoms <= n_features and coherence < 0.05:
                D, mu = haar_orthogonal(n_features, rng)[:n_atoms], 0.0
            else:
                # Clip halfway to the Welch bound, never above halfway between
                # the stop level and it: aiming under the target reaches it in
                # far fewer iterations than clipping at the target itself.
                aim = welch + 0.5 * (stop - welch)
                D, mu = alternating_projections(
                    D, bound=lambda m: max(aim, welch + 0.5 * (m - welch)),
                    n_iter=ITERATIONS, target=stop,
                )
        if mu > coherence + _COHERENCE_TOL:
            continue
        D_new = _set_one_pair(D, coherence)
        if D_new is not None:
            return D_new, coherence
    return None, mu


def check_coherence_kind(n_features, n_atoms, coherence):
    if coherence is None:
        raise ValueError(
            "kind='coherence' needs a target coherence=mu in "
            f"[{lowest_reachable_coherence(n_features, n_atoms):.4f}, 1] for "
            f"n_features={n_features}, n_atoms={n_atoms}."
        )
    if n_atoms < 2:
        raise ValueError(
            "kind='coherence' needs n_atoms >= 2 (coherence is a property of "
            f"pairs of atoms), got n_atoms={n_atoms}."
        )
    check_coherence_target(coherence, n_features, n_atoms)


class CoherenceNotReachedError(ValueError):
    """A feasible coherence target that generation failed to reach from a seed."""


def coherence_dictionary(n_features, n_atoms, coherence, rng):
    # From small n_features, what alternating projections reach varies from one
    # start to the next: a target near the lowest reachable estimate that one
    # start misses is tried again from fresh Gaussian starts.
    lowest_met = np.inf
    for _ in range(_COHERENCE_STARTS):
        D, mu = _coherence_attempt(n_features, n_atoms, coherence, rng)
        if D is not None:
            return D
        lowest_met = min(lowest_met, mu)
    raise CoherenceNotReachedError(
        f"coherence={coherence} could not be reached for "
        f"n_features={n_features}, n_atoms={n_atoms} from {_COHERENCE_STARTS} "
        f"starts: the lowest coherence met was {lowest_met:.4f} (Welch bound "
        f"{welch_bound(n_features, n_atoms):.4f}). Ask for a larger coherence."
    )


def check_coherence_target(coherence, n_features, n_atoms):
    """Validate a target coherence for ``kind="coherence"``; return it as a float.

    Raises ``ValueError`` stating the Welch bound and the lowest reachable value
    (:func:`lowest_reachable_coherence`) when the target is out of
    ``[lowest_reachable, 1]``.
    """
    welch = welch_bound(n_features, n_atoms)
    lowest = lowest_reachable_coherence(n_features, n_atoms)
    if (isinstance(coherence, bool) or not isinstance(coherence, numbers.Real)
            or not np.isfinite(coherence)):
        raise ValueError(
            f"coherence must be a real number in [{lowest:.4f}, 1] for "
            f"n_features={n_features}, n_atoms={n_atoms}, got {coherence!r}."
        )
    if not lowest <= coherence <= 1.0:
        raise ValueError(
            f"coherence={coherence} is out of the feasible range "
            f"[{lowest:.4f}, 1] for n_features={n_features}, n_atoms={n_atoms}: "
            f"the Welch bound is {welch:.4f} and the lowest coherence this "
            f"generator reaches for that shape is about {lowest:.4f}."
        )
    return float(coherence)
