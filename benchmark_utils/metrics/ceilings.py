"""Recovery ceilings: what the data, and each criterion, allow any learner.

For a problem with a ground truth, three dictionaries bound what a solver can
recover, each scored like an estimate (:func:`~.recovery.recovery_score`):

- :func:`oracle_recovery`: the least-squares dictionary fitted with the *true*
  codes. Only the noise and the finite sample separate it from ``D_true``: the
  statistical ceiling of any method.
- :func:`lasso_recovery_ceiling`: the stationary point of the Lasso
  dictionary-learning criterion ``1/n sum_i min_z 0.5 ||x_i - z D||^2 + lmbd
  ||z||_1`` over atoms in the unit ball, reached by exact alternation from
  ``D_true``: the local minimum near the truth whose existence Gribonval,
  Jenatton and Bach ("Sparse and spurious", IEEE TIT 2015) prove. What it
  lacks to the oracle is the bias of the criterion itself.
- :func:`omp_recovery_ceiling`: the fixed point of the alternation of OMP at
  ``n_nonzeros`` nonzeros and least squares (MOD's criterion, K-SVD's up to the
  order of its atom updates) reached from ``D_true``.

A solver's error then splits as ``1 - oracle`` (statistical), ``oracle -
ceiling`` (bias of its criterion) and ``ceiling - achieved`` (optimization or
approximation).
"""
import numpy as np

from benchmark_utils.coding.lasso_cd import sparse_encode_cd
from benchmark_utils.coding.omp import batch_omp
from benchmark_utils.learning.atoms import normalize_atoms
from benchmark_utils.learning.updates import (
    block_coordinate_update,
    least_squares_dictionary,
    least_squares_from_statistics,
)
from benchmark_utils.metrics.recovery import recovery_score
from benchmark_utils.validation import check_dictionary, check_positive_int

# Samples coded at once by the criterion ceilings, which only need the
# statistics Z^T Z and Z^T X of the codes: their memory is then that of a
# chunk, not of the training set (each chunk's codes start from zero).
CHUNK = 4096


def oracle_recovery(X, Z_true, D_true):
    """Recovery of the least-squares dictionary fitted with the true codes.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Z_true : ndarray or sparse matrix of shape (n_samples, n_atoms)
    D_true : ndarray of shape (n_atoms, n_features)

    Returns
    -------
    score : float in [0, 1]
        1 for noiseless data with codes of full rank.
    """
    D_true = check_dictionary(D_true, "D_true")
    return recovery_score(D_true, least_squares_dictionary(X, Z_true))


def code_statistics(X, code, chunk=None):
    """``A = Z^T Z`` and ``B = Z^T X`` of the codes ``Z = code(X)``, computed
    ``chunk`` samples at a time (default :data:`CHUNK`)."""
    chunk = CHUNK if chunk is None else check_positive_int(chunk, "chunk")
    if len(X) == 0:
        raise ValueError("X has no samples: no codes to take statistics of.")
    A = B = None
    for start in range(0, len(X), chunk):
        X_chunk = X[start:start + chunk]
        Z = code(X_chunk)
        if A is None:
            A = Z.T @ Z
            B = Z.T @ X_chunk
        else:
            A += Z.T @ Z
            B += Z.T @ X_chunk
    return A, B


def _alternate(D, code, update, tol, max_iter):
    """Alternate the codes ``code(X_chunk, D)`` of all samples (through their
    statistics ``A``, ``B``) and ``D = update(A, B, D)`` from ``D`` until no
    atom moves by more than ``tol`` (l2); return the last dictionary."""
    for _ in range(max_iter):
        A, B = code(D)
        D_new = update(A, B, D)
        moved = float(np.max(np.linalg.norm(D_new - D, axis=1)))
        D = D_new
        if moved <= tol:
            break
    return D


def lasso_recovery_ceiling(X, D_true, lmbd, tol=1e-7, max_iter=200,
                           code_tol=1e-6):
    """Recovery of the Lasso criterion's stationary point reached from D_true.

    Alternates the exact codes (the shared compiled coordinate descent,
    :func:`~benchmark_utils.coding.sparse_encode_cd`, each sample's optimality
    certified to ``code_tol``, computed by chunks of samples) and
    one block-coordinate sweep over the atoms in the unit ball (Mairal et al.
    2009, the update of online dictionary learning) with the sufficient
    statistics of all samples, until no atom moves by more than ``tol``.
    The ceiling of a learner is this point on the samples it learns from: on
    P1 it is 0.99879 on 2,000 of its samples and 0.99990 on all 20,000.
    Coordinate descent gives FISTA's value to 8 digits (FISTA to a relative
    change of 1e-6, warm-started) in about 1/4 of its time on P1 (20,000
    samples, one thread; ``python bench/bench_objective.py --ceilings``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    D_true : ndarray of shape (n_atoms, n_features)
    lmbd : float
        In the benchmark's units: the Lasso loss averaged over samples.
    tol, max_iter, code_tol : float, int, float

    Returns
    -------
    score : float in [0, 1]
        1 when ``lmbd -> 0`` on noiseless data; below the oracle otherwise
        (the Lasso shrinks the codes, which bends the atoms).
    """
    D_true = normalize_atoms(check_dictionary(D_true, "D_true"))
    if lmbd < 0:
        raise ValueError(f"lmbd must be >= 0, got {lmbd}.")
    max_iter = check_positive_int(max_iter, "max_iter")
    X = np.asarray(X, dtype=np.float64)

    def code(D):
        return code_statistics(
            X, lambda X_chunk: sparse_encode_cd(X_chunk, D, lmbd,
                                                tol=code_tol))

    def update(A, B, D):
        return block_coordinate_update(D, A, B)

    D = _alternate(D_true, code, update, tol, max_iter)
    return recovery_score(D_true, D)


