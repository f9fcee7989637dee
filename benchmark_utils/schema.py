"""The columns of the benchmark's results, declared once.

Every column the objective writes is declared here: its name, what it means
and where it comes from. benchopt stores a column the objective returns as
``name`` under ``objective_<name>`` (:func:`key`); the stopping rule, the
study summaries of ``results/`` and the views of ``plots/`` read the results
through the keys below, and ``docs/columns.md`` is this module's table::

    python -m benchmark_utils.schema    # writes docs/columns.md

A name ending in ``*`` declares a family of columns (the conditions of the
recovery theorems). A shared module: it imports nothing of the library, so
that every package may read it.
"""
import sys
from dataclasses import dataclass
from pathlib import Path

# The prefix benchopt puts before the name of every column an objective returns.
PREFIX = "objective_"

# The page this module renders, and the command that regenerates it.
PAGE = Path(__file__).resolve().parents[1] / "docs" / "columns.md"
COMMAND = "python -m benchmark_utils.schema"


@dataclass(frozen=True)
class Column:
    """One column of the results.

    Parameters
    ----------
    name : str
        The name the objective returns (benchopt adds :data:`PREFIX`); a name
        ending in ``*`` is a family.
    meaning : str
        What the value is (Markdown).
    source : str
        Where it is computed (a module or component of the benchmark).
    when : str
        Which rows carry it.
    """

    name: str
    meaning: str
    source: str
    when: str = "every row"


_SCORER = "`metrics.scoring` (`DictionaryScorer`, `ConvolutionalScorer`)"
_SIMULATOR = "the dataset (`simulation.make_problem`)"
_OBJECTIVE = "`objective.py` (`set_data`)"
_EVALUATION = "`objective.py` (`evaluate_result`)"
_PROVENANCE = "`runtime.provenance`, once per problem"
_GROUND_TRUTH = "datasets with a ground truth"
_PATCHES = "`patches`"
_CONVOLUTIONAL = "`simulated-convolutional`"

SCORES = (
    Column("recovery",
           "mean over the true atoms of `|<d_k, d̂_π(k)>|`, for the one-to-one "
           "matching `π` that maximizes the sum (Hungarian algorithm): 1 is "
           "the truth up to permutation and sign, a missing atom costs `1/K`; "
           "on a convolutional problem, the best correlation over shifts of "
           "up to half an atom", _SCORER, _GROUND_TRUTH),
    Column("recovered_fraction",
           "share of the true atoms matched (one to one) at "
           "`|correlation| >= 0.99`, K-SVD's criterion", _SCORER,
           _GROUND_TRUTH),
    Column("loss_train",
           "the Lasso objective `mean_i 0.5 ||x_i - z_i D||^2 + lmbd "
           "||z_i||_1` on a fixed random subset of the training set, codes "
           "recomputed by one shared solver (`coding.sparse_encode_cd`) for "
           "`D` with its atoms normalized; per signal, the convolutional "
           "Lasso", _SCORER),
    Column("loss_test", "the same loss on a fixed subset of the held-out "
           "samples", _SCORER),
    Column("generalization_gap", "`loss_test - loss_train`", _SCORER),
    Column("n_invalid_atoms",
           "atoms of the returned `D` with NaN or infinite entries, scored "
           "as zero atoms (a broken solver gets a finite worst score)",
           _SCORER),
    Column("psnr",
           "PSNR (dB) of the held-out noisy samples reconstructed from their "
           "Lasso codes, against the clean ones (the denoising score)",
           _SCORER, "datasets with clean held-out data (`patches`)"),
    Column("atoms", "the learned atoms as 8-bit images (the \"Learned "
           "atoms\" view)", _SCORER, "datasets whose atoms are images "
           "(`patches`)"),
    Column("dictionary",
           "the normalized dictionary, which the stability score of two "
           "replicates matches (`results.stability`); read the file with "
           "`benchopt.results.read_results` to get it back as an array",
           _EVALUATION,
           "runs with a `replicate`"),
)

