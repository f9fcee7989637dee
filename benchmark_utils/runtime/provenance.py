"""What a reader needs to reproduce a result, recorded with it.

benchopt already writes to every row of a result file the global seed
(``base_seed``), the repetition (``idx_rep``), the versions of numpy and scipy,
the platform and the processor. This module adds, once per problem (the
objective computes it in ``set_data``, not at every evaluation):

- the versions of every other package a result depends on
  (:data:`PACKAGES`) and the BLAS library numpy runs on;
- the seeds the dataset and the objective drew from (the problem and the
  initial dictionary are these seeds' functions, see
  ``benchmark_utils.simulation.make_problem`` and
  ``benchmark_utils.learning.initialization.init_dictionary``);
- digests of the problem's arrays and of the initial dictionary, so that two
  result files can be checked to come from the same data without the data.

The measured properties of the problem (``data_*`` columns) and the thread
policy (``n_threads``) are recorded by the objective itself.
"""
import functools
import hashlib
import platform
from importlib import metadata

import numpy as np
from threadpoolctl import threadpool_info

# Distributions whose versions can change a result, by their name on PyPI.
PACKAGES = ("benchopt", "numpy", "scipy", "scikit-learn", "threadpoolctl",
            "spams-bin", "sporco", "torch")
NOT_INSTALLED = "not installed"


@functools.lru_cache(maxsize=None)
def package_versions(packages=PACKAGES):
    """Installed versions of ``packages``, with Python's, as one string.

    Parameters
    ----------
    packages : tuple of str
        Distribution names (as ``pip`` knows them).

    Returns
    -------
    versions : str
        ``"python==3.11.9; benchopt==1.10.0; ..."``, in the order of
        ``packages``; a package that is not installed reads
        ``name==not installed``. ``parse_versions`` reads it back.
    """
    items = [("python", platform.python_version())]
    for name in packages:
        try:
            items.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            items.append((name, NOT_INSTALLED))
    return "; ".join(f"{name}=={version}" for name, version in items)


def parse_versions(versions):
    """Read a :func:`package_versions` string back as a dict.

    Parameters
    ----------
    versions : str
        As written by :func:`package_versions`.

    Returns
    -------
    versions : dict
        ``{package name: version}``.
    """
    return dict(item.split("==", 1) for item in versions.split("; ") if item)


@functools.lru_cache(maxsize=None)
def blas_info():
    """The BLAS libraries loaded in the process, as ``"openblas 0.3.27, ..."``.

    Returns
    -------
    blas : str
        One ``"<implementation> <version>"`` per BLAS library threadpoolctl
        sees (numpy's, scipy's, ...), without repeats, sorted (the order in
        which the libraries were loaded does not show); ``"unknown"`` if
        none.
    """
    seen = []
    for pool in threadpool_info():
        if pool.get("user_api") != "blas":
            continue
        label = f"{pool.get('internal_api')} {pool.get('version')}"
        if label not in seen:
            seen.append(label)
    return ", ".join(sorted(seen)) or "unknown"


def array_digest(*arrays):
    """Short digest of the shapes, dtypes and values of ``arrays``.

    Two runs that drew the same problem give the same digest; any difference
    in a value, a shape or a dtype changes it. ``None`` entries are allowed
    (a dataset without a ground truth).

    Parameters
    ----------
    *arrays : ndarray or None

    Returns
    -------
    digest : str
        16 hexadecimal characters (BLAKE2b, 8 bytes).
    """
    digest = hashlib.blake2b(digest_size=8)
    for array in arrays:
        if array is None:
            digest.update(b"None;")
            continue
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def provenance_columns(X, X_test, D_true, D_init, seed_dataset=None,
                       seed_objective=None):
    """Columns the objective adds to every evaluation of a problem.

    Parameters
    ----------
    X, X_test : ndarray of shape (n_samples, n_features)
        Training and held-out data.
    D_true : ndarray of shape (n_atoms, n_features) or None
        Ground-truth dictionary.
    D_init : ndarray of shape (n_atoms, n_features)
        The initial dictionary handed to every solver.
    seed_dataset : int or None
        Seed the dataset drew the problem from (None when it did not say).
    seed_objective : int
        Seed the objective drew ``D_init`` and its evaluation subsets from.

    Returns
    -------
    columns : dict
        ``versions``, ``blas``, ``seed_dataset``, ``seed_objective`` (-1 when
        unknown, so that the column stays an integer one), ``digest_data``
        (of ``X``, ``X_test`` and ``D_true``) and ``digest_D_init``.
    """
    return dict(
        versions=package_versions(),
        blas=blas_info(),
        seed_dataset=-1 if seed_dataset is None else int(seed_dataset),
        seed_objective=-1 if seed_objective is None else int(seed_objective),
        digest_data=array_digest(X, X_test, D_true),
        digest_D_init=array_digest(D_init),
    )
