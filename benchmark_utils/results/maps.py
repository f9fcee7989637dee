"""The phase-transition maps: the success rate per cell of a grid of two
swept quantities (:func:`phase_transition_figure`), with the recovery
theorems' conditions of :mod:`benchmark_utils.metrics.theory` drawn over it:
which cells satisfy each (:func:`condition_grid`), the lines and the legend
(:func:`draw_conditions`, :func:`conditions_legend`); each cell also names
the largest part of its error budget (:func:`dominant_parts`,
:mod:`benchmark_utils.results.budget`).
"""
import numpy as np

from benchmark_utils.metrics.theory import CONDITIONS
from benchmark_utils.results.budget import PARTS_COLUMNS, error_budget_grid
from benchmark_utils.results.drawing import AXIS_LABELS, _fmt, _grid, _short
from benchmark_utils.results.studies import (
    group_labels,
    quantity_column,
    success_grid,
)


def condition_grid(runs, x, y, keys):
    """Where the theorems' conditions hold on the grid of two swept quantities.

    Returns
    -------
    dict
        ``{key: frame}`` for every condition ``key`` (a ``theory_*`` property,
        see :mod:`benchmark_utils.metrics.theory`) the runs report: the share
        of runs of each cell (rows: values of ``y``, columns: values of ``x``)
        whose problem satisfies it. Conditions are properties of the problem
        (and of the initial dictionary), the same for every solver.
    """
    xc, yc = quantity_column(runs, x), quantity_column(runs, y)
    grids = {}
    for key in keys:
        column = f"objective_data_{key}"
        if column in runs and runs[column].notna().any():
            grids[key] = (runs.groupby([yc, xc])[column].mean()
                          .unstack(xc).rename_axis(index=y, columns=x))
    return grids



# Colours of the theorems' boundaries over the viridis heat maps, in the
# order of benchmark_utils.metrics.theory.CONDITIONS.
CONDITION_COLOURS = ("tab:red", "magenta", "tab:orange", "sienna", "cyan",
                     "black", "tab:brown", "tab:gray", "tab:olive")


def _condition_edges(holds):
    """Segments, in cell coordinates, of the edges between a cell where a
    condition holds and a neighbour where it does not (NaN: no run)."""
    segments = []
    n_rows, n_cols = holds.shape
    for i in range(n_rows):
        for j in range(n_cols):
            if np.isnan(holds[i, j]):
                continue
            if j + 1 < n_cols and not np.isnan(holds[i, j + 1]) \
                    and holds[i, j] != holds[i, j + 1]:
                segments.append([(j + 0.5, i - 0.5), (j + 0.5, i + 0.5)])
            if i + 1 < n_rows and not np.isnan(holds[i + 1, j]) \
                    and holds[i, j] != holds[i + 1, j]:
                segments.append([(j - 0.5, i + 0.5), (j + 0.5, i + 0.5)])
    return segments


def draw_conditions(ax, runs, x, y, rate):
    """Draw on a heat map where each theorem's condition holds (in at least
    half the problems of a cell): a solid line for a proven boundary, a
    dashed one for a scaling with its constant set to 1. Returns, per
    condition drawn or not, ``(condition, colour, n_cells_holding,
    n_cells)`` for the legend."""
    from matplotlib.collections import LineCollection

    grids = condition_grid(runs, x, y, [c.key for c in CONDITIONS])
    drawn = []
    for k, (condition, colour) in enumerate(zip(CONDITIONS,
                                                CONDITION_COLOURS)):
        if condition.key not in grids:
            continue
        share = grids[condition.key].reindex(index=rate.index,
                                             columns=rate.columns)
        values = share.to_numpy(dtype=float)
        holds = np.where(np.isnan(values), np.nan, (values >= 0.5) * 1.0)
        # Conditions that share an edge are drawn side by side.
        offset = 0.06 * (k - (len(CONDITIONS) - 1) / 2) / 2
        segments = [[(a + offset, b + offset) for a, b in seg]
                    for seg in _condition_edges(holds)]
        if segments:
            ax.add_collection(LineCollection(
                segments, colors=colour, linewidths=2.2,
                linestyles="solid" if condition.proven else (0, (3, 2))))
        drawn.append((condition, colour, int(np.nansum(holds)),
                      int(np.sum(~np.isnan(holds)))))
    # The offsets must not widen the map.
    ax.set_xlim(-0.5, rate.shape[1] - 0.5)
    ax.set_ylim(-0.5, rate.shape[0] - 0.5)
    return drawn


