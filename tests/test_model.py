"""The whole model: reproducibility, accounting invariants and documented directions.

Direction tests pair an arm with the default organisation on the same seeds
(common random numbers), take the mean paired difference and its standard
error, and assert the documented sign with a margin of two standard errors.
The comment above each test gives the effect and SE measured (at commit de2b57f)
on the test's own seeds and on independent seeds (5000-5031, or 5000-5015 for
the tiny organisation); the independent ones set the number of replications so
that the expected margin is about four standard errors or more.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.learning import update_skill
from simulator.model import SalesModel
from simulator.params import SimParams
from simulator.run import run_one, with_overrides
from simulator.workforce import Seats, quit_probability

#: a small organisation for tests whose effect survives at this size
TINY = {"org.n_reps": 16, "run.years": 1}
#: paired seeds of the default-size direction tests (the default arm is shared)
SEEDS = range(16)
#: paired seeds of direction tests whose effect survives a tiny organisation
TINY_SEEDS = range(4)


# -- reproducibility -----------------------------------------------------------


@pytest.fixture(scope="module")
def twin_runs():
    """The default organisation run twice with one seed, and once with the next."""
    return run_one(SimParams(), 7), run_one(SimParams(), 7), run_one(SimParams(), 8)


def test_same_seed_gives_bit_identical_tables_and_summary(twin_runs):
    a, b, _ = twin_runs
    assert set(a.tables) == set(b.tables) == {"weekly", "reps", "managers", "hires", "deals"}
    for name in a.tables:
        assert len(a.tables[name]) > 0, name
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    np.testing.assert_equal(a.summary, b.summary)  # NaN equals NaN here, nothing else is lax


def test_different_seeds_differ(twin_runs):
    a, _, c = twin_runs
    assert not a.tables["weekly"]["bookings"].equals(c.tables["weekly"]["bookings"])
    assert not a.tables["deals"].equals(c.tables["deals"])
    assert a.summary["revenue"] != c.summary["revenue"]


def test_seed_zero_is_a_seed_and_the_default():
    params = with_overrides(SimParams(), **TINY)
    zero, zero_again, default, one = (
        run_one(params, 0),
        run_one(params, 0),
        run_one(params),
        run_one(params, 1),
    )
    for name in zero.tables:
        pd.testing.assert_frame_equal(zero.tables[name], zero_again.tables[name], check_exact=True)
        pd.testing.assert_frame_equal(zero.tables[name], default.tables[name], check_exact=True)
    assert not zero.tables["deals"].equals(one.tables["deals"])
    assert zero.summary["revenue"] != one.summary["revenue"]


def test_named_streams_are_independent():
    params = with_overrides(SimParams(), **TINY)
    a, b = SalesModel(params, 3), SalesModel(params, 3)
    # a run alone has one generator per stream (a batch, one per replication)
    b.rng_people.generators[0].random(10_000)  # draws from two streams ...
    b.rng_init.generators[0].standard_normal(777)
    seats = np.zeros(100, np.intp)
    np.testing.assert_array_equal(a.rng_pipeline.random(seats), b.rng_pipeline.random(seats))
    # ... and the streams are distinct sequences, not copies of one another
    fresh = SalesModel(params, 3)
    streams = ("rng_init", "rng_pipeline", "rng_people")
    firsts = {tuple(getattr(fresh, s).random(seats[:4])) for s in streams}
    assert len(firsts) == 3


def test_people_parameters_leave_the_initial_organisation_identical():
    """Hiring and quitting draw from the people stream: territories at week 0 are untouched."""
    params = with_overrides(SimParams(), **TINY)
    people = with_overrides(params, **{"hiring.time_to_fill_weeks": 2.0, "rep.quit_per_year": 0.6})
    a, b = SalesModel(params, 5), SalesModel(people, 5)
    n = a.accounts.n
    assert n == b.accounts.n
    for name in ("seat", "segment", "potential", "trust"):
        np.testing.assert_array_equal(getattr(a.accounts, name)[:n], getattr(b.accounts, name)[:n])
    np.testing.assert_array_equal(a.accounts.territory_quality, b.accounts.territory_quality)
    for name in ("skill", "aptitude", "hired_week", "quota_annual"):
        np.testing.assert_array_equal(getattr(a.seats, name), getattr(b.seats, name))
    assert [m.coaching_quality for m in a.managers] == [m.coaching_quality for m in b.managers]
    # the change does act, through the people stream, once the run goes on
    ra, rb = run_one(params, 5), run_one(people, 5)
    week0 = [r.tables["deals"].query("week == 0").reset_index(drop=True) for r in (ra, rb)]
    pd.testing.assert_frame_equal(*week0, check_exact=True)
    assert not ra.tables["hires"].equals(rb.tables["hires"])


def test_runs_leave_global_random_state_alone():
    # the legacy global generator is exactly what must stay untouched
    py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    run_one(with_overrides(SimParams(), **TINY), 2)
    assert random.getstate() == py_state
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == np_state[0] and after[2:] == np_state[2:]
    np.testing.assert_array_equal(after[1], np_state[1])


# -- accounting invariants -----------------------------------------------------

#: a plan that exercises monthly payouts, tiers, a cap and a yearly bonus
MONTHLY_PLAN = {
    "plan.commission.period": "month",
    "plan.commission.tier_starts": [0.0, 0.5, 1.0],
    "plan.commission.tier_rates": [0.5, 1.0, 2.0],
    "plan.commission.cap": 2.5,
    "plan.bonus.period": "year",
    "plan.bonus.thresholds": [1.0, 1.2],
    "plan.bonus.amounts": [0.1, 0.1],
}


@pytest.fixture(scope="module", params=["default", "monthly_plan"])
def accounting_run(request):
    overrides = {} if request.param == "default" else MONTHLY_PLAN
    return run_one(with_overrides(SimParams(), **overrides), 11)


def test_revenue_is_the_sum_of_won_deals(accounting_run):
    weekly, deals = accounting_run.tables["weekly"], accounting_run.tables["deals"]
    assert deals["won"].any() and (~deals["won"]).any()
    assert weekly["bookings"].sum() == pytest.approx(deals["price"].sum(), rel=1e-12)
    by_week = deals.groupby("week")["price"].sum().reindex(weekly["week"], fill_value=0.0)
    np.testing.assert_allclose(weekly["bookings"], by_week, rtol=1e-12, atol=1e-6)
    counts = deals.groupby("week")[["won", "rushed"]].sum().reindex(weekly["week"], fill_value=0)
    np.testing.assert_array_equal(weekly["deals_won"], counts["won"])
    np.testing.assert_array_equal(weekly["deals_rushed"], counts["rushed"])
    discounts = deals.groupby("week")["discount"].sum().reindex(weekly["week"], fill_value=0.0)
    np.testing.assert_allclose(weekly["discounts"], discounts, rtol=1e-12, atol=1e-6)


def test_credited_sales_are_the_won_deals_of_each_rep(accounting_run):
    """Every won deal in an occupied seat is credited to its rep; vacant seats' are not."""
    reps, deals = accounting_run.tables["reps"], accounting_run.tables["deals"]
    won = deals[deals["won"]]
    by_deals = won[won["rep_id"] >= 0].groupby("rep_id")["price"].sum()
    credited = reps.groupby("rep_id")["credited_sales"].sum()
    credited = credited[credited > 0]
    assert set(credited.index) == set(by_deals.index)
    np.testing.assert_allclose(credited.sort_index(), by_deals.sort_index(), rtol=1e-9)
    covered = won.loc[won["rep_id"] < 0, "price"].sum()  # sold by managers covering vacancies
    assert reps["credited_sales"].sum() + covered == pytest.approx(won["price"].sum(), rel=1e-12)


