"""The tables of a study: one row per run, then per solver, per swept
quantity, the error budget, the theorems' regions and the stability.

:mod:`benchmark_utils.results.summary` writes them to the study pages and the
solver-by-study table.
"""
import re

import numpy as np
import pandas as pd

from benchmark_utils.results.budget import error_budget
from benchmark_utils.results.stability import rank_correlations
from benchmark_utils.results.studies import (
    RUN_KEYS,
    final_runs,
    quantity_column,
    solver_labels,
    success,
    time_to_threshold,
    varying,
)
from benchmark_utils.schema import RECOVERY

THRESHOLD = 0.99
# The solver whose time the others' are divided by, the first one a study
# runs: the fastest well-kept library of each model.
REFERENCES = ("spams", "alphacsc")
PSNR = "objective_psnr"
TIME = "time_to_099"
# Parameters of the objective that do not make another problem.
NOT_A_PROBLEM = ("p_obj_replicate",)

def natural_key(label):
    """Sort key of a label with numbers in it: ``n_layers=5`` before
    ``n_layers=10``."""
    return [(0, float(part), "") if part.replace(".", "", 1).isdigit()
            else (1, 0.0, part) for part in re.split(r"(\d+(?:\.\d+)?)",
                                                     str(label)) if part]


def sort_rows(table, column="solver"):
    """``table`` with its rows in the natural order of ``column``."""
    if table.empty or column not in table:
        return table
    order = sorted(range(len(table)),
                   key=lambda i: natural_key(table[column].iloc[i]))
    return table.iloc[order].reset_index(drop=True)


def sort_columns(table, first=1):
    """``table`` with its columns after the ``first`` ones in natural
    order, the oracle and ceiling columns last."""
    head, rest = list(table.columns[:first]), list(table.columns[first:])
    tail = [c for c in rest if c in ("oracle", "Lasso ceiling")]
    rest = sorted((c for c in rest if c not in tail), key=natural_key)
    return table[head + rest + tail]


def distinct_quantities(runs, quantities):
    """``quantities`` grouped by the partition of the runs they make:
    ``[(quantity, [others that vary with it]), ...]``, so that the datasets
    of a study that differ in several parameters at once (two shapes, say)
    get one table, not one per parameter."""
    groups, partitions = [], []
    for quantity in quantities:
        codes = tuple(pd.factorize(
            runs[quantity_column(runs, quantity)].map(str))[0])
        if codes in partitions:
            groups[partitions.index(codes)][1].append(quantity)
        else:
            partitions.append(codes)
            groups.append((quantity, []))
    return groups


def record_runs(df):
    """A study's recorded frame: one row per run of a benchopt results frame.

    The numeric columns of :func:`~benchmark_utils.results.studies.final_runs`
    (parameters, final scores, the data's properties and ceilings, ``cut``)
    and ``time_to_099``, the solver time at which the run first reached a
    recovery of 0.99 (NaN if never, or without a ground truth).
    """
    runs = final_runs(df)
    if RECOVERY in df and df[RECOVERY].notna().any():
        reached = time_to_threshold(df, THRESHOLD).set_index(RUN_KEYS)["time"]
        runs[TIME] = reached.reindex(
            pd.MultiIndex.from_frame(runs[RUN_KEYS])).to_numpy()
    else:
        runs[TIME] = np.nan
    keep = [c for c in runs.columns
            if c in RUN_KEYS or c.startswith("p_") or c in ("cut", "criterion")
            or pd.api.types.is_numeric_dtype(runs[c])]
    return runs[keep]


def problem_key(runs):
    """A label per run naming its problem: dataset, repetition, objective."""
    key = runs["dataset_name"].astype(str) + "#" + runs["idx_rep"].astype(str)
    for col in sorted(c for c in runs if c.startswith("p_obj_")
                      and c not in NOT_A_PROBLEM):
        key = key + "," + runs[col].map(str)
    return key


def objective_settings(runs):
    """The objective's varying parameters (an init sweep), as column
    suffixes: ``{"": runs}`` when it varies nothing."""
    names = [n for n in varying(runs, "p_obj_")
             if f"p_obj_{n}" not in NOT_A_PROBLEM]
    if not names:
        return {"": runs}
    cols = [f"p_obj_{n}" for n in names]
    return {", ".join(f"{n}={v}" for n, v in zip(names, key)): g
            for key, g in runs.groupby(cols, sort=True)}


def row_labels(runs, drop=()):
    """The solver of each run, without the parameters in ``drop``."""
    return pd.Series(solver_labels(runs["solver_name"].astype(str).tolist(),
                                   drop=drop), index=runs.index)


def reference_label(labels):
    """The reference among ``labels``: the first, in label order, of the
    first solver of :data:`REFERENCES` present; None when none is."""
    for name in REFERENCES:
        hits = sorted(lb for lb in set(labels)
                      if lb.split("[")[0] == name)
        if hits:
            return hits[0]
    return None


