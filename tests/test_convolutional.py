"""The convolutional problem: model, Lasso, shift-invariant score, simulator."""
import numpy as np
import pytest

from benchmark_utils.coding import (
    conv_correlate,
    conv_dictionary_gradient,
    conv_lambda_max,
    conv_lasso_loss,
    conv_lipschitz,
    conv_reconstruct,
    sparse_encode_conv,
)
from benchmark_utils.learning import (
    conv_least_squares_atoms,
    init_conv_atoms,
    normalize_conv_atoms,
)
from benchmark_utils.metrics import (
    ConvolutionalScorer,
    conv_chance_floor,
    conv_lasso_recovery_ceiling,
    shift_coherence,
    shift_invariant_recovery,
)
from benchmark_utils.simulation import (
    CoherenceNotReachedError,
    check_conv_problem_parameters,
    make_activations,
    make_conv_atoms,
    make_conv_problem,
)
from benchmark_utils.validation import model_mismatch_reason


def direct_reconstruct(Z, D):
    n, K, _ = Z.shape
    C = D.shape[1]
    X = np.zeros((n, C, Z.shape[2] + D.shape[2] - 1))
    for i in range(n):
        for k in range(K):
            for c in range(C):
                X[i, c] += np.convolve(Z[i, k], D[k, c])
    return X


def direct_loss(X, Z, D, lmbd):
    residual = X - direct_reconstruct(Z, D)
    return (0.5 * np.sum(residual ** 2) + lmbd * np.abs(Z).sum()) / len(X)


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    D = rng.standard_normal((4, 2, 7))
    Z = rng.standard_normal((3, 4, 44))
    X = rng.standard_normal((3, 2, 50))
    return X, Z, D


def test_model_against_direct_sums(small):
    X, Z, D = small
    np.testing.assert_allclose(conv_reconstruct(Z, D), direct_reconstruct(Z, D),
                               atol=1e-12)
    C = np.zeros_like(Z)
    for i in range(3):
        for k in range(4):
            for c in range(2):
                C[i, k] += np.correlate(X[i, c], D[k, c], mode="valid")
    np.testing.assert_allclose(conv_correlate(X, D), C, atol=1e-12)
    # Adjoint: <D z, x> = <z, D^T x>.
    assert np.sum(conv_reconstruct(Z, D) * X) == pytest.approx(
        np.sum(Z * conv_correlate(X, D)), rel=1e-12)
    assert conv_lasso_loss(X, Z, D, 0.3) == pytest.approx(
        direct_loss(X, Z, D, 0.3), rel=1e-12)


def test_dictionary_gradient_against_finite_differences(small):
    X, Z, D = small
    E = np.random.default_rng(1).standard_normal(D.shape)

    def data_fit(D):
        return 0.5 * np.sum((direct_reconstruct(Z, D) - X) ** 2)

    eps = 1e-6
    numeric = (data_fit(D + eps * E) - data_fit(D - eps * E)) / (2 * eps)
    assert np.sum(conv_dictionary_gradient(X, Z, D) * E) == pytest.approx(
        numeric, rel=1e-6)


def test_lipschitz_bounds_the_operator_norm(small):
    X, Z, D = small
    v = np.random.default_rng(2).standard_normal(Z.shape)
    for _ in range(300):
        v = conv_correlate(conv_reconstruct(v, D), D)
        norm = np.linalg.norm(v)
        v /= norm
    L = conv_lipschitz(D, X.shape[2])
    assert norm <= L * (1 + 1e-12)
    assert norm >= 0.9 * L  # and it is close to it


def test_lambda_max_is_the_largest_window_norm(small):
    X, _, D = small
    L = D.shape[2]
    brute = np.mean([max(np.linalg.norm(x[:, t:t + L])
                         for t in range(x.shape[1] - L + 1)) for x in X])
    assert conv_lambda_max(X, L) == pytest.approx(brute, rel=1e-12)
    # At lmbd = the window norm of a single signal, its activations are 0
    # whatever the unit-norm atoms.
    x = X[:1]
    D_unit = normalize_conv_atoms(D)
    Z = sparse_encode_conv(x, D_unit, conv_lambda_max(x, L) * (1 + 1e-9))
    assert not Z.any()


def test_fista_reaches_the_lasso_optimality_conditions(small):
    X, _, D = small
    D = normalize_conv_atoms(D)
    lmbd = 0.1 * conv_lambda_max(X, D.shape[2])
    Z = sparse_encode_conv(X, D, lmbd, max_iter=20000, tol=1e-12)
    gradient = conv_correlate(conv_reconstruct(Z, D) - X, D)
    active = Z != 0
    assert active.any() and (~active).any()
    np.testing.assert_allclose(gradient[active], -lmbd * np.sign(Z[active]),
                               atol=1e-7)
    assert np.abs(gradient[~active]).max() <= lmbd * (1 + 1e-7)