def test_lost_deals_pay_nothing_and_only_rushed_wins_are_discounted(accounting_run):
    deals = accounting_run.tables["deals"]
    rate = accounting_run.params.buyer.rush_discount
    lost = deals[~deals["won"]]
    assert (lost["price"] == 0).all() and (lost["discount"] == 0).all()
    assert (deals.loc[~deals["rushed"], "discount"] == 0).all()
    rushed_won = deals[deals["rushed"] & deals["won"]]
    assert len(rushed_won) > 0 and (deals["price"] >= 0).all()
    list_price = rushed_won["price"] + rushed_won["discount"]
    np.testing.assert_allclose(rushed_won["discount"], rate * list_price, rtol=1e-12)


def test_headcount_flows_add_up(accounting_run):
    weekly, hires, reps = (accounting_run.tables[k] for k in ("weekly", "hires", "reps"))
    n_reps = accounting_run.params.org.n_reps
    flow = weekly["hires"] - weekly["exits_voluntary"] - weekly["exits_involuntary"]
    np.testing.assert_array_equal(weekly["headcount"], n_reps + flow.cumsum())
    np.testing.assert_array_equal(weekly["headcount"] + weekly["vacancies"], n_reps)
    assert hires["initial"].sum() == n_reps
    assert (~hires["initial"]).sum() == weekly["hires"].sum() > 0
    for kind in ("voluntary", "involuntary"):
        total = weekly[f"exits_{kind}"].sum()
        assert (hires["exit_kind"] == kind).sum() == total > 0, kind
        assert (reps["exit_kind"] == kind).sum() == total, kind
    assert reps.loc[reps["exit"], "rep_id"].is_unique


