"""The stopping rule of the benchmark: never end a run that still progresses,
never keep one that has nothing left to gain.

``docs/stopping.md`` defines the rule, its parameters
and the contract ``bench/bench_stopping.py`` checks it against. Here:

- :func:`window_progress_decision`, the rule as a pure function of the curve
  recorded so far, so that the benchmark, ``bench/bench_stopping.py`` and the
  study summaries (``results.studies``) apply the same rule, the last two
  replaying it on recorded curves;
- :class:`WindowProgressCriterion`, the rule as benchopt's stopping
  criterion (one fresh copy per solver), which also knows the run's budget
  (``--timeout``, ``--max-runs``);
- :func:`budget_spent`, which tells the objective when the budget, not the
  rule nor the solver, ended a run (the ``budget_spent`` column).

The columns it reads are those of :mod:`benchmark_utils.schema`.
"""
import math
import os
import sys
import time

from benchopt.stopping_criterion import StoppingCriterion

from benchmark_utils.runtime.benchopt_run import current_run
from benchmark_utils.schema import LOSS_TEST, LOSS_TRAIN, RECOVERY, ceiling_key

# Environment variable that turns early stopping off: runs then end at
# benchopt's --timeout or --max-runs only (``bench/bench_stopping.py`` uses it
# to record the curves the rule is checked against).
ENV_VAR = "DICTREC_STOPPING"

DEFAULTS = dict(window=10.0, min_iter=20, retreat=3.0, min_time=0.0,
                eps_recovery=1e-4, eps_loss=1e-3, recovered_tol=1e-6,
                ceiling_tol=1e-4, ceiling_noise_cap=0.0)


def _finite(value):
    return value is not None and not (isinstance(value, float)
                                      and math.isnan(value))


def _largest_drop(values):
    """Largest fall between two successive values (0 for a rising curve)."""
    return max([0.0] + [a - b for a, b in zip(values, values[1:])])


