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

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from simulator.params import PERIOD_WEEKS, WEEKS_PER_YEAR, ComponentParams, PlanParams
from simulator.params.plan import plan_components
from simulator.plans.components import (
    INDIVIDUAL,
    SEGMENT_CODES,
    Campaign,
    Commission,
    Component,
    PayState,
    QuotaBonus,
    RankPrize,
    TeamBonus,
    TeamPool,
    attainment,
    measure_mask,
    top_mask,
)

__all__ = [
    "CURVE_ANNUAL_QUOTA",
    "CURVE_TEAM_SIZE",
    "INDIVIDUAL",
    "SEGMENT_CODES",
    "Campaign",
    "Commission",
    "Component",
    "PayState",
    "Plan",
    "QuotaBonus",
    "RankPrize",
    "TeamBonus",
    "TeamPool",
    "attainment",
    "compile_plan",
    "earnings_curve",
    "measure_mask",
    "period_payout",
    "top_mask",
]

#: reporting: the annual quota :func:`earnings_curve` draws at unless told (its curves
#: scale with it; the simulation never calls it)
CURVE_ANNUAL_QUOTA = 1.0e6
#: reporting: the team :func:`earnings_curve` assumes for team components unless told
CURVE_TEAM_SIZE = 8


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

    @cached_property
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

    @cached_property
    def measures(self) -> tuple[str, ...]:
        """Measures other than total bookings that some component is paid on."""
        return tuple(
            dict.fromkeys(c.measure for c in self.components.values() if c.measure != "total")
        )

    @cached_property
    def has_team_pay(self) -> bool:
        """True when the plan has a team pool or a team-quota bonus."""
        return any(isinstance(c, TeamPool | TeamBonus) for c in self.components.values())

    def average_rate(self) -> float:
        """Variable pay per year at 100% attainment of an annual quota of 1 (per unit quota)."""
        return self._average_rate


def _compile_component(cp: ComponentParams, params: PlanParams) -> dict[str, Component]:
    """The payout components of one listed component (none when it pays nothing).

    Individual components are weighted by ``individual_weight``, team ones by
    ``team_weight``; a team component gives a pool (``NAME_pool``) and a
    team-quota bonus (``NAME_bonus``).
    """
    ind, team_w = params.individual_weight, params.team_weight
    target, team_target = params.target_variable * ind, params.target_variable * team_w
    measure = {"measure": cp.measure, "quota_share": cp.quota_share}
    w = cp.weight

    def share(period: str, annual: float) -> float:
        return annual * PERIOD_WEEKS[period] / WEEKS_PER_YEAR

    if cp.kind == "commission":
        if w <= 0 or ind <= 0:
            return {}
        period = "year" if cp.cumulative else cp.period
        return {
            cp.name: Commission(
                period_weeks=PERIOD_WEEKS[period],
                weight=w,
                starts=np.asarray(cp.tier_starts, float),
                rates=np.asarray(cp.tier_rates, float),
                cap=cp.cap if cp.cap > 0 else np.inf,
                payout_cap=cp.payout_cap if cp.payout_cap > 0 else np.inf,
                target=share(period, target),
                cumulative=cp.cumulative,
                **measure,
            )
        }
    if cp.kind == "bonus":
        amounts = np.asarray(cp.amounts, float) * w
        if not cp.thresholds or not (amounts > 0).any() or ind <= 0:
            return {}
        thresholds = np.asarray(cp.thresholds, float)
        return {
            cp.name: QuotaBonus(
                PERIOD_WEEKS[cp.period], thresholds, amounts, share(cp.period, target), **measure
            )
        }
    if cp.kind == "rank":
        if cp.prize * w <= 0 or ind <= 0:
            return {}
        return {
            cp.name: RankPrize(
                PERIOD_WEEKS[cp.period],
                cp.prize * w,
                cp.top_share,
                cp.top_k,
                target=share(cp.period, target),
                **measure,
            )
        }
    if cp.kind == "team":
        out: dict[str, Component] = {}
        weeks, t = PERIOD_WEEKS[cp.period], share(cp.period, team_target)
        if cp.pool_weight * w > 0 and team_w > 0:
            out[f"{cp.name}_pool"] = TeamPool(
                weeks, cp.pool_weight * w, cp.split, target=t, **measure
            )
        if cp.quota_bonus * w > 0 and team_w > 0:
            out[f"{cp.name}_bonus"] = TeamBonus(
                weeks, cp.quota_threshold, cp.quota_bonus * w, target=t, **measure
            )
        return out
    if cp.rate * w <= 0:  # a campaign: its window and segment pick its sales
        return {}
    return {
        cp.name: Campaign(
            WEEKS_PER_YEAR,
            cp.rate * w,
            cp.start_week - 1,
            cp.end_week - 1,
            SEGMENT_CODES[cp.segment],
            **measure,
        )
    }


def compile_plan(params: PlanParams) -> Plan:
    """Turn validated plan parameters into a :class:`Plan`.

    Every component, listed or singular (:func:`~simulator.params.plan.plan_components`),
    compiles the same way; individual ones are weighted by ``individual_weight``,
    team ones by ``team_weight``.
    """
    components: dict[str, Component] = {}
    for cp in plan_components(params):
        components.update(_compile_component(cp, params))
    r = params.rank
    return Plan(
        params.name,
        params.base_salary,
        params.target_variable,
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
        # every measure at the row's attainment of its share of the quota
        q = annual_quota * comp.quota_share * comp.period_weeks / WEEKS_PER_YEAR
        pays = []
        for a in attainments:
            credited = np.r_[a * q, np.full(team_size - 1, peer_attainment * q)]
            state = PayState(credited, np.full(team_size, q))
            pays.append(plan.pay(name, state)[0])
        out[name] = periods * np.asarray(pays)
    return out
