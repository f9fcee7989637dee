"""The custom plots of ``plots/`` on results of real benchopt runs.

Two short runs on a temporary copy of the benchmark:

- a sanity phase transition: SPAMS and MOD on a 2 x 2 grid of sparsity x
  mutual coherence (3 problems per cell). SPAMS must succeed in the sparsest,
  least coherent cell and fail in the densest, most coherent one;
- a mixed run: a simulated sweep of ``n_samples``, the ``patches`` dataset
  (no ground truth, atoms as images), SPAMS and DDL at two depths, 2
  repetitions.

Every plot class is loaded the way benchopt loads it and asked for all its
figures on those frames, on one repetition of them, and on frames without
the columns it draws (real rows of the patches dataset have no recovery).
"""
import numpy as np
import pandas as pd
import pytest
from benchopt.benchmark import Benchmark
from benchopt.results import read_results

from benchmark_utils.results.figures import (
    available_figures,
    phase_transition_figure,
)
from benchmark_utils.results.maps import condition_grid
from benchmark_utils.results.parameters import (
    parameter_figure,
    swept_solver_parameter,
)
from benchmark_utils.results.studies import (
    MEASURED_COHERENCE,
    final_runs,
    group_labels,
    score_curves,
    solver_labels,
    success,
    success_grid,
)
from tests.benchopt_runs import (
    ROOT,
    copy_benchmark,
    run_benchopt,
    solver_args,
)

GRID = ("simulated[n_features=10,n_atoms=15,n_samples=500,n_test=100,"
        "kind=coherence,coherence=[0.35,0.9],sparsity=[1,5]]")
MIXED_DATASETS = [
    "simulated[n_features=8,n_atoms=12,n_samples=[100,300],n_test=100]",
    "patches[n_samples=300,n_test=100,n_atoms=16,patch_size=4]",
]
MIXED_SOLVERS = ["spams", "ddl[gradient=deep,n_layers=[2,5]]"]


def _run(tmp_path_factory, name, *args):
    bench = copy_benchmark(tmp_path_factory.mktemp(name) / "bench")
    proc, text = run_benchopt(bench, *args, "--output", name)
    assert proc.returncode == 0, text[-3000:]
    return bench, read_results(bench / "outputs" / f"{name}.parquet")


@pytest.fixture(scope="module")
def grid_run(tmp_path_factory):
    _, df = _run(tmp_path_factory, "grid", "-d", GRID, "-s", "spams",
                 "-s", "mod", "-r", "3", "--timeout", "10", "--no-plot")
    return df


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    args = [a for d in MIXED_DATASETS for a in ("-d", d)]
    args += solver_args(MIXED_SOLVERS)
    bench, df = _run(tmp_path_factory, "mixed", *args, "-r", "2",
                     "--timeout", "5")
    return bench, df


@pytest.fixture(scope="module")
def plots():
    """The plot kinds as ``config.yml`` names them, each with the benchmark
    that draws it."""
    benchmark = Benchmark(ROOT)
    return {name: (benchmark, name) for name in benchmark.get_plot_names()}


def all_figures(plot, df):
    """Every figure of a plot kind, as the dashboard asks for them
    (``Benchmark.get_plot_data``, which also checks the plot's definition)."""
    benchmark, name = plot
    data, options = benchmark.get_plot_data(df, [name])
    assert data.get(name), f"{name} produced no figure"
    return data[name], options[name]


@pytest.mark.integration
def test_sanity_phase_transition(grid_run):
    runs = final_runs(grid_run)
    grids = success_grid(runs, x=MEASURED_COHERENCE, y="sparsity")
    rate = grids["spams"]["rate"]
    assert rate.shape == (2, 2)
    assert list(rate.columns) == [0.35, 0.9]
    assert list(rate.index) == [1, 5]
    assert grids["spams"]["count"].to_numpy().tolist() == [[3, 3], [3, 3]]
    assert rate.loc[1, 0.35] >= 2 / 3  # sparsest, least coherent
    assert rate.loc[5, 0.9] <= 1 / 3  # densest, most coherent


