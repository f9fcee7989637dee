"""Shared fixtures: load the benchmark's components the way benchopt does."""
import sys
from pathlib import Path

import pytest
import torch
from benchopt.benchmark import Benchmark
from benchopt.utils.run_context import RunContext
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# Property-based tests draw the same examples at every run, on every machine
# (profile "deterministic": examples derived from each test, no example
# database), so that `python -m pytest` gives one verdict for everyone and a red
# run points at a change, not at the luck of a draw. The exploratory profile,
# `python -m pytest --hypothesis-profile=explore`, draws new examples at every
# run (and replays the failures it found from .hypothesis/); a counter-example
# it finds becomes an explicit @example of the test.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("deterministic")


def pytest_report_header(config):
    return f"hypothesis profile: {settings.get_current_profile_name()}"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def benchmark():
    return Benchmark(str(ROOT))


def attach_context(benchmark_obj, objective=None, dataset=None, solver=None,
                   seed=0, repetition=0):
    """Give components the run context benchopt gives them, for get_seed."""
    RunContext(
        base_seed=str(seed),
        objective_name=str(objective) if objective is not None else None,
        dataset_name=str(dataset) if dataset is not None else None,
        solver_name=str(solver) if solver is not None else None,
        repetition=repetition,
    ).attach(objective=objective, dataset=dataset, solver=solver)


@pytest.fixture
def load_problem(benchmark):
    """Return ``(objective, data)`` for given objective and dataset parameters."""
    def _load(objective_params=None, dataset_params=None, seed=0, repetition=0,
              dataset_name="simulated"):
        Dataset, = benchmark.check_dataset_patterns([dataset_name],
                                                    class_only=True)
        dataset = Dataset.get_instance(**(dataset_params or {}))
        Objective = benchmark.get_benchmark_objective()
        objective = Objective.get_instance(**(objective_params or {}))
        attach_context(benchmark, objective=objective, dataset=dataset,
                       seed=seed, repetition=repetition)
        data = dataset.get_data()
        # As benchopt does: a cell the objective skips never reaches set_data;
        # here its reason is raised, so a test can check it.
        skip, reason = objective.skip(**data)
        if skip:
            raise ValueError(reason)
        objective.set_data(**data)
        return objective, data
    return _load


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for the module's tests (restored after): the torch
    solvers' runs are then deterministic and do not compete for the cores."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)