def test_pay_total_is_the_sum_of_its_components(accounting_run):
    reps = accounting_run.tables["reps"]
    np.testing.assert_array_equal(
        reps["pay_total"], reps["pay_base"] + reps["pay_commission"] + reps["pay_bonus"]
    )
    assert (reps[["pay_base", "pay_commission", "pay_bonus"]] >= 0).all().all()


def test_comp_cost_equals_the_pay_in_the_rep_table(accounting_run):
    weekly, reps = accounting_run.tables["weekly"], accounting_run.tables["reps"]
    assert weekly["comp_cost"].sum() == pytest.approx(reps["pay_total"].sum(), rel=1e-12)


# -- the quit hazard and skill rules on hand-built seats --------------------------


def hand_built_seats(n: int, week: int = 104, tenure_weeks: int = 52, **overrides) -> Seats:
    """``n`` identical occupied seats, as the model would hold them at ``week``."""
    seats = Seats(with_overrides(SimParams(), **overrides), n, (13,))
    for seat in range(n):
        seats.fill(seat, seat, week, skill=0.5, aptitude=1.0, tenure_weeks=tenure_weeks)
    seats.cache_tenure(week)
    return seats


def test_quit_hazard_rises_as_morale_falls():
    seats = hand_built_seats(11)
    seats.morale[:] = np.linspace(0.0, 1.0, 11)
    p = quit_probability(seats, 104)
    assert np.all(np.diff(p) < 0), p
    assert np.all((p > 0) & (p < 1))
    flat = hand_built_seats(11, **{"rep.quit_morale_effect": 0.0})
    flat.morale[:] = np.linspace(0.0, 1.0, 11)
    p_flat = quit_probability(flat, 104)
    np.testing.assert_allclose(p_flat, p_flat[0], rtol=1e-12)  # switched off: morale irrelevant


@given(
    morale=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    coached=st.floats(0.0, 5.0),
    misses=st.integers(0, 8),
    attainment=st.floats(0.0, 3.0),
    pay=st.floats(0.0, 300_000.0),
)
@settings(max_examples=60, deadline=None)
def test_quit_hazard_never_falls_with_lower_morale(morale, coached, misses, attainment, pay):
    seats = hand_built_seats(2)
    seats.morale[:] = sorted(morale)
    seats.coach_ema[:] = coached
    seats.miss_streak[:] = misses
    seats.last_attainment[:] = attainment
    seats.pay_annual[:] = pay
    p = quit_probability(seats, 104)
    assert 0.0 <= p[1] <= p[0] <= 1.0


