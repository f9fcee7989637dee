"""
DDL and AM on the unrolled network, outside benchopt
====================================================

The codes of an unrolled network are ``n_layers`` FISTA iterations from 0
(:func:`~benchmark_utils.neural.unrolled_codes`). Deep dictionary learning
(DDL) differentiates their Lasso loss through every layer with PyTorch's
autograd; alternating minimization (AM) takes the gradient at fixed codes
(:func:`~benchmark_utils.neural.analytic_dictionary_gradient`). Both take
projected gradient steps on the atoms here, with the step ``1 / L`` of the
codes' statistics, from the same initial dictionary.
"""
import matplotlib.pyplot as plt
import torch

from benchmark_utils.coding import lambda_max
from benchmark_utils.learning import init_dictionary
from benchmark_utils.metrics import recovery_score
from benchmark_utils.neural import (
    analytic_dictionary_gradient,
    lasso_loss,
    normalize_atoms,
    setup_torch,
    to_numpy,
    to_tensor,
    unrolled_codes,
)
from benchmark_utils.simulation import make_problem

###############################################################################
# :func:`~benchmark_utils.neural.setup_torch` seeds torch and applies the
# benchmark's thread policy (one thread unless told otherwise).

device, dtype = setup_torch(seed=0, dtype="float64")
problem = make_problem(n_samples=2000, n_features=16, n_atoms=24, sparsity=3,
                       random_state=0)
lmbd = 0.1 * lambda_max(problem.X)
X = to_tensor(problem.X, device, dtype)
D_init = to_tensor(init_dictionary(problem.X, 24, method="data",
                                   random_state=1), device, dtype)


def learn(gradient, n_iter=100, n_layers=20):
    """Projected gradient on the atoms; the recovery after each step."""
    D = D_init.clone()
    recoveries = []
    for _ in range(n_iter):
        if gradient == "deep":
            D.requires_grad_(True)
            Z = unrolled_codes(X, D, lmbd, n_layers)
            grad, = torch.autograd.grad(lasso_loss(X, Z, D, lmbd), D)
            D = D.detach()
            Z = Z.detach()
        else:
            with torch.no_grad():
                Z = unrolled_codes(X, D, lmbd, n_layers)
            grad = analytic_dictionary_gradient(X, Z, D)
        step = 1.0 / torch.linalg.matrix_norm(Z.T @ Z / len(X), ord=2)
        D = normalize_atoms(D - step * grad)
        recoveries.append(recovery_score(problem.D_true, to_numpy(D)))
    return recoveries


curves = {"DDL (deep gradient)": learn("deep"),
          "AM (analytic gradient)": learn("analytic")}
for name, curve in curves.items():
    print(f"{name}: final recovery {curve[-1]:.4f}")

fig, ax = plt.subplots(figsize=(6, 4))
for name, curve in curves.items():
    ax.plot(range(1, len(curve) + 1), curve, label=name)
ax.axhline(problem.properties["recovery_oracle"], color="k", ls="--",
           label="oracle")
ax.set_xlabel("gradient steps on the atoms")
ax.set_ylabel("recovery")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
