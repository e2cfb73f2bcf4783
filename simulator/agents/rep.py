"""Reps: the Mesa agent and its weekly decisions.

A :class:`Rep` is a Mesa agent that occupies one seat (territory). Its state
lives in the model's :class:`~simulator.workforce.Seats` arrays, indexed by
seat, so that the weekly decision of all reps is one vectorised computation:
:func:`choose_time` weighs, for each rep, the expected pay of more or less
selling effort over the rest of each pay period (given credited sales, quota,
weeks left, and the plan's shape: accelerators, caps, bonus thresholds) plus
the intrinsic value of selling at the rep's morale, against the cost of
effort. That one rule yields pushing below a threshold, easing off past a cap
or a secured bonus, and giving up when a quota is out of reach.
:func:`hold_back` and :func:`pull_in` apply the same marginal-pay reasoning to
moving a deal across a period boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulator.accounts import buying_cycle_weeks
from simulator.agents.incentives import (
    NODES,
    WEIGHTS,
    expected_losses,
    expected_pay,
    per_unit_of_quota,
    remaining_sales,
)
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import Commission, QuotaBonus, RankPrize, TeamBonus, TeamPool

if TYPE_CHECKING:
    from simulator.model import SalesModel

#: effort grid, as a multiple of the normal selling week
EFFORT_GRID = np.linspace(0.5, 1.5, 11)


class Rep(mesa.Agent):
    """A sales rep holding one seat; state is read from the model's seat arrays."""

    def __init__(self, model: SalesModel, seat: int):
        super().__init__(model)
        self.seat = seat
        self.hired_week = model.week
        self.ramp_weeks: int | None = None

    @property
    def skill(self) -> float:
        """Learned selling behaviours, 0..1."""
        return float(self.model.seats.skill[self.seat])

    @property
    def morale(self) -> float:
        """Engagement, 0..1."""
        return float(self.model.seats.morale[self.seat])

    @property
    def tenure_weeks(self) -> int:
        """Weeks since hire."""
        return self.model.week - self.hired_week


@dataclass
class TimeChoice:
    """Hours per seat this week, by activity, and the marginal pay signal."""

    prospecting: np.ndarray
    advancing: np.ndarray
    helping: np.ndarray
    exploring: np.ndarray
    caring: np.ndarray
    admin: np.ndarray
    marginal_ratio: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """All working hours."""
        return (
            self.prospecting
            + self.advancing
            + self.helping
            + self.exploring
            + self.caring
            + self.admin
        )


def _helping_value(model: SalesModel, name: str, rate: np.ndarray) -> np.ndarray:
    """Pay to a rep per unit of a teammate's extra sales this period, from one component.

    Positive for team pay (the pool and the team bonus grow), negative for
    rank pay (a rival's gain pushes the rep down the ranking), zero otherwise.
    """
    comp = model.plan.components[name]
    if isinstance(comp, RankPrize):
        return -_rank_pressure(model, name, rate)
    if not isinstance(comp, TeamPool | TeamBonus):
        return np.zeros(len(rate))
    st = model.seats
    w = comp.period_weeks
    zero = np.zeros((len(rate), 1))
    sd = np.sqrt(np.maximum(model.weeks_left(w) * rate * st.typical_deal, 1.0))[:, None]
    before = expected_pay(model, name, zero, sd)[:, 0]
    saved = st.expected_weekly_sales
    bump = np.maximum(rate, 1.0) / max(model.weeks_left(w), 1)
    try:  # every projection up by a week of sales; the rep's own is excluded inside
        st.expected_weekly_sales = saved + bump
        after = expected_pay(model, name, zero, sd)[:, 0]
    finally:
        st.expected_weekly_sales = saved
    # pay per unit when every teammate sells one unit more (summed over teammates)
    return (after - before) / np.maximum(rate, 1.0)