def test_shape_errors_name_the_layout():
    X = np.zeros((2, 1, 10))
    with pytest.raises(ValueError, match="shorter than atoms"):
        conv_correlate(X, np.ones((2, 1, 11)))
    with pytest.raises(ValueError, match="same number of channels"):
        conv_correlate(X, np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="n_signals, n_channels, n_times"):
        conv_correlate(np.zeros((2, 10)), np.ones((2, 1, 4)))


def padded_atoms(rng, n_atoms=3, n_channels=2, n_times_atom=24, support=12):
    """Atoms whose samples are zero outside a central window, so that a
    shift of up to ``(n_times_atom - support) / 2`` keeps all of them."""
    D = np.zeros((n_atoms, n_channels, n_times_atom))
    start = (n_times_atom - support) // 2
    D[:, :, start:start + support] = rng.standard_normal(
        (n_atoms, n_channels, support))
    return normalize_conv_atoms(D)


@pytest.mark.parametrize("shift", [-6, -3, 0, 2, 6])
def test_score_is_one_up_to_shift_permutation_sign_and_scale(shift):
    rng = np.random.default_rng(3)
    D = padded_atoms(rng)
    estimate = np.roll(D, shift, axis=2)[[2, 0, 1]]
    estimate *= np.array([-2.0, 0.5, 3.0])[:, None, None]
    assert shift_invariant_recovery(D, estimate) == pytest.approx(1.0,
                                                                  abs=1e-12)


def test_score_cap_and_random_atoms():
    rng = np.random.default_rng(4)
    D = padded_atoms(rng, n_times_atom=24, support=4)
    # A shift past the cap (half the atom, 12) does not count.
    far = np.roll(D, 10, axis=2)
    assert shift_invariant_recovery(D, far, max_shift=12) == pytest.approx(1)
    assert shift_invariant_recovery(D, far, max_shift=5) < 0.8
    with pytest.raises(ValueError, match="max_shift"):
        shift_invariant_recovery(D, far, max_shift=24)
    D = make_conv_atoms(5, 1, 32, random_state=0)
    random = [shift_invariant_recovery(D, rng.standard_normal(D.shape))
              for _ in range(10)]
    floor = conv_chance_floor(D)
    assert max(random) < 0.65 and abs(np.mean(random) - floor) < 0.05


def test_score_rejects_wrong_shapes_and_nan():
    D = make_conv_atoms(3, 1, 16, random_state=0)
    with pytest.raises(ValueError, match="n_channels, n_times_atom"):
        shift_invariant_recovery(D, np.ones((3, 1, 15)))
    with pytest.raises(ValueError, match="NaN"):
        shift_invariant_recovery(D, np.full(D.shape, np.nan))


@pytest.mark.parametrize("target", [0.25, 0.5, 0.9])
@pytest.mark.parametrize("rank1", [False, True])
def test_simulator_hits_its_shift_coherence_target(target, rank1):
    D = make_conv_atoms(5, 2, 32, kind="coherence", coherence=target,
                        rank1=rank1, random_state=0)
    assert shift_coherence(D) == pytest.approx(target, abs=1e-8)
    np.testing.assert_allclose(np.linalg.norm(D.reshape(5, -1), axis=1), 1)
    if rank1:  # every atom is a spatial pattern times a waveform
        assert all(np.linalg.matrix_rank(d, tol=1e-10) == 1 for d in D)


def test_unreachable_coherence_and_bad_parameters_are_told():
    with pytest.raises(CoherenceNotReachedError, match="lowest reached"):
        make_conv_atoms(10, 1, 16, kind="coherence", coherence=0.05,
                        random_state=0)
    base = dict(n_signals=4, n_channels=1, n_atoms=3, n_times=100,
                n_times_atom=16, activation_rate=0.01)
    check_conv_problem_parameters(**base)
    with pytest.raises(ValueError, match="n_times must be at least"):
        check_conv_problem_parameters(**{**base, "n_times": 10})
    with pytest.raises(ValueError, match="activation rate of at most"):
        check_conv_problem_parameters(**{**base, "activation_rate": 0.1,
                                         "min_gap": 20})
    with pytest.raises(ValueError, match="kind must be one of"):
        check_conv_problem_parameters(**{**base, "kind": "wavelets"})
    with pytest.raises(ValueError, match="target in"):
        check_conv_problem_parameters(**{**base, "kind": "coherence"})


