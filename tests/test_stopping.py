"""The stopping rule: it never ends a run that is still progressing."""
import numpy as np
import pytest

from benchmark_utils.runtime.stopping import (
    DEFAULTS,
    ENV_VAR,
    WindowProgressCriterion,
    early_stopping_enabled,
    window_progress_decision,
)


def benchopt_stop_vals(n_points):
    """The iterations benchopt evaluates: 0, 1, 2, 3, 4, 6, 9, 13, ..."""
    stop_vals = [0]
    while len(stop_vals) < n_points:
        k = stop_vals[-1]
        stop_vals.append(max(k + 1, int(1.5 * k)))
    return stop_vals


def make_curve(recovery, loss, dt=0.01):
    """benchopt-like records for per-iteration recovery and loss functions."""
    return [
        dict(stop_val=k, time=dt * k, objective_recovery=recovery(k),
             objective_loss_train=loss(k))
        for k in benchopt_stop_vals(40)
    ]


# The noise test's cap when it is turned on (the contract's tolerance).
CAP = 2e-3


def first_stop(curve, **rule):
    for i in range(1, len(curve)):
        stop, reason, _ = window_progress_decision(curve[: i + 1], **rule)
        if stop:
            return curve[i]["stop_val"], reason
    return None, "never"


def test_dip_in_recovery_with_falling_loss_is_not_a_stop():
    # SPORCO from init=data: recovery first dips below its start while the
    # loss falls; benchopt's patience rule ended such a run at iteration 3.
    def recovery(k):
        return 0.72 - 0.06 * min(k, 20) / 20 + (0.34 if k >= 300 else 0.0)

    curve = make_curve(recovery, lambda k: 1.0 + 1.0 / (1 + k))
    stop_at, _ = first_stop(curve)
    assert stop_at is None or stop_at > 300
    best = max(p["objective_recovery"] for p in curve
               if stop_at is None or p["stop_val"] <= stop_at)
    assert best == pytest.approx(1.0)


def test_flat_curve_stops_after_one_window():
    curve = make_curve(lambda k: 0.8, lambda k: 2.0)
    stop_at, reason = first_stop(curve)
    # Never before iteration `min_iter`; then the window (k/10, k] is flat.
    first = max(DEFAULTS["min_iter"], DEFAULTS["window"])
    assert stop_at == min(k for k in benchopt_stop_vals(40) if k >= first)
    assert "no progress" in reason


def test_a_transient_after_the_first_iterations_is_not_cut():
    # Arora et al.'s plain rule from `random` on the default problem: flat
    # at its start until iteration 13, a peak at 28, then a collapse.
    def recovery(k):
        return 0.48 if k <= 13 else (0.52 if k <= 40 else 0.06)

    curve = make_curve(recovery, lambda k: 1.0)
    stop_at, _ = first_stop(curve)
    assert stop_at >= 28
    assert max(p["objective_recovery"] for p in curve
               if p["stop_val"] <= stop_at) == 0.52


def peaked(k, peak=94):
    """Rises to its best at ``peak``, then worsens slowly (the autoencoder
    on the default problem)."""
    return min(k, peak) / peak - 1e-3 * np.log1p(max(k - peak, 0))


def test_a_run_that_moved_away_from_its_best_stops_before_a_full_window():
    # Recovery and loss both worse over the last two thirds of the run:
    # stopped at the first evaluation k with k / 3 past the peak, not at
    # the tenfold window's k / 10.
    curve = make_curve(lambda k: 0.5 + 0.49 * peaked(k),
                       lambda k: 1.0 - 0.5 * peaked(k))
    stop_at, reason = first_stop(curve)
    assert stop_at == min(k for k in benchopt_stop_vals(40) if k / 3 >= 94)
    assert "moved away from its best" in reason
    assert first_stop(curve, retreat=None)[0] == min(
        k for k in benchopt_stop_vals(40) if k / 10 >= 94)


def test_a_worse_recovery_with_a_falling_loss_is_not_a_retreat():
    # A descent method whose recovery drops while its loss still falls (a
    # saddle, an atom swap) is moving: only the tenfold window ends it, and
    # a rise of its recovery later in that window is reached.
    def recovery(k):
        return 0.9 - 0.05 * peaked(k, 20) if k < 150 else 0.99

    curve = make_curve(recovery, lambda k: 1.0 + 1.0 / (1 + k))
    stop_at, _ = first_stop(curve)
    assert stop_at is None or stop_at > 150


def test_full_recovery_stops_at_once():
    curve = make_curve(lambda k: 1.0 if k >= 2 else 0.5, lambda k: 1.0)
    assert first_stop(curve) == (2, "recovered")


