"""Convolutional sparse coding: the model, its Lasso, and FISTA on activations.

The layout is alphacsc's: signals ``X`` of shape ``(n_signals, n_channels,
n_times)``, atoms ``D`` of shape ``(n_atoms, n_channels, n_times_atom)`` and
activations ``Z`` of shape ``(n_signals, n_atoms, n_times_valid)`` with
``n_times_valid = n_times - n_times_atom + 1``. The model is linear, not
circular: channel ``c`` of signal ``n`` is

    x_n[c] = sum_k z_nk * d_k[c]      (full convolution, length n_times)

so every activation position puts the whole atom inside the signal and no
sample wraps around. The convolutional Lasso of the benchmark is the mean over
signals of ``0.5 ||x_n - sum_k z_nk * d_k||^2 + lmbd ||z_n||_1`` (the linear
Lasso's convention, one signal for one sample).

Convolutions go through the real FFT at a length of at least ``n_times`` (no
wrap-around is possible then); :func:`conv_reconstruct` and
:func:`conv_correlate` are adjoint to each other, which the tests check
against direct sums. Imports only numpy, scipy and the soft thresholding of
:mod:`benchmark_utils.coding.lasso`.
"""
import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from benchmark_utils.coding.lasso import soft_threshold


def check_conv_shapes(X, D):
    """Check the layouts of signals and atoms; return ``n_times_valid``.

    Raises
    ------
    ValueError
        When ``X`` is not ``(n_signals, n_channels, n_times)``, ``D`` not
        ``(n_atoms, n_channels, n_times_atom)``, their channels differ, or a
        signal is shorter than an atom.
    """
    X, D = np.asarray(X), np.asarray(D)
    if X.ndim != 3:
        raise ValueError(
            "X must be an array of shape (n_signals, n_channels, n_times), "
            f"got shape {X.shape}.")
    if D.ndim != 3:
        raise ValueError(
            "D must be an array of shape (n_atoms, n_channels, n_times_atom), "
            f"got shape {D.shape}.")
    if X.shape[1] != D.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} channels and the atoms {D.shape[1]}: they "
            "must have the same number of channels.")
    if D.shape[2] > X.shape[2]:
        raise ValueError(
            f"signals of {X.shape[2]} samples are shorter than atoms of "
            f"{D.shape[2]}: n_times must be at least n_times_atom.")
    return X.shape[2] - D.shape[2] + 1


def _fft_length(n_times):
    return next_fast_len(int(n_times), real=True)


def conv_reconstruct(Z, D):
    """Signals of activations ``Z`` and atoms ``D``: ``sum_k z_k * d_k``.

    Parameters
    ----------
    Z : ndarray of shape (n_signals, n_atoms, n_times_valid)
    D : ndarray of shape (n_atoms, n_channels, n_times_atom)

    Returns
    -------
    X_hat : ndarray of shape (n_signals, n_channels, n_times)
        ``n_times = n_times_valid + n_times_atom - 1``.
    """
    n_times = Z.shape[2] + D.shape[2] - 1
    n_fft = _fft_length(n_times)
    spectrum = np.einsum("nkf,kcf->ncf", rfft(Z, n_fft, axis=-1),
                         rfft(D, n_fft, axis=-1))
    return irfft(spectrum, n_fft, axis=-1)[..., :n_times]


def conv_correlate(X, D):
    """Correlation of signals with atoms, the adjoint of :func:`conv_reconstruct`.

    ``C[n, k, t] = sum_c sum_l X[n, c, t + l] D[k, c, l]`` for ``t`` in
    ``[0, n_times - n_times_atom]``: the inner product of atom ``k`` placed at
    ``t`` with the signal.

    Returns
    -------
    C : ndarray of shape (n_signals, n_atoms, n_times_valid)
    """
    n_valid = check_conv_shapes(X, D)
    n_fft = _fft_length(X.shape[2])
    spectrum = np.einsum("ncf,kcf->nkf", rfft(X, n_fft, axis=-1),
                         np.conj(rfft(D, n_fft, axis=-1)))
    return irfft(spectrum, n_fft, axis=-1)[..., :n_valid]


def conv_dictionary_gradient(X, Z, D):
    """Gradient in ``D`` of ``0.5 sum_n ||x_n - sum_k z_nk * d_k||^2``.

    ``G[k, c, l] = sum_n sum_t r_n[c, t + l] z_nk[t]`` with the residual
    ``r = sum_k z_k * d_k - x``: the correlation of the residual with each
    activation, at the lags of the atom.

    Returns
    -------
    G : ndarray of shape (n_atoms, n_channels, n_times_atom)
    """
    residual = conv_reconstruct(Z, D) - X
    n_fft = _fft_length(X.shape[2])
    spectrum = np.einsum("ncf,nkf->kcf", rfft(residual, n_fft, axis=-1),
                         np.conj(rfft(Z, n_fft, axis=-1)))
    return irfft(spectrum, n_fft, axis=-1)[..., :D.shape[2]]


