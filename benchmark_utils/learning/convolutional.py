"""Operations on convolutional atoms, ``(n_atoms, n_channels, n_times_atom)``.

An atom is the matrix of its channels; its norm is the Frobenius norm, so
the linear operations on rows apply to the flattened atoms and are not
written twice. The least-squares atoms for given activations are the
convolutional counterpart of :func:`benchmark_utils.learning.least_squares_dictionary`.
"""
import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from benchmark_utils.coding.convolutional import conv_dictionary_gradient
from benchmark_utils.learning.atoms import (
    normalize_atoms,
    project_atoms_unit_ball,
    sanitize_atoms,
)
from benchmark_utils.learning.initialization import (
    INIT_METHODS,
    perturb_dictionary,
)
from benchmark_utils.validation import check_random_state


def _flat(D):
    D = np.asarray(D, dtype=np.float64)
    return D.reshape(len(D), -1)


def normalize_conv_atoms(D):
    """Atoms of unit Frobenius norm (a zero atom stays zero)."""
    return normalize_atoms(_flat(D)).reshape(np.shape(D))


def project_conv_atoms(D):
    """Projection of every atom onto the unit Frobenius ball."""
    return project_atoms_unit_ball(_flat(D)).reshape(np.shape(D))


def sanitize_conv_atoms(D):
    """Zero every atom holding a NaN or an infinite entry; return the atoms
    and how many were zeroed (see
    :func:`~benchmark_utils.learning.atoms.sanitize_atoms`)."""
    clean, n_invalid = sanitize_atoms(_flat(D))
    return clean.reshape(np.shape(D)), n_invalid


def activation_statistics(Z, n_times_atom):
    """The normal matrix of the atoms' least squares for activations ``Z``.

    ``G[(k, l), (j, m)] = sum_n sum_t z_nk[t - l] z_nj[t - m]``: the
    cross-correlations of the activations at lags ``l - m`` in
    ``(-n_times_atom, n_times_atom)``, laid out as a ``(K L, K L)`` matrix.

    Parameters
    ----------
    Z : ndarray of shape (n_signals, n_atoms, n_times_valid)
    n_times_atom : int

    Returns
    -------
    G : ndarray of shape (n_atoms * n_times_atom, n_atoms * n_times_atom)
    """
    Z = np.asarray(Z, dtype=np.float64)
    n_atoms, L = Z.shape[1], int(n_times_atom)
    n_fft = next_fast_len(Z.shape[2] + L, real=True)
    spectrum = rfft(Z, n_fft, axis=-1)
    # A[k, j, m] = sum_n sum_u z_nk[u] z_nj[u + m], m at index m mod n_fft.
    lags = irfft(np.einsum("nkf,njf->kjf", np.conj(spectrum), spectrum),
                 n_fft, axis=-1)
    index = np.arange(L)
    # G[(k, l), (j, m)] = A[k, j, l - m]
    difference = (index[:, None] - index[None, :]) % n_fft
    G = lags[:, :, difference]  # (K, K, L, L)
    return G.transpose(0, 2, 1, 3).reshape(n_atoms * L, n_atoms * L)


def conv_least_squares_atoms(X, Z, n_times_atom, ridge=1e-10):
    """Atoms minimizing ``sum_n ||x_n - sum_k z_nk * d_k||^2`` for fixed ``Z``.

    The normal equations of every channel share the matrix of
    :func:`activation_statistics`, with a relative ridge against rank
    deficiency (an atom never activated comes back zero).

    Returns
    -------
    D : ndarray of shape (n_atoms, n_channels, n_times_atom)
        Not normalized.
    """
    X = np.asarray(X, dtype=np.float64)
    n_atoms, L = Z.shape[1], int(n_times_atom)
    zeros = np.zeros((n_atoms, X.shape[1], L))
    # -gradient at D = 0: b[k, c, l] = sum_n sum_t x_nc[t + l] z_nk[t].
    b = -conv_dictionary_gradient(X, Z, zeros)
    G = activation_statistics(Z, L)
    G[np.diag_indices_from(G)] += ridge * max(float(np.trace(G)) / len(G),
                                              1e-300)
    rhs = b.transpose(0, 2, 1).reshape(n_atoms * L, X.shape[1])
    solution = np.linalg.solve(G, rhs)
    return solution.reshape(n_atoms, L, X.shape[1]).transpose(0, 2, 1)


