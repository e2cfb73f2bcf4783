"""Large organisations (issue 14, item 2).

10,000 reps and 1,250 managers for four simulated years keep every
accounting invariant; the invariant checks can fail; and the shortcuts that
make large organisations affordable (the managers' week for all teams at
once, ranks without scipy, a hire's or a leaver's own seat instead of every
seat) give what the full computation gives. Speed and memory are measured by
benchmarks/bench_scale.py, not here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import rankdata

from simulator.accounts import Accounts
from simulator.agents.manager import manage_week
from simulator.invariants import INVARIANTS, accounting_invariants
from simulator.model import SalesModel
from simulator.params import ParamError, SimParams, validate
from simulator.plans.payout import INDIVIDUAL
from simulator.run import run_one, with_overrides
from simulator.workforce import average_ranks

ALL_HOLD = {check.__name__: True for check in INVARIANTS}


@pytest.mark.slow
def test_ten_thousand_reps_for_four_years_keep_every_accounting_invariant():
    params = with_overrides(SimParams(), **{"org.n_reps": 10_000})
    assert params.run.warmup_years + params.run.years == 4
    result = run_one(params, 0)
    assert accounting_invariants(result) == ALL_HOLD
    weekly, deals = result.tables["weekly"], result.tables["deals"]
    assert result.tables["managers"]["manager_id"].nunique() == 1_250
    assert weekly["hires"].sum() > 1_000 and weekly["exits_voluntary"].sum() > 1_000
    assert weekly["exits_involuntary"].sum() > 0
    assert deals["won"].any() and (~deals["won"]).any() and deals["rushed"].any()


def test_the_cap_is_twenty_thousand_seats():
    validate(with_overrides(SimParams(), **{"org.n_reps": 20_000}))
    with pytest.raises(ParamError, match="org.n_reps = 20001: must be between 1 and 20000"):
        validate(with_overrides(SimParams(), **{"org.n_reps": 20_001}))


def test_each_invariant_check_fails_on_tables_that_do_not_add_up():
    result = run_one(with_overrides(SimParams(), **{"org.n_reps": 16, "run.years": 1}), 4)
    assert accounting_invariants(result) == ALL_HOLD
    tables = result.tables
    won = tables["deals"].index[tables["deals"]["won"]][0]
    tables["deals"].loc[won, "price"] += 1.0
    tables["weekly"].loc[3, "hires"] += 1
    tables["reps"].loc[0, "pay_bonus"] += 1.0
    failed = {name for name, ok in accounting_invariants(result).items() if not ok}
    assert failed == {
        "revenue_is_won_deals",
        "credited_sales_are_won_deals",
        "headcount_flows_add_up",
        "pay_adds_up",
    }


@given(
    arrays(np.float64, st.integers(1, 40), elements=st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.5])),
    st.data(),
)
@settings(max_examples=200, deadline=None)
def test_average_ranks_are_scipys_to_the_bit_in_each_group(values, data):
    groups = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=values.size, max_size=values.size))
    )
    ranks = average_ranks(values, groups)
    for g in np.unique(groups):
        assert ranks[groups == g].tobytes() == rankdata(values[groups == g]).tobytes()


def test_average_ranks_of_a_nan_are_all_nan_in_its_group_as_scipys():
    values = np.array([0.3, np.nan, 0.1, 0.2, 0.7])
    ranks = average_ranks(values, np.array([0, 0, 0, 1, 1]))
    assert np.isnan(ranks[:3]).all() and np.isnan(rankdata(values[:3])).all()
    assert ranks[3:].tolist() == [1.0, 2.0]


def stepped(weeks: int, **overrides) -> SalesModel:
    """A small organisation with vacancies, stepped ``weeks`` weeks."""
    params = with_overrides(
        SimParams(), **{"org.n_reps": 40, "rep.quit_per_year": 0.8, **overrides}
    )
    model = SalesModel(params, 2)
    for _ in range(weeks):
        model.step()
    assert not model.seats.occupied.all()
    return model


@pytest.mark.parametrize("policy", ["equal", "bottom_first", "new_first"])
def test_every_managers_week_adds_up_and_coaching_goes_to_its_own_reps(policy):
    model = stepped(30, **{"manager.coaching_policy": policy, "org.span_of_control": 7})
    manage_week(model)  # on this week's seats (the step's quits and hires came after it)
    mp, st = model.params.manager, model.seats
    np.testing.assert_allclose(model.manager_hours.sum(axis=1), mp.hours_per_week, rtol=1e-12)
    assert (model.manager_hours >= 0).all()
    n_teams = math.ceil(40 / 7)
    coached = np.bincount(st.team, model.coach_hours, minlength=n_teams)
    has_reps = np.bincount(st.team[st.occupied], minlength=n_teams) > 0
    coaching = model.manager_hours[:, 5]
    np.testing.assert_allclose(coached[has_reps], coaching[has_reps], rtol=1e-12)
    assert (model.coach_hours[~st.occupied] == 0).all()
    progress = [m.hiring_progress for m in model.managers]
    assert all(0.0 <= p <= 1.0 for p in progress)


def test_tenure_of_some_seats_is_theirs_among_all():
    model = stepped(30)
    seats = np.array([0, 5, 17, 39])
    every = model.seats.tenure_weeks(model.week)
    np.testing.assert_array_equal(model.seats.tenure_weeks(model.week, seats), every[seats])


@pytest.mark.parametrize("cumulative", [False, True])
def test_a_leavers_pay_on_its_own_seat_is_what_paying_everyone_gives_it(cumulative):
    model = stepped(20, **{"plan.commission.cumulative": cumulative})
    st = model.seats
    seat = int(np.flatnonzero(st.occupied & (st.credited[13] > 0))[0])
    paid_before = st.paid_ytd.copy()
    own = model._payouts(list(st.periods), only=INDIVIDUAL, seats=np.array([seat]))
    changed = np.flatnonzero(st.paid_ytd != paid_before)
    assert set(changed) <= {seat}
    st.paid_ytd[:] = paid_before
    everyone = model._payouts(list(st.periods), only=INDIVIDUAL)
    assert own.keys() == everyone.keys() and own
    others = np.arange(st.n) != seat
    for column in own:
        assert own[column][seat] == everyone[column][seat]
        assert (own[column][others] == 0).all()
    assert own["commission"][seat] > 0


def test_a_weeks_hires_change_rep_at_once_as_one_by_one():
    together, one_by_one = (Accounts(SimParams(), 12, np.random.default_rng(3)) for _ in range(2))
    together.trust[: together.n] = one_by_one.trust[: one_by_one.n] = np.linspace(0, 1, together.n)
    hired = np.array([1, 4, 11])
    together.change_rep(hired, 30)
    for seat in hired:
        one_by_one.change_rep(int(seat), 30)
    assert together.trust.tobytes() == one_by_one.trust.tobytes()
    np.testing.assert_array_equal(together.rep_changed_week, one_by_one.rep_changed_week)
    changed = np.isin(together.seat[: together.n], hired)
    assert (together.trust[: together.n] != np.linspace(0, 1, together.n))[changed].any()
    np.testing.assert_array_equal(
        together.trust[: together.n][~changed], np.linspace(0, 1, together.n)[~changed]
    )
