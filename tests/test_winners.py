"""Winners and losers (issue 13 item 3): current reps, pay by rank, the paired change, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.history import read_history
from simulator.params import SimParams
from simulator.run import with_overrides
from simulator.winners import GAINS, LOSES, UNCLEAR, current_reps, pay_by_rank, winners_and_losers

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "history" / "example_history.csv"
#: a small, short organisation: the method is tested, not the numbers
SMALL = {"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}


def _history(tmp_path: Path, rows: list[tuple]) -> pd.DataFrame:
    path = tmp_path / "h.csv"
    frame = pd.DataFrame(rows, columns=["rep_id", "team", "period", "quota", "credited_sales"])
    frame.assign(exit_date="").to_csv(path, index=False)
    return read_history(path)


def test_current_reps_are_in_seat_in_the_last_quarter_with_trailing_attainment(tmp_path):
    rows = [
        ("A", "T1", f"2024Q{q}", 100.0, 100.0 * q) for q in range(1, 5)
    ]  # A: 1000 / 400 over Q1-Q4
    rows += [("A", "T1", "2023Q4", 100.0, 0.0)]  # older than four quarters: left out
    rows += [("B", "T2", "2024Q4", 200.0, 100.0)]  # hired last quarter: one quarter
    rows += [("C", "T2", "2024Q3", 100.0, 50.0)]  # not in seat in the last quarter
    reps = current_reps(_history(tmp_path, rows))
    assert list(reps["rep_id"]) == ["A", "B"]  # best first
    a, b = reps.iloc[0], reps.iloc[1]
    assert a["quarters"] == 4 and a["attainment"] == pytest.approx(2.5)
    assert b["quarters"] == 1 and b["attainment"] == pytest.approx(0.5)
    assert list(reps["percentile"]) == [0.75, 0.25]  # mid-ranks of two


def test_a_rep_with_an_exit_recorded_is_not_current(tmp_path):
    path = tmp_path / "h.csv"
    pd.DataFrame(
        {
            "rep_id": ["A", "B"],
            "team": ["T", "T"],
            "period": ["2024Q4", "2024Q4"],
            "quota": [1.0, 1.0],
            "credited_sales": [1.0, 2.0],
            "exit_date": ["", "2024-11-30"],
            "exit_kind": ["", "voluntary"],
        }
    ).to_csv(path, index=False)
    assert list(current_reps(read_history(path))["rep_id"]) == ["A"]


def test_pay_by_rank_averages_full_year_pay_in_equal_rank_bins():
    rows = []
    for i in range(8):  # rep i attains i/4 and earns 100 * i over the year
        for q in range(1, 5):
            rows.append(
                {
                    "rep_id": i,
                    "year": 1,
                    "quarter": q,
                    "warmup": False,
                    "quota": 1.0,
                    "credited_sales": i / 4,
                    "weeks_in_seat": 13,
                    "pay_total": 25.0 * i,
                }
            )
    rows.append({**rows[0], "warmup": True, "pay_total": 1e9})  # warm-up is left out
    pay = pay_by_rank(pd.DataFrame(rows), bins=4)
    np.testing.assert_allclose(pay, [50.0, 250.0, 450.0, 650.0])
    sparse = pay_by_rank(pd.DataFrame(rows), bins=16)  # fewer rep-years than bins
    assert np.isnan(sparse[0]) and sparse[1] == 0.0 and np.isnan(sparse[2])


def test_the_same_plan_changes_nobody_and_a_richer_plan_raises_everyone():
    history = read_history(EXAMPLE)
    base = with_overrides(SimParams(), **SMALL)
    same = winners_and_losers(history, base, base, replications=3, seed=1)
    assert np.all(same.reps["change"] == 0.0)
    assert set(same.reps["verdict"]) == {UNCLEAR}
    richer = with_overrides(base, **{"plan.target_variable": 150_000.0})
    # 8 replications: at 3 only 26% of reps' gains were told apart from 0 on the
    # 2026-12-05 (g) defaults (57% at 5, 96% at 8), every change still positive
    out = winners_and_losers(history, base, richer, replications=8, seed=1)
    assert len(out.reps) == len(current_reps(history))
    # 16 reps for a year: every rank gains on average, none loses
    assert (out.curves["change"] > 0).all() and (out.reps["change"] > 0).all()
    assert LOSES not in set(out.reps["verdict"])
    assert (out.reps["verdict"] == GAINS).mean() > 0.5
    # the top ranks earn more variable pay, so they gain more from a richer plan
    assert out.reps["change"].iloc[0] > out.reps["change"].iloc[-1]


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    small = [f"--set={k}={v}" for k, v in SMALL.items() if k != "org.n_reps"]
    return subprocess.run(
        [sys.executable, "-m", "salesim_cli.winnerscli", *args, *small, "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_writes_the_report_table_curves_and_figure(tmp_path):
    out = tmp_path / "w"
    done = _cli(tmp_path, str(EXAMPLE), "--plan=accelerated", "--replications=2", f"--out={out}")
    assert done.returncode == 0, done.stderr
    assert "accelerated against quota_bonus" in done.stdout
    table = pd.read_csv(out / "winners.csv")
    assert len(table) == len(current_reps(read_history(EXAMPLE)))
    assert {"rep_id", "change", "change_low", "change_high", "verdict"} <= set(table.columns)
    assert len(pd.read_csv(out / "pay_by_rank.csv")) == 20
    report = (out / "winners.md").read_text()
    assert "| rep | team |" in report and "keeps its rank" in report
    assert (out / "winners.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan=no_such_plan"], "no_such_plan"),
        (["--plan=accelerated", "--org=/no/such.yaml"], "--org /no/such.yaml: no such file"),
        (["--plan=accelerated", "--replications=1"], "--replications = 1: must be at least 2"),
        (["--plan=accelerated", "--set=rep.no_such=1"], "rep.no_such"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "w"
    done = _cli(tmp_path, str(EXAMPLE), *args, f"--out={out}")
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_bad_history_is_refused_naming_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("rep_id,team,period,quota,credited_sales\nA,T,2024Q1,-5,1\n")
    done = _cli(tmp_path, str(bad), "--plan=accelerated", f"--out={tmp_path / 'w'}")
    assert done.returncode == 2 and "row 2, column 'quota'" in done.stderr
    assert not (tmp_path / "w").exists()


def test_the_readme_example_is_the_committed_run():
    """README's worked example quotes validation/history_fit/winners, written by the command."""
    table = pd.read_csv(ROOT / "validation" / "history_fit" / "winners" / "winners.csv")
    count = table["verdict"].value_counts()
    readme = (ROOT / "README.md").read_text()
    lost = table["change"].sum() / table["pay_current"].sum()
    assert (
        f"{count.get('loses', 0)} of {len(table)} current\n   reps lose" in readme
        or f"{count.get('loses', 0)} of {len(table)} current reps lose" in readme
    )
    assert count.get("gains", 0) == 0 and f"{count.get('unclear', 0)} are unclear" in readme
    assert f"team's pay falls {-lost:.1%}" in readme
    assert len(table) == len(current_reps(read_history(EXAMPLE)))
