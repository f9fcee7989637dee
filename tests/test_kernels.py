"""Shared kernels of the classical solvers: OMP, dictionary updates, atoms."""
import numpy as np
import pytest
from sklearn.linear_model import orthogonal_mp_gram

from benchmark_utils.coding import batch_omp, default_n_nonzeros
from benchmark_utils.learning import (
    atoms_to_replace,
    block_coordinate_update,
    duplicated_atoms,
    iterate_minibatches,
    ksvd_atom_updates,
    least_squares_dictionary,
    normalize_atoms,
    online_forgetting_factor,
    project_atoms_unit_ball,
    replace_unused_atoms,
    restart_atoms,
)
from benchmark_utils.simulation import make_problem


@pytest.fixture(scope="module")
def problem():
    return make_problem(300, 20, 30, 3, snr=30.0, random_state=0)


@pytest.mark.parametrize("n_nonzeros", [1, 3, 7])
def test_batch_omp_matches_scikit_learn(problem, n_nonzeros):
    X, D = problem.X, problem.D_true
    Z = batch_omp(X, D, n_nonzeros)
    Z_ref = orthogonal_mp_gram(D @ D.T, D @ X.T,
                               n_nonzero_coefs=n_nonzeros).T
    np.testing.assert_allclose(Z, Z_ref, atol=1e-8)
    assert (np.count_nonzero(Z, axis=1) <= n_nonzeros).all()


def test_batch_omp_exact_on_noiseless_sparse_data():
    p = make_problem(200, 32, 40, 2, snr=np.inf, random_state=1)
    np.testing.assert_allclose(batch_omp(p.X, p.D_true, 2), p.Z_true,
                               atol=1e-8)


def test_batch_omp_survives_duplicated_and_zero_atoms(problem):
    D = problem.D_true.copy()
    D[1] = D[0]
    D[2] = 0.0
    Z = batch_omp(problem.X, D, 5)
    assert np.isfinite(Z).all()


def test_batch_omp_rejects_bad_sparsity(problem):
    with pytest.raises(ValueError, match="n_nonzeros"):
        batch_omp(problem.X, problem.D_true, 31)
    with pytest.raises(ValueError, match="n_nonzeros"):
        batch_omp(problem.X, problem.D_true, 0)


def test_default_n_nonzeros():
    assert default_n_nonzeros(3, 30, 20) == 3
    assert default_n_nonzeros(None, 30, 64) == 6
    assert default_n_nonzeros(None, 30, 4) == 1
    assert default_n_nonzeros(50, 30, 20) == 30


def test_least_squares_dictionary_is_exact_on_noiseless_data():
    p = make_problem(200, 16, 24, 3, snr=np.inf, random_state=2)
    D = least_squares_dictionary(p.X, p.Z_true)
    np.testing.assert_allclose(D, p.D_true, atol=1e-6)


def test_least_squares_dictionary_unused_atom_is_zero(problem):
    Z = problem.Z_true.copy()
    Z[:, 4] = 0.0
    D = least_squares_dictionary(problem.X, Z)
    assert np.isfinite(D).all()
    np.testing.assert_array_equal(D[4], 0.0)


@pytest.mark.parametrize("method", ["svd", "approximate"])
def test_ksvd_atom_updates_decrease_residual(problem, method):
    X = problem.X
    rng = np.random.default_rng(0)
    D = normalize_atoms(problem.D_true + 0.3 * rng.standard_normal(
        problem.D_true.shape))
    Z = batch_omp(X, D, 3)
    Z[:, 5] = 0.0
    before = np.linalg.norm(X - Z @ D)
    D_new, Z_new, residual, unused = ksvd_atom_updates(X, Z, D, method)
    np.testing.assert_allclose(residual, X - Z_new @ D_new, atol=1e-10)
    assert np.linalg.norm(residual) < before
    # Supports are kept, used atoms have unit norm, the unused one is flagged.
    np.testing.assert_array_equal(Z_new != 0, Z != 0)
    used = ~unused
    np.testing.assert_allclose(np.linalg.norm(D_new[used], axis=1), 1.0)
    assert unused[5] and unused.sum() == 1


def test_ksvd_svd_update_fixes_the_truth():
    p = make_problem(300, 16, 24, 2, snr=np.inf, random_state=3)
    D, Z, residual, _ = ksvd_atom_updates(p.X, p.Z_true, p.D_true)
    np.testing.assert_allclose(np.abs(np.sum(D * p.D_true, axis=1)), 1.0,
                               atol=1e-8)
    assert np.linalg.norm(residual) < 1e-8


