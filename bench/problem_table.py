"""Print the measured properties of every dictionary kind and code law (markdown).

Run from the repository root::

    python bench/problem_table.py

Every row is one call to ``make_problem`` with ``random_state=0``; the numbers are
the ``properties`` it measured on what it generated, so the table is the same on
every machine (but for the time column). Writes ``docs/generated/problem_table.md``.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from page import Page  # noqa: E402

from benchmark_utils.simulation import make_problem  # noqa: E402

COMMON = dict(n_samples=2000, n_test=200, sparsity=3, snr=30.0, random_state=0)

DICTIONARIES = [
    dict(kind="gaussian", n_features=32, n_atoms=64),
    dict(kind="orthogonal", n_features=32, n_atoms=32),
    dict(kind="dirac-hadamard", n_features=32, n_atoms=64),
    dict(kind="dirac-dct", n_features=32, n_atoms=64),
    dict(kind="grassmannian", n_features=32, n_atoms=64),
    dict(kind="coherence", n_features=32, n_atoms=64, coherence=0.2),
    dict(kind="coherence", n_features=32, n_atoms=64, coherence=0.5),
    dict(kind="coherence", n_features=32, n_atoms=64, coherence=0.9),
]

CODES = [
    dict(sparsity=3, distribution="gaussian"),
    dict(sparsity=3, distribution="rademacher"),
    dict(sparsity=3, distribution="uniform"),
    dict(sparsity=0.05, distribution="gaussian"),
    dict(sparsity=3, distribution="gaussian", snr=10.0),
    dict(sparsity=3, distribution="gaussian", snr=float("inf")),
    dict(sparsity=3, distribution="gaussian", outlier_fraction=0.1),
]

COLUMNS = ["coherence", "welch_bound", "rip_s", "delta_s_lower", "delta_s_upper",
           "sparsity", "snr", "outlier_fraction", "chance_floor"]


def fmt(value):
    if value == float("inf"):
        return "inf"
    if float(value).is_integer() and abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.3f}"


def table(page, rows, label):
    header = ["setting", "n x K", *COLUMNS, "time (s)"]
    page.print("| " + " | ".join(header) + " |")
    page.print("|" + "---|" * len(header))
    for row in rows:
        params = dict(COMMON, **row)
        start = time.perf_counter()
        props = make_problem(**params).properties
        elapsed = time.perf_counter() - start
        shape = f"{params.get('n_features', 32)} x {params.get('n_atoms', 64)}"
        cells = [label(params), shape, *(fmt(props[c]) for c in COLUMNS),
                 f"{elapsed:.2f}"]
        page.print("| " + " | ".join(cells) + " |")
    page.print()


def dictionary_label(params):
    if params["kind"] == "coherence":
        return f"coherence={params['coherence']}"
    return params["kind"]


def code_label(params):
    parts = [f"s={params['sparsity']}", params["distribution"]]
    if params["snr"] != 30.0:
        parts.append(f"snr={params['snr']}")
    if params.get("outlier_fraction"):
        parts.append(f"outliers={params['outlier_fraction']}")
    return ", ".join(parts)


def main():
    page = Page(__file__, "Measured properties of the simulated problems")
    page.print("Dictionary kinds (2000 samples, 3 nonzeros, Gaussian amplitudes, "
               "SNR 30 dB):\n")
    table(page, DICTIONARIES, dictionary_label)
    page.print("Code laws and noise (Gaussian dictionary, 32 x 64):\n")
    table(page, [dict(kind="gaussian", n_features=32, n_atoms=64, **c)
                 for c in CODES], code_label)
    page.write()


if __name__ == "__main__":
    main()
