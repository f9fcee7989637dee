"""
Convolutional atoms learned by alphacsc
=======================================

The convolutional model: each signal is a sum of a few short atoms placed at
sparse times, ``x_n = sum_k z_nk * d_k + noise``.
:func:`~benchmark_utils.simulation.make_conv_problem` draws the atoms, the
activations and the noise and measures what it made;
`alphacsc <https://alphacsc.github.io>`_ learns atoms from the signals; and
:func:`~benchmark_utils.metrics.shift_invariant_recovery` scores them against
the truth up to shift, permutation and sign (a learned atom may be a shifted
copy of a true one and explain the signals as well).
"""
import matplotlib.pyplot as plt
import numpy as np
from alphacsc.convolutional_dictionary_learning import (
    ConvolutionalDictionaryLearning,
)

from benchmark_utils.coding import conv_lambda_max
from benchmark_utils.learning import init_conv_atoms
from benchmark_utils.metrics import (
    shift_invariant_recovery,
    shift_recovered_fraction,
)
from benchmark_utils.simulation import make_conv_problem

problem = make_conv_problem(n_signals=6, n_channels=1, n_atoms=3, n_times=300,
                            n_times_atom=16, activation_rate=0.005,
                            random_state=0)
X, D_true = problem.X, problem.D_true
print("signals:", X.shape, " atoms:", D_true.shape)
print({key: round(problem.properties[key], 4)
       for key in ("shift_coherence", "chance_floor", "recovery_oracle")
       if key in problem.properties})

###############################################################################
# alphacsc, from the benchmark's initial atoms and with its penalty (alphacsc
# divides ``reg`` by the signals' standard deviation); the shift-invariant
# recovery is read at every iteration.

lmbd = 0.1 * conv_lambda_max(X, n_times_atom=16)
D_init = init_conv_atoms(X, n_atoms=3, n_times_atom=16, random_state=1)
recoveries = []


def record(z_encoder, pobj):
    recoveries.append(shift_invariant_recovery(D_true, z_encoder.D_hat))


learner = ConvolutionalDictionaryLearning(
    n_atoms=3, n_times_atom=16, n_iter=30, rank1=False, solver_z="ista",
    reg=lmbd / X.std(), lmbd_max="fixed", D_init=D_init.copy(), n_jobs=1,
    verbose=0, callback=record, random_state=0, raise_on_increase=False)
learner.fit(X)
D_est = learner.D_hat_
print(f"shift-invariant recovery {shift_invariant_recovery(D_true, D_est):.4f}")
print(f"recovered fraction       {shift_recovered_fraction(D_true, D_est):.3f}")

###############################################################################
# The recovery along alphacsc's iterations, and each true atom beside the
# learned atom that matches it best.

fig, (ax, ax_atoms) = plt.subplots(1, 2, figsize=(9, 3.5))
ax.plot(recoveries, "o-", ms=3)
ax.set_xlabel("alphacsc iteration")
ax.set_ylabel("shift-invariant recovery")
for k, atom in enumerate(D_true[:, 0]):
    offset = 2.5 * k
    ax_atoms.plot(atom - offset, "k", lw=2, label="true" if k == 0 else None)
    correlations = [np.max(np.abs(np.correlate(atom, learned, "full")))
                    for learned in D_est[:, 0]]
    best = D_est[int(np.argmax(correlations)), 0]
    shift = np.argmax(np.abs(np.correlate(atom, best, "full"))) - (len(atom) - 1)
    sign = np.sign(np.correlate(atom, best, "full")[shift + len(atom) - 1])
    ax_atoms.plot(np.arange(len(best)) + shift, sign * best - offset, "C1--",
                  label="learned" if k == 0 else None)
ax_atoms.set_yticks([])
ax_atoms.set_xlabel("time (samples)")
ax_atoms.legend()
fig.tight_layout()
plt.show()
