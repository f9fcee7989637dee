"""Simulation, metrics and numerical kernels for the dictionary recovery benchmark.

The package is importable on its own from the repository root (no benchopt import
needed). Import one topic at a time, for instance::

    from benchmark_utils.simulation import make_problem
    from benchmark_utils.metrics import recovery_score

Conventions (shared by every module): data ``X`` is ``(n_samples, n_features)``, a
dictionary ``D`` is ``(n_atoms, n_features)`` with atoms as rows of unit l2 norm, codes
``Z`` are ``(n_samples, n_atoms)`` and the model is ``X ~ Z @ D``.
"""
