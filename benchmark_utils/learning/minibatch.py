"""Mini-batches for the online solvers: shuffled epochs over the training set."""

from benchmark_utils.validation import check_positive_int, check_random_state


def iterate_minibatches(n_samples, batch_size, random_state=None):
    """Yield index arrays of mini-batches forever, epoch after shuffled epoch.

    Each epoch is a fresh random permutation of ``range(n_samples)`` cut into
    consecutive batches of ``batch_size`` (the last one of an epoch may be
    shorter), so every sample is seen once per epoch.

    Parameters
    ----------
    n_samples, batch_size : int
    random_state : int, Generator or None

    Yields
    ------
    batch : ndarray of int
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = check_random_state(random_state)
    while True:
        order = rng.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            yield order[start:start + batch_size]
