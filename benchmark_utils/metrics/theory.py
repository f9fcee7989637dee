"""Where the recovery theorems apply: their conditions, computed on a problem.

Each function takes what a simulated problem is made of (its true dictionary
``D``, the support size ``s``, the number of training samples ``N``, the law of
the nonzero amplitudes, the Lasso penalty ``lmbd``) and returns floats: the
quantity a theorem bounds, and ``theory_<name>`` = 1.0 where the problem
satisfies the theorem's condition, 0.0 where it does not. The simulator
reports them as ``data_*`` columns (:func:`problem_conditions`), the objective
adds the ones that need ``lmbd`` or the initial dictionary
(:func:`penalty_conditions`, :func:`initialization_conditions`), and the
phase-transition figures draw where each holds (:data:`CONDITIONS`).

Units are the benchmark's: ``D`` has ``K`` unit-norm atoms as rows in
dimension ``n``, ``mu`` is the mutual coherence ``max |<d_i, d_j>|``, a code
has ``s`` nonzeros, ``lmbd`` is the penalty of the Lasso loss
``0.5 ||x - z D||^2 + lmbd ||z||_1`` per sample. The papers on algorithms
write ``mu_A = sqrt(n) mu`` for their coherence; it is converted here.

Two kinds of conditions, never mixed (``docs/theory.md`` states each with its
source and what of it was checked in the paper):

- **proven**, with the theorem's explicit constants: a boundary; a problem
  beyond it is not covered by the theorem (recovery may still happen);
- **scaling only**: the theorem's condition is ``O(.)`` with an unspecified
  constant; it is computed with the constant set to 1 and is a trend, not a
  boundary.
"""
from dataclasses import dataclass
from math import inf, log, sqrt

import numpy as np

from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.metrics.properties import (
    check_support_size,
    cumulative_coherence,
    mutual_coherence,
)
from benchmark_utils.metrics.recovery import (
    RECOVERED_THRESHOLD,
    matched_correlations,
)
from benchmark_utils.validation import check_dictionary, check_positive_int


@dataclass(frozen=True)
class Condition:
    """A theorem's condition as a results column.

    ``key`` is the property (``data_<key>`` in the results) that is 1.0 where
    the condition holds; ``proven`` is False for a scaling with its constant
    set to 1.
    """

    key: str
    label: str
    reference: str
    proven: bool


CONDITIONS = (
    Condition("theory_coherence", "s < (1 + 1/mu) / 2",
              "Donoho & Elad 2003; Gribonval & Nielsen 2003", True),
    Condition("theory_babel", "mu_1(s-1) + mu_1(s) < 1",
              "Tropp 2004 (theorem number to check)", True),
    Condition("theory_lasso_local_min",
              "Lasso local minimum near D (coherence, sparsity, lmbd)",
              "Gribonval, Jenatton & Bach 2015 (constants to check)", True),
    Condition("theory_lasso_samples", "N >= n K^3", "Gribonval, Jenatton & "
              "Bach 2015 (scaling only)", False),
    Condition("theory_agm_sparsity", "s <= min(K^(2/5), 1 / (mu log n))",
              "Arora, Ge & Moitra 2014, Thm 4 (scaling only)", False),
    Condition("theory_agm_samples",
              "N >= (K/s)^2 log K + K s^2 log K + K log K log(1/eps)",
              "Arora, Ge & Moitra 2014, Thm 4 (scaling only)", False),
    Condition("theory_agmm_initialization", "s <= 1 / (mu log^3 n)",
              "Arora, Ge, Ma & Moitra 2015, Thm 13 (scaling only)", False),
    Condition("theory_agmm_close", "init within 2/log n of every atom",
              "Arora, Ge, Ma & Moitra 2015, Thm 8 (scaling only)", False),
    Condition("theory_altmin_close", "init within 1/(2592 s^2) of every atom",
              "Agarwal et al. 2014, (C1) of Thms 1 and 3", True),
)
CONDITION_KEYS = tuple(c.key for c in CONDITIONS)


