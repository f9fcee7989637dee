"""Everything that talks to benchopt, in one place.

``objective`` (:class:`~benchmark_utils.runtime.objective.BenchmarkObjective`,
the base of ``objective.py``: thread policy, provenance, watchdog, budget,
cache key and offline dashboard, called from the objective's own hooks),
``stopping`` (the stopping rule and its benchopt criterion), ``watchdog``
(the hard deadline of solvers that never report), ``cache_key`` (what
benchopt's cache must see), ``provenance`` (what reproduces a result),
``dashboard`` (plots drawn offline) and ``benchopt_run`` (the run in
progress, read from the stack). The thread policy it applies is the shared
module ``benchmark_utils.threads``; the columns it writes are declared in
``benchmark_utils.schema``.

Import the modules themselves (``from benchmark_utils.runtime.stopping import
...``): this file imports nothing, so that loading one module loads only
what it needs.
"""
