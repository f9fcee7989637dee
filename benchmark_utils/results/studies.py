"""Summaries of benchopt results frames for the recovery studies.

benchopt stores one row per evaluated iterate of every run; a study reads the
*final* iterate of each run (a run is one solver, one objective, one dataset
and one repetition ``idx_rep``) and aggregates over repetitions. Everything
here is pandas on that frame, shared by the custom plots of ``plots/``, the
figures of ``docs/`` and anyone reading a results file::

    from benchopt.results import read_results
    from benchmark_utils.results.studies import final_runs, success_grid
    runs = final_runs(read_results("outputs/phase_transition.parquet"))

A run's verdict is only as good as its end: :func:`final_runs` flags ``cut``
the runs that ended by their budget (benchopt's ``--timeout`` or
``--max-runs``: the objective's ``budget_spent`` column) while the stopping
rule, replayed on the curve, says they were still progressing, before
recovering every atom. (Results without the ``budget_spent`` column are
judged on the replay alone.) Plots show how many
runs of each point were cut, so that a low success rate from a budget too
small is not read as a failure of the algorithm.
"""
import numpy as np
import pandas as pd

from benchmark_utils.runtime.stopping import window_progress_decision
from benchmark_utils.schema import (
    BUDGET_SPENT,
    COHERENCE,
    CRITERION,
    LOSS_TEST,
    LOSS_TRAIN,
    PREFIX,
    RECOVERED_FRACTION,
    RECOVERY,
    SCORE_COLUMNS,
)

RUN_KEYS = ["objective_name", "dataset_name", "solver_name", "idx_rep"]

# Width of the bins of the measured coherence (``data_coherence``): measured
# values are rounded to the nearest multiple, so targets 0.2, 0.35, 0.5 of
# kind="coherence" (met exactly) keep their own bins.
COHERENCE_BIN = 0.05
MEASURED_COHERENCE = "measured coherence"

# Success criteria of the phase transition, by the name the view shows.
SUCCESS_CRITERIA = {
    "all atoms recovered": (RECOVERED_FRACTION, 1.0),
    "recovery >= 0.99": (RECOVERY, 0.99),
    "recovery >= 0.95": (RECOVERY, 0.95),
}

# Quantiles of the bands drawn around medians (those of benchopt's own plots).
BAND = (0.2, 0.8)


def has_recovery(df):
    """True when some rows have a recovery score (a dataset with D_true)."""
    return RECOVERY in df and df[RECOVERY].notna().any()


def _param_columns(df, prefix):
    return [c for c in df.columns if c.startswith(prefix)]


def varying(df, prefix):
    """Parameter columns (``p_dataset_``, ``p_solver_``, ``p_obj_``) that
    take more than one value in ``df``, without their prefix."""
    out = []
    for col in _param_columns(df, prefix):
        if df[col].astype(str).nunique() > 1:
            out.append(col[len(prefix):])
    return out


def final_runs(df):
    """One row per run: its final iterate, and whether it was cut.

    Columns: the run keys, every ``p_*`` parameter and numeric
    ``objective_*`` column of the final iterate, ``time`` (solver seconds at
    the final iterate), ``n_points``, ``cut`` (see the module docstring),
    ``criterion`` (the solver's own criterion, when recorded),
    plus ``measured coherence`` (``objective_data_coherence`` rounded to the
    nearest multiple of ``COHERENCE_BIN``) when the data report a coherence.
    """
    if df.empty:
        raise ValueError("the results frame is empty: no run to summarize.")
    missing = [k for k in RUN_KEYS + ["stop_val", "time"] if k not in df]
    if missing:
        raise ValueError(f"not a benchopt results frame: missing {missing}.")
    df = df.sort_values(RUN_KEYS + ["stop_val"], kind="stable")
    numeric = [c for c in df.columns
               if c.startswith(PREFIX) and c != "objective_name"
               and pd.api.types.is_numeric_dtype(df[c])]
    params = _param_columns(df, "p_")
    rows = []
    for key, run in df.groupby(RUN_KEYS, sort=False, dropna=False):
        last = run.iloc[-1]
        row = dict(zip(RUN_KEYS, key))
        row.update({c: last[c] for c in params + numeric})
        row["time"] = float(last["time"])
        row["n_points"] = len(run)
        row["cut"] = _was_cut(run)
        if CRITERION in run:
            row["criterion"] = last[CRITERION]
        rows.append(row)
    runs = pd.DataFrame(rows)
    if COHERENCE in runs:
        runs[MEASURED_COHERENCE] = (
            np.round(runs[COHERENCE] / COHERENCE_BIN)
            * COHERENCE_BIN
        ).round(4)
    return runs


