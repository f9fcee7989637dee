"""The studies' figures, drawn with matplotlib from a benchopt results frame.

One function per figure; :func:`study_figure` picks the figure a results file
was made for (the dashboard's "Study figure" view and ``docs/make_figures.py``
both call it, so the README's PNGs are the dashboard's images). The numbers come
from ``benchmark_utils.results.studies``; every figure marks runs that were cut (ended
by their budget while still progressing).
"""
import numpy as np

from benchmark_utils.results.budget import (
    ORACLE,
    error_budget_figure,
    error_budget_map_figure,
)
from benchmark_utils.results.drawing import (
    AXIS_LABELS,
    LOG_AXES,
    METRIC_LABELS,
    _figure,
    _grid,
    _short,
    to_rgb,
)
from benchmark_utils.results.maps import phase_transition_figure
from benchmark_utils.results.parameters import parameter_figure, swept_solver_parameter
from benchmark_utils.results.stability import (
    PAIRS,
    REPLICATE,
    has_replicates,
    stability_figure,
    stability_pairs,
)
from benchmark_utils.results.studies import (
    BAND,
    SUCCESS_CRITERIA,
    crossed_pairs,
    curve_over,
    final_runs,
    group_labels,
    has_recovery,
    loss_path,
    swept_quantities,
    time_to_recovery,
    varying,
)
from benchmark_utils.schema import (
    ATOMS,
    GENERALIZATION_GAP,
    LOSS_TRAIN,
    PSNR,
    RECOVERY,
    key,
)
from benchmark_utils.simulation.patches import image_grid

PSNR_NOISY = key("data_psnr_noisy")
PSNR_MEAN_ONLY = key("data_psnr_mean_only")


