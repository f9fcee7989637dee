"""Simulated convolutional recovery problems: ``x_n = sum_k z_nk * d_k + e_n``.

Signals of shape ``(n_channels, n_times)`` built from ``n_atoms`` atoms of
shape ``(n_channels, n_times_atom)`` (unit Frobenius norm) and sparse
activations (:mod:`benchmark_utils.coding.convolutional` has the model and
the layout). :func:`make_conv_problem` draws the atoms
(:func:`make_conv_atoms`), the activations (:func:`make_activations`) and the
noise, then measures what it produced (``properties``, the ``data_*``
columns): the shift coherence, the realized activation rate and SNR, the
chance floor of the score and the recovery of the least-squares atoms fitted
with the true activations (the oracle).
"""
import numbers
from dataclasses import dataclass, field

import numpy as np

from benchmark_utils.coding.convolutional import conv_reconstruct
from benchmark_utils.metrics.convolutional import (
    conv_chance_floor,
    conv_oracle_recovery,
    default_max_shift,
    shift_coherence,
)
from benchmark_utils.simulation.codes import _amplitudes, check_amplitude_law
from benchmark_utils.simulation.conv_atoms import (
    CONV_ATOM_KINDS,
    make_conv_atoms,
)
from benchmark_utils.simulation.problems import (
    check_snr,
    noise_level,
    realized_snr,
)
from benchmark_utils.validation import check_positive_int, check_random_state


@dataclass
class ConvProblem:
    """A simulated convolutional problem and what was measured on it.

    ``X``, ``X_test``: ``(n_signals, n_channels, n_times)``; ``D_true``:
    ``(n_atoms, n_channels, n_times_atom)``; ``Z_true``, ``Z_test``: the
    activations, ``(n_signals, n_atoms, n_times - n_times_atom + 1)``.
    """

    X: np.ndarray
    X_test: np.ndarray
    D_true: np.ndarray
    Z_true: np.ndarray
    Z_test: np.ndarray
    properties: dict = field(default_factory=dict)


def max_events(n_times_valid, min_gap):
    """Most activations a signal holds ``min_gap`` samples apart."""
    return (n_times_valid - 1) // min_gap + 1


def max_activation_rate(n_times_valid, n_atoms, min_gap):
    """Largest activation rate whose events fit ``min_gap`` apart."""
    return max_events(n_times_valid, min_gap) / (n_atoms * n_times_valid)


def events_per_signal(activation_rate, n_atoms, n_times_valid, n_events=None):
    """Activations of every signal: ``n_events`` if given, else
    ``round(rate * n_atoms * n_times_valid)``, at least one."""
    if n_events is not None:
        return int(n_events)
    return max(1, int(round(activation_rate * n_atoms * n_times_valid)))


def check_activation_parameters(activation_rate, n_atoms, n_times_valid,
                                min_gap, n_events=None):
    """Validate the activation law (a rate, or a number of events per signal)
    and the minimum gap; return ``(activation_rate, n_events, min_gap)``.

    Raises ``ValueError`` naming the largest rate (or number of events) that
    fits the gap.
    """
    if (activation_rate is None) == (n_events is None):
        raise ValueError(
            "give one of activation_rate (the share of active (atom, time) "
            "positions) and n_events (activations per signal), got "
            f"activation_rate={activation_rate!r} and n_events={n_events!r}.")
    if n_events is not None:
        n_events = check_positive_int(n_events, "n_events")
        if n_events > n_atoms * n_times_valid:
            raise ValueError(
                f"n_events={n_events} exceeds the {n_atoms * n_times_valid} "
                "(atom, time) positions of a signal.")
    elif (isinstance(activation_rate, bool)
            or not isinstance(activation_rate, numbers.Real)
            or not 0.0 < activation_rate < 1.0):
        raise ValueError(
            "activation_rate must be the share of (atom, time) positions that "
            f"are active, in (0, 1), got {activation_rate!r}.")
    min_gap = check_positive_int(min_gap, "min_gap")
    m = events_per_signal(activation_rate, n_atoms, n_times_valid, n_events)
    if m > max_events(n_times_valid, min_gap):
        most = max_events(n_times_valid, min_gap)
        asked = (f"n_events={n_events}:" if n_events is not None else
                 f"activation_rate={activation_rate} puts {m} activations in "
                 "each signal:")
        raise ValueError(
            f"{asked} {n_times_valid} activation times cannot hold {m} "
            f"activations {min_gap} samples apart: with min_gap={min_gap} "
            f"a signal holds at most {most} (an activation rate of at most "
            f"{max_activation_rate(n_times_valid, n_atoms, min_gap):.4g}).")
    rate = None if activation_rate is None else float(activation_rate)
    return rate, n_events, min_gap