def omp_recovery_ceiling(X, D_true, n_nonzeros, tol=1e-7, max_iter=200):
    """Recovery of the OMP-and-least-squares fixed point reached from D_true.

    Alternates batch OMP at ``n_nonzeros`` nonzeros and the least-squares
    dictionary with unit-norm atoms (MOD's iteration, without atom
    replacement) until no atom moves by more than ``tol``.

    Returns
    -------
    score : float in [0, 1]
    """
    D_true = normalize_atoms(check_dictionary(D_true, "D_true"))
    n_nonzeros = check_positive_int(n_nonzeros, "n_nonzeros")
    max_iter = check_positive_int(max_iter, "max_iter")
    X = np.asarray(X, dtype=np.float64)

    def code(D):
        return code_statistics(
            X, lambda X_chunk: batch_omp(X_chunk, D, n_nonzeros))

    def update(A, B, D):
        D_new = normalize_atoms(least_squares_from_statistics(A, B))
        # An atom no sample uses keeps its place.
        unused = ~np.linalg.norm(D_new, axis=1).astype(bool)
        D_new[unused] = D[unused]
        return D_new

    D = _alternate(D_true, code, update, tol, max_iter)
    return recovery_score(D_true, D)


def recovery_error_budget(D_true, D_est, X, Z_true, lmbd=None,
                          n_nonzeros=None):
    """Split what a learned dictionary lacks into data, criterion, optimizer.

    The budget of one dictionary, however it was learned:
    ``1 - achieved = (1 - oracle) + (oracle - ceiling) + (ceiling -
    achieved)``, with ``achieved`` its :func:`~.recovery.recovery_score`,
    ``oracle`` the :func:`oracle_recovery` of the training data and
    ``ceiling`` the recovery ceiling of the criterion its learner optimizes:
    the Lasso's (:func:`lasso_recovery_ceiling`) when ``lmbd`` is given, the
    OMP-and-least-squares one (:func:`omp_recovery_ceiling`) when
    ``n_nonzeros`` is given, the oracle itself (no criterion part) when
    neither is.

    Parameters
    ----------
    D_true : ndarray of shape (n_atoms, n_features)
        The true dictionary.
    D_est : ndarray of shape (n_atoms_est, n_features)
        The learned dictionary.
    X : ndarray of shape (n_samples, n_features)
        The samples it was learned from.
    Z_true : ndarray or sparse matrix of shape (n_samples, n_atoms)
        Their true codes.
    lmbd : float, optional
        Weight of the Lasso criterion, in the benchmark's units (the loss
        averaged over samples).
    n_nonzeros : int, optional
        Nonzeros per code of the OMP criterion.

    Returns
    -------
    budget : dict of float
        ``achieved``, ``oracle``, ``ceiling`` and the three parts
        ``statistical`` (``1 - oracle``), ``criterion`` (``oracle -
        ceiling``) and ``optimization`` (``ceiling - achieved``), which sum
        to ``1 - achieved``. The last two may be negative: a learner whose
        criterion differs a little from the exact one can end above its
        ceiling.

    Raises
    ------
    ValueError
        If both ``lmbd`` and ``n_nonzeros`` are given.

    Examples
    --------
    >>> from benchmark_utils.simulation import make_problem
    >>> problem = make_problem(500, 8, 10, 2, random_state=0)
    >>> budget = recovery_error_budget(problem.D_true, problem.D_true,
    ...                                problem.X, problem.Z_true)
    >>> parts = ("statistical", "criterion", "optimization")
    >>> bool(abs(sum(budget[p] for p in parts) - (1 - budget["achieved"]))
    ...      < 1e-12)
    True
    """
    if lmbd is not None and n_nonzeros is not None:
        raise ValueError("Give lmbd (the Lasso criterion) or n_nonzeros "
                         "(OMP), not both.")
    achieved = recovery_score(check_dictionary(D_true, "D_true"), D_est)
    oracle = oracle_recovery(X, Z_true, D_true)
    if lmbd is not None:
        ceiling = lasso_recovery_ceiling(X, D_true, lmbd)
    elif n_nonzeros is not None:
        ceiling = omp_recovery_ceiling(X, D_true, n_nonzeros)
    else:
        ceiling = oracle
    return {"achieved": achieved, "oracle": oracle, "ceiling": ceiling,
            "statistical": 1.0 - oracle, "criterion": oracle - ceiling,
            "optimization": ceiling - achieved}
