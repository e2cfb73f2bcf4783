"""salesim-pay: the payout calculator on the command line, from the same pure payout."""

from __future__ import annotations

import struct
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from salesim_cli.config import to_params
from salesim_cli.paycli import history_table
from salesim_cli.paycli import main as pay_main
from simulator.plans.payout import PayState, compile_plan
from simulator.run import run_one

QUOTA = 1.6e6  # org.quota_per_rep, pinned: the pay arithmetic does not move with a refit
PIN = f"org.quota_per_rep={QUOTA}"
TINY = ("org.n_reps=16", "run.years=1", "run.warmup_years=0")


@cache
def composed(*overrides: str):
    with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
        cfg = compose("config", overrides=[PIN, *overrides])
    return to_params(cfg)[0]


def curve(tmp_path: Path, *args: str) -> pd.DataFrame:
    """``salesim-pay ARGS --out tmp_path`` in-process; the earnings table it saved."""
    pay_main([PIN, *args, "--out", str(tmp_path)])
    (saved,) = tmp_path.glob("earnings_*.csv")
    return pd.read_csv(saved)


def pay_history(tmp_path: Path, text: str, *args: str) -> pd.DataFrame:
    """``salesim-pay --csv FILE ARGS`` in-process on ``text``; the pay table it saved."""
    path = tmp_path / "history.csv"
    path.write_text(text)
    pay_main(["--csv", str(path), PIN, *args, "--out", str(tmp_path)])
    (saved,) = tmp_path.glob("pay_*.csv")
    return pd.read_csv(saved)


def one_line_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        pay_main(argv)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("salesim-pay: error: ")
    return lines[0]


# -- the earnings curve --------------------------------------------------------------


def test_default_plan_table_has_a_row_per_10_percent_and_pays_target_at_100(tmp_path, capsys):
    table = curve(tmp_path)
    assert list(table.columns) == [
        "attainment", "base", "commission", "bonus", "total", "effective_rate",
    ]  # fmt: skip
    np.testing.assert_allclose(table["attainment"], np.arange(21) / 10)
    assert (table["base"] == 75_000.0).all()
    at_0, at_100 = table.iloc[0], table.iloc[10]
    assert at_0["commission"] == 0.0 and at_0["bonus"] == 0.0 and at_0["total"] == 75_000.0
    assert at_100["commission"] + at_100["bonus"] == pytest.approx(75_000.0)
    assert at_100["total"] == pytest.approx(150_000.0)
    assert at_100["effective_rate"] == pytest.approx(75_000.0 / QUOTA)
    assert np.isnan(at_0["effective_rate"])  # no sales, no rate
    printed = capsys.readouterr().out
    assert "quota_bonus" in printed and "annual quota 1,600,000" in printed
    assert "     100% 75,000     52,500 22,500 150,000" in printed


