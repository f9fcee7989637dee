"""Unrolled dictionary learning in PyTorch.

``network`` (unrolled ISTA/FISTA layers, the Lasso and reconstruction losses,
the step ``1 / L``, the atom projection, the analytic gradient), ``line_search``
(the backtracking step rule), ``device`` (devices, precision, threads,
determinism, warm-up) and ``solver`` (:class:`TorchSolver`, the base of the
torch solvers). May import ``learning``, the thread policy
(``threads``) and the shared modules; never benchopt.
"""
from benchmark_utils.neural.device import (
    DEVICES,
    DTYPES,
    cuda_unavailable_reason,
    invalid_option_reason,
    prepare_run,
    resolve_device,
    resolve_dtype,
    setup_torch,
    synchronize,
    synchronized,
    to_numpy,
    to_tensor,
    warm_up_device,
)
from benchmark_utils.neural.line_search import (
    BacktrackingLineSearch,
    dictionary_step_init,
    loss_converged,
)
from benchmark_utils.neural.network import (
    ALGORITHMS,
    analytic_dictionary_gradient,
    lasso_loss,
    lipschitz_constant,
    normalize_atoms,
    reconstruction_loss,
    soft_threshold,
    tangent_gradient,
    unrolled_codes,
)
from benchmark_utils.neural.solver import TorchSolver

__all__ = [
    "ALGORITHMS", "BacktrackingLineSearch", "DEVICES", "DTYPES",
    "TorchSolver", "analytic_dictionary_gradient", "cuda_unavailable_reason",
    "dictionary_step_init", "invalid_option_reason", "lasso_loss",
    "lipschitz_constant", "loss_converged", "normalize_atoms", "prepare_run",
    "reconstruction_loss", "resolve_device", "resolve_dtype", "setup_torch",
    "soft_threshold", "synchronize", "synchronized", "tangent_gradient",
    "to_numpy", "to_tensor", "unrolled_codes", "warm_up_device",
]