# Agarwal, Anandkumar, Jain, Netrapalli and Tandon (COLT 2014), assumption
# (C1) of their Theorem 3 (and eps_0 of their Theorem 1): every initial atom
# strictly within 1 / (2592 s^2) of its true atom, in l2 norm, up to sign.
ALTMIN_RADIUS_CONSTANT = 2592


def altmin_init_radius(s):
    """The radius of Agarwal et al.'s initialization, ``1 / (2592 s^2)``.

    Their assumption (C1) (COLT 2014, Section 3.3): ``max_i min_{z = +-1}
    ||z A*_i - A(0)_i||_2 < 1 / (2592 s^2)``, under which Theorem 3 (local
    linear convergence of alternating minimization) holds; Theorem 1 starts
    its accuracy sequence at the same ``eps_0``. The constant is the
    theorem's own: a proven boundary, not a scaling.

    Parameters
    ----------
    s : int
        Support size of the codes (their assumption (B2)), at least 1.

    Returns
    -------
    float
    """
    s = check_positive_int(s, "s")
    return 1.0 / (ALTMIN_RADIUS_CONSTANT * s ** 2)


def _flag(holds):
    return 1.0 if holds else 0.0


def _checked(D, s, n_samples=None):
    """The inputs every condition starts from: the normalized dictionary,
    the support size and (when given) the number of samples, validated."""
    D = normalize_atoms(check_dictionary(D))
    s = check_support_size(s, D.shape[0])
    if n_samples is None:
        return D, s
    return D, s, check_positive_int(n_samples, "n_samples")


def sparse_coding_conditions(D, s):
    """Exact recovery of every ``s``-sparse code with the true dictionary.

    Every learner inherits these: where they fail, some ``s``-sparse signals
    have another code as sparse, or OMP and basis pursuit miss it, even
    with ``D`` known (noiseless statements).

    - ``coherence_s_max = (1 + 1/mu) / 2``; ``theory_coherence``: ``s`` below
      it, so that every ``s``-sparse code is the unique sparsest one (Donoho
      and Elad, PNAS 2003; Gribonval and Nielsen, IEEE TIT 2003) and OMP and
      basis pursuit recover it (Tropp, IEEE TIT 2004);
    - ``babel_sum = mu_1(s - 1) + mu_1(s)`` (:func:`cumulative_coherence`);
      ``theory_babel``: below 1, which implies Tropp's exact recovery
      condition for every support of size ``s`` (Tropp 2004), hence recovery
      by OMP and basis pursuit. It is never stricter than the coherence
      condition: ``mu_1(m) <= m mu``.

    Tropp's theorem numbers were not read in his text (``docs/theory.md``).

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
        The true dictionary; rows are normalized first.
    s : int
        Support size, in ``[1, n_atoms]``.

    Returns
    -------
    dict of float
    """
    D, s = _checked(D, s)
    mu = mutual_coherence(D)
    s_max = inf if mu == 0 else (1.0 + 1.0 / mu) / 2.0
    # mu_1(s) compares one atom with s others: undefined for s = K, where no
    # support of size s leaves an atom outside it (the condition is then
    # read as failed unless the atoms are orthogonal).
    babel = (cumulative_coherence(D, s - 1)
             + (cumulative_coherence(D, s) if s < D.shape[0] else 0.0))
    return dict(coherence_s_max=float(s_max),
                theory_coherence=_flag(s < s_max),
                babel_sum=float(babel), theory_babel=_flag(babel < 1.0))