@pytest.mark.parametrize(
    ("attribute", "low", "high", "sign"),
    [
        ("coach_ema", 0.0, 2.0, -1),  # coaching received lowers the hazard
        ("miss_streak", 0, 3, +1),  # repeated missed quotas raise it
        ("pay_annual", 150_000.0, 60_000.0, +1),  # pay below the outside option raises it
    ],
)
def test_quit_hazard_follows_its_drivers(attribute, low, high, sign):
    seats = hand_built_seats(2)
    getattr(seats, attribute)[:] = [low, high]
    p = quit_probability(seats, 104)
    assert sign * (p[1] - p[0]) > 0, p


def test_quit_hazard_falls_with_tenure_and_is_zero_in_vacant_seats():
    seats = hand_built_seats(2)
    seats.fill(1, 1, 104, skill=0.5, aptitude=1.0, tenure_weeks=260)
    seats.cache_tenure(104)
    p = quit_probability(seats, 104)
    assert p[1] < p[0]
    seats.vacate(0, 104)
    seats.cache_tenure(104)
    assert quit_probability(seats, 104)[0] == 0.0


def test_help_from_stronger_peers_raises_skill_only_when_switched_on():
    def skill_after(helping_effect: float, helpers_skill: float) -> float:
        seats = hand_built_seats(1, **{"rep.helping_effect": helping_effect})
        seats.skill[:] = 0.3
        update_skill(
            seats,
            104,
            np.ones(1),
            np.zeros(1),
            np.zeros(1),
            help_received=np.array([3.0]),
            help_skill=np.array([helpers_skill]),
        )
        return float(seats.skill[0])

    default = SimParams().rep.helping_effect
    assert skill_after(default, 0.8) > skill_after(0.0, 0.8)
    assert skill_after(default, 0.2) == skill_after(0.0, 0.2)  # weaker helpers teach nothing


# -- documented directions over paired replications ------------------------------


@pytest.fixture(scope="module")
def base(replicate):
    return replicate(SEEDS)


@pytest.fixture(scope="module")
def tiny_base(replicate):
    return replicate(TINY_SEEDS, **TINY)


# coaching_share 0.2 -> 0.05 (less coaching), n=16. Mean paired difference (SE) at the
# 2026-12-05 (e) defaults:
# seeds 0-15: coaching h/rep/month -3.83 (0.079), revenue_vs_target -0.118 (0.032),
#   turnover_total +0.096 (0.015), attainment_mean -0.035 (0.028);
# seeds 5000-5031: coaching -3.93 (0.049), revenue_vs_target -0.109 (0.020),
#   turnover_total +0.112 (0.011), attainment_mean -0.090 (0.019).
# Before white space bounded expansion (issue 11) n=8 showed attainment -0.265 (0.059):
# coaching then compounded on a rep's installed base.
@pytest.fixture(scope="module")
def less_coaching(replicate):
    return replicate(SEEDS, **{"manager.coaching_share": 0.05})


def test_more_coaching_raises_revenue_and_lowers_turnover(base, less_coaching, direction):
    direction(base, less_coaching, "coaching_hours_per_rep_month", -1)
    direction(base, less_coaching, "revenue_vs_target", -1)
    direction(base, less_coaching, "turnover_total", +1)


# Mean attainment (reps who held a seat all year) is the noisiest of these: the extra
# leavers are the weaker reps. At the 2026-12-05 (e) defaults: seeds 0-15 -0.035 (SE 0.028),
# seeds 5000-5031 -0.090 (0.019); a paired seed's sd is about 0.11, so showing a loss of
# about 0.06 at 2 standard errors needs about 32 seeds (make validate's SEC finding,
# +0.15 points [0.10, 0.20] at n=20 paired on the coaching experiment, shows it too).
ATTAINMENT_SEEDS = range(32)


