"""salesim-pay: the payout calculator on the command line, from the same pure payout."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from simulator.config import to_params
from simulator.paycli import curve_table
from simulator.paycli import main as pay_main
from simulator.plans.payout import PayState, compile_plan


@cache
def composed(*overrides: str):
    with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return to_params(cfg)[0]


# -- salesim-pay --------------------------------------------------------------------


def test_payout_calculator_default_plan_pays_target_at_100(tmp_path, capsys):
    pay_main(["--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "earnings_quota_bonus.csv")
    at_100 = table[np.isclose(table["attainment"], 1.0)].iloc[0]
    assert at_100["total"] == pytest.approx(150_000.0)
    assert table.loc[0, "commission"] == 0.0
    png = (tmp_path / "earnings_quota_bonus.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert "quota_bonus" in capsys.readouterr().out


def test_payout_calculator_shapes_accelerated_and_capped():
    acc = curve_table(compile_plan(composed("plan=accelerated").plan), 1.6e6, 0.25, 8)
    slope = np.diff(acc["total"].to_numpy())
    assert slope[-1] > slope[1]  # pay rises faster above 100% than below
    cap = curve_table(compile_plan(composed("plan=capped").plan), 1.6e6, 0.25, 8)
    beyond = cap[cap["attainment"] >= 1.5]["commission"].to_numpy()
    assert np.allclose(beyond, beyond[0])


def test_payout_calculator_history_uses_the_model_payout(tmp_path, capsys):
    csv = tmp_path / "h.csv"
    csv.write_text("period,credited_sales\n1,300000\n2,450000\n")
    pay_main(["--csv", str(csv)])
    out = capsys.readouterr().out
    plan = compile_plan(composed().plan)
    q = 1.6e6 / 4
    expected = plan.pay("commission", PayState([450000.0], [q]))[0]
    assert f"{expected:.2f}" in out


def test_payout_calculator_refuses_a_bad_csv(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("period,credited_sales\n1,abc\n")
    with pytest.raises(SystemExit) as exit_info:
        pay_main(["--csv", str(csv)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 2" in err[0] and "credited_sales" in err[0]
