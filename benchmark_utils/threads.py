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
``benchopt run -j``), a multi-threaded BLAS spins on busy cores and slows the
small products of these solvers down (``docs/runtime.md``). The
objective parameter ``n_threads`` overrides it for one run; the
environment variable ``DICTREC_N_THREADS`` sets it for every run that leaves the
parameter at its default (``None``). A value of 0 means every available core.

Two other thread decisions of the library are made here too, so that this
module is the one place that sets a thread count:

- :func:`single_blas_thread`: the alternating projections of the coherence
  generator run with one BLAS thread whatever the policy, so that the
  dictionary drawn from a seed has the same bits on any machine (a
  multi-threaded BLAS sums in another order) and small products do not wait
  on busy cores;
- :func:`generation_threads`: the simulator fills its noise blocks on every
  core; each block has its own random stream, so the bits do not depend on
  the count, and drawing data is not part of any solver's time.

This module imports no benchopt: the simulation and the torch runtime read it.
"""
import contextlib
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


@contextlib.contextmanager
def single_blas_thread():
    """Run the block with one BLAS thread (bit-identical results on any
    machine); see the module docstring."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def generation_threads(n_tasks):
    """Threads for ``n_tasks`` independent draws whose bits do not depend on
    the count: every core, at most one a task."""
    return max(1, min(int(n_tasks), os.cpu_count() or 1))