def lasso_conditions(D, s, n_samples, amplitude_min):
    """Local identifiability of the Lasso criterion, without ``lmbd``.

    Gribonval, Jenatton and Bach ("Sparse and spurious: dictionary learning
    with noise and outliers", IEEE TIT 2015): with high probability the
    Lasso dictionary-learning criterion has a local minimum within a radius
    proportional to ``lmbd`` of the true dictionary, when

    - ``mu_1(s) <= 1/4`` (``lasso_babel``, :func:`cumulative_coherence`);
    - ``s <= K / (16 (||D||_2 + 1)^2)`` (``lasso_s_max``);
    - ``lmbd <= alpha / 4``, ``alpha`` the smallest nonzero magnitude of the
      codes (``lasso_lmbd_max``; 0 for Gaussian amplitudes, which are not
      bounded away from 0: the condition then fails for every ``lmbd``);
      checked by :func:`penalty_conditions`, which knows ``lmbd``;
    - ``N`` of order ``n K^3`` up to log factors (``lasso_n_samples``, scaling
      only, ``theory_lasso_samples``).

    The Lasso ceiling of the benchmark (``data_ceiling_lasso``) is the
    empirical counterpart of that local minimum. The theorem's number and
    constants are as recalled by secondary sources, not read in its text
    (``docs/theory.md``).

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    s : int
    n_samples : int
    amplitude_min : float
        Smallest magnitude of a nonzero of the codes (0 when unbounded).

    Returns
    -------
    dict of float
    """
    D, s, n_samples = _checked(D, s, n_samples)
    n_atoms, n_features = D.shape
    babel = (cumulative_coherence(D, s) if s < n_atoms else inf)
    s_max = n_atoms / (16.0 * (float(np.linalg.norm(D, 2)) + 1.0) ** 2)
    n_required = float(n_features) * n_atoms ** 3
    return dict(lasso_babel=float(babel), lasso_s_max=float(s_max),
                lasso_lmbd_max=float(amplitude_min) / 4.0,
                lasso_n_samples=n_required,
                theory_lasso_samples=_flag(n_samples >= n_required))


def penalty_conditions(properties, lmbd):
    """``theory_lasso_local_min`` for the penalty ``lmbd``: the three
    conditions of :func:`lasso_conditions` with explicit constants (on
    ``mu_1(s)``, on ``s`` and on ``lmbd``) all hold. Empty when
    ``properties`` (a problem's) lacks them."""
    needed = ("lasso_babel", "lasso_s_max", "lasso_lmbd_max", "rip_s")
    if not all(k in properties for k in needed):
        return {}
    holds = (properties["lasso_babel"] <= 0.25
             and properties["rip_s"] <= properties["lasso_s_max"]
             and lmbd <= properties["lasso_lmbd_max"])
    return dict(theory_lasso_local_min=_flag(holds))


def _log_eps():
    """``log(1 / eps)`` for the column error ``eps`` at which an atom counts
    as recovered: ``|<d, d_hat>| >= 0.99`` is ``||d - d_hat|| <= sqrt(2 (1 -
    0.99))`` for unit atoms of the right sign."""
    return log(1.0 / sqrt(2.0 * (1.0 - RECOVERED_THRESHOLD)))


