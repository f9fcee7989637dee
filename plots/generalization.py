from benchopt import BasePlot

from benchmark_utils.results.studies import curve_over, final_runs, loss_path
from benchmark_utils.runtime.dashboard import trace_style
from benchmark_utils.schema import GENERALIZATION_GAP


def views(df):
    out = ["held-out against training loss"]
    if "p_dataset_n_samples" in df and df["p_dataset_n_samples"].nunique() > 1:
        out.append("final gap against n_samples")
    return out


class Plot(BasePlot):
    """Generalization, so that overfitting is seen, not guessed.

    - "held-out against training loss": for one dataset, each solver's path
      of (training loss, held-out loss) along its iterations, medians over
      repetitions; a path that bends up while going left is overfitting.
    - "final gap against n_samples" (when the run swept ``n_samples``): the
      final held-out minus training loss, median and 20-80% band over
      repetitions, per solver, across datasets.
    """

    name = "Generalization"
    type = "scatter"
    options = {"dataset": ..., "objective": ..., "view": views}

    def plot(self, df, dataset, objective, view):
        df = df[df["objective_name"] == objective]
        if view == "held-out against training loss":
            df = df[df["dataset_name"] == dataset]
            return [
                {"x": path["train"], "y": path["test"], "label": path["label"],
                 **trace_style(self, path["label"])}
                for path in loss_path(df)
            ]
        curves = curve_over(final_runs(df), "n_samples",
                            GENERALIZATION_GAP)
        return [
            {"x": [float(v) for v in c["x"]], "y": c["median"].tolist(),
             "y_low": c["low"].tolist(), "y_high": c["high"].tolist(),
             "label": label, **trace_style(self, label)}
            for label, c in curves.groupby("label", sort=True)
        ]

    def get_metadata(self, df, dataset, objective, view):
        if view == "held-out against training loss":
            return {"title": f"Held-out against training loss\n{dataset}",
                    "xlabel": "training loss", "ylabel": "held-out loss",
                    "scale": "loglog"}
        return {"title": f"Final generalization gap\n{objective}",
                "xlabel": "n_samples",
                "ylabel": "held-out - training loss", "scale": "semilog-x"}
