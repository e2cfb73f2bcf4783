"""Payout: pure, vectorised functions of a plan and credited attainment.

A plan is a base salary plus *components*, each measured over its own period
(month, quarter or year): a commission schedule and quota bonuses. The same
functions serve the model (a rep's expected marginal pay), the payout of each
period, and anyone who wants to check what a rep would earn.

Money is in the plan's currency; a component's payout for one period is
``target_variable * period_weeks / 52 * f(attainment)`` where ``f`` is the
component's shape, so that at 100% attainment the components together pay the
target variable pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from simulator.params import PERIOD_WEEKS, WEEKS_PER_YEAR, PlanParams


@dataclass(frozen=True)
class Commission:
    """Piecewise-linear commission over attainment, with an optional cap.

    Attributes:
        period_weeks: weeks in the measurement period.
        weight: share of target variable paid at 100% attainment by the base rate.
        starts: attainment at which each tier starts (first is 0).
        rates: rate multiplier of each tier.
        cap: attainment beyond which nothing more is paid (``inf`` for none).
    """

    period_weeks: int
    weight: float
    starts: np.ndarray
    rates: np.ndarray
    cap: float

    def shape(self, attainment: np.ndarray) -> np.ndarray:
        """Payout in units of the period's target variable pay."""
        a = np.minimum(np.maximum(attainment, 0.0), self.cap)
        if self.starts.size == 1:
            return (self.weight * self.rates[0]) * a
        ends = np.append(self.starts[1:], np.inf)
        in_tier = np.clip(a[..., None] - self.starts, 0.0, ends - self.starts)
        return self.weight * (in_tier * self.rates).sum(axis=-1)


@dataclass(frozen=True)
class QuotaBonus:
    """Lump sums paid when attainment reaches each threshold (cumulative)."""

    period_weeks: int
    thresholds: np.ndarray
    amounts: np.ndarray

    def shape(self, attainment: np.ndarray) -> np.ndarray:
        """Payout in units of the period's target variable pay."""
        attainment = np.asarray(attainment)
        if self.thresholds.size == 1:
            return np.where(attainment >= self.thresholds[0], self.amounts[0], 0.0)
        reached = attainment[..., None] >= self.thresholds
        return (reached * self.amounts).sum(axis=-1)


@dataclass(frozen=True)
class Plan:
    """A compiled plan: base salary and components, ready for vectorised payout."""

    name: str
    base_salary: float
    target_variable: float
    components: dict[str, Commission | QuotaBonus]

    @property
    def periods(self) -> tuple[int, ...]:
        """Distinct period lengths (weeks) the components are measured over."""
        return tuple(sorted({c.period_weeks for c in self.components.values()}))

    def period_target(self, component: str) -> float:
        """Target variable pay of one period of a component."""
        weeks = self.components[component].period_weeks
        return self.target_variable * weeks / WEEKS_PER_YEAR

    def component_pay(self, component: str, credited: np.ndarray, quota: np.ndarray) -> np.ndarray:
        """Pay of one component for one period, given credited sales and quota."""
        att = attainment(credited, quota)
        return self.period_target(component) * self.components[component].shape(att)

    @cached_property
    def _average_rate(self) -> float:
        return self.target_variable * sum(
            float(c.shape(np.array(1.0))) for c in self.components.values()
        )

    def average_rate(self) -> float:
        """Variable pay per unit of sales at 100% attainment of an annual quota of 1."""
        return self._average_rate


def attainment(credited: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Credited sales over quota; a zero quota gives zero attainment (nothing to attain)."""
    credited, quota = np.broadcast_arrays(np.asarray(credited, float), np.asarray(quota, float))
    return np.divide(credited, quota, out=np.zeros(credited.shape), where=quota > 0)


def compile_plan(params: PlanParams) -> Plan:
    """Turn validated plan parameters into a :class:`Plan`."""
    c, b = params.commission, params.bonus
    components: dict[str, Commission | QuotaBonus] = {}
    if c.weight > 0:
        components["commission"] = Commission(
            period_weeks=PERIOD_WEEKS[c.period],
            weight=c.weight,
            starts=np.asarray(c.tier_starts, float),
            rates=np.asarray(c.tier_rates, float),
            cap=c.cap if c.cap > 0 else np.inf,
        )
    if b.thresholds and any(a > 0 for a in b.amounts):
        components["bonus"] = QuotaBonus(
            period_weeks=PERIOD_WEEKS[b.period],
            thresholds=np.asarray(b.thresholds, float),
            amounts=np.asarray(b.amounts, float),
        )
    return Plan(params.name, params.base_salary, params.target_variable, components)


def period_payout(
    plan: Plan, credited: dict[int, np.ndarray], quota: dict[int, np.ndarray], period_weeks: int
) -> dict[str, np.ndarray]:
    """Pay by component for the components measured over ``period_weeks``.

    Args:
        plan: the compiled plan.
        credited: credited sales so far in the current period, by period length.
        quota: quota of the current period, by period length.
        period_weeks: which period just ended.

    Returns:
        ``{component name: pay array}`` for the components of that period.
    """
    return {
        name: plan.component_pay(name, credited[period_weeks], quota[period_weeks])
        for name, comp in plan.components.items()
        if comp.period_weeks == period_weeks
    }


def earnings_curve(
    plan: Plan, attainments: np.ndarray, annual_quota: float = 1.0e6
) -> dict[str, np.ndarray]:
    """Annual pay by component if every period ends at the given attainment."""
    out = {"base": np.full_like(attainments, plan.base_salary, dtype=float)}
    for name, comp in plan.components.items():
        periods = WEEKS_PER_YEAR // comp.period_weeks
        q = annual_quota * comp.period_weeks / WEEKS_PER_YEAR
        out[name] = periods * plan.component_pay(
            name, attainments * q, np.full_like(attainments, q, dtype=float)
        )
    return out
