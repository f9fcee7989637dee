import numpy as np
from benchopt import BaseObjective

from benchmark_utils.atoms import normalize_atoms, sanitize_atoms
from benchmark_utils.initialization import INIT_METHODS, init_dictionary
from benchmark_utils.metrics import RECOVERED_THRESHOLD, matched_correlations
from benchmark_utils.patches import atoms_to_images, psnr
from benchmark_utils.provenance import provenance_columns
from benchmark_utils.stopping import WindowProgressCriterion
from benchmark_utils.threads import apply_thread_policy
from benchmark_utils.sparse_coding import (
    lambda_max, lasso_cost, sparse_encode_fista
)
from benchmark_utils.validation import check_dictionary
# Faults, cache and dashboard (docs/verdicts.md, "Faults, caching and the dashboard").
from benchmark_utils.cache_key import LibraryCacheKey
from benchmark_utils.dashboard import use_offline_plotly
from benchmark_utils.watchdog import arm_solver_deadline, budget_spent

use_offline_plotly()


class Objective(LibraryCacheKey, BaseObjective):
    """Dictionary recovery: how well does a learned dictionary match the truth?

    Solvers learn ``D`` (atoms as rows) from ``X ~ Z @ D`` for the Lasso
    regularization ``lmbd = reg * lambda_max(X)``, all starting from the same
    ``D_init``. Every intermediate dictionary is scored on:

    - ``recovery``: mean matched |correlation| with the true atoms (1 = recovered
      up to permutation and sign); ``recovered_fraction``: share of true atoms
      matched at |correlation| >= 0.99;
    - ``loss_train`` / ``loss_test``: the Lasso objective
      ``0.5 ||x - z D||^2 + lmbd ||z||_1`` averaged over samples, with codes
      recomputed by one shared solver (restarted FISTA) for ``D`` with its atoms
      normalized, so that rescaling atoms cannot lower it; ``generalization_gap``
      is their difference;
    - ``psnr`` (datasets with clean held-out data, such as ``patches``): the
      denoising score, PSNR in dB of the held-out noisy samples reconstructed
      from their codes against the clean ones (``benchmark_utils.patches``);
    - ``atoms`` (datasets whose atoms are images): the learned atoms as 8-bit
      images, drawn by the "Learned atoms" view;
    - ``n_invalid_atoms``: atoms with NaN or infinite entries, scored as zero
      atoms (so a broken solver gets a finite worst score, never a NaN);
    - ``budget_spent``: 1 at the evaluation after which benchopt's
      ``--timeout`` or ``--max-runs`` ends the run, else 0 (see
      ``benchmark_utils.studies.final_runs``: a run still progressing when its
      budget ended is "cut");
    - the dataset's measured properties, prefixed with ``data_``;
    - what reproduces the result (``benchmark_utils.provenance``): package
      ``versions``, ``blas``, ``seed_dataset``, ``seed_objective`` and the
      digests ``digest_data`` and ``digest_D_init``, computed once per problem.

    A dataset without a ground truth (``D_true`` None, e.g. ``patches``) gives
    the number of atoms to learn as ``n_atoms``; its rows have no recovery
    columns, and the stopping rule judges them on the training loss.
    """

    name = "Dictionary recovery"
    min_benchopt_version = "1.10"
    requirements = ["pip::scipy"]

    parameters = {
        # Fraction of lambda_max = mean_i ||x_i||_2 (see sparse_coding.lambda_max).
        "reg": [0.1],
        # Protocol of the shared initial dictionary.
        "init": ["random"],
        # l2 distance of each initial atom to its true atom, for init="close".
        "close_distance": [0.5],
        # Threads of every solver (BLAS, OpenMP, SPAMS, PyTorch); None: the
        # DICTREC_N_THREADS environment variable, else 1. 0: all cores. See
        # benchmark_utils/threads.py.
        "n_threads": [None],
    }

    # Samples used for the losses: a fixed random subset of the training set (and
    # of the held-out set), drawn once per problem with the objective's seed, so
    # that one evaluation costs two batch Lasso of this size whatever n_samples.
    n_eval_samples = 2000
    # Stopping tolerance of the shared Lasso solver on the relative change of
    # the codes. On P1 (bench/bench_objective.py), 3e-4 leaves a relative error
    # on the loss below 1e-6 against a solve to 1e-12, from the random init as
    # from the true dictionary.
    eval_tol = 3e-4

    # A run stops only when it has stopped progressing (or at benchopt's
    # --timeout): never before iteration `window`, and then only when the last
    # `window`-fold stretch of iterations, (k/10, k] at iteration k, raised
    # neither the best recovery (by 1e-4) nor lowered the best training loss
    # (by 0.1%, relative); a run that reaches recovery 1 - 1e-6 stops at once.
    # The reasons and the contract it is checked against are in
    # benchmark_utils/stopping.py and bench/bench_stopping.py.
    # DICTREC_STOPPING=off turns it off.
    stopping_criterion = WindowProgressCriterion()

    test_config = {"dataset": {"n_samples": 500, "n_test": 200}}

    def skip(self, X, X_test, D_true, **data):
        if data.get("skip_reason"):  # an infeasible cell of a dataset's grid
            return True, data["skip_reason"]
        if D_true is None and self.init == "close":
            return True, ("init='close' needs a ground-truth dictionary; this "
                          "dataset has none (use init='random' or 'data')")
        return False, None

    def set_data(self, X, X_test, D_true, n_nonzeros=None, properties=None,
                 seed=None, n_atoms=None, X_test_clean=None, pixel_scale=1.0,
                 atom_shape=None):
        if self.init not in INIT_METHODS:
            raise ValueError(
                f"init must be one of {list(INIT_METHODS)}, got {self.init!r}."
            )
        if not (np.isfinite(self.reg) and self.reg > 0):
            raise ValueError(f"reg must be a positive float, got {self.reg!r}.")
        if not 0.0 <= self.close_distance <= 2.0:
            raise ValueError(
                f"close_distance must be in [0, 2], got {self.close_distance!r}."
            )
        if D_true is None and n_atoms is None:
            raise ValueError(
                "a dataset without D_true must give n_atoms, the size of the "
                "dictionary to learn."
            )
        self.n_threads_applied = apply_thread_policy(self.n_threads)
        self.X, self.X_test, self.D_true = X, X_test, D_true
        self.n_nonzeros = n_nonzeros
        self.properties = dict(properties or {})
        self.n_atoms = D_true.shape[0] if D_true is not None else int(n_atoms)
        self.n_features = X.shape[1]
        self.lmbd = self.reg * lambda_max(X)
        # Real data: denoising score and atoms shown as images.
        self.pixel_scale = pixel_scale
        self.atom_shape = tuple(atom_shape) if atom_shape is not None else None

        seed_objective = self.get_seed(use_repetition=True)
        rng = np.random.default_rng(seed_objective)
        rng_init, rng_eval = rng.spawn(2)
        self.D_init = init_dictionary(
            X, self.n_atoms, self.init, D_true=D_true,
            distance=self.close_distance, random_state=rng_init,
        )
        self.provenance = provenance_columns(
            X, X_test, D_true, self.D_init, seed_dataset=seed,
            seed_objective=seed_objective,
        )
        self.X_eval = X[self._subsample(len(X), rng_eval)]
        test_idx = self._subsample(len(X_test), rng_eval)
        self.X_test_eval = X_test[test_idx]
        self.X_test_clean_eval = (
            None if X_test_clean is None else X_test_clean[test_idx]
        )

    def _subsample(self, n, rng):
        """Indices of the evaluation subset: all rows, or n_eval_samples."""
        if n <= self.n_eval_samples:
            return np.arange(n)
        return np.sort(rng.choice(n, self.n_eval_samples, replace=False))

    def get_objective(self):
        arm_solver_deadline()  # a solver that never returns is interrupted
        return dict(X=self.X, D_init=self.D_init.copy(), lmbd=self.lmbd,
                    n_nonzeros=self.n_nonzeros)

    def evaluate_result(self, D):
        arm_solver_deadline()  # the solver reported: restart its watchdog
        D = check_dictionary(D, "D", n_atoms=self.n_atoms,
                             n_features=self.n_features)
        D, n_invalid = sanitize_atoms(D)
        D = normalize_atoms(D)

        # One Lipschitz constant for both Lasso solves.
        lipschitz = float(np.linalg.eigvalsh(D @ D.T)[-1])
        Z, Z_test = (
            sparse_encode_fista(X, D, self.lmbd, tol=self.eval_tol,
                                lipschitz=lipschitz)
            for X in (self.X_eval, self.X_test_eval)
        )
        loss_train = lasso_cost(self.X_eval, Z, D, self.lmbd)
        loss_test = lasso_cost(self.X_test_eval, Z_test, D, self.lmbd)
        result = {}
        if self.D_true is not None:
            correlations = matched_correlations(self.D_true, D)
            result.update(
                recovery=float(correlations.mean()),
                recovered_fraction=float(
                    np.mean(correlations >= RECOVERED_THRESHOLD)
                ),
            )
        result.update(
            loss_train=loss_train,
            loss_test=loss_test,
            generalization_gap=loss_test - loss_train,
        )
        if self.X_test_clean_eval is not None:
            result["psnr"] = psnr(Z_test @ D, self.X_test_clean_eval,
                                  self.pixel_scale)
        result.update(
            n_invalid_atoms=n_invalid,
            n_threads=self.n_threads_applied,
            **{f"data_{k}": v for k, v in self.properties.items()},
            **self.provenance,
        )
        spent = budget_spent()
        if spent is not None:
            # 1 at the evaluation where --timeout or --max-runs ends the run:
            # the studies tell a run cut by its budget from one that ended.
            result["budget_spent"] = float(spent)
        if self.atom_shape is not None:
            # The atoms as 8-bit images (a few kB), for the "Learned atoms"
            # view.
            result["atoms"] = atoms_to_images(D, self.atom_shape)
        return result

    def get_one_result(self):
        return dict(D=self.D_init)
