from benchopt import BasePlot

from benchmark_utils.results.drawing import to_rgb
from benchmark_utils.results.stability import (
    has_replicates,
    stability_figure,
    stability_pairs,
)


class Plot(BasePlot):
    """Stability: the same solver on two disjoint halves of the training set,
    or from two initial dictionaries, its two final dictionaries matched
    one-to-one (``benchmark_utils.metrics.stability``). With a ground truth,
    stability against true recovery, with each solver's Spearman rank
    correlation; without one (``patches``), the stability of each solver.
    Needs runs with the objective's ``replicate`` parameter
    (``configs/stability.yml``)."""

    name = "Stability"
    type = "image"
    options = {}

    def plot(self, df):
        if not has_replicates(df):
            return []
        return [{"image": to_rgb(stability_figure(stability_pairs(df))),
                 "label": "stability"}]

    def get_metadata(self, df):
        return {"title": "Stability of the learned dictionaries", "ncols": 1}
