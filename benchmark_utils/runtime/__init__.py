"""Everything that talks to benchopt, in one place.

``objective`` (:class:`~benchmark_utils.runtime.objective.BenchmarkObjective`,
the base of ``objective.py``: thread policy, provenance, watchdog, budget,
cache key and offline dashboard wired around the objective's science),
``stopping`` (the stopping rule and its benchopt criterion), ``watchdog``
(the hard deadline of solvers that never report), ``cache_key`` (what
benchopt's cache must see), ``threads`` (the one thread policy),
``provenance`` (what reproduces a result), ``dashboard`` (plots drawn
offline) and ``benchopt_run`` (the run in progress, read from the stack).

Import the modules themselves (``from benchmark_utils.runtime.stopping import
...``): this file imports nothing, so that ``runtime.threads``, which the
mathematics reads and which imports no benchopt, can be loaded without
benchopt.
"""
