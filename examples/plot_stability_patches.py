"""
Stability without a ground truth, on image patches
==================================================

Natural image patches have no true dictionary to recover. The benchmark then
asks whether a learner finds the *same* atoms twice: it learns on two disjoint
halves of the training set (:func:`~benchmark_utils.metrics.split_halves`)
and matches the two dictionaries up to permutation and sign
(:func:`~benchmark_utils.metrics.stability_score`: the share of atoms that
come back at a correlation of 0.99 or more, and the mean correlation of the
matched atoms). Here
scikit-learn's ``MiniBatchDictionaryLearning`` learns from the two halves at
a few penalties: how reproducible its atoms are, at each penalty, is what
the figure shows.
"""
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning

from benchmark_utils.coding import lambda_max
from benchmark_utils.learning import atoms_to_images
from benchmark_utils.metrics import split_halves, stability_score
from benchmark_utils.simulation import make_patch_problem

problem = make_patch_problem(n_samples=3000, patch_size=8, random_state=0)
first, second = split_halves(len(problem.X), random_state=0)
print("patches:", problem.X.shape, " atoms shown as", problem.atom_shape)


def learn(X, lmbd, n_atoms=32):
    learner = MiniBatchDictionaryLearning(
        n_components=n_atoms, alpha=lmbd, batch_size=256, max_iter=4,
        fit_algorithm="cd", random_state=0)
    with warnings.catch_warnings():
        # Its coordinate descent warns when a code stops at max_iter.
        warnings.simplefilter("ignore")
        return learner.fit(X).components_


###############################################################################
# Two halves, three penalties (fractions ``reg`` of
# :func:`~benchmark_utils.coding.lambda_max`).

regs = [0.05, 0.1, 0.2]
scores, dictionaries = [], {}
for reg in regs:
    lmbd = reg * lambda_max(problem.X)
    D_a = learn(problem.X[first], lmbd)
    D_b = learn(problem.X[second], lmbd)
    dictionaries[reg] = D_a
    stability, stable_fraction = stability_score(D_a, D_b)
    scores.append((stability, stable_fraction))
    print(f"reg={reg}: stability {stability:.3f}, "
          f"stable fraction {stable_fraction:.3f}")

###############################################################################
# The stability of each penalty, and the atoms learned on the first half at
# the largest one.

fig, (ax, ax_atoms) = plt.subplots(1, 2, figsize=(9, 4))
for i, label in enumerate(("stability", "stable fraction")):
    ax.plot(regs, [score[i] for score in scores], "o-", label=label)
ax.set_xlabel("reg (lmbd / lambda_max)")
ax.set_ylabel("agreement of the two halves")
ax.legend()
images = atoms_to_images(dictionaries[regs[-1]], problem.atom_shape)
grid = np.block([[np.pad(image, 1, constant_values=255) for image in row]
                 for row in images.reshape(4, 8, *problem.atom_shape)])
ax_atoms.imshow(grid, cmap="gray")
ax_atoms.set_axis_off()
ax_atoms.set_title(f"atoms, reg={regs[-1]}")
fig.tight_layout()
plt.show()
