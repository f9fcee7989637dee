"""The families of true convolutional atoms, ``(n_atoms, n_channels, n_times_atom)``.

- ``gaussian``: i.i.d. Gaussian entries (white waveforms, the lowest shift
  coherence a random draw gives);
- ``shapes``: the smooth waveforms of the convolutional literature, in turn a
  triangle, a square, sine cycles, a Gabor wavelet and a chirp, each with a
  random number of cycles, phase or width; a smooth atom correlates highly
  with itself one sample later (a shift coherence near 1: such atoms are hard
  to localize, and that is measured, not hidden);
- ``coherence``: a chosen shift coherence, exactly (:func:`shift_coherence`,
  every lag and every pair, an atom with its own lags included): Gaussian
  atoms pushed under the target by gradient descent on the excess
  correlations when needed, then one atom rotated towards the partner it
  correlates most with until the coherence is the target (bisection; the
  coherence is continuous along the rotation and reaches 1 at its end).

With ``rank1=True`` an atom is a spatial pattern times a waveform, ``u_k
v_k^T`` (alphacsc's rank-one atoms); the ``shapes`` kind always is, its
waveform drawn on every channel with a Gaussian spatial pattern.
"""
import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from benchmark_utils.learning.convolutional import normalize_conv_atoms
from benchmark_utils.metrics.convolutional import shift_coherence
from benchmark_utils.simulation.coherence import CoherenceNotReachedError
from benchmark_utils.validation import check_positive_int, check_random_state

CONV_ATOM_KINDS = ("gaussian", "shapes", "coherence")
SHAPES = ("triangle", "square", "sine", "gabor", "chirp")
# The target is met to this tolerance (bisection on the rotation).
_COHERENCE_TOL = 1e-9
# Gradient steps of the descent under the target, and fresh draws tried.
_DESCENT_STEPS = 2000
_DESCENT_STARTS = 3


def _waveform(shape, n_times_atom, rng):
    t = np.linspace(0.0, 1.0, n_times_atom)
    cycles = rng.uniform(1.0, 3.0)
    phase = rng.uniform(0.0, 2 * np.pi)
    if shape == "triangle":
        peak = rng.uniform(0.3, 0.7)
        return np.where(t < peak, t / peak, (1.0 - t) / (1.0 - peak))
    if shape == "square":
        return np.sign(np.sin(2 * np.pi * cycles * t + phase) + 1e-12)
    if shape == "sine":
        return np.sin(2 * np.pi * cycles * t + phase)
    if shape == "gabor":
        width = rng.uniform(0.1, 0.2)
        envelope = np.exp(-0.5 * ((t - 0.5) / width) ** 2)
        return envelope * np.cos(2 * np.pi * 2 * cycles * (t - 0.5) + phase)
    # chirp: the frequency rises linearly from `cycles` to 3 `cycles`
    return np.sin(2 * np.pi * cycles * (t + t ** 2) + phase)


def _rank_one(spatial, temporal):
    return normalize_conv_atoms(spatial[:, :, None] * temporal[:, None, :])


def _excess_descent(D, target, steps):
    """Gradient descent of ``0.5 sum relu(|c| - target)^2`` over the lags and
    pairs (the zero lag of an atom with itself excluded), atoms kept on the
    unit sphere, the step halved when it does not lower the sum and grown by
    a fifth when it does; returns the atoms of the lowest shift coherence
    met and that coherence."""
    K, C, L = D.shape
    n_fft = next_fast_len(3 * L, real=True)
    lags = np.r_[np.arange(L), np.arange(n_fft - L + 1, n_fft)]
    mask = np.zeros((K, K, n_fft), dtype=bool)
    mask[:, :, lags] = True
    mask[np.arange(K), np.arange(K), 0] = False
    goal = 0.98 * target  # a margin, so that the last step ends below

    def evaluate(D):
        spectrum = rfft(D, n_fft, axis=-1)
        corr = irfft(np.einsum("kcf,jcf->kjf", spectrum, np.conj(spectrum)),
                     n_fft, axis=-1)
        excess = np.where(mask, np.maximum(np.abs(corr) - goal, 0.0), 0.0)
        return spectrum, corr, excess, 0.5 * float(np.sum(excess ** 2))

    spectrum, corr, excess, loss = evaluate(D)
    best, best_coherence = D, float(np.abs(corr[mask]).max())
    step = 0.5
    for _ in range(steps):
        if best_coherence <= target or step < 1e-8:
            break
        weights = excess * np.sign(corr)
        # d/d a_k of sum_{j, s} w[k, j, s] <a_k(. + s), a_j>, both slots.
        grad = 2 * irfft(np.einsum("kjf,jcf->kcf", rfft(weights, axis=-1),
                                   spectrum), n_fft, axis=-1)[..., :L]
        grad -= np.sum(grad * D, axis=(1, 2), keepdims=True) * D
        trial = normalize_conv_atoms(D - step * grad)
        result = evaluate(trial)
        if result[3] >= loss:
            step *= 0.5
            continue
        D, (spectrum, corr, excess, loss) = trial, result
        step *= 1.2
        coherence = float(np.abs(corr[mask]).max())
        if coherence < best_coherence:
            best, best_coherence = D, coherence
    return best, best_coherence