def window_progress_decision(curve, window=DEFAULTS["window"],
                             min_iter=DEFAULTS["min_iter"],
                             retreat=DEFAULTS["retreat"],
                             min_time=DEFAULTS["min_time"],
                             eps_recovery=DEFAULTS["eps_recovery"],
                             eps_loss=DEFAULTS["eps_loss"],
                             recovered_tol=DEFAULTS["recovered_tol"],
                             ceiling=None,
                             ceiling_tol=DEFAULTS["ceiling_tol"],
                             ceiling_noise_cap=DEFAULTS["ceiling_noise_cap"],
                             noise_aware=True):
    """Decide whether a run should stop after the last point of ``curve``.

    Parameters
    ----------
    curve : list of dict
        benchopt's records so far, each with ``stop_val`` (iteration), ``time``
        (solver seconds), ``objective_loss_train`` and, when the dataset has
        a ground truth, ``objective_recovery``.
    window : float > 1
        Ratio of iterations over which progress is measured.
    min_iter : int
        No stop but a full recovery or the ceiling before this iteration.
    retreat : float > 1 or None
        Ratio of the stretch over which a run that got worse on both
        recovery and loss is stopped; None: never.
    min_time : float
        Solver seconds before any stop but a full recovery.
    eps_recovery : float
        Smallest rise of the best recovery that counts as progress.
    eps_loss : float
        Smallest relative fall of the best training loss that counts as
        progress.
    recovered_tol : float
        A recovery of at least ``1 - recovered_tol`` stops the run at once.
    ceiling : float or None
        The recovery ceiling of the run's criterion (its value on this
        problem, see :mod:`benchmark_utils.metrics.ceilings`); a recovery of
        at least ``ceiling - ceiling_tol`` stops the run at once.
    ceiling_tol : float
        Within it of its ceiling a run has nothing left to show: the default
        is ``eps_recovery``, the smallest rise the rule counts as progress.
    ceiling_noise_cap : float
        When above 0, from the first decision on, a run whose best recovery
        is within its window's noise of the ceiling stops, if that noise is
        at most this cap (0.002, the tolerance of the rule's contract, keeps
        it). 0, the default, turns the test off (docs/stopping.md).
    noise_aware : bool
        Count a gain as progress only beyond the window's own noise (True,
        the rule); False replays the plain window of earlier versions
        (``bench/bench_stopping.py`` compares both).

    Returns
    -------
    stop : bool
    reason : str
        Why the run stops or goes on.
    progress : float in [0, 1]
        For benchopt's progress display: the share of the first window
        elapsed, 0 while progressing, 1 when stopping.
    """
    last = curve[-1]
    has_recovery = _finite(last.get(RECOVERY))
    if has_recovery and last[RECOVERY] >= 1.0 - recovered_tol:
        return True, "recovered", 1.0
    if (has_recovery and _finite(ceiling)
            and last[RECOVERY] >= ceiling - ceiling_tol):
        return True, f"at its criterion's ceiling ({ceiling:.6f})", 1.0

    k = last["stop_val"]
    first = max(min_iter, window)
    if k < first:
        return False, f"before iteration {first:g}", k / first
    if min_time > 0 and last["time"] < min_time:
        return False, f"before {min_time:g} s", last["time"] / min_time

    # With a ground truth, the training loss (what every solver lowers)
    # sees motion the recovery does not; without one, the held-out loss is
    # the measure of learning (docs/stopping.md).
    loss_key = LOSS_TRAIN
    if not has_recovery and all(_finite(p.get(LOSS_TEST)) for p in curve):
        loss_key = LOSS_TEST
    if retreat is not None and _moved_away(curve, k, retreat, has_recovery,
                                           loss_key):
        return True, (f"moved away from its best: worse on every measure "
                      f"over iterations {k / retreat:g} to {k}"), 1.0

    split = k / window
    before = [p for p in curve if p["stop_val"] <= split]
    inside = [p for p in curve if p["stop_val"] > split]
    # The window's own noise: how far the curve falls back between two of
    # its points (from the last point before it on). A new best that the
    # curve undoes as often as it sets one is noise, not progress; on a curve
    # that only improves the noise is 0 and the thresholds are eps alone.
    span = [before[-1]] + inside
    if has_recovery:
        best = max(p[RECOVERY] for p in curve)
        gain = best - max(p[RECOVERY] for p in before)
        noise = (_largest_drop([p[RECOVERY] for p in span])
                 if noise_aware else 0.0)
        if (_finite(ceiling) and noise_aware and ceiling_noise_cap > 0
                and ceiling - best <= min(noise, ceiling_noise_cap)):
            return True, (f"within its own noise ({noise:.1e}) of its "
                          f"criterion's ceiling ({ceiling:.6f})"), 1.0
        if gain > eps_recovery + noise:
            return False, f"recovery rose by {gain:.2e}", 0.0
    best_before = min(p[loss_key] for p in before)
    best_inside = min(p[loss_key] for p in inside)
    scale = max(abs(best_before), 1e-300)
    fall = (best_before - best_inside) / scale
    noise = (_largest_drop([-p[loss_key] / scale for p in span])
             if noise_aware else 0.0)
    if fall > eps_loss + noise:
        name = "training" if loss_key == LOSS_TRAIN else "held-out"
        return False, f"{name} loss fell by {fall:.2e} (relative)", 0.0

    flat = ("recovery and training loss" if has_recovery
            else loss_key.removeprefix("objective_"))
    return True, f"no progress over iterations {split:g} to {k}: {flat} flat", 1.0


def _moved_away(curve, k, retreat, has_recovery, loss_key):
    """Over ``(k / retreat, k]``, are the best recovery and the best loss
    both worse than before it?"""
    split = k / retreat
    before = [p for p in curve if p["stop_val"] <= split]
    inside = [p for p in curve if p["stop_val"] > split]
    if not before or not inside:
        return False
    if has_recovery and (max(p[RECOVERY] for p in inside)
                         >= max(p[RECOVERY] for p in before)):
        return False
    return min(p[loss_key] for p in inside) > min(p[loss_key] for p in before)


