from benchopt import BasePlot

from benchmark_utils.results.drawing import to_rgb
from benchmark_utils.results.maps import phase_transition_figure
from benchmark_utils.results.studies import (
    SUCCESS_CRITERIA,
    crossed_pairs,
    final_runs,
    group_labels,
    has_recovery,
)


def axis_pairs(df):
    """Pairs of swept dataset quantities, as "y x x" (rows x columns)."""
    if not has_recovery(df):
        return ["(no recovery: these results have no ground truth)"]
    pairs = [f"{y} x {x}" for y, x in crossed_pairs(final_runs(df))]
    return pairs or ["(no two dataset quantities vary on a grid)"]


class Plot(BasePlot):
    """Phase transition: per solver, the success rate over repetitions on the
    grid of two dataset quantities that the run swept (the measured mutual
    coherence, binned to 0.05, stands for the coherence target), as a heat map.

    Success is judged at the final iterate: every atom recovered
    (``recovered_fraction`` = 1) or ``recovery`` above a threshold. Cells
    with failed runs that their budget ended while still progressing say how
    many ("k/n cut"): their rate is a lower bound.
    """

    name = "Phase transition"
    type = "image"
    options = {"axes": axis_pairs, "success": list(SUCCESS_CRITERIA)}

    def plot(self, df, axes, success):
        if " x " not in axes:
            return []
        y, x = axes.split(" x ")
        runs = final_runs(df)
        labels = group_labels(runs, exclude=(x, y))
        return [
            {"image": to_rgb(phase_transition_figure(
                runs[labels == label], x, y, success)), "label": label}
            for label in sorted(labels.unique())
        ]

    def get_metadata(self, df, axes, success):
        return {"title": f"Success rate ({success}): {axes}", "ncols": 2}
