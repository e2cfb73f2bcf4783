"""Payout: pure, vectorised functions of a plan and credited sales.

A plan is a base salary plus *components*, each measured over its own period
(month, quarter or year):

- :class:`Commission`: piecewise rates over attainment (decelerators,
  accelerators), a cap on credited attainment and on payout, optionally
  cumulative year-to-date with true-up;
- :class:`QuotaBonus`: lump sums at attainment thresholds;
- :class:`RankPrize`: a prize for the top ``k`` or top share of reps each
  period (the leaderboard and forced-ranking exits act in the model);
- :class:`TeamPool`: a share of the team's sales paid into a pool, split
  equally or by contribution;
- :class:`TeamBonus`: a bonus to every member when the team reaches its quota;
- :class:`Campaign`: an extra rate on sales of a segment within a window.

Each component's pay for one period is a pure function of a :class:`PayState`
(every seat's credited sales, quota, team and whether it is held), so the same
code pays reps in the model and answers "what would a rep earn" on its own.
Money is in the plan's currency; ``target`` is the target variable pay of one
period of the component, already weighted between individual and team pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simulator.params import PERIOD_WEEKS, WEEKS_PER_YEAR, PlanParams

SEGMENT_CODES = {"all": -1, "smb": 0, "mid": 1, "ent": 2}
#: reporting: the annual quota :func:`earnings_curve` draws at unless told (its curves
#: scale with it; the simulation never calls it)
CURVE_ANNUAL_QUOTA = 1.0e6
#: reporting: the team :func:`earnings_curve` assumes for team components unless told
CURVE_TEAM_SIZE = 8


def attainment(credited: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Credited sales over quota; a zero quota gives zero attainment (nothing to attain)."""
    quota = np.asarray(quota, float)
    return np.asarray(credited, float) / np.where(quota > 0, quota, np.inf)


@dataclass
class PayState:
    """What one period's payout depends on, for every seat.

    Attributes:
        credited: credited sales in the period.
        quota: quota for the period.
        team: team of each seat (for team components).
        active: whether the seat is held (vacant seats earn nothing, count for nothing).
        campaign_credited: credited sales that qualify for each campaign, by name.
    """

    credited: np.ndarray
    quota: np.ndarray
    team: np.ndarray | None = None
    active: np.ndarray | None = None
    campaign_credited: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.credited = np.asarray(self.credited, float)
        self.quota = np.asarray(self.quota, float)
        n = self.credited.shape[-1]
        if self.team is None:
            self.team = np.zeros(n, int)
        if self.active is None:
            self.active = np.ones(n, bool)


@dataclass(frozen=True)
class Commission:
    """Piecewise-linear commission over attainment.

    Attributes:
        period_weeks: weeks in the measurement period.
        weight: share of the period's target variable paid at 100% by the base rate.
        starts: attainment at which each tier starts (first is 0).
        rates: rate multiplier of each tier (below 1: decelerator, above 1: accelerator).
        cap: attainment beyond which no more is credited (``inf`` for none).
        payout_cap: most paid in a period, in periods' target variable (``inf`` for none).
        target: target variable pay of one period (currency).
        cumulative: measured year-to-date and paid each period with true-up.
    """

    period_weeks: int
    weight: float
    starts: np.ndarray
    rates: np.ndarray
    cap: float = np.inf
    payout_cap: float = np.inf
    target: float = 1.0
    cumulative: bool = False
    column: str = "commission"

    def shape(self, attainment: np.ndarray) -> np.ndarray:
        """Payout in units of the period's target variable pay."""
        a = np.minimum(np.maximum(attainment, 0.0), self.cap)
        if self.starts.size == 1:
            out = (self.weight * self.rates[0]) * a
        else:
            ends = np.append(self.starts[1:], np.inf)
            in_tier = np.clip(a[..., None] - self.starts, 0.0, ends - self.starts)
            out = self.weight * (in_tier * self.rates).sum(axis=-1)
        return np.minimum(out, self.payout_cap) if np.isfinite(self.payout_cap) else out

    def pay(self, state: PayState) -> np.ndarray:
        """Pay of each seat for one period."""
        return np.where(
            state.active, self.target * self.shape(attainment(state.credited, state.quota)), 0.0
        )


@dataclass(frozen=True)
class QuotaBonus:
    """Lump sums paid when attainment reaches each threshold (cumulative)."""

    period_weeks: int
    thresholds: np.ndarray
    amounts: np.ndarray
    target: float = 1.0
    column: str = "bonus"

    def shape(self, attainment: np.ndarray) -> np.ndarray:
        """Payout in units of the period's target variable pay."""
        attainment = np.asarray(attainment)
        if self.thresholds.size == 1:
            return np.where(attainment >= self.thresholds[0], self.amounts[0], 0.0)
        reached = attainment[..., None] >= self.thresholds
        return (reached * self.amounts).sum(axis=-1)

    def pay(self, state: PayState) -> np.ndarray:
        """Pay of each seat for one period."""
        return np.where(
            state.active, self.target * self.shape(attainment(state.credited, state.quota)), 0.0
        )