def test_block_coordinate_update_minimizes_surrogate(problem):
    X, Z = problem.X, problem.Z_true
    A, B = Z.T @ Z, Z.T @ X
    rng = np.random.default_rng(0)
    D = normalize_atoms(rng.standard_normal(problem.D_true.shape))

    def surrogate(D):
        return 0.5 * np.trace(D @ D.T @ A) - np.trace(D @ B.T)

    D1 = block_coordinate_update(D, A, B)
    D20 = block_coordinate_update(D, A, B, n_iter=20)
    assert surrogate(D20) <= surrogate(D1) <= surrogate(D)
    assert (np.linalg.norm(D20, axis=1) <= 1 + 1e-12).all()
    # At 30 dB the minimizer over the unit ball is the truth, up to noise.
    assert np.abs(np.sum(normalize_atoms(D20) * problem.D_true, 1)).min() > 0.99


def test_online_forgetting_factor():
    assert online_forgetting_factor(1, 10) == pytest.approx(1 / 11)
    betas = [online_forgetting_factor(t, 10) for t in range(1, 2000)]
    assert all(0 <= b < 1 for b in betas)
    assert np.all(np.diff(betas) >= 0)
    assert betas[-1] > 0.99
    # On a finite training set theta stops at 2 n_samples: a constant
    # weight, the memory of about two passes (SPAMS' trainDL).
    capped = [online_forgetting_factor(t, 256, n_samples=2000)
              for t in range(20, 400)]
    assert capped == pytest.approx([(4001 - 256) / 4001] * len(capped))
    assert online_forgetting_factor(1, 256, n_samples=2000) == pytest.approx(
        online_forgetting_factor(1, 256))


def test_project_atoms_unit_ball():
    D = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    P = project_atoms_unit_ball(D)
    np.testing.assert_allclose(P, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])


def test_duplicated_atoms_flags_the_later_copy():
    D = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 1e-3]])
    np.testing.assert_array_equal(duplicated_atoms(D), [False, False, True])


def test_atoms_to_replace(problem):
    D = problem.D_true.copy()
    Z = problem.Z_true.copy()
    Z[:, 0] = 0.0
    D[1] = 0.0
    D[3] = D[2]
    flagged = atoms_to_replace(D, Z)
    assert flagged[[0, 1, 3]].all() and flagged.sum() == 3


def test_replace_unused_atoms_takes_worst_represented_samples():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0], [0.0, 0.0]])
    residual = np.array([[0.1, 0.0], [0.0, 2.0], [1.0, 1.0], [0.0, 0.0]])
    D = np.eye(2)[[0, 1, 0]]
    D_new = replace_unused_atoms(D, np.array([False, True, True]), X, residual)
    np.testing.assert_allclose(D_new[0], [1.0, 0.0])
    replaced = {tuple(np.round(d, 6)) for d in D_new[1:]}
    assert replaced == {(0.0, 1.0), (round(1 / np.sqrt(2), 6),) * 2}
    np.testing.assert_array_equal(replace_unused_atoms(D, [], X, residual), D)


def test_restart_rule_replaces_what_carries_no_information(problem):
    X, D, Z = problem.X, problem.D_true.copy(), problem.Z_true.copy()
    Z[:, 0] = 0.0  # atom 0 codes no sample: the worst-represented replaces it
    residual = X - Z @ D
    D_new, n = restart_atoms(D, Z, X, restart="unused")
    worst = np.argmax(np.einsum("ij,ij->i", residual, residual))
    assert n == 1
    np.testing.assert_allclose(D_new[0], X[worst] / np.linalg.norm(X[worst]))
    np.testing.assert_array_equal(D_new[1:], D[1:])
    # The same with the residual given, and an atom the solver flagged.
    flagged = np.zeros(len(D), dtype=bool)
    flagged[5] = True
    D_flag, n = restart_atoms(D, Z, X, residual, flagged=flagged)
    assert n == 2 and not np.allclose(D_flag[5], D[5])
    # Off: nothing changes, even an unused atom.
    D_off, n = restart_atoms(D, Z, X, restart="none")
    assert n == 0
    np.testing.assert_array_equal(D_off, D)
    # On the truth with its own codes nothing is replaced.
    _, n = restart_atoms(problem.D_true, problem.Z_true, X)
    assert n == 0
    with pytest.raises(ValueError, match="restart must be one of"):
        restart_atoms(D, Z, X, restart="always")


def test_minibatches_cover_each_epoch_once():
    batches = iterate_minibatches(10, 4, random_state=0)
    first = [next(batches) for _ in range(3)]
    assert [len(b) for b in first] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.arange(10))
    second = np.concatenate([next(batches) for _ in range(3)])
    np.testing.assert_array_equal(np.sort(second), np.arange(10))
    assert not np.array_equal(np.concatenate(first), second)
    again = iterate_minibatches(10, 4, random_state=0)
    np.testing.assert_array_equal(next(again), first[0])
