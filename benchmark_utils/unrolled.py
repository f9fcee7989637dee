"""Unrolled sparse coding in PyTorch: the mathematics of the neural solvers.

Every torch solver of the benchmark (``solvers/ddl.py``,
``solvers/stochastic_ddl.py``, ``solvers/sparse_autoencoder.py``) imports its
layers, losses, step rules, projection and line search from here, so that the
solvers differ only by the algorithm they run. Conventions are the benchmark's:
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
import os

import numpy as np
import torch
import torch.nn.functional as F

from benchmark_utils.threads import get_n_threads

DEVICES = ("cpu", "cuda", "auto")
DTYPES = {"auto": None, "float64": torch.float64, "float32": torch.float32}
ALGORITHMS = ("ista", "fista")


# ----------------------------------------------------------------------------
# Devices, precision, threads and determinism
# ----------------------------------------------------------------------------

def cuda_unavailable_reason(device):
    """Why ``device`` cannot run here, or None if it can.

    Solvers return it from their ``skip`` hook, so that a ``device=cuda``
    configuration is skipped with this reason on a machine without CUDA
    instead of failing.
    """
    if device not in DEVICES:
        return f"device must be one of {DEVICES}, got {device!r}"
    if device == "cuda" and not torch.cuda.is_available():
        return "device=cuda but no CUDA device is available to PyTorch"
    return None


def invalid_option_reason(device, **options):
    """Why a torch solver's configuration cannot run, or None if it can.

    Checks ``device`` (:func:`cuda_unavailable_reason`) and every
    ``name=(value, choices)`` of ``options``. Solvers return it from their
    ``skip`` hook, so that a bad configuration in a sweep is skipped with
    this reason.
    """
    reason = cuda_unavailable_reason(device)
    if reason is not None:
        return reason
    for name, (value, choices) in options.items():
        if value not in choices:
            return f"{name} must be one of {choices}, got {value!r}"
    return None


def resolve_device(device):
    """Return the ``torch.device`` for ``"cpu"``, ``"cuda"`` or ``"auto"``.

    ``"auto"`` is CUDA when PyTorch sees a CUDA device, else the CPU.
    """
    reason = cuda_unavailable_reason(device)
    if reason is not None:
        raise ValueError(reason)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def resolve_dtype(dtype, device):
    """Return the ``torch.dtype`` for ``"float64"``, ``"float32"`` or ``"auto"``.

    ``"auto"`` is float64 on the CPU (the reference precision: gradient checks
    and bit-identical reruns) and float32 on CUDA, where most GPUs run float64
    products many times slower.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}.")
    if DTYPES[dtype] is not None:
        return DTYPES[dtype]
    return torch.float32 if torch.device(device).type == "cuda" else torch.float64


def setup_torch(seed, device="cpu", dtype="auto"):
    """Prepare PyTorch for one solver run; return ``(device, dtype)``.

    - intra-op threads follow the benchmark's thread policy
      (``benchmark_utils.threads.get_n_threads``), so that torch solvers get the
      same compute as the numpy ones;
    - deterministic algorithms are requested
      (``torch.use_deterministic_algorithms``; ``warn_only`` for the rare CUDA
      operation without a deterministic version), with the cuBLAS workspace
      setting that CUDA determinism needs: on the CPU two runs with the same
      seed give bit-identical dictionaries;
    - the torch generator is seeded with ``seed``.

    Parameters
    ----------
    seed : int
    device : {"cpu", "cuda", "auto"}
    dtype : {"auto", "float64", "float32"}

    Returns
    -------
    device : torch.device
    dtype : torch.dtype
    """
    device = resolve_device(device)
    dtype = resolve_dtype(dtype, device)
    torch.set_num_threads(get_n_threads())
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.manual_seed(int(seed) % 2 ** 63)
    return device, dtype


