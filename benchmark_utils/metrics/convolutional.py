"""Scores of convolutional atoms: recovery up to shift, permutation and sign.

Atoms have shape ``(n_atoms, n_channels, n_times_atom)`` and unit Frobenius
norm once normalized. The normalized cross-correlation of two atoms at lag
``s`` is ``sum_c sum_l a[c, l + s] b[c, l]`` (the channels summed, as the
atoms are placed at the same time on every channel).

The shift of the recovery score is capped: :data:`MAX_SHIFT_SHARE` of the
atom's length by default. A learned atom equal to the true one delayed by
``s`` keeps ``L - |s|`` of its samples; past half the atom, more than half of
the true waveform is missing from it, and a high correlation at such a lag
says that a short piece of one atom resembles a piece of another (a spike
matches any spike at some lag), not that the atom was found. The cap also
lowers the score of random atoms (the chance floor): with no cap every one
of the ``2 L - 1`` lags is a chance to correlate.
"""
import numpy as np
from scipy.fft import irfft, next_fast_len, rfft
from scipy.optimize import linear_sum_assignment

from benchmark_utils.coding.convolutional import sparse_encode_conv
from benchmark_utils.learning.convolutional import (
    conv_atoms_step,
    conv_least_squares_atoms,
    normalize_conv_atoms,
)
from benchmark_utils.metrics.recovery import RECOVERED_THRESHOLD
from benchmark_utils.validation import check_random_state

# Largest lag of the recovery score, as a share of the atom's length.
MAX_SHIFT_SHARE = 0.5


def check_conv_atoms(D, name="D", shape=None):
    """Check that ``D`` is a numeric ``(n_atoms, n_channels, n_times_atom)``
    array (of ``shape`` if given); return it as float64."""
    D = np.asarray(D)
    if D.ndim != 3 or not np.issubdtype(D.dtype, np.number):
        raise ValueError(
            f"{name} must be a 3D numeric array of shape (n_atoms, n_channels, "
            f"n_times_atom), got an array of shape {D.shape} and dtype "
            f"{D.dtype}.")
    if shape is not None and D.shape != tuple(shape):
        raise ValueError(
            f"{name} must have shape (n_atoms, n_channels, n_times_atom) = "
            f"{tuple(shape)}, got {D.shape}.")
    return D.astype(np.float64, copy=False)


def default_max_shift(n_times_atom):
    """The recovery score's largest lag: half the atom (see the module)."""
    return int(MAX_SHIFT_SHARE * n_times_atom)


def cross_correlations(A, B):
    """Normalized cross-correlations of every pair of atoms at every lag.

    Returns
    -------
    C : ndarray of shape (n_atoms_a, n_atoms_b, 2 L - 1)
        ``C[k, j, L - 1 + s]`` is the correlation of ``A[k]`` with ``B[j]``
        at lag ``s`` in ``[-(L - 1), L - 1]``.
    """
    A, B = normalize_conv_atoms(A), normalize_conv_atoms(B)
    L = A.shape[2]
    n_fft = next_fast_len(2 * L - 1, real=True)
    spectrum = np.einsum("kcf,jcf->kjf", rfft(A, n_fft, axis=-1),
                         np.conj(rfft(B, n_fft, axis=-1)))
    circular = irfft(spectrum, n_fft, axis=-1)
    lags = np.arange(-(L - 1), L) % n_fft
    return circular[..., lags]


def shift_correlations(D_true, D_est, max_shift=None):
    """Largest absolute normalized cross-correlation over lags ``|s| <= max_shift``
    of every (true atom, estimated atom) pair, ``(n_atoms, n_atoms_est)``."""
    D_true = check_conv_atoms(D_true, "D_true")
    D_est = check_conv_atoms(D_est, "D_est")
    if D_est.shape[1:] != D_true.shape[1:]:
        raise ValueError(
            "D_est must have atoms of shape (n_channels, n_times_atom) = "
            f"{D_true.shape[1:]}, got {D_est.shape[1:]}.")
    if not np.isfinite(D_est).all():
        raise ValueError(
            "D_est holds NaN or infinite entries; zero those atoms first "
            "(benchmark_utils.learning.sanitize_conv_atoms).")
    L = D_true.shape[2]
    cap = default_max_shift(L) if max_shift is None else int(max_shift)
    if not 0 <= cap < L:
        raise ValueError(
            f"max_shift must be in [0, n_times_atom - 1 = {L - 1}], got "
            f"{max_shift!r}.")
    window = slice(L - 1 - cap, L + cap)
    return np.abs(cross_correlations(D_true, D_est)[..., window]).max(axis=-1)