def test_activations_rate_and_gap():
    Z = make_activations(20, 3, 500, 0.01, min_gap=30, random_state=0)
    events = np.count_nonzero(Z, axis=(1, 2))
    assert (events == round(0.01 * 3 * 500)).all()
    for z in Z:
        times = np.sort(np.nonzero(z)[1])
        assert np.diff(times).min() >= 30
    Z = make_activations(20, 3, 500, 0.01, random_state=0)
    assert np.count_nonzero(Z) == 20 * 15
    Z = make_activations(5, 3, 500, n_events=12, min_gap=40,
                         nonnegative=True, random_state=0)
    assert (np.count_nonzero(Z, axis=(1, 2)) == 12).all() and (Z >= 0).all()
    with pytest.raises(ValueError, match="holds at most 13"):
        make_activations(5, 3, 500, n_events=14, min_gap=40)
    with pytest.raises(ValueError, match="give one of"):
        make_activations(5, 3, 500, activation_rate=0.01, n_events=12)


def test_problem_measures_what_it_produced():
    problem = make_conv_problem(8, 2, 3, 400, 16, 0.01, snr=20.0,
                                random_state=0)
    again = make_conv_problem(8, 2, 3, 400, 16, 0.01, snr=20.0,
                              random_state=0)
    np.testing.assert_array_equal(problem.X, again.X)
    props = problem.properties
    assert props["snr"] == pytest.approx(20.0, abs=0.5)
    assert props["activation_rate"] == pytest.approx(
        np.count_nonzero(problem.Z_true) / problem.Z_true.size)
    assert props["shift_coherence"] == pytest.approx(
        shift_coherence(problem.D_true))
    assert props["chance_floor"] < props["recovery_oracle"] <= 1.0
    noiseless = make_conv_problem(8, 2, 3, 400, 16, 0.01, snr=np.inf,
                                  random_state=0)
    np.testing.assert_allclose(
        conv_reconstruct(noiseless.Z_true, noiseless.D_true), noiseless.X,
        atol=1e-12)
    assert noiseless.properties["recovery_oracle"] == pytest.approx(1.0,
                                                                    abs=1e-9)


def test_least_squares_atoms_and_the_lasso_ceiling():
    problem = make_conv_problem(6, 1, 3, 300, 16, 0.02, snr=np.inf,
                                random_state=1)
    D = conv_least_squares_atoms(problem.X, problem.Z_true, 16)
    np.testing.assert_allclose(D, problem.D_true, atol=1e-7)
    X, D_true = problem.X, problem.D_true
    small = conv_lasso_recovery_ceiling(X, D_true, 1e-4)
    large = conv_lasso_recovery_ceiling(X, D_true,
                                        0.3 * conv_lambda_max(X, 16))
    assert small > 0.9999 and large < small


def test_scorer_columns_and_faults():
    problem = make_conv_problem(6, 1, 3, 300, 16, 0.02, random_state=2)
    lmbd = 0.1 * conv_lambda_max(problem.X, 16)
    scorer = ConvolutionalScorer(problem.X, problem.X_test, lmbd,
                                 problem.D_true.shape, D_true=problem.D_true)
    scores = scorer(problem.D_true)
    assert scores["recovery"] == pytest.approx(1.0)
    assert scores["recovered_fraction"] == 1.0
    Z = sparse_encode_conv(problem.X, problem.D_true, lmbd, max_iter=5000,
                           tol=1e-10)
    assert scores["loss_train"] == pytest.approx(
        conv_lasso_loss(problem.X, Z, problem.D_true, lmbd), rel=1e-6)
    broken = problem.D_true.copy()
    broken[1] = np.nan
    scores = scorer(broken)
    assert scores["n_invalid_atoms"] == 1
    assert scores["recovery"] == pytest.approx(2 / 3)
    assert np.isfinite(scores["loss_train"])
    with pytest.raises(ValueError, match="must have shape"):
        scorer(problem.D_true[:, :, :15])


def test_initial_atoms_and_model_check():
    problem = make_conv_problem(4, 2, 3, 200, 16, 0.02, random_state=3)
    for method in ("random", "data", "close"):
        D = init_conv_atoms(problem.X, 3, 16, method, D_true=problem.D_true,
                            distance=0.3, random_state=0)
        assert D.shape == (3, 2, 16)
        np.testing.assert_allclose(np.linalg.norm(D.reshape(3, -1), axis=1),
                                   1)
    D = init_conv_atoms(problem.X, 3, 16, "close", D_true=problem.D_true,
                        distance=0.3, random_state=0)
    np.testing.assert_allclose(
        np.linalg.norm((D - problem.D_true).reshape(3, -1), axis=1), 0.3)
    assert model_mismatch_reason(D, "convolutional") is None
    assert "convolutional" in model_mismatch_reason(D, "linear")
    assert "linear" in model_mismatch_reason(D[:, 0], "convolutional")