def test_more_coaching_raises_attainment(replicate, direction):
    base = replicate(ATTAINMENT_SEEDS)
    less = replicate(ATTAINMENT_SEEDS, **{"manager.coaching_share": 0.05})
    direction(base, less, "attainment_mean", -1)


# admin_share 0.35 -> 0.55 (the most the other fixed shares leave), n=16. Mean paired
# difference (SE) at the fitted defaults of issue 11 (white space bounding expansion):
# seeds 0-15: coaching h/rep/month -2.84 (0.14), revenue_vs_target -0.034 (0.016),
#   turnover_total +0.077 (0.020), attainment_mean -0.009 (0.021);
# seeds 5000-5031: coaching h/rep/month -2.68 (0.085), revenue_vs_target -0.047 (0.012),
#   turnover_total +0.066 (0.012), attainment_mean -0.034 (0.015).
# Mean attainment (reps who held a seat all year) is the noisiest of these, because the
# extra leavers are the weaker reps.
@pytest.fixture(scope="module")
def heavy_admin(replicate):
    return replicate(SEEDS, **{"manager.admin_share": 0.55})


def test_more_admin_load_lowers_coaching(base, heavy_admin, direction):
    direction(base, heavy_admin, "coaching_hours_per_rep_month", -1)


def test_more_admin_load_lowers_retention(base, heavy_admin, direction):
    direction(base, heavy_admin, "turnover_total", +1)


# Revenue against target at the 2026-12-05 (f) defaults: -0.031 (SE 0.029) on seeds 0-15,
# -0.086 (0.032) on seeds 0-31, -0.071 (0.019) on seeds 5000-5031 (at (e): -0.057 (0.029)
# on seeds 0-15, -0.032 (0.020) on 5000-5031). A loss of 0.03-0.09 with a paired seed's sd
# of about 0.12-0.18 needs 32 seeds to show at 2 standard errors. make validate's fact 8
# passes on its own measure (coaching hours per rep-month -2.8 [-3.0, -2.6] at n=30).
def test_more_admin_load_lowers_revenue(replicate, direction):
    base = replicate(ATTAINMENT_SEEDS)
    heavy = replicate(ATTAINMENT_SEEDS, **{"manager.admin_share": 0.55})
    direction(base, heavy, "revenue_vs_target", -1)


# Mean attainment at the 2026-12-05 (f) defaults: -0.048 (SE 0.032) on seeds 0-15, -0.052
# (0.026) on seeds 0-31 (2.0 standard errors), -0.065 (0.021) on seeds 5000-5031 (at (e):
# -0.042 (0.028) and -0.025 (0.018)): the loss is there, small. It was a strict xfail until
# it passed on seeds 0-15 at the (g) defaults (validate's 30 seeds still read it open).
# At the buyers-wait defaults (2026-12-06, l): -0.024 (0.024) on seeds 0-15, -0.027 (0.016)
# on 0-31, -0.035 (0.015) on 5000-5031; validate's 30 seeds -0.031 [-0.063, 0.0004]. The
# loss of revenue against target stays clear (-0.060, SE 0.010, on 0-31): a strict xfail again.
# At fit (s)'s defaults (2026-12-07; narrower account spend, so less noise): -0.056 (0.011)
# on 0-31, -0.059 (0.011) on 5000-5031, and it passes on 0-15: checked again.
def test_more_admin_load_lowers_attainment(base, heavy_admin, direction):
    direction(base, heavy_admin, "attainment_mean", -1)