def algorithm_conditions(D, s, n_samples, amplitude_min):
    """The regimes of the provable algorithms, as scalings (constants 1).

    - Arora, Ge and Moitra (COLT 2014), Theorem 4, first case: codes of
      their class Gamma (Definition 2), with nonzeros bounded away from 0
      (``[-C, -1] u [1, C]`` up to scale: ``amplitude_min > 0``), and
      ``s <= c min(K^(2/5), sqrt(n) / (mu_A log n))`` with ``mu_A = sqrt(n)
      mu`` (Definition 1), i.e. ``s <= c min(K^(2/5), 1 / (mu log n))``
      (``agm_s_max``, ``theory_agm_sparsity``); samples ``p_1`` of order
      ``(K/s)^2 log K + K s^2 log K + K log K log(1/eps)``
      (``agm_n_samples``, ``theory_agm_samples``), ``eps`` the column error
      of a recovered atom (Definition 3, see :func:`_log_eps`);
    - Arora, Ge, Ma and Moitra (COLT 2015), Theorem 13 (the initialization
      of their Theorem 4): ``mu_A = O*(sqrt(n) / (s log^3 n))``, i.e.
      ``s <= 1 / (mu log^3 n)`` (``agmm_s_max``,
      ``theory_agmm_initialization``), with amplitudes bounded away from 0
      (their model); their local convergence (Theorem 8) starts ``(2 delta,
      2)``-near, ``delta = O*(1 / log n)``: within ``2 / log n`` of every
      atom with the constant set to 1 (:func:`initialization_conditions`).

    Parameters
    ----------
    D : ndarray of shape (n_atoms, n_features)
    s : int
    n_samples : int
    amplitude_min : float

    Returns
    -------
    dict of float
    """
    D, s, n_samples = _checked(D, s, n_samples)
    n_atoms, n_features = D.shape
    mu = mutual_coherence(D)
    log_n = log(n_features) if n_features > 1 else 0.0
    bounded = amplitude_min > 0
    incoherent = inf if mu * log_n == 0 else 1.0 / (mu * log_n)
    agm_s_max = min(n_atoms ** 0.4, incoherent)
    log_k = log(n_atoms) if n_atoms > 1 else 0.0
    agm_n = ((n_atoms / s) ** 2 * log_k + n_atoms * s ** 2 * log_k
             + n_atoms * log_k * _log_eps())
    agmm_s_max = inf if mu * log_n == 0 else 1.0 / (mu * log_n ** 3)
    return dict(
        agm_s_max=float(agm_s_max),
        theory_agm_sparsity=_flag(bounded and s <= agm_s_max),
        agm_n_samples=float(agm_n),
        theory_agm_samples=_flag(n_samples >= agm_n),
        agmm_s_max=float(agmm_s_max),
        theory_agmm_initialization=_flag(bounded and s <= agmm_s_max),
    )


def initialization_conditions(D_init, D_true, s):
    """Is the initial dictionary in the basin the local theorems assume?

    ``init_distance``: the largest distance ``min(||d_0 - d||, ||d_0 + d||)``
    between a true atom and the initial atom matched to it (one-to-one, as
    ``recovery``), atoms normalized.

    - ``theory_agmm_close``: at most ``2 / log n`` (Arora, Ge, Ma and
      Moitra, COLT 2015, Theorem 8: a start ``(2 delta, 2)``-near with
      ``delta = O*(1 / log n)``; a scaling, the constant set to 1; the
      spectral part of nearness, ``||A - A*|| <= 2 ||A*||``, is not
      checked);
    - ``theory_altmin_close``: below :func:`altmin_init_radius`, ``1 /
      (2592 s^2)`` (Agarwal, Anandkumar, Jain, Netrapalli and Tandon, COLT
      2014, assumption (C1) of Theorem 3, a strict inequality with the
      theorem's constant: proven).
    """
    D_true = normalize_atoms(check_dictionary(D_true))
    D_init = normalize_atoms(check_dictionary(D_init, "D_init",
                                              n_atoms=D_true.shape[0],
                                              n_features=D_true.shape[1]))
    s = check_support_size(s, D_true.shape[0])
    # ||d0 -+ d||^2 = 2 (1 - |<d0, d>|) for unit atoms of the better sign.
    correlations = matched_correlations(D_true, D_init)
    distance = float(np.sqrt(max(0.0, 2.0 * (1.0 - correlations.min()))))
    n_features = D_true.shape[1]
    radius_agmm = inf if n_features < 2 else 2.0 / log(n_features)
    return dict(init_distance=distance,
                theory_agmm_close=_flag(distance <= radius_agmm),
                theory_altmin_close=_flag(distance < altmin_init_radius(s)))


def problem_conditions(D, s, n_samples, amplitude_min):
    """Every condition that the problem alone decides (no ``lmbd``, no
    initial dictionary): :func:`sparse_coding_conditions`,
    :func:`lasso_conditions` and :func:`algorithm_conditions`."""
    return {**sparse_coding_conditions(D, s),
            **lasso_conditions(D, s, n_samples, amplitude_min),
            **algorithm_conditions(D, s, n_samples, amplitude_min)}
