"""Unrolled sparse coding in PyTorch: the network and its losses.

Every torch solver of the benchmark (``solvers/ddl.py``,
``solvers/stochastic_ddl.py``, ``solvers/sparse_autoencoder.py``) imports its
layers, losses and projection from here (and its step rule from
:mod:`.line_search`), so that the solvers differ only by the algorithm they
run. Each function has the name of its numpy counterpart where there is one
(:func:`lasso_loss`, :func:`soft_threshold`, :func:`normalize_atoms`).
Conventions are the benchmark's:
``X`` is ``(n_samples, n_features)``, ``D`` is ``(n_atoms, n_features)`` with
atoms as unit-norm rows, codes ``Z`` are ``(n_samples, n_atoms)`` and
``X ~ Z @ D``.

The network. For the Lasso ``min_z 0.5 ||x - z D||^2 + lmbd ||z||_1`` one ISTA
layer with step ``s / L`` is

    z <- ST(z - (s / L) (z D - x) D^T, lmbd s / L)
       = ST(z (I - (s / L) D D^T) + (s / L) x D^T, lmbd s / L),

with ``ST`` the soft thresholding and ``L`` the largest eigenvalue of
``D D^T`` (:func:`lipschitz_constant`); FISTA layers add Nesterov's momentum.
Written with the Gram matrix, a layer costs one ``(n_samples, n_atoms) x
(n_atoms, n_atoms)`` product (one ``addmm``) and two element-wise passes
(soft thresholding, momentum), forward as backward.

References
----------
B. Malezieux, T. Moreau and M. Kowalski, "Understanding approximate and
unrolled dictionary learning for pattern recovery", ICLR 2022.

P. Ablin, T. Moreau, M. Massias and A. Gramfort, "Learning step sizes for
unfolded sparse coding", NeurIPS 2019.

B. Tolooshams, S. Dey and D. Ba, "Deep residual autoencoders for
expectation maximization-inspired dictionary learning", IEEE TNNLS 2021
(CRsAE); B. Tolooshams and D. Ba, "Stable and interpretable unrolled
dictionary learning", TMLR 2022 (PUDLE).
"""
import math

import torch
import torch.nn.functional as F

ALGORITHMS = ("ista", "fista")


def soft_threshold(Z, threshold):
    """Entry-wise soft thresholding ``sign(z) max(|z| - threshold, 0)``.

    The torch counterpart of ``benchmark_utils.coding.soft_threshold``.
    A float ``threshold`` uses the fused ``softshrink`` kernel (one pass); a
    tensor ``threshold`` (a learned step) uses ``z - clip(z, -t, t)``, which
    carries a gradient to the threshold as well.
    """
    if isinstance(threshold, torch.Tensor):
        return Z - torch.clamp(Z, -threshold, threshold)
    return F.softshrink(Z, float(threshold))


def lasso_loss(X, Z, D, lmbd):
    """Lasso objective ``0.5 ||x - z D||^2 + lmbd ||z||_1`` averaged over samples.

    The torch counterpart of ``benchmark_utils.coding.lasso_loss``: the
    loss every DDL variant minimizes and the line search compares.
    """
    residual = torch.addmm(X, Z, D, alpha=-1.0)
    return (0.5 * residual.pow(2).sum() + lmbd * Z.abs().sum()) / X.shape[0]


def reconstruction_loss(X, Z, D):
    """``0.5 ||x - z D||^2`` averaged over samples (the autoencoder's loss)."""
    residual = torch.addmm(X, Z, D, alpha=-1.0)
    return 0.5 * residual.pow(2).sum() / X.shape[0]


def lipschitz_constant(D):
    """Largest eigenvalue of ``D D^T``: the Lipschitz constant of the codes' gradient.

    ``z -> 0.5 ||x - z D||^2`` has gradient ``(z D - x) D^T``, which is
    ``||D D^T||_2``-Lipschitz: ISTA and FISTA converge for steps up to
    ``1 / ||D D^T||_2`` (ISTA up to twice that), so the layers use
    ``step = 1 / L`` with this ``L``. The Frobenius norm of ``D D^T`` (used by
    the public code of Malezieux et al.) is only an upper bound, several times
    the spectral norm for Gaussian atoms (``docs/neural.md``), so that a
    network of ``n`` layers would do the work of several times fewer ISTA
    iterations. The value is computed without gradient: in the
    networks the step is a constant of each forward pass, recomputed after
    every dictionary update.

    Parameters
    ----------
    D : tensor of shape (n_atoms, n_features)

    Returns
    -------
    L : float
    """
    with torch.no_grad():
        D = D.detach()
        # The smaller of the two Gram matrices has the same top eigenvalue.
        G = D @ D.T if D.shape[0] <= D.shape[1] else D.T @ D
        return float(torch.linalg.eigvalsh(G)[-1])


def normalize_atoms(D, eps=1e-12):
    """Scale every atom (row) of ``D`` to unit l2 norm.

    The torch counterpart of ``benchmark_utils.learning.normalize_atoms``: rows of
    norm below ``eps`` are left as they are (a zero atom stays zero).
    """
    norms = torch.linalg.vector_norm(D, dim=1, keepdim=True)
    return D / torch.where(norms > eps, norms, torch.ones_like(norms))