PROBLEM = (
    Column("data_coherence", "mutual coherence of `D_true`, "
           "`max_{i != j} |<d_i, d_j>|`", _SIMULATOR, "`simulated`"),
    Column("data_welch_bound", "`sqrt((K - n) / (n (K - 1)))`, the lowest "
           "coherence a dictionary of this shape can have", _SIMULATOR,
           "`simulated`"),
    Column("data_rip_s", "the support size `s` of the RIP bounds",
           _SIMULATOR, "`simulated`"),
    Column("data_delta_s_lower", "a lower bound on the RIP constant "
           "`delta_s`, from sampled supports", _SIMULATOR, "`simulated`"),
    Column("data_delta_s_upper", "the tightest cheap upper bound on "
           "`delta_s`: the Babel bound `mu_1(s - 1)` (never above the "
           "coherence bound `(s - 1) mu`) or `max(1, ||D||^2 - 1)`",
           _SIMULATOR, "`simulated`"),
    Column("data_sparsity", "mean number of nonzeros per code, as drawn",
           _SIMULATOR, "`simulated`"),
    Column("data_snr", "signal-to-noise ratio (dB) of the training data, as "
           "drawn", _SIMULATOR, f"`simulated`, {_CONVOLUTIONAL}"),
    Column("data_outlier_fraction", "share of the training samples "
           "replaced by dense noise", _SIMULATOR, "`simulated`"),
    Column("data_chance_floor", "expected `recovery` of a random Gaussian "
           "dictionary: scores read against it", _SIMULATOR, _GROUND_TRUTH),
    Column("data_recovery_oracle", "`recovery` of the least-squares "
           "dictionary for the true codes (activations): what the data allow",
           _SIMULATOR, _GROUND_TRUTH),
    Column("data_ceiling_lasso", "`recovery` of the Lasso criterion's "
           "stationary point reached from `D_true` with this `lmbd`, on the "
           "training set: what the Lasso allows (`metrics.ceilings`)",
           _OBJECTIVE, _GROUND_TRUTH),
    Column("data_ceiling_omp", "`recovery` of the OMP and least-squares "
           "fixed point at `n_nonzeros` reached from `D_true`, on the "
           "training set: what OMP allows (`metrics.ceilings`)", _OBJECTIVE,
           "`simulated`"),
    Column("data_theory_*", "1 where the problem satisfies a condition of a "
           "recovery theorem, 0 where it does not; each condition with its "
           "theorem in [theory.md](theory.md)", "`metrics.theory` (the "
           "dataset; the objective for those on `lmbd` and `D_init`)",
           "`simulated`"),
    Column("data_amplitude_min", "smallest nonzero amplitude of the true "
           "codes, which the theorems' conditions read", _SIMULATOR,
           "`simulated`"),
    Column("data_coherence_s_max", "`(1 + 1/mu) / 2`: below it, every "
           "`s`-sparse code is the sparsest one for `D_true`",
           "`metrics.theory`", "`simulated`"),
    Column("data_babel_sum", "`mu_1(s - 1) + mu_1(s)`, which the Babel "
           "condition compares with 1", "`metrics.theory`", "`simulated`"),
    Column("data_lasso_babel", "`mu_1(s)`, which the Lasso criterion's "
           "local identifiability compares with 1/4", "`metrics.theory`",
           "`simulated`"),
    Column("data_lasso_s_max", "largest sparsity of the Lasso criterion's "
           "local identifiability", "`metrics.theory`", "`simulated`"),
    Column("data_lasso_lmbd_max", "largest `lmbd` of the Lasso criterion's "
           "local identifiability", "`metrics.theory`", "`simulated`"),
    Column("data_lasso_n_samples", "samples the Lasso criterion's local "
           "identifiability asks for", "`metrics.theory`", "`simulated`"),
    Column("data_agm_s_max", "largest sparsity of Arora, Ge and Moitra's "
           "regime", "`metrics.theory`", "`simulated`"),
    Column("data_agm_n_samples", "samples Arora, Ge and Moitra's algorithm "
           "asks for", "`metrics.theory`", "`simulated`"),
    Column("data_agmm_s_max", "largest sparsity of Arora, Ge, Ma and "
           "Moitra's regime", "`metrics.theory`", "`simulated`"),
    Column("data_init_distance", "largest l2 distance of an initial atom to "
           "its true atom", "`metrics.theory` (the objective)", "`simulated`"),
    Column("data_shift_coherence", "largest correlation of two true atoms "
           "over shifts", _SIMULATOR, _CONVOLUTIONAL),
    Column("data_activation_rate", "share of active (atom, time) positions",
           _SIMULATOR, _CONVOLUTIONAL),
    Column("data_events_per_signal", "mean number of activations per "
           "signal", _SIMULATOR, _CONVOLUTIONAL),
    Column("data_n_times_atom", "length of an atom (samples)", _SIMULATOR,
           _CONVOLUTIONAL),
    Column("data_max_shift", "largest shift the recovery score tries",
           _SIMULATOR, _CONVOLUTIONAL),
    Column("data_patch_size", "side of a square patch (pixels)",
           "the dataset (`simulation.patches`)", _PATCHES),
    Column("data_n_features", "pixels of a patch", "the dataset "
           "(`simulation.patches`)", _PATCHES),
    Column("data_noise_sigma", "standard deviation of the noise added to "
           "the patches (gray levels)", "the dataset (`simulation.patches`)",
           _PATCHES),
    Column("data_scale", "gray levels per unit of the data",
           "the dataset (`simulation.patches`)", _PATCHES),
    Column("data_psnr_noisy", "PSNR (dB) of the noisy held-out patches "
           "against the clean ones: the `psnr` of doing nothing",
           "the dataset (`simulation.patches`)", _PATCHES),
    Column("data_psnr_mean_only", "PSNR (dB) of all-zero codes, every "
           "patch replaced by its noisy mean: the `psnr` to beat",
           "the dataset (`simulation.patches`)", _PATCHES),
)

