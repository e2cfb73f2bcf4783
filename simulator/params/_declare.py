"""How a parameter is declared, and the constants the groups share.

:func:`p` declares one parameter; :data:`FITTED` holds the fitted defaults and
:func:`fitted` applies them to a group; the calendar and the choices of the
choice parameters are named once here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import field
from importlib import resources
from typing import Any

WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13
#: pay periods in weeks: a pay "month" is a 4-week period (13 a year, as in a 13-period
#: accounting calendar); months reported to users are calendar months
#: (:data:`simulator.metrics.WEEKS_PER_MONTH`, 52/12 weeks)
PERIOD_WEEKS = {"month": 4, "quarter": WEEKS_PER_QUARTER, "year": WEEKS_PER_YEAR}
#: how the company target is set each year (see ``org.target_basis``)
TARGET_BASES = ("fixed", "last_year")
COACHING_POLICIES = ("equal", "new_first", "middle_first", "bottom_first", "top_first")
ONBOARDING_KINDS = ("product", "buyer")
TABLE_CHOICES = ("auto", "all", "none")
QUOTA_POLICIES = ("top_down", "equal", "potential", "ratchet", "history")
ROLE_BASES = ("potential", "history")
TEAM_SPLITS = ("equal", "contribution")
CAMPAIGN_SEGMENTS = ("all", "smb", "mid", "ent")
#: kinds of a plan's listed components (``plan.components``)
COMPONENT_KINDS = ("commission", "bonus", "rank", "team", "campaign")
#: the bookings a component can be measured on: all of them, first sales to an account
#: (new logos), later sales to a customer (expansion), or one segment's
MEASURES = ("total", "new_logo", "expansion", "segment:smb", "segment:mid", "segment:ent")


def _load_fitted() -> dict[str, float]:
    """The fitted defaults (``simulator/fitted_defaults.json``, written by ``make calibrate``)."""
    path = resources.files("simulator") / "fitted_defaults.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["parameters"])


#: dotted name -> default fitted by simulation-based estimation (make calibrate)
FITTED: dict[str, float] = _load_fitted()


def fitted(prefix: str):
    """Class decorator (below ``@dataclass``): defaults of ``prefix.*`` fields from :data:`FITTED`.

    The declared default stays in the field's metadata as ``prior`` (the value
    before fitting); the fitted value becomes the default everywhere (CLI,
    docs, app, sweeps).
    """

    def apply(cls):
        for name, value in vars(cls).copy().items():
            if isinstance(value, dataclasses.Field) and f"{prefix}.{name}" in FITTED:
                fit = FITTED[f"{prefix}.{name}"]
                cast = type(value.default)
                meta = {**value.metadata, "prior": value.default, "fitted": True}
                setattr(cls, name, field(default=cast(fit), metadata=meta))
        return cls

    return apply


def p(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    doc: str = "",
    choices: tuple[str, ...] | None = None,
    **extra: Any,
) -> Any:
    """Declare a parameter: default, closed range ``[lo, hi]``, unit and doc."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "doc": doc, "choices": choices, **extra}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)
