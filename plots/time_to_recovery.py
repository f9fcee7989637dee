from benchopt import BasePlot

from benchmark_utils.results.studies import RECOVERY, time_to_recovery
from benchmark_utils.runtime.dashboard import trace_style


class Plot(BasePlot):
    """Time to recovery: per solver, the median solver time to reach a
    recovery threshold over the repetitions that reach it (a tick per
    repetition), and in the label the share of repetitions that reach it.
    A solver no repetition of which reaches it is a grey bar at the longest
    time of the selection, marked "never reached".
    """

    name = "Time to recovery"
    type = "bar_chart"
    options = {"dataset": ..., "objective": ..., "threshold": [0.99, 0.95, 0.999]}

    def plot(self, df, dataset, objective, threshold):
        df = df[(df["dataset_name"] == dataset)
                & (df["objective_name"] == objective)]
        if RECOVERY not in df or df[RECOVERY].isna().all():
            return []
        bars = []
        table = time_to_recovery(df, threshold).sort_values(
            "median", na_position="last")  # fastest first
        for row in table.itertuples():
            label = f"{row.label} ({row.n_reached}/{row.n_runs})"
            bar = {"label": label, **trace_style(self, row.label)}
            if row.n_reached:
                bar.update(y=row.times, text="")
            else:
                bar.update(y=[float(df["time"].max())], text="never reached")
            bar.pop("marker", None)
            bars.append(bar)
        return bars

    def get_metadata(self, df, dataset, objective, threshold):
        return {"title": f"Time to recovery {threshold}\n{dataset}",
                "ylabel": "solver time (s)"}
