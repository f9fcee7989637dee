"""The recovery theorems' conditions: known answers, invariances, the
columns a simulated problem and the objective report, and their lines on the
maps."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from benchmark_utils.metrics import cumulative_coherence, mutual_coherence
from benchmark_utils.metrics.theory import (
    CONDITION_KEYS,
    CONDITIONS,
    algorithm_conditions,
    altmin_init_radius,
    initialization_conditions,
    lasso_conditions,
    penalty_conditions,
    sparse_coding_conditions,
)
from benchmark_utils.results.maps import conditions_legend, draw_conditions
from benchmark_utils.simulation import make_problem


def orthonormal(n, seed=0):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return Q


def test_orthonormal_basis_satisfies_sparse_coding_conditions_at_every_s():
    Q = orthonormal(8)
    for s in (1, 4, 8):
        c = sparse_coding_conditions(Q, s)
        assert c["coherence_s_max"] > 1e12  # mu = 0 up to rounding
        assert c["babel_sum"] < 1e-12
        assert c["theory_coherence"] == c["theory_babel"] == 1.0


def test_equiangular_frame_known_answer():
    # Three unit vectors of the plane at 120 degrees: mu = 1/2, so
    # s < (1 + 2) / 2 = 1.5; mu_1(0) + mu_1(1) = 1/2, mu_1(1) + mu_1(2) = 3/2.
    angles = np.array([0.0, 2 * np.pi / 3, 4 * np.pi / 3])
    D = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    one, two = sparse_coding_conditions(D, 1), sparse_coding_conditions(D, 2)
    assert one["coherence_s_max"] == pytest.approx(1.5)
    assert one["babel_sum"] == pytest.approx(0.5)
    assert one["theory_coherence"] == one["theory_babel"] == 1.0
    assert two["babel_sum"] == pytest.approx(1.5)
    assert two["theory_coherence"] == two["theory_babel"] == 0.0


def test_babel_condition_holds_where_it_beats_the_coherence_condition():
    # One atom correlated with four orthogonal ones (mu = 1/2): the coherence
    # condition stops at s = 1, the Babel function sees that each of the
    # orthogonal atoms resembles one atom only.
    D = np.vstack([np.eye(4), np.full(4, 0.5)])
    c = sparse_coding_conditions(D, 2)
    assert mutual_coherence(D) == pytest.approx(0.5)
    assert c["theory_coherence"] == 0.0  # 2 >= (1 + 2) / 2
    assert c["babel_sum"] == pytest.approx(0.5 + 1.0)
    assert c["theory_babel"] == 0.0
    # The babel sum is what the function computes, for every s.
    for s in (1, 2, 3):
        expected = cumulative_coherence(D, s - 1) + cumulative_coherence(D, s)
        assert sparse_coding_conditions(D, s)["babel_sum"] == pytest.approx(
            expected)


@settings(deadline=None, max_examples=30)
@given(n_features=st.integers(2, 12), extra=st.integers(0, 20),
       s=st.integers(1, 5), seed=st.integers(0, 2 ** 16))
def test_coherence_condition_implies_babel_condition(n_features, extra, s,
                                                     seed):
    # mu_1(s - 1) + mu_1(s) <= (2 s - 1) mu, and s < (1 + 1/mu) / 2 is
    # (2 s - 1) mu < 1: the Babel condition is never the stricter one.
    n_atoms = max(s + 1, n_features + extra)
    D = np.random.default_rng(seed).standard_normal((n_atoms, n_features))
    c = sparse_coding_conditions(D, s)
    assert c["theory_coherence"] <= c["theory_babel"]


def test_conditions_ignore_atom_order_sign_and_scale():
    rng = np.random.default_rng(1)
    D = rng.standard_normal((24, 12))
    E = D[rng.permutation(24)] * rng.choice([-2.0, 0.3], (24, 1))
    for f in (lambda M: sparse_coding_conditions(M, 3),
              lambda M: lasso_conditions(M, 3, 1000, 1.0),
              lambda M: algorithm_conditions(M, 3, 1000, 1.0)):
        a, b = f(D), f(E)
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-10)


def test_lasso_conditions_known_answer():
    # Orthonormal basis of 80 atoms: ||D||_2 = 1, so s <= 80 / (16 * 4) =
    # 1.25; mu_1(s) = 0; N of order n K^3 = 80^4.
    Q = orthonormal(80)
    c = lasso_conditions(Q, 1, 1000, amplitude_min=1.0)
    assert c["lasso_s_max"] == pytest.approx(1.25)
    assert c["lasso_babel"] < 1e-12
    assert c["lasso_lmbd_max"] == 0.25
    assert c["lasso_n_samples"] == 80.0 ** 4
    assert c["theory_lasso_samples"] == 0.0
    props = dict(c, rip_s=1.0)
    assert penalty_conditions(props, 0.2)["theory_lasso_local_min"] == 1.0
    # lmbd above a quarter of the smallest amplitude, or s = 2: not covered.
    assert penalty_conditions(props, 0.3)["theory_lasso_local_min"] == 0.0
    props2 = dict(lasso_conditions(Q, 2, 1000, 1.0), rip_s=2.0)
    assert penalty_conditions(props2, 0.2)["theory_lasso_local_min"] == 0.0
    # Gaussian amplitudes are not bounded away from 0: no lmbd qualifies.
    gauss = dict(lasso_conditions(Q, 1, 1000, 0.0), rip_s=1.0)
    assert penalty_conditions(gauss, 1e-12)["theory_lasso_local_min"] == 0.0
    # A problem without these properties (patches) gets nothing.
    assert penalty_conditions({"coherence": 0.1}, 0.1) == {}


def test_algorithm_conditions_known_answer():
    # mu = 1/2 in dimension n = 4 (log n = 1.386): 1 / (mu log n) = 1.443;
    # K = 5, K^(2/5) = 1.904; so s <= 1.443 (scaling, constant 1).
    D = np.vstack([np.eye(4), np.full(4, 0.5)])
    c = algorithm_conditions(D, 1, 10 ** 6, amplitude_min=1.0)
    assert c["agm_s_max"] == pytest.approx(min(5 ** 0.4, 1 / (0.5 * np.log(4))))
    assert c["theory_agm_sparsity"] == 1.0
    assert algorithm_conditions(D, 2, 10 ** 6, 1.0)["theory_agm_sparsity"] == 0.0
    # Gaussian amplitudes are outside their model.
    assert algorithm_conditions(D, 1, 10 ** 6, 0.0)["theory_agm_sparsity"] == 0.0
    eps = np.sqrt(2 * (1 - 0.99))
    expected = (25 * np.log(5) + 5 * np.log(5) + 5 * np.log(5) * np.log(1 / eps))
    assert c["agm_n_samples"] == pytest.approx(expected)
    assert c["theory_agm_samples"] == 1.0
    assert algorithm_conditions(D, 1, 10, 1.0)["theory_agm_samples"] == 0.0
    assert c["agmm_s_max"] == pytest.approx(1 / (0.5 * np.log(4) ** 3))


def test_initialization_conditions():
    rng = np.random.default_rng(2)
    D = rng.standard_normal((20, 10))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    # The truth itself, permuted and with flipped signs, is in every basin.
    exact = initialization_conditions(-D[rng.permutation(20)], D, 3)
    assert exact["init_distance"] < 1e-6
    assert exact["theory_agmm_close"] == exact["theory_altmin_close"] == 1.0
    # Each atom moved by 0.2: within 2 / log 10 = 0.87, not within
    # 1 / (2592 * 9).
    step = rng.standard_normal((20, 10))
    step -= np.sum(step * D, axis=1, keepdims=True) * D
    step /= np.linalg.norm(step, axis=1, keepdims=True)
    theta = 2 * np.arcsin(0.1)  # chord 0.2 on the unit sphere
    D0 = np.cos(theta) * D + np.sin(theta) * step
    c = initialization_conditions(D0, D, 3)
    assert c["init_distance"] == pytest.approx(0.2, abs=1e-6)
    assert c["theory_agmm_close"] == 1.0
    assert c["theory_altmin_close"] == 0.0
    assert initialization_conditions(D0, D, 1)["theory_altmin_close"] == 0.0


def rotated(D, step, chord):
    """``D`` with each atom turned towards the orthogonal unit ``step`` until
    it is at distance ``chord`` of where it was."""
    theta = 2 * np.arcsin(chord / 2)
    return np.cos(theta) * D + np.sin(theta) * step


def test_altmin_radius_is_agarwal_et_al_c1():
    # Their (C1): every initial atom strictly within 1 / (2592 s^2); for
    # s = 2 that is 1 / 10368.
    assert altmin_init_radius(2) == 1 / 10368
    assert altmin_init_radius(1) == 1 / 2592
    for s in (0, 1.5):
        with pytest.raises(ValueError, match="s must"):
            altmin_init_radius(s)
    Q = orthonormal(20, seed=4)
    D, step = Q[:10], Q[10:]
    for factor, inside in [(0.99, 1.0), (1.01, 0.0)]:
        c = initialization_conditions(rotated(D, step, factor / 10368), D, 2)
        assert c["init_distance"] == pytest.approx(factor / 10368, rel=1e-6)
        assert c["theory_altmin_close"] == inside
    # A proven boundary, drawn solid on the maps.
    (altmin,) = [c for c in CONDITIONS if c.key == "theory_altmin_close"]
    assert altmin.proven and "2592" in altmin.label


def test_bad_support_sizes_are_refused():
    D = np.random.default_rng(3).standard_normal((6, 4))
    for s in (0, 7, 2.5):
        with pytest.raises(ValueError, match="s must"):
            sparse_coding_conditions(D, s)


def test_simulated_problem_reports_every_dataset_condition():
    p = make_problem(500, 20, 30, 2, kind="coherence", coherence=0.2,
                     distribution="uniform", n_test=50, random_state=0)
    props = p.properties
    dataset_keys = set(CONDITION_KEYS) - {
        "theory_lasso_local_min", "theory_agmm_close", "theory_altmin_close"}
    assert dataset_keys <= set(props)
    assert props["amplitude_min"] == 1.0
    # mu = 0.2: s = 2 < (1 + 5) / 2.
    assert props["theory_coherence"] == 1.0
    assert props["coherence_s_max"] == pytest.approx(3.0)
    hopeless = make_problem(500, 20, 30, 6, kind="coherence", coherence=0.9,
                            n_test=50, random_state=0).properties
    assert hopeless["theory_coherence"] == hopeless["theory_babel"] == 0.0
    assert hopeless["amplitude_min"] == 0.0
    assert hopeless["theory_agm_sparsity"] == 0.0


def test_objective_adds_the_conditions_on_lmbd_and_the_init(load_problem):
    objective, data = load_problem(
        objective_params=dict(init="close", close_distance=0.1),
        dataset_params=dict(n_samples=400, n_test=100))
    result = objective.evaluate_result(D=data["D_true"])
    assert result["data_init_distance"] == pytest.approx(0.1, abs=1e-9)
    assert result["data_theory_agmm_close"] == 1.0
    # 3 nonzeros: 0.1 is far outside the radius 1 / (2592 * 9).
    assert result["data_theory_altmin_close"] == 0.0
    # Gaussian amplitudes by default: the Lasso theorem does not apply.
    assert result["data_theory_lasso_local_min"] == 0.0


def test_agmm_radius_is_twice_delta():
    # Orthonormal atoms (no ambiguity in the matching), n = 20: delta =
    # 1 / log 20 = 0.33, the (2 delta, 2)-near radius 0.67. Moved by 0.5
    # every atom is within it; moved by 0.8, none is.
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.standard_normal((20, 20)))
    D, step = Q[:10], Q[10:]
    for chord, close in [(0.5, 1.0), (0.8, 0.0)]:
        c = initialization_conditions(rotated(D, step, chord), D, 2)
        assert c["init_distance"] == pytest.approx(chord, abs=1e-9)
        assert c["theory_agmm_close"] == close


def test_maps_draw_the_altmin_radius_as_a_proven_boundary():
    # Two init distances around the radius of s = 2 (1 / 10368), two support
    # sizes: the condition holds in one cell (s = 2, just inside), and its
    # boundary is a solid line with the theorem's constant in the legend.
    Q = orthonormal(20, seed=5)
    D, step = Q[:10], Q[10:]
    rows = []
    for s in (2, 3):
        for factor in (0.5, 2.0):
            init = rotated(D, step, factor * altmin_init_radius(2))
            holds = initialization_conditions(init, D, s)["theory_altmin_close"]
            rows.append({"distance": factor, "s": s,
                         "objective_data_theory_altmin_close": holds})
    runs = pd.DataFrame(rows)
    assert runs["objective_data_theory_altmin_close"].tolist() == [1, 0, 0, 0]
    rate = runs.pivot(index="s", columns="distance",
                      values="objective_data_theory_altmin_close")
    ax, key = Figure().subplots(1, 2)
    drawn = draw_conditions(ax, runs, "distance", "s", rate)
    assert [(c.key, n_hold, n_cells) for c, _, n_hold, n_cells in drawn] == [
        ("theory_altmin_close", 1, 4)]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 2
    assert all(dashes is None for _, dashes in lines.get_linestyle())
    conditions_legend(key, drawn)
    (label,) = [t.get_text() for t in key.get_legend().get_texts()]
    assert "1/(2592 s^2)" in label and "(C1)" in label
    assert label.endswith("(proven)")
