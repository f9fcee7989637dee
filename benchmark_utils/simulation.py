"""Simulation of dictionary recovery problems ``X = Z @ D + E``.

Three building blocks, each taking a ``random_state`` (int, Generator or None; the
same int gives the same bits in any process):

- :func:`make_dictionary` draws the true dictionary ``D`` (atoms as unit-norm rows)
  from a family: Gaussian, orthogonal, unions of orthonormal bases, Grassmannian
  (lowest coherence reachable) or with a chosen mutual coherence;
- :func:`make_codes` draws sparse codes ``Z`` with a chosen support law and amplitude
  law;
- :func:`make_problem` puts them together with Gaussian noise at a given SNR and
  optional outliers, draws a held-out set from the same model, and measures what it
  produced (coherence, Welch bound, RIP estimates, realized SNR, chance floor).
"""
import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.fft import dct
from scipy.linalg import hadamard

from benchmark_utils.atoms import normalize_atoms
from benchmark_utils.frames import alternating_projections
from benchmark_utils.metrics import (
    chance_floor, mutual_coherence, rip_coherence_bound, rip_lower_bound,
    welch_bound,
)
from benchmark_utils.supports import random_supports
from benchmark_utils.validation import check_positive_int, check_random_state

# Rows drawn at once by make_codes (Bernoulli supports) and per noise block in
# make_problem: bounds the temporary memory without a Python loop over samples.
# Part of the bit-exact contract.
_CHUNK_ROWS = 65536


# ----------------------------------------------------------------------------------
# Dictionaries
# ----------------------------------------------------------------------------------
# Iterations of alternating projections for the "grassmannian" kind, and at most
# for the "coherence" kind (which stops as soon as its target is met).
_GRASSMANNIAN_ITER = 1000
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

    The factor was calibrated on the alternating projections of
    :mod:`benchmark_utils.frames` (1000 iterations from a Gaussian start), which
    reach 1.12 to 1.19 times the Welch bound at ``K = 1.25 n`` and ``1.5 n``,
    1.17 to 1.30 at ``2 n``, 1.14 to 1.37 at ``3 n`` and 1.17 to 1.36 at
    ``4 n``, for ``n`` from 8 to 256; the estimate sits 0.05 to 0.15 times the
    Welch bound above. When ``K > n (n + 1) / 2`` the estimate is at least 1.1
    times Rankin's orthoplex bound ``1 / sqrt(n)``, under which no frame exists.
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


def _haar_orthogonal(n, rng):
    """Random orthogonal ``n x n`` matrix, uniform (Haar) over O(n)."""
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def _gaussian_dictionary(n_features, n_atoms, coherence, rng):
    return normalize_atoms(rng.standard_normal((n_atoms, n_features)))


def _orthogonal_dictionary(n_features, n_atoms, coherence, rng):
    return _haar_orthogonal(n_features, rng)


def _check_orthogonal(n_features, n_atoms, coherence):
    if n_atoms != n_features:
        raise ValueError(
            "kind='orthogonal' is a complete orthonormal basis and needs "
            f"n_atoms == n_features, got n_atoms={n_atoms}, "
            f"n_features={n_features}."
        )


def _check_union_shape(kind, n_features, n_atoms):
    if not n_features < n_atoms <= 2 * n_features:
        raise ValueError(
            f"kind={kind!r} is a union of two orthonormal bases of R^n_features: "
            "it needs n_features < n_atoms <= 2 * n_features (the first basis "
            "complete, then n_atoms - n_features atoms of the second), got "
            f"n_features={n_features}, n_atoms={n_atoms}."
        )


def _union_of_bases(B, n_atoms, rng):
    """Dirac basis (identity) then a random subset of the rows of ``B``."""
    n = B.shape[0]
    extra = np.sort(rng.choice(n, size=n_atoms - n, replace=False))
    return np.vstack([np.eye(n), B[extra]])


