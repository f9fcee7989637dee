from benchopt import BasePlot

from benchmark_utils.results.drawing import to_rgb
from benchmark_utils.results.figures import available_figures, study_figure


class Plot(BasePlot):
    """The main figure of the study the results come from.

    The figure is chosen from what the run swept: the depth of the unrolled
    solvers, then a solver parameter that every solver varies (the restart
    study: each solver's final recovery with each value), then two dataset
    quantities (a phase-transition map), then one
    (the final score against it), then the learned atoms of image data; the
    other figures the results support are the other values of ``figure``.
    Drawn with matplotlib by ``benchmark_utils.results.figures``, the same code that
    makes the README's PNGs. The root ``config.yml`` opens the dashboard on it.
    """

    name = "Study figure"
    type = "image"
    options = {"figure": available_figures}

    def plot(self, df, figure):
        return [{"image": to_rgb(study_figure(df, figure)), "label": figure}]

    def get_metadata(self, df, figure):
        return {"title": f"Study figure: {figure}", "ncols": 1}
