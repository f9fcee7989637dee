"""Stopping rule of the benchmark: never end a run that is still progressing.

The rule is a pure function of the curve recorded so far
(:func:`window_progress_decision`), wrapped for benchopt by
:class:`WindowProgressCriterion`, so that ``bench/bench_stopping.py`` and the
study summaries can replay it on recorded curves and check the contract. The
criterion also knows the run's budget (``--timeout``, ``--max-runs``):
:func:`budget_spent` tells the objective when the budget, not the rule nor
the solver, ended a run.

The rule, at an evaluation of iteration ``k`` (benchopt's ``stop_val``: an
iteration, an epoch or a mini-batch, whatever the solver counts):

1. stop at once if ``recovery >= 1 - recovered_tol``, or if the recovery is
   within ``ceiling_tol`` of the ceiling of the solver's own criterion (the
   solver's ``criterion`` attribute, ``"lasso"`` or ``"omp"``: the recovery of
   that criterion's stationary point near the truth, the
   ``data_ceiling_<criterion>`` column; the oracle ``data_recovery_oracle`` for
   a solver without one): nothing is left to gain;
2. never stop before iteration ``min_iter`` (20) nor before ``min_time``
   seconds of solver time;
   then, only when ``ceiling_noise_cap`` is above 0 (off by default), stop if
   the best recovery so far is **within the run's own noise of its ceiling**
   (the noise of step 3 below, capped at ``ceiling_noise_cap``). It saves
   solver time on stochastic DDL, whose recovery fluctuates near its ceiling,
   and keeps the contract (best recovery within 0.002), but it ends runs
   whose atoms have not all settled: on two phase-transition cells
   (``bench/bench_final_iterate.py``) the final iterate recovered every atom
   in 4 of 10 runs with it, 7 of 10 without it, while 19 of the 20
   iterates evaluated late in the same runs (second half of 60 s) did.
   The studies read the final iterate, so the test stays off;
3. otherwise compare the iterations of the last window ``(k / window, k]`` with
   all the iterations before it: the run goes on if the window raised the best
   recovery by more than ``eps_recovery``, **or** lowered the best training loss
   (the held-out loss on a dataset without a ground truth, see below) by more
   than ``eps_loss`` (relative), each **beyond the window's own noise**
   (the largest fall back of that curve between two successive points of the
   window). Stop when neither moved;
4. stop too when the run has **moved away from its best**: over the last
   ``retreat``-fold stretch ``(k / retreat, k]`` (3: the last two thirds of
   its iterations) its best recovery *and* its best training loss are both
   worse than before it. A descent method never does that (its loss does
   not rise); a stochastic solver whose constant step carries it away from
   the best point it passed (the autoencoder: recovery 0.9969 at iteration
   94 on the default problem, then down to 0.9955 while its loss rises) is
   not waited for over a full tenfold window.

Why these choices. Counting evaluations (benchopt's ``SufficientProgressCriterion``)
ends a run after a fixed number of evaluations spaced by 1.5x, that is after
two or three iterations at the start: a solver whose recovery first dips while
its loss falls (SPORCO from ``init=data``) was stopped at iteration 3. A window
that is a ratio of iterations scales with the run: a solver that last improved
at iteration ``k`` always gets ``window * k`` iterations to improve again. The
training loss counts as progress because recovery can stall or dip while a
solver is still moving (atoms swapping, a mixture splitting), and the loss sees
that motion; recovery counts because K-SVD or Arora et al. do not minimize the
Lasso loss. The noise term is what ends the mini-batch and stochastic
solvers: a noisy curve sets a new best now and then by chance, and a best
that the curve undoes as large as it sets one is not progress; a curve that
only improves has no such fall, and the rule is the plain window.

Iteration 20, not 10, is the first decision: at 10 the first window
``(1, 10]`` holds five of benchopt's evaluations and the iterations before it
two, and a transient of the first iterations is cut (Arora et al.'s plain
rule from ``random`` on the default problem: flat to iteration 13, its peak
0.520 at 28). The retreat stretch is 3 because 2 cuts a run on P1 that comes
back (stochastic DDL from ``random``, 0.005 short of its best), and 5 saves
little; ``bench/bench_stopping.py`` replays all of them.

A curve without a recovery column (a dataset without a ground truth, such
as the ``patches`` dataset) is judged on the **held-out** loss alone
(``objective_loss_test``, on samples no solver sees) in place of the
training loss: without a ground truth it is the only estimate of the
expected loss, of what the dictionary brings on one more pass over fresh
data from the same distribution. A fall of the training loss that the
held-out loss does not show is a fit of the training sample, not learning;
on the patches it went on for minutes (full-batch DDL: training loss 10.04
to 9.52 from iteration 6 to 8,092, 126 s, while its held-out loss moved
between 9.44 and 9.58 around its value at iteration 6, 9.53). A curve
without a held-out loss falls back to the training loss.
"""
import math
import os
import sys
import time