def make_activations(n_signals, n_atoms, n_times_valid, activation_rate=None,
                     min_gap=1, distribution="gaussian",
                     amplitude_range=(1.0, 2.0), nonnegative=False,
                     n_events=None, random_state=None):
    """Sparse activations, ``(n_signals, n_atoms, n_times_valid)``.

    Every signal has :func:`events_per_signal` activations (``n_events``, or
    the share ``activation_rate`` of its positions). With ``min_gap =
    1`` they are drawn uniformly among the ``n_atoms x n_times_valid``
    (atom, time) positions without replacement; with ``min_gap = g > 1`` the
    times are uniform among the sets of times at least ``g`` apart (whatever
    the atoms: isolated events), each with a uniform atom. Amplitudes follow
    ``distribution`` (:func:`benchmark_utils.simulation.make_codes`' laws),
    their absolute values with ``nonnegative=True`` (the model of alphacsc,
    whose activations are nonnegative).
    """
    activation_rate, n_events, min_gap = check_activation_parameters(
        activation_rate, n_atoms, n_times_valid, min_gap, n_events)
    check_amplitude_law(distribution, amplitude_range)
    rng = check_random_state(random_state)
    m = events_per_signal(activation_rate, n_atoms, n_times_valid, n_events)
    Z = np.zeros((n_signals, n_atoms, n_times_valid))
    for n in range(n_signals):
        if min_gap == 1:
            cells = rng.choice(n_atoms * n_times_valid, size=m, replace=False)
            atoms, times = np.divmod(cells, n_times_valid)
        else:
            # Sorted distinct slots of the compressed line, spread back by
            # min_gap - 1 after each: uniform among the gap-respecting sets.
            slots = np.sort(rng.choice(n_times_valid - (m - 1) * (min_gap - 1),
                                       size=m, replace=False))
            times = slots + np.arange(m) * (min_gap - 1)
            atoms = rng.integers(0, n_atoms, size=m)
        Z[n, atoms, times] = _amplitudes(m, distribution, amplitude_range,
                                         rng)
    return np.abs(Z) if nonnegative else Z


def check_conv_problem_parameters(n_signals, n_channels, n_atoms, n_times,
                                  n_times_atom, activation_rate=None, min_gap=1,
                                  n_test=10, snr=30.0, kind="gaussian",
                                  coherence=None, rank1=False,
                                  distribution="gaussian", nonnegative=False,
                                  n_events=None):
    """Check every parameter of :func:`make_conv_problem` without drawing.

    Raises ``ValueError`` naming what is allowed (signals shorter than an
    atom, an activation rate that cannot fit the gap, an unknown atom kind, a
    coherence target outside (0, 1), ...).
    """
    for value, name in ((n_signals, "n_signals"), (n_channels, "n_channels"),
                        (n_atoms, "n_atoms"), (n_times, "n_times"),
                        (n_times_atom, "n_times_atom"), (n_test, "n_test")):
        check_positive_int(value, name)
    if n_times < n_times_atom:
        raise ValueError(
            f"signals of n_times={n_times} samples cannot hold an atom of "
            f"n_times_atom={n_times_atom}: n_times must be at least "
            "n_times_atom.")
    if kind not in CONV_ATOM_KINDS:
        raise ValueError(
            f"kind must be one of {list(CONV_ATOM_KINDS)}, got {kind!r}.")
    if kind == "coherence":
        if (isinstance(coherence, bool) or not isinstance(coherence,
                                                          numbers.Real)
                or not 0.0 < coherence < 1.0):
            raise ValueError(
                "kind='coherence' needs a shift-coherence target in (0, 1), "
                f"got coherence={coherence!r}.")
    elif coherence is not None:
        raise ValueError(
            f"coherence is only for kind='coherence', got kind={kind!r} and "
            f"coherence={coherence!r}.")
    for value, name in ((rank1, "rank1"), (nonnegative, "nonnegative")):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}.")
    check_activation_parameters(activation_rate, n_atoms,
                                n_times - n_times_atom + 1, min_gap, n_events)
    check_amplitude_law(distribution)
    check_snr(snr)


