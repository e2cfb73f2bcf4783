"""Hydra multirun: one results table per sweep, failed jobs recorded, resumable sweeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from simulator.sweep import collect

TINY = ["org.n_reps=16", "run.years=1", "run.warmup_years=0"]


def salesim(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args],
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


def test_sweep_writes_one_tidy_results_table(sweep):
    out, done = sweep
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 4  # 2 jobs x 2 replications
    cols = list(results.columns)
    assert cols[:2] == ["job", "manager.coaching_share"]
    assert cols.index("org.n_reps") < cols.index("replication") < cols.index("share_at_quota")
    assert set(results["manager.coaching_share"]) == {0.1, 0.3}
    assert {"replication", "seed", "share_at_quota", "error"} <= set(results.columns)
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 2 and "share_at_quota_ci_low" in summary.columns
    assert "2 jobs, 4 rows, 0 failed" in done.stdout


def test_rerunning_a_finished_sweep_skips_every_job(sweep):
    out, _ = sweep
    before = pd.read_parquet(out / "results.parquet")
    again = salesim(
        "-m",
        "manager.coaching_share=0.1,0.3",
        "run.replications=2",
        *TINY,
        f"hydra.sweep.dir={out}",
    )
    assert again.stdout.count("already done, skipped") == 2
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "results.parquet"), before, check_exact=True
    )


def test_a_failed_job_is_recorded_and_the_others_kept(tmp_path):
    done = salesim("-m", "manager.admin_share=0.2,0.9", *TINY, f"hydra.sweep.dir={tmp_path}")
    assert done.returncode == 0
    results = pd.read_parquet(tmp_path / "results.parquet").set_index("job")
    assert results.loc[0, "error"] == "" and results.loc[0, "revenue"] > 0
    assert "manager.admin_share" in results.loc[1, "error"]


def test_a_killed_sweep_resumes_without_lost_or_duplicated_rows(tmp_path):
    args = ["-m", "seed=0,1,2,3,4,5", *TINY, f"hydra.sweep.dir={tmp_path}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (tmp_path / "1" / "replications.parquet").exists():
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "results.parquet").exists()  # killed before the end
    resumed = salesim(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.count("already done, skipped") >= 2
    results = pd.read_parquet(tmp_path / "results.parquet")
    assert sorted(results["job"]) == list(range(6))
    assert not results.duplicated(["job", "replication"]).any()
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
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "one" / "results.parquet"),
        pd.read_parquet(tmp_path / "two" / "results.parquet"),
        check_exact=True,
    )
