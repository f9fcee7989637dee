"""The error budget of every final dictionary: what the data, the criterion
and the optimizer each cost.

For a run with a ground truth, the final recovery splits as

    1 - achieved = (1 - oracle) + (oracle - ceiling) + (ceiling - achieved)

- **statistical** ``1 - oracle``: what the noise and the sample size take from
  any method (``data_recovery_oracle``, least squares with the true codes);
- **criterion** ``oracle - ceiling``: the bias of the criterion the solver
  optimizes (``data_ceiling_lasso`` or ``data_ceiling_omp``, its stationary
  point reached from ``D_true``; 0 for a solver without a criterion of its own);
- **optimization** ``ceiling - achieved``: what the algorithm (or the
  network's approximation) leaves on the table.

The last two can be negative: a solver whose criterion differs a little from
the exact one (an inexact Lasso, unrolled codes) may end above that ceiling,
and the ceilings are computed on the evaluation samples (at most 2,000) when
the oracle uses every training sample. See ``benchmark_utils.metrics.ceilings``.
"""
import numpy as np
import pandas as pd

from benchmark_utils.results.studies import RECOVERY, group_labels
from benchmark_utils.runtime.stopping import ceiling_key

ORACLE = ceiling_key(None)
PARTS_COLUMNS = ("statistical", "criterion_part", "optimization")


def ceiling_column(criterion):
    """Results column of the ceiling of a criterion (the oracle for none)."""
    if criterion in (None, "none") or pd.isna(criterion):
        return ORACLE
    return ceiling_key(criterion)


def error_budget(runs):
    """The error budget of each final run (rows of ``final_runs``).

    Returns
    -------
    budget : DataFrame
        One row per run with a ground truth and its ceilings: ``label``,
        ``criterion``, ``achieved``, ``oracle``, ``ceiling`` and the three
        parts ``statistical``, ``criterion_part``, ``optimization``; empty
        when the results have no oracle.
    """
    if ORACLE not in runs or RECOVERY not in runs:
        return pd.DataFrame(columns=["label", "criterion", "achieved",
                                     "oracle", "ceiling", *PARTS_COLUMNS])
    runs = runs[runs[RECOVERY].notna() & runs[ORACLE].notna()]
    criterion = (runs["criterion"] if "criterion" in runs
                 else pd.Series("none", index=runs.index)).fillna("none")
    ceiling = np.array([
        runs.at[i, ceiling_column(c)] if ceiling_column(c) in runs
        else np.nan for i, c in criterion.items()], dtype=float)
    out = pd.DataFrame({
        "label": group_labels(runs), "criterion": criterion,
        "achieved": runs[RECOVERY], "oracle": runs[ORACLE],
        "ceiling": ceiling,
    }, index=runs.index)
    out["statistical"] = 1.0 - out["oracle"]
    out["criterion_part"] = out["oracle"] - out["ceiling"]
    out["optimization"] = out["ceiling"] - out["achieved"]
    return out


def error_budget_figure(runs):
    """Per solver (median over repetitions), the statistical, criterion and
    optimization parts of ``1 - recovery`` as points on a log axis, so that
    parts of 1e-5 and of 1e-1 both read; a part that is 0 or negative (a
    solver above its ceiling) is listed in the label instead."""
    from benchmark_utils.results.figures import _figure

    table = error_budget(runs)
    fig, axes = _figure(figsize=(10, 0.45 * max(len(table), 1) + 1.8))
    ax = axes[0, 0]
    if table.empty:
        ax.set_title("no ground truth: no error budget", fontsize=10)
        return fig
    median = table.groupby("label", sort=False)[
        [*PARTS_COLUMNS, "achieved"]].median()
    median = median.sort_values("achieved", ascending=False)
    y = np.arange(len(median))
    styles = {"statistical": ("tab:gray", "o", "statistical: 1 - oracle"),
              "criterion_part": ("tab:orange", "s",
                                 "criterion: oracle - its ceiling"),
              "optimization": ("tab:blue", "D",
                               "optimization: ceiling - achieved")}
    for part, (color, marker, label) in styles.items():
        values = median[part].to_numpy()
        shown = values > 0
        ax.scatter(values[shown], y[shown], color=color, marker=marker, s=40,
                   label=label, zorder=3)
    criteria = table.groupby("label", sort=False)["criterion"].first()
    labels = []
    for name, row in median.iterrows():
        if criteria[name] == "none":
            parts = ["statistical", "optimization"]
            note = ", no criterion of its own"
        else:
            parts, note = PARTS_COLUMNS, f", {criteria[name]}"
        below = [p.split("_")[0] for p in parts if not row[p] > 0]
        if below:
            note += f"; {', '.join(below)} <= 0"
        labels.append(f"{name}: {row['achieved']:.5f}{note}")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("parts of 1 - final recovery (log scale), median of the "
                  "runs; label: final recovery, criterion")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
