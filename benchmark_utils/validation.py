"""Input checks shared by the library: random states, dictionaries, options,
the model of a problem and the reasons a component is skipped."""
import numbers

import numpy as np


def check_random_state(random_state):
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : int, numpy.random.Generator or None
        An int seeds a new PCG64 generator, so the same int gives bit-identical
        draws in any process. A Generator is used as is (and advanced). None draws
        fresh entropy from the operating system.

    Returns
    -------
    rng : numpy.random.Generator
    """
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        if random_state < 0:
            raise ValueError(
                f"random_state must be a non-negative int, got {random_state}."
            )
        return np.random.default_rng(int(random_state))
    raise ValueError(
        "random_state must be an int, a numpy.random.Generator or None, "
        f"got {random_state!r}."
    )


def check_positive_int(value, name, minimum=1):
    """Return ``value`` as an int, raising ``ValueError`` if not an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_dictionary(D, name="D", n_atoms=None, n_features=None):
    """Check that ``D`` is a 2D float array of shape ``(n_atoms, n_features)``.

    Non-finite entries are allowed here: callers decide how to score them.
    """
    D = np.asarray(D)
    if D.ndim != 2 or not np.issubdtype(D.dtype, np.number):
        raise ValueError(
            f"{name} must be a 2D numeric array of shape (n_atoms, n_features), "
            f"got an array of shape {D.shape} and dtype {D.dtype}."
        )
    expected = (
        D.shape[0] if n_atoms is None else n_atoms,
        D.shape[1] if n_features is None else n_features,
    )
    if D.shape != expected:
        raise ValueError(
            f"{name} must have shape (n_atoms, n_features) = {expected}, "
            f"got {D.shape}."
        )
    return D.astype(np.float64, copy=False)


def invalid_choice_reason(**options):
    """Why a configuration is invalid, or None: the first ``name=(value,
    choices)`` of ``options`` whose value is not one of its choices.

    Solvers return it from their ``skip`` hook, so that a bad option in a
    sweep is skipped with this reason and the other configurations run.
    """
    for name, (value, choices) in options.items():
        if value not in choices:
            return f"{name} must be one of {tuple(choices)}, got {value!r}"
    return None


# The two models of the benchmark, told apart by the layout of the initial
# dictionary a solver receives: atoms as rows (linear, ``X ~ Z @ D``) or
# atoms of shape (n_channels, n_times_atom) (convolutional).
MODELS = {
    "linear": (2, "linear dictionaries (atoms as rows, X ~ Z @ D)"),
    "convolutional": (3, "convolutional atoms (n_atoms, n_channels, "
                         "n_times_atom)"),
}


def model_mismatch_reason(D_init, model):
    """Why a solver of ``model`` cannot run on this problem, or None.

    ``model`` is ``"linear"`` or ``"convolutional"``: the problem's model is
    read from ``D_init`` (2D: linear, 3D: convolutional). Every solver's
    ``skip`` calls it, so that linear solvers skip convolutional datasets with
    this reason and convolutional solvers skip linear ones.
    """
    ndim, learns = MODELS[model]
    actual = np.ndim(D_init)
    if actual == ndim:
        return None
    other = next((name for name, (d, _) in MODELS.items() if d == actual),
                 f"of another model (a {actual}-dimensional D_init)")
    return f"this solver learns {learns}; the problem is {other}"


def infeasible_problem(error):
    """What ``get_data`` returns for infeasible parameters: no data and the
    reason, which the objective's ``skip`` reports, so that a sweep runs its
    feasible cells instead of stopping at the first infeasible one."""
    return dict(X=None, X_test=None, D_true=None,
                skip_reason=f"infeasible parameters: {error}")


def problem_model(X):
    """The model of a problem, read from its signals ``X``: ``"linear"``
    for ``(n_samples, n_features)``, ``"convolutional"`` for ``(n_signals,
    n_channels, n_times)``. The objective tells the two models apart here
    alone; a solver reads the model from ``D_init``
    (:func:`model_mismatch_reason`)."""
    ndim = np.ndim(X)
    if ndim == 2:
        return "linear"
    if ndim == 3:
        return "convolutional"
    raise ValueError(
        f"X must have 2 dimensions (linear) or 3 (convolutional), got {ndim}."
    )
