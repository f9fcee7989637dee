"""Simulation of dictionary recovery problems ``X = Z @ D + E``.

Three building blocks, each taking a ``random_state`` (int, Generator or None; the
same int gives the same bits in any process):

- :func:`make_dictionary` draws the true dictionary ``D`` (atoms as unit-norm rows);
- :func:`make_codes` draws sparse codes ``Z`` with a chosen support law and amplitude
  law;
- :func:`make_problem` puts them together with Gaussian noise at a given SNR, draws
  a held-out set from the same model, and measures what it produced.
"""
import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from benchmark_utils.atoms import normalize_atoms
from benchmark_utils.metrics import chance_floor, mutual_coherence, welch_bound
from benchmark_utils.validation import check_positive_int, check_random_state

# Rows drawn at once by make_codes: bounds the temporary memory for Bernoulli
# supports without a Python loop over samples. Part of the bit-exact contract.
_CHUNK_ROWS = 65536


# ----------------------------------------------------------------------------------
# Dictionaries
# ----------------------------------------------------------------------------------
def _gaussian_dictionary(n_features, n_atoms, coherence, rng):
    return normalize_atoms(rng.standard_normal((n_atoms, n_features)))


DICTIONARY_KINDS = {
    "gaussian": _gaussian_dictionary,
}


def make_dictionary(n_features, n_atoms, kind="gaussian", coherence=None,
                    random_state=None):
    """Draw a dictionary with unit-norm atoms as rows.

    Parameters
    ----------
    n_features : int
        Dimension of the signals.
    n_atoms : int
        Number of atoms.
    kind : str, default="gaussian"
        Family of the dictionary. ``"gaussian"``: i.i.d. standard Gaussian entries,
        rows normalized (coherence about ``sqrt(4 log(K) / n)``).
    coherence : float or None
        Target mutual coherence, for the kinds that take one.
    random_state : int, Generator or None

    Returns
    -------
    D : ndarray of shape (n_atoms, n_features)
    """
    n_features = check_positive_int(n_features, "n_features")
    n_atoms = check_positive_int(n_atoms, "n_atoms")
    if kind not in DICTIONARY_KINDS:
        raise ValueError(
            f"kind must be one of {sorted(DICTIONARY_KINDS)}, got {kind!r}."
        )
    rng = check_random_state(random_state)
    return DICTIONARY_KINDS[kind](n_features, n_atoms, coherence, rng)


# ----------------------------------------------------------------------------------
# Codes
# ----------------------------------------------------------------------------------
AMPLITUDE_LAWS = ("gaussian", "rademacher", "uniform")


def check_sparsity(sparsity, n_atoms):
    """Validate ``sparsity``: an int in [1, n_atoms] or a float rate in (0, 1)."""
    if isinstance(sparsity, numbers.Integral) and not isinstance(sparsity, bool):
        if not 1 <= sparsity <= n_atoms:
            raise ValueError(
                "sparsity must be an integer number of nonzeros in "
                f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity}."
            )
        return int(sparsity)
    if isinstance(sparsity, numbers.Real) and not isinstance(sparsity, bool):
        if not 0.0 < sparsity < 1.0:
            raise ValueError(
                "sparsity must be an integer number of nonzeros in "
                f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity}."
            )
        return float(sparsity)
    raise ValueError(
        "sparsity must be an integer number of nonzeros in "
        f"[1, n_atoms={n_atoms}] or a rate in (0, 1), got {sparsity!r}."
    )


def _exact_supports(n_samples, n_atoms, k, rng):
    """Uniform random k-subsets of range(n_atoms), one per row, as an int array.

    Floyd's algorithm, vectorized over samples: for j in n_atoms - k .. n_atoms - 1,
    draw t uniform in [0, j] and take t unless already chosen, j otherwise. Every
    k-subset is equally likely; the loop runs over k, not over samples.
    """
    supports = np.empty((n_samples, k), dtype=np.intp)
    for col, j in enumerate(range(n_atoms - k, n_atoms)):
        t = rng.integers(0, j + 1, size=n_samples)
        taken = (supports[:, :col] == t[:, None]).any(axis=1)
        supports[:, col] = np.where(taken, j, t)
    return supports


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
    rng = check_random_state(random_state)

    if isinstance(sparsity, int):
        indices = _exact_supports(n_samples, n_atoms, sparsity, rng).ravel()
        indptr = np.arange(0, n_samples * sparsity + 1, sparsity)
    else:
        blocks = []
        for start in range(0, n_samples, _CHUNK_ROWS):
            rows = min(_CHUNK_ROWS, n_samples - start)
            blocks.append(sparse.csr_matrix(rng.random((rows, n_atoms)) < sparsity))
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