def _was_cut(run):
    """Did the run end while the stopping rule says it still progressed, and
    before every atom was recovered (a success is a success, cut or not)?"""
    cols = ["stop_val", "time", LOSS_TRAIN]
    if LOSS_TRAIN not in run:
        return False
    if RECOVERED_FRACTION in run and run[RECOVERED_FRACTION].iloc[-1] >= 1.0:
        return False
    # A run that ended before its budget was spent ended by the stopping rule
    # or by the solver itself (DDL stops when no step lowers its loss).
    if BUDGET_SPENT in run and run[BUDGET_SPENT].notna().iloc[-1] \
            and run[BUDGET_SPENT].iloc[-1] < 1:
        return False
    if RECOVERY in run:
        cols.append(RECOVERY)
    curve = run[cols].to_dict("records")
    if not np.isfinite(curve[-1][LOSS_TRAIN]):
        return False
    stop, _, _ = window_progress_decision(curve)
    return not stop


def swept_quantities(runs):
    """Dataset quantities that vary in ``runs`` (among the datasets of one
    family), most telling first.

    The measured coherence replaces the ``coherence`` target (and the
    dictionary ``kind`` when the coherence measured varies with it).
    """
    # Within each dataset family (the name before its parameters): sizes of
    # different datasets (simulated and patches) are not a sweep.
    family = runs["dataset_name"].astype(str).str.split("[").str[0]
    names = []
    for _, rows in runs.groupby(family, sort=True):
        names += [n for n in varying(rows, "p_dataset_") if n not in names]
    order = ["sparsity", "coherence", "n_samples", "snr", "outlier_fraction"]
    names = sorted(names, key=lambda n: (order.index(n) if n in order
                                         else len(order), n))
    out = []
    for name in names:
        if name in ("coherence", "kind"):
            if (MEASURED_COHERENCE in runs
                    and runs[MEASURED_COHERENCE].nunique() > 1
                    and MEASURED_COHERENCE not in out):
                out.append(MEASURED_COHERENCE)
            if name == "kind":
                out.append(name)
            continue
        out.append(name)
    return out


def crossed_pairs(runs, swept=None):
    """Pairs ``(y, x)`` of swept quantities that vary independently: more
    distinct ``(y, x)`` cells than values of either, the grid a map needs.
    Two problems that differ in every size (an easy one and a large one) sweep
    each quantity over two values, but they are two cells, not a map.
    """
    swept = swept_quantities(runs) if swept is None else swept
    pairs = []
    for i, y in enumerate(swept):
        for x in swept[i + 1:]:
            yc, xc = quantity_column(runs, y), quantity_column(runs, x)
            cells = runs[[yc, xc]].drop_duplicates()
            if len(cells) > max(runs[yc].nunique(), runs[xc].nunique()):
                pairs.append((y, x))
    return pairs


def quantity_column(runs, name):
    """Column of ``runs`` holding a quantity named by :func:`swept_quantities`."""
    if name in runs:
        return name
    col = f"p_dataset_{name}"
    if col not in runs:
        raise ValueError(
            f"unknown quantity {name!r}; the results have "
            f"{swept_quantities(runs) or 'no swept dataset quantity'}."
        )
    return col


def _split_name(name):
    """``ddl[gradient=deep,n_layers=5]`` -> ``("ddl", {"gradient": "deep",
    "n_layers": "5"})``."""
    if "[" not in name:
        return name, {}
    base, params = name.split("[", 1)
    pairs = [p.split("=", 1) for p in params.rstrip("]").split(",") if p]
    return base, {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}


