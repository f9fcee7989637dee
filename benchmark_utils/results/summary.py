"""The studies at a glance: a page per study and the solver-by-study table.

Run each study of ``configs/`` with its results file named after it, then
summarize every study whose results are there::

    benchopt run . --config configs/<study>.yml -j 2 --output <study>
    python -m benchmark_utils.results.summary

For each ``outputs/<study>.parquet`` this writes

- ``docs/generated/runs/<study>.csv``: the study's *recorded frame*, one row
  per run (its final iterate, the solver time at which it first reached a
  recovery of 0.99, whether it was cut) and, for a study with replicates,
  ``docs/generated/runs/<study>_pairs.csv`` (the stability of each pair);
- ``docs/generated/study_<study>.md``: the study's tables (per solver, per
  swept quantity, the error budget, the theorems' regions, the stability),
  or, for a study with no results yet, how to run it;

and, from every recorded frame (so that a study not re-run keeps its column),
``docs/generated/summary.md``: solver configurations as rows, studies as
columns, each cell the success rate, the median final recovery and the median
time to 0.99 as a ratio to the study's reference solver on the same problems.
Every file starts with the command that regenerates it and its provenance
(:mod:`benchmark_utils.results.report`).
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark_utils.results.budget import error_budget
from benchmark_utils.results.parameters import swept_solver_parameter
from benchmark_utils.results.report import (
    GENERATED_DIR,
    ROOT,
    machine_speed,
    markdown_table,
    write_generated,
)
from benchmark_utils.results.stability import (
    has_replicates,
    rank_correlations,
    stability_pairs,
)
from benchmark_utils.results.studies import (
    RUN_KEYS,
    final_runs,
    solver_labels,
    success,
    swept_quantities,
    time_to_threshold,
    varying,
)
from benchmark_utils.schema import RECOVERED_FRACTION, RECOVERY

COMMAND = "python -m benchmark_utils.results.summary"
THRESHOLD = 0.99
# The solver whose time the others' are divided by, the first one a study
# runs: the fastest well-kept library of each model.
REFERENCES = ("spams", "alphacsc")
PSNR = "objective_psnr"
TIME = "time_to_099"
# Parameters of the objective that do not make another problem.
NOT_A_PROBLEM = ("p_obj_replicate",)
RUNS_DIR = GENERATED_DIR / "runs"


def studies(configs=ROOT / "configs"):
    """The study names: the ``configs/*.yml`` files, sorted."""
    return sorted(p.stem for p in Path(configs).glob("*.yml"))


def pending_page(study):
    """The page of a study that has no recorded results yet: how to run it."""
    return "\n\n".join([
        f"No results of `configs/{study}.yml` are recorded yet. Run the "
        "study, then rewrite its page and the summary table:",
        "```bash\n"
        f"benchopt run . --config configs/{study}.yml -j 2 --output {study}\n"
        f"{COMMAND}\n```",
        "[studies.md](../studies.md) says what the study measures and how "
        "its results are read.",
    ])


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


def _problem_key(runs):
    """A label per run naming its problem: dataset, repetition, objective."""
    key = runs["dataset_name"].astype(str) + "#" + runs["idx_rep"].astype(str)
    for col in sorted(c for c in runs if c.startswith("p_obj_")
                      and c not in NOT_A_PROBLEM):
        key = key + "," + runs[col].map(str)
    return key


def _settings(runs):
    """The objective's varying parameters (an init sweep), as column
    suffixes: ``{"": runs}`` when it varies nothing."""
    names = [n for n in varying(runs, "p_obj_")
             if f"p_obj_{n}" not in NOT_A_PROBLEM]
    if not names:
        return {"": runs}
    cols = [f"p_obj_{n}" for n in names]
    return {", ".join(f"{n}={v}" for n, v in zip(names, key)): g
            for key, g in runs.groupby(cols, sort=True)}


def _row_labels(runs, drop=()):
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
    runs = runs.assign(_label=_row_labels(runs, drop),
                       _problem=_problem_key(runs))
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
        rows.append(row)
    return pd.DataFrame(rows), reference


def over_quantity(runs, quantity, drop=()):
    """Median final recovery per value of a swept dataset quantity (rows)
    and solver (columns), with the oracle's and the Lasso ceiling's
    medians."""
    col = quantity if quantity in runs else f"p_dataset_{quantity}"
    runs = runs.assign(_label=_row_labels(runs, drop))
    table = runs.pivot_table(index=col, columns="_label", values=RECOVERY,
                             aggfunc="median")
    for name, ceiling in (("oracle", "objective_data_recovery_oracle"),
                          ("Lasso ceiling", "objective_data_ceiling_lasso")):
        if ceiling in runs and runs[ceiling].notna().any():
            table[name] = runs.groupby(col)[ceiling].median()
    return table.reset_index().rename(columns={col: quantity})


def success_over_quantity(runs, quantity, drop=()):
    """Success rate per value of a swept dataset quantity (rows) and solver
    (columns)."""
    col = quantity if quantity in runs else f"p_dataset_{quantity}"
    runs = runs.assign(_label=_row_labels(runs, drop),
                       _success=success(runs).astype(float))
    table = runs.pivot_table(index=col, columns="_label", values="_success",
                             aggfunc="mean")
    return table.reset_index().rename(columns={col: quantity})


def budget_table(runs, drop=()):
    """Median error budget per solver: the three parts of ``1 - recovery``."""
    budget = error_budget(runs, exclude=tuple(runs.columns))
    if budget.empty:
        return budget
    budget["solver"] = _row_labels(runs.loc[budget.index], drop)
    parts = ["statistical", "criterion_part", "optimization"]
    table = budget.groupby("solver", sort=True)[["achieved"] + parts].median()
    return table.rename(columns={"achieved": "median recovery",
                                 "criterion_part": "criterion"}).reset_index()


def theory_table(runs, drop=()):
    """Success rate per solver inside and outside each theorem's region
    (the ``data_theory_*`` columns that hold on some runs and not others)."""
    cols = [c for c in runs if c.startswith("objective_data_theory_")
            and runs[c].nunique(dropna=True) > 1]
    if not cols or RECOVERY not in runs:
        return pd.DataFrame()
    runs = runs.assign(_label=_row_labels(runs, drop),
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
    return pd.DataFrame(rows)


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


def study_page(study, runs, pairs=None):
    """The Markdown body of ``docs/generated/study_<study>.md``."""
    drop = tuple(p for p in [swept_solver_parameter(runs)] if p)
    n_problems = _problem_key(runs).nunique()
    parts = [
        f"Study `configs/{study}.yml`: {len(runs)} runs on {n_problems} "
        f"problems, {int(runs['cut'].sum())} cut (ended by their budget "
        f"while still progressing). Regenerate: `benchopt run . --config "
        f"configs/{study}.yml -j 2 --output {study}`, then `{COMMAND}`. "
        f"A success is every true atom recovered at |correlation| >= 0.99 "
        f"({RECOVERED_FRACTION} = 1) at the last iterate; times are solver seconds; "
        f"the time ratio is the median, over the problems where both reached "
        f"0.99, of the solver's time over the reference's."]
    has_truth = RECOVERY in runs and runs[RECOVERY].notna().any()
    for setting, g in _settings(runs).items():
        title = f"## Per solver{', ' + setting if setting else ''}"
        table, _ = per_solver(g, drop)
        parts += [title, markdown_table(table, "{:.4g}")]
        if not has_truth:
            continue
        for quantity in swept_quantities(g):
            parts += [f"### Median final recovery against {quantity}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(over_quantity(g, quantity, drop),
                                     "{:.4g}"),
                      f"### Success rate against {quantity}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(success_over_quantity(g, quantity, drop),
                                     "{:.3g}")]
        if drop:
            parts += [f"### Median final recovery against {drop[0]}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(_over_solver_param(g, drop[0]), "{:.4g}")]
    if has_truth:
        budget = budget_table(runs, drop)
        if not budget.empty:
            parts += ["## Error budget (medians over the runs)",
                      "`1 - recovery` = statistical (`1 - oracle`) + "
                      "criterion (`oracle - ceiling`) + optimization "
                      "(`ceiling - recovery`).",
                      markdown_table(budget, "{:.4f}")]
        theory = theory_table(runs, drop)
        if not theory.empty:
            parts += ["## Success inside and outside the theorems' regions",
                      markdown_table(theory, "{:.3g}")]
    if pairs is not None and len(pairs):
        parts += ["## Stability of paired replicates",
                  markdown_table(stability_table(pairs), "{:.3f}")]
    return "\n\n".join(parts)


def _over_solver_param(runs, param):
    col = f"p_solver_{param}"
    runs = runs.assign(_label=_row_labels(runs, (param,)))
    return runs.pivot_table(index="_label", columns=col, values=RECOVERY,
                            aggfunc="median").reset_index().rename(
                                columns={"_label": "solver"})


def summary_table(recorded):
    """The solver-by-study table from the recorded frames.

    Parameters
    ----------
    recorded : dict
        ``{study: runs}``, each a recorded frame (:func:`record_runs`).

    Returns
    -------
    table : DataFrame
        One row per solver configuration, one column per study (and
        objective setting, such as an init), each cell
        ``"success · median recovery · time ratio"`` (or the median PSNR on
        data without a ground truth); empty where the study did not run it.
    """
    cells, references = {}, {}
    for study, runs in recorded.items():
        drop = tuple(p for p in [swept_solver_parameter(runs)] if p)
        for setting, g in _settings(runs).items():
            column = f"[{study}](study_{study}.md)" + (
                f" {setting}" if setting else "")
            table, reference = per_solver(g, drop)
            references[column] = reference
            for row in table.to_dict("records"):
                cells.setdefault(row["solver"], {})[column] = _cell(
                    row, reference)
    frame = pd.DataFrame.from_dict(cells, orient="index").sort_index()
    frame = frame.fillna("").reset_index().rename(
        columns={"index": "solver"})
    return frame, references


def _cell(row, reference):
    if "success" not in row:
        psnr = row.get("median PSNR (dB)", np.nan)
        return "" if np.isnan(psnr) else f"{psnr:.2f} dB"
    ratio = row.get(f"time ratio to {reference}", np.nan)
    ratio = "-" if np.isnan(ratio) else f"{ratio:.2g}x"
    return (f"{100 * row['success']:.0f}% · "
            f"{row['median recovery']:.3f} · {ratio}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", nargs="?", default=str(ROOT / "outputs"),
                        help="folder of the studies' results files")
    args = parser.parse_args(argv)
    speed = machine_speed()
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    for study in studies():
        path = Path(args.outputs) / f"{study}.parquet"
        if not path.exists():
            continue
        print(f"{study}: reading {path}", file=sys.stderr)
        df = pd.read_parquet(path)
        runs = record_runs(df)
        runs.to_csv(RUNS_DIR / f"{study}.csv", index=False,
                    float_format="%.8g")
        pairs = stability_pairs(df) if has_replicates(df) else None
        if pairs is not None:
            pairs.to_csv(RUNS_DIR / f"{study}_pairs.csv", index=False,
                         float_format="%.8g")
        write_generated(GENERATED_DIR / f"study_{study}.md", COMMAND,
                        f"Study: {study}", study_page(study, runs, pairs),
                        speed=speed)
    recorded = {p.stem: pd.read_csv(p) for p in sorted(RUNS_DIR.glob("*.csv"))
                if not p.stem.endswith("_pairs")}
    if not recorded:
        sys.exit(f"no study results in {args.outputs} nor recorded frames in "
                 f"{RUNS_DIR}: run a study first (see this module's doc).")
    table, references = summary_table(recorded)
    missing = [s for s in studies() if s not in recorded]
    body = [
        "Each cell: the share of runs that recovered every atom (at "
        "|correlation| >= 0.99) · the median final recovery · the median "
        "time to a recovery of 0.99 as a ratio to the reference solver of "
        "that study on the same problems (`-`: too few runs reached it); on "
        "data without a ground truth, the median PSNR of the denoised "
        "held-out patches. A column header links the study's page.",
        markdown_table(table),
        "References: " + "; ".join(f"{c}: `{r}`" for c, r in
                                   references.items() if r) + ".",
    ]
    if missing:
        body.append("Studies without a recorded frame (not run yet): "
                    + ", ".join(f"[{s}](study_{s}.md)" for s in missing)
                    + ".")
    for study in missing:
        write_generated(GENERATED_DIR / f"study_{study}.md", COMMAND,
                        f"Study: {study}", pending_page(study), speed=speed)
    write_generated(GENERATED_DIR / "summary.md", COMMAND,
                    "Solver-by-study summary", "\n\n".join(body), speed=speed)
    print(f"wrote {GENERATED_DIR / 'summary.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
