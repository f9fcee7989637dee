"""A hard deadline for solvers that never return.

benchopt's ``--timeout`` is checked only when a solver reports: at a callback
(``callback`` solvers) or when ``run(n_iter)`` returns (``iteration`` solvers).
A solver stuck in a loop that never calls back again, or a ``run`` that never
returns, hangs the whole benchmark, and benchopt 1.10 offers nothing against it
outside SLURM (where it sets the job's time limit to 1.5 times the timeout).

:func:`arm_solver_deadline`, called by the objective when benchopt hands it to a
solver (``get_objective``) and again at every evaluation (``evaluate_result``,
that is every time the solver reports), arms a POSIX interval timer for
``HARD_TIMEOUT_FACTOR`` times the run's ``--timeout``: a solver is interrupted
only after that long without reporting, however long its whole run. If the timer
fires while
that same run is still going, :class:`SolverDeadlineExceeded` is raised in the
solver's code: benchopt catches it like any other error, reports the run as
``error`` with the message, and goes on with the next solver. A timer that
fires after its run ended (a solver that returned or raised) does nothing.

Limits:

- the exception is raised when the interpreter next runs Python code: a call
  into a C extension (a long SPAMS ``trainDL``, a BLAS call) is interrupted
  only when it returns, and one that never returns still hangs the run; kill
  the process then, and re-run without that solver: the runs that completed are
  in benchopt's cache;
- POSIX only (``signal.setitimer``), in the main thread of the process that runs
  the solver (sequential runs, and the workers of ``-j``); elsewhere nothing is
  armed;
- ``--no-timeout`` arms nothing.
"""
import atexit
import signal
import sys
import threading

from benchmark_utils.runtime.benchopt_run import current_run

# benchopt evaluates at iterations spaced geometrically (by about 1.5, more on
# flat curves), so the time between two reports of a healthy solver grows with
# its run and can pass the timeout itself (docs/runtime.md). The timer
# restarts at every report, and a solver is interrupted after three times the
# timeout without reporting.
HARD_TIMEOUT_FACTOR = 3.0

_armed = {"meta": None, "solver": None, "limit": None, "timeout": None}


class SolverDeadlineExceeded(BaseException):
    """A solver ran past the hard deadline without returning.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that a solver's own
    ``except Exception`` cannot swallow it; benchopt catches it and reports the
    run as an error.
    """


def _on_alarm(signum, frame):
    run = current_run(frame)
    meta = _armed["meta"]
    if run is None or meta is None or run.get("meta") is not meta:
        return  # the run this timer was armed for is over
    _armed["meta"] = None
    raise SolverDeadlineExceeded(
        f"{_armed['solver']} did not return within {_armed['limit']:g} s "
        f"({HARD_TIMEOUT_FACTOR:g} x benchopt's --timeout of "
        f"{_armed['timeout']:g} s) and was interrupted by the benchmark's "
        "watchdog (benchmark_utils/runtime/watchdog.py)."
    )


def disarm():
    """Cancel the timer. Registered with ``atexit`` when a timer is armed:
    Python resets signal handlers to their default at exit, and a timer
    firing then (a long plotting step after the last run) would kill the
    process with SIGALRM."""
    _armed["meta"] = None
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)


def arm_solver_deadline(factor=HARD_TIMEOUT_FACTOR):
    """Arm the hard deadline of the benchopt run that is calling this function.

    Finds benchopt's ``run_one_to_cvg`` among the callers and reads its
    ``timeout``; outside a benchopt run (tests, scripts, ``benchopt test``),
    without a timeout, off the main thread or without ``SIGALRM``, it does
    nothing.

    Returns
    -------
    limit : float or None
        Seconds until the solver is interrupted, None if nothing was armed.
    """
    run = current_run(sys._getframe(1))
    if run is None or not hasattr(signal, "setitimer"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    timeout = run.get("timeout")
    if timeout is None:
        _armed["meta"] = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        return None
    limit = factor * float(timeout)
    _armed.update(meta=run.get("meta"),
                  solver=str(run.get("solver")), limit=limit,
                  timeout=float(timeout))
    if signal.getsignal(signal.SIGALRM) is not _on_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
        atexit.register(disarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    return limit