def make_conv_problem(n_signals, n_channels, n_atoms, n_times, n_times_atom,
                      activation_rate=None, min_gap=1, n_test=10, snr=30.0,
                      kind="gaussian", coherence=None, rank1=False,
                      distribution="gaussian", amplitude_range=(1.0, 2.0),
                      nonnegative=False, n_events=None, random_state=None):
    """Simulate a convolutional dictionary recovery problem and measure it.

    Atoms from :func:`make_conv_atoms` (``kind``: ``gaussian``, ``shapes`` or
    ``coherence`` with a shift-coherence target, ``rank1`` for atoms that are
    a spatial pattern times a waveform), activations from
    :func:`make_activations` for the training and the held-out signals,
    i.i.d. Gaussian noise at ``snr`` dB of the clean signals' mean power (the
    linear simulator's convention, ``inf``: noiseless).

    Parameters
    ----------
    n_signals, n_test : int
        Training and held-out signals.
    n_channels, n_atoms, n_times, n_times_atom : int
    activation_rate : float in (0, 1), optional
        Share of the (atom, time) positions that are active.
    n_events : int, optional
        Activations per signal, instead of ``activation_rate``.
    min_gap : int, default=1
        Smallest distance between two activations of a signal (1: none).
    snr : float, default=30.0
    kind, coherence, rank1 : see :func:`make_conv_atoms`.
    distribution, amplitude_range : the amplitude law of the activations.
    nonnegative : bool, default=False
        Activations of nonnegative amplitudes (their absolute values).
    random_state : int, Generator or None

    Returns
    -------
    problem : ConvProblem
        With ``properties``: ``shift_coherence``, ``activation_rate`` (the
        realized share), ``events_per_signal``, ``snr`` (realized),
        ``chance_floor``, ``recovery_oracle``, ``n_times_atom``,
        ``max_shift`` (the score's cap).
    """
    check_conv_problem_parameters(
        n_signals, n_channels, n_atoms, n_times, n_times_atom,
        activation_rate, min_gap, n_test, snr, kind, coherence, rank1,
        distribution, nonnegative, n_events)
    rng = check_random_state(random_state)
    rng_atoms, rng_train, rng_test, rng_noise = rng.spawn(4)
    D_true = make_conv_atoms(n_atoms, n_channels, n_times_atom, kind=kind,
                             coherence=coherence, rank1=rank1,
                             random_state=rng_atoms)
    n_valid = n_times - n_times_atom + 1
    activations = dict(activation_rate=activation_rate, min_gap=min_gap,
                       distribution=distribution,
                       amplitude_range=amplitude_range,
                       nonnegative=nonnegative, n_events=n_events)
    Z_true = make_activations(n_signals, n_atoms, n_valid,
                              random_state=rng_train, **activations)
    Z_test = make_activations(n_test, n_atoms, n_valid,
                              random_state=rng_test, **activations)
    X, X_test = conv_reconstruct(Z_true, D_true), conv_reconstruct(Z_test,
                                                                   D_true)
    clean_energy = float(np.sum(X * X))
    snr = check_snr(snr)
    noise_std = noise_level(clean_energy / X.size, snr)
    noise = noise_std * rng_noise.standard_normal(X.shape)
    X += noise
    X_test += noise_std * rng_noise.standard_normal(X_test.shape)
    properties = dict(
        shift_coherence=shift_coherence(D_true),
        activation_rate=float(np.count_nonzero(Z_true) / Z_true.size),
        events_per_signal=float(np.count_nonzero(Z_true) / n_signals),
        snr=realized_snr(clean_energy, float(np.sum(noise * noise))),
        chance_floor=conv_chance_floor(D_true),
        recovery_oracle=conv_oracle_recovery(X, Z_true, D_true),
        n_times_atom=float(n_times_atom),
        max_shift=float(default_max_shift(n_times_atom)),
    )
    return ConvProblem(X=X, X_test=X_test, D_true=D_true, Z_true=Z_true,
                       Z_test=Z_test, properties=properties)
