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

    The stochastic version of Malezieux, Moreau and Kowalski, "Understanding
    approximate and unrolled dictionary learning for pattern recovery",
    ICLR 2022 (Section 5). The network is the one of ``solvers/ddl.py``:
    ``n_layers`` unrolled FISTA (or ISTA) iterations from 0 with step
    ``1 / L``, ``L = ||D D^T||_2``. At every mini-batch ``B`` of ``batch_size``
    samples (shuffled epochs, ``benchmark_utils.learning.minibatch``):

    1. forward pass on ``B`` and back-propagation of the mini-batch Lasso
       loss ``F_B(D)`` through the layers, giving ``g``, reduced to its part
       tangent to the atoms' unit spheres;
    2. Armijo backtracking on the same mini-batch: the trial ``D - t g`` with
       its atoms renormalized is accepted if
       ``F_B(trial) <= F_B(D) - c t ||g||^2`` with ``c = armijo_c``
       (``t`` halved otherwise, at most 10 times; after a failure ``D`` is
       kept); the next mini-batch starts from ``t 2^(batch_size / n)``, so the
       step may double once per epoch (the stochastic line search of Vaswani
       et al., "Painless stochastic gradient", NeurIPS 2019, with the
       previous accepted step as its start). The first ``t`` is
       ``1 / ||Z^T Z / |B| ||_2`` at the first mini-batch's codes. Nothing is
       tuned to the problem: the loss is averaged over samples, so ``t`` and
       ``c`` do not depend on ``batch_size``.

       The authors' public code (``plipy``, ``StoDeepDictionaryLearning``)
       schedules its first trial otherwise: every mini-batch of the first
       epoch starts from a fixed ``etamax``, every later one from the
       previous start times ``0.5^(batch_size / n)``, whatever the line search
       accepted, so that its steps halve once per epoch; its Armijo constant is
       ``c = 10 / batch_size`` on a loss summed over samples. Here the step
       follows what the line search accepts and does not decay: the run keeps
       the noise of a constant step (docs/neural.md).

    With ``restart="unused"``, after every point the atoms that the codes of
    its last mini-batch leave without information (used by fewer than 4 of
    its samples, zero, duplicated) are replaced by that batch's
    worst-represented samples, the rule of K-SVD, MOD and altmin
    (:func:`benchmark_utils.learning.restart_atoms`); the default, ``"none"``,
    is the paper's algorithm.

    ``batches_per_point`` mini-batches make one point of the curve. The order of
    the mini-batches comes from ``self.get_seed(use_repetition=True)``; on the
    CPU a run is bit-identical for a given seed. ``device="cuda"`` is
    synchronized before every callback and warmed up in ``set_objective``.
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
