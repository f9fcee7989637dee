import torch
from benchopt import BaseSolver

from benchmark_utils.neural import (
    ALGORITHMS,
    BacktrackingLineSearch,
    TorchSolver,
    analytic_dictionary_gradient,
    dictionary_step_init,
    lasso_loss,
    lipschitz_constant,
    loss_converged,
    normalize_atoms,
    synchronize,
    synchronized,
    unrolled_codes,
)

GRADIENTS = ("deep", "analytic", "truncated")


class Solver(TorchSolver, BaseSolver):
    """Deep dictionary learning by unrolled sparse coding (full batch).

    Malezieux, Moreau and Kowalski, "Understanding approximate and unrolled
    dictionary learning for pattern recovery", ICLR 2022. The codes are the
    output of a network of ``n_layers`` unrolled ISTA or FISTA iterations
    (``algorithm``) started from 0, with step ``1 / L``, ``L = ||D D^T||_2``
    (the spectral norm, not the Frobenius norm of the paper's public code,
    see ``benchmark_utils.neural.lipschitz_constant``). The dictionary
    minimizes the Lasso loss of these codes over the whole training set,

        F(D) = 1/n sum_i 0.5 ||x_i - z_N(x_i, D) D||^2 + lmbd ||z_N(x_i, D)||_1,

    by projected gradient descent. Each iteration (one point of the curve):

    1. the gradient of ``F`` in ``D``, by one of (``gradient``):

       - ``"deep"`` (DDL): back-propagation through all the layers;
       - ``"analytic"`` (AM, alternating minimization): the same forward pass
         without graph, then the gradient at fixed codes
         ``Z^T (Z D - X) / n`` (by Danskin's theorem, the gradient of the
         Lasso value function when the codes are exact); deep against
         analytic gradient at equal depth is the paper's central comparison;
       - ``"truncated"``: back-propagation through the last ``n_backprop``
         layers only, the first ones run without graph;

    2. a step by backtracking line search: the trial ``D - t grad`` with its
       atoms projected onto the unit sphere is accepted if ``F`` decreases,
       ``t`` is halved otherwise (at most 20 times per iteration), and the next
       iteration starts from ``2 t``; the first ``t`` is
       ``1 / ||Z^T Z / n||_2`` at the initial codes
       (``benchmark_utils.neural.BacktrackingLineSearch``).

    The run ends on its own when no trial decreases the loss: it has
    stalled at the precision of the arithmetic (the paper's code stops at
    ``t < 1e-20``). The paper's code also ends when an accepted step lowers
    the loss by less than 1e-6 relatively; ``tol=1e-6`` does the same
    (``benchmark_utils.neural.loss_converged``), and the default, 0, leaves
    that decision to the benchmark's stopping rule: the test ends runs on
    plateaus that the loss leaves later (DDL from ``random`` on the default
    problem: 0.971 with it, 0.9998 without; ``bench/bench_ddl_tolerance.py``).

    With ``learn_steps=True`` every layer ``i`` has its own step ``s_i / L``,
    ``s_i`` initialised at 1 (steps at ``1 / L``) and learned jointly with the
    dictionary by the same line search, kept in ``[0, 2]`` (Ablin, Moreau,
    Massias and Gramfort, "Learning step sizes for unfolded sparse coding",
    NeurIPS 2019); it needs a back-propagated gradient.

    An accepted trial's forward pass is the next gradient's forward pass: an
    iteration whose first trial is accepted costs one forward and one
    backward pass over the training set.

    With ``restart="unused"``, after every accepted step the atoms that the
    network's codes leave without information (used by fewer than 4
    samples, zero, duplicated) are replaced by the worst-represented training
    samples, the rule of K-SVD, MOD and altmin
    (:func:`benchmark_utils.learning.restart_atoms`); the default, ``"none"``,
    is the paper's algorithm. The run is deterministic (no
    randomness); ``device="cuda"`` is synchronized before every callback and
    warmed up in ``set_objective``.
    """

    name = "ddl"
    requirements = ["pip::torch"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run
    # (benchmark_utils.metrics.ceilings): the Lasso with the objective's lmbd.
    criterion = "lasso"
    parameters = {
        "gradient": ["deep", "analytic"],
        "n_layers": [20],
        "algorithm": ["fista"],
        "n_backprop": [5],
        "learn_steps": [False],
        "device": ["cpu"],
        "dtype": ["auto"],
        "restart": ["none"],
        "tol": [0.0],
    }

    option_choices = {"gradient": GRADIENTS, "algorithm": ALGORITHMS}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        skip, reason = super().skip(X, D_init, lmbd, n_nonzeros)
        if not skip and self.learn_steps and self.gradient == "analytic":
            return True, "learned steps need a back-propagated gradient"
        return skip, reason

    # -- the network and its loss ------------------------------------------

    def evaluate(self, params):
        """Forward pass at ``params = [D]`` or ``[D, step_scales]``.

        Returns the loss as a float and what the gradient needs: the graph
        (deep, truncated) or the codes (analytic).
        """
        D, scales = params[0], (params[1] if self.learn_steps else None)
        if self.gradient == "analytic":
            with torch.no_grad():
                Z = unrolled_codes(self.X, D, self.lmbd, self.n_layers,
                                   self.algorithm)
                loss = lasso_loss(self.X, Z, D, self.lmbd)
            return float(loss), (params, loss, Z)
        params = [p.detach().requires_grad_(True) for p in params]
        D, scales = params[0], (params[1] if self.learn_steps else None)
        n_backprop = self.n_backprop if self.gradient == "truncated" else None
        Z = unrolled_codes(self.X, D, self.lmbd, self.n_layers,
                           self.algorithm, step_scales=scales,
                           n_backprop=n_backprop,
                           lipschitz=lipschitz_constant(D))
        loss = lasso_loss(self.X, Z, D, self.lmbd)
        return float(loss.detach()), (params, loss, Z)

    def gradient_of(self, state):
        params, loss, Z = state
        if self.gradient == "analytic":
            return [analytic_dictionary_gradient(self.X, Z, params[0])]
        return list(torch.autograd.grad(loss, params))

    def project(self, params):
        projected = [normalize_atoms(params[0])]
        if self.learn_steps:
            projected.append(params[1].clamp(0.0, 2.0))
        return projected

    # -- the algorithm ---------------------------------------------------------

    def run(self, callback):
        callback = synchronized(callback, self.torch_device)
        params = [self.D_init.clone()]
        if self.learn_steps:
            params.append(torch.ones(self.n_layers, dtype=self.torch_dtype,
                                     device=self.torch_device))
        self.D = params[0]
        loss, state = self.evaluate(params)
        grads = self.gradient_of(state)
        line_search = BacktrackingLineSearch(dictionary_step_init(state[2]))
        while callback():
            previous_loss = loss
            accepted, params, loss, state = line_search.search(
                [p.detach() for p in params], grads, loss, self.evaluate,
                self.project)
            if not accepted:
                # No trial step, from 2 down to 2^-19 times the last
                # accepted one, lowers the loss: it has stalled at the
                # arithmetic's precision.
                synchronize(self.torch_device)
                return
            D, n_replaced = self.apply_restart(params[0], state[2], self.X)
            if not n_replaced and loss_converged(previous_loss, loss,
                                                 self.tol):
                self.D = params[0].detach()
                synchronize(self.torch_device)
                return
            if n_replaced:
                # The shared restart rule replaced atoms: the network's codes,
                # the loss and the step start again from the new dictionary.
                params[0] = D
                loss, state = self.evaluate(params)
                line_search = BacktrackingLineSearch(
                    dictionary_step_init(state[2]))
            grads = self.gradient_of(state)
            self.D = params[0].detach()
