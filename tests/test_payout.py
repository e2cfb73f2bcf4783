"""Payout: the pure functions of a plan, by hand-worked examples and by property."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simulator.params import (
    PERIOD_WEEKS,
    WEEKS_PER_YEAR,
    ParamError,
    PlanParams,
    SimParams,
    validate,
)
from simulator.plans.payout import (
    Commission,
    PayState,
    Plan,
    QuotaBonus,
    attainment,
    compile_plan,
    earnings_curve,
    period_payout,
)

DEFAULT = compile_plan(PlanParams())


def make_plan(
    tier_starts=(0.0,),
    tier_rates=(1.0,),
    cap=0.0,
    thresholds=(1.0,),
    amounts=(0.3,),
    weight=0.7,
    commission_period="quarter",
    bonus_period="quarter",
    target_variable=75_000.0,
) -> Plan:
    """A validated, compiled plan from the values that matter here."""
    base = PlanParams()
    plan = dataclasses.replace(
        base,
        target_variable=target_variable,
        commission=dataclasses.replace(
            base.commission,
            period=commission_period,
            weight=weight,
            tier_starts=list(tier_starts),
            tier_rates=list(tier_rates),
            cap=cap,
        ),
        bonus=dataclasses.replace(
            base.bonus, period=bonus_period, thresholds=list(thresholds), amounts=list(amounts)
        ),
    )
    validate(dataclasses.replace(SimParams(), plan=plan))
    return compile_plan(plan)


def total_pay(plan: Plan, credited: np.ndarray, quota: float) -> np.ndarray:
    """Variable pay of one period of every component, at the same attainment."""
    credited = np.asarray(credited, float)
    return sum(
        (
            plan.component_pay(name, credited, np.full(credited.shape, quota))
            for name in plan.components
        ),
        np.zeros(credited.shape),
    )


# -- hand-worked examples --------------------------------------------------------


def test_default_plan_pays_the_target_variable_at_quota():
    quarter_target = 75_000.0 * 13 / WEEKS_PER_YEAR
    assert DEFAULT.period_target("commission") == pytest.approx(quarter_target)
    pay = total_pay(DEFAULT, np.array([250_000.0]), 250_000.0)
    assert pay[0] == pytest.approx(quarter_target, rel=1e-12)
    curve = earnings_curve(DEFAULT, np.array([1.0]))
    assert sum(v[0] for v in curve.values()) == pytest.approx(75_000.0 + 75_000.0, rel=1e-12)


def test_tiered_commission_by_hand():
    plan = make_plan(tier_starts=(0.0, 0.5, 1.0), tier_rates=(0.5, 1.0, 2.0), cap=1.5, weight=0.7)
    shape = plan.components["commission"].shape
    # 0.5 * 0.5 + 0.5 * 1.0 = 0.75 at quota, plus 2.0 per unit above, up to the cap at 1.5
    np.testing.assert_allclose(
        shape(np.array([0.0, 0.25, 0.5, 1.0, 1.25, 1.5, 3.0])),
        0.7 * np.array([0.0, 0.125, 0.25, 0.75, 1.25, 1.75, 1.75]),
        rtol=1e-12,
    )


def test_bonus_pays_exactly_from_each_threshold():
    plan = make_plan(thresholds=(1.0, 1.2), amounts=(0.3, 0.2))
    shape = plan.components["bonus"].shape
    below = np.nextafter(np.array([1.0, 1.2]), 0.0)
    np.testing.assert_array_equal(shape(np.array([1.0, 1.2])), [0.3, 0.5])
    np.testing.assert_array_equal(shape(below), [0.0, 0.3])
    np.testing.assert_array_equal(shape(np.array([0.0, 5.0])), [0.0, 0.5])


def test_zero_quota_means_zero_attainment():
    np.testing.assert_array_equal(
        attainment(np.array([0.0, 5.0, 5.0]), np.array([0.0, 0.0, 2.0])), [0.0, 0.0, 2.5]
    )


def test_period_payout_returns_only_the_components_of_that_period():
    plan = make_plan(commission_period="month", bonus_period="year")
    states = {w: PayState(np.array([10.0]), np.array([10.0])) for w in (4, 13, 52)}
    assert set(period_payout(plan, states, 4)) == {"commission"}
    assert set(period_payout(plan, states, 52)) == {"bonus"}
    assert period_payout(plan, states, 13) == {}
    assert plan.periods == (4, 52)


def test_a_plan_without_variable_components_pays_only_base():
    plan = make_plan(weight=0.0, amounts=(0.0,))
    assert plan.components == {}
    curve = earnings_curve(plan, np.array([0.0, 1.0, 3.0]))
    assert set(curve) == {"base"}
    np.testing.assert_array_equal(curve["base"], 75_000.0)


def test_cap_below_bonus_threshold_is_rejected():
    with pytest.raises(ParamError, match="plan.commission.cap"):
        make_plan(cap=0.9, thresholds=(1.0,))


# -- properties ------------------------------------------------------------------


@st.composite
def plans(draw) -> Plan:
    """Any valid plan: up to four tiers, optional cap, up to three bonus thresholds."""
    n_tiers = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.floats(0.05, 1.0), min_size=n_tiers - 1, max_size=n_tiers - 1))
    starts = np.concatenate([[0.0], np.cumsum(gaps)]).round(6).tolist()
    rates = draw(st.lists(st.floats(0.0, 5.0), min_size=n_tiers, max_size=n_tiers))
    n_bonus = draw(st.integers(0, 3))
    steps = draw(st.lists(st.floats(0.05, 0.8), min_size=n_bonus, max_size=n_bonus))
    thresholds = (0.5 + np.cumsum(steps)).round(6).tolist()
    amounts = draw(st.lists(st.floats(0.0, 1.0), min_size=n_bonus, max_size=n_bonus))
    cap = draw(st.one_of(st.just(0.0), st.floats(max(thresholds, default=0.1), 6.0)))
    periods = st.sampled_from(tuple(PERIOD_WEEKS))
    return make_plan(
        tier_starts=starts,
        tier_rates=rates,
        cap=cap,
        thresholds=thresholds,
        amounts=amounts,
        weight=draw(st.floats(0.0, 1.0)),
        commission_period=draw(periods),
        bonus_period=draw(periods),
    )


sales = st.floats(0.0, 5e6)
quotas = st.one_of(st.just(0.0), st.floats(1.0, 2e6))  # currency: no subnormal quotas


@given(plan=plans(), credited=sales, quota=quotas)
@settings(max_examples=150, deadline=None)
def test_pay_is_never_negative(plan, credited, quota):
    for name in plan.components:
        assert plan.component_pay(name, np.array([credited]), np.array([quota]))[0] >= 0.0


@given(plan=plans(), a=sales, b=sales, quota=quotas)
@settings(max_examples=150, deadline=None)
def test_pay_never_falls_with_more_credited_sales(plan, a, b, quota):
    low, high = sorted((a, b))
    pay = total_pay(plan, np.array([low, high]), quota)
    assert pay[1] >= pay[0]


@given(plan=plans(), beyond=st.floats(0.0, 10.0))
@settings(max_examples=150, deadline=None)
def test_commission_pays_nothing_beyond_the_cap(plan, beyond):
    assume("commission" in plan.components)
    comm = plan.components["commission"]
    assume(np.isfinite(comm.cap))
    at_cap = comm.shape(np.array([comm.cap]))
    assert comm.shape(np.array([comm.cap + beyond]))[0] == at_cap[0]


@given(plan=plans())
@settings(max_examples=150, deadline=None)
def test_bonus_steps_by_exactly_its_amount_at_each_threshold(plan):
    assume("bonus" in plan.components)
    bonus = plan.components["bonus"]
    below = bonus.shape(np.nextafter(bonus.thresholds, 0.0))
    at = bonus.shape(bonus.thresholds)
    np.testing.assert_allclose(at - below, bonus.amounts, rtol=1e-12, atol=1e-15)


@given(plan=plans(), a=st.floats(0.0, 8.0), h=st.floats(1e-9, 1e-3))
@settings(max_examples=150, deadline=None)
def test_commission_is_continuous_in_attainment(plan, a, h):
    """Tiers join up: a small step in attainment moves commission by at most rate times step."""
    assume("commission" in plan.components)
    comm = plan.components["commission"]
    steep = comm.weight * float(comm.rates.max())
    jump = comm.shape(np.array([a + h]))[0] - comm.shape(np.array([a]))[0]
    assert 0.0 <= jump <= steep * h * (1 + 1e-9) + 1e-12
    left = comm.shape(np.nextafter(comm.starts, 0.0))
    np.testing.assert_allclose(left, comm.shape(comm.starts), rtol=1e-9, atol=1e-12)


@given(
    plan=plans(),
    att=st.lists(st.floats(0.0, 4.0), min_size=1, max_size=5),
    annual_quota=st.floats(1e3, 1e8),
)
@settings(max_examples=100, deadline=None)
def test_earnings_curve_is_component_pay_times_periods(plan, att, annual_quota):
    att = np.array(att)
    curve = earnings_curve(plan, att, annual_quota)
    assert set(curve) == {"base", *plan.components}
    np.testing.assert_array_equal(curve["base"], plan.base_salary)
    for name, comp in plan.components.items():
        q = annual_quota * comp.period_weeks / WEEKS_PER_YEAR
        expected = (WEEKS_PER_YEAR // comp.period_weeks) * plan.component_pay(
            name, att * q, np.full(att.shape, q)
        )
        np.testing.assert_allclose(curve[name], expected, rtol=1e-12)
        shape = comp.shape(att) * plan.target_variable * comp.period_weeks / WEEKS_PER_YEAR
        np.testing.assert_allclose(
            curve[name], (WEEKS_PER_YEAR // comp.period_weeks) * shape, rtol=1e-9, atol=1e-6
        )


@given(
    weight=st.floats(0.0, 1.0),
    period=st.sampled_from(tuple(PERIOD_WEEKS)),
    target=st.floats(1e3, 1e6),
)
@settings(max_examples=50, deadline=None)
def test_linear_plan_pays_its_weight_of_target_at_quota_in_any_period(weight, period, target):
    plan = make_plan(
        weight=weight,
        amounts=(1.0 - weight,),
        commission_period=period,
        bonus_period=period,
        target_variable=target,
    )
    pay = total_pay(plan, np.array([4.0e5]), 4.0e5)[0]
    assert pay == pytest.approx(target * PERIOD_WEEKS[period] / WEEKS_PER_YEAR, rel=1e-9)


def test_shapes_accept_scalars_and_arrays_alike():
    comm = Commission(13, 0.7, np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.inf)
    bonus = QuotaBonus(13, np.array([1.0, 1.2]), np.array([0.3, 0.2]))
    grid = np.array([[0.5, 1.1], [1.3, 0.0]])
    assert comm.shape(grid).shape == bonus.shape(grid).shape == (2, 2)
    assert float(comm.shape(np.array(1.5))) == pytest.approx(0.7 * 2.0)
    assert float(bonus.shape(np.array(1.5))) == pytest.approx(0.5)
