"""Random supports: uniform k-subsets of the atoms, many at once."""
import numpy as np

from benchmark_utils.validation import check_random_state


def random_supports(n_draws, n_atoms, k, random_state=None):
    """Draw ``n_draws`` independent uniform random k-subsets of ``range(n_atoms)``.

    Floyd's algorithm, vectorized over draws: for ``j`` in ``n_atoms - k`` ..
    ``n_atoms - 1``, draw ``t`` uniform in ``[0, j]`` and take ``t`` unless it is
    already chosen, ``j`` otherwise. Every k-subset is equally likely; the loop
    runs over ``k``, not over draws, and memory is ``O(n_draws k)``. The uniform
    variables of all draws come from one ``(n_draws, k)`` array filled row by
    row, so the first ``m`` supports are the same for any ``n_draws >= m``.

    Parameters
    ----------
    n_draws, n_atoms, k : int
        ``0 <= k <= n_atoms``.
    random_state : int, Generator or None

    Returns
    -------
    supports : ndarray of int of shape (n_draws, k)
        One support per row, in the order drawn (not sorted).
    """
    if not 0 <= k <= n_atoms:
        raise ValueError(f"k must be in [0, n_atoms={n_atoms}], got {k}.")
    rng = check_random_state(random_state)
    uniforms = rng.random((n_draws, k))
    supports = np.empty((n_draws, k), dtype=np.intp)
    for col, j in enumerate(range(n_atoms - k, n_atoms)):
        # floor(u (j + 1)) is uniform on {0, ..., j} (u < 1, so t <= j).
        t = (uniforms[:, col] * (j + 1)).astype(np.intp)
        taken = (supports[:, :col] == t[:, None]).any(axis=1)
        supports[:, col] = np.where(taken, j, t)
    return supports