@pytest.mark.integration
def test_success_grid_counts_runs(grid_run):
    """The map's rate is the share of successful runs of each cell."""
    runs = final_runs(grid_run)
    assert len(runs) == 2 * 4 * 3  # solvers x cells x repetitions
    grids = success_grid(runs, MEASURED_COHERENCE, "sparsity",
                         criterion="recovery >= 0.99")
    ok = success(runs, "recovery >= 0.99")
    for label, grid in grids.items():
        mine = runs[group_labels(runs, exclude=(MEASURED_COHERENCE,
                                                "sparsity")) == label]
        for (s, c), cell in mine.groupby(["p_dataset_sparsity",
                                          MEASURED_COHERENCE]):
            assert grid["rate"].loc[s, c] == pytest.approx(ok[cell.index].mean())
            assert grid["cut"].loc[s, c] == cell["cut"].sum()


@pytest.mark.integration
def test_theory_is_drawn_where_its_condition_changes(grid_run):
    """The coherence condition s < (1 + 1/mu) / 2, per cell, from the
    measured coherence of each run's problem; drawn as a line on the map."""
    from matplotlib.collections import LineCollection

    runs = final_runs(grid_run)
    grids = condition_grid(runs, MEASURED_COHERENCE, "sparsity",
                           ["theory_coherence", "theory_babel", "no_such"])
    assert set(grids) == {"theory_coherence", "theory_babel"}
    holds = (runs["p_dataset_sparsity"]
             < (1 + 1 / runs["objective_data_coherence"]) / 2)
    expected = holds.groupby([runs["p_dataset_sparsity"],
                              runs[MEASURED_COHERENCE]]).mean().unstack()
    pd.testing.assert_frame_equal(grids["theory_coherence"], expected,
                                  check_names=False, check_dtype=False)
    # 1 nonzero is covered at both coherences, 5 at neither: one boundary
    # between the two rows, drawn in every panel.
    assert grids["theory_coherence"].loc[1].tolist() == [1.0, 1.0]
    assert grids["theory_coherence"].loc[5].tolist() == [0.0, 0.0]
    fig = phase_transition_figure(runs, MEASURED_COHERENCE, "sparsity")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2
    for ax in panels:
        lines = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert lines and all(len(c.get_segments()) == 2 for c in lines[:1])
    # The key panel's legend names every theorem.
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legends) == 1
    assert any("Tropp 2004" in t.get_text() for t in legends[0].get_texts())
    # Without theory: no line.
    bare = phase_transition_figure(runs, MEASURED_COHERENCE, "sparsity",
                                   theory=False)
    assert not any(isinstance(c, LineCollection) for ax in bare.axes
                   if ax.images for c in ax.collections)


def with_solver_parameter(df, name, values, solvers=None):
    """``df`` with a new solver parameter ``name`` taking each of ``values``
    for the solvers whose names start with one of ``solvers`` (all by
    default), the other solvers once and without it; each value's recovery
    0.01 below the previous one's."""
    parts = []
    for k, value in enumerate(values):
        part = df.copy()
        pick = (part["solver_name"].str.startswith(tuple(solvers))
                if solvers else pd.Series(True, index=part.index))
        if k > 0:
            part, pick = part[pick], pick[pick]
        tagged = part["solver_name"].map(
            lambda n: (n[:-1] + f",{name}={value}]" if "[" in n
                       else f"{n}[{name}={value}]"))
        part["solver_name"] = tagged.where(pick, part["solver_name"])
        part[f"p_solver_{name}"] = pd.Series(value, index=part.index).where(
            pick)
        part["objective_recovery"] -= 0.01 * k
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.integration
def test_a_solver_parameter_swept_for_every_solver_is_the_study(grid_run):
    # The restart study's shape: every solver run with each value of one of
    # its parameters, on several problems.
    swept = with_solver_parameter(grid_run, "probe", ["a", "b"])
    runs = final_runs(swept)
    assert swept_solver_parameter(runs) == "probe"
    assert available_figures(swept)[0] == "recovery by probe"
    fig = parameter_figure(runs, "probe")
    ax = fig.axes[0]
    # One row per solver (without the parameter) and problem: 2 solvers on
    # the 2 x 2 grid; one marker per row and value.
    assert len(ax.get_yticks()) == 8
    points = [c for c in ax.collections
              if c.get_label().startswith("probe=")]
    assert [len(c.get_offsets()) for c in points] == [8, 8]
    gap = points[0].get_offsets()[:, 0] - points[1].get_offsets()[:, 0]
    assert np.allclose(gap, 0.01)
    # A parameter that one solver varies is that solver's variant, not the
    # study: the grid still opens on its phase transition.
    variant = with_solver_parameter(grid_run, "probe", ["a", "b"],
                                    solvers=["mod"])
    assert swept_solver_parameter(final_runs(variant)) is None
    assert available_figures(variant)[0].startswith("phase transition")
    with pytest.raises(ValueError, match="no solver parameter"):
        parameter_figure(runs, "no_such")


