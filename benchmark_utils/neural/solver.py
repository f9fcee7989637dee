"""What every torch solver shares: option checks, device and tensors.

:class:`TorchSolver` is mixed into a benchopt solver (``class
Solver(TorchSolver, BaseSolver)``; it imports no benchopt itself). It gives

- ``skip``: the configuration is skipped with a reason when ``device`` is
  unknown or without CUDA, or when an option is not one of its choices (the
  solver's ``option_choices``, name -> allowed values);
- ``set_objective``: ``lmbd``, the run's seed, PyTorch set up for the run
  (threads, determinism, seed) and ``X`` and ``D_init`` as tensors on the
  device, warmed up on CUDA (:func:`~benchmark_utils.neural.device.prepare_run`);
- ``get_result``: the current dictionary ``self.D`` as a float64 numpy array.

The solver's ``run`` wraps its callback with
:func:`~benchmark_utils.neural.device.synchronized` so that CUDA work is
finished before benchopt reads the clock.
"""
from benchmark_utils.neural.device import (
    invalid_option_reason,
    prepare_run,
    to_numpy,
)


class TorchSolver:
    """Base of the torch solvers; see the module docstring."""

    # Option name -> allowed values, checked by ``skip``.
    option_choices = {}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = invalid_option_reason(
            self.device, **{name: (getattr(self, name), choices)
                            for name, choices in self.option_choices.items()})
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.lmbd = float(lmbd)
        self.seed = self.get_seed(use_repetition=True)
        self.torch_device, self.torch_dtype, self.X, self.D_init = prepare_run(
            X, D_init, self.seed, self.device, self.dtype)

    def get_result(self):
        return dict(D=to_numpy(self.D))