def run_ceiling(record, solver):
    """The recovery ceiling of ``solver``'s criterion in a result ``record``
    (None when the dataset has no ground truth)."""
    return record.get(ceiling_key(getattr(solver, "criterion", None)))


def early_stopping_enabled():
    """False when ``DICTREC_STOPPING=off``: runs end at the timeout only."""
    value = os.environ.get(ENV_VAR, "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{ENV_VAR} must be 'on' or 'off', got {value!r}.")
    return value == "on"


class WindowProgressCriterion(StoppingCriterion):
    """benchopt criterion applying :func:`window_progress_decision`.

    Solvers of any sampling strategy share it: benchopt fills the strategy of
    a criterion declared on the objective in place, with the strategy of the
    first solver that runs, so that a later solver with another strategy would
    fail an assertion; each solver gets a fresh copy here instead.
    """

    def __init__(self, strategy=None, key_to_monitor=None, minimize=False,
                 **rule):
        # benchopt passes key_to_monitor and minimize when it copies a
        # criterion; this one always monitors recovery (maximized) and the
        # training loss, so both are ignored.
        unknown = set(rule) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown rule parameters {sorted(unknown)}")
        self.rule = {**DEFAULTS, **rule}
        if not self.rule["window"] > 1:
            raise ValueError(f"window must be > 1, got {self.rule['window']}")
        if self.rule["retreat"] is not None and not self.rule["retreat"] > 1:
            raise ValueError(
                f"retreat must be > 1 or None, got {self.rule['retreat']}")
        super().__init__(strategy=strategy, key_to_monitor=RECOVERY,
                         minimize=False, **rule)

    def get_runner_instance(self, max_runs=1, timeout=None, **kwargs):
        fresh = WindowProgressCriterion(**self.kwargs)
        runner = StoppingCriterion.get_runner_instance(
            fresh, max_runs=max_runs, timeout=timeout, **kwargs)
        # The run's budget, kept here rather than read from benchopt's
        # private deadline: benchopt starts its clock at this same call.
        runner.budget_deadline = (None if timeout is None
                                  else time.time() + timeout)
        return runner

    def budget_spent(self):
        """True once ``--timeout`` or ``--max-runs`` is used up.

        Checked by the objective at an evaluation, just before benchopt's
        ``should_stop`` checks the same two limits: a run whose last
        evaluation says True was ended by its budget.
        """
        deadline = getattr(self, "budget_deadline", None)
        max_runs = getattr(self, "max_runs", None)
        n_eval = getattr(self, "n_eval", 0)
        return bool((deadline is not None and time.time() >= deadline)
                    or (max_runs is not None and n_eval >= max_runs))

    def should_stop(self, stop_val, objective_list):
        # benchopt's base class reads the monitored key for its divergence
        # and flatness checks; a dataset without a ground truth has none.
        if RECOVERY not in objective_list[0]:
            self.key_to_monitor_ = None
        return super().should_stop(stop_val, objective_list)

    def check_convergence(self, objective_list):
        if not early_stopping_enabled():
            return False, 0.0
        stop, reason, progress = window_progress_decision(
            objective_list, ceiling=run_ceiling(objective_list[-1],
                                                getattr(self, "solver", None)),
            **self.rule
        )
        if stop:
            self.debug(f"Stop: {reason}.")
        return stop, progress


def budget_spent():
    """Has the benchopt run calling this spent its budget? None outside a
    benchopt run, or when its criterion is not :class:`WindowProgressCriterion`.

    Called by the objective at each evaluation; see
    :meth:`WindowProgressCriterion.budget_spent`.
    """
    run = current_run(sys._getframe(1))
    if run is None:
        return None
    criterion = run.get("stopping_criterion")
    if not isinstance(criterion, WindowProgressCriterion):
        return None
    return criterion.budget_spent()
