"""Scores of a learned dictionary and properties of a true one.

``convolutional`` (the same for convolutional atoms, up to shift too:
:func:`shift_invariant_recovery`, :func:`shift_coherence`), ``recovery``
(matching up to permutation and sign: :func:`recovery_score`,
:func:`recovered_fraction`, :func:`chance_floor`), ``properties`` (mutual
and cumulative coherence, Welch bound, RIP bounds), ``ceilings`` (the oracle,
the criteria's recovery ceilings, :func:`recovery_error_budget`), ``theory``
(the recovery theorems' conditions on a problem), ``stability`` (agreement of
two replicates without a ground truth), ``denoising`` (PSNR) and ``scoring``
(:class:`DictionaryScorer`, every column the objective reports for one
dictionary). May import ``coding``, ``learning.atoms`` and the shared modules;
never benchopt.
"""
from benchmark_utils.metrics.ceilings import (
    lasso_recovery_ceiling,
    omp_recovery_ceiling,
    oracle_recovery,
    recovery_error_budget,
)
from benchmark_utils.metrics.convolutional import (
    conv_chance_floor,
    conv_lasso_recovery_ceiling,
    conv_oracle_recovery,
    shift_coherence,
    shift_invariant_recovery,
    shift_matched_correlations,
    shift_recovered_fraction,
)
from benchmark_utils.metrics.denoising import psnr
from benchmark_utils.metrics.properties import (
    cumulative_coherence,
    mutual_coherence,
    rip_coherence_bound,
    rip_lower_bound,
    rip_upper_bound,
    welch_bound,
)
from benchmark_utils.metrics.recovery import (
    RECOVERED_THRESHOLD,
    chance_floor,
    matched_correlations,
    recovered_fraction,
    recovery_score,
)
from benchmark_utils.metrics.scoring import ConvolutionalScorer, DictionaryScorer
from benchmark_utils.metrics.stability import split_halves, stability_score
from benchmark_utils.metrics.theory import (
    CONDITIONS,
    Condition,
    algorithm_conditions,
    initialization_conditions,
    lasso_conditions,
    penalty_conditions,
    problem_conditions,
    sparse_coding_conditions,
)

__all__ = [
    "ConvolutionalScorer", "conv_chance_floor",
    "conv_lasso_recovery_ceiling", "conv_oracle_recovery",
    "shift_coherence", "shift_invariant_recovery",
    "shift_matched_correlations", "shift_recovered_fraction",
    "DictionaryScorer", "cumulative_coherence", "lasso_recovery_ceiling",
    "omp_recovery_ceiling",
    "oracle_recovery", "RECOVERED_THRESHOLD", "chance_floor",
    "matched_correlations", "mutual_coherence", "psnr", "recovered_fraction",
    "recovery_score", "rip_coherence_bound", "rip_lower_bound", "rip_upper_bound",
    "welch_bound", "recovery_error_budget", "split_halves", "stability_score",
    "CONDITIONS", "Condition", "algorithm_conditions",
    "initialization_conditions", "lasso_conditions", "penalty_conditions",
    "problem_conditions", "sparse_coding_conditions",
]
