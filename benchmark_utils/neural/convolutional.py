"""The unrolled convolutional network in PyTorch: the layers, the loss, the step.

The convolutional counterpart of :mod:`benchmark_utils.neural.network`, in
the layout of :mod:`benchmark_utils.coding.convolutional`: signals ``X``
``(n_signals, n_channels, n_times)``, atoms ``D`` ``(n_atoms, n_channels,
n_times_atom)``, activations ``Z`` ``(n_signals, n_atoms, n_times_valid)``.
A layer is the linear network's with a convolution in place of the product:

    z <- ST(z - (1 / L) D^T (D z - x), lmbd / L),

``D z = sum_k z_k * d_k`` (:func:`conv_reconstruct`, a transposed 1D
convolution) and ``D^T r`` its adjoint (:func:`conv_correlate`, a 1D
correlation), ``L`` the largest, over frequencies, squared spectral norm of
the atoms' Fourier coefficients (:func:`conv_lipschitz`). The momentum and
the loop are the linear network's (:func:`~benchmark_utils.neural.network.
proximal_layers`). The encoder's weights are the decoder's atoms (tied), as
in CRsAE (Tolooshams, Dey and Ba, "Scalable convolutional dictionary learning
with constrained recurrent sparse auto-encoders", MLSP 2018).
"""
import torch
import torch.nn.functional as F

from benchmark_utils.neural.network import (
    ALGORITHMS,
    normalize_atoms,
    proximal_layers,
    soft_threshold,
)


def conv_reconstruct(Z, D):
    """``sum_k z_k * d_k`` (full convolutions): ``(n, n_channels, n_times)``."""
    return F.conv_transpose1d(Z, D)


def conv_correlate(X, D):
    """Correlation of the signals with every atom, the adjoint of
    :func:`conv_reconstruct`: ``(n, n_atoms, n_times - n_times_atom + 1)``."""
    return F.conv1d(X, D)


def conv_lasso_loss(X, Z, D, lmbd):
    """The convolutional Lasso averaged over signals (the torch counterpart of
    ``benchmark_utils.coding.conv_lasso_loss``)."""
    residual = conv_reconstruct(Z, D) - X
    return (0.5 * residual.pow(2).sum() + lmbd * Z.abs().sum()) / X.shape[0]


def conv_lipschitz(D, n_times):
    """Step constant of the layers: the largest squared spectral norm of the
    ``(n_channels, n_atoms)`` matrices of the atoms' Fourier coefficients
    over the frequencies of an ``n_times``-point transform (the torch
    counterpart of ``benchmark_utils.coding.conv_lipschitz``), without
    gradient."""
    with torch.no_grad():
        spectrum = torch.fft.rfft(D.detach(), n=int(n_times), dim=-1)
        if D.shape[1] == 1:
            return float(spectrum[:, 0].abs().pow(2).sum(dim=0).max())
        matrices = spectrum.permute(2, 1, 0)  # (n_freqs, C, K)
        return float(torch.linalg.matrix_norm(matrices, ord=2).pow(2).max())


def normalize_conv_atoms(D, eps=1e-12):
    """Every atom scaled to unit Frobenius norm (a zero atom stays zero)."""
    return normalize_atoms(D.reshape(D.shape[0], -1), eps).reshape(D.shape)


def unrolled_conv_codes(X, D, lmbd, n_layers, algorithm="fista",
                        lipschitz=None):
    """Activations after ``n_layers`` unrolled convolutional ISTA or FISTA
    iterations started at 0, with step ``1 / L``; gradients flow to ``D``
    through every layer.

    Returns
    -------
    Z : tensor of shape (n_signals, n_atoms, n_times - n_times_atom + 1)
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, "
                         f"got {algorithm!r}.")
    if lipschitz is None:
        lipschitz = conv_lipschitz(D, X.shape[2])
    Z = X.new_zeros((X.shape[0], D.shape[0], X.shape[2] - D.shape[2] + 1))
    if n_layers == 0 or lipschitz <= 0.0:
        return Z
    step = 1.0 / lipschitz
    correlation = conv_correlate(X, D)

    def layer(Y, i):
        gradient = conv_correlate(conv_reconstruct(Y, D), D) - correlation
        return soft_threshold(Y - step * gradient, lmbd * step)

    Z, _, _ = proximal_layers(layer, (Z, Z, 1.0), range(n_layers), algorithm)
    return Z


def analytic_conv_gradient(X, Z, D):
    """Gradient in ``D`` of the averaged convolutional Lasso at fixed
    activations (the gradient of alternating minimization, by Danskin's
    theorem when ``Z`` is exact), by automatic differentiation of the data
    term only."""
    with torch.enable_grad():
        D = D.detach().requires_grad_(True)
        residual = conv_reconstruct(Z.detach(), D) - X
        loss = 0.5 * residual.pow(2).sum() / X.shape[0]
        return torch.autograd.grad(loss, D)[0]


def conv_step_init(Z, n_times_atom):
    """First trial step of the atoms' line search: ``1 / L_D`` with ``L_D``
    the Lipschitz constant of the averaged data term in ``D`` at these
    activations, bounded by the squared largest Fourier magnitude of the
    activations summed over atoms and signals."""
    with torch.no_grad():
        n_fft = Z.shape[2] + int(n_times_atom) - 1
        spectrum = torch.fft.rfft(Z.detach(), n=n_fft, dim=-1)
        bound = float(spectrum.abs().pow(2).sum(dim=(0, 1)).max())
    curvature = bound / Z.shape[0]
    return 1.0 / curvature if curvature > 0 else 1.0
