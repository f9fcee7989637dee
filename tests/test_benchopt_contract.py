"""What the benchmark relies on in benchopt outside its public API, one test
per touchpoint.

Each touchpoint is listed in docs/architecture.md ("benchopt's internals");
a test fails with a message that says which behaviour of benchopt changed,
so that an upgrade of benchopt fails here, loudly, and not deep inside a run.
"""
import inspect
import pickle

import joblib
from benchopt.plotting import generate_html
from benchopt.plotting.base import BasePlot
from benchopt.runner import run_one_to_cvg
from benchopt.stopping_criterion import StoppingCriterion
from benchopt.utils.run_context import RunContext

from benchmark_utils.runtime import benchopt_run
from benchmark_utils.runtime.cache_key import cache_key
from benchmark_utils.runtime.dashboard import CDN_PLOTLY, trace_style
from benchmark_utils.runtime.objective import BenchmarkObjective
from benchmark_utils.runtime.stopping import WindowProgressCriterion
from benchmark_utils.schema import LOSS_TRAIN, RECOVERY
from tests.conftest import attach_context

CHANGED = "benchopt changed: {what} (docs/architecture.md, benchopt's internals)"


def test_the_run_in_progress_is_a_frame_of_run_one_to_cvg():
    # runtime.benchopt_run reads the run's timeout, meta, solver and
    # stopping criterion from the locals of benchopt.runner.run_one_to_cvg,
    # a caller of the objective's get_objective and evaluate_result.
    code = run_one_to_cvg.__code__
    assert (run_one_to_cvg.__module__, code.co_name) == (
        benchopt_run.RUNNER_MODULE, benchopt_run.RUNNER_FUNCTION), CHANGED.format(
        what="the run of one solver is no longer "
             "benchopt.runner.run_one_to_cvg")
    missing = {"timeout", "meta", "solver", "stopping_criterion",
               "objective"} - set(code.co_varnames)
    assert not missing, CHANGED.format(
        what=f"run_one_to_cvg has no local variable {sorted(missing)}")
    source = inspect.getsource(run_one_to_cvg)
    assert "get_runner_instance(" in source and "_Callback(" in source, (
        CHANGED.format(what="run_one_to_cvg no longer builds the stopping "
                            "criterion and runs the solver itself"))


def test_the_cache_key_enters_the_pickle_through_get_state(load_problem):
    # runtime.cache_key adds the library's digest to the component's pickled
    # state (ParametrizedNameMixin._get_state / __setstate__), which joblib
    # hashes into benchopt's cache key.
    objective, _ = load_problem(dataset_params=dict(n_samples=400, n_test=100))
    assert isinstance(objective, BenchmarkObjective)
    reduced = objective.__reduce__()
    assert len(reduced) == 3 and reduced[2].get("cache_key") == cache_key(), (
        CHANGED.format(what="__reduce__ no longer pickles the state that "
                            "_get_state returns"))
    copy = pickle.loads(pickle.dumps(objective))
    assert copy._cache_key == cache_key(), CHANGED.format(
        what="a component is no longer rebuilt with __setstate__(state)")


def test_the_cache_key_changes_the_hash_of_a_component(load_problem,
                                                       monkeypatch):
    objective, _ = load_problem(dataset_params=dict(n_samples=400, n_test=100))
    before = joblib.hash(objective)
    monkeypatch.setenv("DICTREC_CONTRACT_TEST", "1")
    assert joblib.hash(objective) != before, CHANGED.format(
        what="joblib's hash of a component no longer sees its _get_state")


def test_the_result_page_is_rendered_by_a_module_function():
    # runtime.dashboard replaces generate_html.render_all_results, which
    # benchopt's plot_benchmark_html calls by its module-level name.
    assert getattr(generate_html.render_all_results, "inlines_plotly",
                   False), CHANGED.format(
        what="generate_html.render_all_results is not the function the "
             "objective's import wrapped")
    callers = [name for name, function in
               inspect.getmembers(generate_html, inspect.isfunction)
               if function.__module__ == generate_html.__name__
               and "render_all_results(" in inspect.getsource(function)
               and name != "render_all_results"]
    assert callers, CHANGED.format(
        what="no function of benchopt.plotting.generate_html calls "
             "render_all_results")


