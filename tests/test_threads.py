"""The thread policy: one count for every solver, set and recorded by the benchmark."""
import os

import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from benchmark_utils.threads import (
    ENV_VAR,
    apply_thread_policy,
    get_n_threads,
    resolve_n_threads,
)


def test_default_is_one_thread(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_n_threads() == 1


def test_environment_variable_and_parameter(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "3")
    assert resolve_n_threads() == 3
    # An explicit parameter wins over the environment.
    assert resolve_n_threads(2) == 2
    assert resolve_n_threads(0) == (os.cpu_count() or 1)


@pytest.mark.parametrize("bad", [-1, 1.5, "two"])
def test_bad_values_are_refused(monkeypatch, bad):
    monkeypatch.delenv(ENV_VAR, raising=False)
    if isinstance(bad, str):
        monkeypatch.setenv(ENV_VAR, bad)
        with pytest.raises(ValueError, match=ENV_VAR):
            resolve_n_threads()
    else:
        with pytest.raises(ValueError, match="n_threads"):
            resolve_n_threads(bad)


def test_policy_limits_blas_and_torch(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with threadpool_limits():  # restore the pools afterwards
        assert apply_thread_policy(2) == 2
        assert get_n_threads() == 2
        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == min(2, os.cpu_count())
                            for p in blas)
        assert torch.get_num_threads() == 2
        apply_thread_policy()
        assert get_n_threads() == 1
        assert torch.get_num_threads() == 1
        assert all(p["num_threads"] == 1 for p in threadpool_info()
                   if p["user_api"] == "blas")


def test_objective_applies_and_records_the_policy(load_problem, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with threadpool_limits():
        objective, data = load_problem(
            objective_params=dict(n_threads=2),
            dataset_params=dict(n_samples=300, n_test=100),
        )
        assert get_n_threads() == 2
        result = objective.evaluate_result(D=data["D_true"])
        assert result["n_threads"] == 2
        objective, data = load_problem(
            dataset_params=dict(n_samples=300, n_test=100))
        assert objective.evaluate_result(D=data["D_true"])["n_threads"] == 1
