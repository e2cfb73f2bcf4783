"""Replications inside a job: spawned seeds, per-metric mean/sd/CI, and the job's files."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulator.io import read_outcomes
from simulator.params import SimParams
from simulator.run import replication_seeds, run_one, run_replications, with_overrides

TINY = {"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}


def same(a: dict, b: dict) -> bool:
    """Equal metrics, NaN equal to NaN."""
    return pd.Series(a).equals(pd.Series(b))


@pytest.fixture(scope="module")
def tiny():
    return with_overrides(SimParams(), **TINY)


@pytest.fixture(scope="module")
def three(tiny):
    return run_replications(tiny, seed=7, n=3)


def test_replications_are_spawned_children_of_the_job_seed(tiny, three):
    assert list(three.replications["replication"]) == [0, 1, 2]
    assert list(three.replications["seed"]) == ["7/0", "7/1", "7/2"]  # the seeds they ran on
    assert (three.replications["job_seed"] == 7).all()
    child = np.random.SeedSequence(7).spawn(3)[1]
    alone = run_one(tiny, child)
    assert same(alone.summary, three.runs[1].summary)
    # more replications keep the first ones: child r does not depend on how many there are
    assert replication_seeds(7, 5)[1].spawn_key == child.spawn_key
    assert not same(three.runs[0].summary, three.runs[1].summary)


def test_one_replication_is_the_plain_run(tiny):
    single = run_replications(tiny, seed=7, n=1)
    assert same(single.runs[0].summary, run_one(tiny, 7).summary)


def test_summary_holds_mean_sd_and_a_95_interval(three):
    rows, s = three.replications, three.summary
    assert s["replications"] == 3
    values = rows["revenue"].to_numpy()
    assert s["revenue"] == pytest.approx(values.mean())
    assert s["revenue_sd"] == pytest.approx(values.std(ddof=1))
    half = 4.302652729911275 * values.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert s["revenue_ci_low"] == pytest.approx(values.mean() - half)
    assert s["revenue_ci_high"] == pytest.approx(values.mean() + half)


def test_same_seed_same_replications(tiny, three):
    again = run_replications(tiny, seed=7, n=3)
    pd.testing.assert_frame_equal(again.replications, three.replications, check_exact=True)


def test_cli_writes_the_replicated_job(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "salesim_cli.cli",
            "run.replications=3",
            "org.n_reps=16",
            "run.years=1",
            "run.warmup_years=0",
            f"hydra.run.dir={tmp_path}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["replications"] == 3
    assert summary["share_at_quota_ci_low"] <= summary["share_at_quota"]
    rows = read_outcomes(tmp_path)
    assert list(rows["replication"]) == [0, 1, 2]
    assert list(rows["seed"]) == ["0/0", "0/1", "0/2"]  # the spawned children of seed 0
    reps = pd.read_parquet(tmp_path / "reps.parquet")
    assert set(reps["replication"]) == {0, 1, 2}
    assert set(reps["run_id"]) == set(rows["run_id"]) == {"0/0", "0/1", "0/2"}
    assert not (tmp_path / "replications.parquet").exists()
    assert "95% CI" in done.stdout
