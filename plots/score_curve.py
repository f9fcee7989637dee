from benchopt import BasePlot

from benchmark_utils.results.studies import (
    RECOVERY,
    score_curve_columns,
    score_curves,
)
from benchmark_utils.runtime.dashboard import trace_style
from benchmark_utils.schema import PREFIX, ceiling_key

# The recovery ceilings drawn with the recovery curves: what the data allow
# and what each criterion allows (benchmark_utils.metrics.ceilings).
CEILINGS = {ceiling_key(None): "oracle (true codes)",
            ceiling_key("lasso"): "Lasso ceiling",
            ceiling_key("omp"): "OMP ceiling"}


class Plot(BasePlot):
    """A score of the iterates against solver time or iteration, per solver.

    The curves of benchopt's ``objective_curve``, for the scores of a
    dictionary only (recovery, recovered fraction, training and held-out
    losses, generalization gap, PSNR; see ``score_curve_columns``): benchopt's
    plot draws one figure per results column, and most of the some 50 columns
    of this benchmark are constants of the problem (``data_*``) or of the
    machine, whose figures took most of the dashboard's time. The median over
    repetitions at each iteration, against the median solver time. With the
    recovery, the problem's recovery ceilings (median over repetitions) are
    drawn as flat lines across the curves: the oracle, and the Lasso and OMP
    criteria's ceilings, where each solver's run ends when it reaches its
    own.
    """

    name = "Score curve"
    type = "scatter"
    options = {
        "dataset": ...,
        "objective": ...,
        "column": score_curve_columns,
        "X_axis": ["Time", "Iteration"],
    }

    def plot(self, df, dataset, objective, column, X_axis):
        df = df[(df["dataset_name"] == dataset)
                & (df["objective_name"] == objective)]
        curves = [
            {"x": x, "y": y, "label": solver, **trace_style(self, solver)}
            for solver, x, y in score_curves(df, column, X_axis == "Time")
        ]
        if column != RECOVERY or not curves:
            return curves
        xs = [v for c in curves for v in c["x"]]
        span = [min(v for v in xs if v > 0) if any(v > 0 for v in xs)
                else 0.0, max(xs)]
        for key, name in CEILINGS.items():
            if key in df and df[key].notna().any():
                value = float(df.groupby("idx_rep")[key].first().median())
                label = f"{name}: {value:.5f}"
                curves.append({"x": span, "y": [value, value], "label": label,
                               **trace_style(self, label)})
        return curves

    def get_metadata(self, df, dataset, objective, column, X_axis):
        return {"title": f"{objective}\nData: {dataset}",
                "xlabel": "solver time (s)" if X_axis == "Time" else "iteration",
                "ylabel": column.removeprefix(PREFIX)}