def _check_dirac_hadamard(n_features, n_atoms, coherence):
    _check_union_shape("dirac-hadamard", n_features, n_atoms)
    if n_features & (n_features - 1):
        raise ValueError(
            "kind='dirac-hadamard' uses Sylvester Hadamard matrices "
            "(scipy.linalg.hadamard), which exist when n_features is a power of "
            f"2, got n_features={n_features}."
        )


def _check_dirac_dct(n_features, n_atoms, coherence):
    _check_union_shape("dirac-dct", n_features, n_atoms)


def _dirac_hadamard_dictionary(n_features, n_atoms, coherence, rng):
    H = hadamard(n_features).astype(np.float64) / np.sqrt(n_features)
    return _union_of_bases(H, n_atoms, rng)


def _dirac_dct_dictionary(n_features, n_atoms, coherence, rng):
    C = dct(np.eye(n_features), norm="ortho", axis=0)
    return _union_of_bases(C, n_atoms, rng)


def _grassmannian_dictionary(n_features, n_atoms, coherence, rng):
    if n_atoms <= n_features:
        return _haar_orthogonal(n_features, rng)[:n_atoms]
    welch = welch_bound(n_features, n_atoms)
    D, _ = alternating_projections(
        _gaussian_dictionary(n_features, n_atoms, None, rng),
        bound=lambda mu: welch + 0.5 * (mu - welch), n_iter=_GRASSMANNIAN_ITER,
    )
    return D


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
    D = _gaussian_dictionary(n_features, n_atoms, None, rng)
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
                D, mu = _haar_orthogonal(n_features, rng)[:n_atoms], 0.0
            else:
                # Clip halfway to the Welch bound, never above halfway between
                # the stop level and it: aiming under the target reaches it in
                # far fewer iterations than clipping at the target itself.
                aim = welch + 0.5 * (stop - welch)
                D, mu = alternating_projections(
                    D, bound=lambda m: max(aim, welch + 0.5 * (m - welch)),
                    n_iter=_GRASSMANNIAN_ITER, target=stop,
                )
        if mu > coherence + _COHERENCE_TOL:
            continue
        D_new = _set_one_pair(D, coherence)
        if D_new is not None:
            return D_new, coherence
    return None, mu


def _check_coherence_kind(n_features, n_atoms, coherence):
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


def _coherence_dictionary(n_features, n_atoms, coherence, rng):
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


DICTIONARY_KINDS = {
    "gaussian": _gaussian_dictionary,
    "orthogonal": _orthogonal_dictionary,
    "dirac-hadamard": _dirac_hadamard_dictionary,
    "dirac-dct": _dirac_dct_dictionary,
    "grassmannian": _grassmannian_dictionary,
    "coherence": _coherence_dictionary,
}

# Shape and target requirements of each kind, checked before anything is drawn.
_DICTIONARY_CHECKS = {
    "orthogonal": _check_orthogonal,
    "dirac-hadamard": _check_dirac_hadamard,
    "dirac-dct": _check_dirac_dct,
    "coherence": _check_coherence_kind,
}


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