@pytest.mark.integration
def test_phase_transition_plot(grid_run, plots):
    data, options = all_figures(plots["phase_transition"], grid_run)
    assert options["axes"] == ["sparsity x measured coherence"]
    key = "phase_transition_sparsity x measured coherence_all atoms recovered"
    images = data[key]["data"]
    assert [im["label"] for im in images] == ["mod", "spams"]
    for im in images:
        assert im["image"].ndim == 3 and im["image"].shape[2] == 3
        assert 0 <= im["image"].min() and im["image"].max() <= 1


@pytest.mark.integration
def test_study_figure_opens_on_the_study(grid_run, mixed_run, plots):
    _, mixed = mixed_run
    assert available_figures(grid_run)[:2] == [
        "phase transition: sparsity x measured coherence",
        "error budget: sparsity x measured coherence"]
    # the mixed run sweeps the depth of DDL: its study is the depth
    assert available_figures(mixed)[0] == "score against depth"
    simulated = mixed[mixed["dataset_name"].str.startswith("simulated")]
    spams = simulated[simulated["solver_name"].str.startswith("spams")]
    assert available_figures(spams)[0] == "recovery against n_samples"
    patches = mixed[mixed["dataset_name"].str.startswith("patches")]
    assert available_figures(patches)[0] == "score against depth"
    patches = patches[patches["solver_name"].str.startswith("spams")]
    assert available_figures(patches)[0] == "learned atoms"
    data, options = all_figures(plots["study_figure"], grid_run)
    assert options["figure"][0].startswith("phase transition")
    for figure in data.values():
        assert figure["type"] == "image"
        image = figure["data"][0]["image"]
        # square, as the dashboard's frame
        assert image.shape[2] == 3 and image.shape[0] == image.shape[1]


@pytest.mark.integration
def test_final_score_plot(mixed_run, plots):
    _, df = mixed_run
    data, options = all_figures(plots["final_score"], df)
    assert options["x"] == ["n_samples"]
    assert "objective_psnr" in options["metric"]
    traces = data["final_score_n_samples_objective_recovery"]["data"]
    labels = sorted(t["label"].split(" (")[0] for t in traces)
    assert labels == ["ddl[n_layers=2]", "ddl[n_layers=5]", "spams"]
    for t in traces:
        assert t["x"] == [100.0, 300.0]
        assert np.all(np.array(t["y_low"]) <= np.array(t["y"]) + 1e-12)
        assert np.all(np.array(t["y"]) <= np.array(t["y_high"]) + 1e-12)
    # PSNR exists only on the patches rows (300 samples): one point a solver
    psnr = data["final_score_n_samples_objective_psnr"]["data"]
    assert len(psnr) == 3
    assert all(t["x"] == [300.0] and np.isfinite(t["y"]).all() for t in psnr)


@pytest.mark.integration
def test_depth_plot(mixed_run, plots):
    _, df = mixed_run
    data, _ = all_figures(plots["depth"], df)
    sim = [k for k in data if "simulated" in k and k.endswith("final recovery")]
    assert sim
    for key in sim:
        traces = data[key]["data"]
        # only DDL has a depth; its two depths are one line
        assert len(traces) == 1 and traces[0]["label"].startswith("ddl")
        assert traces[0]["x"] == [2.0, 5.0]
    patches = [k for k in data if "patches" in k and k.endswith("recovery")]
    assert patches and all(data[k]["data"] == [] for k in patches)
    loss = [k for k in data if "patches" in k and k.endswith("training loss")]
    assert loss and all(len(data[k]["data"]) == 1 for k in loss)


