"""The benchopt run in progress, read from the call stack.

benchopt 1.10 hands a component nothing about the run it is part of: neither
its ``--timeout`` (the watchdog needs it) nor its stopping criterion (whose
budget tells a run cut by ``--timeout`` or ``--max-runs`` from one that
ended). Both are local variables of benchopt's ``runner.run_one_to_cvg``,
which is always a caller of the objective's ``get_objective`` and
``evaluate_result``; :func:`current_run` finds that frame and returns its
locals. This is the one place that looks into benchopt's stack.
"""
RUNNER_MODULE = "benchopt.runner"
RUNNER_FUNCTION = "run_one_to_cvg"


def current_run(frame):
    """Local variables of the benchopt run above ``frame``, or None.

    Parameters
    ----------
    frame : frame object
        Where to start looking (the caller's, ``sys._getframe(1)``).

    Returns
    -------
    run : dict or None
        ``run_one_to_cvg``'s locals (``timeout``, ``meta``, ``solver``,
        ``stopping_criterion``, ...); None outside a benchopt run (tests,
        scripts, ``benchopt test``'s direct calls).
    """
    while frame is not None:
        if (frame.f_code.co_name == RUNNER_FUNCTION
                and frame.f_globals.get("__name__") == RUNNER_MODULE):
            return frame.f_locals
        frame = frame.f_back
    return None
