"""Recovery problems ``X = Z @ D_true + E``: draw, corrupt, measure.

:func:`make_problem` runs three named steps, each on arguments validated once
by :func:`check_problem_parameters`:

1. :func:`_draw`: the true dictionary (:mod:`.dictionaries`) and the clean
   training and held-out signals from their sparse codes (:mod:`.codes`);
2. :func:`_corrupt`: Gaussian noise at the asked SNR, then the outliers;
3. :func:`_measure`: what was actually produced (coherence, Welch bound, RIP
   estimates, realized sparsity and SNR, share of outliers, chance floor,
   the conditions of the recovery theorems).

Every step draws from its own streams spawned from ``random_state``, so that the
same int gives the same bits in any process, whatever the number of threads.
"""
import numbers
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from benchmark_utils.metrics.ceilings import oracle_recovery
from benchmark_utils.metrics.properties import (
    mutual_coherence,
    rip_lower_bound,
    rip_upper_bound,
    welch_bound,
)
from benchmark_utils.metrics.recovery import chance_floor
from benchmark_utils.metrics.theory import problem_conditions
from benchmark_utils.simulation.codes import (
    CHUNK_ROWS,
    amplitude_min,
    check_amplitude_law,
    check_sparsity,
    draw_codes_sparse,
)
from benchmark_utils.simulation.dictionaries import (
    check_dictionary_parameters,
    draw_dictionary,
)
from benchmark_utils.threads import generation_threads
from benchmark_utils.validation import check_positive_int, check_random_state


@dataclass
class Problem:
    """A simulated dictionary recovery problem, ``X = Z_true @ D_true + noise``.

    Attributes
    ----------
    X, X_test : ndarray of shape (n_samples, n_features), (n_test, n_features)
        Training and held-out signals, drawn from the same model.
    D_true : ndarray of shape (n_atoms, n_features)
    Z_true, Z_test : ndarray or sparse matrix of shape (n_samples, n_atoms), \
(n_test, n_atoms)
        Codes of the clean signals (dense unless ``sparse_codes=True``). The
        rows of outlier samples keep the code that was drawn, which no longer
        explains the (replaced) signal.
    properties : dict
        What was actually produced, measured on the generated arrays: see
        :func:`make_problem`.
    outliers : ndarray of shape (n_samples,), dtype bool
        True for the training samples replaced by outliers.
    """

    X: np.ndarray
    X_test: np.ndarray
    D_true: np.ndarray
    Z_true: object
    Z_test: object
    properties: dict = field(default_factory=dict)
    outliers: np.ndarray = None


def check_snr(snr):
    """Validate an SNR in dB: a real number or +inf (noiseless)."""
    if (isinstance(snr, bool) or not isinstance(snr, numbers.Real)
            or np.isnan(snr) or snr == -np.inf):
        raise ValueError(
            "snr must be a signal-to-noise ratio in dB, a real number or inf for "
            f"noiseless data, got {snr!r}."
        )
    return float(snr)


def check_outlier_fraction(outlier_fraction):
    """Validate a fraction of outlier samples, a real number in [0, 1)."""
    if (isinstance(outlier_fraction, bool)
            or not isinstance(outlier_fraction, numbers.Real)
            or not 0.0 <= outlier_fraction < 1.0):
        raise ValueError(
            "outlier_fraction must be a fraction of the training samples in "
            f"[0, 1), got {outlier_fraction!r}."
        )
    return float(outlier_fraction)


def realized_snr(signal_energy, noise_energy):
    """SNR in dB actually present: ``10 log10(signal_energy / noise_energy)``.

    Both are sums of squares over the same samples; inf when there is no
    noise.
    """
    if noise_energy <= 0:
        return float(np.inf)
    return float(10 * np.log10(signal_energy / noise_energy))


def noise_level(signal_power, snr):
    """Standard deviation of the i.i.d. Gaussian noise that puts ``snr`` dB
    under a signal of mean power ``signal_power``: ``sqrt(P / 10^(snr/10))``,
    0 for ``snr = inf`` (the linear and the convolutional simulators)."""
    if not np.isfinite(snr):
        return 0.0
    return float(np.sqrt(signal_power / 10 ** (snr / 10)))


def rip_sparsity(sparsity, n_atoms):
    """Support size used for the RIP estimates: ``s``, or ``max(1, round(p K))``."""
    if isinstance(sparsity, float):
        return int(max(1, min(n_atoms, round(sparsity * n_atoms))))
    return int(sparsity)


def _validated(n_samples, n_features, n_atoms, sparsity, n_test, snr, kind,
               coherence, distribution, amplitude_range, outlier_fraction):
    """Every argument of :func:`make_problem`, checked once and normalized."""
    n_features, n_atoms, coherence = check_dictionary_parameters(
        n_features, n_atoms, kind=kind, coherence=coherence)
    check_amplitude_law(distribution, amplitude_range)
    return dict(
        n_samples=check_positive_int(n_samples, "n_samples"),
        n_features=n_features, n_atoms=n_atoms,
        sparsity=check_sparsity(sparsity, n_atoms),
        n_test=check_positive_int(n_test, "n_test"),
        snr=check_snr(snr), kind=kind, coherence=coherence,
        distribution=distribution, amplitude_range=amplitude_range,
        outlier_fraction=check_outlier_fraction(outlier_fraction),
    )


