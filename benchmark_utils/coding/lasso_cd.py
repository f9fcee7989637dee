"""The Lasso by compiled coordinate descent: the codes that score every dictionary.

For a dictionary ``D`` (atoms as rows) and signals ``X``, each code solves
``min_z 0.5 ||x - z D||_2^2 + lmbd ||z||_1`` (:mod:`benchmark_utils.coding.lasso`
has the loss, its duality gap and restarted FISTA).

Cyclic coordinate descent on the Gram matrix ``D D^T``, one sample at a time,
compiled with numba, with feature-sign steps on the support (Lee et al. 2006)
once it has converged or after ten sweeps. Each coordinate step is exact, so a
few sweeps over the atoms reach a precision that first-order methods need
hundreds of matrix products for, and the feature-sign steps make the codes
exact: on the default problem of ``benchopt run .`` (2,000 samples, 30 atoms)
the loss is exact (to the 1e-15 of the duality gap) in 13 ms from a random
dictionary and 5 ms at the truth, where FISTA stopped at a relative change of
3e-4 takes 32 ms and 17 ms for errors of 3e-7 and 4e-7; with ten of the true
atoms replaced by near-copies of ten others (coherence 0.999998), 13 ms against
85 ms and an error of 3e-5; on P1 (128 atoms) 62 ms and 10 ms against 254 ms
and 83 ms (``python bench/bench_objective.py --lasso-only``). The objective
scores with it.
"""
import numba
import numpy as np

from benchmark_utils.coding.lasso import _check_lasso_inputs

# Sweeps after which a row still moving gets feature-sign steps after every
# sweep: on the default problem and P1 coordinate descent converges within it
# from a random dictionary (starting them after 3 sweeps made P1's evaluation
# from a random dictionary 2.0 times slower: 104 ms against 51 ms,
# bench/bench_objective.py).
NEWTON_SWEEP = 10


@numba.njit(cache=True)
def _support_newton(z, dx, G, lmbd, support, L, w, b, half_xx=np.inf):
    """Feature-sign steps on the support of ``z``, in place, until one
    reaches the minimizer of its support and signs.

    With ``B`` the support of ``z`` (less the atoms numerically in the span
    of the ones before them, whose codes ``z_H`` are held) and ``s`` its
    signs, the Lasso restricted to ``B`` and its signs is the quadratic
    ``0.5 z_B G_BB z_B - z_B (dx_B - G_BH z_H - lmbd s)``, minimized at
    ``w = G_BB^{-1} (dx_B - G_BH z_H - lmbd s)`` (by Cholesky). A step is the
    discrete line search of the feature-sign search (Lee, Battle, Raina and
    Ng, NIPS 2006): of ``w`` and the points of the segment from ``z_B`` to
    ``w`` where a code changes sign, it moves to the one of lowest Lasso
    objective, and a code that is zero there leaves the support (then the
    next step starts). Up to the first sign change the l1 term is linear, so
    the objective is the convex quadratic, decreasing towards ``w``: a step
    never raises the objective. It may pass sign changes, which lets a code
    move onto a nearly parallel atom, where coordinate descent only crawls.
    At most one step per atom. ``support``, ``L``, ``w`` and ``b`` are work
    arrays. Returns False when ``z`` is 0 (no step).

    The step is taken only where it lowers the objective, and only to codes
    that can: with ``half_xx = 0.5 ||x||^2``, any ``z'`` of objective at
    most that of ``z`` has ``lmbd ||z'||_1 <= f(z)``, so a candidate beyond
    this l1 norm is refused. On a nearly singular block ``w`` can be of order
    1e14, where the objective computed from ``G`` is rounding noise: without
    the bound, a noiseless 16 x 24 problem at ``lmbd = 0.005 lambda_max``
    sent one sample's codes there (objective 1.8e13 against 0.02 before the
    step). ``half_xx = inf`` (the default) turns the bound off.
    """
    n_atoms = z.size
    for k in range(n_atoms):
        # The objective at z (up to 0.5 ||x||^2) and the l1 norm that bounds
        # the codes of a step that does not raise it.
        current, l1 = 0.0, 0.0
        for j in range(n_atoms):
            if z[j] != 0.0:
                s = 0.5 * G[j, j] * z[j] - dx[j]
                for c in range(j):
                    if z[c] != 0.0:
                        s += G[j, c] * z[c]
                current += z[j] * s + lmbd * abs(z[j])
                l1 += abs(z[j])
        bound = np.inf
        if lmbd > 0.0:
            bound = max((half_xx + current) / lmbd, l1) * (1.0 + 1e-9)
        n, n_held = 0, 0
        for j in range(n_atoms):
            if z[j] == 0.0:
                continue
            # Row n of the Cholesky factor of G_BB, atom j appended.
            for c in range(n):
                s = G[j, support[c]]
                for e in range(c):
                    s -= L[n, e] * L[c, e]
                L[n, c] = s / L[c, c]
            s = G[j, j]
            for c in range(n):
                s -= L[n, c] * L[n, c]
            if s <= 1e-10 * G[j, j]:  # in the span of the block: held
                n_held += 1
                support[n_atoms - n_held] = j
            else:
                L[n, n] = np.sqrt(s)
                support[n] = j
                n += 1
        if n == 0:
            return k > 0
        for a in range(n):  # b = dx_B - G_BH z_H; forward substitution
            j = support[a]
            s = dx[j]
            for h in range(n_atoms - n_held, n_atoms):
                s -= G[j, support[h]] * z[support[h]]
            b[a] = s
            s -= lmbd if z[j] > 0.0 else -lmbd
            for c in range(a):
                s -= L[a, c] * w[c]
            w[a] = s / L[a, a]
        for a in range(n - 1, -1, -1):  # back substitution
            s = w[a]
            for c in range(a + 1, n):
                s -= L[c, a] * w[c]
            w[a] = s / L[a, a]
        # The objective (up to a constant) at z (candidate -2), at w
        # (candidate -1) and where the code of candidate changes sign.
        held_l1 = 0.0
        for h in range(n_atoms - n_held, n_atoms):
            held_l1 += abs(z[support[h]])
        best, best_t, best_a = np.inf, 0.0, -2
        for candidate in range(-2, n):
            if candidate == -2:
                t = 0.0
            elif candidate == -1:
                t = 1.0
            else:
                j = support[candidate]
                if w[candidate] * z[j] >= 0.0:
                    continue
                t = z[j] / (z[j] - w[candidate])
            value, l1 = 0.0, held_l1
            for a in range(n):
                za = z[support[a]] + t * (w[a] - z[support[a]])
                quadratic = 0.5 * G[support[a], support[a]] * za
                for c in range(a):
                    quadratic += G[support[a], support[c]] * (
                        z[support[c]] + t * (w[c] - z[support[c]]))
                value += za * (quadratic - b[a]) + lmbd * abs(za)
                l1 += abs(za)
            if candidate >= -1 and l1 > bound:
                continue
            if value < best:
                best, best_t, best_a = value, t, candidate
        if best_a == -2:  # no step lowers the objective
            return True
        for a in range(n):
            j = support[a]
            z[j] += best_t * (w[a] - z[j])
        if best_a < 0:
            return True
        z[support[best_a]] = 0.0
    return True


