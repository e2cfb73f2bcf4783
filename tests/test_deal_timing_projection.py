"""Reps price a deal credited now where the period will end, not where it stands.

Weeks before a quarter ends, a rep on an accelerating plan who has sold little
so far but is on course for a strong quarter earns the top rate on a deal
whenever it is credited: it closes the deal now. Priced at its sales so far it
saw the plan's bottom rate and held everything (Larkin's plan, with a
quarter-wide timing window, lost half its revenue that way).
"""

from __future__ import annotations

import numpy as np

from simulator.agents.timing import _now_pay, hold_back
from simulator.model import SalesModel

#: Larkin's steep quarterly plan, a window spanning the quarter, and further sales
#: projected from the selling rate alone (no pipeline blend), so they are known exactly
SETUP = ("plan=larkin", "org.n_reps=8", "rep.timing_window_weeks=13", "rep.pipeline_weight=0")


def model_at(compose_params, week: int) -> SalesModel:
    model = SalesModel(compose_params(*SETUP), 0)
    model.week = week
    return model


def test_in_a_periods_last_week_a_deal_now_pays_exactly(compose_params):
    model = model_at(compose_params, 12)  # weeks_left(13) == 1
    seats = np.arange(4)
    q = model.seats.quota[13][seats]
    cred, extra = 0.9 * q, 0.2 * q
    name = next(iter(model.plan.components))
    exact = model.plan.component_pay(name, cred + extra, q)
    np.testing.assert_array_equal(_now_pay(model, name, seats, cred, q, extra), exact)


def test_a_rep_on_course_for_a_strong_quarter_closes_early_deals(compose_params):
    model = model_at(compose_params, 0)  # a quarter's first week: 12 weeks still to sell
    st = model.seats
    seats = np.array([0, 1])
    q = st.quota[13][seats]
    st.credited[13][seats] = 0.0
    # on course for about 1.8 quotas by the quarter's end (and as much next quarter)
    st.expected_weekly_sales[seats] = 2.0 * q / 13
    values = 0.05 * q
    p_now = np.full(2, 0.5)
    held = hold_back(model, seats, values, p_now, 0.9 * p_now)
    assert not held.any()
    # priced at its sales so far (the quarter's bottom tier) the deal pays far less now
    name = next(iter(model.plan.components))
    at_credited = model.plan.component_pay(name, values, q)
    at_end = _now_pay(model, name, seats, np.zeros(2), q, values) - _now_pay(
        model, name, seats, np.zeros(2), q, np.zeros(2)
    )
    assert (at_end > 5 * at_credited).all()