# competitiveness 0.6 -> 0.7, n=16. Mean paired difference (SE):
# seeds 0-15: revenue +8.7e6 (1.3e6) on a base of 9.1e7, attainment_mean +0.059 (0.019);
# seeds 5000-5031: revenue +1.05e7 (1.4e6), attainment_mean +0.077 (0.015).
def test_a_more_competitive_offer_sells_more(base, replicate, direction):
    better = replicate(SEEDS, **{"market.competitiveness": 0.7})
    direction(base, better, "revenue", +1)
    direction(base, better, "attainment_mean", +1)


# incentive_response 1 -> 0 (effort from intrinsic motivation only), tiny org, n=4. Mean
# paired difference (SE) of weekly hours and of their sd over rep-quarters:
# seeds 0-3: -5.39 (0.59) and -3.31 (0.54); tiny seeds 5000-5015: -5.57 (0.32), -3.49 (0.19).
# The mechanism shown at its prior (1.0), so the check does not depend on the fitted size
# (a refit that tried a twentieth loss floor for levels put it at 0.14, where the spread of
# hours moves by -0.18, SE 0.16, n=4: too little to resolve in a tiny organisation).
def test_without_incentive_response_effort_is_lower_and_more_uniform(replicate, direction):
    responsive = replicate(TINY_SEEDS, **TINY, **{"rep.incentive_response": 1.0})
    fixed = replicate(TINY_SEEDS, **TINY, **{"rep.incentive_response": 0.0})
    direction(responsive, fixed, "effort_hours_mean", -1)
    direction(responsive, fixed, "effort_hours_sd", -1)


def test_without_deal_timing_no_deal_is_rushed_or_held(tiny_base, replicate):
    off = replicate(TINY_SEEDS[:2], **TINY, **{"rep.deal_timing_strength": 0.0})
    assert (tiny_base.loc[off.index, ["deals_rushed", "deals_held"]] > 0).all().all()
    assert (off[["deals_rushed", "deals_held", "discounts_total"]] == 0).all().all()
    assert (off["discount_share"] == 0).all()


def test_a_rep_with_no_pay_response_times_no_deal_unless_timing_ignores_it(replicate):
    fixed = {**TINY, "rep.incentive_response": 0.0}
    none = replicate(TINY_SEEDS[:2], **fixed)
    assert (none[["deals_rushed", "deals_held", "discounts_total"]] == 0).all().all()
    apart = replicate(TINY_SEEDS[:2], **fixed, **{"rep.timing_follows_response": False})
    assert (apart[["deals_rushed", "deals_held"]] > 0).all().all()


# Since buyers wait for the period's end (2026-12-06, l) they make the spike, and reps'
# timing thins it: a rep ahead of quota holds some of the last week's deals into the next
# quarter. Mean paired difference (SE) of end_of_period_share (default 0.214 on seeds 0-7,
# 0.233 on 5000-5031, against 2/13 = 0.154), n=8:
# period_end_patience 0.21 -> 0: seeds 0-7 -0.047 (0.013); seeds 5000-5031 -0.076 (0.0042);
# deal_timing_strength 1 -> 0: seeds 0-7 +0.051 (0.0086); seeds 5000-5031 +0.032 (0.0046).
# (Before them, the spike came from reps' timing: strength 1 -> 0 gave -0.080 (0.0099), and
# before de2b57f the defaults showed no spike, 0.162.)
# Since timing follows the incentive response (0.57 at fit (s)), a rep acts on a timing gain
# with chance 0.85 x 0.57 and the thinning is small at the defaults: strength 0.85 -> 0 at
# plan (ad)'s defaults +0.013 (0.010) on seeds 0-7, +0.0076 (0.0053) on 5000-5031. So the
# timing check reads the mechanism with timing apart from the response (chance 0.85):
# +0.035 (0.012) on seeds 0-7, +0.026 (0.0044) on 5000-5031, so about +0.026 (0.0062) at
# n=16, 4 standard errors.
TIMING_APART = {"rep.timing_follows_response": False}


def test_without_waiting_buyers_the_end_of_period_spike_is_lower(replicate, direction):
    base8 = replicate(SEEDS[:8])
    off = replicate(SEEDS[:8], **{"buyer.period_end_patience": 0.0})
    direction(base8, off, "end_of_period_share", -1)


