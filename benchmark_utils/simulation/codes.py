"""Sparse codes: supports and amplitudes of the nonzeros.

:func:`make_codes` (dense) and :func:`make_codes_sparse` (CSR, memory
``O(nnz)``) draw the same values for the same arguments: exact-s supports
uniform among the s-subsets, or Bernoulli supports of a given rate, with
Gaussian, Rademacher or bounded-away (uniform magnitude) amplitudes.
"""
import numbers

import numpy as np
from scipy import sparse

from benchmark_utils.supports import random_supports
from benchmark_utils.validation import check_positive_int, check_random_state

# Rows drawn at once for Bernoulli supports (and per noise block in
# ``problems``): bounds the temporary memory without a Python loop over
# samples. Part of the bit-exact contract.
CHUNK_ROWS = 65536

AMPLITUDE_LAWS = ("gaussian", "rademacher", "uniform")


def check_sparsity(sparsity, n_atoms):
    """Validate ``sparsity``: an int in [1, n_atoms] or a float rate in (0, 1)."""
    if not isinstance(sparsity, bool):
        if isinstance(sparsity, numbers.Integral) and 1 <= sparsity <= n_atoms:
            return int(sparsity)
        if (isinstance(sparsity, numbers.Real)
                and not isinstance(sparsity, numbers.Integral)
                and 0.0 < sparsity < 1.0):
            return float(sparsity)
    raise ValueError(
        "sparsity must be an integer number of nonzeros in "
        f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity!r}."
    )


def check_amplitude_law(distribution, amplitude_range=(1.0, 2.0)):
    """Validate the amplitude law of the nonzeros of :func:`make_codes`."""
    if distribution not in AMPLITUDE_LAWS:
        raise ValueError(
            f"distribution must be one of {list(AMPLITUDE_LAWS)}, "
            f"got {distribution!r}."
        )
    low, high = amplitude_range
    if distribution == "uniform" and not 0.0 < low <= high:
        raise ValueError(
            "amplitude_range=(a, b) must satisfy 0 < a <= b so that amplitudes are "
            f"bounded away from 0, got {amplitude_range}."
        )


def amplitude_min(distribution, amplitude_range=(1.0, 2.0)):
    """Smallest magnitude a nonzero of the law can take: 0 for Gaussian
    amplitudes (not bounded away from 0), 1 for Rademacher, ``a`` for
    uniform magnitudes in ``amplitude_range = (a, b)``. The recovery
    theorems that need nonzeros bounded away from 0 read it
    (:mod:`benchmark_utils.metrics.theory`)."""
    check_amplitude_law(distribution, amplitude_range)
    if distribution == "gaussian":
        return 0.0
    if distribution == "rademacher":
        return 1.0
    return float(amplitude_range[0])


def _amplitudes(size, distribution, amplitude_range, rng):
    if distribution == "gaussian":
        return rng.standard_normal(size)
    signs = rng.integers(0, 2, size=size).astype(np.float64) * 2.0 - 1.0
    if distribution == "rademacher":
        return signs
    low, high = amplitude_range
    return signs * rng.uniform(low, high, size=size)


def make_codes_sparse(n_samples, n_atoms, sparsity, distribution="gaussian",
                      amplitude_range=(1.0, 2.0), random_state=None):
    """Sparse codes as a ``scipy.sparse.csr_matrix``; see :func:`make_codes`.

    Same draws, hence the same values, as :func:`make_codes` for the same
    arguments. Prefer it for large ``n_samples``: memory is ``O(nnz)``.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    sparsity = check_sparsity(sparsity, n_atoms)
    check_amplitude_law(distribution, amplitude_range)
    return draw_codes_sparse(n_samples, n_atoms, sparsity, distribution,
                             amplitude_range, check_random_state(random_state))


def draw_codes_sparse(n_samples, n_atoms, sparsity, distribution,
                      amplitude_range, rng):
    """:func:`make_codes_sparse` on checked arguments, from the Generator
    ``rng`` (``sparsity`` an int or a float, as :func:`check_sparsity`
    returns it)."""
    if isinstance(sparsity, int):
        indices = random_supports(n_samples, n_atoms, sparsity, rng).ravel()
        indptr = np.arange(0, n_samples * sparsity + 1, sparsity)
    else:
        blocks = []
        for start in range(0, n_samples, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, n_samples - start)
            blocks.append(
                sparse.csr_matrix(rng.random((rows, n_atoms)) < sparsity))
        mask = sparse.vstack(blocks, format="csr")
        indices, indptr = mask.indices, mask.indptr
    data = _amplitudes(indices.size, distribution, amplitude_range, rng)
    return sparse.csr_matrix((data, indices, indptr), shape=(n_samples, n_atoms))


def make_codes(n_samples, n_atoms, sparsity, distribution="gaussian",
               amplitude_range=(1.0, 2.0), random_state=None):
    """Draw sparse codes ``Z`` of shape ``(n_samples, n_atoms)``.

    Parameters
    ----------
    n_samples, n_atoms : int
    sparsity : int or float
        An int ``s`` in ``[1, n_atoms]``: every sample has exactly ``s`` nonzeros on a
        support drawn uniformly among the s-subsets. A float ``p`` in ``(0, 1)``: each
        entry is nonzero independently with probability ``p`` (Bernoulli-Gaussian
        model and its variants), so some samples may have no nonzero.
    distribution : {"gaussian", "rademacher", "uniform"}, default="gaussian"
        Law of the nonzero amplitudes: standard Gaussian; +-1 with equal
        probability; or a random sign times a uniform magnitude in
        ``amplitude_range``, bounded away from 0 as in Arora et al. (2015).
    amplitude_range : tuple (a, b), default=(1.0, 2.0)
        Magnitude range of the ``"uniform"`` law, ``0 < a <= b``.
    random_state : int, Generator or None

    Returns
    -------
    Z : ndarray of shape (n_samples, n_atoms)
    """
    return make_codes_sparse(
        n_samples, n_atoms, sparsity, distribution=distribution,
        amplitude_range=amplitude_range, random_state=random_state,
    ).toarray()