def make_dictionary(n_features, n_atoms, kind="gaussian", coherence=None,
                    random_state=None):
    """Draw a dictionary with unit-norm atoms as rows.

    Parameters
    ----------
    n_features : int
        Dimension of the signals, ``n``.
    n_atoms : int
        Number of atoms, ``K``.
    kind : str, default="gaussian"
        Family of the dictionary:

        - ``"gaussian"``: i.i.d. standard Gaussian entries, rows normalized
          (coherence about ``sqrt(4 log(K) / n)``, far above the Welch bound).
        - ``"orthogonal"``: a Haar-random orthonormal basis; needs ``K == n``;
          coherence 0.
        - ``"dirac-hadamard"``: union of the Dirac basis and the normalized
          Sylvester Hadamard basis; ``n`` a power of 2 and ``n < K <= 2 n`` (the
          Dirac basis complete, then ``K - n`` Hadamard atoms drawn at random).
          Coherence exactly ``1 / sqrt(n)``, the lowest possible for a union of
          two orthonormal bases, equal to the Welch bound only asymptotically.
        - ``"dirac-dct"``: union of the Dirac basis and the orthonormal DCT-II
          basis, any ``n`` with ``n < K <= 2 n`` (subset drawn as above). Its
          coherence is the largest DCT entry, ``sqrt(2 / n) cos(pi / (2 n))`` when
          ``n`` is a power of 2 and ``sqrt(2 / n)`` otherwise: about
          ``sqrt(2) / sqrt(n)``, not ``1 / sqrt(n)``.
        - ``"grassmannian"``: coherence as low as alternating projections
          (Tropp et al. 2005, see :mod:`benchmark_utils.frames`) reach from a
          Gaussian start, about 1.1 to 1.4 times the Welch bound for
          ``K <= 4 n``; a random orthonormal family (coherence 0) when ``K <= n``.
        - ``"coherence"``: mutual coherence equal to ``coherence`` (to rounding
          error). See Notes.
    coherence : float or None
        Target mutual coherence for ``kind="coherence"``, in
        ``[lowest_reachable_coherence(n, K), 1]``; must be None for other kinds.
    random_state : int, Generator or None

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)

    Raises
    ------
    ValueError
        For an unknown kind, a shape the kind does not allow, or a coherence
        target out of the feasible range (the message states the Welch bound and
        the lowest reachable value for that shape).

    Notes
    -----
    The ``"coherence"`` kind is a controlled mixture: it takes a base dictionary
    whose coherence is below the target, then rotates one atom ``d_j`` in the
    plane ``span(d_i, d_j)`` of its most correlated partner so that
    ``|<d_i, d_j>|`` equals the target exactly, and checks that no other pair
    exceeds it. The base is the Gaussian draw itself when its coherence is
    already below the target; otherwise the Gaussian draw is pushed under the
    target by the alternating projections of Tropp, Dhillon, Heath and Strohmer
    (2005), "Designing structured tight frames via an alternating projection
    method", which clip only the Gram entries above the bound. So exactly one
    pair sits at the target and the rest of the Gram matrix is as unstructured
    as the base allows (Gaussian, or Gaussian with its largest correlations
    clipped), rather than every pair being equally coherent as in an
    equiangular frame. For recovery studies this makes the asked coherence the
    measured one while the other atoms keep generic correlations; the
    restricted isometry estimate reported by :func:`make_problem` tells how
    the bulk of the Gram matrix behaves.
    """
    n_features, n_atoms, coherence = check_dictionary_parameters(
        n_features, n_atoms, kind=kind, coherence=coherence)
    rng = check_random_state(random_state)
    return DICTIONARY_KINDS[kind](n_features, n_atoms, coherence, rng)


def check_dictionary_parameters(n_features, n_atoms, kind="gaussian",
                                coherence=None):
    """Check the arguments of :func:`make_dictionary` without drawing anything.

    Returns
    -------
    n_features, n_atoms : int
    coherence : float or None

    Raises
    ------
    ValueError
        The error :func:`make_dictionary` raises for the same arguments: an
        unknown kind, a shape the kind does not allow, a coherence target out
        of the feasible range, or a coherence given to another kind.
    """
    n_features = check_positive_int(n_features, "n_features")
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    if kind not in DICTIONARY_KINDS:
        raise ValueError(
            f"kind must be one of {sorted(DICTIONARY_KINDS)}, got {kind!r}."
        )
    if kind != "coherence" and coherence is not None:
        raise ValueError(
            f"coherence={coherence!r} is only used by kind='coherence'; pass "
            f"coherence=None with kind={kind!r}."
        )
    if kind in _DICTIONARY_CHECKS:
        _DICTIONARY_CHECKS[kind](n_features, n_atoms, coherence)
    if coherence is not None:
        coherence = float(coherence)
    return n_features, n_atoms, coherence


# ----------------------------------------------------------------------------------
# Codes
# ----------------------------------------------------------------------------------
AMPLITUDE_LAWS = ("gaussian", "rademacher", "uniform")


