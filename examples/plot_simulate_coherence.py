"""
Simulate a problem with a chosen mutual coherence
=================================================

:func:`~benchmark_utils.simulation.make_problem` draws a recovery problem
``X = Z_true @ D_true + noise`` and measures what it produced. With
``kind="coherence"`` the true dictionary has the mutual coherence asked for;
the problem's ``properties`` report the coherence obtained, the Welch bound
(the lowest coherence any dictionary of that size can have), the score of a
random guess (``chance_floor``) and the recovery of the least-squares fit with
the true codes (``recovery_oracle``).
"""
import matplotlib.pyplot as plt
import numpy as np

from benchmark_utils.metrics import mutual_coherence
from benchmark_utils.simulation import lowest_reachable_coherence, make_problem

###############################################################################
# One problem: 30 atoms in dimension 20, three nonzeros per code, 30 dB SNR.

problem = make_problem(n_samples=2000, n_features=20, n_atoms=30, sparsity=3,
                       kind="coherence", coherence=0.3, random_state=0)
print("X:", problem.X.shape, " D_true:", problem.D_true.shape)
for key in ("coherence", "welch_bound", "snr", "chance_floor",
            "recovery_oracle"):
    print(f"{key:>16s} = {problem.properties[key]:.4f}")

###############################################################################
# The coherence obtained is the one asked for, from the lowest coherence the
# generator reaches for this shape (a little above the Welch bound) up.

targets = np.linspace(lowest_reachable_coherence(20, 30), 0.6, 7)
measured = [
    mutual_coherence(make_problem(200, 20, 30, 3, kind="coherence",
                                  coherence=target, random_state=0).D_true)
    for target in targets
]
welch = problem.properties["welch_bound"]

fig, ax = plt.subplots(figsize=(5, 4))
ax.plot(targets, measured, "o-", label="measured")
ax.plot(targets, targets, "k:", label="asked for")
ax.axvline(welch, color="gray", ls="--", label="Welch bound")
ax.set_xlabel("target mutual coherence")
ax.set_ylabel("mutual coherence of D_true")
ax.legend()
fig.tight_layout()
plt.show()
