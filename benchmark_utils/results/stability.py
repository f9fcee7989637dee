"""The stability of each solver, from the replicates of a results file.

A run with the objective's ``replicate`` parameter set (``half-1`` and
``half-2``: two disjoint halves of the training set; ``init-1`` and
``init-2``: two initial dictionaries on the same data) keeps its dictionary in
the ``objective_dictionary`` column. :func:`stability_pairs` matches the final
dictionaries of the two replicates of each solver, problem and repetition
(:func:`benchmark_utils.metrics.stability.stability_score`);
:func:`stability_figure` draws stability against the true recovery where there
is one (with each solver's rank correlation), and stability per solver where
there is not.
"""
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from benchmark_utils.metrics.stability import stability_score
from benchmark_utils.results.drawing import _figure
from benchmark_utils.results.studies import (
    RUN_KEYS,
    final_runs,
    solver_labels,
)
from benchmark_utils.schema import DICTIONARY, RECOVERY

REPLICATE = "p_obj_replicate"
# The two members of each kind of pair, and the kind's name on the figures.
PAIRS = {"split halves": ("half-1", "half-2"),
         "two initial dictionaries": ("init-1", "init-2")}


def has_replicates(df):
    """Does the frame hold dictionaries of paired replicates?"""
    return (DICTIONARY in df and REPLICATE in df
            and df[REPLICATE].isin([m for p in PAIRS.values() for m in p]).any())


def stability_pairs(df):
    """One row per pair of replicates: their stability and true recovery.

    Columns: ``pair`` (a key of :data:`PAIRS`), ``solver_name``,
    ``dataset_name``, ``idx_rep``, the ``p_dataset_*`` parameters,
    ``stability`` and ``stable_fraction`` (:func:`stability_score` of the two
    final dictionaries), and where the data have a ground truth ``recovery``
    (the mean of the two replicates' final recoveries). A pair whose two runs
    were not both kept (one errored, or was skipped) is left out.
    """
    if not has_replicates(df):
        raise ValueError(
            "no paired replicates in these results: run the objective with "
            "replicate=[half-1,half-2] or [init-1,init-2] "
            "(configs/stability.yml).")
    runs = final_runs(df)
    last = (df.sort_values(RUN_KEYS + ["stop_val"], kind="stable")
            .groupby(RUN_KEYS, sort=False, dropna=False).tail(1))
    dictionaries = {tuple(r[k] for k in RUN_KEYS): r[DICTIONARY]
                    for _, r in last.iterrows()}
    others = [c for c in runs if c.startswith("p_obj_") and c != REPLICATE]
    dataset_params = [c for c in runs if c.startswith("p_dataset_")]
    rows = []
    for pair, (first, second) in PAIRS.items():
        members = runs[runs[REPLICATE].isin([first, second])]
        keys = ["solver_name", "dataset_name", "idx_rep"] + others
        for key, group in members.groupby(keys, sort=True, dropna=False):
            if set(group[REPLICATE]) != {first, second}:
                continue
            a = group[group[REPLICATE] == first].iloc[0]
            b = group[group[REPLICATE] == second].iloc[0]
            D_a = np.asarray(dictionaries[tuple(a[k] for k in RUN_KEYS)])
            D_b = np.asarray(dictionaries[tuple(b[k] for k in RUN_KEYS)])
            stability, stable_fraction = stability_score(D_a, D_b)
            row = dict(zip(keys, key), pair=pair, stability=stability,
                       stable_fraction=stable_fraction)
            row.update({c: a[c] for c in dataset_params})
            if RECOVERY in group:
                row["recovery"] = float(group[RECOVERY].mean())
            rows.append(row)
    return pd.DataFrame(rows)


def rank_correlations(pairs):
    """Spearman's rank correlation of stability with recovery, per pair kind
    and solver: ``{(pair, solver_name): (rho, n)}`` (rho NaN when either is
    constant or fewer than 3 pairs)."""
    out = {}
    if "recovery" not in pairs:
        return out
    for (pair, solver), g in pairs.groupby(["pair", "solver_name"],
                                           sort=True):
        rho = np.nan
        if len(g) >= 3 and g["stability"].nunique() > 1 \
                and g["recovery"].nunique() > 1:
            rho = float(spearmanr(g["stability"], g["recovery"]).statistic)
        out[(pair, solver)] = (rho, len(g))
    return out


def stability_figure(pairs):
    """Stability against true recovery, one panel per kind of pair and a
    colour per solver, with each solver's rank correlation in the legend;
    without a ground truth, the stability of each solver (median and the
    individual pairs)."""
    kinds = [p for p in PAIRS if p in set(pairs["pair"])]
    fig, axes = _figure(1, len(kinds), figsize=(6.0 * len(kinds), 5.2))
    names = sorted(pairs["solver_name"].unique())
    labels = dict(zip(names, solver_labels(names)))
    colours = dict(zip(names, [f"C{i}" for i in range(len(names))]))
    rhos = rank_correlations(pairs)
    for ax, kind in zip(axes[0], kinds):
        g = pairs[pairs["pair"] == kind]
        if "recovery" in g:
            for solver, h in g.groupby("solver_name", sort=True):
                rho, n = rhos[(kind, solver)]
                text = "undefined" if np.isnan(rho) else f"{rho:+.2f}"
                ax.scatter(h["stability"], h["recovery"], s=14, alpha=0.7,
                           color=colours[solver],
                           label=f"{labels[solver]}: rho = {text} (n = {n})")
            lo = min(g["stability"].min(), g["recovery"].min(), 0.9)
            ax.plot([lo, 1], [lo, 1], color="0.6", linewidth=0.8,
                    linestyle=":")
            ax.set_xlabel("stability (mean matched |correlation| of the two "
                          "replicates)", fontsize=8)
            ax.set_ylabel("true recovery (mean of the two replicates)",
                          fontsize=8)
            ax.legend(fontsize=7, title="Spearman rank correlation",
                      title_fontsize=7, loc="lower right")
        else:
            names = sorted(g["solver_name"].unique())
            for i, solver in enumerate(names):
                values = g.loc[g["solver_name"] == solver, "stability"]
                ax.barh(i, values.median(), color=colours[solver], alpha=0.6)
                ax.scatter(values, np.full(len(values), i), color="black",
                           s=10, zorder=3)
                ax.text(values.median(), i, f" {values.median():.3f}",
                        va="center", fontsize=7)
            ax.set_yticks(range(len(names)), [labels[n] for n in names],
                          fontsize=7)
            ax.set_xlabel("stability (median over pairs; dots: each pair)",
                          fontsize=8)
            ax.set_xlim(0, 1.05)
        ax.set_title(f"Stability over {kind}", fontsize=9)
    fig.suptitle("Does stability (no ground truth needed) predict recovery? "
                 "One point per pair of replicates", fontsize=10)
    return fig