from benchopt.stopping_criterion import StoppingCriterion

from benchmark_utils.runtime.benchopt_run import current_run

# Environment variable that turns early stopping off: runs then end at
# benchopt's --timeout or --max-runs only (``bench/bench_stopping.py`` uses it
# to record the curves the rule is checked against).
ENV_VAR = "DICTREC_STOPPING"

DEFAULTS = dict(window=10.0, min_iter=20, retreat=3.0, min_time=0.0,
                eps_recovery=1e-4, eps_loss=1e-3, recovered_tol=1e-6,
                ceiling_tol=1e-4, ceiling_noise_cap=0.0)

RECOVERY_KEY = "objective_recovery"
LOSS_KEY = "objective_loss_train"
HELDOUT_KEY = "objective_loss_test"


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
        it). 0, the default, turns the test off (see the module docstring).
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
    has_recovery = _finite(last.get(RECOVERY_KEY))
    if has_recovery and last[RECOVERY_KEY] >= 1.0 - recovered_tol:
        return True, "recovered", 1.0
    if (has_recovery and _finite(ceiling)
            and last[RECOVERY_KEY] >= ceiling - ceiling_tol):
        return True, f"at its criterion's ceiling ({ceiling:.6f})", 1.0

    k = last["stop_val"]
    first = max(min_iter, window)
    if k < first:
        return False, f"before iteration {first:g}", k / first
    if min_time > 0 and last["time"] < min_time:
        return False, f"before {min_time:g} s", last["time"] / min_time

    # With a ground truth, the training loss (what every solver lowers)
    # sees motion the recovery does not; without one, the held-out loss is
    # the measure of learning (see the module).
    loss_key = LOSS_KEY
    if not has_recovery and all(_finite(p.get(HELDOUT_KEY)) for p in curve):
        loss_key = HELDOUT_KEY
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
        best = max(p[RECOVERY_KEY] for p in curve)
        gain = best - max(p[RECOVERY_KEY] for p in before)
        noise = (_largest_drop([p[RECOVERY_KEY] for p in span])
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
        name = "training" if loss_key == LOSS_KEY else "held-out"
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
    if has_recovery and (max(p[RECOVERY_KEY] for p in inside)
                         >= max(p[RECOVERY_KEY] for p in before)):
        return False
    return min(p[loss_key] for p in inside) > min(p[loss_key] for p in before)


def ceiling_key(criterion):
    """The results column of the recovery ceiling of a solver's criterion:
    the Lasso or OMP ceiling, or the oracle for a solver without one."""
    if criterion is None:
        return "objective_data_recovery_oracle"
    return f"objective_data_ceiling_{criterion}"


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
        super().__init__(strategy=strategy, key_to_monitor=RECOVERY_KEY,
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
        if RECOVERY_KEY not in objective_list[0]:
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
