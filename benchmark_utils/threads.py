"""Thread policy of the benchmark: one number of threads for every solver.

Timings compare algorithms only if every solver gets the same compute. The
benchmark therefore sets one thread count for the whole process before a solver
runs, and records it with the results (the ``n_threads`` column):

- the BLAS and OpenMP pools of numpy, scipy and scikit-learn, through
  threadpoolctl;
- SPAMS' own OpenMP threads (its ``numThreads`` argument, read with
  :func:`get_n_threads`);
- PyTorch's intra-op threads (``torch.set_num_threads``, applied when PyTorch is
  loaded).

The default is one thread: on a machine shared with other processes (or with
``benchopt run -j``), a multi-threaded BLAS spinning on busy cores made small
LAPACK calls 100 to 200 times slower, and the time of K-SVD and MOD on P1 1.6
times longer. The objective parameter ``n_threads`` overrides it for one run; the
environment variable ``DICTREC_N_THREADS`` sets it for every run that leaves the
parameter at its default (``None``). A value of 0 means every available core.
"""
import os
import sys

from threadpoolctl import threadpool_limits

ENV_VAR = "DICTREC_N_THREADS"
DEFAULT_N_THREADS = 1

_current = {"n_threads": None}


def resolve_n_threads(n_threads=None):
    """Return the thread count of the policy as a positive int.

    Parameters
    ----------
    n_threads : int or None
        Explicit count; ``None`` reads ``DICTREC_N_THREADS`` and falls back to
        1. ``0`` means ``os.cpu_count()``.
    """
    source = "n_threads"
    if n_threads is None:
        value = os.environ.get(ENV_VAR, "").strip()
        if not value:
            return DEFAULT_N_THREADS
        source = ENV_VAR
        try:
            n_threads = int(value)
        except ValueError:
            raise ValueError(
                f"{ENV_VAR} must be an integer >= 0, got {value!r}."
            ) from None
    if isinstance(n_threads, bool) or int(n_threads) != n_threads \
            or n_threads < 0:
        raise ValueError(f"{source} must be an integer >= 0, got {n_threads!r}.")
    n_threads = int(n_threads)
    return n_threads if n_threads > 0 else (os.cpu_count() or 1)


def apply_thread_policy(n_threads=None):
    """Limit every thread pool of the process to the policy's count.

    Returns the count applied. Called by the objective before any solver
    runs; solvers read the count with :func:`get_n_threads`.
    """
    n_threads = resolve_n_threads(n_threads)
    threadpool_limits(limits=n_threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n_threads)
    _current["n_threads"] = n_threads
    return n_threads


def get_n_threads():
    """Thread count set by the last :func:`apply_thread_policy` (else the policy's)."""
    if _current["n_threads"] is None:
        return resolve_n_threads()
    return _current["n_threads"]
