"""Hydra multirun: one results pair per sweep, failed jobs recorded, resumable sweeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from salesim_cli.sweep import collect
from simulator.io import read_inputs, read_outcomes
from simulator.results import KEYS

TINY = ["org.n_reps=16", "run.years=1", "run.warmup_years=0"]


def salesim(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salesim_cli.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    done = salesim(
        "-m",
        "manager.coaching_share=0.1,0.3",
        "run.replications=2",
        *TINY,
        f"hydra.sweep.dir={out}",
    )
    assert done.returncode == 0, done.stderr
    return out, done


def test_sweep_writes_one_pair_of_results_tables(sweep):
    out, done = sweep
    inputs, outcomes = read_inputs(out), read_outcomes(out)
    assert len(inputs) == len(outcomes) == 4  # 2 jobs x 2 replications
    assert list(inputs.columns[:5]) == list(outcomes.columns[:5]) == list(KEYS)
    assert list(outcomes["run_id"]) == ["0/0", "0/1", "1/0", "1/1"]
    assert list(outcomes["seed"]) == ["0/0", "0/1", "0/0", "0/1"]  # common random numbers
    assert set(inputs["manager.coaching_share"]) == {0.1, 0.3}
    assert {"org.n_reps", "plan.name"} <= set(inputs.columns)
    assert {"share_at_quota", "error"} <= set(outcomes.columns)
    assert "share_at_quota" not in inputs.columns and "org.n_reps" not in outcomes.columns
    assert not (out / "results.parquet").exists()
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 2 and "share_at_quota_ci_low" in summary.columns
    assert "2 jobs, 4 rows, 0 failed in " in done.stdout


TABLES = ("weekly", "reps", "managers", "hires", "deals")


def test_a_sweep_job_writes_its_metrics_and_no_per_run_tables(sweep):
    out, _ = sweep
    for job in ("0", "1"):
        files = {f.name for f in (out / job).iterdir()}
        assert {"summary.json", "params.json", "runs.parquet", "outcomes.parquet"} <= files
        assert set(read_outcomes(out / job)["job"]) == {job}  # the job's number, as in the sweep
        assert not files & {f"{t}.parquet" for t in TABLES}


@pytest.mark.parametrize(
    ("mode", "args", "written"),
    [
        ("multirun", ["-m", "seed=0", "run.tables=all", "run.replications=2"], True),
        ("run", ["run.tables=none"], False),
        ("run", [], True),
    ],
)
def test_run_tables_decides_the_per_run_tables(tmp_path, mode, args, written):
    where = "sweep" if mode == "multirun" else "run"
    done = salesim(*args, *TINY, f"hydra.{where}.dir={tmp_path}")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "0" if mode == "multirun" else tmp_path
    assert (folder / "summary.json").exists()
    for table in TABLES:
        assert (folder / f"{table}.parquet").exists() == written, table
    if mode == "multirun":
        assert set(pd.read_parquet(folder / "reps.parquet")["replication"]) == {0, 1}
    if written:
        ids = set(read_outcomes(folder)["run_id"])
        for table in TABLES:
            assert set(pd.read_parquet(folder / f"{table}.parquet")["run_id"]) <= ids, table


def test_rerunning_a_finished_sweep_skips_every_job(sweep):
    out, _ = sweep
    before = read_outcomes(out)
    again = salesim(
        "-m",
        "manager.coaching_share=0.1,0.3",
        "run.replications=2",
        *TINY,
        f"hydra.sweep.dir={out}",
    )
    assert again.stdout.count("already done, skipped") == 2
    pd.testing.assert_frame_equal(read_outcomes(out), before, check_exact=True)


def test_a_failed_job_is_recorded_and_the_others_kept(tmp_path):
    done = salesim("-m", "manager.admin_share=0.2,0.9", *TINY, f"hydra.sweep.dir={tmp_path}")
    assert done.returncode == 0
    results = read_outcomes(tmp_path).set_index("job")
    assert results.loc["0", "error"] == "" and results.loc["0", "revenue"] > 0
    assert "manager.admin_share" in results.loc["1", "error"]
    assert results.loc["1", "seed"] == "" and results.loc["1", "job_seed"] == 0
    assert list(read_inputs(tmp_path)["job"]) == ["0"]  # a failed job has no inputs row


def test_a_killed_sweep_resumes_without_lost_or_duplicated_rows(tmp_path):
    args = ["-m", "seed=0,1,2,3,4,5", *TINY, f"hydra.sweep.dir={tmp_path}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesim_cli.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # params.json is a job's last file: once job 1 has it, jobs 0 and 1 are complete
    deadline = time.time() + 120
    while time.time() < deadline and not (tmp_path / "1" / "params.json").exists():
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "outcomes.parquet").exists()  # killed before the end
    resumed = salesim(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.count("already done, skipped") >= 2
    results = read_outcomes(tmp_path)
    assert sorted(results["job"].astype(int)) == list(range(6))
    assert results["run_id"].is_unique
    full = collect(tmp_path)
    pd.testing.assert_frame_equal(full, results, check_exact=True)


def test_joblib_workers_give_bit_identical_results(tmp_path):
    pytest.importorskip(
        "hydra_plugins.hydra_joblib_launcher",
        reason="hydra-joblib-launcher (the 'parallel' extra) is not installed",
    )
    args = ["-m", "seed=0,1,2,3", *TINY]
    one = salesim(*args, f"hydra.sweep.dir={tmp_path / 'one'}")
    two = salesim(
        *args,
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={tmp_path / 'two'}",
    )
    assert one.returncode == 0 and two.returncode == 0, two.stderr
    assert_same_results(tmp_path / "one", tmp_path / "two")


def assert_same_results(a, b) -> None:
    pd.testing.assert_frame_equal(read_outcomes(a), read_outcomes(b), check_exact=True)
    pd.testing.assert_frame_equal(read_inputs(a), read_inputs(b), check_exact=True)


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    """Four seeds through Hydra's basic launcher: the reference for the other launchers."""
    out = tmp_path_factory.mktemp("basic")
    done = salesim("-m", "seed=0,1,2,3", *TINY, f"hydra.sweep.dir={out}")
    assert done.returncode == 0, done.stderr
    return out


