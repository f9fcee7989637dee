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

from benchmark_utils.results.drawing import AXIS_LABELS, _figure, _fmt
from benchmark_utils.results.studies import (
    group_labels,
    quantity_column,
)
from benchmark_utils.schema import RECOVERY, ceiling_key

ORACLE = ceiling_key(None)
PARTS_COLUMNS = ("statistical", "criterion_part", "optimization")
# How the figures name each part.
PART_TITLES = {"statistical": "statistical: 1 - oracle",
               "criterion_part": "criterion: oracle - its ceiling",
               "optimization": "optimization: ceiling - achieved"}


def ceiling_column(criterion):
    """Results column of the ceiling of a criterion (the oracle for none)."""
    if criterion in (None, "none") or pd.isna(criterion):
        return ORACLE
    return ceiling_key(criterion)


def error_budget(runs, exclude=()):
    """The error budget of each final run (rows of ``final_runs``).

    ``exclude``: dataset quantities left out of the labels (a study's swept
    quantities, so that a label is a solver, not a solver in one cell).

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
        "label": group_labels(runs, exclude=exclude), "criterion": criterion,
        "achieved": runs[RECOVERY], "oracle": runs[ORACLE],
        "ceiling": ceiling,
    }, index=runs.index)
    out["statistical"] = 1.0 - out["oracle"]
    out["criterion_part"] = out["oracle"] - out["ceiling"]
    out["optimization"] = out["ceiling"] - out["achieved"]
    return out


def error_budget_figure(runs, exclude=()):
    """Per solver (median over repetitions, and over the cells of the swept
    quantities ``exclude``), the statistical, criterion and
    optimization parts of ``1 - recovery`` as points on a log axis, so that
    parts of 1e-5 and of 1e-1 both read; a part that is 0 or negative (a
    solver above its ceiling) is listed in the label instead."""
    table = error_budget(runs, exclude)
    n_rows = max(table["label"].nunique(), 1)
    fig, axes = _figure(figsize=(10, 0.45 * n_rows + 1.8))
    ax = axes[0, 0]
    if table.empty:
        ax.set_title("no ground truth: no error budget", fontsize=10)
        return fig
    median = table.groupby("label", sort=False)[
        [*PARTS_COLUMNS, "achieved"]].median()
    median = median.sort_values("achieved", ascending=False)
    y = np.arange(len(median))
    styles = {"statistical": ("tab:gray", "o"),
              "criterion_part": ("tab:orange", "s"),
              "optimization": ("tab:blue", "D")}
    for part, (color, marker) in styles.items():
        values = median[part].to_numpy()
        shown = values > 0
        ax.scatter(values[shown], y[shown], color=color, marker=marker, s=40,
                   label=PART_TITLES[part], zorder=3)
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
    return fig


def error_budget_grid(runs, x, y):
    """The error budget per cell of the grid of two swept quantities.

    Returns
    -------
    dict
        ``{label: {part: frame}}``: per solver (and the other varying
        parameters), for each of the three parts, the median over the
        repetitions of each cell, indexed by the values of ``y`` (rows) and
        ``x`` (columns), the phase transition's grid.
    """
    if x == y:
        raise ValueError(f"the two axes must differ, got {x!r} twice.")
    table = error_budget(runs)
    if table.empty:
        return {}
    xc, yc = quantity_column(runs, x), quantity_column(runs, y)
    table = table.assign(_x=runs.loc[table.index, xc],
                         _y=runs.loc[table.index, yc],
                         label=group_labels(runs.loc[table.index],
                                            exclude=(x, y)))
    grids = {}
    for label, g in table.groupby("label", sort=True):
        medians = g.groupby(["_y", "_x"])[list(PARTS_COLUMNS)].median()
        grids[label] = {
            part: medians[part].unstack("_x").rename_axis(index=y, columns=x)
            for part in PARTS_COLUMNS
        }
    return grids


def error_budget_map_figure(runs, x, y):
    """Per solver (rows) and part (columns), the median part of the error
    budget in every cell of the ``y`` x ``x`` grid, on one log colour scale
    (a part of 0 or below, a solver at or above its ceiling, is white)."""
    from matplotlib.colors import LogNorm

    grids = error_budget_grid(runs, x, y)
    n_rows = max(len(grids), 1)
    fig, axes = _figure(n_rows, 3, figsize=(12, 3.2 * n_rows + 1))
    if not grids:
        axes[0, 0].set_title("no ground truth: no error budget", fontsize=10)
        return fig
    norm = LogNorm(vmin=1e-6, vmax=1.0)
    image = None
    for row, (label, parts) in zip(axes, grids.items()):
        for ax, (part, frame) in zip(row, parts.items()):
            values = frame.to_numpy(dtype=float)
            shown = np.where(values > 0, values, np.nan)
            image = ax.imshow(np.clip(shown, 1e-6, 1.0), origin="lower",
                              cmap="magma_r", norm=norm, aspect="auto")
            ax.set_xticks(range(frame.shape[1]),
                          [_fmt(v) for v in frame.columns], fontsize=7)
            ax.set_yticks(range(frame.shape[0]),
                          [_fmt(v) for v in frame.index], fontsize=7)
            ax.set_xlabel(AXIS_LABELS.get(x, x), fontsize=8)
            ax.set_ylabel(AXIS_LABELS.get(y, y), fontsize=8)
            ax.set_title(f"{label[:40]}\n{PART_TITLES[part]}", fontsize=8)
            for i in range(frame.shape[0]):
                for j in range(frame.shape[1]):
                    value = values[i, j]
                    if np.isfinite(value):
                        ax.text(j, i, f"{value:.0e}" if value > 0 else "<=0",
                                ha="center", va="center", fontsize=6,
                                color="white" if value > 1e-2 else "black")
    fig.suptitle("Error budget of the final dictionaries per cell (median "
                 "over repetitions): what the data, the criterion and the "
                 "optimizer take from recovery 1", fontsize=10)
    if image is not None:
        # A colorbar that spans the panels is laid out by the constrained
        # layout; the tight one cannot place it (and warns).
        fig.set_layout_engine("constrained")
        fig.colorbar(image, ax=list(axes.ravel()), shrink=0.6,
                     label="part of 1 - recovery (log)")
    return fig
