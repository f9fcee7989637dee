"""Every score of one learned dictionary: what the objective reports at each
evaluation.

:class:`DictionaryScorer` holds what the scores of a problem need (the
evaluation samples, the true dictionary when there is one, the Lasso weight,
the clean held-out data of a denoising problem) and maps a dictionary to its
scores. The objective builds one per problem and calls it on every iterate;
another model (a convolutional one) plugs in as another scorer with the same
call.
"""
import numpy as np

from benchmark_utils.coding.convolutional import (
    conv_lasso_loss,
    sparse_encode_conv,
)
from benchmark_utils.coding.lasso import lasso_loss
from benchmark_utils.coding.lasso_cd import sparse_encode_cd
from benchmark_utils.learning.atoms import (
    atoms_to_images,
    normalize_atoms,
    sanitize_atoms,
)
from benchmark_utils.learning.convolutional import (
    normalize_conv_atoms,
    sanitize_conv_atoms,
)
from benchmark_utils.metrics.convolutional import (
    check_conv_atoms,
    shift_matched_correlations,
)
from benchmark_utils.metrics.denoising import psnr
from benchmark_utils.metrics.recovery import (
    RECOVERED_THRESHOLD,
    matched_correlations,
)
from benchmark_utils.validation import check_dictionary


class DictionaryScorer:
    """Scores of a dictionary ``D`` on one problem.

    Parameters
    ----------
    X_eval, X_test_eval : ndarray of shape (n, n_features)
        Training and held-out samples the losses are computed on.
    lmbd : float
        Lasso weight of the losses, in the benchmark's units (the loss
        averaged over samples).
    n_atoms : int
        Number of atoms a dictionary must have.
    D_true : ndarray of shape (n_atoms, n_features) or None
        Ground truth; None for real data (no recovery scores).
    X_test_clean_eval : ndarray or None
        Clean references of ``X_test_eval``, for the denoising PSNR.
    pixel_scale : float
        Gray levels per unit of the data (denoising only).
    atom_shape : tuple of int or None
        Shape of an atom seen as an image (``patches``): the atoms are then
        returned as 8-bit images, for the "Learned atoms" view.
    tol : float
        Stopping tolerance of the Lasso coordinate descent
        (:func:`~benchmark_utils.coding.lasso_cd.sparse_encode_cd`): the largest
        step of a sweep relative to the largest code entry.
    warm_start : bool, default=False
        Start the codes of a call from those of the previous call (the
        objective scores the iterates of one run in order, and successive
        iterates share most of their codes' supports); :meth:`reset` forgets
        them. The scores are those of a cold start to rounding (the codes
        are exact either way); only the time changes: 15 to 36% less an
        iterate along runs of the default problem (``docs/speed.md``,
        ``python bench/bench_objective.py --lasso-only``).
    """

    def __init__(self, X_eval, X_test_eval, lmbd, n_atoms, D_true=None,
                 X_test_clean_eval=None, pixel_scale=1.0, atom_shape=None,
                 tol=1e-4, warm_start=False):
        self.X_eval, self.X_test_eval = X_eval, X_test_eval
        self.lmbd, self.n_atoms, self.D_true = lmbd, n_atoms, D_true
        self.n_features = X_eval.shape[1]
        self.X_test_clean_eval = X_test_clean_eval
        self.pixel_scale = pixel_scale
        self.atom_shape = None if atom_shape is None else tuple(atom_shape)
        self.tol = tol
        self.warm_start = bool(warm_start)
        self.reset()

    def reset(self):
        """Forget the codes of the previous call (a new run starts)."""
        self._codes = (None, None)

    def __call__(self, D):
        """Scores of ``D``, as a dict of floats.

        - ``recovery``, ``recovered_fraction`` (with a ground truth): mean
          matched |correlation| with the true atoms, share matched at 0.99;
        - ``loss_train``, ``loss_test``, ``generalization_gap``: the Lasso
          loss with codes recomputed by coordinate descent for ``D`` with its
          atoms normalized (rescaling atoms cannot lower it);
        - ``psnr`` (with clean held-out data): the denoising score;
        - ``n_invalid_atoms``: atoms with NaN or infinite entries, scored as
          zero atoms (a broken solver gets a finite worst score);
        - ``atoms`` (with an ``atom_shape``): the atoms as 8-bit images (a
          few kB).

        Raises
        ------
        ValueError
            When ``D`` is not of shape ``(n_atoms, n_features)``.
        """
        D = check_dictionary(D, "D", n_atoms=self.n_atoms,
                             n_features=self.n_features)
        D, n_invalid = sanitize_atoms(D)
        D = normalize_atoms(D)

        Z, Z_test = (sparse_encode_cd(X, D, self.lmbd, tol=self.tol,
                                      Z_init=Z_init)
                     for X, Z_init in zip((self.X_eval, self.X_test_eval),
                                          self._codes))
        if self.warm_start:
            self._codes = (Z, Z_test)
        loss_train = lasso_loss(self.X_eval, Z, D, self.lmbd)
        loss_test = lasso_loss(self.X_test_eval, Z_test, D, self.lmbd)
        scores = {}
        if self.D_true is not None:
            correlations = matched_correlations(self.D_true, D)
            scores.update(
                recovery=float(correlations.mean()),
                recovered_fraction=float(
                    np.mean(correlations >= RECOVERED_THRESHOLD)
                ),
            )
        scores.update(
            loss_train=loss_train,
            loss_test=loss_test,
            generalization_gap=loss_test - loss_train,
        )
        if self.X_test_clean_eval is not None:
            scores["psnr"] = psnr(Z_test @ D, self.X_test_clean_eval,
                                  self.pixel_scale)
        scores["n_invalid_atoms"] = n_invalid
        if self.atom_shape is not None:
            scores["atoms"] = atoms_to_images(D, self.atom_shape)
        return scores


