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
:mod:`simulator.agents.timing` applies the same marginal-pay reasoning to
moving a deal across a period boundary.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtr

from simulator.agents.incentives import (
    expected_losses,
    expected_pay,
    remaining_sales,
)
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import RankPrize, TeamBonus, TeamPool
from simulator.segments import buying_cycle_weeks

if TYPE_CHECKING:
    from simulator.model import SalesModel

#: numerical: effort levels a rep weighs, evenly from rep.min_effort to rep.max_effort
EFFORT_LEVELS = 11
#: numerical: floor of the marginal-pay ratio, guarding the division in :func:`future_tilt`
#: (whose tilt is capped at 2 long before the floor is reached)
RATIO_FLOOR = 1e-3
#: numerical: discount factors kept (one per discount rate and lag; a run uses three)
DISCOUNT_CACHE = 64
#: numerical: effort menus kept (one per run's rep parameters; sweeps reuse a few)
MENU_CACHE = 16
#: numerical: row-start tables kept (one per number of seats and effort levels)
ROWS_CACHE = 16
#: components whose pay moves with a teammate's sales (:func:`_helping_value`)
TEAMMATE_PAY = (RankPrize, TeamPool, TeamBonus)


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


#: the activities of a :class:`TimeChoice`, in its order
ACTIVITIES = ("prospecting", "advancing", "helping", "exploring", "caring", "admin")


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
    if not isinstance(comp, TEAMMATE_PAY):
        return np.zeros(len(rate))
    if isinstance(comp, RankPrize):
        return -_rank_pressure(model, name, rate)
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

    For each effort level on a grid from ``rep.min_effort`` to ``rep.max_effort``
    (:data:`EFFORT_LEVELS` multiples of the normal selling week, sustained for
    the rest of each pay period) a rep's utility per week is the expected pay
    of every plan component over its period (individual, rank and team
    components alike), less expected losses that more sales bring (forced
    ranking is the reverse: it raises the value of sales; a ratchet raises the
    next quota), plus intrinsic value of output at the rep's morale, minus a
    convex effort cost. Helping follows morale and what the plan pays for
    teammates' sales.
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
    grid, output, cost = effort_menu(
        rp.min_effort,
        rp.max_effort,
        rp.effort_elasticity,
        rp.effort_convexity,
        rp.effort_cost,
        weekly_ote,
    )
    intrinsic = (rp.intrinsic_motivation * weekly_ote * seats.morale)[:, None] * output
    team_share = model.params.plan.team_weight if model.plan.has_team_pay else 0.0
    if rp.peer_pressure > 0 and team_share > 0:
        # teammates see each other's output (mutual monitoring); the more of them, the less
        mates = np.bincount(seats.team, occ * 1.0)[seats.team] - 1.0
        watched = rp.peer_pressure * team_share * weekly_ote / np.sqrt(np.maximum(mates, 1.0))
        intrinsic = intrinsic + (watched * occ)[:, None] * output
    extra_by_period, sd_by_period = {}, {}
    for w in model.decision_periods:
        extra_by_period[w], sd_by_period[w] = outlook(model, w, output)
    if rp.quota_goal_value > 0:
        year = WEEKS_PER_YEAR
        annual = (
            (extra_by_period[year], sd_by_period[year])
            if year in extra_by_period
            else outlook(model, year, output)
        )
        intrinsic = intrinsic + quota_goal(model, *annual, weekly_ote)
    pay = np.zeros((n, grid.size))
    parts = []
    shared = {}  # attainment nodes of components priced alike
    for name, comp in model.plan.components.items():
        w = comp.period_weeks
        expected = expected_pay(model, name, extra_by_period[w], sd_by_period[w], shared)
        pay += expected / model.weeks_left(w)
        parts.append((expected, w))
    losses = expected_losses(model, extra_by_period, sd_by_period)
    if losses is not None:
        pay -= losses
    # efforts beyond the hardest sustainable week are not on the menu
    infeasible = None
    if (max_selling < grid[-1]).any():
        infeasible = grid[None, :] > max_selling[:, None] + 1e-9
        cost = np.where(infeasible, np.inf, cost)
    best = grid[(pay + intrinsic - cost).argmax(axis=1)]
    # Effort at zero incentive response: what intrinsic motivation alone gives.
    neutral = grid[(intrinsic - cost).argmax(axis=1)]
    effort = neutral + rp.incentive_response * (best - neutral)
    effort = np.minimum(np.maximum(effort, grid[0]), max_selling)

    # Marginal pay of a sale now against the plan's average rate: steers the
    # split between advancing deals (pays this period) and prospecting and
    # exploring (pay later).
    hi = np.minimum(np.maximum(grid.searchsorted(effort), 1), grid.size - 1)
    # flat indices of each row's bracketing levels in (seats, levels) arrays
    at_hi = _row_starts(n, grid.size) + hi
    at_lo = at_hi - 1
    steps = {}  # further sales between the two levels, by period
    for w in extra_by_period:
        d_sales = extra_by_period[w].take(at_hi) - extra_by_period[w].take(at_lo)
        steps[w] = d_sales, d_sales > 0
    marginal = np.zeros(n)
    for expected, w in parts:
        d_sales, up = steps[w]
        d_pay = expected.take(at_hi) - expected.take(at_lo)
        marginal += np.divide(d_pay, d_sales, out=np.zeros(n), where=up)
    # The baseline is what a unit of sales has paid this rep lately (a quarter's
    # moving average), so that "now" is measured against the same plan later.
    baseline = seats.marginal_pay_ema
    ratio = np.divide(marginal, baseline, out=np.ones(n), where=baseline > 0)
    seats.marginal_pay_ema += np.where(occ, (marginal - baseline) / WEEKS_PER_QUARTER, 0.0)
    ratio = 1.0 + rp.incentive_response * (
        np.minimum(np.maximum(ratio, 0.0), rp.max_pay_ratio) - 1.0
    )
    # Activities that pay later are worth their pay at the baseline rate,
    # discounted over how long they take to pay: prospecting a buying cycle,
    # account care an expansion, exploring rep.exploring_lag_weeks.
    lags = model.later_pay_lags
    p0 = rp.prospect_share
    now = (1 - p0) * ratio**2
    later = p0 * discount(rp, lags["prospecting"])
    both = later + now
    prospect_share = np.divide(later, both, out=np.full(n, p0), where=both > 0)

    # Helping: what the plan pays per unit of a teammate's sales, against the
    # plan's average rate on one's own, tilts the hours morale would give.
    helped = [k for k, c in model.plan.components.items() if isinstance(c, TEAMMATE_PAY)]
    help_tilt = min(1.0, rp.max_helping_tilt)  # the other components' value is zero
    if helped:
        help_pay = np.zeros(n)
        for name in helped:
            help_pay += _helping_value(model, name, rate)
        help_ratio = np.divide(help_pay, baseline, out=np.zeros(n), where=baseline > 0)
        help_tilt = np.minimum(
            np.maximum(1.0 + rp.helping_pay_response * help_ratio, 0.0), rp.max_helping_tilt
        )
    morale_factor = np.minimum(seats.morale / rp.helping_morale_par, rp.max_helping_morale_factor)
    helping = rp.helping_hours * morale_factor * help_tilt
    exploring = rp.exploring_hours * future_tilt(rp, lags["exploring"], ratio)
    care_need = model.customers_by_seat * model.params.buyer.care_hours_per_customer
    caring = care_need * np.minimum(rp.care_priority * future_tilt(rp, lags["care"], ratio), 1.0)
    # one budget: helping, exploring and care come out of the hours effort gives
    hours = effort * base_selling + rp.helping_hours + rp.exploring_hours
    other = helping + exploring + caring
    squeeze = np.minimum(1.0, rp.max_non_selling_share * hours / np.maximum(other, 1e-9))
    # the week's hours by activity, in TimeChoice's order, as rows of one array (so
    # that vacant seats are zeroed at once)
    by_activity = np.empty((len(ACTIVITIES), n))
    prospecting, advancing, helped_h, explored_h, cared_h, admin = by_activity
    helping = np.multiply(helping, squeeze, out=helped_h)
    exploring = np.multiply(exploring, squeeze, out=explored_h)
    caring = np.multiply(caring, squeeze, out=cared_h)
    selling = hours - helping - exploring - caring
    useful_advance = (
        model.accounts_open_by_seat
        * model.params.buyer.hours_per_deal
        * rp.advance_hours_per_deal_cap
    )
    np.minimum(selling * (1 - prospect_share), useful_advance, out=advancing)
    np.subtract(selling, advancing, out=prospecting)
    admin[:] = admin_hours
    by_activity *= np.where(occ, 1.0, 0.0)
    return TimeChoice(*by_activity, ratio)


