"""Study summaries and figures, from benchopt's result frames.

``studies`` (the final point of each run, whether its budget cut it, success
rates per cell, curves over a swept quantity, time to a recovery) and
``figures`` (the matplotlib figures the plots of ``plots/`` show and
``docs/make_figures.py`` saves). May import everything; reads results, never
runs a solver.
"""