def solver_labels(names, drop=()):
    """Short solver labels: the name without the parameters in ``drop`` nor
    those that take one value among the runs of that solver in ``names``
    (``ddl[gradient=deep,n_layers=20]`` -> ``ddl[gradient=deep]`` when
    ``gradient`` varies and the depth does not)."""
    split = {name: _split_name(name) for name in set(names)}
    values = {}
    for base, params in split.values():
        for key, value in params.items():
            values.setdefault((base, key), set()).add(value)
    labels = {}
    for name, (base, params) in split.items():
        kept = [f"{k}={v}" for k, v in params.items()
                if k not in drop and len(values[(base, k)]) > 1]
        labels[name] = f"{base}[{','.join(kept)}]" if kept else base
    return [labels[name] for name in names]


def group_labels(runs, exclude=(), solver_exclude=()):
    """A label per run: the solver (see :func:`solver_labels`; without the
    parameters in ``solver_exclude``), plus the objective and dataset
    parameters that vary in ``runs`` (but those in ``exclude``)."""
    label = pd.Series(
        solver_labels(runs["solver_name"].astype(str).tolist(),
                      drop=solver_exclude), index=runs.index)
    for prefix in ("p_obj_", "p_dataset_"):
        for name in varying(runs, prefix):
            if name in exclude or (name in ("coherence", "kind")
                                   and MEASURED_COHERENCE in exclude):
                continue
            label = label + ", " + name + "=" + runs[prefix + name].map(str)
    return label


def success(runs, criterion="all atoms recovered"):
    """Boolean per run: did its final iterate meet ``criterion``?"""
    if criterion not in SUCCESS_CRITERIA:
        raise ValueError(f"criterion must be one of {list(SUCCESS_CRITERIA)}, "
                         f"got {criterion!r}.")
    column, threshold = SUCCESS_CRITERIA[criterion]
    if column not in runs:
        raise ValueError("these results have no recovery score (a dataset "
                         "without ground truth): no success to count.")
    return runs[column] >= threshold - 1e-12


def success_grid(runs, x, y, criterion="all atoms recovered"):
    """Success rate per solver on the grid of two swept quantities.

    Returns
    -------
    dict
        ``{label: {"rate", "count", "cut"}}``, three frames indexed by the
        values of ``y`` (rows) and ``x`` (columns): the share of successful
        runs, the number of runs and the number of cut runs per cell.
        ``label`` is the solver plus the other varying parameters.
    """
    if x == y:
        raise ValueError(f"the two axes must differ, got {x!r} twice.")
    xc, yc = quantity_column(runs, x), quantity_column(runs, y)
    runs = runs.assign(_ok=success(runs, criterion).astype(float),
                       _cut=runs["cut"].astype(float),
                       _label=group_labels(runs, exclude=(x, y)))
    grids = {}
    for label, g in runs.groupby("_label", sort=True):
        grouped = g.groupby([yc, xc])
        grids[label] = {
            "rate": grouped["_ok"].mean().unstack(xc),
            "count": grouped["_ok"].size().unstack(xc),
            "cut": grouped["_cut"].sum().unstack(xc),
        }
    return grids


def curve_over(runs, x, metric=RECOVERY):
    """Median and quantile band of a final metric against a swept quantity.

    Returns a frame with one row per (label, x value): ``label``, ``x``,
    ``median``, ``low``, ``high`` (quantiles ``BAND``), ``n_runs``, ``n_cut``.
    """
    xc = quantity_column(runs, x)
    if metric not in runs or runs[metric].isna().all():
        raise ValueError(f"these results have no {metric!r} column.")
    # Rows without the metric (recovery on data without ground truth) are
    # not part of this curve, nor of what its labels distinguish.
    runs = runs.dropna(subset=[metric, xc])
    runs = runs.assign(_label=group_labels(runs, exclude=(x,)))
    rows = []
    for (label, xv), g in runs.groupby(["_label", xc], sort=True):
        values = g[metric].dropna()
        rows.append(dict(
            label=label, x=xv, median=values.median(),
            low=values.quantile(BAND[0]), high=values.quantile(BAND[1]),
            n_runs=len(g), n_cut=int(g["cut"].sum()),
        ))
    return pd.DataFrame(rows)


