"""Library of the dictionary recovery benchmark, a package per concept.

- :mod:`~benchmark_utils.simulation`: recovery problems (true dictionaries,
  frames, sparse codes, noise and outliers, image patches);
- :mod:`~benchmark_utils.metrics`: recovery scores, properties of a
  dictionary (coherence, Welch, RIP bounds), denoising, and the scoring of
  one dictionary that the objective reports;
- :mod:`~benchmark_utils.coding`: sparse coding (the shared Lasso solver,
  batch OMP);
- :mod:`~benchmark_utils.learning`: atom operations, dictionary updates,
  initial dictionaries, mini-batches;
- :mod:`~benchmark_utils.neural`: the unrolled network in PyTorch, its line
  search, its runtime and the base of the torch solvers;
- :mod:`~benchmark_utils.runtime`: what talks to benchopt (stopping rule,
  watchdog, cache key, thread policy, provenance, offline dashboard);
- :mod:`~benchmark_utils.results`: study summaries and figures.

Two modules are shared by all: :mod:`~benchmark_utils.validation` (input
checks) and :mod:`~benchmark_utils.supports` (random supports). Only
``runtime`` and ``results`` import benchopt; the mathematics is importable and
testable without it, for instance::

    from benchmark_utils.simulation import make_problem
    from benchmark_utils.metrics import recovery_score

Conventions (shared by every module): data ``X`` is ``(n_samples, n_features)``, a
dictionary ``D`` is ``(n_atoms, n_features)`` with atoms as rows of unit l2 norm, codes
``Z`` are ``(n_samples, n_atoms)`` and the model is ``X ~ Z @ D``. See
``docs/architecture.md`` for the layout and which way imports go.
"""