def _rotate_to(factors, target, coherence, rng):
    """Rotate one atom towards another until the shift coherence is
    ``target`` (it is ``coherence <= target`` at the start).

    ``factors`` is ``(spatial, temporal)`` for rank-one atoms (both factors
    are rotated, so the atom stays rank one) or ``(None, D)``.
    """
    spatial, temporal = factors
    K = len(temporal)

    def atoms(spatial, temporal):
        if spatial is None:
            return normalize_conv_atoms(temporal)
        return _rank_one(spatial, temporal)

    D = atoms(spatial, temporal)
    if abs(coherence - target) <= _COHERENCE_TOL:
        return D
    if K < 2:
        raise CoherenceNotReachedError(
            f"a single atom cannot be rotated towards another: its shift "
            f"coherence is {coherence:.4f} (its own lags), not the target "
            f"{target}; use n_atoms >= 2.")
    first, second = rng.choice(K, size=2, replace=False)

    def rotated(theta):
        parts = []
        for factor in (spatial, temporal):
            if factor is None:
                parts.append(None)
                continue
            factor = factor.copy()
            factor[first] = (np.cos(theta) * factor[first]
                             + np.sin(theta) * factor[second])
            parts.append(factor)
        return atoms(*parts)

    low, high = 0.0, np.pi / 2
    for _ in range(200):
        middle = 0.5 * (low + high)
        E = rotated(middle)
        value = shift_coherence(E)
        if abs(value - target) <= _COHERENCE_TOL:
            return E
        low, high = (middle, high) if value < target else (low, middle)
    return rotated(0.5 * (low + high))


def _coherence_atoms(n_atoms, n_channels, n_times_atom, target, rank1, rng):
    lowest = np.inf
    for _ in range(_DESCENT_STARTS):
        if rank1:
            spatial = rng.standard_normal((n_atoms, n_channels))
            spatial /= np.linalg.norm(spatial, axis=1, keepdims=True)
            temporal = normalize_conv_atoms(
                rng.standard_normal((n_atoms, 1, n_times_atom)))
            temporal = _excess_descent(temporal, target, _DESCENT_STEPS)[0]
            factors = (spatial, temporal[:, 0])
        else:
            factors = (None, _excess_descent(normalize_conv_atoms(
                rng.standard_normal((n_atoms, n_channels, n_times_atom))),
                target, _DESCENT_STEPS)[0])
        D = (_rank_one(*factors) if rank1
             else normalize_conv_atoms(factors[1]))
        coherence = shift_coherence(D)
        lowest = min(lowest, coherence)
        if coherence <= target:
            return _rotate_to(factors, target, coherence, rng)
    raise CoherenceNotReachedError(
        f"shift-coherence target {target} not reached for {n_atoms} atoms of "
        f"shape ({n_channels}, {n_times_atom}): the lowest reached from "
        f"{_DESCENT_STARTS} starts is {lowest:.4f}; ask for a higher target, "
        "fewer or longer atoms, or more channels.")


def make_conv_atoms(n_atoms, n_channels, n_times_atom, kind="gaussian",
                    coherence=None, rank1=False, random_state=None):
    """Draw true convolutional atoms of unit Frobenius norm.

    Parameters
    ----------
    n_atoms, n_channels, n_times_atom : int
    kind : {"gaussian", "shapes", "coherence"}
        See the module.
    coherence : float in (0, 1), only for ``kind="coherence"``
        The shift coherence to produce.
    rank1 : bool, default=False
        Atoms as a spatial pattern times a waveform.
    random_state : int, Generator or None

    Returns
    -------
    D : ndarray of shape (n_atoms, n_channels, n_times_atom)

    Raises
    ------
    ValueError
        For an unknown kind or bad sizes;
        :class:`~benchmark_utils.simulation.CoherenceNotReachedError` (a
        ``ValueError``) when the coherence target is below what the descent
        reaches, naming the lowest value reached.
    """
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    n_channels = check_positive_int(n_channels, "n_channels")
    n_times_atom = check_positive_int(n_times_atom, "n_times_atom")
    if kind not in CONV_ATOM_KINDS:
        raise ValueError(
            f"kind must be one of {list(CONV_ATOM_KINDS)}, got {kind!r}.")
    rng = check_random_state(random_state)
    if kind == "coherence":
        if coherence is None or not 0.0 < coherence < 1.0:
            raise ValueError(
                "kind='coherence' needs a shift-coherence target in (0, 1), "
                f"got {coherence!r}.")
        return _coherence_atoms(n_atoms, n_channels, n_times_atom,
                                float(coherence), rank1, rng)
    if kind == "shapes":
        temporal = np.stack([
            _waveform(SHAPES[k % len(SHAPES)], n_times_atom, rng)
            for k in range(n_atoms)])
        return _rank_one(rng.standard_normal((n_atoms, n_channels)), temporal)
    if rank1:
        return _rank_one(rng.standard_normal((n_atoms, n_channels)),
                         rng.standard_normal((n_atoms, n_times_atom)))
    return normalize_conv_atoms(
        rng.standard_normal((n_atoms, n_channels, n_times_atom)))