class ConvolutionalScorer:
    """Scores of convolutional atoms ``D`` on one problem, with the call of
    :class:`DictionaryScorer` and the same columns.

    - ``recovery``, ``recovered_fraction`` (with true atoms): the
      shift-invariant recovery (:func:`~benchmark_utils.metrics.
      shift_invariant_recovery`, lags capped at half an atom) and the share
      of true atoms matched at 0.99;
    - ``loss_train``, ``loss_test``, ``generalization_gap``: the
      convolutional Lasso (:func:`~benchmark_utils.coding.convolutional.
      conv_lasso_loss`) with activations recomputed by one shared solver
      (FISTA to a relative change of ``tol``) for the normalized atoms;
    - ``n_invalid_atoms``: atoms with NaN or infinite entries, scored as
      zero atoms.

    Parameters
    ----------
    X_eval, X_test_eval : ndarray of shape (n, n_channels, n_times)
    lmbd : float
    atoms_shape : tuple (n_atoms, n_channels, n_times_atom)
        The shape every estimate must have.
    D_true : ndarray of shape ``atoms_shape`` or None
    tol, max_iter : the stopping rule of the activations' FISTA.
    """

    def __init__(self, X_eval, X_test_eval, lmbd, atoms_shape, D_true=None,
                 tol=1e-4, max_iter=1000):
        self.X_eval, self.X_test_eval = X_eval, X_test_eval
        self.lmbd, self.atoms_shape = lmbd, tuple(atoms_shape)
        self.D_true, self.tol, self.max_iter = D_true, tol, max_iter

    def reset(self):
        """Nothing to forget: every call starts its activations from zero."""

    def __call__(self, D):
        """Scores of ``D``, as a dict of floats.

        Raises
        ------
        ValueError
            When ``D`` is not of shape ``(n_atoms, n_channels,
            n_times_atom)``.
        """
        D = check_conv_atoms(D, "D", shape=self.atoms_shape)
        D, n_invalid = sanitize_conv_atoms(D)
        D = normalize_conv_atoms(D)
        losses = []
        for X in (self.X_eval, self.X_test_eval):
            Z = sparse_encode_conv(X, D, self.lmbd, tol=self.tol,
                                   max_iter=self.max_iter)
            losses.append(conv_lasso_loss(X, Z, D, self.lmbd))
        scores = {}
        if self.D_true is not None:
            matched = shift_matched_correlations(self.D_true, D)
            scores.update(
                recovery=float(matched.mean()),
                recovered_fraction=float(
                    np.mean(matched >= RECOVERED_THRESHOLD)),
            )
        scores.update(loss_train=losses[0], loss_test=losses[1],
                      generalization_gap=losses[1] - losses[0],
                      n_invalid_atoms=n_invalid)
        return scores
