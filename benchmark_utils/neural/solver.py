"""What every torch solver shares: option checks, device and tensors.

:class:`TorchSolver` is mixed into a benchopt solver (``class
Solver(TorchSolver, BaseSolver)``; it imports no benchopt itself). It gives

- ``skip``: the configuration is skipped with a reason when ``device`` is
  unknown or without CUDA, when an option is not one of its choices (the
  solver's ``option_choices``, name -> allowed values), or when its ``tol``
  (full-batch solvers) is negative;
- ``set_objective``: ``lmbd``, the run's seed, PyTorch set up for the run
  (threads, determinism, seed) and ``X`` and ``D_init`` as tensors on the
  device, warmed up on CUDA (:func:`~benchmark_utils.neural.device.prepare_run`);
- ``get_result``: the current dictionary ``self.D`` as a float64 numpy array;
- ``apply_restart``: the benchmark's restart rule (``restart`` parameter, see
  :func:`restart_unused_atoms`), the one the classical solvers apply.

The solver's ``run`` wraps its callback with
:func:`~benchmark_utils.neural.device.synchronized` so that CUDA work is
finished before benchopt reads the clock.
"""
import torch

from benchmark_utils.learning import RESTARTS, restart_atoms
from benchmark_utils.neural.device import (
    invalid_option_reason,
    prepare_run,
    to_numpy,
)
from benchmark_utils.validation import model_mismatch_reason


def restart_unused_atoms(D, Z, X, restart="unused"):
    """The shared restart rule on tensors
    (:func:`benchmark_utils.learning.restart_atoms`).

    The atoms that the codes ``Z`` of the samples ``X`` leave without
    information (used by fewer than 4 samples, zero, duplicated) are replaced
    by the normalized worst-represented samples of ``X``, exactly as K-SVD,
    MOD and altmin do. The check runs in numpy on the CPU (no copy for
    float64 tensors on the CPU; a transfer on CUDA); the residual is
    computed only when an atom is replaced.

    Returns
    -------
    D : tensor of shape (n_atoms, n_features)
        The input tensor itself when nothing is replaced, else a new one of
        the same dtype and device.
    n_replaced : int
    """
    if restart == "none":
        return D, 0

    def cpu(t):
        return t.detach().cpu().numpy()

    D_new, n_replaced = restart_atoms(cpu(D), cpu(Z), cpu(X), restart=restart)
    if n_replaced == 0:
        return D, 0
    return torch.as_tensor(D_new, dtype=D.dtype, device=D.device), n_replaced


class TorchSolver:
    """Base of the torch solvers; see the module docstring."""

    # Option name -> allowed values, checked by ``skip`` (with ``restart``).
    option_choices = {}

    # The model it learns: "linear" or "convolutional" (the other one is
    # skipped, benchmark_utils.validation.model_mismatch_reason).
    model = "linear"

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        choices = {"restart": RESTARTS, **self.option_choices}
        reason = model_mismatch_reason(D_init, self.model) or \
            invalid_option_reason(
                self.device, **{name: (getattr(self, name), allowed)
                                for name, allowed in choices.items()})
        # The full-batch solvers' stopping tolerance (a relative decrease of
        # the loss): 0 turns the test off, a negative one means nothing.
        tol = getattr(self, "tol", None)
        if reason is None and tol is not None and not tol >= 0:
            reason = f"tol must be >= 0 (got {tol})"
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.lmbd = float(lmbd)
        self.seed = self.get_seed(use_repetition=True)
        self.torch_device, self.torch_dtype, self.X, self.D_init = prepare_run(
            X, D_init, self.seed, self.device, self.dtype)

    def get_result(self):
        return dict(D=to_numpy(self.D))

    def apply_restart(self, D, Z, X):
        """Apply the ``restart`` parameter's rule to ``D`` after an update
        with the codes ``Z`` of the samples ``X``; returns ``(D, n)``."""
        return restart_unused_atoms(D, Z, X, self.restart)
