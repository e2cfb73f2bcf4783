"""Checking parameters and walking them.

:func:`validate` checks every range and cross-field rule and raises
:class:`ParamError`; :func:`iter_fields` and :func:`flatten` walk the groups.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from simulator.params.plan import (
    BonusParams,
    CampaignParams,
    CommissionParams,
    ComponentParams,
    PlanParams,
    TeamParams,
)
from simulator.params.sim import SimParams


class ParamError(ValueError):
    """A parameter value outside what is allowed; the message names the field."""


def iter_fields(obj: Any, prefix: str = ""):
    """Yield ``(dotted_name, value, field)`` for every leaf parameter of ``obj``."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from iter_fields(value, name + ".")
        else:
            yield name, value, f


def _check_range(name: str, value: Any, meta: dict) -> None:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if choices is not None:
        if value not in choices:
            raise ParamError(f"{name} = {value!r}: must be one of {', '.join(choices)}")
        return
    items = value if isinstance(value, list) else [value]
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if not math.isfinite(v):
            raise ParamError(f"{name} = {value!r}: must be a finite number")
        if lo is not None and v < lo:
            allowed = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            raise ParamError(f"{name} = {value!r}: must be {allowed}")
        if hi is not None and v > hi:
            allowed = f"between {lo:g} and {hi:g}" if lo is not None else f"at most {hi:g}"
            raise ParamError(f"{name} = {value!r}: must be {allowed}")


def validate(params: SimParams) -> SimParams:
    """Check every range and cross-field rule; raise :class:`ParamError` naming the field."""
    for name, value, f in iter_fields(params):
        _check_range(name, value, dict(f.metadata))
    t = params.territory
    shares = [t.smb.share, t.mid.share, t.ent.share]
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ParamError(
            f"territory.smb/mid/ent.share = {shares}: must sum to 1 (they sum to {sum(shares):g})"
        )
    m = params.manager
    fixed = m.admin_share + m.deal_support_share + m.coaching_share + m.inspection_share
    if fixed > 1.0 + 1e-9:
        raise ParamError(
            f"manager.admin_share + deal_support_share + coaching_share + inspection_share = "
            f"{fixed:g}: must be at most 1 (they are shares of one week)"
        )
    if params.rep.max_hours_per_week < params.rep.hours_per_week:
        raise ParamError(
            f"rep.max_hours_per_week = {params.rep.max_hours_per_week:g}: must be at least "
            f"rep.hours_per_week ({params.rep.hours_per_week:g})"
        )
    _validate_plan(params.plan)
    return params


def _check_tiers(where: str, starts: list[float], rates: list[float]) -> None:
    if len(starts) != len(rates) or not starts:
        raise ParamError(
            f"{where}.tier_starts has {len(starts)} entries and tier_rates "
            f"{len(rates)}: must be the same number, at least one"
        )
    if starts[0] != 0.0 or any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ParamError(f"{where}.tier_starts = {starts}: must start at 0 and increase")


def _check_thresholds(where: str, thresholds: list[float], amounts: list[float]) -> None:
    if len(thresholds) != len(amounts):
        raise ParamError(
            f"{where}.thresholds has {len(thresholds)} entries and amounts {len(amounts)}: "
            "must be the same number"
        )
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise ParamError(f"{where}.thresholds = {thresholds}: must increase")


def _check_window(where: str, start_week: int, end_week: int) -> None:
    if end_week < start_week:
        raise ParamError(
            f"{where}.end_week = {end_week}: must be at least {where}.start_week ({start_week})"
        )


def _validate_plan(plan: PlanParams) -> None:
    c, b = plan.commission, plan.bonus
    _check_tiers("plan.commission", c.tier_starts, c.tier_rates)
    _check_thresholds("plan.bonus", b.thresholds, b.amounts)
    weights = plan.individual_weight + plan.team_weight
    if abs(weights - 1.0) > 1e-6:
        raise ParamError(f"plan.individual_weight + plan.team_weight = {weights:g}: must sum to 1")
    _check_window("plan.campaign", plan.campaign.start_week, plan.campaign.end_week)
    if c.cap and b.thresholds and c.cap < max(b.thresholds):
        raise ParamError(
            f"plan.commission.cap = {c.cap:g}: must be 0 (none) or at least the highest bonus "
            f"threshold ({max(b.thresholds):g})"
        )
    if plan.components:
        _validate_components(plan)


#: the singular blocks a plan with a list must leave at their defaults (the rank
#: block's leaderboard and forced ranking apply to the whole plan, so only its prize)
_SINGULAR = {
    "commission": CommissionParams(),
    "bonus": BonusParams(),
    "team": TeamParams(),
    "campaign": CampaignParams(),
}


def _validate_components(plan: PlanParams) -> None:
    """Check every listed component, naming it as ``plan.components[i].field``."""
    for block, default in _SINGULAR.items():
        if getattr(plan, block) != default:
            raise ParamError(
                f"plan.{block}: a plan with components is paid by its list alone; "
                f"leave plan.{block} at its defaults and list the {block} as a component"
            )
    if plan.rank.prize != 0.0:
        raise ParamError(
            "plan.rank.prize: a plan with components is paid by its list alone; "
            "list the rank prize as a component (kind: rank)"
        )
    seen: dict[str, int] = {}
    for i, cp in enumerate(plan.components):
        where = f"plan.components[{i}]"
        if not isinstance(cp, ComponentParams):
            raise ParamError(f"{where}: must be a component (name, kind, period, measure, ...)")
        for name, value, f in iter_fields(cp, where + "."):
            _check_range(name, value, dict(f.metadata))
        if not cp.name.isidentifier():
            raise ParamError(
                f"{where}.name = {cp.name!r}: must be a name of letters, digits and _ "
                "(it names the component's pay)"
            )
        if cp.name in seen:
            raise ParamError(
                f"{where}.name = {cp.name!r}: already names plan.components[{seen[cp.name]}]; "
                "names must be unique"
            )
        seen[cp.name] = i
        if cp.kind == "commission":
            _check_tiers(where, cp.tier_starts, cp.tier_rates)
        elif cp.kind == "bonus":
            _check_thresholds(where, cp.thresholds, cp.amounts)
        elif cp.kind == "campaign":
            _check_window(where, cp.start_week, cp.end_week)
            if cp.measure != "total":
                raise ParamError(
                    f"{where}.measure = {cp.measure!r}: a campaign's sales are chosen by its "
                    "segment and weeks; must be total"
                )
        if cp.quota_share <= 0 and cp.kind != "campaign":
            raise ParamError(
                f"{where}.quota_share = {cp.quota_share:g}: must be above 0 (attainment "
                "is the measure's bookings over this share of quota)"
            )


def flatten(params: Any) -> dict[str, Any]:
    """Flatten parameters to ``{"org.n_reps": 60, ...}`` for tables (lists become strings)."""
    return {name: (str(v) if isinstance(v, list) else v) for name, v, _ in iter_fields(params)}
