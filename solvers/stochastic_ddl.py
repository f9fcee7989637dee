import torch
from benchopt import BaseSolver

from benchmark_utils.learning import iterate_minibatches
from benchmark_utils.neural import (
    ALGORITHMS,
    BacktrackingLineSearch,
    TorchSolver,
    dictionary_step_init,
    lasso_loss,
    lipschitz_constant,
    normalize_atoms,
    synchronized,
    tangent_gradient,
    unrolled_codes,
)


class Solver(TorchSolver, BaseSolver):
    """Stochastic deep dictionary learning: DDL on mini-batches.

    The network of ``solvers/ddl.py`` (``n_layers`` unrolled FISTA or ISTA
    iterations from 0, step ``1 / L``, ``L = ||D D^T||_2``) trained on shuffled
    mini-batches ``B`` of ``batch_size`` samples. At each mini-batch:

    1. ``g``, the gradient of the mini-batch Lasso loss ``F_B(D)``
       back-propagated through the layers, restricted to the tangent space of
       the atoms' unit spheres;
    2. Armijo backtracking on the same mini-batch: ``D <- P(D - t g)``, ``P``
       the projection on the unit sphere, is accepted if
       ``F_B(P(D - t g)) <= F_B(D) - c t ||g||^2``, ``t`` halved otherwise (at
       most ``max_backtracks`` times, then ``D`` is kept). The next search
       starts from ``t 2^(batch_size / n)`` (the step may double once per
       epoch, after Vaswani et al. 2019); the first ``t`` is
       ``1 / ||Z^T Z / |B| ||_2`` at the first mini-batch's codes. The loss is
       a mean over samples, so ``t`` and ``c`` do not depend on ``batch_size``.

    How this step differs from the authors' public code: ``docs/neural.md``.
    On the CPU a run is bit-identical for a given seed.

    Parameters
    ----------
    n_layers, algorithm : int, {"fista", "ista"}
        Depth and iteration of the unrolled network.
    batch_size, batches_per_point : int
        Samples per mini-batch; mini-batches per point of the curve.
    armijo_c : float
        Armijo's sufficient-decrease constant ``c``.
    device, dtype, restart : str
        Torch device and precision; the shared restart rule on the codes of a
        point's last mini-batch (``"none"``, the default, is the paper's).

    References
    ----------
    Malezieux, Moreau and Kowalski (2022). Understanding approximate and
    unrolled dictionary learning for pattern recovery. ICLR, Section 5.
    Vaswani et al. (2019). Painless stochastic gradient. NeurIPS.
    """

    name = "stochastic-ddl"
    requirements = ["pip::torch"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {
        "n_layers": [20],
        "batch_size": [256],
        "algorithm": ["fista"],
        "armijo_c": [0.1],
        "batches_per_point": [5],
        "device": ["cpu"],
        "dtype": ["auto"],
        "restart": ["none"],
    }
    option_choices = {"algorithm": ALGORITHMS}
    max_backtracks = 10

    def batch_loss(self, D, X_batch, with_graph):
        with torch.set_grad_enabled(with_graph):
            Z = unrolled_codes(X_batch, D, self.lmbd, self.n_layers,
                               self.algorithm, lipschitz=lipschitz_constant(D))
            return lasso_loss(X_batch, Z, D, self.lmbd), Z

    def run(self, callback):
        callback = synchronized(callback, self.torch_device)
        n_samples = self.X.shape[0]
        batch_size = min(self.batch_size, n_samples)
        batches = iterate_minibatches(n_samples, batch_size,
                                      random_state=self.seed)
        grow = 2.0 ** (batch_size / n_samples)
        D = self.D_init.clone()
        self.D = D
        line_search = None
        while callback():
            for _ in range(self.batches_per_point):
                index = torch.as_tensor(next(batches), device=self.torch_device)
                X_batch = self.X[index]
                D = D.detach().requires_grad_(True)
                loss, Z = self.batch_loss(D, X_batch, with_graph=True)
                grad, = torch.autograd.grad(loss, D)
                D = D.detach()
                grad = tangent_gradient(D, grad)
                if line_search is None:
                    line_search = BacktrackingLineSearch(
                        dictionary_step_init(Z.detach()), grow=grow,
                        max_backtracks=self.max_backtracks,
                        armijo_c=self.armijo_c)
                _, (D,), _, _ = line_search.search(
                    [D], [grad], float(loss.detach()),
                    lambda p: (float(self.batch_loss(p[0], X_batch, False)[0]),
                               None),
                    lambda p: [normalize_atoms(p[0])])
            # The shared restart rule on the last mini-batch's codes.
            D, _ = self.apply_restart(D, Z, X_batch)
            self.D = D
