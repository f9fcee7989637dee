"""Recovery ceilings on problems where they are known."""
import numpy as np
import pytest

from benchmark_utils.coding import lambda_max
from benchmark_utils.metrics import (
    lasso_recovery_ceiling,
    omp_recovery_ceiling,
    oracle_recovery,
)
from benchmark_utils.runtime.objective import once_per_problem
from benchmark_utils.simulation import make_problem


def problem(snr, kind="gaussian", n_features=16, n_atoms=24, n_samples=2000,
            seed=0, sparse_codes=False):
    return make_problem(n_samples, n_features, n_atoms, 2, n_test=10, snr=snr,
                        kind=kind, sparse_codes=sparse_codes,
                        random_state=seed)


def test_oracle_is_exact_without_noise_and_falls_with_noise():
    scores = [oracle_recovery(p.X, p.Z_true, p.D_true)
              for p in (problem(np.inf), problem(30.0), problem(10.0))]
    assert scores[0] == pytest.approx(1.0, abs=1e-12)
    assert 1.0 > scores[1] > scores[2] > 0.9


def test_oracle_takes_sparse_codes_and_is_reported_by_the_simulator():
    p = problem(30.0, sparse_codes=True)
    dense = problem(30.0)
    assert oracle_recovery(p.X, p.Z_true, p.D_true) == pytest.approx(
        oracle_recovery(dense.X, dense.Z_true, dense.D_true), rel=1e-12)
    assert p.properties["recovery_oracle"] == pytest.approx(
        oracle_recovery(dense.X, dense.Z_true, dense.D_true), rel=1e-12)


def test_oracle_grows_with_the_samples():
    small, large = (problem(20.0, n_samples=n) for n in (200, 20000))
    assert oracle_recovery(small.X, small.Z_true, small.D_true) < \
        oracle_recovery(large.X, large.Z_true, large.D_true)


def test_lasso_ceiling_tends_to_one_as_lmbd_vanishes_without_noise():
    p = problem(np.inf)
    scale = lambda_max(p.X)
    ceilings = [lasso_recovery_ceiling(p.X, p.D_true, reg * scale)
                for reg in (0.2, 0.05, 0.005)]
    # The bias of the Lasso shrinks with lmbd: the criterion's stationary
    # point moves back to the truth.
    assert ceilings[0] < ceilings[1] < ceilings[2]
    assert ceilings[2] > 0.9999
    assert ceilings[0] < 0.9999


def test_omp_ceiling_is_exact_without_noise_and_below_the_oracle_with_it():
    # On an orthonormal basis OMP finds every support of noiseless data: the
    # truth is the fixed point.
    clean = problem(np.inf, kind="orthogonal", n_features=16, n_atoms=16)
    assert omp_recovery_ceiling(clean.X, clean.D_true, 2) == pytest.approx(
        1.0, abs=1e-12)
    noisy = problem(10.0)
    omp = omp_recovery_ceiling(noisy.X, noisy.D_true, 2)
    assert 0.9 < omp <= oracle_recovery(noisy.X, noisy.Z_true,
                                        noisy.D_true) + 1e-3


def test_bad_arguments_are_refused():
    p = problem(30.0)
    with pytest.raises(ValueError, match="lmbd"):
        lasso_recovery_ceiling(p.X, p.D_true, -1.0)
    with pytest.raises(ValueError, match="n_nonzeros"):
        omp_recovery_ceiling(p.X, p.D_true, 0)


def test_ceilings_are_computed_once_per_problem():
    # benchopt sets the data again for every run: the objective computes a
    # problem's ceilings once, and again only for another problem or lmbd.
    p, q = problem(30.0), problem(30.0, seed=1)
    calls = []

    def ceiling(X, D, lmbd):
        calls.append(lmbd)
        return lasso_recovery_ceiling(X, D, lmbd)

    first = once_per_problem(ceiling, p.X, p.D_true, lmbd=0.1)
    assert once_per_problem(ceiling, p.X.copy(), p.D_true, lmbd=0.1) == first
    assert len(calls) == 1
    assert first == lasso_recovery_ceiling(p.X, p.D_true, 0.1)
    once_per_problem(ceiling, p.X, p.D_true, lmbd=0.2)
    once_per_problem(ceiling, q.X, q.D_true, lmbd=0.1)
    assert calls == [0.1, 0.2, 0.1]


def test_ceilings_do_not_depend_on_the_chunks(monkeypatch):
    # The ceilings code the samples by chunks (their memory is that of a
    # chunk): statistics and ceilings are those of all samples at once.
    from benchmark_utils.metrics import ceilings
    p = problem(30.0, n_samples=1000)
    lmbd = 0.1 * lambda_max(p.X)
    A, B = ceilings.code_statistics(p.X, lambda X: X @ p.D_true.T, chunk=300)
    Z = p.X @ p.D_true.T
    np.testing.assert_allclose(A, Z.T @ Z, rtol=1e-12)
    np.testing.assert_allclose(B, Z.T @ p.X, rtol=1e-12)
    whole = (lasso_recovery_ceiling(p.X, p.D_true, lmbd),
             omp_recovery_ceiling(p.X, p.D_true, 2))
    monkeypatch.setattr(ceilings, "CHUNK", 128)
    chunked = (lasso_recovery_ceiling(p.X, p.D_true, lmbd),
               omp_recovery_ceiling(p.X, p.D_true, 2))
    np.testing.assert_allclose(chunked, whole, atol=1e-9)
    with pytest.raises(ValueError, match="no samples"):
        ceilings.code_statistics(p.X[:0], lambda X: X @ p.D_true.T)
