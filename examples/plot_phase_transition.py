"""
A phase transition with the theorems' boundaries
================================================

Where does a learner recover the truth, and where do the recovery theorems
say it must? This sweeps the sparsity of the codes and the mutual coherence of
the true dictionary on a small grid, learns each problem with a few lines of
MOD (batch OMP codes, least-squares atoms), and draws over the map of
recoveries where two conditions of the theory hold on each problem
(:data:`~benchmark_utils.metrics.CONDITIONS`): exact sparse coding by
coherence (``s < (1 + 1/mu) / 2``) and by the cumulative coherence (Tropp's
Babel condition), both proven boundaries. The simulator reports them with
every problem.
"""
import matplotlib.pyplot as plt
import numpy as np

from benchmark_utils.coding import batch_omp
from benchmark_utils.learning import (
    init_dictionary,
    least_squares_dictionary,
    normalize_atoms,
)
from benchmark_utils.metrics import CONDITIONS, recovery_score
from benchmark_utils.simulation import lowest_reachable_coherence, make_problem

N_FEATURES, N_ATOMS, N_SAMPLES = 16, 24, 1000


def learn_mod(X, n_atoms, sparsity, n_iter=40, random_state=0):
    """MOD from atoms drawn among the samples."""
    D = init_dictionary(X, n_atoms, method="data", random_state=random_state)
    for _ in range(n_iter):
        Z = batch_omp(X, D, sparsity)
        D = normalize_atoms(least_squares_dictionary(X, Z))
    return D


###############################################################################
# The grid: one problem per cell, learned once.

coherences = np.linspace(lowest_reachable_coherence(N_FEATURES, N_ATOMS),
                         0.6, 6)
sparsities = np.arange(1, 6)
keys = ("theory_coherence", "theory_babel")
recovery = np.zeros((len(sparsities), len(coherences)))
holds = {key: np.zeros_like(recovery) for key in keys}
for i, sparsity in enumerate(sparsities):
    for j, coherence in enumerate(coherences):
        problem = make_problem(N_SAMPLES, N_FEATURES, N_ATOMS, int(sparsity),
                               kind="coherence", coherence=coherence,
                               random_state=10 * i + j)
        D = learn_mod(problem.X, N_ATOMS, int(sparsity))
        recovery[i, j] = recovery_score(problem.D_true, D)
        for key in keys:
            holds[key][i, j] = problem.properties[key]

###############################################################################
# The map, and the boundary of each condition: below its line the condition
# holds (the theorem covers those problems), above it does not.

labels = {condition.key: condition.label for condition in CONDITIONS}
fig, ax = plt.subplots(figsize=(6, 4.5))
mesh = ax.pcolormesh(coherences, sparsities, recovery, vmin=0.5, vmax=1,
                     cmap="viridis", shading="nearest")
fig.colorbar(mesh, label="recovery of MOD")
for key, color, style in zip(keys, ("C1", "C3"), ("-", "--")):
    ax.contour(coherences, sparsities, holds[key], levels=[0.5],
               colors=color, linewidths=2, linestyles=style)
    ax.plot([], [], color=color, ls=style, lw=2, label=labels[key])
ax.set_xlabel("mutual coherence of D_true")
ax.set_ylabel("nonzeros per code")
ax.legend(loc="upper right", fontsize=8)
fig.tight_layout()
plt.show()
