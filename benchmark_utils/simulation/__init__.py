"""Simulated recovery problems and real data to learn from.

``dictionaries`` (the families of true dictionaries), ``coherence`` (the
kind with a chosen mutual coherence), ``frames`` (random frames and the
alternating projections of Grassmannian packings), ``codes`` (supports and amplitudes),
``problems`` (:func:`make_problem`: draw, corrupt, measure), ``patches``
(natural image patches, no ground truth), and the convolutional model:
``conv_atoms`` (the families of true atoms, :func:`make_conv_atoms`) and
``convolutional`` (:func:`make_conv_problem`: atoms, activations, noise,
measured properties). May import ``metrics`` (to measure
what it produced), ``learning.atoms``, the thread policy (``threads``)
and the shared modules; never benchopt.
"""
from benchmark_utils.simulation.codes import (
    AMPLITUDE_LAWS,
    check_amplitude_law,
    check_sparsity,
    make_codes,
    make_codes_sparse,
)
from benchmark_utils.simulation.coherence import (
    CoherenceNotReachedError,
    check_coherence_target,
    lowest_reachable_coherence,
)
from benchmark_utils.simulation.conv_atoms import (
    CONV_ATOM_KINDS,
    make_conv_atoms,
)
from benchmark_utils.simulation.convolutional import (
    ConvProblem,
    check_conv_problem_parameters,
    make_activations,
    make_conv_problem,
)
from benchmark_utils.simulation.dictionaries import (
    DICTIONARY_KINDS,
    check_dictionary_parameters,
    make_dictionary,
)
from benchmark_utils.simulation.patches import (
    PatchProblem,
    check_patch_parameters,
    make_patch_problem,
)
from benchmark_utils.simulation.problems import (
    Problem,
    check_outlier_fraction,
    check_problem_parameters,
    check_snr,
    make_problem,
    realized_snr,
    rip_sparsity,
)

__all__ = [
    "CONV_ATOM_KINDS", "ConvProblem", "check_conv_problem_parameters",
    "make_activations", "make_conv_atoms", "make_conv_problem",
    "AMPLITUDE_LAWS", "DICTIONARY_KINDS", "CoherenceNotReachedError",
    "PatchProblem", "Problem", "check_amplitude_law", "check_coherence_target",
    "check_dictionary_parameters", "check_outlier_fraction",
    "check_patch_parameters", "check_problem_parameters", "check_snr",
    "check_sparsity", "lowest_reachable_coherence", "make_codes",
    "make_codes_sparse", "make_dictionary", "make_patch_problem",
    "make_problem", "realized_snr", "rip_sparsity",
]