def test_the_result_page_loads_plotly_from_its_cdn():
    template = (inspect.getfile(generate_html).rsplit("/", 1)[0]
                + "/html/templates/result.mako.html")
    with open(template) as f:
        tags = CDN_PLOTLY.findall(f.read())
    assert len(tags) == 1, CHANGED.format(
        what="the result page's template has no single Plotly CDN <script> "
             "tag for runtime.dashboard to inline")


def test_a_plot_style_numbers_its_labels():
    # runtime.dashboard.trace_style wraps the marker number get_style gives.
    class Plot(BasePlot):
        name = "contract"
        type = "scatter"

        def plot(self, df):
            return []

        def get_metadata(self, df):
            return {}

    plot = Plot.get_instance()
    style = plot.get_style("a label never seen")
    assert isinstance(style.get("marker"), int), CHANGED.format(
        what="BasePlot.get_style no longer returns a marker number")
    assert 0 <= trace_style(plot, "a label never seen")["marker"] < 50


class _Solver:
    """What get_runner_instance reads of a solver."""

    def __init__(self, strategy):
        self.sampling_strategy = strategy


def test_the_stopping_criterion_is_copied_for_each_run():
    # runtime.stopping subclasses StoppingCriterion: benchopt copies the
    # objective's criterion for every run with get_runner_instance, filling
    # max_runs, solver and n_eval; each solver gets a fresh copy whatever its
    # sampling strategy.
    criterion = WindowProgressCriterion()
    runners = []
    for strategy in ("callback", "iteration"):
        runner = criterion.get_runner_instance(
            max_runs=2, timeout=100, terminal=None, solver=_Solver(strategy),
            run_key=("d", "o", "s"))
        runners.append(runner)
        assert isinstance(runner, WindowProgressCriterion), CHANGED.format(
            what="get_runner_instance no longer returns the criterion's copy")
        assert (runner.max_runs, runner.n_eval, runner.strategy) == (
            2, 0, strategy), CHANGED.format(
            what="get_runner_instance no longer sets max_runs, n_eval and "
                 "the solver's strategy")
    assert runners[0] is not runners[1]


def test_the_criterion_counts_evaluations_in_should_stop():
    # budget_spent reads n_eval and max_runs; should_stop calls
    # check_convergence with the curve, then counts the evaluation.
    runner = WindowProgressCriterion().get_runner_instance(
        max_runs=2, timeout=None, solver=_Solver("iteration"))
    curve = []
    for stop_val in (1, 2):
        curve.append({"stop_val": stop_val, "time": 0.1 * stop_val,
                      RECOVERY: 0.5, LOSS_TRAIN: 1.0 / stop_val})
        assert not runner.budget_spent()
        stop, status, _ = runner.should_stop(stop_val, curve)
        assert not stop, CHANGED.format(what=f"should_stop stopped ({status})")
    assert runner.n_eval == 2 and runner.budget_spent(), CHANGED.format(
        what="should_stop no longer counts evaluations in n_eval")
    stop, status, _ = runner.should_stop(3, curve)
    assert (stop, status) == (True, "max_runs"), CHANGED.format(
        what="max_runs no longer ends a run when n_eval reaches it")
    assert issubclass(WindowProgressCriterion, StoppingCriterion)


def test_a_run_context_gives_the_components_their_seeds(load_problem):
    # tests/conftest.py gives components benchopt's run context
    # (benchopt.utils.run_context.RunContext.attach) so that get_seed works
    # outside a run.
    objective, _ = load_problem(dataset_params=dict(n_samples=400, n_test=100))
    seeds = []
    for repetition in (0, 0, 1):
        attach_context(None, objective=objective, seed=3,
                       repetition=repetition)
        seeds.append(objective.get_seed(use_repetition=True))
    assert seeds[0] == seeds[1] != seeds[2], CHANGED.format(
        what="RunContext.attach no longer gives get_seed its seed")
    assert "attach" in vars(RunContext)