def init_conv_atoms(X, n_atoms, n_times_atom, method="random", D_true=None,
                    distance=0.5, random_state=None):
    """Initial atoms of unit norm, by the three protocols of the objective.

    - ``"random"``: i.i.d. Gaussian atoms;
    - ``"data"``: ``n_atoms`` distinct windows ``x_n[:, t:t + n_times_atom]``
      of nonzero norm, drawn at random among all signals and times;
    - ``"close"``: every true atom rotated away from itself by the Frobenius
      distance ``distance`` (:func:`~benchmark_utils.learning.
      perturb_dictionary` on the flattened atoms).

    Returns
    -------
    D_init : ndarray of shape (n_atoms, n_channels, n_times_atom)
    """
    if method not in INIT_METHODS:
        raise ValueError(
            f"init must be one of {list(INIT_METHODS)}, got {method!r}.")
    X = np.asarray(X, dtype=np.float64)
    n_signals, n_channels, n_times = X.shape
    L = int(n_times_atom)
    rng = check_random_state(random_state)
    if method == "random":
        return normalize_conv_atoms(
            rng.standard_normal((n_atoms, n_channels, L)))
    if method == "data":
        n_windows = n_signals * (n_times - L + 1)
        chosen = []
        for index in rng.permutation(n_windows):
            signal, start = divmod(int(index), n_times - L + 1)
            window = X[signal, :, start:start + L]
            if np.any(window):
                chosen.append(window)
            if len(chosen) == n_atoms:
                return normalize_conv_atoms(np.stack(chosen))
        raise ValueError(
            f"init='data' needs at least n_atoms={n_atoms} nonzero windows "
            f"of {L} samples, got {len(chosen)}.")
    if D_true is None:
        raise ValueError("init='close' needs the true atoms D_true.")
    D_true = np.asarray(D_true, dtype=np.float64)
    if D_true.shape != (n_atoms, n_channels, L):
        raise ValueError(
            f"D_true must have shape {(n_atoms, n_channels, L)}, got "
            f"{D_true.shape}.")
    return perturb_dictionary(D_true.reshape(n_atoms, -1), distance,
                              random_state=rng).reshape(D_true.shape)


def conv_atoms_step(X, Z, D, n_steps=10, tol=0.0):
    """``n_steps`` projected gradient steps on the atoms for fixed activations
    (fewer when a step moves no entry by more than ``tol``).

    Minimizes ``0.5 sum_n ||x_n - sum_k z_nk * d_k||^2`` over atoms in the
    unit Frobenius ball from ``D``, with the step ``1 / L_D``, ``L_D`` the
    largest eigenvalue of the activations' normal matrix
    (:func:`activation_statistics`); the sufficient statistics are computed
    once, so a step costs a product by a ``(K L, K L)`` matrix.

    Returns
    -------
    D : ndarray of shape (n_atoms, n_channels, n_times_atom)
        ``D`` itself when no activation is left (nothing to learn from).
    """
    n_atoms, n_channels, L = D.shape
    G = activation_statistics(Z, L)
    lipschitz = float(np.linalg.eigvalsh(G)[-1])
    if lipschitz <= 0:
        return D

    def flat(A):  # (K, C, L) -> (K L, C)
        return A.transpose(0, 2, 1).reshape(n_atoms * L, n_channels)

    def atoms(F):
        return F.reshape(n_atoms, L, n_channels).transpose(0, 2, 1)

    b = flat(-conv_dictionary_gradient(X, Z, np.zeros_like(D)))
    F = flat(D)
    for _ in range(n_steps):
        F_new = flat(project_conv_atoms(atoms(F - (G @ F - b) / lipschitz)))
        moved = float(np.max(np.abs(F_new - F)))
        F = F_new
        if moved <= tol:
            break
    return np.ascontiguousarray(atoms(F))
