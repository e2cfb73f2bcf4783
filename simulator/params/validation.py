"""Checking parameters and walking them.

:func:`validate` checks every range and cross-field rule and raises
:class:`ParamError`; :func:`iter_fields` and :func:`flatten` walk the groups.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from simulator.params.plan import PlanParams
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


def _validate_plan(plan: PlanParams) -> None:
    c, b = plan.commission, plan.bonus
    if len(c.tier_starts) != len(c.tier_rates) or not c.tier_starts:
        raise ParamError(
            f"plan.commission.tier_starts has {len(c.tier_starts)} entries and tier_rates "
            f"{len(c.tier_rates)}: must be the same number, at least one"
        )
    if c.tier_starts[0] != 0.0 or any(
        b2 <= a for a, b2 in zip(c.tier_starts, c.tier_starts[1:], strict=False)
    ):
        raise ParamError(
            f"plan.commission.tier_starts = {c.tier_starts}: must start at 0 and increase"
        )
    if len(b.thresholds) != len(b.amounts):
        raise ParamError(
            f"plan.bonus.thresholds has {len(b.thresholds)} entries and amounts {len(b.amounts)}: "
            "must be the same number"
        )
    if any(y <= x for x, y in zip(b.thresholds, b.thresholds[1:], strict=False)):
        raise ParamError(f"plan.bonus.thresholds = {b.thresholds}: must increase")
    weights = plan.individual_weight + plan.team_weight
    if abs(weights - 1.0) > 1e-6:
        raise ParamError(f"plan.individual_weight + plan.team_weight = {weights:g}: must sum to 1")
    if plan.campaign.end_week < plan.campaign.start_week:
        raise ParamError(
            f"plan.campaign.end_week = {plan.campaign.end_week}: must be at least "
            f"plan.campaign.start_week ({plan.campaign.start_week})"
        )
    if c.cap and b.thresholds and c.cap < max(b.thresholds):
        raise ParamError(
            f"plan.commission.cap = {c.cap:g}: must be 0 (none) or at least the highest bonus "
            f"threshold ({max(b.thresholds):g})"
        )


def flatten(params: Any) -> dict[str, Any]:
    """Flatten parameters to ``{"org.n_reps": 60, ...}`` for tables (lists become strings)."""
    return {name: (str(v) if isinstance(v, list) else v) for name, v, _ in iter_fields(params)}