@pytest.mark.integration
def test_time_to_recovery_plot(mixed_run, grid_run, plots):
    data, _ = all_figures(plots["time_to_recovery"], grid_run)
    assert all(len(figure["data"]) == 2 for figure in data.values())
    for key, figure in data.items():
        for bar in figure["data"]:
            reached, n = bar["label"].rsplit("(", 1)[1].rstrip(")").split("/")
            assert int(n) == 3
            if bar["text"] == "":
                assert len(bar["y"]) == int(reached) > 0
    _, df = mixed_run
    data, _ = all_figures(plots["time_to_recovery"], df)
    assert all(f["data"] == [] for k, f in data.items() if "patches" in k)


@pytest.mark.integration
def test_generalization_plot(mixed_run, plots):
    _, df = mixed_run
    data, options = all_figures(plots["generalization"], df)
    assert options["view"] == ["held-out against training loss",
                               "final gap against n_samples"]
    paths = [f for k, f in data.items()
             if "patches" in k and k.endswith("training loss")]
    assert paths and all(len(f["data"]) == 3 for f in paths)
    for f in paths:
        for trace in f["data"]:
            assert len(trace["x"]) == len(trace["y"]) > 1


@pytest.mark.integration
def test_learned_atoms_plot(mixed_run, plots):
    _, df = mixed_run
    data, _ = all_figures(plots["learned_atoms"], df)
    assert any("patches" in key for key in data)
    for key, figure in data.items():
        if "patches" in key:
            assert len(figure["data"]) == 3  # spams and DDL at two depths
            for im in figure["data"]:
                # 16 atoms of 4 x 4 pixels: a 4 x 4 grid with 1-pixel borders
                assert im["image"].shape == (21, 21)
        else:
            assert figure["data"] == []  # simulated atoms are not images


def test_score_curves_median_over_repetitions():
    # Repetition 1 stopped after iteration 2: its last value carries on, so
    # the median at iteration 4 is over both repetitions.
    df = pd.DataFrame({
        "solver_name": ["a"] * 5 + ["b"] * 2,
        "idx_rep": [0, 0, 0, 1, 1, 0, 0],
        "stop_val": [0, 2, 4, 0, 2, 0, 1],
        "time": [0.0, 1.0, 3.0, 0.0, 2.0, 0.0, 0.5],
        "objective_recovery": [0.5, 0.7, 0.9, 0.5, 0.6, 0.4, 0.8],
    })
    (a, xa, ya), (b, xb, yb) = score_curves(df, "objective_recovery")
    assert (a, b) == ("a", "b")
    assert np.allclose(ya, [0.5, 0.65, 0.75]) and xa == [0.0, 1.5, 3.0]
    assert yb == [0.4, 0.8] and xb == [0.0, 0.5]
    (_, it, _), _ = score_curves(df, "objective_recovery", against_time=False)
    assert it == [0, 2, 4]
    assert score_curves(df, "objective_psnr") == []


@pytest.mark.integration
def test_score_curve_plot(mixed_run, plots):
    _, df = mixed_run
    data, options = all_figures(plots["score_curve"], df)
    # Only the scores of a dictionary, never the data_* constants.
    assert options["column"] == [
        "objective_recovery", "objective_recovered_fraction",
        "objective_loss_train", "objective_loss_test",
        "objective_generalization_gap", "objective_psnr"]
    key = next(k for k in data if k.startswith("score_curve_simulated")
               and k.endswith("objective_recovery_Time"))
    traces = data[key]["data"]
    ceilings = [t for t in traces if "ceiling" in t["label"]
                or t["label"].startswith("oracle")]
    # The oracle and the two criteria's ceilings as flat lines, beside one
    # curve per solver.
    assert [t["label"].split(":")[0] for t in ceilings] == [
        "oracle (true codes)", "Lasso ceiling", "OMP ceiling"]
    assert all(t["y"][0] == t["y"][1] <= 1.0 for t in ceilings)
    assert len(traces) - len(ceilings) == len(df["solver_name"].unique())
    for trace in traces:
        assert len(trace["x"]) == len(trace["y"]) > 1
        assert all(np.isfinite(trace["x"])) and min(trace["x"]) >= 0


