"""True dictionaries: the families a recovery problem is drawn from.

:func:`make_dictionary` draws ``D`` (atoms as unit-norm rows) from a family:
Gaussian, orthogonal, unions of orthonormal bases, Grassmannian (lowest
coherence reachable) or with a chosen mutual coherence;
:func:`check_dictionary_parameters` tells an infeasible request without
drawing anything.
"""
import numpy as np
from scipy.fft import dct
from scipy.linalg import hadamard

from benchmark_utils.metrics.properties import welch_bound
from benchmark_utils.simulation.coherence import (
    check_coherence_kind,
    coherence_dictionary,
)
from benchmark_utils.simulation.frames import (
    ITERATIONS,
    alternating_projections,
    gaussian_frame,
    haar_orthogonal,
)
from benchmark_utils.validation import check_positive_int, check_random_state


def _gaussian_dictionary(n_features, n_atoms, coherence, rng):
    return gaussian_frame(n_features, n_atoms, rng)


def _orthogonal_dictionary(n_features, n_atoms, coherence, rng):
    return haar_orthogonal(n_features, rng)


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
        return haar_orthogonal(n_features, rng)[:n_atoms]
    welch = welch_bound(n_features, n_atoms)
    D, _ = alternating_projections(
        gaussian_frame(n_features, n_atoms, rng),
        bound=lambda mu: welch + 0.5 * (mu - welch), n_iter=ITERATIONS,
    )
    return D


DICTIONARY_KINDS = {
    "gaussian": _gaussian_dictionary,
    "orthogonal": _orthogonal_dictionary,
    "dirac-hadamard": _dirac_hadamard_dictionary,
    "dirac-dct": _dirac_dct_dictionary,
    "grassmannian": _grassmannian_dictionary,
    "coherence": coherence_dictionary,
}

# Shape and target requirements of each kind, checked before anything is drawn.
_DICTIONARY_CHECKS = {
    "orthogonal": _check_orthogonal,
    "dirac-hadamard": _check_dirac_hadamard,
    "dirac-dct": _check_dirac_dct,
    "coherence": check_coherence_kind,
}


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
          (Tropp et al. 2005, see :mod:`benchmark_utils.simulation.frames`) reach from a
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
    return draw_dictionary(n_features, n_atoms, kind, coherence,
                           check_random_state(random_state))


def draw_dictionary(n_features, n_atoms, kind, coherence, rng):
    """:func:`make_dictionary` on arguments already checked by
    :func:`check_dictionary_parameters`, from the Generator ``rng``."""
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