@numba.njit(cache=True)
def _residual_correlation(dx, G, z, r):
    """``r = dx - z G`` in place, over the nonzero codes of ``z``."""
    for m in range(r.size):
        r[m] = dx[m]
    for j in range(z.size):
        if z[j] != 0.0:
            for m in range(r.size):
                r[m] -= G[j, m] * z[j]


@numba.njit(cache=True)
def _coordinate_descent(DX, G, lmbd, Z, tol, max_sweeps, half_xx):
    """Cyclic coordinate descent on every row of ``Z`` in place.

    Row ``i`` minimizes ``0.5 z G z^T - z DX_i^T + lmbd ||z||_1``, the Lasso
    of sample ``i`` up to a constant. The residual correlation
    ``r = DX_i - z G`` is kept up to date, so that the step on coordinate
    ``j`` is ``z_j <- ST(r_j + G_jj z_j, lmbd) / G_jj`` and costs one pass
    over ``G``'s row ``j`` when ``z_j`` changes. A row stops after the first
    sweep in which no coordinate moves by more than ``tol`` times the largest
    ``|z_j|`` (scikit-learn's coordinate descent uses the same test before
    its duality gap), or after ``max_sweeps`` sweeps.

    A sweep that passes this test, and from the ``NEWTON_SWEEP``-th on every
    sweep, is followed by feature-sign steps on the support
    (:func:`_support_newton`); the row stops when the test passed, its
    support did not change, the steps moved no code by more than the test
    allows and no code outside the support would enter. Coordinate descent
    alone crawls along the difference of two nearly parallel atoms, and its
    steps are then too small for the test to see: on the dictionaries of
    coherence 0.999997 that Arora et al.'s unbiased variant ends at on the
    default problem it ran into its 1,000 sweeps, 250 ms a call, with the
    loss 1.6e-4 (relative) above the exact one; with the steps, 20 to 46 ms and
    exact to the 1e-15 of the duality gap. ``half_xx`` holds ``0.5 ||x_i||^2``
    for each row, which bounds the codes of a feature-sign step.
    """
    n_samples, n_atoms = DX.shape
    r = np.empty(n_atoms)
    support = np.empty(n_atoms, dtype=np.int64)
    L = np.empty((n_atoms, n_atoms))
    w = np.empty(n_atoms)
    b = np.empty(n_atoms)
    z_before = np.empty(n_atoms)
    for i in range(n_samples):
        z = Z[i]
        _residual_correlation(DX[i], G, z, r)  # z may be a warm start
        for sweep in range(max_sweeps):
            largest_step = 0.0
            largest_code = 0.0
            support_changed = False
            for j in range(n_atoms):
                g = G[j, j]
                if g <= 0.0:  # a zero atom keeps a zero code
                    continue
                old = z[j]
                u = r[j] + g * old
                if u > lmbd:
                    new = (u - lmbd) / g
                elif u < -lmbd:
                    new = (u + lmbd) / g
                else:
                    new = 0.0
                step = new - old
                if step != 0.0:
                    z[j] = new
                    for m in range(n_atoms):
                        r[m] -= G[j, m] * step
                    largest_step = max(largest_step, abs(step))
                    support_changed |= (old == 0.0) or (new == 0.0)
                largest_code = max(largest_code, abs(new))
            converged = largest_step <= tol * largest_code
            if not (converged or sweep >= NEWTON_SWEEP):
                continue
            # A feature-sign step: on a run that has converged, it checks
            # that coordinate descent has not stopped only because it
            # crawls; on one still moving after NEWTON_SWEEP sweeps, it
            # jumps to the minimizer on its support.
            for j in range(n_atoms):
                z_before[j] = z[j]
            if not _support_newton(z, DX[i], G, lmbd, support, L, w, b,
                                   half_xx[i]):
                if converged:
                    break
                continue
            largest_move = 0.0
            for j in range(n_atoms):
                largest_move = max(largest_move, abs(z[j] - z_before[j]))
            _residual_correlation(DX[i], G, z, r)
            if (converged and not support_changed
                    and largest_move <= tol * largest_code):
                # Done if no code outside the support would enter: the step
                # can raise a correlation above lmbd by a margin too small
                # for the sweep's test, which on a nearly parallel atom
                # hides a large gain.
                optimal = True
                for j in range(n_atoms):
                    if (z[j] == 0.0 and G[j, j] > 0.0
                            and abs(r[j]) > lmbd * (1.0 + 1e-12)):
                        optimal = False
                if optimal:
                    break
    return Z