def _rank_pressure(model: SalesModel, name: str, rate: np.ndarray) -> np.ndarray:
    """Expected prize a rep loses per unit of sales a rival gains (density at the cut-off)."""
    comp = model.plan.components[name]
    st = model.seats
    w = comp.period_weeks
    sd = np.sqrt(np.maximum(model.weeks_left(w) * rate * st.typical_deal, 1.0))[:, None]
    step = np.maximum(rate, 1.0)[:, None]
    up = expected_pay(model, name, step, sd)[:, 0]
    down = expected_pay(model, name, np.zeros_like(step), sd)[:, 0]
    # a rival's unit counts against me about as much as my own unit counts for
    # me; helping reaches every teammate, each a rival
    rivals = np.bincount(st.team, st.occupied * 1.0)[st.team] - 1.0
    return (up - down) / step[:, 0] * np.maximum(rivals, 0.0)


def choose_time(model: SalesModel, admin_hours: np.ndarray) -> TimeChoice:
    """Each rep's weekly hours by activity, from the plan's expected marginal pay.

    For each effort level on :data:`EFFORT_GRID` (a multiple of the normal
    selling week, sustained for the rest of each pay period) a rep's utility
    per week is the expected pay of every plan component over its period
    (individual, rank and team components alike), less expected losses that
    more sales bring (forced ranking is the reverse: it raises the value of
    sales; a ratchet raises the next quota), plus intrinsic value of output at
    the rep's morale, minus a convex effort cost. Helping follows morale and
    what the plan pays for teammates' sales.
    """
    rp = model.params.rep
    seats = model.seats
    occ = seats.occupied
    n = len(occ)
    # the hours of a normal week left after admin; effort scales them, and helping,
    # exploring and account care are taken from them, the rest is selling
    work = np.maximum(rp.hours_per_week - admin_hours, 1.0)
    base_selling = np.maximum(work - rp.helping_hours - rp.exploring_hours, 1.0)
    max_selling = np.maximum(rp.max_hours_per_week - admin_hours, 1.0) / base_selling
    weekly_ote = (model.plan.base_salary + model.plan.target_variable) / WEEKS_PER_YEAR
    rate = seats.expected_weekly_sales
    output = EFFORT_GRID**rp.effort_elasticity
    g = rp.effort_convexity
    cost = rp.effort_cost * weekly_ote * EFFORT_GRID**g / g
    intrinsic = (rp.intrinsic_motivation * weekly_ote * seats.morale)[:, None] * output
    team_share = model.params.plan.team_weight if model.plan.has_team_pay else 0.0
    if rp.peer_pressure > 0 and team_share > 0:
        # teammates see each other's output (mutual monitoring); the more of them, the less
        mates = np.bincount(seats.team, occ * 1.0)[seats.team] - 1.0
        watched = rp.peer_pressure * team_share * weekly_ote / np.sqrt(np.maximum(mates, 1.0))
        intrinsic = intrinsic + (watched * occ)[:, None] * output
    extra_by_period, sd_by_period = {}, {}
    for w in model.decision_periods:
        extra = remaining_sales(model, w)[:, None] * output
        extra_by_period[w] = extra
        sd_by_period[w] = np.sqrt(np.maximum(extra * seats.typical_deal[:, None], 1.0))
    pay = np.zeros((n, EFFORT_GRID.size))
    parts = []
    for name, comp in model.plan.components.items():
        w = comp.period_weeks
        expected = expected_pay(model, name, extra_by_period[w], sd_by_period[w])
        pay += expected / model.weeks_left(w)
        parts.append((expected, extra_by_period[w]))
    pay -= expected_losses(model, extra_by_period, sd_by_period)
    # efforts beyond the hardest sustainable week are not on the menu
    infeasible = None
    if (max_selling < EFFORT_GRID[-1]).any():
        infeasible = EFFORT_GRID[None, :] > max_selling[:, None] + 1e-9
        cost = np.where(infeasible, np.inf, cost)
    rows = np.arange(n)
    best = EFFORT_GRID[np.argmax(pay + intrinsic - cost, axis=1)]
    # Effort at zero incentive response: what intrinsic motivation alone gives.
    neutral = EFFORT_GRID[np.argmax(intrinsic - cost, axis=1)]
    effort = neutral + rp.incentive_response * (best - neutral)
    effort = np.minimum(np.maximum(effort, EFFORT_GRID[0]), max_selling)

    # Marginal pay of a sale now against the plan's average rate: steers the
    # split between advancing deals (pays this period) and prospecting and
    # exploring (pay later).
    hi = np.minimum(np.maximum(np.searchsorted(EFFORT_GRID, effort), 1), EFFORT_GRID.size - 1)
    marginal = np.zeros(n)
    for expected, extra in parts:
        d_sales = extra[rows, hi] - extra[rows, hi - 1]
        d_pay = expected[rows, hi] - expected[rows, hi - 1]
        marginal += np.divide(d_pay, d_sales, out=np.zeros(n), where=d_sales > 0)
    # The baseline is what a unit of sales has paid this rep lately (a quarter's
    # moving average), so that "now" is measured against the same plan later.
    baseline = seats.marginal_pay_ema
    ratio = np.divide(marginal, baseline, out=np.ones(n), where=baseline > 0)
    seats.marginal_pay_ema += np.where(occ, (marginal - baseline) / WEEKS_PER_QUARTER, 0.0)
    ratio = 1.0 + rp.incentive_response * (np.minimum(np.maximum(ratio, 0.0), 5.0) - 1.0)
    # Activities that pay later are worth their pay at the baseline rate,
    # discounted over how long they take to pay: prospecting a buying cycle,
    # account care an expansion, exploring rep.exploring_lag_weeks.
    lags = model.later_pay_lags
    p0 = rp.prospect_share
    now = (1 - p0) * ratio**2
    later = p0 * discount(rp, lags["prospecting"])
    prospect_share = np.divide(later, later + now, out=np.full(n, p0), where=later + now > 0)

    # Helping: what the plan pays per unit of a teammate's sales, against the
    # plan's average rate on one's own, tilts the hours morale would give.
    help_pay = np.zeros(n)
    for name in model.plan.components:
        help_pay += _helping_value(model, name, rate)
    help_ratio = np.divide(help_pay, baseline, out=np.zeros(n), where=baseline > 0)
    help_tilt = np.minimum(np.maximum(1.0 + rp.helping_pay_response * help_ratio, 0.0), 3.0)
    morale_factor = np.minimum(seats.morale / 0.6, 1.5)
    helping = rp.helping_hours * morale_factor * help_tilt
    exploring = rp.exploring_hours * future_tilt(rp, lags["exploring"], ratio)
    care_need = model.customers_by_seat * model.params.buyer.care_hours_per_customer
    caring = care_need * np.minimum(rp.care_priority * future_tilt(rp, lags["care"], ratio), 1.0)
    # one budget: helping, exploring and care come out of the hours effort gives
    hours = effort * base_selling + rp.helping_hours + rp.exploring_hours
    other = helping + exploring + caring
    squeeze = np.minimum(1.0, 0.8 * hours / np.maximum(other, 1e-9))
    helping, exploring, caring = helping * squeeze, exploring * squeeze, caring * squeeze
    selling = hours - helping - exploring - caring
    useful_advance = model.accounts_open_by_seat * model.params.buyer.hours_per_deal * 1.5
    advancing = np.minimum(selling * (1 - prospect_share), useful_advance)
    prospecting = selling - advancing
    z = np.where(occ, 1.0, 0.0)
    return TimeChoice(
        prospecting * z,
        advancing * z,
        helping * z,
        exploring * z,
        caring * z,
        admin_hours * z,
        ratio,
    )