def check_sparsity(sparsity, n_atoms):
    """Validate ``sparsity``: an int in [1, n_atoms] or a float rate in (0, 1)."""
    if isinstance(sparsity, numbers.Integral) and not isinstance(sparsity, bool):
        if not 1 <= sparsity <= n_atoms:
            raise ValueError(
                "sparsity must be an integer number of nonzeros in "
                f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity}."
            )
        return int(sparsity)
    if isinstance(sparsity, numbers.Real) and not isinstance(sparsity, bool):
        if not 0.0 < sparsity < 1.0:
            raise ValueError(
                "sparsity must be an integer number of nonzeros in "
                f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity}."
            )
        return float(sparsity)
    raise ValueError(
        "sparsity must be an integer number of nonzeros in "
        f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity!r}."
    )


def check_amplitude_law(distribution, amplitude_range=(1.0, 2.0)):
    """Validate the amplitude law of the nonzeros of :func:`make_codes`."""
    if distribution not in AMPLITUDE_LAWS:
        raise ValueError(
            f"distribution must be one of {list(AMPLITUDE_LAWS)}, "
            f"got {distribution!r}."
        )
    low, high = amplitude_range
    if distribution == "uniform" and not 0.0 < low <= high:
        raise ValueError(
            "amplitude_range=(a, b) must satisfy 0 < a <= b so that amplitudes are "
            f"bounded away from 0, got {amplitude_range}."
        )


def _amplitudes(size, distribution, amplitude_range, rng):
    if distribution == "gaussian":
        return rng.standard_normal(size)
    signs = rng.integers(0, 2, size=size).astype(np.float64) * 2.0 - 1.0
    if distribution == "rademacher":
        return signs
    low, high = amplitude_range
    return signs * rng.uniform(low, high, size=size)


def make_codes_sparse(n_samples, n_atoms, sparsity, distribution="gaussian",
                      amplitude_range=(1.0, 2.0), random_state=None):
    """Sparse codes as a ``scipy.sparse.csr_matrix``; see :func:`make_codes`.

    Same draws, hence the same values, as :func:`make_codes` for the same
    arguments. Prefer it for large ``n_samples``: memory is ``O(nnz)``.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    sparsity = check_sparsity(sparsity, n_atoms)
    check_amplitude_law(distribution, amplitude_range)
    rng = check_random_state(random_state)

    if isinstance(sparsity, int):
        indices = random_supports(n_samples, n_atoms, sparsity, rng).ravel()
        indptr = np.arange(0, n_samples * sparsity + 1, sparsity)
    else:
        blocks = []
        for start in range(0, n_samples, _CHUNK_ROWS):
            rows = min(_CHUNK_ROWS, n_samples - start)
            blocks.append(sparse.csr_matrix(rng.random((rows, n_atoms)) < sparsity))
        mask = sparse.vstack(blocks, format="csr")
        indices, indptr = mask.indices, mask.indptr
    data = _amplitudes(indices.size, distribution, amplitude_range, rng)
    return sparse.csr_matrix((data, indices, indptr), shape=(n_samples, n_atoms))


def make_codes(n_samples, n_atoms, sparsity, distribution="gaussian",
               amplitude_range=(1.0, 2.0), random_state=None):
    """Draw sparse codes ``Z`` of shape ``(n_samples, n_atoms)``.

    Parameters
    ----------
    n_samples, n_atoms : int
    sparsity : int or float
        An int ``s`` in ``[1, n_atoms]``: every sample has exactly ``s`` nonzeros on a
        support drawn uniformly among the s-subsets. A float ``p`` in ``(0, 1)``: each
        entry is nonzero independently with probability ``p`` (Bernoulli-Gaussian
        model and its variants), so some samples may have no nonzero.
    distribution : {"gaussian", "rademacher", "uniform"}, default="gaussian"
        Law of the nonzero amplitudes: standard Gaussian; +-1 with equal
        probability; or a random sign times a uniform magnitude in
        ``amplitude_range``, bounded away from 0 as in Arora et al. (2015).
    amplitude_range : tuple (a, b), default=(1.0, 2.0)
        Magnitude range of the ``"uniform"`` law, ``0 < a <= b``.
    random_state : int, Generator or None

    Returns
    -------
    Z : ndarray of shape (n_samples, n_atoms)
    """
    return make_codes_sparse(
        n_samples, n_atoms, sparsity, distribution=distribution,
        amplitude_range=amplitude_range, random_state=random_state,
    ).toarray()


# ----------------------------------------------------------------------------------
# Problems
# ----------------------------------------------------------------------------------
@dataclass
class Problem:
    """A simulated dictionary recovery problem, ``X = Z_true @ D_true + noise``.

    Attributes
    ----------
    X, X_test : ndarray of shape (n_samples, n_features), (n_test, n_features)
        Training and held-out signals, drawn from the same model.
    D_true : ndarray of shape (n_atoms, n_features)
    Z_true, Z_test : ndarray or sparse matrix of shape (n_samples, n_atoms), \
