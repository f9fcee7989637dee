"""Draw the README's figure from a benchopt results file.

Usage::

    benchopt run . --output default
    python docs/make_figures.py outputs/default.parquet

writes ``docs/recovery_vs_time.png``: recovery against solver time (log scale)
for every solver of the file (the first dataset, objective and repetition).
"""
import argparse
import re
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
MIN_TIME = 1e-4  # times below this (the initial point) are drawn at it


def parse_name(name):
    """Split 'solver[a=1,b=2]' into ('solver', {'a': '1', 'b': '2'})."""
    match = re.fullmatch(r"([^\[]+)(?:\[(.*)\])?", name)
    base, params = match.group(1), match.group(2)
    parsed = {}
    if params:
        for item in re.split(r",(?![^\[]*\])", params):
            key, _, value = item.partition("=")
            parsed[key] = value
    return base, parsed


def short_labels(names):
    """Drop the bracketed parameters that do not distinguish the solvers."""
    parsed = {name: parse_name(name) for name in names}
    by_base = defaultdict(list)
    for name, (base, params) in parsed.items():
        by_base[base].append(params)
    labels = {}
    for name, (base, params) in parsed.items():
        others = by_base[base]
        keep = [
            key for key in params
            if len({p.get(key) for p in others}) > 1
        ]
        labels[name] = (
            f"{base}[{','.join(f'{k}={params[k]}' for k in keep)}]"
            if keep else base
        )
    return labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a benchopt results file (.parquet)")
    parser.add_argument(
        "--output", default=str(HERE / "recovery_vs_time.png"),
        help="PNG to write (default: docs/recovery_vs_time.png)")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()

    df = pd.read_parquet(args.results)
    for column in ("dataset_name", "objective_name", "idx_rep"):
        if column in df:
            df = df[df[column] == df[column].iloc[0]]

    labels = short_labels(sorted(df["solver_name"].unique()))
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


if __name__ == "__main__":
    main()