def later_pay_lags(params) -> dict[str, float]:
    """Weeks until each future-paying activity pays: prospecting, care, exploring.

    Prospecting pays after a buying cycle (the segments' mean, by share of
    accounts); care after the next expansion of a customer; exploring after
    ``rep.exploring_lag_weeks``.
    """
    expansions = max(params.buyer.expansion_per_year, 1e-9)
    return {
        "prospecting": buying_cycle_weeks(params),
        "care": min(WEEKS_PER_YEAR / expansions, 10 * WEEKS_PER_YEAR),
        "exploring": params.rep.exploring_lag_weeks,
    }


def discount(rp, lag_weeks: float) -> float:
    """A rep's weight on pay ``lag_weeks`` away (1 = as good as now)."""
    return float(np.exp(-rp.discount_per_year * lag_weeks / WEEKS_PER_YEAR))


def future_tilt(rp, lag_weeks: float, ratio: np.ndarray) -> np.ndarray:
    """How far time for an activity that pays later moves from its par level (0..2).

    Its discounted worth against what a sale pays now (``ratio``, squared as in
    the prospecting split): pressure now or impatience crowds it out.
    """
    return np.minimum(discount(rp, lag_weeks) / np.maximum(ratio, 1e-3) ** 2, 2.0)


def _later_gain(
    model: SalesModel, name: str, deal_seats: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Expected pay of one component for adding each deal to next period's sales.

    The rep projects next period's sales from its own selling rate, with the
    spread of a compound Poisson stream of its typical deal.
    """
    seats = model.seats
    w = model.plan.components[name].period_weeks
    q_next = (seats.annual_quota_full[deal_seats] * w / WEEKS_PER_YEAR)[:, None]
    proj = (seats.expected_weekly_sales[deal_seats] * w)[:, None]
    sd = np.sqrt(np.maximum(proj * seats.typical_deal[deal_seats][:, None], 1.0))
    s = np.maximum(proj + sd * NODES, 0.0)
    diff = model.plan.component_pay(name, s + values[:, None], q_next) - model.plan.component_pay(
        name, s, q_next
    )
    return diff @ WEIGHTS


def _ratchet_curve(model: SalesModel, seats: np.ndarray, credited, quota) -> np.ndarray:
    """Pay lost next quarter for ending a quarter at ``credited`` against ``quota``.

    Piecewise linear with a kink at quota: ``ratchet_up`` per unit above it,
    ``ratchet_down`` per unit below it (a gain), each priced by
    :func:`~simulator.agents.incentives.per_unit_of_quota`.
    """
    qp = model.params.quota
    unit = per_unit_of_quota(model)[seats]
    gap = credited - quota
    if np.ndim(gap) > 1:
        unit = unit[:, None]
    return unit * (qp.ratchet_up * np.maximum(gap, 0.0) + qp.ratchet_down * np.minimum(gap, 0.0))


def ratchet_loss(
    model: SalesModel,
    seats: np.ndarray,
    credited: np.ndarray,
    extra: np.ndarray,
    later: bool = False,
) -> np.ndarray:
    """Pay a rep expects to lose because crediting ``extra`` in a quarter raises the next quota.

    Zero unless quotas ratchet. Priced on where the quarter ends, not at the
    current margin, so that a deal pulled in across quota pays the ratchet's
    upward rate on the part beyond it. With ``later`` the deal is credited
    next quarter, whose end the rep projects from its own selling rate with
    the spread of a compound Poisson stream of its typical deal (so a unit
    next quarter costs ``ratchet_up`` times the chance of beating that quota,
    plus ``ratchet_down`` times the chance of missing it); ``credited`` is
    then ignored. That quota rise comes a quarter later than the rise from
    crediting the deal now, so it is weighted by ``quota.ratchet_delay_weight``:
    holding a deal back postpones the ratchet, which is what makes
    sandbagging rational, and rushing one in brings it forward.
    """
    if model.params.quota.policy != "ratchet":
        return np.zeros(len(seats))
    st = model.seats
    w = WEEKS_PER_QUARTER
    if not later:
        q = st.quota[w][seats]
        return _ratchet_curve(model, seats, credited + extra, q) - _ratchet_curve(
            model, seats, credited, q
        )
    q_next = (st.annual_quota_full[seats] * w / WEEKS_PER_YEAR)[:, None]
    proj = (st.expected_weekly_sales[seats] * w)[:, None]
    sd = np.sqrt(np.maximum(proj * st.typical_deal[seats][:, None], 1.0))
    s = np.maximum(proj + sd * NODES, 0.0)
    diff = _ratchet_curve(model, seats, s + extra[:, None], q_next) - _ratchet_curve(
        model, seats, s, q_next
    )
    return model.params.quota.ratchet_delay_weight * (diff @ WEIGHTS)


def hold_back(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    p_now: np.ndarray,
    p_later: np.ndarray,
) -> np.ndarray:
    """Which ready deals reps hold back into the next period (True = hold).

    A rep holds a deal when its expected pay next period (win probability
    after the wait, times the pay of adding it to next period's projected
    sales) beats the exact pay of crediting it now. Components whose period
    does not end soon pay the same either way and do not count.
    """
    plan = model.plan
    seats = model.seats
    ending = model.periods_ending_soon()
    gain_now = np.zeros(len(deal_seats))
    gain_later = np.zeros(len(deal_seats))
    for name, comp in plan.components.items():
        w = comp.period_weeks
        if w not in ending or not isinstance(comp, Commission | QuotaBonus):
            continue
        cred = seats.credited[w][deal_seats]
        q = seats.quota[w][deal_seats]
        gain_now += plan.component_pay(name, cred + values, q) - plan.component_pay(name, cred, q)
        gain_later += _later_gain(model, name, deal_seats, values)
    cred = seats.credited[WEEKS_PER_QUARTER][deal_seats]
    gain_now -= ratchet_loss(model, deal_seats, cred, values)
    gain_later -= ratchet_loss(model, deal_seats, cred, values, later=True)
    return p_later * gain_later > p_now * gain_now


def pull_in(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    p_rush: np.ndarray,
    p_normal: np.ndarray,
    closing: np.ndarray,
) -> np.ndarray:
    """Which unready deals reps pull into the ending period at a discount (True = rush).

    Each rep considers its candidate deals together, best expected value
    first, and rushes the set that maximises expected pay now (with the
    deals' discounted prices, on top of ``closing``, the expected value of
    deals already closing this week) minus the expected pay the same deals
    would earn next period at their normal win probability. That lets a rep
    who is short of a threshold rush several deals to cross it.
    """
    plan = model.plan
    seats = model.seats
    ending = model.periods_ending_soon()
    price = values * (1.0 - model.params.buyer.rush_discount)
    order = np.lexsort((-(p_rush * price), deal_seats))
    s, price_o, value_o = deal_seats[order], price[order], values[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    group = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1

    def within(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x)
        return c - np.r_[0.0, c][starts][group]

    now_credit = within(p_rush[order] * price_o)
    net = np.zeros(len(s))
    for name, comp in plan.components.items():
        w = comp.period_weeks
        if not isinstance(comp, Commission | QuotaBonus):
            continue
        cred = seats.credited[w][s] + closing[s]
        q = seats.quota[w][s]
        base = plan.component_pay(name, cred, q)
        if w in ending:
            net += plan.component_pay(name, cred + now_credit, q) - base
            net -= within(p_normal[order] * _later_gain(model, name, s, value_o))
        else:  # same period either way: only the discount costs
            later_credit = within(p_normal[order] * value_o)
            net += plan.component_pay(name, cred + now_credit, q) - plan.component_pay(
                name, cred + later_credit, q
            )
    cred_q = seats.credited[WEEKS_PER_QUARTER][s] + closing[s]
    net -= ratchet_loss(model, s, cred_q, now_credit)
    net += ratchet_loss(model, s, cred_q, within(p_normal[order] * value_o), later=True)
    # per rep: rush its best deals up to the point where the net gain peaks
    position = np.arange(len(s))
    peak = np.maximum.reduceat(net, starts)
    first_peak = np.minimum.reduceat(np.where(net == peak[group], position, len(s)), starts)
    rush = (position <= first_peak[group]) & (peak[group] > 0)
    out = np.zeros(len(s), bool)
    out[order] = rush
    return out
