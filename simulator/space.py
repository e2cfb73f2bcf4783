"""Named parameter ranges: parsing and checking them, and setting a point's values.

A *space* names parameters and their ranges, ``{"manager.coaching_share": (0.05, 0.4)}``,
checked against the metadata of :mod:`simulator.params` (:func:`parse_space`).
A list parameter is ranged one element at a time, ``plan.bonus.amounts[0]``.
``plan.team_weight`` and ``plan.individual_weight`` must sum to 1, so ranging
one sets the other to its complement. Integer parameters are rounded to the
nearest integer (:meth:`ParamRange.value`).
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.params import ParamError, SimParams, iter_fields, validate
from simulator.run import with_overrides

#: Pairs of parameters that must sum to 1: ranging one sets the other to the rest.
COMPLEMENTS = {
    "plan.team_weight": "plan.individual_weight",
    "plan.individual_weight": "plan.team_weight",
}

_NAME = re.compile(r"^(?P<field>[A-Za-z_][\w.]*?)(?:\[(?P<index>\d+)\])?$")


@dataclass(frozen=True)
class ParamRange:
    """One ranged parameter: dotted name (``[i]`` for a list element) and closed range."""

    name: str
    lo: float
    hi: float
    integer: bool = False

    @property
    def field(self) -> str:
        """The dotted parameter name without any ``[i]`` element index."""
        return _NAME.match(self.name)["field"]

    @property
    def index(self) -> int | None:
        """The list element ranged, or None for a plain parameter."""
        index = _NAME.match(self.name)["index"]
        return None if index is None else int(index)

    def value(self, x: float) -> float | int:
        """The parameter value a sampled ``x`` stands for (rounded for an integer)."""
        return int(round(x)) if self.integer else float(x)


def parse_range_text(text: str) -> tuple[str, tuple[float, float]]:
    """Parse ``NAME=LO:HI`` (the command line's form) into ``(name, (lo, hi))``."""
    name, sep, bounds = text.partition("=")
    lo_text, sep2, hi_text = bounds.partition(":")
    if not (sep and sep2 and name.strip()):
        raise ParamError(
            f"{text!r}: a range is written NAME=LO:HI, e.g. manager.coaching_share=0.05:0.4"
        )
    try:
        return name.strip(), (float(lo_text), float(hi_text))
    except ValueError:
        raise ParamError(
            f"{text!r}: LO and HI must be numbers, e.g. {name.strip()}=0.1:0.5"
        ) from None


def parse_space(
    ranges: Mapping[str, Sequence[float]] | Iterable[str],
    base: SimParams | None = None,
    single_values: bool = False,
) -> dict[str, ParamRange]:
    """Check named ranges against the parameters' metadata; return them as :class:`ParamRange`.

    Args:
        ranges: ``{name: (lo, hi)}`` or strings ``"name=lo:hi"``.
        base: the configuration the ranges vary (list lengths are checked on it).
        single_values: accept ``lo == hi`` (the span of a given design's column).

    Raises:
        ParamError: naming the parameter, for an unknown name, a parameter that is
            not a number, a list without an element index, an empty range or one
            outside the parameter's allowed range.
    """
    if not isinstance(ranges, Mapping):
        ranges = dict(parse_range_text(text) for text in ranges)
    base = base if base is not None else SimParams()
    fields = {name: (value, f) for name, value, f in iter_fields(base)}
    space = {
        name: _check_range(name, bounds, fields, single_values) for name, bounds in ranges.items()
    }
    if not space:
        raise ParamError("no parameter ranges given: name at least one, e.g. NAME=LO:HI")
    both = [name for name in space if COMPLEMENTS.get(name) in space]
    if both:
        raise ParamError(
            f"{' and '.join(both)}: range only one of them (they sum to 1; the other follows)"
        )
    return space


def _check_range(
    name: str, bounds: Sequence[float], fields: dict, single_values: bool = False
) -> ParamRange:
    match = _NAME.match(name)
    if match is None or match["field"] not in fields:
        close = difflib.get_close_matches(name, list(fields), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ParamError(f"{name}: unknown parameter{hint} (python -m salesim_cli.docs lists them)")
    value, f = fields[match["field"]]
    meta = dict(f.metadata)
    if isinstance(value, list):
        if match["index"] is None:
            raise ParamError(f"{name}: a list parameter; range one element, e.g. {name}[0]")
        if int(match["index"]) >= len(value):
            raise ParamError(
                f"{name}: no such element; {match['field']} has {len(value)} in this "
                f"configuration ({value})"
            )
        value = value[0] if value else 0.0
    elif match["index"] is not None:
        raise ParamError(f"{name}: {match['field']} is not a list; drop the [index]")
    if meta.get("choices") or isinstance(value, bool | str):
        raise ParamError(f"{name}: not a numeric parameter; vary it with a sweep over its choices")
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ParamError(f"{name} = {bounds!r}: give a range as two numbers (lo, hi)") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi or (lo == hi and not single_values):
        raise ParamError(f"{name} = {lo:g}:{hi:g}: the low end must be below the high end")
    allowed_lo, allowed_hi = meta.get("lo"), meta.get("hi")
    if (allowed_lo is not None and lo < allowed_lo) or (allowed_hi is not None and hi > allowed_hi):
        limits = " to ".join(
            "any" if b is None else format(b, "g") for b in (allowed_lo, allowed_hi)
        )
        raise ParamError(f"{name} = {lo:g}:{hi:g}: must lie within {limits}")
    return ParamRange(name, lo, hi, integer=isinstance(value, int))


def apply_point(base: SimParams, space: Mapping[str, ParamRange], values: Mapping) -> SimParams:
    """``base`` with the point's ``values`` set (rounded, list elements, complements); validated."""
    changes: dict[str, Any] = {}
    for name, x in values.items():
        item = space[name]
        value = item.value(x)
        if item.index is not None:
            current = changes.get(item.field, list(_get(base, item.field)))
            current[item.index] = value
            changes[item.field] = current
        else:
            changes[item.field] = value
            if item.field in COMPLEMENTS:
                changes[COMPLEMENTS[item.field]] = 1.0 - value
    return validate(with_overrides(base, **changes))


def _get(params: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        params = getattr(params, part)
    return params


def check_box(base: SimParams, space: Mapping[str, ParamRange]) -> None:
    """Validate ``base`` at every corner of the ranges, so that no point fails a cross-field rule.

    The model's cross-field rules (shares of a week, weights summing to 1) are
    linear, so a box whose corners pass holds no failing point.
    """
    names = list(space)
    for corner in itertools.product(*[(space[n].lo, space[n].hi) for n in names]):
        try:
            apply_point(base, space, dict(zip(names, corner, strict=True)))
        except ParamError as err:
            at = ", ".join(f"{n}={v:g}" for n, v in zip(names, corner, strict=True))
            raise ParamError(f"ranges reach a bad configuration at {at}: {err}") from None
