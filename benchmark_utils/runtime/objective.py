"""The runtime under the benchmark's objective: what every run needs from
benchopt's side, applied by calls from ``objective.py``'s own hooks.

``objective.py`` defines benchopt's hooks (``skip``, ``set_data``,
``get_objective``, ``evaluate_result``, ``get_one_result``) and says what a
problem is scored on; :class:`BenchmarkObjective`, its base, gives them:

- benchopt's cache key that sees the library's code and the ``DICTREC_*``
  environment (:class:`~benchmark_utils.runtime.cache_key.LibraryCacheKey`);
- result pages drawn offline
  (:func:`~benchmark_utils.runtime.dashboard.use_offline_plotly`, applied
  when this module is imported);
- :meth:`~BenchmarkObjective.apply_thread_policy`, first thing in
  ``set_data``: the one thread policy (:mod:`benchmark_utils.threads`),
  before anything is computed;
- :meth:`~BenchmarkObjective.record_provenance`, last thing in ``set_data``:
  what reproduces a result, once per problem
  (:mod:`~benchmark_utils.runtime.provenance`);
- :meth:`~BenchmarkObjective.solver_started` and
  :meth:`~BenchmarkObjective.solver_reported`, in ``get_objective`` and
  ``evaluate_result``: the watchdog of a solver that never reports
  (:mod:`~benchmark_utils.runtime.watchdog`);
- :meth:`~BenchmarkObjective.with_run_record`, the columns of the run added
  to an evaluation's scores (``n_threads``, the provenance, the solver's
  ``criterion``, ``budget_spent``: ``docs/columns.md``).

:func:`once_per_problem` computes what a problem needs once per process:
benchopt calls ``set_data`` again for every run, on a fresh copy of the
objective.
"""
import hashlib
import sys
from collections import OrderedDict

import numpy as np
from benchopt import BaseObjective

from benchmark_utils.runtime.benchopt_run import current_run
from benchmark_utils.runtime.cache_key import LibraryCacheKey
from benchmark_utils.runtime.dashboard import use_offline_plotly
from benchmark_utils.runtime.provenance import provenance_columns
from benchmark_utils.runtime.stopping import budget_spent
from benchmark_utils.runtime.watchdog import arm_solver_deadline
from benchmark_utils.threads import apply_thread_policy

use_offline_plotly()


class BenchmarkObjective(LibraryCacheKey, BaseObjective):
    """benchopt's objective with the benchmark's runtime (see the module).

    A subclass declares an ``n_threads`` parameter and, in ``set_data``,
    sets ``X``, ``X_test``, ``D_true``, ``D_init`` and ``seed_objective``
    before :meth:`record_provenance`.
    """

    def apply_thread_policy(self):
        """Set the process's threads from the ``n_threads`` parameter."""
        self.n_threads_applied = apply_thread_policy(self.n_threads)

    def record_provenance(self, seed_dataset):
        """Keep what reproduces this problem's results, for every row."""
        self.provenance = provenance_columns(
            self.X, self.X_test, self.D_true, self.D_init,
            seed_dataset=seed_dataset, seed_objective=self.seed_objective,
        )

    def solver_started(self):
        """A solver is handed the problem: arm its watchdog."""
        arm_solver_deadline()

    def solver_reported(self):
        """The solver reported an iterate: restart its watchdog."""
        arm_solver_deadline()

    def with_run_record(self, result):
        """``result`` with the columns of the run: the threads, the
        provenance and, inside a ``benchopt run``, the solver's criterion
        and whether the run's budget is spent."""
        result["n_threads"] = self.n_threads_applied
        result.update(self.provenance)
        run = current_run(sys._getframe(0))
        if run is not None:
            # The solver's own criterion (its ceiling splits its error).
            result["criterion"] = str(
                getattr(run.get("solver"), "criterion", None) or "none")
        spent = budget_spent()
        if spent is not None:
            result["budget_spent"] = float(spent)
        return result


_PROBLEM_MEMO = OrderedDict()
_PROBLEM_MEMO_SIZE = 64


def once_per_problem(compute, *arrays, **params):
    """``compute(*arrays, **params)``, computed once per process for equal
    inputs (the arrays' bytes, shapes and dtypes, and the parameters).

    benchopt calls the objective's ``set_data`` for every run of a solver, on
    a copy of the objective that keeps nothing from the previous run, and
    every run of a problem would compute the same recovery ceilings again.
    The last 64 problems are kept.
    """
    name = (getattr(compute, "__module__", None),
            getattr(compute, "__qualname__", repr(compute)))
    digest = hashlib.blake2b(repr((name, sorted(params.items()))).encode())
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(repr((array.shape, array.dtype.str)).encode())
        digest.update(array.tobytes())
    key = digest.hexdigest()
    if key in _PROBLEM_MEMO:
        _PROBLEM_MEMO.move_to_end(key)
        return _PROBLEM_MEMO[key]
    value = compute(*arrays, **params)
    _PROBLEM_MEMO[key] = value
    if len(_PROBLEM_MEMO) > _PROBLEM_MEMO_SIZE:
        _PROBLEM_MEMO.popitem(last=False)
    return value