RUN = (
    Column("criterion", "the criterion the solver optimizes (`lasso`, "
           "`omp` or `none`), whose ceiling ends its run and splits its "
           "error (the \"Error budget\" view)", "the solver's `criterion` "
           "attribute (`runtime.objective`)", "rows of a `benchopt run`"),
    Column("budget_spent", "1 at the evaluation after which `--timeout` or "
           "`--max-runs` ends the run, else 0 (the studies' \"cut\" runs, "
           "`results.studies.final_runs`)", "`runtime.stopping`",
           "rows of a `benchopt run`"),
    Column("n_threads", "threads every solver ran with (the thread policy)",
           "`threads`"),
    Column("versions", "versions of the packages a result depends on",
           _PROVENANCE),
    Column("blas", "the BLAS library numpy runs on", _PROVENANCE),
    Column("seed_dataset", "the seed the dataset drew the problem from",
           _PROVENANCE),
    Column("seed_objective", "the seed of the initial dictionary and of the "
           "evaluation subsets", _PROVENANCE),
    Column("digest_data", "digest of the problem's arrays", _PROVENANCE),
    Column("digest_D_init", "digest of the initial dictionary", _PROVENANCE),
)

COLUMNS = SCORES + PROBLEM + RUN


def key(name):
    """The results column of the objective's ``name``."""
    return PREFIX + name


def declared(name):
    """The :class:`Column` declaring the objective's ``name``, or None."""
    for column in COLUMNS:
        if column.name == name or (column.name.endswith("*") and
                                   name.startswith(column.name[:-1])):
            return column
    return None


RECOVERY = key("recovery")
RECOVERED_FRACTION = key("recovered_fraction")
LOSS_TRAIN = key("loss_train")
LOSS_TEST = key("loss_test")
GENERALIZATION_GAP = key("generalization_gap")
PSNR = key("psnr")
ATOMS = key("atoms")
DICTIONARY = key("dictionary")
CRITERION = key("criterion")
BUDGET_SPENT = key("budget_spent")
COHERENCE = key("data_coherence")
ORACLE = key("data_recovery_oracle")
THEORY_PREFIX = key("data_theory_")
# The scores of a dictionary, in the order the curve views offer them; the
# other columns (data_*, provenance) are constants of a run.
SCORE_COLUMNS = [RECOVERY, RECOVERED_FRACTION, LOSS_TRAIN, LOSS_TEST,
                 GENERALIZATION_GAP, PSNR]


def ceiling_key(criterion):
    """The results column of the recovery ceiling of a solver's criterion:
    the Lasso or OMP ceiling, or the oracle for a solver without one."""
    if criterion is None:
        return ORACLE
    return key(f"data_ceiling_{criterion}")


def _cell(text):
    return text.replace("|", "\\|")


def columns_markdown():
    """The page ``docs/columns.md``: every column in a Markdown table."""
    lines = [
        f"Generated by `{COMMAND}` from `benchmark_utils/schema.py`, the one "
        "place the columns are declared; edit that module, not this page.",
        "",
        "# The columns of the results",
        "",
        "benchopt writes one row per evaluation of a run; a column the "
        f"objective returns as `name` is stored as `{PREFIX}name`. Every "
        "evaluation normalizes the atoms of the returned `D` first; atoms with "
        "NaN or infinite entries are replaced by zero atoms and counted.",
    ]
    for title, columns in (("Scores of an iterate", SCORES),
                           ("The problem (`data_*`)", PROBLEM),
                           ("The run and what reproduces it", RUN)):
        lines += ["", f"## {title}", "",
                  "| column | meaning | from | rows |", "|---|---|---|---|"]
        lines += [f"| `{c.name}` | {_cell(c.meaning)} | {_cell(c.source)} | "
                  f"{_cell(c.when)} |" for c in columns]
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Write :data:`PAGE` (or the path given) from :func:`columns_markdown`."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else PAGE
    path.write_text(columns_markdown())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
