"""What benchopt's cache key must see besides the benchmark's own files.

benchopt caches every run of a solver on a dataset (``run_one_to_cvg``, callback
and iteration solvers alike) with ``joblib.Memory``. The key is joblib's hash
of the call's arguments; the objective, dataset and solver enter it through
their pickles, which hold their parameters and the MD5 of their own file
(``ParametrizedNameMixin.__reduce__``), and nothing else. Code they import from
``benchmark_utils`` and the environment variables that change what a run
computes (the thread policy, ``DICTREC_N_THREADS``) are invisible to it: after
an edit of ``benchmark_utils/``, benchopt would serve results computed with the
old code.

:class:`LibraryCacheKey` closes that gap. Mixed into a benchopt component, it
adds :func:`cache_key` to the component's pickled state, so the key changes
with the content of every ``.py`` file of ``benchmark_utils/`` and with every
``DICTREC_*`` environment variable.
"""
import hashlib
import os
from pathlib import Path

# The whole library: benchmark_utils/, the parent of this runtime/ package.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Every environment variable of the benchmark starts with this prefix.
ENV_PREFIX = "DICTREC_"

_library_digest = {}


def library_digest(package_dir=PACKAGE_DIR):
    """SHA-256 of the relative paths and contents of the package's ``.py`` files.

    Computed once per process and directory: the digest describes the code
    the process loaded, not the files as they may be edited during a run.
    """
    package_dir = Path(package_dir).resolve()
    if package_dir not in _library_digest:
        digest = hashlib.sha256()
        for path in sorted(package_dir.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        _library_digest[package_dir] = digest.hexdigest()
    return _library_digest[package_dir]


def environment_settings(environ=None):
    """The benchmark's environment variables (``DICTREC_*``) that are set, sorted."""
    environ = os.environ if environ is None else environ
    return tuple(sorted(
        (name, value) for name, value in environ.items()
        if name.startswith(ENV_PREFIX)
    ))


def cache_key():
    """What a cached result depends on beyond benchopt's own key."""
    return dict(benchmark_utils=library_digest(),
                environment=environment_settings())


class LibraryCacheKey:
    """Mixin for a benchopt component: its pickle, hence the cache key, holds
    :func:`cache_key`.

    Put it first in the bases (``class Objective(LibraryCacheKey,
    BaseObjective)``). benchopt rebuilds a component from its pickle with
    ``__setstate__``; the key is kept as ``_cache_key`` and plays no other role.
    """

    def _get_state(self):
        state = dict(super()._get_state())
        state["cache_key"] = cache_key()
        return state

    def __setstate__(self, state):
        state = dict(state)
        self._cache_key = state.pop("cache_key", None)
        super().__setstate__(state)
