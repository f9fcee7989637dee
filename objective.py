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
from benchmark_utils.validation import problem_model


class Objective(BenchmarkObjective):
    """Dictionary recovery: how well does a learned dictionary match the truth?

    A problem is a dataset's training samples ``X ~ Z @ D_true`` (atoms as
    rows), its held-out samples ``X_test`` and, when it has one, its true
    dictionary ``D_true``. Every solver receives the same ``X``, the same
    initial dictionary ``D_init`` (the ``init`` protocol, drawn once per
    problem and repetition) and the same Lasso weight ``lmbd = reg *
    lambda_max(X)``, and learns ``D``. Every dictionary it reports is scored
    by one scorer (``benchmark_utils.metrics.scoring``): its recovery of the
    true atoms up to permutation and sign, and the Lasso losses on training
    and held-out samples with codes recomputed by one shared solver, so that
    every solver is judged on the same computation. The scores sit next to
    what the problem allows (the recovery ceilings of each criterion) and
    what reproduces the result; every column is declared in
    ``benchmark_utils/schema.py`` and listed in ``docs/columns.md``.

    A dataset without a ground truth (``D_true`` None, e.g. ``patches``) gives
    the number of atoms to learn as ``n_atoms``; its rows have no recovery.

    Two models share the protocol, told apart by ``X``
    (``benchmark_utils.validation.problem_model``): linear (``X`` of shape
    ``(n_samples, n_features)``) and convolutional (``(n_signals,
    n_channels, n_times)``, atoms ``(n_atoms, n_channels, n_times_atom)``,
    ``docs/convolutional.md``), whose ``lmbd``, ``D_init`` and scorer are
    their convolutional counterparts under the same column names. A solver
    reads the model from ``D_init`` and skips the other one with a reason.

    What a run needs from benchopt's side (thread policy, provenance,
    watchdog, cache key, budget flag) comes from the base class,
    ``benchmark_utils.runtime.objective.BenchmarkObjective``, called from
    the hooks below.
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

    # Samples the losses are computed on: a fixed random subset of the
    # training set (and of the held-out set), drawn once per problem with the
    # objective's seed, so that an evaluation costs the same whatever
    # n_samples.
    n_eval_samples = 2000
    # Samples the recovery ceilings are computed on: the training set the
    # solvers learn from, up to this many (a fixed random subset beyond,
    # drawn after the evaluation subsets). A ceiling on fewer samples is
    # lower; this many keep it within a fraction of the stopping rule's
    # tolerance at the ceiling of its value on all of them (docs/stopping.md).
    n_ceiling_samples = 100_000
    # Stopping tolerance of the Lasso coordinate descent that computes the
    # losses (largest step of a sweep relative to the largest code, checked
    # by feature-sign steps): tight enough for the loss to be exact to the
    # duality gap (docs/speed.md, bench/bench_objective.py).
    eval_tol = 1e-4
    # Signals of a convolutional problem its losses are computed on, and the
    # tolerance of their activations' FISTA (docs/convolutional.md).
    n_eval_signals = 20
    conv_eval_tol = 1e-4

    # A run stops when it has nothing left to gain: at its criterion's
    # recovery ceiling, or when it no longer progresses beyond its own noise;
    # benchopt's --timeout and --max-runs end the others (docs/stopping.md).
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
        if problem_model(X) == "convolutional" and self.replicate != "none":
            return True, ("the stability replicates compare linear "
                          "dictionaries; this problem is convolutional")
        return False, None

    def set_data(self, X, X_test, D_true, n_nonzeros=None, properties=None,
                 seed=None, n_atoms=None, X_test_clean=None,
                 pixel_scale=1.0, atom_shape=None, n_times_atom=None):
        self.apply_thread_policy()  # before anything is computed
        self._check_parameters(D_true, n_atoms)
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
        if problem_model(X) == "convolutional":
            self._set_convolutional(n_times_atom, rng_init, rng_eval)
        else:
            self._set_linear(X_test_clean, pixel_scale, atom_shape, rng_init,
                             rng_eval)
        self.record_provenance(seed_dataset=seed)

    def get_objective(self):
        self.solver_started()  # a solver that never reports is interrupted
        # A run starts: the scorer's warm start must not carry the codes of
        # another run's last iterate (a run's scores depend on it alone).
        self.scorer.reset()
        return dict(X=self.X, D_init=self.D_init.copy(), lmbd=self.lmbd,
                    n_nonzeros=self.n_nonzeros)

    def evaluate_result(self, D):
        self.solver_reported()
        result = self.scorer(D)
        result.update({f"data_{k}": v for k, v in self.properties.items()})
        if self.replicate != "none":
            # The stability score pairs the final dictionaries of the two
            # replicates (benchmark_utils.results.stability).
            result["dictionary"] = normalize_atoms(sanitize_atoms(D)[0])
        return self.with_run_record(result)

    def get_one_result(self):
        return dict(D=self.D_init)

    def _check_parameters(self, D_true, n_atoms):
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

    def _set_linear(self, X_test_clean, pixel_scale, atom_shape, rng_init,
                    rng_eval):
        """The linear problem: its lmbd, initial dictionary, scorer and
        recovery ceilings."""
        X, X_test, D_true = self.X, self.X_test, self.D_true
        n_nonzeros = self.n_nonzeros
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
        if D_true is None:
            return
        # What each criterion allows on this problem: the recovery of its
        # stationary point reached from D_true, on the training samples the
        # solvers learn from. The stopping rule ends a run at its criterion's
        # ceiling. Computed once per process and problem: benchopt sets the
        # data again for every run.
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
        self.properties.update(penalty_conditions(self.properties, self.lmbd))
        if n_nonzeros is not None:
            self.properties.update(initialization_conditions(
                self.D_init, D_true, n_nonzeros))

    def _set_convolutional(self, n_times_atom, rng_init, rng_eval):
        """The convolutional problem: its lmbd, initial atoms, scorer and
        Lasso ceiling."""
        X, X_test, D_true = self.X, self.X_test, self.D_true
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