def prepare_run(X, D_init, seed, device="cpu", dtype="auto"):
    """Set PyTorch up for one solver run and put the problem on the device.

    :func:`setup_torch`, then ``X`` and ``D_init`` as tensors on the device;
    on CUDA, a warm-up pass (:func:`warm_up_device`) so that kernel loading
    stays out of the timed run. Every torch solver calls it from
    ``set_objective``.

    Returns
    -------
    device : torch.device
    dtype : torch.dtype
    X, D_init : tensors
    """
    device, dtype = setup_torch(seed, device, dtype)
    X = to_tensor(X, device, dtype)
    D_init_t = to_tensor(D_init, device, dtype)
    if device.type == "cuda":
        warm_up_device(device, dtype, *D_init.shape)
    return device, dtype, X, D_init_t


def synchronize(device):
    """Wait for the kernels queued on ``device`` (a no-op on the CPU).

    CUDA calls return before the GPU has finished; a clock read without this
    would time the queueing, not the work. Solvers call it before every
    benchopt callback (benchopt does not, its issue 581).
    """
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def synchronized(callback, device):
    """Wrap a benchopt callback so that ``device`` is synchronized first."""
    def timed_callback():
        synchronize(device)
        return callback()
    return timed_callback


def to_tensor(array, device, dtype):
    """Copy a numpy array to a contiguous tensor on ``device``."""
    return torch.as_tensor(np.ascontiguousarray(array), dtype=dtype,
                           device=device).clone()


def to_numpy(D):
    """Float64 numpy copy of a dictionary tensor (what ``get_result`` returns)."""
    return D.detach().to("cpu", torch.float64).numpy().copy()


def warm_up_device(device, dtype, n_atoms, n_features):
    """Run a tiny forward and backward pass on ``device``, outside any timing.

    The first CUDA calls load kernels and create the cuBLAS handle (hundreds of
    milliseconds); solvers call this in ``set_objective`` so that the cost
    does not land on the first point of their curve.
    """
    generator = torch.Generator().manual_seed(0)
    D = torch.randn(n_atoms, n_features, generator=generator, dtype=dtype)
    X = torch.randn(8, n_features, generator=generator, dtype=dtype)
    D = project_atoms_sphere(D.to(device)).requires_grad_(True)
    X = X.to(device)
    Z = unrolled_codes(X, D, 0.1, n_layers=2, algorithm="fista")
    lasso_loss(X, Z, D, 0.1).backward()
    synchronize(device)


# ----------------------------------------------------------------------------
# Lasso pieces
# ----------------------------------------------------------------------------

def soft_threshold(Z, threshold):
    """Entry-wise soft thresholding ``sign(z) max(|z| - threshold, 0)``.

    The torch counterpart of ``benchmark_utils.sparse_coding.soft_threshold``.
    A float ``threshold`` uses the fused ``softshrink`` kernel (one pass); a
    tensor ``threshold`` (a learned step) uses ``z - clip(z, -t, t)``, which
    carries a gradient to the threshold as well.
    """
    if isinstance(threshold, torch.Tensor):
        return Z - torch.clamp(Z, -threshold, threshold)
    return F.softshrink(Z, float(threshold))


