"""The plan language: payout properties of every component, the library in conf/, refusals.

Property tests (Hypothesis) draw any valid plan (tiers, caps, bonuses, rank
prizes, team pay, campaigns, individual against team weight) and any state of
the seats (credited sales, quotas, teams, vacant seats) and check what the
pure payout of :mod:`simulator.plans.payout` promises. The library tests
compose every plan and quota policy of conf/ as users do and run it on a tiny
organisation; the refusal tests run the ``salesim`` command itself.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from salesim_cli.paycli import history_table
from simulator.params import (
    PERIOD_WEEKS,
    WEEKS_PER_QUARTER,
    BonusParams,
    CampaignParams,
    CommissionParams,
    PlanParams,
    RankParams,
    SimParams,
    TeamParams,
    validate,
)
from simulator.plans.payout import (
    Campaign,
    PayState,
    RankPrize,
    TeamBonus,
    TeamPool,
    attainment,
    compile_plan,
)
from simulator.run import RunResult, run_one

CONF = Path(__file__).resolve().parents[1] / "conf"
PLANS = sorted(p.stem for p in (CONF / "plan").glob("*.yaml"))
QUOTAS = sorted(p.stem for p in (CONF / "quota").glob("*.yaml"))
TINY = ("org.n_reps=16", "run.years=1", "run.warmup_years=0")
PAY_COLUMNS = ("commission", "bonus", "rank", "team", "campaign")
ANNUAL_QUOTA = 1.6e6


# -- strategies --------------------------------------------------------------------

periods = st.sampled_from(tuple(PERIOD_WEEKS))


@st.composite
def plan_params(draw, cumulative: bool | None = None) -> PlanParams:
    """Any valid plan: every component present or absent, validated like a composed one."""
    n_tiers = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.floats(0.05, 1.0), min_size=n_tiers - 1, max_size=n_tiers - 1))
    n_bonus = draw(st.integers(0, 3))
    steps = draw(st.lists(st.floats(0.05, 0.8), min_size=n_bonus, max_size=n_bonus))
    thresholds = (0.5 + np.cumsum(steps)).round(6).tolist()
    individual = draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0)))
    plan = PlanParams(
        individual_weight=individual,
        team_weight=1.0 - individual,
        commission=CommissionParams(
            period=draw(periods),
            weight=draw(st.floats(0.0, 1.0)),
            tier_starts=[0.0, *np.cumsum(gaps).round(6).tolist()],
            tier_rates=draw(st.lists(st.floats(0.0, 5.0), min_size=n_tiers, max_size=n_tiers)),
            cap=draw(st.one_of(st.just(0.0), st.floats(max(thresholds, default=0.1), 6.0))),
            payout_cap=draw(st.one_of(st.just(0.0), st.floats(0.1, 5.0))),
            cumulative=draw(st.booleans()) if cumulative is None else cumulative,
        ),
        bonus=BonusParams(
            period=draw(periods),
            thresholds=thresholds,
            amounts=draw(st.lists(st.floats(0.0, 1.0), min_size=n_bonus, max_size=n_bonus)),
        ),
        rank=RankParams(
            period=draw(periods),
            prize=draw(st.floats(0.0, 2.0)),
            top_share=draw(st.integers(0, 100)) / 100,
            top_k=draw(st.integers(0, 5)),
        ),
        team=TeamParams(
            period=draw(periods),
            pool_weight=draw(st.floats(0.0, 2.0)),
            split=draw(st.sampled_from(["equal", "contribution"])),
            quota_bonus=draw(st.floats(0.0, 1.0)),
            quota_threshold=draw(st.floats(0.5, 1.5)),
        ),
        campaign=CampaignParams(rate=draw(st.floats(0.0, 0.2))),
    )
    validate(SimParams(plan=plan))
    return plan


@st.composite
def pay_states(draw) -> PayState:
    """Any state of up to 16 seats in up to 4 teams; some vacant, some with no quota."""
    n = draw(st.integers(1, 16))

    def column(elements):
        return np.array(draw(st.lists(elements, min_size=n, max_size=n)))

    credited = column(st.floats(0.0, 5e6))
    quota = column(st.one_of(st.just(0.0), st.floats(1e3, 2e6)))
    qualifying = credited * column(st.floats(0.0, 1.0))
    return PayState(
        credited, quota, column(st.integers(0, 3)), column(st.booleans()), {"campaign": qualifying}
    )


def with_more_sales(state: PayState, seat: int, extra: float) -> PayState:
    """``state`` with ``extra`` credited (and campaign-qualifying) sales for one seat."""
    credited = state.credited.copy()
    credited[seat] += extra
    qualifying = state.campaign_credited["campaign"].copy()
    qualifying[seat] += extra
    return dataclasses.replace(state, credited=credited, campaign_credited={"campaign": qualifying})


def team_attainment(state: PayState) -> np.ndarray:
    """Each seat's team attainment over the team's held seats (0 with no team quota)."""
    out = np.zeros(len(state.credited))
    for t in np.unique(state.team):
        members = state.active & (state.team == t)
        quota = state.quota[members].sum()
        out[state.team == t] = state.credited[members].sum() / quota if quota > 0 else 0.0
    return out


# -- payout properties ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(params=plan_params(), state=pay_states())
def test_pay_is_never_negative_and_vacant_seats_earn_nothing(params, state):
    plan = compile_plan(params)
    for name in plan.components:
        pay = plan.pay(name, state)
        assert np.isfinite(pay).all() and (pay >= 0.0).all(), name
        assert (pay[~state.active] == 0.0).all(), name


@settings(max_examples=150, deadline=None)
@given(params=plan_params(), state=pay_states(), extra=st.floats(0.0, 2e6), data=st.data())
def test_pay_never_falls_when_a_rep_sells_more(params, state, extra, data):
    """No component claws back: more sales never lower the seller's pay, nor a teammate's.

    A rival's extra sales may lower a rep's rank prize; nothing else falls.
    """
    plan = compile_plan(params)
    seat = data.draw(st.integers(0, len(state.credited) - 1))
    more = with_more_sales(state, seat, extra)
    for name, comp in plan.components.items():
        before, after = plan.pay(name, state), plan.pay(name, more)
        slack = 1e-9 * np.maximum(1.0, before)  # a pool split by shares rounds differently
        assert after[seat] >= before[seat] - slack[seat], name
        if not isinstance(comp, RankPrize):
            assert (after >= before - slack).all(), name


@settings(max_examples=150, deadline=None)
@given(params=plan_params(), att=st.lists(st.floats(0.0, 8.0), min_size=1, max_size=8))
def test_commission_respects_the_attainment_cap_and_the_payout_cap(params, att):
    plan = compile_plan(params)
    assume("commission" in plan.components)
    comm = plan.components["commission"]
    assume(np.isfinite(comm.cap) or np.isfinite(comm.payout_cap))
    att = np.array(att)
    quota = np.full(att.shape, 250_000.0)
    pay = plan.pay("commission", PayState(att * quota, quota))
    assert (pay <= comm.target * comm.payout_cap * (1 + 1e-12)).all()
    if np.isfinite(comm.cap):
        beyond = plan.pay("commission", PayState(np.maximum(att, comm.cap) * quota * 1.5, quota))
        at_cap = plan.pay("commission", PayState(np.full(att.shape, comm.cap) * quota, quota))
        np.testing.assert_allclose(beyond, at_cap, rtol=1e-12)
        assert (pay <= at_cap * (1 + 1e-12)).all()


@settings(max_examples=150, deadline=None)
@given(params=plan_params(), a=st.floats(0.0, 8.0), h=st.floats(1e-9, 1e-3))
def test_commission_tiers_join_up_and_bonuses_step_by_their_amount(params, a, h):
    """Commission is continuous in attainment (tiers change the slope, not the level);
    a quota bonus is the plan's one intended jump, by exactly its amount."""
    plan = compile_plan(params)
    if "commission" in plan.components:
        comm = plan.components["commission"]
        steepest = comm.weight * float(comm.rates.max())
        step = comm.shape(np.array([a + h]))[0] - comm.shape(np.array([a]))[0]
        assert 0.0 <= step <= steepest * h * (1 + 1e-9) + 1e-12
        left = comm.shape(np.nextafter(comm.starts, -1.0))
        np.testing.assert_allclose(left, comm.shape(comm.starts), rtol=1e-9, atol=1e-12)
    if "bonus" in plan.components:
        bonus = plan.components["bonus"]
        jump = bonus.shape(bonus.thresholds) - bonus.shape(np.nextafter(bonus.thresholds, 0.0))
        np.testing.assert_allclose(jump, bonus.amounts, rtol=1e-12, atol=1e-15)