def conv_lipschitz(D, n_times):
    """Lipschitz constant of ``z -> conv_correlate(conv_reconstruct(z, D), D)``.

    The largest, over the frequencies of a transform of at least ``n_times``
    points, squared spectral norm of the ``(n_channels, n_atoms)`` matrix of the
    atoms' Fourier coefficients (one channel: the largest sum over atoms of
    their squared magnitudes). It bounds the operator norm of the linear
    (Toeplitz) convolution too, so ``1 / L`` is a safe gradient step.
    """
    D = np.asarray(D, dtype=np.float64)
    n_fft = _fft_length(max(int(n_times), D.shape[2]))
    spectrum = rfft(D, n_fft, axis=-1)  # (n_atoms, n_channels, n_freqs)
    if D.shape[1] == 1:
        return float(np.max(np.sum(np.abs(spectrum[:, 0]) ** 2, axis=0)))
    matrices = np.transpose(spectrum, (2, 1, 0))  # (n_freqs, C, K)
    return float(np.max(np.linalg.norm(matrices, ord=2, axis=(1, 2)) ** 2))


def conv_lambda_max(X, n_times_atom):
    """Scale of the convolutional Lasso's weight, from the data alone.

    The mean over signals of the largest Frobenius norm of a window
    ``x_n[:, t:t + n_times_atom]``. By Cauchy-Schwarz no atom of unit norm
    placed anywhere correlates with ``x_n`` more than that, with equality for
    an atom aligned with the window: it is the smallest ``lmbd`` for which
    the activations of ``x_n`` are 0 whatever the atoms (the convolutional
    counterpart of :func:`benchmark_utils.coding.lambda_max`, whose
    ``||x_n||`` grows with the signal's length and would not).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3 or X.shape[2] < n_times_atom:
        raise ValueError(
            "X must be (n_signals, n_channels, n_times) with n_times >= "
            f"n_times_atom={n_times_atom}, got shape {X.shape}.")
    energy = np.einsum("nct,nct->nt", X, X)
    cumulative = np.concatenate(
        [np.zeros((len(X), 1)), np.cumsum(energy, axis=1)], axis=1)
    windows = cumulative[:, n_times_atom:] - cumulative[:, :-n_times_atom]
    return float(np.mean(np.sqrt(np.maximum(windows.max(axis=1), 0.0))))


def conv_lasso_loss(X, Z, D, lmbd):
    """The benchmark's convolutional Lasso, averaged over signals.

    ``mean_n 0.5 ||x_n - sum_k z_nk * d_k||^2 + lmbd ||z_n||_1``.
    """
    residual = conv_reconstruct(Z, D) - X
    data_fit = 0.5 * float(np.einsum("nct,nct->", residual, residual))
    return (data_fit + lmbd * float(np.abs(Z).sum())) / len(X)


def sparse_encode_conv(X, D, lmbd, Z_init=None, max_iter=300, tol=1e-6,
                       lipschitz=None):
    """Activations of the convolutional Lasso by FISTA with adaptive restart.

    Minimizes ``0.5 ||x_n - sum_k z_nk * d_k||^2 + lmbd ||z_n||_1`` for every
    signal (the problems are independent; they share the step ``1 / L`` of
    :func:`conv_lipschitz`) with the accelerated proximal gradient of Beck and
    Teboulle (2009), its momentum reset when the objective's gradient mapping
    points uphill (O'Donoghue and Candès 2015).

    Parameters
    ----------
    X : ndarray of shape (n_signals, n_channels, n_times)
    D : ndarray of shape (n_atoms, n_channels, n_times_atom)
    lmbd : float
    Z_init : ndarray of shape (n_signals, n_atoms, n_times_valid), optional
        Warm start (zeros by default).
    max_iter : int
        Most FISTA iterations.
    tol : float
        Stops when the largest change of an activation in an iteration is at
        most ``tol`` times the largest activation.
    lipschitz : float, optional
        ``L`` if already known (:func:`conv_lipschitz`).

    Returns
    -------
    Z : ndarray of shape (n_signals, n_atoms, n_times_valid)
    """
    X = np.asarray(X, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    n_valid = check_conv_shapes(X, D)
    shape = (X.shape[0], D.shape[0], n_valid)
    Z = np.zeros(shape) if Z_init is None else np.array(Z_init, dtype=float)
    if Z.shape != shape:
        raise ValueError(f"Z_init must have shape {shape}, got {Z.shape}.")
    L = conv_lipschitz(D, X.shape[2]) if lipschitz is None else lipschitz
    if L <= 0:  # every atom is zero: the activations are 0
        return np.zeros(shape)
    step = 1.0 / L
    correlation = conv_correlate(X, D)
    Y, t = Z.copy(), 1.0
    for _ in range(max_iter):
        gradient = conv_correlate(conv_reconstruct(Y, D), D) - correlation
        Z_new = soft_threshold(Y - step * gradient, step * lmbd)
        change = Z_new - Z
        if np.sum(change * (Y - Z_new)) > 0:  # uphill: restart momentum
            t = 1.0
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        Y = Z_new + ((t - 1.0) / t_new) * change
        largest = np.max(np.abs(Z_new))
        Z, t = Z_new, t_new
        if np.max(np.abs(change)) <= tol * max(largest, 1e-300):
            break
    return Z
