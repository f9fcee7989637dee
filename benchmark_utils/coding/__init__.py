"""Sparse coding for a given dictionary: the Lasso and orthogonal matching pursuit.

``lasso`` (the Lasso by restarted FISTA, the inner solver of the alternating
methods; the scale ``lambda_max`` of the regularization; the Lasso loss and its
duality gap), ``lasso_cd`` (the Lasso by compiled coordinate descent, which
scores every dictionary), ``omp`` (batch OMP of K-SVD and MOD), and
``convolutional`` (the convolutional model, its Lasso and FISTA on
activations). Imports only numpy, scipy, numba and
:mod:`benchmark_utils.validation`.
"""
from benchmark_utils.coding.convolutional import (
    conv_correlate,
    conv_dictionary_gradient,
    conv_lambda_max,
    conv_lasso_loss,
    conv_lipschitz,
    conv_reconstruct,
    sparse_encode_conv,
)
from benchmark_utils.coding.lasso import (
    lambda_max,
    lasso_duality_gap,
    lasso_loss,
    soft_threshold,
    sparse_encode_fista,
)
from benchmark_utils.coding.lasso_cd import sparse_encode_cd
from benchmark_utils.coding.omp import batch_omp, default_n_nonzeros

__all__ = ["conv_correlate", "conv_dictionary_gradient", "conv_lambda_max",
           "conv_lasso_loss", "conv_lipschitz", "conv_reconstruct",
           "sparse_encode_conv",
           "batch_omp", "default_n_nonzeros", "lambda_max",
           "lasso_duality_gap", "lasso_loss",
           "soft_threshold", "sparse_encode_cd", "sparse_encode_fista"]