def check_problem_parameters(n_samples, n_features, n_atoms, sparsity,
                             n_test=1000, snr=30.0, kind="gaussian",
                             coherence=None, distribution="gaussian",
                             amplitude_range=(1.0, 2.0), outlier_fraction=0.0):
    """Check the arguments of :func:`make_problem` without drawing anything.

    Cheap (no dictionary, code or noise is drawn), so a sweep can tell its
    infeasible cells before generating any: ``kind="orthogonal"`` with
    ``n_atoms != n_features``, ``sparsity`` above ``n_atoms``, a coherence
    target out of the feasible range, and so on.

    Raises
    ------
    ValueError
        The error :func:`make_problem` raises for the same arguments, saying what
        is allowed. A ``coherence`` target inside the feasible range but close to
        its lowest value can still fail at generation time (see
        :func:`~benchmark_utils.simulation.make_dictionary`), which only a draw
        can tell.
    """
    _validated(n_samples, n_features, n_atoms, sparsity, n_test, snr, kind,
               coherence, distribution, amplitude_range, outlier_fraction)


def _add_noise_inplace(X, noise_std, rng, skip=None):
    """``X += noise_std * N(0, 1)``, drawn by blocks of rows; return the noise energy.

    Block ``b`` of ``CHUNK_ROWS`` rows draws from the ``b``-th generator spawned
    from ``rng``, so the values depend neither on the number of threads nor on
    their scheduling; the blocks are filled by a thread pool (NumPy's generators
    release the GIL), each with its own buffer of one block. The returned
    energy excludes the rows flagged in ``skip`` (outliers, overwritten later)
    and is summed in block order.
    """
    n_blocks = -(-X.shape[0] // CHUNK_ROWS)
    streams = rng.spawn(n_blocks)
    if noise_std == 0.0:
        return 0.0

    def fill(b):
        rows = slice(b * CHUNK_ROWS, min((b + 1) * CHUNK_ROWS, X.shape[0]))
        noise = streams[b].standard_normal((rows.stop - rows.start, X.shape[1]))
        noise *= noise_std
        X[rows] += noise
        if skip is not None:
            noise[skip[rows]] = 0.0
        return float(np.einsum("ij,ij->", noise, noise))

    n_threads = generation_threads(n_blocks)
    if n_threads == 1:
        return float(sum(fill(b) for b in range(n_blocks)))
    with ThreadPoolExecutor(n_threads) as pool:
        return float(sum(pool.map(fill, range(n_blocks))))


def _draw(params, rngs):
    """Step 1: ``D_true``, the codes and the clean signals."""
    D_true = draw_dictionary(params["n_features"], params["n_atoms"],
                             params["kind"], params["coherence"], rngs["dict"])
    codes = dict(n_atoms=params["n_atoms"], sparsity=params["sparsity"],
                 distribution=params["distribution"],
                 amplitude_range=params["amplitude_range"])
    Z_true = draw_codes_sparse(params["n_samples"], rng=rngs["train"], **codes)
    Z_test = draw_codes_sparse(params["n_test"], rng=rngs["test"], **codes)
    return D_true, Z_true, Z_test, np.asarray(Z_true @ D_true), np.asarray(
        Z_test @ D_true)


def _corrupt(X, X_test, params, rngs):
    """Step 2: noise at the asked SNR on both sets, then outliers in ``X``.

    Works in place; returns the outlier mask and the energies the realized
    SNR is measured from (clean inliers, their noise).
    """
    n_samples = params["n_samples"]
    n_outliers = int(round(params["outlier_fraction"] * n_samples))
    outliers = np.zeros(n_samples, dtype=bool)
    outliers[rngs["outliers"].choice(n_samples, size=n_outliers,
                                     replace=False)] = True

    row_energy = np.einsum("ij,ij->i", X, X)
    signal_power = float(row_energy.sum() / X.size)
    clean_energy = float(row_energy[~outliers].sum())
    del row_energy
    noise_std = noise_level(signal_power, params["snr"])
    noise_energy = _add_noise_inplace(X, noise_std, rngs["noise"],
                                      skip=outliers)
    _add_noise_inplace(X_test, noise_std, rngs["noise"])
    if n_outliers:
        X[outliers] = np.sqrt(signal_power) * rngs["outliers"].standard_normal(
            (n_outliers, params["n_features"]))
    return outliers, clean_energy, noise_energy


def _measure(X, D_true, Z_true, outliers, clean_energy, noise_energy,
             params):
    """Step 3: the properties of what was produced, as floats."""
    s = rip_sparsity(params["sparsity"], params["n_atoms"])
    smallest = amplitude_min(params["distribution"], params["amplitude_range"])
    return dict(
        coherence=mutual_coherence(D_true),
        welch_bound=welch_bound(params["n_features"], params["n_atoms"]),
        rip_s=float(s),
        delta_s_lower=rip_lower_bound(D_true, s),
        delta_s_upper=rip_upper_bound(D_true, s),
        sparsity=float(Z_true.getnnz() / params["n_samples"]),
        snr=realized_snr(clean_energy, noise_energy),
        outlier_fraction=float(outliers.sum() / params["n_samples"]),
        chance_floor=chance_floor(D_true),
        recovery_oracle=oracle_recovery(X, Z_true, D_true),
        amplitude_min=smallest,
        **problem_conditions(D_true, s, params["n_samples"], smallest),
    )


def make_problem(n_samples, n_features, n_atoms, sparsity, n_test=1000, snr=30.0,
                 kind="gaussian", coherence=None, distribution="gaussian",
                 amplitude_range=(1.0, 2.0), outlier_fraction=0.0,
                 sparse_codes=False, random_state=None):
    """Simulate a dictionary recovery problem and measure it.

    The training and held-out sets are drawn from the same model
    ``x = z @ D_true + e``: ``D_true`` from :func:`make_dictionary`, ``z`` from
    :func:`make_codes`, ``e`` i.i.d. Gaussian with a variance set so that the SNR,
    ``10 log10(E||z D||^2 / E||e||^2)``, is ``snr`` dB, the signal power being the
    empirical one of the clean training signals.

    Optionally, a fraction of the training samples are outliers, as in the
    "Sparse and spurious" analysis of Gribonval, Jenatton and Bach (2015): they
    are replaced by dense Gaussian noise with i.i.d. entries of variance
    ``mean(||z D||^2) / n_features``, so that an outlier has on average the same
    energy as a clean signal and cannot be spotted by its norm. The held-out set
    has no outliers, so the test loss measures the fit to the model.

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
    outlier_fraction : float in [0, 1), default=0.0
        Share of the training samples replaced by outliers; exactly
        ``round(outlier_fraction * n_samples)`` samples, chosen at random.
    sparse_codes : bool, default=False
        Return ``Z_true`` and ``Z_test`` as ``scipy.sparse.csr_matrix`` (memory
        ``O(nnz)``, for large ``n_samples``) instead of dense arrays.
    random_state : int, Generator or None
        The dictionary, the training codes, the test codes, the noise and the
        outliers come from five independent streams spawned from it, so changing
        ``n_test`` or ``outlier_fraction`` does not change the clean training
        set.

    Returns
    -------
    problem : Problem
        Its ``properties`` dict holds floats measured on what was generated:

        - ``coherence``: mutual coherence of ``D_true``; ``welch_bound``: the
          lowest coherence possible for its shape;
        - ``rip_s``: the support size ``s`` used below (``sparsity``, or
          ``max(1, round(p K))`` for a Bernoulli rate ``p``);
          ``delta_s_lower``: lower bound on the RIP constant ``delta_s`` from
          1000 sampled supports (:func:`~benchmark_utils.metrics.rip_lower_bound`);
          ``delta_s_upper``: the tightest cheap upper bound, the Babel bound
          ``mu_1(s - 1)`` or the spectral bound ``max(1, ||D||^2 - 1)``
          (:func:`~benchmark_utils.metrics.rip_upper_bound`), never above
          the coherence bound ``(s - 1) mu``;
        - ``sparsity``: mean number of nonzeros per training code;
        - ``snr``: realized on the inlier training samples, in dB (inf when
          noiseless);
        - ``outlier_fraction``: share of training samples that are outliers;
        - ``chance_floor``: expected recovery score of a random Gaussian guess;
        - ``recovery_oracle``: recovery of the least-squares dictionary fitted
          with the true codes on the training set (outliers included), what
          the noise and the sample size allow any method
          (:func:`~benchmark_utils.metrics.oracle_recovery`);
        - ``amplitude_min``: the smallest magnitude of a nonzero (0 for
          Gaussian amplitudes);
        - the conditions of the recovery theorems on this problem
          (:func:`~benchmark_utils.metrics.theory.problem_conditions`):
          ``theory_*`` flags (1.0 where the condition holds) and the
          quantities they compare (``coherence_s_max``, ``babel_sum``,
          ``lasso_*``, ``agm_*``, ``agmm_s_max``), see ``docs/theory.md``.
    """
    params = _validated(n_samples, n_features, n_atoms, sparsity, n_test, snr,
                        kind, coherence, distribution, amplitude_range,
                        outlier_fraction)
    rng = check_random_state(random_state)
    rngs = dict(zip(("dict", "train", "test", "noise", "outliers"),
                    rng.spawn(5)))

    D_true, Z_true, Z_test, X, X_test = _draw(params, rngs)
    outliers, clean_energy, noise_energy = _corrupt(X, X_test, params, rngs)
    properties = _measure(X, D_true, Z_true, outliers, clean_energy,
                          noise_energy, params)
    if not sparse_codes:
        Z_true, Z_test = Z_true.toarray(), Z_test.toarray()
    return Problem(X=X, X_test=X_test, D_true=D_true, Z_true=Z_true,
                   Z_test=Z_test, properties=properties, outliers=outliers)
