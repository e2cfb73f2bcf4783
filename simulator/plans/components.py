"""Plan components as pure, vectorised payout functions of credited sales.

Each component's pay for one period is a pure function of a :class:`PayState`
(every seat's credited sales on the component's measure, quota, team and
whether it is held); :mod:`simulator.plans.payout` compiles a plan into them
and re-exports every name here. Each component carries the measure it is
paid on (``total``, ``new_logo``, ``expansion`` or ``segment:NAME``) and the
share of the quota set on that measure; the caller builds the state on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

SEGMENT_CODES = {"all": -1, "smb": 0, "mid": 1, "ent": 2}


def measure_mask(measure: str, expansion: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Which deals a measure counts: all, new logos, expansions or one segment's."""
    expansion = np.asarray(expansion, bool)
    if measure == "total":
        return np.ones(expansion.shape, bool)
    if measure == "new_logo":
        return ~expansion
    if measure == "expansion":
        return expansion
    return np.asarray(segment) == SEGMENT_CODES[measure.partition(":")[2]]


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
    measure: str = "total"
    quota_share: float = 1.0

    @cached_property
    def _widths(self) -> np.ndarray:
        """Width of each tier in attainment (the last is unbounded)."""
        return np.append(self.starts[1:], np.inf) - self.starts

    def shape(self, attainment: np.ndarray) -> np.ndarray:
        """Payout in units of the period's target variable pay."""
        a = np.maximum(attainment, 0.0)
        if self.cap != np.inf:  # an infinite cap leaves every attainment as it is
            a = np.minimum(a, self.cap)
        if self.starts.size == 1:
            out = (self.weight * self.rates[0]) * a
        else:
            in_tier = np.minimum(np.maximum(a[..., None] - self.starts, 0.0), self._widths)
            out = self.weight * (in_tier * self.rates).sum(axis=-1)
        return np.minimum(out, self.payout_cap) if math.isfinite(self.payout_cap) else out

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
    measure: str = "total"
    quota_share: float = 1.0

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
    idx = np.asarray(active).nonzero()[0]
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
    measure: str = "total"
    quota_share: float = 1.0

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
    measure: str = "total"
    quota_share: float = 1.0

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
    measure: str = "total"
    quota_share: float = 1.0

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
    measure: str = "total"
    quota_share: float = 1.0

    def in_window(self, week_of_year: int) -> bool:
        """Whether sales closed in this week of the year qualify."""
        return self.start_week <= week_of_year <= self.end_week

    def pay(self, state: PayState, name: str = "campaign") -> np.ndarray:
        """Campaign pay of each seat: the rate on its qualifying sales."""
        qualifying = state.campaign_credited.get(name, np.zeros_like(state.credited))
        return np.where(state.active, self.rate * qualifying, 0.0)


Component = Commission | QuotaBonus | RankPrize | TeamPool | TeamBonus | Campaign
INDIVIDUAL = (Commission, QuotaBonus, Campaign)