@settings(max_examples=150, deadline=None)
@given(
    state=pay_states(),
    weight=st.floats(0.05, 2.0),
    target=st.floats(1e3, 1e5),
    split=st.sampled_from(["equal", "contribution"]),
)
def test_team_pool_is_paid_out_in_full_to_held_seats(state, weight, target, split):
    pay = TeamPool(WEEKS_PER_QUARTER, weight, split, target=target).pay(state)
    assert (pay[~state.active] == 0.0).all()
    team_att = team_attainment(state)
    for t in np.unique(state.team[state.active]):
        members = state.active & (state.team == t)
        pool = members.sum() * target * weight * team_att[members][0]
        assert pay[members].sum() == pytest.approx(pool, rel=1e-9, abs=1e-6)
        team_sales = state.credited[members].sum()
        if split == "contribution" and team_sales > 0:
            shares = state.credited[members] / team_sales
            np.testing.assert_allclose(pay[members], pool * shares, rtol=1e-9, atol=1e-6)
        elif split == "equal":
            np.testing.assert_allclose(pay[members], pool / members.sum(), rtol=1e-9, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(
    state=pay_states(),
    percent=st.integers(0, 100),
    top_k=st.integers(0, 6),
    prize=st.floats(0.1, 2.0),
)
def test_rank_prize_goes_to_exactly_the_top_held_seats(state, percent, top_k, prize):
    target = 18_750.0
    pay = RankPrize(WEEKS_PER_QUARTER, prize, percent / 100, top_k, target=target).pay(state)
    n_active = int(state.active.sum())
    n_winners = min(top_k, n_active) if top_k > 0 else percent * n_active // 100
    winners = pay > 0
    assert winners.sum() == n_winners
    assert not (winners & ~state.active).any()
    np.testing.assert_allclose(pay[winners], target * prize, rtol=1e-12)
    att = attainment(state.credited, state.quota)
    losers = state.active & ~winners
    if winners.any() and losers.any():
        assert att[winners].min() >= att[losers].max()


@settings(max_examples=150, deadline=None)
@given(
    state=pay_states(),
    threshold=st.floats(0.1, 2.0),
    amount=st.floats(0.05, 1.0),
)
def test_team_bonus_pays_every_held_member_or_none(state, threshold, amount):
    target = 18_750.0
    team_att = team_attainment(state)
    assume(np.all(np.abs(team_att - threshold) > 1e-9 * threshold))  # no rounding ties
    pay = TeamBonus(WEEKS_PER_QUARTER, threshold, amount, target=target).pay(state)
    assert (pay[~state.active] == 0.0).all()
    for t in np.unique(state.team[state.active]):
        members = state.active & (state.team == t)
        reached = team_att[members][0] >= threshold
        np.testing.assert_array_equal(pay[members], target * amount if reached else 0.0)


@settings(max_examples=100, deadline=None)
@given(state=pay_states(), rate=st.floats(0.001, 0.2))
def test_campaign_pays_its_rate_on_qualifying_sales(state, rate):
    plan = compile_plan(PlanParams(campaign=CampaignParams(rate=rate, segment="mid")))
    assert isinstance(plan.components["campaign"], Campaign)
    expected = np.where(state.active, rate * state.campaign_credited["campaign"], 0.0)
    np.testing.assert_allclose(plan.pay("campaign", state), expected, rtol=1e-12)


# -- cumulative commission: year-to-date true-up ------------------------------------


def year_of_quarters(plan, quarters: list[float]) -> tuple[np.ndarray, float]:
    """Quarterly commission increments of one year and the pay of the year's total sales."""
    history = pd.DataFrame({"period": [1, 2, 3, 4], "credited_sales": quarters})
    increments = history_table(plan, history, "quarter", ANNUAL_QUOTA)["commission"]
    year = plan.pay("commission", PayState([sum(quarters)], [ANNUAL_QUOTA]))[0]
    return increments.to_numpy(), float(year)


@settings(max_examples=100, deadline=None)
@given(
    params=plan_params(cumulative=True),
    quarters=st.lists(st.floats(0.0, 1.2e6), min_size=4, max_size=4),
)
def test_cumulative_true_up_never_claws_back_nor_pays_less_than_the_year(params, quarters):
    plan = compile_plan(params)
    assume("commission" in plan.components)
    increments, year = year_of_quarters(plan, quarters)
    assert (increments >= 0.0).all()
    assert increments.sum() >= year * (1 - 1e-9) - 1e-6


@settings(max_examples=100, deadline=None)
@given(
    weight=st.floats(0.1, 1.0),
    rate=st.floats(0.1, 3.0),
    quarters=st.lists(st.floats(0.0, 1.2e6), min_size=4, max_size=4),
)
@example(weight=0.7, rate=1.0, quarters=[4e5, 0.0, 0.0, 0.0])
def test_cumulative_true_up_of_a_flat_rate_pays_exactly_the_year(weight, rate, quarters):
    """With one rate and no cap the year-to-date pay never falls, so the quarterly
    increments (never negative) add up to the pay of the year's sales."""
    commission = CommissionParams(weight=weight, tier_rates=[rate], cumulative=True)
    plan = compile_plan(PlanParams(commission=commission))
    increments, year = year_of_quarters(plan, quarters)
    assert (increments >= 0.0).all()
    assert increments.sum() == pytest.approx(year, rel=1e-9, abs=1e-6)


# -- the library in conf/ -------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run(compose_params):
    """``tiny_run(*overrides, seed=0)``: a config of conf/ run on a tiny organisation, cached."""

    @cache
    def run(*overrides: str, seed: int = 0) -> RunResult:
        return run_one(compose_params(*TINY, *overrides), seed)

    return run


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_composes_runs_and_pays_base_and_its_components(plan, tiny_run):
    result = tiny_run(f"plan={plan}")
    params = result.params.plan
    assert params.name == plan
    reps = result.tables["reps"]
    np.testing.assert_allclose(
        reps["pay_base"], params.base_salary * reps["weeks_in_seat"] / 52, rtol=1e-9
    )
    components = [f"pay_{c}" for c in PAY_COLUMNS]
    np.testing.assert_allclose(reps["pay_total"], reps[["pay_base", *components]].sum(axis=1))
    present = {c.column for c in compile_plan(params).components.values()}
    for column in PAY_COLUMNS:
        paid = reps[f"pay_{column}"]
        assert (paid >= 0).all()
        assert (paid.sum() > 0) == (column in present), (plan, column, paid.sum())


def test_team_plan_pays_only_team_pay(tiny_run):
    reps = tiny_run("plan=team").tables["reps"]
    assert reps["pay_team"].sum() > 0
    assert (reps[["pay_commission", "pay_bonus", "pay_rank"]] == 0).all().all()


def test_ranking_pays_the_top_fifth_and_lets_the_bottom_tenth_go(tiny_run):
    """Two years with no performance management: every involuntary exit is forced ranking.

    Without ramped quotas, so that a rep who holds its seat all quarter is paid the
    whole prize, and one hired in it the share of the quarter it held (a ramping
    rep's prize is scaled with its quota: tests/test_prorated_target.py).
    """
    result = tiny_run(
        "plan=ranking", "run.years=2", "performance.exit_strength=0", "hiring.ramped_quota=false"
    )
    plan = result.params.plan
    reps = result.tables["reps"]
    prize = plan.rank.prize * plan.target_variable * WEEKS_PER_QUARTER / 52
    for _, quarter in reps.groupby("period"):
        held_at_end = quarter[quarter["exit_kind"] != "voluntary"]
        winners = held_at_end["pay_rank"] > 0
        assert winners.sum() == int(plan.rank.top_share * len(held_at_end) + 1e-9)
        # a rep hired during the quarter wins the prize for the weeks it held the seat
        share = held_at_end.loc[winners, "weeks_in_seat"] / WEEKS_PER_QUARTER
        np.testing.assert_allclose(held_at_end.loc[winners, "pay_rank"], prize * share)
    forced_total = 0
    for _, year in reps.groupby("year"):
        at_end = year[(year["quarter"] == 3) & (year["exit_kind"] != "voluntary")]
        eligible = at_end[at_end["tenure_weeks"] >= result.params.hiring.onboarding_weeks + 13]
        forced = at_end.loc[at_end["exit_kind"] == "involuntary", "rep_id"]
        assert len(forced) == int(plan.rank.forced_exit_share * len(eligible) + 1e-9)
        sums = year.groupby("rep_id")[["credited_sales", "quota"]].sum()
        annual = (sums["credited_sales"] / sums["quota"]).reindex(eligible["rep_id"])
        assert set(forced) == set(annual.nsmallest(len(forced)).index)
        forced_total += len(forced)
    assert forced_total >= 2 and (reps["exit_kind"] == "involuntary").sum() == forced_total


@pytest.mark.parametrize("quota", QUOTAS)
def test_every_quota_policy_composes_and_runs(quota, tiny_run):
    result = tiny_run(f"quota={quota}")
    assert result.params.quota.policy == quota
    reps = result.tables["reps"]
    assert (reps.loc[reps["weeks_in_seat"] > 0, "quota"] > 0).all()
    assert result.summary["revenue"] > 0 and reps["pay_total"].sum() > 0


def ramped_quarters(result: RunResult) -> pd.DataFrame:
    """Rep-quarters held all quarter by reps past onboarding (full, unramped quota)."""
    reps = result.tables["reps"]
    onboarded = reps["tenure_weeks"] >= result.params.hiring.onboarding_weeks + WEEKS_PER_QUARTER
    return reps[(reps["weeks_in_seat"] == WEEKS_PER_QUARTER) & onboarded]


def test_equal_quotas_are_equal_and_potential_quotas_are_not(tiny_run):
    # mixed territories: cut by segment, an equal split is equal within a role only
    equal = ramped_quarters(tiny_run("quota=equal", "territory.specialisation=0")).groupby(
        "period"
    )["quota"]
    assert (equal.max() - equal.min() < 1e-6 * equal.max()).all()
    potential = ramped_quarters(tiny_run("quota=potential")).groupby("period")["quota"]
    assert (potential.max() > 1.5 * potential.min()).all()


def test_ratchet_starts_top_down_then_moves_quotas_with_results(tiny_run):
    def quotas(policy):
        rows = ramped_quarters(tiny_run(f"quota={policy}"))
        return rows.set_index(["rep_id", "period"])["quota"]

    top_down, ratchet = quotas("top_down"), quotas("ratchet")
    both = top_down.index.intersection(ratchet.index)
    first = both[both.get_level_values("period") == 0]
    later = both[both.get_level_values("period") > 0]
    np.testing.assert_allclose(ratchet[first], top_down[first], rtol=1e-12)
    assert (~np.isclose(ratchet[later], top_down[later], rtol=1e-6)).mean() > 0.5


def test_campaign_in_a_run_pays_its_rate_on_the_window_and_segment(tiny_run):
    """Weeks 5-30 of the year, mid-market deals only; leavers are paid when they leave."""
    result = tiny_run(
        "plan.campaign.rate=0.05",
        "plan.campaign.start_week=5",
        "plan.campaign.end_week=30",
        "plan.campaign.segment=mid",
        seed=2,
    )
    deals = result.tables["deals"]
    in_window = (deals["week"] % 52).between(4, 29)  # weeks of the year counted from 0
    qualifying = deals[in_window & (deals["segment"] == "mid") & (deals["rep_id"] >= 0)]
    paid = result.tables["reps"]["pay_campaign"].sum()
    assert paid > 0 and paid == pytest.approx(0.05 * qualifying["price"].sum(), rel=1e-9)


def test_cumulative_commission_in_a_run_pays_what_the_year_earns(tiny_run):
    # without ramped quotas, so a rep held all year earns the year's whole target
    result = tiny_run(
        "plan.commission.cumulative=true", "run.warmup_years=1", "hiring.ramped_quota=false", seed=1
    )
    plan = compile_plan(result.params.plan)
    reps = result.tables["reps"]
    year = reps[~reps["warmup"]]
    whole = year.groupby("rep_id").filter(
        lambda r: len(r) == 4 and (r["weeks_in_seat"] == WEEKS_PER_QUARTER).all()
    )
    sums = whole.groupby("rep_id")[["credited_sales", "quota", "pay_commission"]].sum()
    assert len(sums) >= 8
    due = plan.pay("commission", PayState(sums["credited_sales"], sums["quota"]))
    np.testing.assert_allclose(sums["pay_commission"], due, rtol=1e-9)


# -- refusals through the salesim command -------------------------------------------

BOGUS_PLAN = """\
defaults:
  - base_plan
  - _self_

name: bogus_key
bogus:
  rate: 1
"""


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (["plan.bogus.rate=1"], ["plan.bogus", "unknown parameter"]),
        (["+plan.bogus=1"], ["plan.bogus", "unknown parameter"]),
        (["hydra.searchpath=[file://{conf}]", "plan=bogus_key"], ["plan.bogus"]),
        (["plan.commission.tier_rates=[-1.0]"], ["plan.commission.tier_rates", "-1"]),
        (
            ["plan.commission.tier_starts=[0.0,1.0,0.5]", "plan.commission.tier_rates=[1,1,1]"],
            ["plan.commission.tier_starts", "increase"],
        ),
        (["plan.commission.cap=0.8"], ["plan.commission.cap", "0.8", "threshold"]),
        (
            ["plan.individual_weight=0.7", "plan.team_weight=0.5"],
            ["plan.individual_weight", "plan.team_weight", "sum to 1"],
        ),
    ],
    ids=[
        "unknown-component",
        "unknown-component-added",
        "unknown-key-in-plan-file",
        "negative-rate",
        "tiers-out-of-order",
        "cap-below-bonus-threshold",
        "weights-not-summing-to-one",
    ],
)
def test_a_bad_plan_is_refused_with_one_line_naming_the_field(tmp_path, overrides, named):
    conf = tmp_path / "conf"
    (conf / "plan").mkdir(parents=True)
    (conf / "plan" / "bogus_key.yaml").write_text(BOGUS_PLAN)
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    args = [o.format(conf=conf) for o in overrides]
    done = subprocess.run(
        [sys.executable, "-m", "salesim_cli.cli", *args, f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("salesim: error: "), done.stderr
    for text in named:
        assert text in lines[0]
    run = tmp_path / "run"  # Hydra may have opened it, but nothing of a run is written
    assert not (run / "summary.json").exists() and not list(run.glob("*.parquet"))