def curve_figure(runs, x, metric=RECOVERY):
    """Final ``metric`` against the swept quantity ``x``: median over
    repetitions and the quantile band, one line per solver (and init);
    points with cut runs are circled in red."""
    curves = curve_over(runs, x, metric)
    fig, axes = _figure()
    ax = axes[0, 0]
    for label, c in curves.groupby("label", sort=True):
        line, = ax.plot(c["x"], c["median"], marker="o", label=_short(label, 60))
        ax.fill_between(c["x"], c["low"], c["high"], alpha=0.2,
                        color=line.get_color())
        cut = c[c["n_cut"] > 0]
        ax.scatter(cut["x"], cut["median"], s=120, facecolors="none",
                   edgecolors="red", linewidths=1.5)
    if curves["n_cut"].sum() > 0:
        ax.scatter([], [], s=120, facecolors="none", edgecolors="red",
                   label="some runs cut by their budget")
    if x in LOG_AXES:
        ax.set_xscale("log")
    ax.set_xlabel(AXIS_LABELS.get(x, x))
    ax.set_ylabel(METRIC_LABELS.get(metric, metric))
    ax.set_title(f"median and {int(BAND[0] * 100)}-{int(BAND[1] * 100)}% "
                 f"band over {int(runs['idx_rep'].nunique())} repetitions",
                 fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return fig


def depth_summary(runs, metric=RECOVERY):
    """Median final ``metric`` (or ``time``) and its band per solver (without
    its depth) against ``n_layers``."""
    runs = runs.dropna(subset=["p_solver_n_layers"])
    runs = runs.assign(
        _label=group_labels(runs, solver_exclude=("n_layers",)),
        _layers=runs["p_solver_n_layers"].astype(float),
    )
    out = {}
    for label, g in runs.groupby("_label", sort=True):
        by = g.groupby("_layers")
        out[label] = dict(
            x=by[metric].median().index.to_numpy(),
            median=by[metric].median().to_numpy(),
            low=by[metric].quantile(BAND[0]).to_numpy(),
            high=by[metric].quantile(BAND[1]).to_numpy(),
            n_cut=by["cut"].sum().to_numpy(),
        )
    return out


def depth_figure(runs):
    """Final recovery (or loss) and solver time against the depth."""
    metric = RECOVERY if RECOVERY in runs and runs[RECOVERY].notna().any() \
        else LOSS_TRAIN
    fig, axes = _figure(2, 1, figsize=(7.5, 8))
    axes = axes[:, 0]
    for ax, col in zip(axes, [metric, "time"]):
        for label, s in depth_summary(runs, col).items():
            line, = ax.plot(s["x"], s["median"], marker="o",
                            label=_short(label, 60))
            ax.fill_between(s["x"], s["low"], s["high"], alpha=0.2,
                            color=line.get_color())
            cut = s["n_cut"] > 0
            ax.scatter(s["x"][cut], s["median"][cut], s=120,
                       facecolors="none", edgecolors="red", linewidths=1.5)
        ax.set_xscale("log")
        ax.set_xlabel(AXIS_LABELS["n_layers"])
        ax.set_ylabel(METRIC_LABELS.get(col, "solver time at the end (s)"))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("median and band over repetitions; red circles: some runs "
                 "still progressing when their budget ended", fontsize=10)
    return fig


def time_to_recovery_figure(df, threshold=0.99, exclude=()):
    """Median time to reach ``threshold`` per solver, with the share of
    repetitions that reach it (over the cells of the swept quantities
    ``exclude`` too)."""
    # Fastest first (at the top); solvers that never reach it last.
    table = time_to_recovery(df, threshold, exclude).sort_values(
        "median", na_position="last").reset_index(drop=True)
    fig, axes = _figure(figsize=(8, 0.45 * len(table) + 1.6))
    ax = axes[0, 0]
    ax.invert_yaxis()
    y = np.arange(len(table))
    # Points, not bars: on a log axis a bar's length says nothing (it starts
    # wherever the axis does), a point's position is the time.
    ax.scatter(table["median"], y, color="tab:blue", marker="D", s=40,
               zorder=3, label="median")
    for i, row in enumerate(table.itertuples()):
        ax.scatter(row.times, [i] * len(row.times), color="black", marker="|",
                   s=80)
        if row.n_reached:
            ax.text(row.median, i, f"  {row.n_reached}/{row.n_runs}",
                    va="center", fontsize=8)
        else:
            ax.annotate(f" never reached (0/{row.n_runs})", xy=(0, i),
                        xycoords=("axes fraction", "data"), va="center",
                        fontsize=8, color="gray")
    ax.set_yticks(y, [_short(label, 45) for label in table["label"]])
    ax.set_xlabel(f"solver time to recovery {threshold} (s, log scale): "
                  "diamond, median of the runs that reach it; ticks, each run")
    if table["median"].notna().any():
        ax.set_xscale("log")
    else:
        ax.set_title(f"no run reached recovery {threshold}", fontsize=10)
    return fig


def generalization_figure(df, runs):
    """Held-out against training loss along the iterations (top; the first
    12 labels, to stay readable) and the final gap against the number of
    samples (bottom, when it varies)."""
    swept = "n_samples" in swept_quantities(runs)
    fig, axes = _figure(2 if swept else 1, 1, figsize=(7.5, 8 if swept else 5))
    ax = axes[0, 0]
    paths = loss_path(df)
    for path in paths[:12]:
        ax.plot(path["train"], path["test"], marker=".",
                label=_short(path["label"], 40))
    lims = ax.get_xlim()
    ax.plot(lims, lims, color="gray", linestyle="--", linewidth=1,
            label="held-out = training")
    ax.set_xlabel("training loss")
    ax.set_ylabel("held-out loss")
    ax.legend(fontsize=6)
    ax.grid(alpha=0.3)
    if swept:
        ax = axes[1, 0]
        curves = curve_over(runs, "n_samples", GENERALIZATION_GAP)
        for label, c in curves.groupby("label", sort=True):
            line, = ax.plot(c["x"], c["median"], marker="o",
                            label=_short(label, 40))
            ax.fill_between(c["x"], c["low"], c["high"], alpha=0.2,
                            color=line.get_color())
        ax.axhline(0, color="gray", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlabel(AXIS_LABELS["n_samples"])
        ax.set_ylabel(METRIC_LABELS[GENERALIZATION_GAP])
        ax.legend(fontsize=6)
        ax.grid(alpha=0.3)
    return fig


def atoms_images(df):
    """The final learned atoms of each solver (first repetition), as image
    grids: ``[(label, grid)]``; empty when the atoms are not images."""
    if ATOMS not in df:
        return []
    rows = df.dropna(subset=[ATOMS])
    out = []
    for label, g in rows.assign(_label=group_labels(rows)).groupby(
            "_label", sort=True):
        g = g[g["idx_rep"] == g["idx_rep"].min()]
        last = g.loc[g["stop_val"].idxmax()]
        out.append((label, image_grid(np.asarray(last[ATOMS]))))
    return out


def atoms_figure(df, runs=None):
    """Learned atoms of every solver, with its final denoising PSNR and,
    when the results hold paired replicates, its stability (the atoms shown
    are those of the first replicate)."""
    stability, kind = {}, None
    if has_replicates(df):
        # The split halves when there are some, else the two inits: the
        # atoms of its first replicate, the median stability of its pairs.
        pairs = stability_pairs(df)
        kind = next(k for k in PAIRS if k in set(pairs["pair"]))
        pairs = pairs[pairs["pair"] == kind]
        stability = pairs.groupby("solver_name")["stability"].median()
        df = df[df[REPLICATE] == PAIRS[kind][0]]
        runs = None
    items = atoms_images(df)
    fig, axes = _grid(len(items), width=3.0, height=3.4,
                      max_cols=max(1, int(np.ceil(np.sqrt(len(items))))))
    runs = final_runs(df) if runs is None else runs
    runs = runs.assign(_label=group_labels(runs))
    for ax, (label, grid) in zip(axes, items):
        ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.axis("off")
        title = _short(label, 30)
        mine = runs[runs["_label"] == label]
        if PSNR in runs:
            title += f"\nPSNR {mine[PSNR].median():.2f} dB"
        solvers = set(mine["solver_name"]) & set(getattr(stability, "index",
                                                         ()))
        if solvers:
            title += (f", stability "
                      f"{np.median([stability[s] for s in solvers]):.3f}")
        ax.set_title(title, fontsize=9)
    if PSNR_NOISY in runs:
        fig.suptitle(
            f"noisy patches: {runs[PSNR_NOISY].median():.2f} "
            f"dB; all-zero codes: "
            f"{runs[PSNR_MEAN_ONLY].median():.2f} dB"
            + (f"\nstability: median over the pairs of {kind}; atoms of "
               f"the first replicate" if kind else ""),
            fontsize=10)
    return fig


def available_figures(df, runs=None):
    """Names of the figures the results support, the study's own first
    (``runs``: ``final_runs(df)``, when the caller has it already)."""
    runs = final_runs(df) if runs is None else runs
    swept = swept_quantities(runs)
    names = []
    if "n_layers" in varying(runs, "p_solver_"):
        names.append("score against depth")
    param = swept_solver_parameter(runs)
    if param is not None and has_recovery(df):
        # What the restart study compares, before the problems it used.
        names.append(f"recovery by {param}")
    if has_recovery(df):
        pairs = crossed_pairs(runs, swept)
        if pairs:
            y, x = pairs[0]
            names.append(f"phase transition: {y} x {x}")
            if ORACLE in runs:
                names.append(f"error budget: {y} x {x}")
        for name in swept:
            names.append(f"recovery against {name}")
    if ATOMS in df and df[ATOMS].notna().any():
        names.append("learned atoms")
    if has_recovery(df) and ORACLE in runs:
        # With nothing swept, the run's own figure: what the data, each
        # criterion and each optimizer cost.
        first = (not swept and param is None
                 and "n_layers" not in varying(runs, "p_solver_"))
        names.insert(0 if first else len(names), "error budget")
    if has_recovery(df):
        names.append("time to recovery 0.99")
    names.append("generalization")
    if has_replicates(df):
        # A study of replicates opens on them (on the atoms, with their
        # stability, for data without a ground truth).
        names.insert(1 if names[0] == "learned atoms" else 0, "stability")
    return names


def study_figure(df, name=None):
    """The matplotlib figure ``name`` (one of :func:`available_figures`;
    default: the first, the study's own)."""
    runs = final_runs(df)
    names = available_figures(df, runs)
    name = names[0] if name is None else name
    if name not in names:
        raise ValueError(f"figure must be one of {names}, got {name!r}.")
    if name == "score against depth":
        fig = depth_figure(runs)
    elif name.startswith("phase transition: "):
        y, x = name[len("phase transition: "):].split(" x ")
        fig = phase_transition_figure(runs, x=x, y=y)
    elif name.startswith("error budget: "):
        y, x = name[len("error budget: "):].split(" x ")
        fig = error_budget_map_figure(runs, x=x, y=y)
    elif name.startswith("recovery against "):
        fig = curve_figure(runs, name[len("recovery against "):])
    elif name.startswith("recovery by "):
        fig = parameter_figure(runs, name[len("recovery by "):])
    elif name == "learned atoms":
        fig = atoms_figure(df, runs)
    elif name == "stability":
        fig = stability_figure(stability_pairs(df))
    elif name == "time to recovery 0.99":
        fig = time_to_recovery_figure(df, 0.99,
                                      exclude=tuple(swept_quantities(runs)))
    elif name == "error budget":
        fig = error_budget_figure(runs,
                                  exclude=tuple(swept_quantities(runs)))
    else:
        fig = generalization_figure(df, runs)
    return square(fig)


def square(fig):
    """``fig`` on a square canvas (laid out when drawn): the dashboard shows
    an image in a square frame, and a wider figure left it empty above and
    below (a taller one, on the sides)."""
    side = max(fig.get_size_inches())
    fig.set_size_inches(side, side)
    return fig


__all__ = [
    "SUCCESS_CRITERIA", "atoms_figure", "atoms_images", "available_figures",
    "curve_figure", "depth_figure", "generalization_figure",
    "phase_transition_figure", "square", "study_figure",
    "time_to_recovery_figure", "to_rgb",
]
