"""Basic contract of the simulator: shapes, norms, sparsity, SNR, seeds, errors."""
import numpy as np
import pytest

from benchmark_utils.simulation import (
    make_codes,
    make_dictionary,
    make_problem,
)


def test_dictionary_shape_and_unit_norm_rows():
    D = make_dictionary(20, 30, random_state=0)
    assert D.shape == (30, 20)
    np.testing.assert_allclose(np.linalg.norm(D, axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("sparsity", [1, 3, 29, 30])
def test_exact_sparsity_is_exact(sparsity):
    Z = make_codes(500, 30, sparsity, random_state=0)
    assert Z.shape == (500, 30)
    np.testing.assert_array_equal(np.count_nonzero(Z, axis=1), sparsity)


def test_supports_are_uniform():
    # Every atom is used with probability s / K.
    Z = make_codes(20000, 10, 3, random_state=1)
    freq = np.count_nonzero(Z, axis=0) / 20000
    np.testing.assert_allclose(freq, 0.3, atol=0.015)
    # Pairs too: each of the 45 pairs appears with probability 3*2 / (10*9).
    support = (Z != 0).astype(float)
    pairs = support.T @ support / 20000
    off = pairs[~np.eye(10, dtype=bool)]
    np.testing.assert_allclose(off, 6 / 90, atol=0.01)


def test_bernoulli_rate():
    Z = make_codes(4000, 50, 0.1, random_state=0)
    assert np.mean(Z != 0) == pytest.approx(0.1, abs=0.005)


@pytest.mark.parametrize("distribution", ["gaussian", "rademacher", "uniform"])
def test_amplitude_laws(distribution):
    Z = make_codes(3000, 20, 2, distribution=distribution,
                   amplitude_range=(1.0, 2.0), random_state=0)
    values = Z[Z != 0]
    if distribution == "rademacher":
        np.testing.assert_array_equal(np.abs(values), 1.0)
    elif distribution == "uniform":
        assert values.min() < 0 < values.max()
        assert np.abs(values).min() >= 1.0 and np.abs(values).max() <= 2.0
    else:
        assert np.std(values) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("snr", [0.0, 10.0, 30.0])
def test_realized_snr(snr):
    p = make_problem(5000, 20, 30, 3, snr=snr, random_state=0)
    assert p.properties["snr"] == pytest.approx(snr, abs=0.1)
    clean = p.Z_true @ p.D_true
    noise = p.X - clean
    test_noise = p.X_test - p.Z_test @ p.D_true
    # Held-out noise has the same level as the training noise.
    assert np.std(test_noise) == pytest.approx(np.std(noise), rel=0.05)


def test_noiseless_problem():
    p = make_problem(100, 10, 15, 2, snr=np.inf, random_state=0)
    np.testing.assert_allclose(p.X, p.Z_true @ p.D_true, atol=1e-12)
    assert p.properties["snr"] == np.inf


def test_problem_shapes_and_properties():
    p = make_problem(300, 12, 18, 2, n_test=50, random_state=0)
    assert p.X.shape == (300, 12) and p.X_test.shape == (50, 12)
    assert p.D_true.shape == (18, 12)
    assert p.Z_true.shape == (300, 18) and p.Z_test.shape == (50, 18)
    assert p.properties["sparsity"] == 2.0
    assert p.properties["welch_bound"] <= p.properties["coherence"] <= 1.0
    assert 0.0 < p.properties["chance_floor"] < 1.0


def test_same_seed_same_bits_different_seed_different_data():
    a = make_problem(200, 10, 15, 3, random_state=7)
    b = make_problem(200, 10, 15, 3, random_state=7)
    c = make_problem(200, 10, 15, 3, random_state=8)
    for name in ("X", "X_test", "D_true", "Z_true", "Z_test"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
    assert not np.array_equal(a.X, c.X)
    assert not np.array_equal(a.D_true, c.D_true)
    # A Generator is accepted and advanced.
    rng = np.random.default_rng(0)
    assert not np.array_equal(make_dictionary(5, 5, random_state=rng),
                              make_dictionary(5, 5, random_state=rng))


def test_test_set_size_does_not_change_training_set():
    a = make_problem(200, 10, 15, 3, n_test=10, random_state=3)
    b = make_problem(200, 10, 15, 3, n_test=99, random_state=3)
    np.testing.assert_array_equal(a.X, b.X)


@pytest.mark.parametrize("kwargs, match", [
    (dict(sparsity=-1), "sparsity"),
    (dict(sparsity=0), "sparsity"),
    (dict(sparsity=31), r"sparsity.*n_atoms=30"),
    (dict(sparsity=1.5), "sparsity"),
    (dict(snr=np.nan), "snr"),
    (dict(snr="high"), "snr"),
    (dict(n_samples=0), "n_samples"),
    (dict(n_test=-5), "n_test"),
    (dict(distribution="cauchy"), "distribution"),
    (dict(kind="fourier"), "kind"),
    (dict(random_state="seed"), "random_state"),
])
def test_invalid_arguments_raise_value_error(kwargs, match):
    params = dict(n_samples=50, n_features=20, n_atoms=30, sparsity=3)
    params.update(kwargs)
    with pytest.raises(ValueError, match=match):
        make_problem(**params)


def test_random_supports_are_prefix_stable_and_valid():
    from benchmark_utils.supports import random_supports

    few = random_supports(100, 12, 4, random_state=3)
    many = random_supports(1000, 12, 4, random_state=3)
    np.testing.assert_array_equal(many[:100], few)
    assert many.min() >= 0 and many.max() < 12
    # Four distinct atoms per support.
    assert all(len(set(row)) == 4 for row in many)
    with pytest.raises(ValueError, match="k must be"):
        random_supports(5, 3, 4)