def test_late_improvement_within_the_window_keeps_the_run_going():
    # Recovery rises until iteration 9, stalls until 80, then rises again:
    # the run must reach the second rise, since 80 < 10 * 9.
    def recovery(k):
        return 0.5 + 0.04 * min(k, 9) if k < 80 else 0.99

    curve = make_curve(recovery, lambda k: 1.0)
    stop_at, _ = first_stop(curve)
    assert stop_at > 80


def test_improvement_after_a_full_window_is_lost():
    # The rule's known limit: a rise after more than `window` times the
    # iterations of the last progress is not waited for.
    def recovery(k):
        return 0.9 if k < 2000 else 0.99

    curve = make_curve(recovery, lambda k: 1.0)
    stop_at, _ = first_stop(curve)
    assert stop_at < 2000


def test_slowly_falling_loss_keeps_the_run_going():
    # 1% per decade of iterations: more than eps_loss over every window.
    curve = make_curve(lambda k: 0.9, lambda k: 1.0 - 0.01 * np.log10(1 + k))
    assert first_stop(curve)[0] is None


def without_ground_truth(curve, heldout):
    """``curve`` as a dataset without D_true records it: no recovery, and
    the held-out loss ``heldout(k)``."""
    return [dict(p, objective_recovery=float("nan"),
                 objective_loss_test=heldout(p["stop_val"])) for p in curve]


def test_without_ground_truth_the_heldout_loss_decides():
    # The training loss keeps falling by 1% per decade (it would keep a run
    # with a ground truth going, see above); the held-out loss stopped at
    # iteration 20: the training sample is being fitted, nothing is learnt.
    def heldout(k):
        return 1.0 + 1.0 / (1 + min(k, 20))

    curve = without_ground_truth(
        make_curve(lambda k: 0.0, lambda k: 1.0 - 0.01 * np.log10(1 + k)),
        heldout)
    stop_at, reason = first_stop(curve)
    # The held-out loss last fell at the first evaluated iteration past 20
    # (28); the run stops at the first evaluation whose window (k / 10, k]
    # starts after it.
    last_fall = min(k for k in benchopt_stop_vals(40) if k >= 20)
    assert stop_at == min(k for k in benchopt_stop_vals(40)
                          if k / 10 >= last_fall)
    assert "objective_loss_test" not in reason and "loss_test flat" in reason


def test_without_ground_truth_a_falling_heldout_loss_keeps_the_run():
    # Learning without a ground truth: the held-out loss falls by 1% per
    # decade of iterations while the training loss is flat.
    curve = without_ground_truth(
        make_curve(lambda k: 0.0, lambda k: 1.0),
        lambda k: 1.0 - 0.01 * np.log10(1 + k))
    assert first_stop(curve)[0] is None
    # Without a held-out loss the training loss decides, as before.
    no_heldout = [dict(p, objective_loss_test=float("nan")) for p in curve]
    assert first_stop(no_heldout)[0] is not None
    falling = [dict(p, objective_loss_train=p["objective_loss_test"],
                    objective_loss_test=float("nan")) for p in curve]
    assert first_stop(falling)[0] is None


def test_min_time_delays_the_decision():
    curve = make_curve(lambda k: 0.8, lambda k: 2.0, dt=0.001)
    stop_at, _ = first_stop(curve, min_time=1.0)
    assert stop_at >= 1000


def test_criterion_turned_off_by_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "off")
    assert not early_stopping_enabled()
    criterion = WindowProgressCriterion()
    curve = make_curve(lambda k: 0.8, lambda k: 2.0)
    assert criterion.check_convergence(curve) == (False, 0.0)
    monkeypatch.setenv(ENV_VAR, "sometimes")
    with pytest.raises(ValueError, match=ENV_VAR):
        early_stopping_enabled()


def test_criterion_rejects_bad_parameters():
    with pytest.raises(TypeError, match="patience"):
        WindowProgressCriterion(patience=3)
    with pytest.raises(ValueError, match="window"):
        WindowProgressCriterion(window=1.0)
    with pytest.raises(ValueError, match="retreat"):
        WindowProgressCriterion(retreat=0.5)


def test_a_run_at_its_criterion_ceiling_stops_at_once():
    # Still rising by 1e-3 per point, but within 1e-4 of what its criterion
    # allows on this problem: nothing left to gain.
    curve = make_curve(lambda k: min(0.999, 0.9 + 1e-3 * k),
                       lambda k: 1.0 / (1 + k))
    ceiling = 0.9985
    stop, reason = first_stop(curve, ceiling=ceiling)
    reached = next(p["stop_val"] for p in curve
                   if p["objective_recovery"] >= ceiling - 1e-4)
    assert stop == reached and "ceiling" in reason
    # Without the ceiling the falling loss keeps it going past that point.
    assert first_stop(curve)[0] is None or first_stop(curve)[0] > reached