def top_mask(values: np.ndarray, active: np.ndarray, share: float, k: int) -> np.ndarray:
    """Seats among the active ones in the top ``k`` (if ``k`` > 0) or top ``share`` by value."""
    idx = np.flatnonzero(active)
    n_top = k if k > 0 else int(np.floor(share * idx.size + 1e-9))
    out = np.zeros(len(values), bool)
    if n_top <= 0 or idx.size == 0:
        return out
    order = idx[np.argsort(-values[idx], kind="stable")]
    out[order[: min(n_top, idx.size)]] = True
    return out


@dataclass(frozen=True)
class RankPrize:
    """A prize each period for the reps ranked highest by attainment."""

    period_weeks: int
    prize: float
    top_share: float
    top_k: int
    target: float = 1.0
    column: str = "rank"

    def pay(self, state: PayState) -> np.ndarray:
        """Prize of each seat for one period (ties broken by seat order)."""
        att = attainment(state.credited, state.quota)
        return np.where(
            top_mask(att, state.active, self.top_share, self.top_k), self.target * self.prize, 0.0
        )


def _team_sums(state: PayState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    team = state.team
    m = state.active
    credited = np.bincount(team, np.where(m, state.credited, 0.0))
    quota = np.bincount(team, np.where(m, state.quota, 0.0))
    members = np.bincount(team, m.astype(float))
    return credited[team], quota[team], members[team]


@dataclass(frozen=True)
class TeamPool:
    """A pool of ``weight`` x target variable x team attainment per member, split out."""

    period_weeks: int
    weight: float
    split: str
    target: float = 1.0
    column: str = "team"

    def pay(self, state: PayState) -> np.ndarray:
        """Each member's share of the team pool for one period (the pool is paid in full)."""
        t_cred, t_quota, members = _team_sums(state)
        pool = members * self.target * self.weight * attainment(t_cred, t_quota)
        if self.split == "contribution":
            own = np.where(state.active, state.credited, 0.0)  # at most the team's total
            share = np.divide(own, t_cred, out=1.0 / np.maximum(members, 1.0), where=t_cred > 0)
        else:
            share = 1.0 / np.maximum(members, 1.0)
        return np.where(state.active, pool * share, 0.0)


@dataclass(frozen=True)
class TeamBonus:
    """A bonus to every member when the team reaches ``threshold`` of its quota."""

    period_weeks: int
    threshold: float
    amount: float
    target: float = 1.0
    column: str = "team"

    def pay(self, state: PayState) -> np.ndarray:
        """Each member's team-quota bonus for one period."""
        t_cred, t_quota, _ = _team_sums(state)
        reached = attainment(t_cred, t_quota) >= self.threshold
        return np.where(state.active & reached, self.target * self.amount, 0.0)


@dataclass(frozen=True)
class Campaign:
    """An extra rate on credited sales of a segment closed within a window of weeks."""

    period_weeks: int
    rate: float
    start_week: int
    end_week: int
    segment: int
    target: float = 1.0
    column: str = "campaign"

    def in_window(self, week_of_year: int) -> bool:
        """Whether sales closed in this week of the year qualify."""
        return self.start_week <= week_of_year <= self.end_week

    def pay(self, state: PayState, name: str = "campaign") -> np.ndarray:
        """Campaign pay of each seat: the rate on its qualifying sales."""
        qualifying = state.campaign_credited.get(name, np.zeros_like(state.credited))
        return np.where(state.active, self.rate * qualifying, 0.0)


Component = Commission | QuotaBonus | RankPrize | TeamPool | TeamBonus | Campaign
INDIVIDUAL = (Commission, QuotaBonus, Campaign)


@dataclass(frozen=True)
class Plan:
    """A compiled plan: base salary and components, ready for vectorised payout."""

    name: str
    base_salary: float
    target_variable: float
    components: dict[str, Component]
    leaderboard: bool = False
    leaderboard_morale_effect: float = 0.0
    forced_exit_share: float = 0.0
    forced_exit_weeks: int = WEEKS_PER_YEAR
    job_value: float = 0.0

    @property
    def periods(self) -> tuple[int, ...]:
        """Distinct period lengths (weeks) the components are measured over."""
        return tuple(sorted({c.period_weeks for c in self.components.values()}))

    def period_target(self, component: str) -> float:
        """Target variable pay of one period of a component (weighted)."""
        return self.components[component].target

    def component_pay(self, component: str, credited: np.ndarray, quota: np.ndarray) -> np.ndarray:
        """Pay of one individual component for one period, given credited sales and quota."""
        comp = self.components[component]
        if isinstance(comp, Campaign):
            return comp.rate * np.asarray(credited, float) * 0.0
        return comp.target * comp.shape(attainment(credited, quota))

    def pay(self, component: str, state: PayState) -> np.ndarray:
        """Pay of any component for one period, given every seat's state."""
        comp = self.components[component]
        if isinstance(comp, Campaign):
            return comp.pay(state, component)
        return comp.pay(state)

    @cached_property
    def _average_rate(self) -> float:
        total = 0.0
        for c in self.components.values():
            periods = WEEKS_PER_YEAR / c.period_weeks
            if isinstance(c, Commission | QuotaBonus):
                total += periods * c.target * float(c.shape(np.array(1.0)))
            elif isinstance(c, TeamPool):
                total += periods * c.target * c.weight
            elif isinstance(c, TeamBonus):
                total += periods * c.target * c.amount * (c.threshold <= 1.0)
        return total

    @property
    def has_team_pay(self) -> bool:
        """True when the plan has a team pool or a team-quota bonus."""
        return any(isinstance(c, TeamPool | TeamBonus) for c in self.components.values())

    def average_rate(self) -> float:
        """Variable pay per year at 100% attainment of an annual quota of 1 (per unit quota)."""
        return self._average_rate


def compile_plan(params: PlanParams) -> Plan:
    """Turn validated plan parameters into a :class:`Plan`."""
    tv = params.target_variable
    ind, team_w = params.individual_weight, params.team_weight

    def target(period: str, weight: float) -> float:
        return tv * weight * PERIOD_WEEKS[period] / WEEKS_PER_YEAR

    c, b, r, t, k = params.commission, params.bonus, params.rank, params.team, params.campaign
    components: dict[str, Component] = {}
    if c.weight > 0 and ind > 0:
        period = "year" if c.cumulative else c.period
        components["commission"] = Commission(
            period_weeks=PERIOD_WEEKS[period],
            weight=c.weight,
            starts=np.asarray(c.tier_starts, float),
            rates=np.asarray(c.tier_rates, float),
            cap=c.cap if c.cap > 0 else np.inf,
            payout_cap=c.payout_cap if c.payout_cap > 0 else np.inf,
            target=target(period, ind),
            cumulative=c.cumulative,
        )
    if b.thresholds and any(a > 0 for a in b.amounts) and ind > 0:
        components["bonus"] = QuotaBonus(
            period_weeks=PERIOD_WEEKS[b.period],
            thresholds=np.asarray(b.thresholds, float),
            amounts=np.asarray(b.amounts, float),
            target=target(b.period, ind),
        )
    if r.prize > 0 and ind > 0:
        components["rank"] = RankPrize(
            PERIOD_WEEKS[r.period], r.prize, r.top_share, r.top_k, target=target(r.period, ind)
        )
    if t.pool_weight > 0 and team_w > 0:
        components["team_pool"] = TeamPool(
            PERIOD_WEEKS[t.period], t.pool_weight, t.split, target=target(t.period, team_w)
        )
    if t.quota_bonus > 0 and team_w > 0:
        components["team_bonus"] = TeamBonus(
            PERIOD_WEEKS[t.period],
            t.quota_threshold,
            t.quota_bonus,
            target=target(t.period, team_w),
        )
    if k.rate > 0:
        components["campaign"] = Campaign(
            WEEKS_PER_YEAR, k.rate, k.start_week - 1, k.end_week - 1, SEGMENT_CODES[k.segment]
        )
    return Plan(
        params.name,
        params.base_salary,
        tv,
        components,
        leaderboard=r.leaderboard,
        leaderboard_morale_effect=r.leaderboard_morale_effect,
        forced_exit_share=r.forced_exit_share,
        forced_exit_weeks=PERIOD_WEEKS[r.forced_exit_period],
        job_value=r.job_value,
    )


def period_payout(
    plan: Plan, state_by_period: dict[int, PayState], period_weeks: int
) -> dict[str, np.ndarray]:
    """Pay by component for the components measured over ``period_weeks``.

    Args:
        plan: the compiled plan.
        state_by_period: every seat's state in the current period, by period length.
        period_weeks: which period just ended.

    Returns:
        ``{component name: pay array}`` for the components of that period.
    """
    return {
        name: plan.pay(name, state_by_period[period_weeks])
        for name, comp in plan.components.items()
        if comp.period_weeks == period_weeks
    }


def earnings_curve(
    plan: Plan,
    attainments: np.ndarray,
    annual_quota: float = CURVE_ANNUAL_QUOTA,
    team_size: int = CURVE_TEAM_SIZE,
    peer_attainment: float = 1.0,
) -> dict[str, np.ndarray]:
    """Annual pay by component if every period ends at the given attainment.

    Team components assume the rest of a team of ``team_size`` at
    ``peer_attainment``; the rank prize ranks the rep against such peers.
    Campaigns are not included (they depend on when and what is sold).
    """
    attainments = np.asarray(attainments, float)
    out = {"base": np.full_like(attainments, plan.base_salary, dtype=float)}
    for name, comp in plan.components.items():
        if isinstance(comp, Campaign):
            continue
        periods = WEEKS_PER_YEAR // comp.period_weeks
        q = annual_quota * comp.period_weeks / WEEKS_PER_YEAR
        pays = []
        for a in attainments:
            credited = np.r_[a * q, np.full(team_size - 1, peer_attainment * q)]
            state = PayState(credited, np.full(team_size, q))
            pays.append(plan.pay(name, state)[0])
        out[name] = periods * np.asarray(pays)
    return out