def per_solver(runs, drop=()):
    """Per solver label: runs, success rate, median final recovery, median
    time to 0.99, its median ratio to the reference on the same problems,
    the number of runs that reached 0.99 and of cut runs.

    ``drop``: solver parameters left out of the labels (a study's sweep).
    """
    runs = runs.assign(_label=row_labels(runs, drop),
                       _problem=problem_key(runs))
    has_truth = RECOVERY in runs and runs[RECOVERY].notna().any()
    reference = reference_label(runs["_label"]) if has_truth else None
    ref_time = (runs[runs["_label"] == reference]
                .groupby("_problem")[TIME].median() if reference else None)
    rows = []
    for label, g in runs.groupby("_label", sort=True):
        row = {"solver": label, "runs": len(g)}
        if has_truth:
            row["success"] = float(success(g).mean())
            row["median recovery"] = float(g[RECOVERY].median())
            row["median time to 0.99 (s)"] = float(g[TIME].median())
            row["reached 0.99"] = int(g[TIME].notna().sum())
            ratio = np.nan
            if ref_time is not None:
                ratios = g[TIME].to_numpy() / ref_time.reindex(
                    g["_problem"]).to_numpy()
                ratios = ratios[np.isfinite(ratios)]
                ratio = float(np.median(ratios)) if len(ratios) else np.nan
            row[f"time ratio to {reference}"] = ratio
        if PSNR in g and g[PSNR].notna().any():
            row["median PSNR (dB)"] = float(g[PSNR].median())
        row["cut"] = int(g["cut"].sum())
        if reference is None:
            row.pop("time ratio to None", None)
        rows.append(row)
    return sort_rows(pd.DataFrame(rows)), reference


def _by_quantity(runs, quantity, drop, values, aggfunc):
    """Pivot of ``values`` per value of a swept quantity (rows) and solver
    label (columns); also returns the runs and the quantity's column."""
    col = quantity_column(runs, quantity)
    runs = runs.assign(_label=row_labels(runs, drop))
    if values == "_success":
        runs = runs.assign(_success=success(runs).astype(float))
    table = runs.pivot_table(index=col, columns="_label", values=values,
                             aggfunc=aggfunc)
    return table, runs, col


def over_quantity(runs, quantity, drop=()):
    """Median final recovery per value of a swept dataset quantity (rows)
    and solver (columns), with the oracle's and the Lasso ceiling's
    medians."""
    table, runs, col = _by_quantity(runs, quantity, drop, RECOVERY, "median")
    for name, ceiling in (("oracle", "objective_data_recovery_oracle"),
                          ("Lasso ceiling", "objective_data_ceiling_lasso")):
        if ceiling in runs and runs[ceiling].notna().any():
            table[name] = runs.groupby(col)[ceiling].median()
    return sort_columns(table.reset_index().rename(columns={col: quantity}))


def success_over_quantity(runs, quantity, drop=()):
    """Success rate per value of a swept dataset quantity (rows) and solver
    (columns)."""
    table, _, col = _by_quantity(runs, quantity, drop, "_success", "mean")
    return sort_columns(table.reset_index().rename(columns={col: quantity}))


def budget_table(runs, drop=()):
    """Median error budget per solver: the three parts of ``1 - recovery``."""
    budget = error_budget(runs, exclude=tuple(runs.columns))
    if budget.empty:
        return budget
    budget["solver"] = row_labels(runs.loc[budget.index], drop)
    parts = ["statistical", "criterion_part", "optimization"]
    table = budget.groupby("solver", sort=True)[["achieved"] + parts].median()
    return sort_rows(table.rename(columns={
        "achieved": "median recovery",
        "criterion_part": "criterion"}).reset_index())


def theory_table(runs, drop=()):
    """Success rate per solver inside and outside each theorem's region
    (the ``data_theory_*`` columns that hold on some runs and not others)."""
    cols = [c for c in runs if c.startswith("objective_data_theory_")
            and runs[c].nunique(dropna=True) > 1]
    if not cols or RECOVERY not in runs:
        return pd.DataFrame()
    runs = runs.assign(_label=row_labels(runs, drop),
                       _ok=success(runs).astype(float))
    rows = []
    for col in cols:
        name = col[len("objective_data_theory_"):]
        for label, g in runs.groupby("_label", sort=True):
            inside, outside = g[g[col] == 1], g[g[col] == 0]
            rows.append({"condition": name, "solver": label,
                         "runs inside": len(inside),
                         "success inside": inside["_ok"].mean(),
                         "runs outside": len(outside),
                         "success outside": outside["_ok"].mean()})
    return sort_rows(pd.DataFrame(rows).assign(
        _key=lambda t: t["condition"] + " " + t["solver"]), "_key").drop(
            columns="_key")


def stability_table(pairs):
    """Per kind of pair and solver: pairs, median stability and recovery,
    and Spearman's rank correlation of stability with recovery."""
    rhos = rank_correlations(pairs)
    rows = []
    for (pair, solver), g in pairs.groupby(["pair", "solver_name"],
                                           sort=True):
        row = {"pair": pair, "solver": solver, "pairs": len(g),
               "median stability": g["stability"].median()}
        if "recovery" in g:
            row["median recovery"] = g["recovery"].median()
            row["rank correlation"] = rhos.get((pair, solver), (np.nan,))[0]
        rows.append(row)
    table = pd.DataFrame(rows)
    table["solver"] = solver_labels(table["solver"].tolist())
    return table


def over_solver_parameter(runs, param):
    col = f"p_solver_{param}"
    runs = runs.assign(_label=row_labels(runs, (param,)))
    return sort_rows(runs.pivot_table(
        index="_label", columns=col, values=RECOVERY,
        aggfunc="median").reset_index().rename(columns={"_label": "solver"}))
