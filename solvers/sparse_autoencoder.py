import torch
from benchopt import BaseSolver

from benchmark_utils.learning import iterate_minibatches
from benchmark_utils.neural import (
    TorchSolver,
    lasso_loss,
    lipschitz_constant,
    normalize_atoms,
    reconstruction_loss,
    synchronized,
    unrolled_codes,
)

LOSSES = ("reconstruction", "lasso", "decoder-only")


class Solver(TorchSolver, BaseSolver):
    """Sparse autoencoder with tied weights (CRsAE, PUDLE).

    The encoder is ``n_layers`` ISTA iterations from 0 whose weights are the
    dictionary, ``z <- ST(z - (z D - x) D^T / L, lmbd / L)`` with
    ``L = ||D D^T||_2`` (recomputed without gradient, no momentum); the decoder
    is ``x_hat = z D`` with the same ``D``. On shuffled mini-batches of
    ``batch_size`` samples, each step is one Adam step (PyTorch's default
    moments) on the loss ``loss``, then every atom is renormalized to unit
    norm. On the CPU a run is bit-identical for a given seed.

    Parameters
    ----------
    loss : {"reconstruction", "lasso", "decoder-only"}
        ``0.5 ||x - z D||^2`` back-propagated through encoder and decoder (the
        papers' choice); the Lasso loss ``0.5 ||x - z D||^2 + lmbd ||z||_1``,
        back-propagated the same way; or the reconstruction loss with the
        codes detached (the decoder's gradient alone).
    n_layers : int
        Depth of the encoder.
    batch_size, batches_per_point : int
        Samples per mini-batch; mini-batches per point of the curve.
    lr : float
        Adam's learning rate (why 3e-2 and not the papers' 1e-3:
        ``docs/neural.md``).
    device, dtype : str
        Torch device and precision.
    restart : {"none", "unused"}
        The shared restart rule on the codes of a point's last mini-batch,
        resetting Adam's moments of the replaced atoms; ``"none"``, the
        default, is the papers' training.

    References
    ----------
    Tolooshams, Dey and Ba (2021). Deep residual autoencoders for expectation
    maximization-inspired dictionary learning. IEEE TNNLS (CRsAE).
    Tolooshams and Ba (2022). Stable and interpretable unrolled dictionary
    learning. TMLR (PUDLE).
    """

    name = "sparse-autoencoder"
    requirements = ["pip::torch"]
    sampling_strategy = "callback"
    # No criterion of its own with a known ceiling: its run ends at the
    # oracle's (benchmark_utils.metrics.ceilings).
    criterion = None
    parameters = {
        "loss": ["reconstruction"],
        "n_layers": [20],
        "batch_size": [256],
        "lr": [3e-2],
        "batches_per_point": [5],
        "device": ["cpu"],
        "dtype": ["auto"],
        "restart": ["none"],
    }

    option_choices = {"loss": LOSSES}

    def training_loss(self, X_batch, D):
        """The loss of ``loss`` on a mini-batch, and the encoder's codes."""
        Z = unrolled_codes(X_batch, D, self.lmbd, self.n_layers, "ista",
                           lipschitz=lipschitz_constant(D))
        if self.loss == "reconstruction":
            return reconstruction_loss(X_batch, Z, D), Z
        if self.loss == "lasso":
            return lasso_loss(X_batch, Z, D, self.lmbd), Z
        return reconstruction_loss(X_batch, Z.detach(), D), Z

    def run(self, callback):
        callback = synchronized(callback, self.torch_device)
        n_samples = self.X.shape[0]
        batches = iterate_minibatches(n_samples, min(self.batch_size, n_samples),
                                      random_state=self.seed)
        D = self.D_init.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([D], lr=self.lr)
        self.D = D.detach().clone()
        while callback():
            for _ in range(self.batches_per_point):
                index = torch.as_tensor(next(batches), device=self.torch_device)
                optimizer.zero_grad()
                X_batch = self.X[index]
                loss, Z = self.training_loss(X_batch, D)
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    D.copy_(normalize_atoms(D))
            self.restart_adam(D, optimizer, Z, X_batch)
            self.D = D.detach().clone()

    def restart_adam(self, D, optimizer, Z, X_batch):
        """The shared restart rule on the last mini-batch's codes; Adam's
        moments of a replaced atom start again from zero."""
        D_new, n_replaced = self.apply_restart(D, Z, X_batch)
        if not n_replaced:
            return
        with torch.no_grad():
            replaced = (D_new != D).any(dim=1)
            D[replaced] = D_new[replaced]
            for moment in optimizer.state[D].values():
                if torch.is_tensor(moment) and moment.shape == D.shape:
                    moment[replaced] = 0.0
