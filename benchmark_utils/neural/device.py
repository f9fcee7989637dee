"""The torch runtime of the neural solvers: devices, precision, threads,
determinism, warm-up and the copies between numpy and torch.

Nothing here is mathematics: :mod:`.network` holds the layers and losses,
:mod:`.line_search` the step rule. The thread count comes from the benchmark's
one thread policy (:mod:`benchmark_utils.threads`).
"""
import os

import numpy as np
import torch

from benchmark_utils.neural.network import (
    lasso_loss,
    normalize_atoms,
    unrolled_codes,
)
from benchmark_utils.threads import get_n_threads
from benchmark_utils.validation import invalid_choice_reason

DEVICES = ("cpu", "cuda", "auto")
DTYPES = {"auto": None, "float64": torch.float64, "float32": torch.float32}


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
    ``name=(value, choices)`` of ``options``
    (:func:`benchmark_utils.validation.invalid_choice_reason`).
    """
    reason = cuda_unavailable_reason(device)
    if reason is not None:
        return reason
    return invalid_choice_reason(**options)


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
    - on CUDA, deterministic algorithms are requested
      (``torch.use_deterministic_algorithms``; ``warn_only`` for the rare
      operation without a deterministic version), with the cuBLAS workspace
      setting that CUDA determinism needs. On the CPU the operations of the
      solvers (products, ``conv1d``, elementwise maps) are deterministic with
      one thread, and two runs with the same seed give bit-identical
      dictionaries without the flag (``tests/test_reproducibility.py``);
      the flag is not set there because its first call imports
      ``torch._inductor`` (1.4 s, a share of ``benchopt run .``'s minute);
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
    # The solvers only read X: on the CPU in float64 it is the objective's
    # array itself (a copy would be 490 MiB at a million samples).
    X = to_tensor(X, device, dtype, copy=False)
    D_init_t = to_tensor(D_init, device, dtype)
    if device.type == "cuda":
        # Convolutional atoms (n_atoms, n_channels, n_times_atom) warm up
        # as flattened rows: the CUDA context and cuBLAS; the convolution
        # kernels load on their first call.
        warm_up_device(device, dtype, D_init.shape[0],
                       int(np.prod(D_init.shape[1:])))
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


def to_tensor(array, device, dtype, copy=True):
    """A numpy array as a contiguous tensor on ``device``.

    With ``copy=False`` the tensor shares the array's memory when it can (a
    contiguous float64 array to a float64 tensor on the CPU): it must then
    be read only. Otherwise, and with ``copy=True``, it is a copy.
    """
    tensor = torch.as_tensor(np.ascontiguousarray(array), dtype=dtype,
                             device=device)
    return tensor.clone() if copy else tensor


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
    D = normalize_atoms(D.to(device)).requires_grad_(True)
    X = X.to(device)
    Z = unrolled_codes(X, D, 0.1, n_layers=2, algorithm="fista")
    lasso_loss(X, Z, D, 0.1).backward()
    synchronize(device)
