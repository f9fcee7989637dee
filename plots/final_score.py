from benchopt import BasePlot

from benchmark_utils.results.drawing import LOG_AXES
from benchmark_utils.results.studies import (
    curve_over,
    final_runs,
    swept_quantities,
)
from benchmark_utils.runtime.dashboard import trace_style
from benchmark_utils.schema import (
    GENERALIZATION_GAP,
    LOSS_TEST,
    LOSS_TRAIN,
    PREFIX,
    PSNR,
    RECOVERED_FRACTION,
    RECOVERY,
)

# Final scores that can be drawn, in the order the view offers them.
METRICS = [RECOVERY, RECOVERED_FRACTION, PSNR, LOSS_TEST, LOSS_TRAIN,
           GENERALIZATION_GAP]


def quantities(df):
    """Swept dataset quantities, ``n_samples`` first (sample complexity)."""
    swept = swept_quantities(final_runs(df))
    swept = sorted(swept, key=lambda name: name != "n_samples")
    return swept or ["(no dataset quantity varies)"]


def metrics(df):
    return [m for m in METRICS if m in df and df[m].notna().any()]


class Plot(BasePlot):
    """A final score against a swept dataset quantity: sample complexity
    (``n_samples``), noise (``snr``), outliers (``outlier_fraction``), ...

    One line per solver (and per value of the other varying parameters, such
    as the init): the median over repetitions of the score at the final
    iterate, with the 20-80% quantile band. "(k runs cut)" in a line's label
    counts its runs still progressing when their budget ended
    (``benchmark_utils.results.studies.final_runs``).
    """

    name = "Final score"
    type = "scatter"
    options = {"x": quantities, "metric": metrics}

    def plot(self, df, x, metric):
        if x.startswith("("):
            return []
        curves = curve_over(final_runs(df), x, metric)
        traces = []
        for label, c in curves.groupby("label", sort=True):
            n_cut = int(c["n_cut"].sum())
            name = label + (f" ({n_cut} runs cut)" if n_cut else "")
            traces.append({
                "x": [float(v) for v in c["x"]],
                "y": c["median"].tolist(),
                "y_low": c["low"].tolist(),
                "y_high": c["high"].tolist(),
                "label": name,
                **trace_style(self, label),
            })
        return traces

    def get_metadata(self, df, x, metric):
        return {
            "title": f"{metric.replace(PREFIX, 'final ')} against {x}",
            "xlabel": x,
            "ylabel": metric.replace(PREFIX, "final "),
            "scale": "semilog-x" if x in LOG_AXES else "linear",
        }