def test_a_ceiling_above_the_curve_changes_nothing():
    curve = make_curve(lambda k: 0.9 - 0.1 / (1 + k), lambda k: 1.0)
    assert first_stop(curve, ceiling=0.99) == first_stop(curve)


def test_noise_alone_is_not_progress():
    # A flat curve with noise of +-2e-3 sets a new best now and then; the
    # plain window reads that as progress, the rule does not.
    rng = np.random.default_rng(0)
    noise = {k: rng.uniform(-2e-3, 2e-3) for k in benchopt_stop_vals(40)}
    curve = make_curve(lambda k: 0.95 + noise[k], lambda k: 1.0 - noise[k])
    noisy_stop, _ = first_stop(curve)
    plain_stop, _ = first_stop(curve, noise_aware=False)
    assert noisy_stop is not None
    assert plain_stop is None or plain_stop > noisy_stop


def test_progress_larger_than_the_noise_keeps_the_run_going():
    # The same noise on a curve that rises by far more than it over every
    # window: the run is never stopped.
    rng = np.random.default_rng(0)
    noise = {k: rng.uniform(-2e-3, 2e-3) for k in benchopt_stop_vals(40)}
    curve = make_curve(lambda k: 0.5 + 0.02 * np.log1p(k) + noise[k],
                       lambda k: 1.0)
    assert first_stop(curve)[0] is None


def test_a_noisy_run_within_its_own_noise_of_the_ceiling_stops():
    # A constant-step solver: up to the ceiling's neighbourhood by iteration
    # 28, then fluctuating 1e-3 below it by +-1e-3, its loss as noisy. The
    # window's test would wait for ten times iteration 28; nothing separates
    # it from its ceiling but its own noise.
    rng = np.random.default_rng(1)
    noise = {k: rng.uniform(-1e-3, 1e-3) for k in benchopt_stop_vals(40)}
    ceiling = 0.999

    def recovery(k):
        return 0.9 + 0.098 * min(k, 28) / 28 + noise[k]

    curve = make_curve(recovery, lambda k: 1.0 - 0.1 * min(k, 28) / 28
                       - noise[k])
    stop, reason = first_stop(curve, ceiling=ceiling, ceiling_noise_cap=CAP)
    assert "own noise" in reason
    assert 20 <= stop < 280
    best = max(p["objective_recovery"] for p in curve
               if p["stop_val"] <= stop)
    assert ceiling - best <= CAP
    # Turned off (cap 0, the default), the same curve runs to the end of
    # its window.
    assert DEFAULTS["ceiling_noise_cap"] == 0.0
    later, later_reason = first_stop(curve, ceiling=ceiling)
    assert later is None or later > stop
    assert "own noise" not in later_reason


def test_a_smooth_run_below_its_ceiling_is_not_stopped_by_the_noise_test():
    # Rising without a fall, 5e-4 below the ceiling, loss still falling:
    # its noise is 0, and it goes on.
    curve = make_curve(lambda k: 0.9985 - 0.1 / (1 + k),
                       lambda k: 1.0 / (1 + k))
    stop, reason = first_stop(curve, ceiling=0.999, ceiling_noise_cap=CAP)
    assert stop is None or "own noise" not in reason


def test_noise_larger_than_the_cap_or_than_the_gap_is_not_a_stop():
    # +-4e-3 of noise (falls up to 8e-3) 8e-3 below the ceiling: within its
    # noise of it, but not within the 2e-3 cap, which is what makes it go
    # on (without the cap it stops). +-2e-4 of noise 1e-2 below: not within
    # its noise.
    rng = np.random.default_rng(2)
    steps = benchopt_stop_vals(40)
    noise = {k: rng.uniform(-4e-3, 4e-3) for k in steps}
    # (Its loss keeps falling: only the noise test can end it.)
    curve = make_curve(lambda k: 0.982 + noise[k], lambda k: 1.0 / (1 + k))
    assert "own noise" not in first_stop(curve, ceiling=0.99,
                                         ceiling_noise_cap=CAP)[1]
    assert "own noise" in first_stop(curve, ceiling=0.99,
                                     ceiling_noise_cap=1.0)[1]
    noise = {k: rng.uniform(-2e-4, 2e-4) for k in steps}
    curve = make_curve(lambda k: 0.98 + noise[k], lambda k: 1.0 - noise[k])
    assert "own noise" not in first_stop(curve, ceiling=0.99,
                                         ceiling_noise_cap=CAP)[1]