def lasso_loss(X, Z, D, lmbd):
    """Lasso objective ``0.5 ||x - z D||^2 + lmbd ||z||_1`` averaged over samples.

    The torch counterpart of ``benchmark_utils.sparse_coding.lasso_cost``: the
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
    the public code of Malezieux et al.) is only an upper bound: 2.4 times the
    spectral norm at 30 x 50 and 3.2 times at 50 x 100 for normalized Gaussian
    atoms, so that a network of ``n`` layers would do the work of 2 to 3 times
    fewer ISTA iterations. The value is computed without gradient: in the
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


def project_atoms_sphere(D, eps=1e-12):
    """Scale every atom (row) of ``D`` to unit l2 norm.

    The torch counterpart of ``benchmark_utils.atoms.normalize_atoms``: rows of
    norm below ``eps`` are left as they are (a zero atom stays zero).
    """
    norms = torch.linalg.vector_norm(D, dim=1, keepdim=True)
    return D / torch.where(norms > eps, norms, torch.ones_like(norms))


# ----------------------------------------------------------------------------
# The unrolled network
# ----------------------------------------------------------------------------

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
    Z, Y, t = state
    eye = torch.eye(D.shape[0], dtype=D.dtype, device=D.device)
    G = D @ D.T
    XDt = X @ D.T
    if step_scales is None:
        # One step for every layer: the affine map is formed once.
        step = 1.0 / lipschitz
        W, B = eye - step * G, step * XDt
    for i in layers:
        if step_scales is not None:
            step = step_scales[i] / lipschitz
            W, B = eye - step * G, step * XDt
        Z_new = soft_threshold(torch.addmm(B, Y, W), lmbd * step)
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


# ----------------------------------------------------------------------------
# Step rules
# ----------------------------------------------------------------------------

def dictionary_step_init(Z):
    """First trial step of the dictionary line search: ``1 / ||Z^T Z / n||_2``.

    It is the inverse Lipschitz constant of ``D -> 0.5 ||X - Z D||^2 / n`` at
    the given codes, the natural step of a gradient method in ``D``; the line
    search then adapts it.
    """
    with torch.no_grad():
        curvature = float(torch.linalg.eigvalsh(Z.T @ Z)[-1]) / Z.shape[0]
    return 1.0 / curvature if curvature > 0 else 1.0


class BacktrackingLineSearch:
    """Backtracking step rule of Malezieux et al. (2022), with a bounded budget.

    A trial point ``params - step * grads`` (then projected) is accepted when
    its loss is below the current loss, minus ``c * step * ||grads||^2`` when
    ``armijo_c > 0`` (Armijo's sufficient decrease); otherwise the step is
    halved and the trial repeated, at most ``max_backtracks`` times per call
    (the public code has no bound: here one point of the curve is bounded
    work). After an acceptance the next call starts from ``grow`` times the
    accepted step, capped at ``max_step``. When every trial fails, the
    parameters are left as they are and the next call starts from the last
    halved step.

    Parameters
    ----------
    step : float
        First trial step.
    grow : float, default=2.0
        Factor applied to the step after an acceptance. The public code uses
        10; 2 wastes fewer rejected trials (each costs a forward pass).
    max_backtracks : int, default=20
    armijo_c : float, default=0.0
        Sufficient-decrease constant; 0 accepts any decrease.
    max_step : float, default=1e4
    """

    def __init__(self, step, grow=2.0, max_backtracks=20, armijo_c=0.0,
                 max_step=1e4):
        self.step = float(step)
        self.grow = grow
        self.max_backtracks = max_backtracks
        self.armijo_c = armijo_c
        self.max_step = max_step
        self.n_evaluations = 0

    def search(self, params, grads, loss, evaluate, project):
        """One line search from ``params`` along ``-grads``.

        Parameters
        ----------
        params, grads : list of tensors
        loss : float
            Loss at ``params``.
        evaluate : callable
            ``evaluate(candidate_params) -> (loss, state)``; ``state`` is
            anything the caller wants back for the accepted point (the graph of
            the forward pass, the codes).
        project : callable
            Maps a list of trial tensors to the feasible set.

        Returns
        -------
        accepted : bool
        params, loss, state
            The accepted point (or the input point and ``None``).
        """
        sq_norm = sum(float((g * g).sum()) for g in grads)
        for _ in range(self.max_backtracks + 1):
            with torch.no_grad():
                trial = project([p - self.step * g
                                 for p, g in zip(params, grads)])
            trial_loss, state = evaluate(trial)
            self.n_evaluations += 1
            target = loss - self.armijo_c * self.step * sq_norm
            if math.isfinite(trial_loss) and trial_loss < target:
                accepted_step = self.step
                self.step = min(self.grow * accepted_step, self.max_step)
                return True, trial, trial_loss, state
            self.step *= 0.5
        return False, params, loss, None
