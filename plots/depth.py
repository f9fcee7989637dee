from benchopt import BasePlot

from benchmark_utils.results.figures import depth_summary
from benchmark_utils.results.studies import RECOVERY, final_runs
from benchmark_utils.runtime.dashboard import trace_style
from benchmark_utils.schema import LOSS_TRAIN

Y_AXES = {
    "final recovery": RECOVERY,
    "final training loss": LOSS_TRAIN,
    "solver time (s)": "time",
}


class Plot(BasePlot):
    """Unrolled depth: a final score, or the solver time, against
    ``n_layers``, one line per unrolled solver (its other parameters in the
    label), median over repetitions with the 20-80% band. Solvers without an
    ``n_layers`` parameter are left out; "(k runs cut)" in a label counts the
    runs still progressing when their budget ended
    (``benchmark_utils.results.studies.final_runs``).
    """

    name = "Depth"
    type = "scatter"
    options = {"dataset": ..., "objective": ..., "y": list(Y_AXES)}

    def plot(self, df, dataset, objective, y):
        df = df[(df["dataset_name"] == dataset)
                & (df["objective_name"] == objective)]
        column = Y_AXES[y]
        if ("p_solver_n_layers" not in df
                or df["p_solver_n_layers"].isna().all()
                or column not in df or df[column].isna().all()):
            return []
        traces = []
        for label, s in depth_summary(final_runs(df), column).items():
            n_cut = int(s["n_cut"].sum())
            traces.append({
                "x": s["x"].tolist(), "y": s["median"].tolist(),
                "y_low": s["low"].tolist(), "y_high": s["high"].tolist(),
                "label": label + (f" ({n_cut} runs cut)" if n_cut else ""),
                **trace_style(self, label),
            })
        return traces

    def get_metadata(self, df, dataset, objective, y):
        return {"title": f"{y} against depth\n{dataset}", "xlabel": "n_layers",
                "ylabel": y, "scale": "semilog-x"}
