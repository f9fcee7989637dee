from benchopt import BasePlot

from benchmark_utils.results.studies import score_curve_columns, score_curves


class Plot(BasePlot):
    """A score of the iterates against solver time or iteration, per solver.

    The curves of benchopt's ``objective_curve``, for the scores of a
    dictionary only (recovery, recovered fraction, training and held-out
    losses, generalization gap, PSNR; see ``score_curve_columns``): benchopt's
    plot draws one figure per results column, and most of the some 50 columns
    of this benchmark are constants of the problem (``data_*``) or of the
    machine, whose figures took most of the dashboard's time. The median over
    repetitions at each iteration, against the median solver time.
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
        return [
            {"x": x, "y": y, "label": solver, **self.get_style(solver)}
            for solver, x, y in score_curves(df, column, X_axis == "Time")
        ]

    def get_metadata(self, df, dataset, objective, column, X_axis):
        return {"title": f"{objective}\nData: {dataset}",
                "xlabel": "solver time (s)" if X_axis == "Time" else "iteration",
                "ylabel": column.removeprefix("objective_")}
