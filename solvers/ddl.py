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

    The codes ``z_N(x, D)`` are the output of ``n_layers`` unrolled ISTA or
    FISTA iterations from 0 with step ``1 / L``, ``L = ||D D^T||_2``; the
    dictionary minimizes their Lasso loss over the training set,

        F(D) = 1/n sum_i 0.5 ||x_i - z_N(x_i, D) D||^2 + lmbd ||z_N(x_i, D)||_1,

    by projected gradient: each iteration (one point of the curve) computes the
    gradient ``g`` of ``F`` and sets ``D <- P(D - t g)``, ``P`` the projection
    of the atoms on the unit sphere, ``t`` found by backtracking (halved until
    ``F`` decreases, at most 20 times; the next search starts from ``2 t``;
    the first ``t`` is ``1 / ||Z^T Z / n||_2`` at the initial codes). The run
    ends when no trial lowers ``F``, or by ``tol``. Deterministic.

    Parameters
    ----------
    gradient : {"deep", "analytic", "truncated"}
        Back-propagation through all the layers (DDL); ``Z^T (Z D - X) / n``
        at fixed codes (AM: the gradient of the Lasso value function at exact
        codes, by Danskin); back-propagation through the last ``n_backprop``.
    n_layers, algorithm, n_backprop : int, {"fista", "ista"}, int
        The network's depth and iteration; the layers ``"truncated"`` keeps.
    learn_steps : bool
        One step ``s_i / L`` per layer, ``s_i`` from 1, learned with ``D`` by
        the same line search and kept in ``[0, 2]``; needs back-propagation.
    device, dtype, restart : str
        Torch device and precision; the shared restart rule after every
        accepted step (``"none"``, the default, is the paper's algorithm).
    tol : float
        End when an accepted step lowers ``F`` by less than ``tol`` relatively
        (the paper's stop); 0, the default, is off (``docs/neural.md``).

    References
    ----------
    Malezieux, Moreau and Kowalski (2022). Understanding approximate and
    unrolled dictionary learning for pattern recovery. ICLR.
    Ablin, Moreau, Massias and Gramfort (2019). Learning step sizes for
    unfolded sparse coding. NeurIPS.
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
