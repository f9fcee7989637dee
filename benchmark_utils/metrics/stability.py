"""A recovery score without a ground truth: the stability of a solver.

Run the same solver twice, on two disjoint halves of the training set or from
two random initial dictionaries on the same data, and match the two final
dictionaries one-to-one (the Hungarian matching of ``recovery``, on
``|correlations|``, so up to permutation and sign): atoms that come back in
both runs are reproducible, atoms that do not are artifacts of one draw of the
data or of the start. This is how ICA components (ICASSO, Himberg, Hyvarinen
and Esposito, NeuroImage 2004), NMF factors (staNMF, Wu et al., PNAS 2016) and
fMRI components (split-half reproducibility) are judged without a ground
truth. A start that never varies can be perfectly stable and wrong: the
replicates must differ in their data or in their start, never in neither.

:func:`stability_score` compares two dictionaries; :func:`split_halves` draws
the two halves of a training set. The objective's ``replicate`` parameter runs
the replicates and keeps their dictionaries, and
``benchmark_utils.results.stability`` pairs them in a results file.
"""
import numpy as np

from benchmark_utils.learning.atoms import sanitize_atoms
from benchmark_utils.metrics.recovery import (
    RECOVERED_THRESHOLD,
    matched_correlations,
)
from benchmark_utils.validation import check_dictionary, check_random_state

# The objective's replicates: "half-1" and "half-2" learn from two disjoint
# halves of the training set, "init-1" and "init-2" from all of it with two
# initial dictionaries drawn from two streams; "none" is a plain run.
REPLICATES = ("none", "half-1", "half-2", "init-1", "init-2")


def stability_score(D_a, D_b, threshold=RECOVERED_THRESHOLD):
    """Agreement of two learned dictionaries, up to permutation and sign.

    Parameters
    ----------
    D_a, D_b : ndarray of shape (n_atoms, n_features)
        The final dictionaries of two replicates; rows are normalized first
        (an atom of zeros or non-finite entries matches nothing).
    threshold : float, default=0.99
        A pair of matched atoms counts as reproduced at ``|correlation| >=
        threshold`` (the ``recovered_fraction`` criterion).

    Returns
    -------
    stability : float in [0, 1]
        Mean matched ``|correlation|`` (1: the same dictionary twice).
    stable_fraction : float in [0, 1]
        Share of atoms matched at ``threshold`` or more.
    """
    D_a = check_dictionary(D_a, "D_a")
    D_b = check_dictionary(D_b, "D_b", n_atoms=D_a.shape[0],
                           n_features=D_a.shape[1])
    matched = matched_correlations(sanitize_atoms(D_a)[0],
                                   sanitize_atoms(D_b)[0])
    return (float(np.mean(matched)),
            float(np.mean(matched >= threshold - 1e-12)))


def split_halves(n_samples, random_state=None):
    """Two disjoint halves of ``range(n_samples)``, drawn at random.

    Each half holds ``n_samples // 2`` indices, sorted; with an odd
    ``n_samples`` one sample is in neither.

    Returns
    -------
    first, second : ndarray of int
    """
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2 to split it in two "
                         f"halves, got {n_samples}.")
    order = check_random_state(random_state).permutation(n_samples)
    half = n_samples // 2
    return np.sort(order[:half]), np.sort(order[half:2 * half])


def replicate_skip_reason(replicate, n_samples, n_atoms):
    """Why a replicate cannot be learned, or None.

    A half with fewer samples than atoms to learn is too small to learn from:
    some atoms would be fitted to a handful of samples, and two such
    dictionaries disagree whatever the solver. Also refuses an unknown
    ``replicate``.
    """
    if replicate not in REPLICATES:
        return (f"replicate must be one of {list(REPLICATES)}, "
                f"got {replicate!r}")
    if replicate.startswith("half") and n_samples // 2 < n_atoms:
        return (f"replicate={replicate!r}: a half of the {n_samples} training "
                f"samples holds {n_samples // 2}, fewer than the {n_atoms} "
                "atoms to learn: too small to learn from")
    return None
