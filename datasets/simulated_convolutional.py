from benchopt import BaseDataset

from benchmark_utils.simulation import (
    CoherenceNotReachedError,
    check_conv_problem_parameters,
    make_conv_problem,
)
from benchmark_utils.validation import infeasible_problem


class Dataset(BaseDataset):
    """Simulated convolutional recovery problem ``x_n = sum_k z_nk * d_k + e_n``.

    Signals ``(n_signals, n_channels, n_times)`` from ``n_atoms`` atoms of
    shape ``(n_channels, n_times_atom)`` and sparse activations; see
    ``benchmark_utils.simulation.make_conv_problem`` for the model, the atom
    kinds and the activation law. The measured properties (shift coherence,
    realized activation rate and SNR, chance floor of the shift-invariant
    score, recovery of the least-squares atoms with the true activations)
    land in the results as ``data_*`` columns. Infeasible parameters (signals
    shorter than an atom, a rate that cannot fit ``min_gap``, an unreachable
    coherence target) skip the cell with the reason.

    The default is small (3 atoms of 16 samples, 6 signals of 300) so that
    ``benchopt run .`` decides it in seconds.
    """

    name = "simulated-convolutional"
    requirements = ["pip::scipy"]

    parameters = {
        "n_signals": [6],
        "n_test": [5],
        "n_channels": [1],
        "n_atoms": [3],
        "n_times": [300],
        "n_times_atom": [16],
        # gaussian, shapes (smooth waveforms) or coherence (with a target
        # shift `coherence`).
        "kind": ["gaussian"],
        "coherence": [None],
        # Atoms as a spatial pattern times a waveform (alphacsc's rank one).
        "rank1": [False],
        # Share of the (atom, time) positions that are active, or (with
        # activation_rate None) n_events activations per signal.
        "activation_rate": [0.005],
        "n_events": [None],
        # Smallest distance between two activations of a signal (1: none).
        "min_gap": [1],
        # Amplitude law of the activations: gaussian, rademacher or uniform.
        "distribution": ["gaussian"],
        # Nonnegative activations (their absolute values): the model of
        # alphacsc and CRsAE, which every convolutional solver can fit; False
        # for signed activations, which alphacsc cannot.
        "nonnegative": [True],
        # Signal-to-noise ratio in dB (inf: noiseless).
        "snr": [30.0],
    }

    test_parameters = {"n_signals": [4], "n_times": [200]}

    def get_data(self):
        params = dict(
            n_signals=self.n_signals, n_channels=self.n_channels,
            n_atoms=self.n_atoms, n_times=self.n_times,
            n_times_atom=self.n_times_atom,
            activation_rate=self.activation_rate, n_events=self.n_events,
            min_gap=self.min_gap,
            n_test=self.n_test, snr=self.snr, kind=self.kind,
            coherence=self.coherence, rank1=self.rank1,
            distribution=self.distribution, nonnegative=self.nonnegative,
        )
        try:
            check_conv_problem_parameters(**params)
        except ValueError as error:
            return infeasible_problem(error)
        seed = self.get_seed(use_repetition=True)
        try:
            problem = make_conv_problem(**params, random_state=seed)
        except CoherenceNotReachedError as error:
            return infeasible_problem(error)
        return dict(X=problem.X, X_test=problem.X_test, D_true=problem.D_true,
                    properties=problem.properties, seed=seed)
