"""
Score a dictionary learned by scikit-learn
==========================================

A dictionary learned by any library is scored against the truth with the
benchmark's own functions, without benchopt: the recovery
(:func:`~benchmark_utils.metrics.recovery_score`, up to permutation and sign),
the share of atoms recovered at 0.99
(:func:`~benchmark_utils.metrics.recovered_fraction`), and what the data and the
criterion allow any learner: the oracle
(:func:`~benchmark_utils.metrics.oracle_recovery`) and the Lasso's recovery
ceiling (:func:`~benchmark_utils.metrics.lasso_recovery_ceiling`).
:func:`~benchmark_utils.metrics.recovery_error_budget` splits what the
dictionary lacks into the three.
"""
import warnings

import matplotlib.pyplot as plt
from sklearn.decomposition import MiniBatchDictionaryLearning

from benchmark_utils.coding import lambda_max
from benchmark_utils.learning import init_dictionary
from benchmark_utils.metrics import (
    recovered_fraction,
    recovery_error_budget,
    recovery_score,
)
from benchmark_utils.simulation import make_problem

###############################################################################
# A problem at 20 dB of SNR, and the benchmark's penalty: ``reg`` times the scale
# :func:`~benchmark_utils.coding.lambda_max` of the data. scikit-learn's
# ``alpha`` weighs the same per-sample Lasso, so ``alpha = lmbd``.

problem = make_problem(n_samples=3000, n_features=16, n_atoms=24, sparsity=3,
                       snr=20, random_state=0)
X, D_true = problem.X, problem.D_true
lmbd = 0.1 * lambda_max(X)
D_init = init_dictionary(X, n_atoms=24, method="data", random_state=1)

###############################################################################
# scikit-learn learns, one pass over the data at a time; the recovery is
# read after each pass.

learner = MiniBatchDictionaryLearning(
    n_components=24, alpha=lmbd, batch_size=256, dict_init=D_init,
    fit_algorithm="cd", random_state=0)
n_batches = len(X) // 256
passes, recoveries = [], []
for n_pass in range(1, 16):
    with warnings.catch_warnings():
        # Its coordinate descent warns when a code stops at max_iter.
        warnings.simplefilter("ignore")
        for batch in range(n_batches):
            learner.partial_fit(X[batch * 256:(batch + 1) * 256])
    passes.append(n_pass)
    recoveries.append(recovery_score(D_true, learner.components_))
D_est = learner.components_
print(f"recovery           {recovery_score(D_true, D_est):.4f}")
print(f"recovered fraction {recovered_fraction(D_true, D_est):.3f}")

###############################################################################
# The error budget of the final dictionary, with the Lasso as its criterion:
# ``statistical`` (``1 - oracle``) is what the noise and the sample size take
# from any learner, ``criterion`` (``oracle - ceiling``) the bias of the
# Lasso, ``optimization`` (``ceiling - achieved``) what the learner left.

budget = recovery_error_budget(D_true, D_est, X, problem.Z_true, lmbd=lmbd)
for key, value in budget.items():
    print(f"{key:>12s} {value:+.2e}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(passes, recoveries, "o-", label="MiniBatchDictionaryLearning")
ax.axhline(budget["oracle"], color="k", ls="--", label="oracle")
ax.axhline(budget["ceiling"], color="C3", ls=":", label="Lasso ceiling")
ax.set_xlabel("passes over the training set")
ax.set_ylabel("recovery")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
