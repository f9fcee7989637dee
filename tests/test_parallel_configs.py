"""The files of configs/parallel/ are what benchopt's engines expect.

The dask file runs for real in ``tests/test_reproducibility.py`` (a local
cluster). Here: the same file given a scheduler address connects to that
scheduler instead of starting a cluster, and the SLURM file becomes the
``sbatch`` options it documents (rendered by submitit, no cluster needed: a
stand-in ``srun`` on the PATH is all submitit looks for).
"""
import os
import re
from pathlib import Path

import pytest
from benchopt.parallel_backends import check_parallel_config
from benchopt.parallel_backends.dask_backend import check_dask_config
from benchopt.parallel_backends.slurm_executor import (
    get_slurm_executor,
    merge_slurm_configs,
)
from distributed import LocalCluster

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "parallel"


def test_dask_file_starts_a_local_cluster_by_default():
    config = check_parallel_config(CONFIGS / "dask.yml", n_jobs=None)
    assert config["backend"] == "dask"
    assert "dask_address" not in config
    # -j overrides the number of workers.
    assert check_parallel_config(CONFIGS / "dask.yml", n_jobs=3)["n_jobs"] == 3


@pytest.mark.integration
def test_dask_file_with_an_address_connects_to_that_scheduler(tmp_path):
    text = (CONFIGS / "dask.yml").read_text()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        # As the file says: drop the local-cluster keys, uncomment the
        # address line with this scheduler's address.
        text, n_local = re.subn(r"^dask_(n_workers|threads_per_worker):.*\n",
                                "", text, flags=re.MULTILINE)
        text, n_address = re.subn(r"^# dask_address: \S+",
                                  f"dask_address: {cluster.scheduler_address}",
                                  text, flags=re.MULTILINE)
        assert (n_local, n_address) == (2, 1)
        path = tmp_path / "dask.yml"
        path.write_text(text)
        config = check_parallel_config(path, n_jobs=None)
        config.pop("backend")
        client = check_dask_config(config)["client"]
        try:
            assert client.scheduler.address == cluster.scheduler_address
            # No cluster of its own.
            assert client.cluster is None
            assert client.submit(sum, [1, 2]).result(timeout=30) == 3
        finally:
            client.close()


@pytest.fixture
def fake_srun(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    srun = bin_dir / "srun"
    srun.write_text("#!/bin/sh\nexit 0\n")
    srun.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


class _Benchmark:
    def __init__(self, folder):
        self.folder = folder

    def get_slurm_folder(self):
        return self.folder


def test_slurm_file_gives_the_documented_sbatch_options(tmp_path, fake_srun):
    config = check_parallel_config(CONFIGS / "slurm.yml", n_jobs=None)
    assert config.pop("backend") == "submitit"
    # As benchopt builds the executor of a solver's job.
    executor = get_slurm_executor(_Benchmark(tmp_path / "jobs"),
                                  merge_slurm_configs(config), timeout=100)
    # submitit renders the sbatch script in a private method, the one way to
    # read it without a cluster: guarded as a contract with submitit.
    slurm = getattr(executor, "_executor", None)
    assert hasattr(slurm, "_make_submission_file_text"), (
        "submitit no longer renders its sbatch script with "
        "SlurmExecutor._make_submission_file_text(command, uid): read the "
        "script another way (docs/architecture.md, benchopt and submitit "
        "internals)."
    )
    script = slurm._make_submission_file_text("command", "uid")
    options = dict(re.findall(r"^#SBATCH --([\w-]+)=(\S+)$", script,
                              flags=re.MULTILINE))
    assert options["time"] == "01:00:00"
    assert options["cpus-per-task"] == "1"
    assert options["mem"] == "8G"
    assert slurm.parameters["array_parallelism"] == 100