# ----------------------------------------------------------------------------------
# Problems
# ----------------------------------------------------------------------------------
@dataclass
class Problem:
    """A simulated dictionary recovery problem, ``X = Z_true @ D_true + noise``.

    Attributes
    ----------
    X, X_test : ndarray of shape (n_samples, n_features), (n_test, n_features)
        Training and held-out signals, drawn from the same model.
    D_true : ndarray of shape (n_atoms, n_features)
    Z_true, Z_test : ndarray of shape (n_samples, n_atoms), (n_test, n_atoms)
    properties : dict
        What was actually produced, measured on the generated arrays: see
        :func:`make_problem`.
    """

    X: np.ndarray
    X_test: np.ndarray
    D_true: np.ndarray
    Z_true: np.ndarray
    Z_test: np.ndarray
    properties: dict = field(default_factory=dict)


def check_snr(snr):
    """Validate an SNR in dB: a real number or +inf (noiseless)."""
    if (isinstance(snr, bool) or not isinstance(snr, numbers.Real)
            or np.isnan(snr) or snr == -np.inf):
        raise ValueError(
            "snr must be a signal-to-noise ratio in dB, a real number or inf for "
            f"noiseless data, got {snr!r}."
        )
    return float(snr)


def _add_noise(signal, snr, noise_std, rng):
    if np.isinf(snr):
        return signal.copy()
    return signal + noise_std * rng.standard_normal(signal.shape)


def realized_snr(clean, noisy):
    """SNR in dB actually present: ``10 log10(||clean||^2 / ||noisy - clean||^2)``."""
    noise_power = np.sum((noisy - clean) ** 2)
    if noise_power == 0:
        return np.inf
    return float(10 * np.log10(np.sum(clean ** 2) / noise_power))


def make_problem(n_samples, n_features, n_atoms, sparsity, n_test=1000, snr=30.0,
                 kind="gaussian", coherence=None, distribution="gaussian",
                 amplitude_range=(1.0, 2.0), random_state=None):
    """Simulate a dictionary recovery problem and measure it.

    The training and held-out sets are drawn from the same model
    ``x = z @ D_true + e``: ``D_true`` from :func:`make_dictionary`, ``z`` from
    :func:`make_codes`, ``e`` i.i.d. Gaussian with a variance set so that the SNR,
    ``10 log10(E||z D||^2 / E||e||^2)``, is ``snr`` dB, the signal power being the
    empirical one of the clean training signals.

    Parameters
    ----------
    n_samples : int
        Number of training signals.
    n_features, n_atoms : int
        Shape of the true dictionary, ``(n_atoms, n_features)``.
    sparsity : int or float
        See :func:`make_codes`.
    n_test : int, default=1000
        Number of held-out signals.
    snr : float, default=30.0
        Signal-to-noise ratio in dB; ``np.inf`` for noiseless signals.
    kind, coherence :
        See :func:`make_dictionary`.
    distribution, amplitude_range :
        See :func:`make_codes`.
    random_state : int, Generator or None
        The dictionary, the training codes, the test codes and the noise come from
        four independent streams spawned from it, so changing ``n_test`` does not
        change the training set.

    Returns
    -------
    problem : Problem
        Its ``properties`` dict holds, measured on what was generated:
        ``coherence`` (mutual coherence of D_true), ``welch_bound``,
        ``chance_floor`` (expected recovery score of a random Gaussian guess),
        ``sparsity`` (mean number of nonzeros per training code) and ``snr``
        (realized on the training set, in dB).
    """
    snr = check_snr(snr)
    n_test = check_positive_int(n_test, "n_test")
    rng = check_random_state(random_state)
    rng_dict, rng_train, rng_test, rng_noise = rng.spawn(4)

    D_true = make_dictionary(n_features, n_atoms, kind=kind, coherence=coherence,
                             random_state=rng_dict)
    code_kwargs = dict(sparsity=sparsity, distribution=distribution,
                       amplitude_range=amplitude_range)
    Z_true = make_codes_sparse(n_samples, n_atoms, random_state=rng_train,
                               **code_kwargs)
    Z_test = make_codes_sparse(n_test, n_atoms, random_state=rng_test,
                               **code_kwargs)
    clean = np.asarray(Z_true @ D_true)
    clean_test = np.asarray(Z_test @ D_true)

    signal_power = np.mean(clean ** 2)
    noise_std = np.sqrt(signal_power / 10 ** (snr / 10)) if np.isfinite(snr) else 0.
    X = _add_noise(clean, snr, noise_std, rng_noise)
    X_test = _add_noise(clean_test, snr, noise_std, rng_noise)

    properties = dict(
        coherence=mutual_coherence(D_true),
        welch_bound=welch_bound(n_features, n_atoms),
        chance_floor=chance_floor(D_true),
        sparsity=float(Z_true.getnnz() / n_samples),
        snr=realized_snr(clean, X),
    )
    return Problem(X=X, X_test=X_test, D_true=D_true, Z_true=Z_true.toarray(),
                   Z_test=Z_test.toarray(), properties=properties)
