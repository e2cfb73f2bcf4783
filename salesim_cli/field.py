"""A run's levels beside the published field figures: how far a leader can take them.

salesim's evidence base (``validation/evidence.yaml``, shipped in the package as
``simulator.evidence``) records each quantified finding of the field literature
with its source, its published number or band, and the model measure that reads
it. Its *levels* on the default organisation (the share of reps at quota, the
median attainment, turnover, the cost of sales, ...) are figures a sales leader
can hold a run against. This module picks those whose measure a scenario reports
and, for the baseline variant, sets its mean beside the published span: from the
lowest published number (or band's bottom) to the highest.

Outside the span is a prompt, not a verdict: published figures describe other
companies, and a team described on purpose as unusual should read unusual. The
model was fitted to the train part of the evidence (``make calibrate``), so
agreement with those figures is expected; each figure says which part it is in.
The effect sizes behind a plan comparison are validated in ``validation/report.md``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources

import pandas as pd
import yaml

#: the package and file of the shipped evidence base
EVIDENCE_PACKAGE = "simulator.evidence"
EVIDENCE_FILE = "evidence.yaml"
#: the evidence base's experiment of the default organisation alone
DEFAULT_EXPERIMENT = "default"


class FieldError(ValueError):
    """The evidence base could not be read; the message says where and why."""


@dataclass(frozen=True)
class Published:
    """One published figure: a level finding of the evidence base."""

    id: str
    cite: str
    split: str
    value: float | None
    low: float | None
    high: float | None

    @property
    def span(self) -> tuple[float, float]:
        """The lowest and highest number this figure gives (a value alone: both)."""
        numbers = [x for x in (self.low, self.value, self.high) if x is not None]
        return min(numbers), max(numbers)


@dataclass(frozen=True)
class FieldCheck:
    """The baseline's mean of one metric beside every published figure of it."""

    metric: str
    mean: float
    ci_low: float
    ci_high: float
    published: tuple[Published, ...]

    @property
    def span(self) -> tuple[float, float]:
        """From the lowest published number to the highest."""
        spans = [p.span for p in self.published]
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)

    @property
    def verdict(self) -> str:
        """``inside``, ``below`` or ``above`` the published span (``n/a`` without a mean)."""
        if not math.isfinite(self.mean):
            return "n/a"
        lo, hi = self.span
        return "below" if self.mean < lo else "above" if self.mean > hi else "inside"


def _number(raw: dict, key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"{where}: {key} = {value!r}: must be a number or null")
    return float(value)


def parse_published(data: object, where: str = EVIDENCE_FILE) -> dict[str, list[Published]]:
    """Each metric's published levels on the default organisation, from a parsed evidence file."""
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise FieldError(f"{where}: must have a top-level list 'findings:'")
    out: dict[str, list[Published]] = {}
    for i, raw in enumerate(data["findings"]):
        name = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        model = raw.get("model") if isinstance(raw, dict) else None
        if not isinstance(model, dict):
            raise FieldError(f"{where}: finding {name}: model: must be a mapping")
        if model.get("kind") != "level" or model.get("experiment") != DEFAULT_EXPERIMENT:
            continue
        numbers = {k: _number(raw, k, f"{where}: finding {name}") for k in ("value", "low", "high")}
        if all(v is None for v in numbers.values()):
            continue  # a direction only (no number to set beside a mean)
        cite = raw.get("cite") or str(name)
        out.setdefault(str(model.get("metric")), []).append(
            Published(str(name), str(cite), str(raw.get("split")), **numbers)
        )
    return out


@functools.cache
def load_published() -> dict[str, list[Published]]:
    """The shipped evidence base's published levels by metric; :class:`FieldError` if unreadable.

    Read once a process (a scenario's report and its summary both show them); the
    result is shared, so callers must not change it.
    """
    try:
        text = resources.files(EVIDENCE_PACKAGE).joinpath(EVIDENCE_FILE).read_text("utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise FieldError(f"{EVIDENCE_PACKAGE}/{EVIDENCE_FILE}: cannot read ({exc})") from None
    try:
        # libyaml's loader where PyYAML has it: the same document, several times faster
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        raise FieldError(f"{EVIDENCE_FILE}: not valid YAML: {first}") from None
    return parse_published(data)


def field_checks(
    comparison: pd.DataFrame,
    baseline: str,
    metrics: list[str],
    published: dict[str, list[Published]],
) -> list[FieldCheck]:
    """The baseline's mean and interval of each of ``metrics`` that has published levels."""
    by = comparison.set_index(["metric", "variant"])
    checks = []
    for metric in metrics:
        if metric not in published or (metric, baseline) not in by.index:
            continue
        r = by.loc[(metric, baseline)]
        checks.append(
            FieldCheck(
                metric,
                float(r["mean"]),
                float(r["ci_low"]),
                float(r["ci_high"]),
                tuple(published[metric]),
            )
        )
    return checks