def conditions_legend(ax, drawn):
    """In the panel ``ax``, one legend entry per condition: its inequality
    and in how many cells it holds, its source and whether it is proven or a
    scaling."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for condition, colour, n_hold, n_cells in drawn:
        handles.append(Line2D([], [], color=colour, linewidth=2.2,
                              linestyle="solid" if condition.proven
                              else (0, (3, 2))))
        source = condition.reference.replace(" (scaling only)", "")
        kind = "proven" if condition.proven else "scaling only, constant 1"
        labels.append(f"{condition.label}: {n_hold}/{n_cells} cells\n"
                      f"  {source} ({kind})")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, 0.74),
              fontsize=6.5, frameon=False, alignment="left",
              title="Theory (docs/theory.md): each line separates the cells\n"
              "where the condition holds (in at least half the problems)\n"
              "from the others", title_fontsize=7)


# How a cell names the largest part of its error budget.
PART_LETTERS = {"statistical": "d", "criterion_part": "c", "optimization": "o"}
PART_KEY = ("second line: the cell's largest part of 1 - recovery (median): "
            "d data (1 - oracle), c criterion (oracle - ceiling), "
            "o optimizer (ceiling - achieved)")


def dominant_parts(runs, x, y):
    """Per solver, the largest part of the error budget of every cell.

    Returns
    -------
    dict
        ``{label: frame}``, the same labels and grid as
        :func:`~benchmark_utils.results.studies.success_grid`; each cell holds
        ``(part, value)``: the part of ``1 - recovery`` (``"statistical"``,
        ``"criterion_part"`` or ``"optimization"``) whose median over the
        cell's runs is the largest, and that median, or ``None`` for a cell
        without a ground truth or ceilings.
    """
    out = {}
    for label, parts in error_budget_grid(runs, x, y).items():
        frames = [parts[p] for p in PARTS_COLUMNS]
        stacked = np.stack([f.to_numpy(dtype=float) for f in frames])
        best = frames[0].astype(object).copy()
        for i in range(stacked.shape[1]):
            for j in range(stacked.shape[2]):
                cell = stacked[:, i, j]
                if np.isnan(cell).all():
                    best.iat[i, j] = None
                    continue
                k = int(np.nanargmax(cell))
                best.iat[i, j] = (PARTS_COLUMNS[k], float(cell[k]))
        out[label] = best
    return out


def phase_transition_figure(runs, x, y, criterion="all atoms recovered",
                            theory=True, budget=True):
    """Heat maps of the success rate, one per solver, on ``y`` x ``x``.

    Each cell shows the success rate over repetitions; a cell with runs cut
    by the budget says how many (their verdict is a lower bound). With
    ``theory``, the boundaries of the recovery theorems' conditions
    (``data_theory_*`` columns, :mod:`benchmark_utils.metrics.theory`) are
    drawn over the maps, proven ones solid, scalings dashed, with a legend.
    With ``budget``, each cell's second line names the largest part of its
    error budget and its median (:func:`dominant_parts`).
    """
    grids = success_grid(runs, x, y, criterion)
    parts = dominant_parts(runs, x, y) if budget else {}
    # One panel per solver and one for the key (colour bar, theory legend).
    fig, axes = _grid(len(grids) + 1)
    # The constrained layout keeps the three-line title above the panels
    # (the tight one let it run over the first row's titles).
    fig.set_layout_engine("constrained")
    key, axes = axes[-1], axes[:-1]
    image = None
    drawn = []
    for ax, (label, grid) in zip(axes, grids.items()):
        rate, count, cut = grid["rate"], grid["count"], grid["cut"]
        image = ax.imshow(rate.to_numpy(dtype=float), origin="lower",
                          cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(rate.shape[1]), [_fmt(v) for v in rate.columns])
        ax.set_yticks(range(rate.shape[0]), [_fmt(v) for v in rate.index])
        ax.set_xlabel(AXIS_LABELS.get(x, x))
        ax.set_ylabel(AXIS_LABELS.get(y, y))
        ax.set_title(_short(label), fontsize=10)
        for i in range(rate.shape[0]):
            for j in range(rate.shape[1]):
                value = rate.iat[i, j]
                if np.isnan(value):
                    continue
                text = f"{value:.2f}"
                part = _cell(parts.get(label), rate, i, j)
                if part is not None:
                    text += f"\n{PART_LETTERS[part[0]]} {part[1]:.0e}"
                n_cut = cut.iat[i, j]
                if n_cut > 0:
                    text += f"\n{int(n_cut)}/{int(count.iat[i, j])} cut"
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="white" if value < 0.6 else "black")
        if theory:
            in_panel = group_labels(runs, exclude=(x, y)) == label
            drawn = draw_conditions(ax, runs[in_panel], x, y, rate)
    annotated = any(v is not None for frame in parts.values()
                    for v in frame.to_numpy().ravel())
    fig.suptitle(f"Success rate ({criterion}, final iterate) over "
                 f"{int(runs['idx_rep'].nunique())} repetitions\n'k/n cut': "
                 "failed runs still progressing when their budget ended"
                 + (f"\n{PART_KEY}" if annotated else ""), fontsize=10)
    key.axis("off")
    if image is not None:
        bar = key.inset_axes([0.05, 0.9, 0.9, 0.06])
        fig.colorbar(image, cax=bar, orientation="horizontal",
                     label="success rate")
    if drawn:
        conditions_legend(key, drawn)
    return fig


def _cell(frame, rate, i, j):
    """The entry of ``frame`` at the cell ``(i, j)`` of ``rate``'s grid."""
    if frame is None:
        return None
    row, col = rate.index[i], rate.columns[j]
    if row not in frame.index or col not in frame.columns:
        return None
    return frame.at[row, col]
