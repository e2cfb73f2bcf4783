"""The evidence base: published findings and how the model reproduces each.

``validation/evidence.yaml`` lists quantified findings from the literature
under ``findings:``. Each names the published number (``value``, its range
``low``-``high`` and standard error ``se``, any of them null), its split
(``train`` findings enter the calibration's loss, ``test`` findings never do),
its ``weight`` in the loss, and under ``model:`` how the model reproduces it:
an experiment (a ``conf/experiment`` bundle, whose ``hydra.sweeper.params``
are its arms, or ``default``, the default organisation alone), a per-run
measure (a key of :func:`experiments.validation.measures.run_measured`) and a
kind:

- ``level``: the measure's mean in one arm (``at``; empty for ``default``);
- ``difference``: ``arm - base`` per paired replication;
- ``relative``: ``arm / base - 1`` per paired replication;
- ``ratio``: ``arm / base`` per paired replication;
- ``elasticity``: the relative change of the measure over the relative change
  of another measure ``per`` (``relative(metric) / relative(per)``), per
  paired replication.

``sign`` (+1, -1, 0) is the published direction of an effect and ``size``
whether the published number is a size to reproduce (false: direction only).
``base``, ``arm`` and ``at`` name one arm each: every sweep parameter of the
experiment, each at one of its sweep values (``0.2`` and ``"0.2"`` and
``false`` match the sweep's text). ``cite`` (optional) is a short citation for
readers: a scenario report sets its baseline's levels beside the published ones
under it (:mod:`salesim_cli.field`).

:func:`load` validates a file strictly and refuses a bad one with a one-line
:class:`EvidenceError` naming the finding, the field and what is allowed.
Simulating, estimating and judging the findings, and the calibration's loss,
are in :mod:`experiments.estimation.moments`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from experiments.validation.experiments import experiment_names, sweep_params

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "validation" / "evidence.yaml"
DEFAULT = "default"
KINDS = ("level", "difference", "relative", "ratio", "elasticity")
SPLITS = ("train", "test")
SIGNS = (-1, 0, 1)
#: the finding's literature fields (text or null)
TEXT_FIELDS = (
    "cite",
    "topic",
    "claim",
    "source",
    "url",
    "population",
    "design",
    "measure",
    "uncertainty",
    "quote",
    "notes",
)
NUMBER_FIELDS = ("value", "low", "high", "se")
REQUIRED = ("id", "claim", "source", "split", "model")
FINDING_KEYS = {"id", "verified", "split", "weight", "model", *TEXT_FIELDS, *NUMBER_FIELDS}
MODEL_KEYS = {"experiment", "metric", "kind", "base", "arm", "at", "sign", "size", "per"}


class EvidenceError(ValueError):
    """A malformed evidence file; the message names the finding and the field."""


@dataclass(frozen=True)
class ModelSpec:
    """How the model reproduces a finding: experiment, measure, kind and arms.

    ``base``, ``arm`` and ``at`` map sweep parameters to their values as the
    experiment's sweep writes them (text), so they select rows of the
    experiment's results table directly.
    """

    experiment: str
    metric: str
    kind: str
    base: dict[str, str] = field(default_factory=dict)
    arm: dict[str, str] = field(default_factory=dict)
    at: dict[str, str] = field(default_factory=dict)
    sign: int = 0
    size: bool = True
    per: str | None = None


@dataclass(frozen=True)
class Finding:
    """One published finding and its model mapping (see the module docstring)."""

    id: str
    claim: str
    source: str
    split: str
    model: ModelSpec
    value: float | None = None
    low: float | None = None
    high: float | None = None
    se: float | None = None
    weight: float = 1.0
    verified: bool = False
    text: dict[str, str | None] = field(default_factory=dict)

    @property
    def is_effect(self) -> bool:
        """True for every kind but ``level``."""
        return self.model.kind != "level"

    @property
    def null(self) -> float:
        """The no-effect value: 1 for ``ratio``, else 0."""
        return 1.0 if self.model.kind == "ratio" else 0.0

    @property
    def band(self) -> bool:
        """True when both ``low`` and ``high`` are given."""
        return self.low is not None and self.high is not None

    @property
    def one_sided(self) -> bool:
        """True when ``value`` is null and only one of ``low`` and ``high`` is given."""
        return self.value is None and (self.low is None) != (self.high is None)

    @property
    def target(self) -> float | None:
        """The number the fit aims at (None when there is none or only a bound)."""
        if self.band and (not self.is_effect or self.value is None):
            return 0.5 * (self.low + self.high)
        return self.value

    @property
    def published(self) -> float | None:
        """The published number sizes are compared with: value, else mid-band, else the bound."""
        if self.value is not None:
            return self.value
        if self.band:
            return 0.5 * (self.low + self.high)
        return self.low if self.low is not None else self.high

    @property
    def published_sd(self) -> float:
        """The published uncertainty as a standard deviation: se, else the 95% band / 3.92."""
        if self.se is not None:
            return self.se
        return (self.high - self.low) / 3.92 if self.band else 0.0


# -- loading ----------------------------------------------------------------------------------


def _fail(where: str, name: str, problem: str) -> EvidenceError:
    return EvidenceError(f"{where}: finding {name!r}: {problem}")


def _number(raw: dict, key: str, err) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise err(f"{key} = {value!r}: must be a finite number or null")
    return float(value)


def _matches(value: object, text: str) -> bool:
    """Whether a YAML value names the sweep value ``text`` (``0.2`` and ``"0.2"``, ``false``)."""
    if str(value) == text:
        return True
    parsed = yaml.safe_load(text)
    if isinstance(parsed, bool) or isinstance(value, bool):
        return isinstance(parsed, bool) and isinstance(value, bool) and parsed == value
    return parsed == value


def _arm(spec: dict, key: str, experiment: str, err) -> dict[str, str]:
    """``model.<key>`` as sweep text; every sweep parameter given, each value one of its arms."""
    chosen = spec.get(key) or {}
    if not isinstance(chosen, dict):
        raise err(f"model.{key} = {chosen!r}: must be a mapping of sweep parameter to value")
    grid = sweep_params(experiment)
    out = {}
    for name, value in chosen.items():
        if name not in grid:
            raise err(
                f"model.{key}.{name}: not a sweep parameter of experiment {experiment!r}; "
                f"allowed: {', '.join(grid)}"
            )
        text = next((t for t in grid[name] if _matches(value, t)), None)
        if text is None:
            raise err(
                f"model.{key}.{name} = {value!r}: not an arm of experiment {experiment!r}; "
                f"allowed: {', '.join(grid[name])}"
            )
        out[name] = text
    missing = [n for n in grid if n not in out]
    if missing:
        raise err(
            f"model.{key} must name one arm of experiment {experiment!r}: "
            f"missing {', '.join(missing)}"
        )
    return out


def _model(spec: object, err, experiments: list[str]) -> ModelSpec:
    if not isinstance(spec, dict):
        raise err("model: must be a mapping (experiment, metric, kind, ...)")
    unknown = sorted(set(spec) - MODEL_KEYS)
    if unknown:
        raise err(f"model.{unknown[0]}: unknown field; allowed: {', '.join(sorted(MODEL_KEYS))}")
    for key in ("experiment", "metric", "kind"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise err(f"model.{key}: missing (a non-empty text)")
    exp, kind = spec["experiment"], spec["kind"]
    if exp != DEFAULT and exp not in experiments:
        raise err(
            f"model.experiment = {exp!r}: not in conf/experiment; "
            f"allowed: {DEFAULT}, {', '.join(experiments)}"
        )
    if kind not in KINDS:
        raise err(f"model.kind = {kind!r}: must be one of {', '.join(KINDS)}")
    sign, size = spec.get("sign", 0), spec.get("size", True)
    if sign not in SIGNS or isinstance(sign, bool):
        raise err(f"model.sign = {sign!r}: must be one of -1, 0, 1")
    if not isinstance(size, bool):
        raise err(f"model.size = {size!r}: must be true or false")
    per = spec.get("per")
    if (kind == "elasticity") != (per is not None):
        problem = "missing (the measure the elasticity is taken to)" if per is None else "unused"
        raise err(f"model.per: {problem}; only kind elasticity has one")
    if per is not None and not isinstance(per, str):
        raise err(f"model.per = {per!r}: must be a measure name")
    arms = {}
    if kind == "level":
        for key in ("base", "arm"):
            if spec.get(key):
                raise err(f"model.{key}: not used by kind level (give model.at)")
        if exp == DEFAULT and spec.get("at"):
            raise err("model.at: must be empty for experiment default (it has one arm)")
        if exp != DEFAULT:
            arms["at"] = _arm(spec, "at", exp, err)
    else:
        if exp == DEFAULT:
            raise err(f"model.kind = {kind!r}: experiment default has one arm; only level")
        if spec.get("at"):
            raise err(f"model.at: not used by kind {kind} (give model.base and model.arm)")
        arms = {key: _arm(spec, key, exp, err) for key in ("base", "arm")}
        if arms["base"] == arms["arm"]:
            raise err("model.arm: the same arm as model.base")
    return ModelSpec(exp, spec["metric"], kind, sign=sign, size=size, per=per, **arms)


def _check_numbers(f: Finding, err) -> None:
    if f.band and f.low > f.high:
        raise err(f"low = {f.low:g} > high = {f.high:g}: low must not exceed high")
    if f.se is not None and f.se < 0:
        raise err(f"se = {f.se:g}: must be at least 0")
    if f.value is not None and (
        (f.low is not None and f.value < f.low) or (f.high is not None and f.value > f.high)
    ):
        raise err(f"value = {f.value:g}: outside [low, high] = [{f.low}, {f.high}]")
    m = f.model
    if m.size and f.value is None and f.low is None and f.high is None:
        raise err("value, low and high are all null: size: true needs a number (or size: false)")
    if not m.size and m.sign == 0:
        raise err("model.sign = 0 with size: false: nothing to judge (give a sign or a size)")
    no_size = f.null if f.is_effect else 0.0
    if m.size and not f.band and f.published is not None and f.published == no_size:
        raise err(
            f"value = {f.published:g}: no size to match within a factor 2 "
            "(give low and high, or size: false)"
        )
    if f.is_effect and m.sign != 0 and f.value is not None and f.value != f.null:
        if np.sign(f.value - f.null) != m.sign:
            raise err(f"model.sign = {m.sign}: contradicts value = {f.value:g}")


def parse(data: object, where: str = "evidence") -> list[Finding]:
    """Findings of an evidence document already read from YAML (see :func:`load`)."""
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise EvidenceError(f"{where}: must have a top-level list 'findings:'")
    experiments = experiment_names()
    out: list[Finding] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["findings"]):
        name = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"

        def err(problem: str, name=name) -> EvidenceError:
            return _fail(where, str(name), problem)

        if not isinstance(raw, dict):
            raise err("must be a mapping of fields")
        unknown = sorted(set(raw) - FINDING_KEYS)
        if unknown:
            raise err(f"{unknown[0]}: unknown field; allowed: {', '.join(sorted(FINDING_KEYS))}")
        for key in REQUIRED:
            if raw.get(key) in (None, ""):
                raise err(f"{key}: missing")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise err(f"id = {name!r}: must be snake_case (lower-case letters, digits, _)")
        if name in seen:
            raise err("id: duplicate (ids must be unique)")
        seen.add(name)
        for key in TEXT_FIELDS:
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise err(f"{key} = {raw[key]!r}: must be text or null")
        if raw["split"] not in SPLITS:
            raise err(f"split = {raw['split']!r}: must be one of {', '.join(SPLITS)}")
        weight = raw.get("weight", 1.0)
        weight = 1.0 if weight is None else weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight >= 0:
            raise err(f"weight = {weight!r}: must be a number at least 0")
        verified = raw.get("verified", False)
        if not isinstance(verified, bool):
            raise err(f"verified = {verified!r}: must be true or false")
        finding = Finding(
            id=name,
            claim=raw["claim"],
            source=raw["source"],
            split=raw["split"],
            model=_model(raw["model"], err, experiments),
            weight=float(weight),
            verified=verified,
            text={k: raw.get(k) for k in TEXT_FIELDS},
            **{k: _number(raw, k, err) for k in NUMBER_FIELDS},
        )
        _check_numbers(finding, err)
        out.append(finding)
    return out


def load(path: str | Path = EVIDENCE) -> list[Finding]:
    """Read and validate an evidence file; raise :class:`EvidenceError` on the first problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise EvidenceError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    return parse(data, str(path))


def train(findings: Iterable[Finding]) -> list[Finding]:
    """The findings of the training split (the only ones the loss sees)."""
    return [f for f in findings if f.split == "train"]
