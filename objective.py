import numpy as np

from benchmark_utils.coding import conv_lambda_max, lambda_max
from benchmark_utils.learning import (
    INIT_METHODS,
    init_conv_atoms,
    init_dictionary,
    normalize_atoms,
    sanitize_atoms,
)
from benchmark_utils.metrics import (
    ConvolutionalScorer,
    DictionaryScorer,
    conv_lasso_recovery_ceiling,
    lasso_recovery_ceiling,
    omp_recovery_ceiling,
)
from benchmark_utils.metrics.stability import (
    replicate_skip_reason,
    split_halves,
)
from benchmark_utils.metrics.theory import (
    initialization_conditions,
    penalty_conditions,
)
from benchmark_utils.runtime.objective import (
    BenchmarkObjective,
    once_per_problem,
)
from benchmark_utils.runtime.stopping import WindowProgressCriterion


class Objective(BenchmarkObjective):
    """Dictionary recovery: how well does a learned dictionary match the truth?

    Solvers learn ``D`` (atoms as rows) from ``X ~ Z @ D`` for the Lasso
    regularization ``lmbd = reg * lambda_max(X)``, all starting from the same
    ``D_init``. Every intermediate dictionary is scored on:

    - ``recovery``: mean matched |correlation| with the true atoms (1 = recovered
      up to permutation and sign); ``recovered_fraction``: share of true atoms
      matched at |correlation| >= 0.99;
    - ``loss_train`` / ``loss_test``: the Lasso objective
      ``0.5 ||x - z D||^2 + lmbd ||z||_1`` averaged over samples, with codes
      recomputed by one shared solver (compiled coordinate descent,
      ``benchmark_utils.coding.sparse_encode_cd``) for ``D`` with its atoms
      normalized, so that rescaling atoms cannot lower it; ``generalization_gap``
      is their difference;
    - ``psnr`` (datasets with clean held-out data, such as ``patches``): the
      denoising score, PSNR in dB of the held-out noisy samples reconstructed
      from their codes against the clean ones (``benchmark_utils.metrics``);
    - ``atoms`` (datasets whose atoms are images): the learned atoms as 8-bit
      images, drawn by the "Learned atoms" view;
    - ``n_invalid_atoms``: atoms with NaN or infinite entries, scored as zero
      atoms (so a broken solver gets a finite worst score, never a NaN);
    - ``budget_spent``: 1 at the evaluation after which benchopt's
      ``--timeout`` or ``--max-runs`` ends the run, else 0 (see
      ``benchmark_utils.results.studies.final_runs``: a run still progressing when its
      budget ended is "cut");
    - the dataset's measured properties, prefixed with ``data_``, and the
      recovery ceilings of the problem (``benchmark_utils.metrics.ceilings``):
      ``data_recovery_oracle`` (least squares with the true codes, from the
      dataset), ``data_ceiling_lasso`` (the Lasso criterion's stationary
      point near ``D_true``, with this ``lmbd``) and ``data_ceiling_omp`` (the
      OMP and least-squares fixed point at ``n_nonzeros``), both on the
      training set (up to ``n_ceiling_samples`` of it), and the
      conditions of the recovery theorems (``data_theory_*``, 1 where the
      problem satisfies one; ``benchmark_utils.metrics.theory`` and
      ``docs/theory.md``), those on ``lmbd`` and on ``D_init`` included;
    - ``dictionary`` (runs with a ``replicate``): the normalized dictionary,
      which the stability score of two replicates compares;
    - ``criterion``: the criterion the solver optimizes (``lasso``, ``omp``
      or ``none``), whose ceiling splits its error (the "Error budget" view);
    - what reproduces the result (``benchmark_utils.runtime.provenance``): package
      ``versions``, ``blas``, ``seed_dataset``, ``seed_objective`` and the
      digests ``digest_data`` and ``digest_D_init``, computed once per problem.

    The scores of a dictionary are ``benchmark_utils.metrics.DictionaryScorer``;
    the thread policy, provenance, watchdog, budget and cache key come from
    ``benchmark_utils.runtime.objective.BenchmarkObjective``.

    A dataset without a ground truth (``D_true`` None, e.g. ``patches``) gives
    the number of atoms to learn as ``n_atoms``; its rows have no recovery
    columns, and the stopping rule judges them on the training loss.

    A convolutional dataset (``simulated-convolutional``) is recognized from
    its signals, ``X`` of shape ``(n_signals, n_channels, n_times)`` and
    ``D_true`` of shape ``(n_atoms, n_channels, n_times_atom)``: ``lmbd =
    reg * conv_lambda_max(X, n_times_atom)`` (the largest norm of a window of
    an atom's length, averaged over signals), ``D_init`` has the atoms'
    shape (``benchmark_utils.learning.init_conv_atoms``, the same three
    protocols), and the scores are the same columns
    (``benchmark_utils.metrics.ConvolutionalScorer``: recovery up to shift,
    permutation and sign, the convolutional Lasso); the oracle is the
    least-squares atoms with the true activations, ``data_ceiling_lasso``
    the convolutional Lasso's stationary point reached from ``D_true``.
    Solvers tell the two models apart from ``D_init``
    (``benchmark_utils.validation.model_mismatch_reason``) and skip the other
    one with a reason.
    """

    name = "Dictionary recovery"
    min_benchopt_version = "1.10"
    requirements = ["pip::scipy"]

    parameters = {
        # Fraction of lambda_max = mean_i ||x_i||_2 (see coding.lambda_max).
        "reg": [0.1],
        # Protocol of the shared initial dictionary.
        "init": ["random"],
        # l2 distance of each initial atom to its true atom, for init="close".
        "close_distance": [0.5],
        # Threads of every solver (BLAS, OpenMP, SPAMS, PyTorch); None: the
        # DICTREC_N_THREADS environment variable, else 1. 0: all cores. See
        # benchmark_utils/threads.py.
        "n_threads": [None],
        # A replicate of the run for the stability score (no ground truth
        # needed, benchmark_utils.metrics.stability): "half-1" / "half-2"
        # learn from two disjoint halves of the training set, "init-1" /
        # "init-2" from all of it with two random initial dictionaries (the
        # init protocol with two other seeds); "none": a plain run. Replicates
        # keep their dictionaries in the results (the "dictionary" column).
        "replicate": ["none"],
    }

    # Samples used for the losses: a fixed random subset of the training set (and
    # of the held-out set), drawn once per problem with the objective's seed, so
    # that one evaluation costs two batch Lasso of this size whatever n_samples.
    n_eval_samples = 2000
    # Samples the recovery ceilings are computed on: the training set the
    # solvers learn from, up to this many (a fixed random subset beyond,
    # drawn after the evaluation subsets, with their seed). A ceiling on fewer
    # samples is lower: on a problem like P1 with 100,000 samples the Lasso
    # ceiling is 0.99886 on 2,000 of them, 0.99990 on 20,000, 0.99996 on
    # 50,000 and 0.99998 on all; its gap to 1 falls as 1/n, so 100,000
    # leave it about 2e-5 below its value on a million, a fifth of the
    # stopping rule's tolerance at the ceiling (1e-4). docs/verdicts.md.
    n_ceiling_samples = 100_000
    # Stopping tolerance of the Lasso coordinate descent that computes the
    # losses (largest step of a sweep relative to the largest code, checked
    # by feature-sign steps): the loss is then exact to the 1e-15 of the
    # duality gap on the default problem and on P1, near-parallel atoms
    # included (docs/speed.md, bench/bench_objective.py).
    eval_tol = 1e-4
    # Signals of a convolutional problem its losses are computed on, and the
    # tolerance of their activations' FISTA: the loss is then within 1e-6
    # (relative) of the exact one from the random, data and true atoms of a
    # problem of 3 atoms of 32 samples and 10 signals of 1,000
    # (docs/convolutional.md).
    n_eval_signals = 20
    conv_eval_tol = 1e-4

    # A run stops when it has nothing left to gain (or at benchopt's
    # --timeout): at once at recovery 1 - 1e-6 or within 1e-4 of its
    # criterion's recovery ceiling; otherwise never before iteration 20, then
    # when the last tenfold stretch of iterations, (k/10, k] at iteration k,
    # raised neither the best recovery (by 1e-4) nor lowered the best training
    # loss (by 0.1%, relative) beyond the curve's own noise, or when over the
    # last two thirds, (k/3, k], both got worse than before. The reasons and
    # the contract it is checked against are in
    # benchmark_utils/runtime/stopping.py and bench/bench_stopping.py.
    # DICTREC_STOPPING=off turns it off.
    stopping_criterion = WindowProgressCriterion()

    test_config = {"dataset": {"n_samples": 500, "n_test": 200}}

    def skip(self, X, X_test, D_true, **data):
        if data.get("skip_reason"):  # an infeasible cell of a dataset's grid
            return True, data["skip_reason"]
        n_atoms = D_true.shape[0] if D_true is not None else data.get("n_atoms")
        reason = replicate_skip_reason(self.replicate, len(X), n_atoms or 0)
        if reason:
            return True, reason
        if D_true is None and self.init == "close":
            return True, ("init='close' needs a ground-truth dictionary; this "
                          "dataset has none (use init='random' or 'data')")
        if np.ndim(X) == 3 and self.replicate != "none":
            return True, ("the stability replicates compare linear "
                          "dictionaries; this problem is convolutional")
        return False, None

    def set_problem(self, X, X_test, D_true, n_nonzeros=None, properties=None,
                    seed=None, n_atoms=None, X_test_clean=None,
                    pixel_scale=1.0, atom_shape=None, n_times_atom=None):
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
        # One seed per problem and repetition (whatever the objective's
        # parameters): the initial dictionary every solver starts from, the
        # samples the losses are computed on and the halves of a replicate.
        self.seed_objective = self.get_seed(use_repetition=True)
        rng = np.random.default_rng(self.seed_objective)
        rng_init, rng_eval, rng_split, rng_replicate = rng.spawn(4)
        if self.replicate.startswith("half"):
            # The same two halves for half-1 and half-2 (the same seed).
            halves = split_halves(len(X), rng_split)
            X = X[halves[int(self.replicate[-1]) - 1]]
        elif self.replicate.startswith("init"):
            rng_init = rng_replicate.spawn(2)[int(self.replicate[-1]) - 1]
        self.X, self.X_test, self.D_true = X, X_test, D_true
        self.n_nonzeros = n_nonzeros
        self.properties = dict(properties or {})
        self.n_atoms = D_true.shape[0] if D_true is not None else int(n_atoms)
        if np.ndim(X) == 3:
            self._set_convolutional(X, X_test, D_true, n_times_atom,
                                    rng_init, rng_eval)
            return
        self.lmbd = self.reg * lambda_max(X)

        self.D_init = init_dictionary(
            X, self.n_atoms, self.init, D_true=D_true,
            distance=self.close_distance, random_state=rng_init,
        )
        train_idx = self._subsample(len(X), rng_eval)
        test_idx = self._subsample(len(X_test), rng_eval)
        self.scorer = DictionaryScorer(
            X[train_idx], X_test[test_idx], self.lmbd, self.n_atoms,
            D_true=D_true,
            X_test_clean_eval=(None if X_test_clean is None
                               else X_test_clean[test_idx]),
            pixel_scale=pixel_scale, atom_shape=atom_shape, tol=self.eval_tol,
            warm_start=True,
        )
        if D_true is not None:
            # What each criterion allows on this problem: the recovery of its
            # stationary point reached from D_true, on the training samples
            # the solvers learn from. The stopping rule ends a run at its
            # criterion's ceiling.
            # Computed once per process and problem: benchopt sets the data
            # again for every run.
            X_ceiling = X[self._subsample(len(X), rng_eval,
                                          self.n_ceiling_samples)]
            self.properties["ceiling_lasso"] = once_per_problem(
                lasso_recovery_ceiling, X_ceiling, D_true, lmbd=self.lmbd)
            if n_nonzeros is not None:
                self.properties["ceiling_omp"] = once_per_problem(
                    omp_recovery_ceiling, X_ceiling, D_true,
                    n_nonzeros=n_nonzeros)
            # The conditions of the recovery theorems that need lmbd or the
            # initial dictionary (the dataset reports the others).
            self.properties.update(penalty_conditions(self.properties,
                                                      self.lmbd))
            if n_nonzeros is not None:
                self.properties.update(initialization_conditions(
                    self.D_init, D_true, n_nonzeros))

    def _set_convolutional(self, X, X_test, D_true, n_times_atom, rng_init,
                           rng_eval):
        """The convolutional problem: its lmbd, initial atoms and scorer."""
        L = D_true.shape[2] if D_true is not None else int(n_times_atom)
        self.lmbd = self.reg * conv_lambda_max(X, L)
        self.D_init = init_conv_atoms(
            X, self.n_atoms, L, self.init, D_true=D_true,
            distance=self.close_distance, random_state=rng_init)
        train_idx = self._subsample(len(X), rng_eval, self.n_eval_signals)
        test_idx = self._subsample(len(X_test), rng_eval, self.n_eval_signals)
        self.scorer = ConvolutionalScorer(
            X[train_idx], X_test[test_idx], self.lmbd, self.D_init.shape,
            D_true=D_true, tol=self.conv_eval_tol)
        if D_true is not None:
            # What the convolutional Lasso allows: its stationary point
            # reached from D_true, on the signals the loss is scored on.
            self.properties["ceiling_lasso"] = once_per_problem(
                conv_lasso_recovery_ceiling, self.scorer.X_eval, D_true,
                lmbd=self.lmbd)

    def _subsample(self, n, rng, size=None):
        """Indices of a subset of ``n`` rows: all of them when ``n <= size``
        (``n_eval_samples`` by default), else ``size`` drawn from ``rng``."""
        size = self.n_eval_samples if size is None else size
        if n <= size:
            return np.arange(n)
        return np.sort(rng.choice(n, size, replace=False))

    def solver_inputs(self):
        # A run starts: the scorer's warm start must not carry the codes of
        # another run's last iterate (a run's scores depend on it alone).
        self.scorer.reset()
        return dict(X=self.X, D_init=self.D_init.copy(), lmbd=self.lmbd,
                    n_nonzeros=self.n_nonzeros)

    def score(self, D):
        scores = self.scorer(D)
        scores.update({f"data_{k}": v for k, v in self.properties.items()})
        if self.replicate != "none":
            # The stability score pairs the final dictionaries of the two
            # replicates (benchmark_utils.results.stability).
            scores["dictionary"] = normalize_atoms(sanitize_atoms(D)[0])
        return scores

    def get_one_result(self):
        return dict(D=self.D_init)