def outlook(
    model: SalesModel, period_weeks: int, output: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each rep's further sales this period at each effort level's ``output``, and their spread.

    The spread is the square root of the further sales times the rep's typical
    deal (deals arrive one at a time); shape (seats, effort levels) each.
    """
    extra = remaining_sales(model, period_weeks)[:, None] * output
    return extra, np.sqrt(np.maximum(extra * model.seats.typical_deal[:, None], 1.0))


def quota_goal(
    model: SalesModel, extra: np.ndarray, sd: np.ndarray, weekly_ote: float
) -> np.ndarray:
    """Value per week, at each effort level, of the chance of reaching the annual quota.

    The quota is a goal in itself (``rep.quota_goal_value`` times the annual
    OTE, weighed like a lump sum paid at the annual quota, whatever the plan
    pays there): the chance of reaching it with the rest of the year's further
    sales ``extra`` and their spread ``sd`` (:func:`outlook` over the year),
    spread over the weeks left. A rep near quota pushes to cross it; one far
    below or already past it gains little, so attainment bunches just above
    quota. Part of the intrinsic value of selling: the incentive response does
    not scale it.
    """
    st = model.seats
    w = WEEKS_PER_YEAR
    quota = st.quota[w][:, None]
    chance = ndtr((st.credited[w][:, None] + extra - quota) / sd)
    value = model.params.rep.quota_goal_value * weekly_ote * WEEKS_PER_YEAR / model.weeks_left(w)
    return np.where(quota > 0, value * chance, 0.0)


def later_pay_lags(params) -> dict[str, float]:
    """Weeks until each future-paying activity pays: prospecting, care, exploring.

    Prospecting pays after a buying cycle (the segments' mean, by share of
    accounts); care after the next expansion of a customer; exploring after
    ``rep.exploring_lag_weeks``.
    """
    expansions = max(params.buyer.expansion_per_year, 1e-9)
    return {
        "prospecting": buying_cycle_weeks(params),
        "care": min(WEEKS_PER_YEAR / expansions, params.rep.max_care_lag_years * WEEKS_PER_YEAR),
        "exploring": params.rep.exploring_lag_weeks,
    }


def discount(rp, lag_weeks: float) -> float:
    """A rep's weight on pay ``lag_weeks`` away (1 = as good as now)."""
    return _discount(rp.discount_per_year, lag_weeks)


@functools.lru_cache(maxsize=DISCOUNT_CACHE, typed=True)
def _discount(discount_per_year: float, lag_weeks: float) -> float:
    return float(np.exp(-discount_per_year * lag_weeks / WEEKS_PER_YEAR))


@functools.lru_cache(maxsize=ROWS_CACHE)
def _row_starts(rows: int, columns: int) -> np.ndarray:
    """Flat index of each row's first element in a C-ordered (rows, columns) array (read-only)."""
    starts = np.arange(rows) * columns
    starts.flags.writeable = False
    return starts


@functools.lru_cache(maxsize=MENU_CACHE, typed=True)
def effort_menu(
    min_effort: float,
    max_effort: float,
    elasticity: float,
    convexity: float,
    effort_cost: float,
    weekly_ote: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The effort levels a rep weighs, the output of each and its cost per week.

    :data:`EFFORT_LEVELS` multiples of the normal selling week from ``min_effort``
    to ``max_effort``; output is effort to the ``elasticity``; the cost is
    convex, ``effort_cost`` weekly OTEs times effort to the ``convexity`` over
    it. Fixed for a run, so cached; the arrays are read-only.
    """
    grid = np.linspace(min_effort, max_effort, EFFORT_LEVELS)
    output = grid**elasticity
    g = convexity
    cost = effort_cost * weekly_ote * grid**g / g
    for a in (grid, output, cost):
        a.flags.writeable = False
    return grid, output, cost


def future_tilt(rp, lag_weeks: float, ratio: np.ndarray) -> np.ndarray:
    """How far time for an activity that pays later moves from its par level (0..2).

    Its discounted worth against what a sale pays now (``ratio``, squared as in
    the prospecting split): pressure now or impatience crowds it out.
    """
    return np.minimum(discount(rp, lag_weeks) / np.maximum(ratio, RATIO_FLOOR) ** 2, 2.0)