def test_the_png_is_a_png_with_its_plan_in_the_name(tmp_path):
    curve(tmp_path, "plan=capped", "--step", "0.5")
    png = (tmp_path / "earnings_capped.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (640, 420)
    assert 10_000 < len(png) < 100_000


def test_accelerated_total_rises_faster_above_100_than_below(tmp_path):
    table = curve(tmp_path, "plan=accelerated").set_index("attainment")
    slope_below = (table.loc[1.0, "total"] - table.loc[0.0, "total"]) / 1.0
    slope_above = (table.loc[2.0, "total"] - table.loc[1.0, "total"]) / 1.0
    assert slope_above > 1.5 * slope_below
    default = curve(tmp_path / "default").set_index("attainment")
    assert table.loc[2.0, "total"] > default.loc[2.0, "total"]


def test_capped_pays_no_commission_beyond_150_percent(tmp_path):
    table = curve(tmp_path, "plan=capped")
    commission = table["commission"].to_numpy()
    beyond = table["attainment"].to_numpy() >= 1.5 - 1e-9
    assert np.allclose(commission[beyond], commission[beyond][0])
    assert (np.diff(commission[~beyond]) > 0).all()


def test_overrides_of_the_plan_change_the_curve(tmp_path):
    capped = curve(tmp_path, "plan=capped", "plan.commission.cap=2.0").set_index("attainment")
    assert capped.loc[2.0, "commission"] > capped.loc[1.5, "commission"]


def test_team_plans_assume_a_team_of_span_of_control_at_100(tmp_path, capsys):
    table = curve(tmp_path, "plan=team", "org.span_of_control=5").set_index("attainment")
    # the rep alone at 0% in a team of 5 at 100%: the pool pays 4/5 of its target
    pool_at_100 = table.loc[1.0, "team_pool"]
    assert table.loc[0.0, "team_pool"] == pytest.approx(pool_at_100 * 4 / 5)
    assert table.loc[1.0, "total"] == pytest.approx(150_000.0)
    assert "peers at 100% in a team of 5" in capsys.readouterr().out


# -- a history of credited sales -----------------------------------------------------


def test_history_pays_each_quarter_with_plan_pay_on_the_same_numbers(tmp_path, capsys):
    sales = [300_000.0, 450_000.0, 0.0, 400_000.0, 650_000.0]
    text = "period,credited_sales\n" + "".join(f"{i},{s:.0f}\n" for i, s in enumerate(sales, 1))
    table = pay_history(tmp_path, text)
    plan = compile_plan(composed().plan)
    q = np.full(len(sales), QUOTA / 4)
    for name in ("commission", "bonus"):
        expected = plan.pay(name, PayState(sales, q))  # five one-period states at once
        np.testing.assert_allclose(table[name], expected)
    assert table["bonus"].gt(0).sum() == 3
    np.testing.assert_allclose(table["total"], table[["base", "commission", "bonus"]].sum(axis=1))
    printed = capsys.readouterr().out
    assert "pay per quarter" in printed and f"{table['total'].sum():,.2f}" in printed


def test_history_quota_column_replaces_the_annual_quota(tmp_path):
    table = pay_history(tmp_path, "period,credited_sales,quota\n1,300000,250000\n", "--quota", "1")
    plan = compile_plan(composed().plan)
    expected = plan.pay("bonus", PayState([300_000.0], [250_000.0]))[0]
    assert table.loc[0, "bonus"] == expected > 0


def test_history_pays_a_yearly_bonus_on_the_years_sums_at_year_end(tmp_path, capsys):
    text = "period,credited_sales\n1,100000\n2,900000\n3,300000\n4,400000\n5,900000\n"
    table = pay_history(tmp_path, text, "plan.bonus.period=year")
    assert table["bonus"].tolist()[:3] == [0.0, 0.0, 0.0]
    plan = compile_plan(composed("plan.bonus.period=year").plan)
    assert table.loc[3, "bonus"] == plan.pay("bonus", PayState([1.7e6], [QUOTA]))[0] > 0
    assert table.loc[4, "bonus"] == 0.0  # the second year is not complete
    assert "the last 1 row(s) do not complete a year" in capsys.readouterr().out


def test_history_trues_up_a_cumulative_commission_each_quarter(tmp_path):
    text = "period,credited_sales\n1,400000\n2,0\n3,0\n4,0\n5,800000\n"
    table = pay_history(tmp_path, text, "plan.commission.cumulative=true")
    # a year's commission target of 52,500 at 100%: a quarter at 100% has earned a quarter of it
    np.testing.assert_allclose(table["commission"], [13_125.0, 0.0, 0.0, 0.0, 26_250.0])


def test_history_pays_team_components_with_peers_at_100(tmp_path, capsys):
    table = pay_history(tmp_path, "period,credited_sales\n1,0\n2,800000\n", "plan=hybrid")
    plan = compile_plan(composed("plan=hybrid").plan)
    q = QUOTA / 4
    for row, sales in enumerate([0.0, 800_000.0]):
        team = PayState([sales, *[q] * 7], [q] * 8)  # org.span_of_control = 8
        assert table.loc[row, "team_pool"] == pytest.approx(plan.pay("team_pool", team)[0])
    assert table.loc[0, "team_pool"] > 0 and table.loc[0, "commission"] == 0.0
    assert "rank and team pay assume peers at 100% in a team of 8" in capsys.readouterr().out


def test_history_pays_what_the_model_paid_reps_held_all_year():
    """The same pure payout: a rep's quarterly rows, fed back in, give the model's pay.

    Without ramped quotas: a ramping rep's target is scaled with its quota
    (``hiring.prorated_target``), which a history of sales and quotas does not carry.
    """
    # a quota below what the tiny organisation sells, so every kind of bonus is paid (at the
    # pinned 1.6e6 no rep reached the annual bonus at the 2026-12-07 defaults)
    quota = 420_000.0
    for extra in ((), ("plan.commission.cumulative=true",), ("plan.bonus.period=year",)):
        params = composed(*TINY, *extra, "hiring.ramped_quota=false", f"org.quota_per_rep={quota}")
        plan = compile_plan(params.plan)
        reps = run_one(params, 3).tables["reps"]
        held = reps.groupby("rep_id").filter(
            lambda g: len(g) == 4 and (g["weeks_in_seat"] == 13).all() and not g["exit"].any()
        )
        assert held["rep_id"].nunique() >= 5
        for _, rows in held.sort_values("period").groupby("rep_id"):
            history = rows[["credited_sales", "quota"]].assign(period=[1, 2, 3, 4])
            paid = history_table(plan, history, "quarter", quota)
            for name in ("commission", "bonus"):
                np.testing.assert_allclose(paid[name], rows[f"pay_{name}"], rtol=1e-9, atol=1e-6)
        assert held["pay_bonus"].sum() > 0 and held["pay_commission"].sum() > 0


# -- bad input: one line, status 2 ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("period,sales\n1,5\n", "unknown column 'sales'"),
        ("period\n1\n", "missing column 'credited_sales'"),
        ("period,credited_sales\n1,5\n2,abc\n", "row 2 (line 3), column 'credited_sales': 'abc'"),
        ("period,credited_sales\n1,-5\n", "row 1 (line 2), column 'credited_sales': -5"),
        ("period,credited_sales,quota\n1,5,\n", "row 1 (line 2), column 'quota': empty"),
        ("period,credited_sales\n1,5\n3,5\n", "row 2 (line 3), column 'period': 3"),
        ("period,credited_sales\n", "no rows"),
    ],
)
def test_a_bad_csv_gives_one_line_naming_file_row_and_column(tmp_path, capsys, text, expected):
    path = tmp_path / "sales.csv"
    path.write_text(text)
    line = one_line_error(capsys, ["--csv", str(path), "--out", str(tmp_path)])
    assert str(path) in line and expected in line
    assert not list(tmp_path.glob("pay_*.csv"))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan=nope"], "plan = 'nope': no such config; available: accelerated, capped"),
        (["plan.commission.cap=0.8"], "plan.commission.cap = 0.8: must be 0 (none) or at least"),
        (["plan.comission.cap=2"], "plan.comission: unknown parameter; did you mean commission?"),
        (["plan.commission.tier_rates=[1,x]"], "plan.commission.tier_rates[1] = 'x': must be"),
        (["--step", "0"], "--step = 0: must be above 0"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--csv", "missing.csv"], "missing.csv: no such file"),
        (["--period", "year"], "--period applies only with --csv"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(tmp_path, capsys, argv, expected):
    line = one_line_error(capsys, [*argv, "--out", str(tmp_path)])
    assert expected in line
    assert not list(tmp_path.iterdir())


def test_rows_that_cannot_pay_a_component_are_refused(tmp_path, capsys):
    path = tmp_path / "sales.csv"
    path.write_text("period,credited_sales\n1,5\n")
    line = one_line_error(capsys, ["--csv", str(path), "--period", "month"])
    assert "--period month: cannot pay the commission of plan quota_bonus" in line
    assert "per quarter (13 weeks), not a whole number of months (4 weeks)" in line


def test_the_console_script(tmp_path):
    script = Path(sys.executable).with_name("salesim-pay")
    good = subprocess.run(
        [script, PIN, "plan=accelerated", "--step", "0.5", "--out", tmp_path],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert good.stderr == ""
    assert "     200% 75,000    180,000 15,000 270,000          6.09%" in good.stdout
    assert (tmp_path / "earnings_accelerated.png").stat().st_size > 0
    bad = subprocess.run(
        [script, "plan.individual_weight=0.7", "plan.team_weight=0.5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (
        "salesim-pay: error: plan.individual_weight + plan.team_weight = 1.2: must sum to 1\n"
    )