def test_reps_who_hold_deals_thin_the_buyers_spike(replicate, direction):
    timing = replicate(SEEDS, **TIMING_APART)
    off = replicate(SEEDS, **TIMING_APART, **{"rep.deal_timing_strength": 0.0})
    direction(timing, off, "end_of_period_share", +1)


# Before the fix in 378a20c, prospecting on won accounts still opened expansion-sized deals
# with expansion_per_year = 0 (5641 of them in default-size seed 0, revenue unchanged).
def test_without_land_and_expand_there_are_no_expansion_deals(tiny_base, replicate):
    off = replicate(TINY_SEEDS[:2], **TINY, **{"buyer.expansion_per_year": 0.0})
    assert (tiny_base.loc[off.index, "deals_expansion"] > 0).all()
    assert (off["deals_expansion"] == 0).all()


def test_without_performance_management_there_are_no_involuntary_exits(base, replicate):
    off = replicate(SEEDS[:2], **{"performance.exit_strength": 0.0})
    assert base["exits_involuntary"].sum() > 0
    assert (off["exits_involuntary"] == 0).all()
    assert (off["turnover_involuntary"] == 0).all()


# cover_hours_per_vacancy 4 -> 0, n=8: the freed hours go to coaching. Mean paired
# difference (SE) of coaching h/rep/month: seeds 0-7 +0.281 (0.030); seeds 5000-5031
# +0.264 (0.016).
def test_without_covering_managers_sell_nothing_and_coach_more(replicate, direction):
    base8 = replicate(SEEDS[:8])
    off = replicate(SEEDS[:8], **{"manager.cover_hours_per_vacancy": 0.0})
    assert (base8["manager_hours_covering"] > 0).all()
    assert (off["manager_hours_covering"] == 0).all()
    direction(base8, off, "coaching_hours_per_rep_month", +1)


# quality_sigma (fitted) -> 0 (equal territories): territory luck spreads bookings (n=64:
# top-20% share -0.0197 (SE 0.0049) at seeds 0-63, -0.0113 (0.0048) at seeds 5000-5063,
# at the 2026-12-06 defaults with prorated targets; seeds 0-31 alone -0.0118 (0.0072)),
# and attainment where quotas do not follow it. At the 2026-12-05 defaults quotas follow
# each territory's potential (quota.potential_weight 0.73), which absorbs its luck: the
# attainment sd moves +0.036 (SE 0.024) at seeds 0-31, so attainment is checked under
# equal quotas on mixed territories (as at the 2026-12-03 defaults, -0.099 (0.026) then):
# sd of annual attainment -0.56 (0.19) at seeds 0-15, -0.31 (0.083) at seeds 5000-5015.
# At plan (ad)'s defaults (quota 483,300) the top-20% share moves little: -0.0054 (0.0053) at
# seeds 0-63, -0.0077 (0.0047) at 5000-5063; the sd of annual attainment moves clearly, as
# quotas follow territory potential only a quarter (quota.potential_weight 0.23): -0.051
# (0.012) at seeds 5000-5063. So the check on the default quotas reads attainment's sd. The
# check under equal quotas on mixed territories (quota.policy equal, specialisation 0; written
# when quotas absorbed territory luck) is gone: there the lumpy enterprise deals swamp it,
# -0.026 (0.032) at seeds 0-15 (-0.038 (0.036) at the quota before plan (ad)).
def test_equal_territories_narrow_the_spread_of_results(replicate, direction):
    base64 = replicate(range(64))
    equal = replicate(range(64), **{"territory.quality_sigma": 0.0})
    direction(base64, equal, "attainment_sd", -1)