def shift_matched_correlations(D_true, D_est, max_shift=None):
    """Shift-invariant absolute correlation of each true atom with its one-to-one
    match (Hungarian on :func:`shift_correlations`); 0 for a true atom left
    without a match."""
    C = shift_correlations(D_true, D_est, max_shift)
    rows, cols = linear_sum_assignment(C, maximize=True)
    matched = np.zeros(C.shape[0])
    matched[rows] = C[rows, cols]
    return np.minimum(matched, 1.0)


def shift_invariant_recovery(D_true, D_est, max_shift=None):
    """Recovery of convolutional atoms up to shift, permutation and sign.

    For each pair (true atom, learned atom), the largest absolute
    normalized cross-correlation over the lags ``|s| <= max_shift`` (channels summed);
    then the one-to-one matching maximizing the sum (Hungarian, as the
    linear :func:`~benchmark_utils.metrics.recovery_score`), averaged over
    the true atoms.

    Parameters
    ----------
    D_true, D_est : ndarray of shape (n_atoms, n_channels, n_times_atom)
    max_shift : int, optional
        Largest lag; half the atom's length by default (the module says why).

    Returns
    -------
    score : float in [0, 1]
        1 when ``D_est`` is ``D_true`` up to shifts within the cap (the
        samples shifted out being zero), a permutation, signs and scales.
    """
    return float(shift_matched_correlations(D_true, D_est, max_shift).mean())


def shift_recovered_fraction(D_true, D_est, threshold=RECOVERED_THRESHOLD,
                             max_shift=None):
    """Share of true atoms matched at a shift-invariant absolute correlation of at
    least ``threshold`` (0.99, as the linear ``recovered_fraction``)."""
    matched = shift_matched_correlations(D_true, D_est, max_shift)
    return float(np.mean(matched >= threshold))


def shift_coherence(D):
    """Largest absolute normalized cross-correlation over all lags and pairs of atoms,
    an atom with its own nonzero lags included.

    The convolutional counterpart of the mutual coherence: an atom placed at
    two times, or two atoms at any two times, overlap with at most this
    correlation. Every lag counts here (not the score's cap): sparse coding
    sees all of them.
    """
    D = check_conv_atoms(D, "D")
    C = np.abs(cross_correlations(D, D))
    L = D.shape[2]
    C[np.arange(len(D)), np.arange(len(D)), L - 1] = 0.0
    return float(C.max())


def conv_chance_floor(D_true, n_draws=32, random_state=0, max_shift=None):
    """Expected :func:`shift_invariant_recovery` of random Gaussian atoms of
    ``D_true``'s shape (Monte Carlo, deterministic with the default seed)."""
    D_true = check_conv_atoms(D_true, "D_true")
    rng = check_random_state(random_state)
    return float(np.mean([
        shift_invariant_recovery(D_true, rng.standard_normal(D_true.shape),
                                 max_shift)
        for _ in range(n_draws)]))


def conv_oracle_recovery(X, Z_true, D_true, max_shift=None):
    """Recovery of the least-squares atoms fitted with the true activations:
    what the noise and the number of signals leave to find (the
    convolutional counterpart of
    :func:`~benchmark_utils.metrics.oracle_recovery`). 1 for noiseless
    signals whose activations determine the atoms."""
    D_true = check_conv_atoms(D_true, "D_true")
    D = conv_least_squares_atoms(X, Z_true, D_true.shape[2])
    return shift_invariant_recovery(D_true, D, max_shift)


def conv_lasso_recovery_ceiling(X, D_true, lmbd, tol=1e-7, max_iter=200,
                                code_tol=1e-6, max_shift=None):
    """Recovery of the convolutional Lasso's stationary point reached from
    the true atoms: what the criterion allows (the convolutional counterpart
    of :func:`~benchmark_utils.metrics.lasso_recovery_ceiling`).

    Alternates the activations (FISTA, warm-started, to a relative change of
    ``code_tol``) and the atoms for them in the unit ball (projected
    gradient until no entry moves by more than ``tol / 10``), from
    ``D_true``, until no atom moves by more than ``tol`` (Frobenius).

    Returns
    -------
    score : float in [0, 1]
    """
    D_true = normalize_conv_atoms(check_conv_atoms(D_true, "D_true"))
    if lmbd < 0:
        raise ValueError(f"lmbd must be >= 0, got {lmbd}.")
    D, Z = D_true, None
    for _ in range(int(max_iter)):
        Z = sparse_encode_conv(X, D, lmbd, Z_init=Z, max_iter=10000,
                               tol=code_tol)
        D_new = conv_atoms_step(X, Z, D, n_steps=1000, tol=tol / 10)
        moved = float(np.max(np.linalg.norm((D_new - D).reshape(len(D), -1),
                                            axis=1)))
        D = D_new
        if moved <= tol:
            break
    return shift_invariant_recovery(D_true, D, max_shift)
