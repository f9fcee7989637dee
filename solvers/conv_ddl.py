import torch
from benchopt import BaseSolver

from benchmark_utils.neural import (
    ALGORITHMS,
    BacktrackingLineSearch,
    TorchSolver,
    loss_converged,
    synchronize,
    synchronized,
)
from benchmark_utils.neural.convolutional import (
    analytic_conv_gradient,
    conv_lasso_loss,
    conv_lipschitz,
    conv_step_init,
    normalize_conv_atoms,
    unrolled_conv_codes,
)


class Solver(TorchSolver, BaseSolver):
    """Unrolled convolutional dictionary learning (full batch).

    The encoder is ``n_layers`` unrolled convolutional ISTA or FISTA
    iterations from 0, with step ``1 / L`` (``L`` the largest over frequencies
    of the squared spectral norm of the atoms' Fourier coefficients) and the
    decoder's atoms as its weights (the constrained recurrent sparse
    autoencoder, CRsAE); it is trained on the convolutional Lasso of its
    activations ``z(D)``, as deep dictionary learning is:

        F(D) = 1/n sum_n 0.5 ||x_n - sum_k z_nk(D) * d_k||^2
               + lmbd ||z_n(D)||_1.

    Each iteration (one point of the curve) computes the gradient ``g`` of
    ``F`` and takes the backtracking step of ``solvers/ddl.py``: the trial
    ``P(D - t g)``, ``P`` the projection of the atoms on the unit sphere, is
    accepted if ``F`` decreases, ``t`` halved otherwise (at most 20 times);
    the first ``t`` is ``1 / L_D`` at the initial activations. The run ends
    when no trial lowers ``F``, or by ``tol``. The layers are the linear
    network's with a convolution in place of the product. Deterministic.

    Parameters
    ----------
    gradient : {"deep", "analytic"}
        Back-propagation through the layers (DDL), or the gradient at fixed
        activations (AM, alternating minimization).
    n_layers, algorithm : int, {"fista", "ista"}
        Depth and iteration of the unrolled network.
    device, dtype : str
        Torch device and precision.
    tol : float
        End when an accepted step lowers ``F`` by less than ``tol`` relatively
        (the linear solver's ``tol``); 0, the default, is off.

    References
    ----------
    Tolooshams, Dey and Ba (2018). Scalable convolutional dictionary learning
    with constrained recurrent sparse auto-encoders. MLSP.
    Malezieux, Moreau and Kowalski (2022). Understanding approximate and
    unrolled dictionary learning for pattern recovery. ICLR.
    """

    name = "conv-ddl"
    requirements = ["pip::torch"]
    sampling_strategy = "callback"
    # The criterion it optimizes, whose recovery ceiling ends its run: the
    # convolutional Lasso with the objective's lmbd.
    criterion = "lasso"
    # benchopt test runs it on the convolutional dataset.
    test_config = {"dataset": {"name": "simulated-convolutional"}}
    model = "convolutional"
    # No restart rule for convolutional atoms (the linear one replaces atoms
    # by samples).
    restart = "none"
    parameters = {
        "gradient": ["deep", "analytic"],
        "n_layers": [20],
        "algorithm": ["fista"],
        "device": ["cpu"],
        "dtype": ["auto"],
        "tol": [0.0],
    }
    option_choices = {"gradient": ("deep", "analytic"),
                      "algorithm": ALGORITHMS}

    def evaluate(self, params):
        """Forward pass at ``params = [D]``: the loss as a float and what the
        gradient needs (the graph, or the activations)."""
        D = params[0]
        if self.gradient == "analytic":
            Z = unrolled_conv_codes(self.X, D.detach(), self.lmbd,
                                    self.n_layers, self.algorithm)
            loss = conv_lasso_loss(self.X, Z, D, self.lmbd)
            return float(loss), (params, loss, Z)
        D = D.detach().requires_grad_(True)
        Z = unrolled_conv_codes(self.X, D, self.lmbd, self.n_layers,
                                self.algorithm,
                                lipschitz=conv_lipschitz(D, self.X.shape[2]))
        loss = conv_lasso_loss(self.X, Z, D, self.lmbd)
        return float(loss.detach()), ([D], loss, Z)

    def gradient_of(self, state):
        params, loss, Z = state
        if self.gradient == "analytic":
            return [analytic_conv_gradient(self.X, Z, params[0])]
        return list(torch.autograd.grad(loss, params))

    def run(self, callback):
        callback = synchronized(callback, self.torch_device)
        params = [self.D_init.clone()]
        self.D = params[0]
        loss, state = self.evaluate(params)
        grads = self.gradient_of(state)
        line_search = BacktrackingLineSearch(
            conv_step_init(state[2].detach(), self.D_init.shape[2]))
        while callback():
            previous_loss = loss
            accepted, params, loss, state = line_search.search(
                [p.detach() for p in params], grads, loss, self.evaluate,
                lambda trial: [normalize_conv_atoms(trial[0])])
            if not accepted:  # the loss has stalled at the precision
                synchronize(self.torch_device)
                return
            if loss_converged(previous_loss, loss, self.tol):
                self.D = params[0].detach()
                synchronize(self.torch_device)
                return
            grads = self.gradient_of(state)
            self.D = params[0].detach()
