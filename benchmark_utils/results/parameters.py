"""A solver parameter that a study sweeps for every solver (the restart
study's ``restart``): which one (:func:`swept_solver_parameter`) and its
figure (:func:`parameter_figure`), each solver's final score for each value.
"""
from benchmark_utils.results.drawing import METRIC_LABELS, _figure, _short
from benchmark_utils.results.studies import group_labels, varying
from benchmark_utils.schema import RECOVERY


def swept_solver_parameter(runs):
    """The solver parameter a study sweeps for every solver, or None.

    A parameter counts when it takes more than one value among the runs of
    each solver of ``runs`` (the name before its parameters): the restart
    study's ``restart`` (``none`` and ``unused`` for each of its eight
    solvers). ``n_layers`` is the depth study's own figure, and a parameter
    that only some solvers vary (K-SVD's ``atom_update`` on P1) is a variant
    of that solver, not what the study sweeps. The first in alphabetical order
    when several qualify.
    """
    family = runs["solver_name"].astype(str).str.split("[").str[0]
    common = None
    for _, rows in runs.groupby(family, sort=True):
        names = set(varying(rows, "p_solver_")) - {"n_layers"}
        common = names if common is None else common & names
    return min(common) if common else None


def parameter_figure(runs, param, metric=RECOVERY):
    """Final ``metric`` for each value of the solver parameter ``param``
    (:func:`swept_solver_parameter`): one row per solver (without
    ``param``), objective and dataset, the median over repetitions of each
    value as a marker, joined by a line; points with cut runs are circled in
    red. The restart study's figure: every solver with and without the
    restart, on each problem and from each init."""
    column = f"p_solver_{param}"
    if column not in runs:
        raise ValueError(f"no solver parameter {param!r} in these results.")
    runs = runs.assign(_row=group_labels(runs, solver_exclude=(param,)),
                       _value=runs[column].astype(str))
    table = runs.groupby(["_row", "_value"], sort=True).agg(
        median=(metric, "median"), n_cut=("cut", "sum"))
    rows = sorted(runs["_row"].unique(), reverse=True)  # first on top
    values = sorted(runs["_value"].unique())
    fig, axes = _figure(figsize=(8.0, max(5.0, 0.22 * len(rows) + 1.5)))
    ax = axes[0, 0]
    for i, row in enumerate(rows):
        points = table.loc[row]["median"]
        ax.plot([points.min(), points.max()], [i, i], color="0.7", lw=1,
                zorder=1)
    # Markers shrink from one value to the next, so that equal values show
    # as one marker inside the other.
    markers = ["o", "s", "^", "D", "v", "P"]
    for j, value in enumerate(values):
        at = [(i, table.loc[(row, value)]) for i, row in enumerate(rows)
              if (row, value) in table.index]
        ax.scatter([t["median"] for _, t in at], [i for i, _ in at],
                   marker=markers[j % len(markers)], s=70 / (1 + 1.3 * j),
                   zorder=2, label=f"{param}={value}")
        cut = [(i, t) for i, t in at if t["n_cut"] > 0]
        ax.scatter([t["median"] for _, t in cut], [i for i, _ in cut], s=120,
                   facecolors="none", edgecolors="red", linewidths=1.5,
                   zorder=3)
    if table["n_cut"].sum() > 0:
        ax.scatter([], [], s=120, facecolors="none", edgecolors="red",
                   label="some runs cut by their budget")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_short(row, 48) for row in rows], fontsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(METRIC_LABELS.get(metric, metric))
    ax.set_title(f"by {param}: median over {int(runs['idx_rep'].nunique())} "
                 "repetitions", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig
