"""Buyers who wait for the vendor's period end (``buyer.period_end_patience``).

A ready buyer whose wait to the last week of a period in which the plan gives
its rep a stake is within ``period_end_patience`` of its own buying cycle waits
for that week (Larkin's enterprise vendor booked about three quarters of its
deals on a quarter's last day); a plan with no stake gives no reason to wait.
"""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.validation.measures import last_week_share
from simulator.invariants import accounting_invariants
from simulator.model import SalesModel
from simulator.params import WEEKS_PER_QUARTER
from simulator.run import run_one

#: every account enterprise on 78-week cycles (conf/experiment/timing_vendor.yaml)
VENDOR = (
    "territory.smb.share=0",
    "territory.mid.share=0",
    "territory.ent.share=1",
    "territory.ent.cycle_weeks=78",
    "org.n_reps=16",
    "run.years=2",
)


@pytest.mark.parametrize(
    ("plan", "stakes"),
    [
        ("linear", ()),
        ("quota_bonus", (13,)),
        ("larkin", (13,)),
        ("team", (13,)),
        ("chung", (13, 52)),
    ],
)
def test_a_period_has_stakes_when_pay_is_not_linear_in_its_sales(compose_params, plan, stakes):
    model = SalesModel(compose_params(f"plan={plan}", "org.n_reps=8"), 0)
    assert model.stake_periods == stakes


def test_waiting_buyers_move_the_vendors_deals_to_the_quarters_last_week(compose_params):
    off, on = (
        run_one(compose_params(*VENDOR, "plan=larkin", f"buyer.period_end_patience={p}"), 1)
        for p in (0.0, 0.2)
    )
    # 12 weeks is within a fifth of a 78-week cycle: every ready buyer waits, and only
    # deals the reps pull in (rushed, in the two-week timing window) sign before
    for res, expect in ((off, False), (on, True)):
        won = res.tables["deals"]
        won = won[won["won"] & ~won["rushed"]]
        in_last = won["week"] % WEEKS_PER_QUARTER == WEEKS_PER_QUARTER - 1
        assert len(won) > 10
        assert bool(in_last.all()) is expect
    assert last_week_share(off.tables["deals"]) < 0.25
    assert all(accounting_invariants(on).values())


def test_patience_is_measured_in_the_buyers_own_cycle(compose_params):
    # at a patience of 0.2 an smb buyer (6-week cycle) waits at most 1.2 weeks, an
    # enterprise buyer (26 weeks) 5.2: only the latter signs early weeks of a quarter
    res = run_one(
        compose_params(
            "plan=quota_bonus", "org.n_reps=24", "run.years=2", "buyer.period_end_patience=0.2"
        ),
        2,
    )
    won = res.tables["deals"]
    won = won[won["won"] & ~won["rushed"]]
    wiq = won["week"] % WEEKS_PER_QUARTER
    # weeks 8-11 of a quarter (0-based): 2 to 5 weeks before the last week
    middle_late = won[(wiq >= 7) & (wiq <= 10)]
    assert (middle_late["segment"] != "ent").all()  # ent buyers there wait
    assert (middle_late["segment"] == "smb").any()  # smb buyers do not


def test_a_linear_commission_gives_buyers_no_reason_to_wait(compose_params):
    setup = ("plan=linear", "org.n_reps=16", "run.years=2")
    off, on = (
        run_one(compose_params(*setup, f"buyer.period_end_patience={p}"), 3) for p in (0.0, 0.5)
    )
    pd.testing.assert_frame_equal(off.tables["deals"], on.tables["deals"])
    pd.testing.assert_frame_equal(off.tables["reps"], on.tables["reps"])