# seasonality 0.15 -> 0, n=8. Mean paired difference (SE) of the yearly harmonic of new
# opportunities (base 0.066): seeds 0-7 -0.025 (0.0059); seeds 5000-5031 -0.036 (0.0024).
def test_without_seasonality_demand_has_no_yearly_cycle(replicate, direction):
    base8 = replicate(SEEDS[:8])
    flat = replicate(SEEDS[:8], **{"market.seasonality": 0.0})
    direction(base8, flat, "opportunities_seasonal_amplitude", -1)


# inspection_morale_cost 0.5 -> 0, n=16. Mean paired difference (SE) of morale:
# seeds 0-15 +0.023 (0.0053), seeds 0-7 alone only +0.016 (0.0078); seeds 5000-5031 +0.027
# (0.0024).
def test_inspection_lowers_morale(base, replicate, direction):
    off = replicate(SEEDS, **{"manager.inspection_morale_cost": 0.0})
    direction(base, off, "morale_mean", +1)


# helping_effect 0.002 -> 0 under team pay (plan=team, where reps help: fact 6), n=8 (the
# hand-built rule is tested above). Mean paired difference (SE) of skill: seeds 0-7 -0.016
# (0.0041); seeds 5000-5031 -0.015 (0.0016). Under the default individual plan reps help
# little and the effect is -0.004 (0.0021) at n=32, seeds 5000-5031 -0.008 (0.0018).
# With prospects leaving the market seeds 0-7 give only -0.0076 (0.0040): n=16 now.
def test_helping_peers_raises_skill(replicate_config, direction):
    team = replicate_config(SEEDS, "plan=team")
    off = replicate_config(SEEDS, "plan=team", "rep.helping_effect=0")
    direction(team, off, "skill_mean", -1)


# onboarding_skill_gain 0.12 -> 0, n=8. Mean paired difference (SE) of skill:
# seeds 0-7 -0.047 (0.0061); seeds 5000-5031 -0.036 (0.0021).
def test_onboarding_raises_skill(replicate, direction):
    base8 = replicate(SEEDS[:8])
    off = replicate(SEEDS[:8], **{"hiring.onboarding_skill_gain": 0.0})
    direction(base8, off, "skill_mean", -1)


# learning_rate 0.4 -> 0, tiny org, n=4. Mean paired difference (SE) of skill: seeds 0-3
# -0.125 (0.013); tiny seeds 5000-5015 -0.138 (0.007).
def test_learning_by_selling_raises_skill(tiny_base, replicate, direction):
    off = replicate(TINY_SEEDS, **TINY, **{"rep.learning_rate": 0.0})
    direction(tiny_base, off, "skill_mean", -1)


# coaching_effect 0.6 -> 0, n=4 at full size (a tiny org gave -0.056, SE 0.021, on seeds
# 0-3). Mean paired difference (SE) of skill: seeds 0-3 -0.106 (0.012); seeds 5000-5015
# -0.103 (0.004).
def test_coaching_raises_skill(replicate, direction):
    base4 = replicate(SEEDS[:4])
    off = replicate(SEEDS[:4], **{"manager.coaching_effect": 0.0})
    direction(base4, off, "skill_mean", -1)


def test_the_managers_week_follows_new_parameters_and_a_changed_quality():
    """manage_week keeps admin hours; new parameters or a changed manager quality redo them."""
    model = SalesModel(with_overrides(SimParams(), **{"org.n_reps": 16}), 0)
    model.step()
    admin = model.manager_hours[:, 0].copy()
    model.params = with_overrides(model.params, **{"manager.admin_share": 0.5})
    model.step()
    assert np.all(model.manager_hours[:, 0] > admin)
    busier = model.manager_hours[:, 0].copy()
    first = model.managers[0]
    first.coaching_quality = first.coaching_quality * 2.0
    model.step()
    assert model.manager_hours[0, 0] < busier[0]  # better leaders do admin in less time
    assert model.manager_hours[1:, 0] == pytest.approx(busier[1:])
    assert model.coach_quality[model.seats.team == 0] == pytest.approx(first.coaching_quality)