def test_a_local_ray_instance_gives_bit_identical_results_and_stays_in_the_sweep_folder(
    basic_sweep, tmp_path
):
    pytest.importorskip(
        "hydra_plugins.hydra_ray_launcher", reason="hydra-ray-launcher (the 'ray' extra) missing"
    )
    home, temp = tmp_path / "home", tmp_path / "temp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(HOME=str(home), TMPDIR=str(temp))
    # a deep sweep folder: Ray's socket paths would pass the 107-byte limit below it
    out = tmp_path / "a_sweep_folder_deep_enough_that_ray_sockets_would_not_fit" / "sweep"
    links_before = set(Path("/tmp").glob("salesim-*"))
    done = salesim(
        "-m",
        "seed=0,1,2,3",
        *TINY,
        "hydra/launcher=ray_local",
        f"hydra.sweep.dir={out}",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Started a local Ray instance" in done.stderr + done.stdout
    assert_same_results(basic_sweep, out)
    assert list(home.iterdir()) == []  # no auth token or session files in the home folder
    assert list(temp.iterdir()) == []  # nor in the temp folder
    # the short link is gone. On a loaded machine one was once still there when the command
    # returned and gone seconds later (Ray's processes outlive the command), so allow 15 s
    deadline = time.monotonic() + 15.0
    while not set(Path("/tmp").glob("salesim-*")) <= links_before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(Path("/tmp").glob("salesim-*")) <= links_before
    assert any((out / ".ray").glob("session_*"))


def test_submitit_gives_bit_identical_results(basic_sweep, tmp_path):
    pytest.importorskip(
        "hydra_plugins.hydra_submitit_launcher",
        reason="hydra-submitit-launcher (the 'slurm' extra) missing",
    )
    # submitit's local executor: the same code path as Slurm, without a cluster
    done = salesim(
        "-m", "seed=0,1,2,3", *TINY, "hydra/launcher=submitit_local", f"hydra.sweep.dir={tmp_path}"
    )
    assert done.returncode == 0, done.stderr
    assert_same_results(basic_sweep, tmp_path)


@pytest.mark.parametrize(
    ("launcher", "target", "key"),
    [
        ("cores", "JoblibLauncher", "n_jobs: -1"),
        ("ray_local", "RayLauncher", "include_dashboard: false"),
        ("ray_cluster", "RayLauncher", "address: auto"),
        ("slurm", "SlurmLauncher", "partition: gpu"),
    ],
)
def test_every_shipped_launcher_config_composes(launcher, target, key):
    pytest.importorskip(
        {
            "cores": "hydra_plugins.hydra_joblib_launcher",
            "ray_local": "hydra_plugins.hydra_ray_launcher",
            "ray_cluster": "hydra_plugins.hydra_ray_launcher",
            "slurm": "hydra_plugins.hydra_submitit_launcher",
        }[launcher],
        reason=f"the extra behind hydra/launcher={launcher} is not installed",
    )
    extra = ["hydra.launcher.partition=gpu"] if launcher == "slurm" else []
    done = salesim(f"hydra/launcher={launcher}", *extra, "--cfg", "hydra", "-p", "hydra.launcher")
    assert done.returncode == 0, done.stderr
    assert target in done.stdout and key in done.stdout


@pytest.mark.parametrize(
    ("overrides", "params", "expected"),
    [
        (["seed=0,1,2", "manager.coaching_share=0.1,0.3"], {}, 6),
        (["seed=range(0,4)", "plan=ranking,team", "org.n_reps=16"], {}, 8),
        (["seed=1"], {"seed": "0,1,2,3,4"}, 5),
        (["manager.coaching_share=interval(0,1)"], {}, None),
    ],
)
def test_sweep_size_counts_the_basic_sweepers_jobs(overrides, params, expected):
    from salesim_cli.sweep import sweep_size

    assert sweep_size(overrides, params) == expected


def test_the_progress_bar_counts_jobs_to_the_end(tmp_path):
    env = {**os.environ, "SALESIM_PROGRESS": "1"}
    done = salesim("-m", "seed=0,1,2", *TINY, f"hydra.sweep.dir={tmp_path}", env=env)
    assert done.returncode == 0, done.stderr
    assert "salesim sweep" in done.stderr and "3/3" in done.stderr
    # a finished sweep run again: every job counts as done at once
    again = salesim("-m", "seed=0,1,2", *TINY, f"hydra.sweep.dir={tmp_path}", env=env)
    assert "3/3" in again.stderr
    quiet = salesim("-m", "seed=0,1,2", *TINY, f"hydra.sweep.dir={tmp_path}")
    assert "salesim sweep" not in quiet.stderr  # not a terminal: no bar


def test_a_sweep_ends_with_one_line_and_jobs_print_one_line_each(sweep):
    _, done = sweep
    lines = done.stdout.splitlines()
    assert sum(line.startswith("salesim: job ") for line in lines) == 2
    assert lines[-1].startswith("salesim: 2 jobs, 4 rows, 0 failed in ")
    assert "MODEL.md band" not in done.stdout  # no per-job summary tables