def time_to_threshold(df, threshold=0.99, column=RECOVERY):
    """Per run, the solver time at which ``column`` first reached
    ``threshold`` (NaN if never), with the run keys and parameters."""
    if column not in df:
        raise ValueError(f"these results have no {column!r} column.")
    df = df.sort_values(RUN_KEYS + ["stop_val"], kind="stable")
    params = _param_columns(df, "p_")
    rows = []
    for key, run in df.groupby(RUN_KEYS, sort=False, dropna=False):
        reached = run[run[column] >= threshold]
        row = dict(zip(RUN_KEYS, key))
        row.update({c: run[c].iloc[-1] for c in params})
        row["time"] = float(reached["time"].iloc[0]) if len(reached) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def time_to_recovery(df, threshold=0.99, exclude=()):
    """Per label: median time to ``threshold`` over the runs that reach it,
    the times themselves, and the share of runs that reach it (``exclude``:
    dataset quantities left out of the labels, a study's swept ones)."""
    times = time_to_threshold(df, threshold)
    times = times.assign(_label=group_labels(times, exclude=exclude))
    rows = []
    for label, g in times.groupby("_label", sort=True):
        reached = g["time"].dropna()
        rows.append(dict(label=label, times=reached.tolist(),
                         median=reached.median() if len(reached) else np.nan,
                         n_reached=len(reached), n_runs=len(g)))
    return pd.DataFrame(rows)


def median_by_iteration(df, column, by="solver_name"):
    """Per value of ``by``, the median over repetitions of ``column`` at
    every iteration (``stop_val``), as a Series indexed by iteration.

    A repetition without an iteration keeps its last value (as benchopt's
    curves do), so that every median is over all repetitions. One grouping
    for all groups: ``pivot_table`` per group took 15 ms a call.
    """
    wide = (df.groupby([by, "stop_val", "idx_rep"])[column].last()
            .unstack("idx_rep"))
    return {
        key: table.droplevel(by).sort_index().ffill().median(axis=1)
        for key, table in wide.groupby(level=by, sort=True)
    }


def loss_path(df, label_of=None):
    """Median training and held-out loss per iteration, per label (the
    last value of a repetition that stopped early carries on, as in
    benchopt's curves)."""
    df = df.assign(_label=group_labels(df) if label_of is None else label_of)
    train = median_by_iteration(df, LOSS_TRAIN, by="_label")
    test = median_by_iteration(df, LOSS_TEST, by="_label")
    return [dict(label=label, stop_val=train[label].index.tolist(),
                 train=train[label].tolist(),
                 test=test[label].reindex(train[label].index).tolist())
            for label in train]


def score_curve_columns(df):
    """The score columns of :data:`SCORE_COLUMNS` that ``df`` has values
    for (a dataset without a ground truth has no recovery)."""
    columns = [c for c in SCORE_COLUMNS if c in df and df[c].notna().any()]
    return columns or [SCORE_COLUMNS[2]]


def score_curves(df, column, against_time=True):
    """Per solver, the curve of ``column`` over its iterations.

    At every iteration (``stop_val``) the median over repetitions of
    ``column`` and, when ``against_time``, of the solver time; a repetition
    without that iteration keeps its last value (as benchopt's
    ``objective_curve``), so that the median is over all repetitions.

    Returns a list of ``(solver_name, x, y)``, ``x`` and ``y`` lists.
    """
    if column not in df or df[column].isna().all():
        return []
    times = df.groupby(["solver_name", "stop_val"])["time"].median()
    curves = []
    for solver, y in median_by_iteration(df, column).items():
        if against_time:
            x = times.loc[solver].reindex(y.index)
        else:
            x = y.index.to_series()
        keep = y.notna().to_numpy() & x.notna().to_numpy()
        curves.append((solver, x[keep].tolist(), y[keep].tolist()))
    return curves
