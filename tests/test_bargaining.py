"""Buyers bargain over a rep's urgency to close (``buyer.bargaining_share``).

As a period ends, a rep whose plan pays more for a ready deal this period than
next would give up part of the price to close it now; a buyer who bargains
takes ``bargaining_share`` of that premium as a discount (Larkin 2014: reps
agree to lower prices in quarters where they have an incentive to close).
"""

from __future__ import annotations

import numpy as np

from simulator.agents.timing import timing_premium
from simulator.invariants import discounts_add_up
from simulator.model import SalesModel
from simulator.run import run_one


def larkin_last_week(compose_params, *extra: str) -> SalesModel:
    """Larkin's steep quarterly plan in a quarter's last week (weeks_left(13) == 1)."""
    model = SalesModel(compose_params("plan=larkin", "org.n_reps=8", *extra), 0)
    model.week = 12
    return model


def test_a_rep_on_the_top_rate_facing_an_ordinary_quarter_would_give_up_most_of_a_deal(
    compose_params,
):
    model = larkin_last_week(compose_params)
    st = model.seats
    seats = np.array([0, 1])
    q = st.quota[13][seats]
    st.credited[13][seats] = 1.3 * q  # on the top tier (3.375x) this quarter
    st.credited_by["total"][13][seats] = 1.3 * q
    st.expected_weekly_sales[seats] = 0.5 * q / 13  # half a quota next quarter: 0.72x
    premium = timing_premium(model, seats, 0.02 * q)
    # 1 - 0.72 / 3.375 = 0.79, less the chance next quarter reaches higher tiers
    assert (premium > 0.6).all() and (premium < 0.8).all()


def test_a_rep_expecting_a_better_quarter_next_gives_nothing(compose_params):
    model = larkin_last_week(compose_params)
    st = model.seats
    seats = np.array([0, 1])
    q = st.quota[13][seats]
    st.credited[13][seats] = 0.05 * q  # bottom tier now
    st.credited_by["total"][13][seats] = 0.05 * q
    st.expected_weekly_sales[seats] = 1.5 * q / 13  # top tier next quarter
    np.testing.assert_array_equal(timing_premium(model, seats, 0.02 * q), 0.0)


def test_a_flat_commission_leaves_nothing_to_bargain_over(compose_params):
    # a linear plan (an annual commission) pays the same for a deal this year or next,
    # wherever the rep stands, for a rep whose quota is a full year's (no ramp relief)
    model = SalesModel(
        compose_params("plan=linear", "org.n_reps=8", "hiring.ramped_quota=false"), 0
    )
    model.week = 51  # the year's last week
    st = model.seats
    seats = np.arange(8)
    assert np.allclose(st.quota[52][seats], st.annual_quota_full[seats])
    q = st.quota[52][seats]
    st.credited[52][seats] = np.linspace(0.2, 2.0, 8) * q
    st.credited_by["total"][52][seats] = st.credited[52][seats]
    st.expected_weekly_sales[seats] = np.linspace(2.0, 0.2, 8) * q / 52
    np.testing.assert_array_equal(timing_premium(model, seats, 0.02 * q), 0.0)


def test_bargaining_discounts_ready_deals_as_periods_end(compose_params):
    setup = ("plan=larkin", "org.n_reps=24", "run.years=2")
    off, on = (run_one(compose_params(*setup, f"buyer.bargaining_share={b}"), 1) for b in (0, 0.5))
    deals = on.tables["deals"]
    bargained = deals[~deals["rushed"] & (deals["discount"] > 0)]
    assert len(bargained) > 20
    # only in the timing window at a quarter's end, and at most half the list price
    week_in_quarter = bargained["week"] % 52 % 13
    assert (week_in_quarter >= 13 - on.params.rep.timing_window_weeks).all()
    assert (bargained["discount"] <= 0.5 * (bargained["price"] + bargained["discount"])).all()
    off_deals = off.tables["deals"]
    assert (off_deals.loc[~off_deals["rushed"], "discount"] == 0).all()
    assert discounts_add_up(on) and discounts_add_up(off)
