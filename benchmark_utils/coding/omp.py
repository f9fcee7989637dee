"""Batch orthogonal matching pursuit (OMP) with a fixed number of nonzeros.

OMP (Pati, Rezaiifar and Krishnaprasad 1993) codes a signal ``x`` on a dictionary
``D`` greedily: at each of ``n_nonzeros`` steps it adds to the support the atom most
correlated with the current residual, then refits the coefficients of the whole
support by least squares, so that the residual stays orthogonal to the chosen atoms.

Here the ``n_nonzeros`` steps run for **all samples at once** on the Gram matrix
``G = D D^T`` and the correlations ``D x`` (the "Batch-OMP" of Rubinstein, Zibulevsky
and Elad 2008): step ``t`` costs one gather of ``t`` rows of ``G`` per sample and one
batched ``t x t`` solve, with no Python loop over samples. For the small supports of
dictionary recovery (a few nonzeros) this is several times faster than
scikit-learn's ``orthogonal_mp_gram``, which loops over samples, and gives the same
codes (see ``tests/test_kernels.py``).
"""
import numpy as np
from scipy import sparse

from benchmark_utils.validation import check_dictionary, check_positive_int


def batch_omp(X, D, n_nonzeros, ridge=1e-10):
    """Code every row of ``X`` on ``D`` with exactly ``n_nonzeros`` OMP steps.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Signals, one per row.
    D : ndarray of shape (n_atoms, n_features)
        Dictionary with atoms as rows. Atoms are used as given: OMP selects by
        ``|<residual, d_k>|``, which favours atoms of larger norm, so pass
        unit-norm atoms for the textbook algorithm.
    n_nonzeros : int
        Number of OMP steps, i.e. of nonzeros per code, at most ``n_atoms``.
    ridge : float, default=1e-10
        Tikhonov term added to each restricted Gram matrix, relative to the
        largest squared atom norm. It only matters when the support is
        rank-deficient (duplicated or zero atoms, or a residual already fitted
        exactly so that an arbitrary atom is picked): the least-squares solve
        then stays defined and gives the useless atom a coefficient close to 0.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_atoms)
        Codes with at most ``n_nonzeros`` nonzeros per row.
    """
    X = np.asarray(X, dtype=np.float64)
    D = check_dictionary(D, n_features=X.shape[1])
    n_atoms = D.shape[0]
    n_nonzeros = check_positive_int(n_nonzeros, "n_nonzeros")
    if n_nonzeros > n_atoms:
        raise ValueError(
            f"n_nonzeros must be at most n_atoms={n_atoms}, got {n_nonzeros}."
        )
    n_samples = X.shape[0]
    G = D @ D.T
    DX = X @ D.T
    reg = ridge * max(float(np.max(np.diag(G), initial=0.0)), 1e-300)

    rows = np.arange(n_samples)
    support = np.zeros((n_samples, n_nonzeros), dtype=np.intp)
    # Cholesky factor of each sample's restricted Gram matrix G[S, S] (+ ridge),
    # grown by one row per step (Rubinstein et al. 2008, Batch-OMP).
    L = np.zeros((n_samples, n_nonzeros, n_nonzeros))
    # Work buffers allocated once: fresh (n_samples, n_atoms) arrays at every
    # step would cost more in page faults than the arithmetic.
    correlations, score = np.empty_like(DX), np.empty_like(DX)
    np.copyto(correlations, DX)
    for t in range(n_nonzeros):
        np.abs(correlations, out=score)
        # Atoms already in the support have (up to rounding) zero correlation
        # with the residual; exclude them explicitly.
        score[rows[:, None], support[:, :t]] = -1.0
        new = np.argmax(score, axis=1)
        support[:, t] = new
        g_new = G[new, new] + reg
        if t > 0:
            w = _forward_substitution(L[:, :t, :t], G[support[:, :t], new[:, None]])
            L[:, t, :t] = w
            g_new = g_new - np.einsum("ij,ij->i", w, w)
        L[:, t, t] = np.sqrt(np.maximum(g_new, reg))
        S = support[:, :t + 1]
        coef = _backward_substitution(
            L[:, :t + 1, :t + 1],
            _forward_substitution(L[:, :t + 1, :t + 1], DX[rows[:, None], S]),
        )
        if t + 1 < n_nonzeros:
            # Correlations of the new residual, D x - G[S]^T coef, with the
            # codes as a CSR matrix (t + 1 nonzeros per row): one sparse
            # product instead of t + 1 dense gathers of rows of G.
            codes = sparse.csr_matrix(
                (coef.ravel(), S.ravel(),
                 np.arange(0, n_samples * (t + 1) + 1, t + 1)),
                shape=(n_samples, n_atoms),
            )
            np.subtract(DX, codes @ G, out=correlations)
    Z = np.zeros((n_samples, n_atoms))
    Z[rows[:, None], support] = coef
    return Z


def default_n_nonzeros(n_nonzeros, n_atoms, n_features):
    """Sparsity target of the methods that fix it (K-SVD, MOD with OMP).

    The data model's number of nonzeros per code when the dataset gives it,
    else 10% of ``n_features`` (at least 1), always at most ``n_atoms``.

    Parameters
    ----------
    n_nonzeros : int or None
    n_atoms, n_features : int

    Returns
    -------
    n_nonzeros : int
    """
    if n_nonzeros is None:
        n_nonzeros = max(1, round(0.1 * n_features))
    return int(min(max(int(n_nonzeros), 1), n_atoms))


def _forward_substitution(L, b):
    """Solve ``L y = b`` for a batch of lower-triangular ``L`` of shape (n, m, m)."""
    y = np.empty_like(b)
    for i in range(b.shape[1]):
        y[:, i] = (b[:, i] - np.einsum("ij,ij->i", L[:, i, :i], y[:, :i])
                   ) / L[:, i, i]
    return y


def _backward_substitution(L, y):
    """Solve ``L^T c = y`` for a batch of lower-triangular ``L`` of shape (n, m, m)."""
    c = np.empty_like(y)
    for i in range(y.shape[1] - 1, -1, -1):
        c[:, i] = (y[:, i] - np.einsum("ij,ij->i", L[:, i + 1:, i], c[:, i + 1:])
                   ) / L[:, i, i]
    return c