def sparse_encode_cd(X, D, lmbd, tol=1e-4, max_sweeps=1000, Z_init=None):
    """Solve the Lasso for every row of ``X`` by coordinate descent.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    D : ndarray of shape (n_atoms, n_features)
        Dictionary; zero atoms are allowed and get zero codes.
    lmbd : float
        Regularization, ``>= 0``.
    tol : float, default=1e-4
        A sample's codes stop after a sweep in which no coordinate moved by
        more than ``tol`` times its largest code entry, checked by
        feature-sign steps: on the default problem and on P1 the loss is
        then exact to the precision of the duality gap (1e-15), from a
        random dictionary and at the truth.
    max_sweeps : int, default=1000
        Maximum number of sweeps over the atoms, per sample.
    Z_init : ndarray of shape (n_samples, n_atoms) or None
        Warm start (not modified); zeros when None. The codes it gives are
        those of a cold start to rounding: the stopping test certifies each
        row's optimality (its support's minimizer, no code outside it that
        would enter), whatever the start. Codes on zero atoms are set to 0.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_atoms)
    """
    X, D = _check_lasso_inputs(X, D, lmbd)
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol}.")
    G = np.ascontiguousarray(D @ D.T)
    DX = np.ascontiguousarray(X @ D.T)
    Z = (np.zeros_like(DX) if Z_init is None
         else np.array(Z_init, dtype=np.float64, order="C", copy=True))
    if Z.shape != DX.shape:
        raise ValueError(f"Z_init must be of shape {DX.shape}, got {Z.shape}.")
    if not np.isfinite(Z).all():
        raise ValueError("Z_init must be finite.")
    # A zero atom gets a zero code: the kernel skips its coordinate, so a
    # warm code on it would stay and count in the l1 term.
    Z[:, np.diag(G) <= 0.0] = 0.0
    half_xx = 0.5 * np.einsum("ij,ij->i", X, X)
    return _coordinate_descent(DX, G, float(lmbd), Z, float(tol),
                               int(max_sweeps), half_xx)