@pytest.mark.integration
def test_one_repetition(mixed_run, plots):
    _, df = mixed_run
    one = df[df["idx_rep"] == 0]
    for name in ["final_score", "depth", "generalization", "study_figure",
                 "learned_atoms", "time_to_recovery", "phase_transition"]:
        all_figures(plots[name], one)
    data, _ = all_figures(plots["final_score"], one)
    for t in data["final_score_n_samples_objective_recovery"]["data"]:
        assert t["y_low"] == t["y"] == t["y_high"]  # one run: no band


@pytest.mark.integration
def test_results_without_ground_truth(mixed_run, plots):
    _, df = mixed_run
    patches = df[df["dataset_name"].str.startswith("patches")]
    assert patches["objective_recovery"].isna().all()
    assert patches["objective_psnr"].notna().all()
    data, options = all_figures(plots["phase_transition"], patches)
    assert all(f["data"] == [] for f in data.values())
    data, options = all_figures(plots["final_score"], patches)
    assert options["x"] == ["(no dataset quantity varies)"]
    assert "objective_recovery" not in options["metric"]


@pytest.mark.integration
def test_dashboard_page_has_the_study_views(mixed_run):
    bench, _ = mixed_run
    pages = list((bench / "outputs").glob("*_mixed.html"))
    assert len(pages) == 1
    html = pages[0].read_text()
    for view in ["Study figure", "Phase transition", "Sample complexity",
                 "Depth", "Time to recovery 0.99", "Generalization",
                 "Learned atoms"]:
        assert f">{view}</span>" in html
    # the first view, the one the page opens on, is the study figure
    assert html.index(">Study figure</span>") < html.index(">Depth</span>")


def test_solver_labels_drop_constant_parameters():
    names = ["ddl[gradient=deep,n_layers=5]", "ddl[gradient=deep,n_layers=20]",
             "spams[batch_size=256]"]
    assert solver_labels(names) == ["ddl[n_layers=5]", "ddl[n_layers=20]",
                                    "spams"]
    assert solver_labels(names, drop=("n_layers",)) == ["ddl", "ddl", "spams"]


@pytest.fixture(scope="module")
def replicate_run(tmp_path_factory):
    """Two solvers on split halves and on two inits, two problems, and a
    patches problem on split halves: what configs/stability.yml and
    configs/patches.yml run, small."""
    _, df = _run(tmp_path_factory, "replicates",
                 "-d", "simulated[n_features=8,n_atoms=12,n_samples=400,"
                 "n_test=100]",
                 "-d", "patches[n_samples=300,n_test=100,n_atoms=16,"
                 "patch_size=4]",
                 "-o", "Dictionary recovery[replicate=[half-1,half-2,init-1,"
                 "init-2]]",
                 *solver_args(["mod", "spams"]), "-r", "2", "--timeout", "5")
    return df


@pytest.mark.integration
def test_stability_view_pairs_the_replicates(replicate_run, plots):
    from benchmark_utils.results.stability import stability_pairs

    simulated = replicate_run[replicate_run["dataset_name"].str.startswith(
        "simulated")]
    pairs = stability_pairs(simulated)
    # 2 solvers x 2 problems x 2 kinds of pairs.
    assert len(pairs) == 8
    assert set(pairs["pair"]) == {"split halves", "two initial dictionaries"}
    assert pairs["stability"].between(0, 1).all()
    assert pairs["recovery"].between(0, 1).all()
    data, _ = all_figures(plots["stability"], simulated)
    images = next(iter(data.values()))["data"]
    assert len(images) == 1 and images[0]["image"].ndim == 3
    assert available_figures(simulated)[0] == "stability"


@pytest.mark.integration
def test_patches_figure_reports_stability(replicate_run):
    from benchmark_utils.results.figures import atoms_figure

    patches = replicate_run[replicate_run["dataset_name"].str.startswith(
        "patches")]
    names = available_figures(patches)
    assert names[:2] == ["learned atoms", "stability"]
    fig = atoms_figure(patches)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    # One panel per solver (the first half's atoms), with its stability.
    assert len(titles) == 2
    assert all("stability" in t for t in titles)
