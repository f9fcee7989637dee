"""Denoising score of a dictionary on data with a clean reference."""
import numpy as np


def psnr(X_hat, X_clean, scale=1.0, peak=1.0):
    """Peak signal-to-noise ratio (dB) of ``X_hat`` against ``X_clean``.

    Both arrays are in units of ``scale`` gray levels; ``peak`` is the gray
    level range (1 for images in [0, 1]).
    """
    mse = float(np.mean((np.asarray(X_hat) - np.asarray(X_clean)) ** 2))
    mse *= scale ** 2
    if mse == 0:
        return float("inf")
    return 10.0 * np.log10(peak ** 2 / mse)
