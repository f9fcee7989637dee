"""What the study figures share: a figure drawn without pyplot, panels laid
out about square, and the labels of the swept quantities and of the scores.

Every module of ``results/`` that draws imports it; it imports no other
figure module, so that the figures import one way.
"""
import numpy as np

from benchmark_utils.results.studies import MEASURED_COHERENCE
from benchmark_utils.schema import (
    GENERALIZATION_GAP,
    LOSS_TEST,
    LOSS_TRAIN,
    PSNR,
    RECOVERED_FRACTION,
    RECOVERY,
)

AXIS_LABELS = {
    "sparsity": "sparsity (nonzeros per code, or rate)",
    MEASURED_COHERENCE: "measured mutual coherence",
    "n_samples": "training samples",
    "snr": "SNR (dB)",
    "activation_rate": "activation rate (share of active (atom, time) positions)",
    "outlier_fraction": "outlier fraction",
    "n_layers": "unrolled layers",
}
METRIC_LABELS = {
    RECOVERY: "final recovery (mean matched |correlation|)",
    RECOVERED_FRACTION: "final share of atoms recovered",
    LOSS_TRAIN: "final training loss",
    LOSS_TEST: "final held-out loss",
    GENERALIZATION_GAP: "final held-out - training loss",
    PSNR: "final denoising PSNR (dB)",
}
# Quantities drawn on a log axis.
LOG_AXES = {"n_samples", "n_layers"}


def _figure(n_rows=1, n_cols=1, figsize=(7.5, 6)):
    """A figure and its axes, without pyplot: drawing a study figure never
    changes the caller's matplotlib backend nor opens a window. Its layout
    is matplotlib's tight layout, computed when the figure is drawn: once,
    at the size it is drawn at (:func:`square` resizes it first)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="tight")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    return fig, axes


def to_rgb(fig, dpi=100):
    """Render a matplotlib figure to an RGB float array in [0, 1]."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].astype(np.float64)
    return rgb / 255.0


def _grid(n, width=4.2, height=3.6, max_cols=2):
    """Subplots for ``n`` panels, at most ``max_cols`` wide: the dashboard
    shows images in a square frame, so figures are kept about square."""
    n_cols = min(n, max_cols)
    n_rows = int(np.ceil(n / n_cols))
    fig, axes = _figure(n_rows, n_cols,
                        figsize=(width * n_cols, height * n_rows))
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()[:n]


def _short(label, width=38):
    """Solver names carry all their parameters; keep the start readable."""
    return label if len(label) <= width else label[:width - 1] + "…"


def _fmt(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)
