"""Draw the README's figures from benchopt results files.

Usage::

    benchopt run . -d simulated --output default
    python docs/make_figures.py outputs/default.parquet

writes ``docs/recovery_vs_time.png``: recovery against solver time (log scale)
for every solver of the file (the first dataset, objective and repetition).
::

    benchopt run . --config configs/phase_transition.yml -j 2 --output phase_transition
    python docs/make_figures.py --study outputs/phase_transition.parquet

writes ``docs/studies/phase_transition.png``: the study's main figure, the
image the dashboard opens on ("Study figure" view, drawn by the same function,
``benchmark_utils.results.figures.study_figure``).

Each figure comes with its generated page, ``docs/generated/figure_<name>.md``:
the command that redraws it, its provenance and what it was drawn from.
"""
import argparse
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark_utils, from the repository
from benchmark_utils.results.report import write_generated  # noqa: E402
from benchmark_utils.results.studies import solver_labels  # noqa: E402

MIN_TIME = 1e-4  # times below this (the initial point) are drawn at it


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a benchopt results file (.parquet)")
    parser.add_argument(
        "--study", action="store_true",
        help="write the study's main figure to docs/studies/<file name>.png")
    parser.add_argument(
        "--output", default=str(HERE / "recovery_vs_time.png"),
        help="PNG to write (default: docs/recovery_vs_time.png)")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()
    if args.study:
        return study(args.results, args.dpi)

    df = pd.read_parquet(args.results)
    for column in ("dataset_name", "objective_name", "idx_rep"):
        if column in df:
            df = df[df[column] == df[column].iloc[0]]

    names = sorted(df["solver_name"].unique())
    labels = dict(zip(names, solver_labels(names)))
    # Order the legend by best recovery, then by time to reach it.
    order = sorted(
        labels,
        key=lambda n: (-round(df.loc[df.solver_name == n,
                                     "objective_recovery"].max(), 3),
                       df.loc[df.solver_name == n, "time"].max()),
    )

    fig, ax = plt.subplots(figsize=(9, 5.2))
    cmap = plt.get_cmap("tab10")
    styles = ["-", "--", ":"]
    for i, name in enumerate(order):
        curve = df[df.solver_name == name].sort_values("stop_val")
        ax.plot(curve["time"].clip(lower=MIN_TIME),
                curve["objective_recovery"],
                color=cmap(i % 10), linestyle=styles[i // 10 % len(styles)],
                marker="o", markersize=3, linewidth=1.6, label=labels[name])

    if "objective_data_chance_floor" in df:
        floor = df["objective_data_chance_floor"].iloc[0]
        ax.axhline(floor, color="grey", linewidth=1, linestyle=":")
        ax.annotate(f"chance floor {floor:.2f}", (0.99, floor),
                    xycoords=ax.get_yaxis_transform(), xytext=(0, -4),
                    textcoords="offset points", ha="right", va="top",
                    color="grey", fontsize=9)
    ax.axhline(1.0, color="black", linewidth=0.6)

    ax.set_xscale("log")
    ax.set_xlabel("solver time (s, log scale; the initial point drawn at "
                  f"{MIN_TIME:g} s)")
    ax.set_ylabel("recovery (1 = every atom recovered)")
    ax.set_ylim(0, 1.05)
    ax.grid(True, which="major", alpha=0.3)
    dataset = df["dataset_name"].iloc[0] if "dataset_name" in df else ""
    n = re.search(r"n_features=(\d+)", dataset)
    k = re.search(r"n_atoms=(\d+)", dataset)
    shape = f" ({n.group(1)} x {k.group(1)})" if n and k else ""
    ax.set_title(f"Recovery against time, default problem{shape}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9,
              frameon=False)
    fig.tight_layout()
    fig.savefig(args.output, dpi=args.dpi)
    print(f"wrote {args.output}")
    describe(Path(args.output), args.results, df, "the first problem of")


def study(path, dpi):
    from benchopt.results import read_results

    from benchmark_utils.results.figures import study_figure

    out = HERE / "studies" / f"{Path(path).stem}.png"
    out.parent.mkdir(exist_ok=True)
    df = read_results(path)
    study_figure(df).savefig(out, dpi=dpi)
    print(f"wrote {out}")
    describe(out, path, df, "every run of", flag="--study ")


def describe(image, results, df, scope, flag=""):
    """Write ``docs/generated/figure_<name>.md``: the figure, the command that
    redraws it and what it was drawn from."""
    name = Path(results).name
    command = f"python docs/make_figures.py {flag}outputs/{name}"
    runs = df.groupby(["solver_name", "dataset_name", "objective_name",
                       "idx_rep"]).ngroups
    body = (f"Drawn from {scope} `outputs/{name}` ({runs} runs of "
            f"{df['solver_name'].nunique()} solver configurations).\n\n"
            f"![{image.stem}]({Path('..') / image.relative_to(HERE)})")
    page = write_generated(HERE / "generated" / f"figure_{image.stem}.md",
                           command, f"Figure: {image.stem}", body)
    print(f"wrote {page}")


if __name__ == "__main__":
    main()
