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
from benchopt.results import read_results

from benchmark_utils.results.parameters import swept_solver_parameter
from benchmark_utils.results.report import (
    GENERATED_DIR,
    ROOT,
    machine_speed,
    markdown_table,
    write_generated,
)
from benchmark_utils.results.stability import has_replicates, stability_pairs
from benchmark_utils.results.studies import swept_quantities
from benchmark_utils.results.tables import (
    budget_table,
    distinct_quantities,
    natural_key,
    objective_settings,
    over_quantity,
    over_solver_parameter,
    per_solver,
    problem_key,
    record_runs,
    stability_table,
    success_over_quantity,
    theory_table,
)
from benchmark_utils.schema import RECOVERED_FRACTION, RECOVERY

COMMAND = "python -m benchmark_utils.results.summary"
RUNS_DIR = GENERATED_DIR / "runs"



# The order of the summary's columns: the questions of docs/findings.md;
# a study not listed comes after, by name.
STUDY_ORDER = ("phase_transition", "local_convergence", "depth", "restart",
               "sample_complexity", "noise", "outliers", "stability",
               "patches", "convolutional", "p1", "large_scale")


def study_key(name):
    """Sort key of a study name: :data:`STUDY_ORDER`, then by name."""
    known = name in STUDY_ORDER
    return (not known, STUDY_ORDER.index(name) if known else 0, name)


def studies(configs=ROOT / "configs"):
    """The study names: the ``configs/*.yml`` files, in :func:`study_key`
    order."""
    return sorted((p.stem for p in Path(configs).glob("*.yml")),
                  key=study_key)


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


def study_page(study, runs, pairs=None, run_on=None):
    """The Markdown body of ``docs/generated/study_<study>.md``; ``run_on``:
    when benchopt ran the study (its results' ``run_date``), if known."""
    drop = tuple(p for p in [swept_solver_parameter(runs)] if p)
    n_problems = problem_key(runs).nunique()
    has_truth = RECOVERY in runs and runs[RECOVERY].notna().any()
    intro = (
        f"Study `configs/{study}.yml`: {len(runs)} runs on {n_problems} "
        f"problem{'s' if n_problems != 1 else ''}, "
        f"{int(runs['cut'].sum())} cut (ended by their budget while still "
        f"progressing). Regenerate: `benchopt run . --config "
        f"configs/{study}.yml -j 2 --output {study}`, then `{COMMAND}`.")
    if run_on:
        intro += (f" The results were run on {run_on} (the provenance above is "
                  "that of the tables).")
    if has_truth:
        intro += (
            " A success is every true atom recovered at |correlation| >= 0.99 "
            f"({RECOVERED_FRACTION} = 1) at the last iterate; times are solver "
            "seconds; the time ratio is the median, over the problems where "
            "both reached 0.99, of the solver's time over the reference's.")
    else:
        intro += (
            " These data have no ground truth: each solver is read on the "
            "PSNR of the held-out patches it denoises and, over paired "
            "replicates, on the stability of its atoms.")
    parts = [intro]
    for setting, g in objective_settings(runs).items():
        title = f"## Per solver{', ' + setting if setting else ''}"
        table, _ = per_solver(g, drop)
        parts += [title, markdown_table(table, "{:.4g}")]
        if not has_truth:
            continue
        for quantity, along in distinct_quantities(
                g, swept_quantities(g)):
            also = f" (with {', '.join(along)})" if along else ""
            parts += [f"### Median final recovery against {quantity}{also}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(over_quantity(g, quantity, drop),
                                     "{:.4g}"),
                      f"### Success rate against {quantity}{also}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(success_over_quantity(g, quantity, drop),
                                     "{:.3g}")]
        if drop:
            parts += [f"### Median final recovery against {drop[0]}"
                      f"{', ' + setting if setting else ''}",
                      markdown_table(over_solver_parameter(g, drop[0]), "{:.4g}")]
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


def _run_on(df):
    """The day and minute benchopt started a results frame's run (its
    machine's clock), or None."""
    if "run_date" not in df or df["run_date"].isna().all():
        return None
    return str(pd.to_datetime(df["run_date"]).min())[:16]


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
        for setting, g in objective_settings(runs).items():
            column = f"[{study}](study_{study}.md)" + (
                f" {setting}" if setting else "")
            table, reference = per_solver(g, drop)
            references[column] = reference
            for row in table.to_dict("records"):
                cells.setdefault(row["solver"], {})[column] = _cell(
                    row, reference)
    frame = pd.DataFrame.from_dict(cells, orient="index")
    frame = frame.loc[sorted(frame.index, key=natural_key), list(references)]
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
        df = read_results(path)
        runs = record_runs(df)
        runs.to_csv(RUNS_DIR / f"{study}.csv", index=False,
                    float_format="%.8g")
        pairs = stability_pairs(df) if has_replicates(df) else None
        if pairs is not None:
            pairs.to_csv(RUNS_DIR / f"{study}_pairs.csv", index=False,
                         float_format="%.8g")
        body = study_page(study, runs, pairs, run_on=_run_on(df))
        write_generated(GENERATED_DIR / f"study_{study}.md", COMMAND,
                        f"Study: {study}", body, speed=speed)
    frames = sorted(RUNS_DIR.glob("*.csv"), key=lambda p: study_key(p.stem))
    recorded = {p.stem: pd.read_csv(p) for p in frames
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
        "The same command writes each study's recorded frame, one row per "
        "run with its final scores, to `docs/generated/runs/<study>.csv`; "
        "the table is computed from those files.",
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