def unrolled_codes(X, D, lmbd, n_layers, algorithm="fista", step_scales=None,
                   n_backprop=None, lipschitz=None):
    """Codes after ``n_layers`` unrolled ISTA or FISTA iterations started at 0.

    Layer ``i`` takes a gradient step of size ``s_i / L`` on
    ``0.5 ||x - z D||^2`` and soft-thresholds at ``lmbd s_i / L``, with ``L``
    the largest eigenvalue of ``D D^T`` and ``s_i = 1`` unless learned
    (``step_scales``). FISTA adds the momentum ``(t_k - 1) / t_{k+1}`` of Beck
    and Teboulle (2009), without restart. Gradients flow to ``D`` (and to
    ``step_scales``) through every layer, or through the last ``n_backprop``
    only: the first ``n_layers - n_backprop`` run without graph (truncated
    back-propagation).

    Parameters
    ----------
    X : tensor of shape (n_samples, n_features)
    D : tensor of shape (n_atoms, n_features)
    lmbd : float
    n_layers : int
        Number of layers (ISTA or FISTA iterations), ``>= 0``.
    algorithm : {"fista", "ista"}
    step_scales : tensor of shape (n_layers,) or None
        Learned step of each layer, as a multiple of ``1 / L``.
    n_backprop : int or None
        Number of final layers that carry a gradient; None for all.
    lipschitz : float or None
        ``L`` if already known.

    Returns
    -------
    Z : tensor of shape (n_samples, n_atoms)
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, "
                         f"got {algorithm!r}.")
    if lipschitz is None:
        lipschitz = lipschitz_constant(D)
    n_samples, n_atoms = X.shape[0], D.shape[0]
    Z = X.new_zeros((n_samples, n_atoms))
    if n_layers == 0 or lipschitz <= 0.0:
        return Z
    n_free = 0 if n_backprop is None else max(n_layers - n_backprop, 0)
    if n_free > 0:
        with torch.no_grad():
            state = _run_layers(X, D.detach(), lmbd, algorithm, lipschitz,
                                None if step_scales is None
                                else step_scales.detach(),
                                range(n_free), (Z, Z, 1.0))
    else:
        state = (Z, Z, 1.0)
    Z, _, _ = _run_layers(X, D, lmbd, algorithm, lipschitz, step_scales,
                          range(n_free, n_layers), state)
    return Z


def _run_layers(X, D, lmbd, algorithm, lipschitz, step_scales, layers, state):
    """Apply the given layers to ``state = (Z, Y, t)``; return the new state."""
    eye = torch.eye(D.shape[0], dtype=D.dtype, device=D.device)
    G = D @ D.T
    XDt = X @ D.T
    if step_scales is None:
        # One step for every layer: the affine map is formed once.
        step = 1.0 / lipschitz
        W, B = eye - step * G, step * XDt

        def layer(Y, i):
            return soft_threshold(torch.addmm(B, Y, W), lmbd * step)
    else:
        def layer(Y, i):
            step = step_scales[i] / lipschitz
            W, B = eye - step * G, step * XDt
            return soft_threshold(torch.addmm(B, Y, W), lmbd * step)
    return proximal_layers(layer, state, layers, algorithm)


def proximal_layers(layer, state, layers, algorithm):
    """Unrolled ISTA or FISTA: ``Z <- layer(Y, i)`` for every ``i`` of
    ``layers``, from ``state = (Z, Y, t)``; returns the new state.

    ``layer(Y, i)`` is one proximal gradient step from ``Y`` (layer ``i``);
    FISTA then sets ``Y`` to ``Z_new + (t - 1) / t_new (Z_new - Z)`` (Beck and
    Teboulle 2009, no restart), ISTA to ``Z_new``. The linear network and the
    convolutional one (:mod:`benchmark_utils.neural.convolutional`) differ
    only by their ``layer``.
    """
    Z, Y, t = state
    for i in layers:
        Z_new = layer(Y, i)
        if algorithm == "fista":
            t_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            # Y = Z_new + (t - 1) / t_new (Z_new - Z), as one lerp.
            Y = torch.lerp(Z_new, Z, -(t - 1.0) / t_new)
            t = t_new
        else:
            Y = Z_new
        Z = Z_new
    return Z, Y, t


def analytic_dictionary_gradient(X, Z, D):
    """Gradient ``Z^T (Z D - X) / n_samples`` of the averaged Lasso loss at fixed codes.

    By Danskin's theorem it is the gradient of the value function
    ``D -> min_Z lasso_loss(X, Z, D, lmbd)`` when ``Z`` is the exact minimizer:
    the gradient of alternating minimization (AM).
    """
    return Z.T @ (Z @ D - X) / X.shape[0]


def tangent_gradient(D, grad):
    """Component of ``grad`` tangent to the unit sphere of each atom of ``D``.

    ``grad - <grad_k, d_k> d_k`` row by row, for unit-norm rows ``d_k``: the
    radial part only changes the atoms' norms, which the projection undoes.
    The stochastic solver steps along it, so that Armijo's sufficient
    decrease ``c t ||grad||^2`` measures a decrease the step can achieve.
    """
    return grad - (grad * D).sum(dim=1, keepdim=True) * D