(n_test, n_atoms)
        Codes of the clean signals (dense unless ``sparse_codes=True``). The
        rows of outlier samples keep the code that was drawn, which no longer
        explains the (replaced) signal.
    properties : dict
        What was actually produced, measured on the generated arrays: see
        :func:`make_problem`.
    outliers : ndarray of shape (n_samples,), dtype bool
        True for the training samples replaced by outliers.
    """

    X: np.ndarray
    X_test: np.ndarray
    D_true: np.ndarray
    Z_true: object
    Z_test: object
    properties: dict = field(default_factory=dict)
    outliers: np.ndarray = None


def check_snr(snr):
    """Validate an SNR in dB: a real number or +inf (noiseless)."""
    if (isinstance(snr, bool) or not isinstance(snr, numbers.Real)
            or np.isnan(snr) or snr == -np.inf):
        raise ValueError(
            "snr must be a signal-to-noise ratio in dB, a real number or inf for "
            f"noiseless data, got {snr!r}."
        )
    return float(snr)


def check_outlier_fraction(outlier_fraction):
    """Validate a fraction of outlier samples, a real number in [0, 1)."""
    if (isinstance(outlier_fraction, bool)
            or not isinstance(outlier_fraction, numbers.Real)
            or not 0.0 <= outlier_fraction < 1.0):
        raise ValueError(
            "outlier_fraction must be a fraction of the training samples in "
            f"[0, 1), got {outlier_fraction!r}."
        )
    return float(outlier_fraction)


def _add_noise_inplace(X, noise_std, rng, skip=None):
    """``X += noise_std * N(0, 1)``, drawn by blocks of rows; return the noise energy.

    Block ``b`` of ``_CHUNK_ROWS`` rows draws from the ``b``-th generator spawned
    from ``rng``, so the values depend neither on the number of threads nor on
    their scheduling; the blocks are filled by a thread pool (NumPy's generators
    release the GIL), each with its own buffer of one block. The returned
    energy excludes the rows flagged in ``skip`` (outliers, overwritten later)
    and is summed in block order.
    """
    n_blocks = -(-X.shape[0] // _CHUNK_ROWS)
    streams = rng.spawn(n_blocks)
    if noise_std == 0.0:
        return 0.0

    def fill(b):
        rows = slice(b * _CHUNK_ROWS, min((b + 1) * _CHUNK_ROWS, X.shape[0]))
        noise = streams[b].standard_normal((rows.stop - rows.start, X.shape[1]))
        noise *= noise_std
        X[rows] += noise
        if skip is not None:
            noise[skip[rows]] = 0.0
        return float(np.einsum("ij,ij->", noise, noise))

    n_threads = min(n_blocks, os.cpu_count() or 1)
    if n_threads == 1:
        return float(sum(fill(b) for b in range(n_blocks)))
    with ThreadPoolExecutor(n_threads) as pool:
        return float(sum(pool.map(fill, range(n_blocks))))


def realized_snr(clean, noisy):
    """SNR in dB actually present: ``10 log10(||clean||^2 / ||noisy - clean||^2)``."""
    noise_power = np.sum((noisy - clean) ** 2)
    if noise_power == 0:
        return np.inf
    return float(10 * np.log10(np.sum(clean ** 2) / noise_power))


def rip_sparsity(sparsity, n_atoms):
    """Support size used for the RIP estimates: ``s``, or ``max(1, round(p K))``."""
    if isinstance(sparsity, float):
        return int(max(1, min(n_atoms, round(sparsity * n_atoms))))
    return int(sparsity)


def check_problem_parameters(n_samples, n_features, n_atoms, sparsity,
                             n_test=1000, snr=30.0, kind="gaussian",
                             coherence=None, distribution="gaussian",
                             amplitude_range=(1.0, 2.0), outlier_fraction=0.0):
    """Check the arguments of :func:`make_problem` without drawing anything.

    Cheap (no dictionary, code or noise is drawn), so a sweep can tell its
    infeasible cells before generating any: ``kind="orthogonal"`` with
    ``n_atoms != n_features``, ``sparsity`` above ``n_atoms``, a coherence
    target out of the feasible range, and so on.

    Raises
    ------
    ValueError
        The error :func:`make_problem` raises for the same arguments, saying what
        is allowed. A ``coherence`` target inside the feasible range but close to
        its lowest value can still fail at generation time (see
        :func:`make_dictionary`), which only a draw can tell.
    """
    check_snr(snr)
    check_positive_int(n_samples, "n_samples")
    check_positive_int(n_test, "n_test")
    check_outlier_fraction(outlier_fraction)
    _, n_atoms, _ = check_dictionary_parameters(n_features, n_atoms, kind=kind,
                                                coherence=coherence)
    check_sparsity(sparsity, n_atoms)
    check_amplitude_law(distribution, amplitude_range)


def make_problem(n_samples, n_features, n_atoms, sparsity, n_test=1000, snr=30.0,
                 kind="gaussian", coherence=None, distribution="gaussian",
                 amplitude_range=(1.0, 2.0), outlier_fraction=0.0,
                 sparse_codes=False, random_state=None):
    """Simulate a dictionary recovery problem and measure it.

    The training and held-out sets are drawn from the same model
    ``x = z @ D_true + e``: ``D_true`` from :func:`make_dictionary`, ``z`` from
    :func:`make_codes`, ``e`` i.i.d. Gaussian with a variance set so that the SNR,
    ``10 log10(E||z D||^2 / E||e||^2)``, is ``snr`` dB, the signal power being the
    empirical one of the clean training signals.

    Optionally, a fraction of the training samples are outliers, as in the
    "Sparse and spurious" analysis of Gribonval, Jenatton and Bach (2015): they
    are replaced by dense Gaussian noise with i.i.d. entries of variance
    ``mean(||z D||^2) / n_features``, so that an outlier has on average the same
    energy as a clean signal and cannot be spotted by its norm. The held-out set
    has no outliers, so the test loss measures the fit to the model.

    Parameters
    ----------
    n_samples : int
        Number of training signals.
    n_features, n_atoms : int
        Shape of the true dictionary, ``(n_atoms, n_features)``.
    sparsity : int or float
        See :func:`make_codes`.
    n_test : int, default=1000
        Number of held-out signals.
    snr : float, default=30.0
        Signal-to-noise ratio in dB; ``np.inf`` for noiseless signals.
    kind, coherence :
        See :func:`make_dictionary`.
    distribution, amplitude_range :
        See :func:`make_codes`.
    outlier_fraction : float in [0, 1), default=0.0
        Share of the training samples replaced by outliers; exactly
        ``round(outlier_fraction * n_samples)`` samples, chosen at random.
    sparse_codes : bool, default=False
        Return ``Z_true`` and ``Z_test`` as ``scipy.sparse.csr_matrix`` (memory
        ``O(nnz)``, for large ``n_samples``) instead of dense arrays.
    random_state : int, Generator or None
        The dictionary, the training codes, the test codes, the noise and the
        outliers come from five independent streams spawned from it, so changing
        ``n_test`` or ``outlier_fraction`` does not change the clean training
        set.

    Returns
    -------
    problem : Problem
        Its ``properties`` dict holds floats measured on what was generated:

        - ``coherence``: mutual coherence of ``D_true``; ``welch_bound``: the
          lowest coherence possible for its shape;
        - ``rip_s``: the support size ``s`` used below (``sparsity``, or
          ``max(1, round(p K))`` for a Bernoulli rate ``p``);
          ``delta_s_lower``: lower bound on the RIP constant ``delta_s`` from
          1000 sampled supports (:func:`~benchmark_utils.metrics.rip_lower_bound`);
          ``delta_s_upper``: the coherence bound ``(s - 1) mu``;
        - ``sparsity``: mean number of nonzeros per training code;
        - ``snr``: realized on the inlier training samples, in dB (inf when
          noiseless);
        - ``outlier_fraction``: share of training samples that are outliers;
        - ``chance_floor``: expected recovery score of a random Gaussian guess.
    """
    check_problem_parameters(
        n_samples, n_features, n_atoms, sparsity, n_test=n_test, snr=snr,
        kind=kind, coherence=coherence, distribution=distribution,
        amplitude_range=amplitude_range, outlier_fraction=outlier_fraction,
    )
    snr = check_snr(snr)
    outlier_fraction = check_outlier_fraction(outlier_fraction)
    rng = check_random_state(random_state)
    rng_dict, rng_train, rng_test, rng_noise, rng_outliers = rng.spawn(5)

    D_true = make_dictionary(n_features, n_atoms, kind=kind, coherence=coherence,
                             random_state=rng_dict)
    code_kwargs = dict(sparsity=sparsity, distribution=distribution,
                       amplitude_range=amplitude_range)
    Z_true = make_codes_sparse(n_samples, n_atoms, random_state=rng_train,
                               **code_kwargs)
    Z_test = make_codes_sparse(n_test, n_atoms, random_state=rng_test,
                               **code_kwargs)
    X = np.asarray(Z_true @ D_true)
    X_test = np.asarray(Z_test @ D_true)

    n_outliers = int(round(outlier_fraction * n_samples))
    outliers = np.zeros(n_samples, dtype=bool)
    outliers[rng_outliers.choice(n_samples, size=n_outliers, replace=False)] = True

    row_energy = np.einsum("ij,ij->i", X, X)
    signal_power = float(row_energy.sum() / X.size)
    clean_energy = float(row_energy[~outliers].sum())
    del row_energy
    if np.isfinite(snr):
        noise_std = np.sqrt(signal_power / 10 ** (snr / 10))
    else:
        noise_std = 0.0
    noise_energy = _add_noise_inplace(X, noise_std, rng_noise, skip=outliers)
    _add_noise_inplace(X_test, noise_std, rng_noise)
    if n_outliers:
        X[outliers] = np.sqrt(signal_power) * rng_outliers.standard_normal(
            (n_outliers, n_features))

    s = rip_sparsity(check_sparsity(sparsity, n_atoms), n_atoms)
    if noise_energy > 0:
        snr_realized = float(10 * np.log10(clean_energy / noise_energy))
    else:
        snr_realized = float(np.inf)
    properties = dict(
        coherence=mutual_coherence(D_true),
        welch_bound=welch_bound(n_features, n_atoms),
        rip_s=float(s),
        delta_s_lower=rip_lower_bound(D_true, s),
        delta_s_upper=rip_coherence_bound(D_true, s),
        sparsity=float(Z_true.getnnz() / n_samples),
        snr=snr_realized,
        outlier_fraction=float(n_outliers / n_samples),
        chance_floor=chance_floor(D_true),
    )
    if not sparse_codes:
        Z_true, Z_test = Z_true.toarray(), Z_test.toarray()
    return Problem(X=X, X_test=X_test, D_true=D_true, Z_true=Z_true,
                   Z_test=Z_test, properties=properties, outliers=outliers)
