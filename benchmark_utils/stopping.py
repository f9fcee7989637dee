"""benchopt stopping criterion of the benchmark (the one module importing benchopt)."""
from benchopt.stopping_criterion import SufficientProgressCriterion


class SharedProgressCriterion(SufficientProgressCriterion):
    """``SufficientProgressCriterion`` that solvers of any sampling strategy share.

    benchopt fills the strategy of a criterion declared on the objective with the
    strategy of the first solver that runs, in place, so that a later solver with
    another strategy ("callback" after "iteration") fails an assertion. This
    criterion hands each solver a fresh copy instead.
    """

    def get_runner_instance(self, *args, **kwargs):
        fresh = SufficientProgressCriterion(
            key_to_monitor=self.key_to_monitor, minimize=self.minimize,
            **self.kwargs,
        )
        return fresh.get_runner_instance(*args, **kwargs)
