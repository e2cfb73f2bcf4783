"""The parameter space of the fit: which parameters, their ranges, and where the fit starts.

``experiments/calibration_space.yaml`` is a list of ``{name, lo, hi, log}``:
a dotted parameter of :class:`simulator.params.SimParams`, the range searched
(inside the parameter's declared range) and whether to search it on a log
scale (``lo > 0``). :func:`load_space` refuses unknown names and bad ranges
with a one-line :class:`SpaceError`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from simulator.params import SimParams, iter_fields

SPACE = Path(__file__).resolve().parents[1] / "calibration_space.yaml"


class SpaceError(ValueError):
    """A malformed parameter space; the message names the entry and the field."""


@dataclass(frozen=True)
class Dimension:
    """One fitted parameter: dotted name, searched range, log scale, integer-valued."""

    name: str
    lo: float
    hi: float
    log: bool = False
    integer: bool = False

    def distribution(self):
        """The Optuna distribution of the dimension."""
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.lo), int(self.hi), log=self.log)
        return FloatDistribution(self.lo, self.hi, log=self.log)


def parse_space(data: object, where: str = "space") -> list[Dimension]:
    """Dimensions of a space document read from YAML; :class:`SpaceError` on a bad entry."""
    if not isinstance(data, list) or not data:
        raise SpaceError(f"{where}: must be a non-empty list of {{name, lo, hi, log}}")
    fields = {name: (value, f) for name, value, f in iter_fields(SimParams())}
    out: list[Dimension] = []
    for i, raw in enumerate(data):
        if not isinstance(raw, dict):
            raise SpaceError(f"{where}: entry {i + 1}: must be a mapping {{name, lo, hi, log}}")
        name = raw.get("name")
        label = f"{where}: {name if name else f'entry {i + 1}'}"
        unknown = sorted(set(raw) - {"name", "lo", "hi", "log"})
        if unknown:
            raise SpaceError(f"{label}: {unknown[0]}: unknown field; allowed: name, lo, hi, log")
        if name not in fields:
            close = difflib.get_close_matches(str(name), list(fields), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise SpaceError(f"{label}: name: not a parameter of simulator.params{hint}")
        default, f = fields[name]
        meta, integer = dict(f.metadata), f.type in ("int", int)
        if isinstance(default, bool) or not isinstance(default, int | float):
            raise SpaceError(f"{label}: name: not a numeric parameter ({default!r})")
        for key in ("lo", "hi"):
            v = raw.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise SpaceError(f"{label}: {key} = {v!r}: must be a finite number")
        lo, hi, log = float(raw["lo"]), float(raw["hi"]), raw.get("log", False)
        if not isinstance(log, bool):
            raise SpaceError(f"{label}: log = {log!r}: must be true or false")
        if not lo < hi:
            raise SpaceError(f"{label}: lo = {lo:g}, hi = {hi:g}: lo must be below hi")
        if log and lo <= 0:
            raise SpaceError(f"{label}: lo = {lo:g}: a log scale needs lo > 0")
        plo, phi = meta.get("lo"), meta.get("hi")
        if (plo is not None and lo < plo) or (phi is not None and hi > phi):
            raise SpaceError(
                f"{label}: [{lo:g}, {hi:g}] leaves the parameter's range [{plo}, {phi}]"
            )
        if any(d.name == name for d in out):
            raise SpaceError(f"{label}: name: listed twice")
        out.append(Dimension(name, lo, hi, log, integer))
    return out


@dataclass(frozen=True)
class Stage:
    """One stage of a staged fit: its parameters, the experiments its loss reads, its trials.

    ``experiments`` None means every experiment of the train findings.
    """

    name: str
    space: list[Dimension]
    experiments: tuple[str, ...] | None = None
    trials: int | None = None


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpaceError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SpaceError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def parse_stages(data: object, where: str = "space") -> list[Stage]:
    """Stages of a space document: a plain list is one stage over every experiment.

    A staged document is ``{stages: [{name, experiments, trials, parameters}, ...]}``:
    block-coordinate estimation, each stage fitting its parameters to the train
    findings of its experiments (``all`` or a list) with the earlier stages'
    best values fixed.
    """
    if isinstance(data, list):
        return [Stage("all", parse_space(data, where))]
    if not isinstance(data, dict) or set(data) != {"stages"} or not data["stages"]:
        raise SpaceError(f"{where}: must be a list of parameters or {{stages: [...]}}")
    stages: list[Stage] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["stages"]):
        label = f"{where}: stage {i + 1}"
        if not isinstance(raw, dict):
            raise SpaceError(
                f"{label}: must be a mapping {{name, experiments, trials, parameters}}"
            )
        unknown = sorted(set(raw) - {"name", "experiments", "trials", "parameters"})
        if unknown:
            raise SpaceError(
                f"{label}: {unknown[0]}: unknown field; allowed: name, experiments, trials, "
                "parameters"
            )
        name = str(raw.get("name") or f"stage{i + 1}")
        space = parse_space(raw.get("parameters"), f"{label} ({name})")
        again = sorted(seen & {d.name for d in space})
        if again:
            raise SpaceError(f"{label} ({name}): {again[0]}: fitted by an earlier stage too")
        seen |= {d.name for d in space}
        experiments = raw.get("experiments", "all")
        if experiments != "all" and (
            not isinstance(experiments, list) or not all(isinstance(e, str) for e in experiments)
        ):
            raise SpaceError(f"{label} ({name}): experiments: must be 'all' or a list of names")
        trials = raw.get("trials")
        if trials is not None and (isinstance(trials, bool) or not isinstance(trials, int)):
            raise SpaceError(f"{label} ({name}): trials = {trials!r}: must be a whole number")
        stages.append(
            Stage(name, space, None if experiments == "all" else tuple(experiments), trials)
        )
    return stages


def load_stages(path: str | Path = SPACE) -> list[Stage]:
    """Read and check a (possibly staged) parameter space file (see :func:`parse_stages`)."""
    path = Path(path)
    return parse_stages(_read(path), str(path))


def load_space(path: str | Path = SPACE) -> list[Dimension]:
    """Every dimension of a parameter space file, over all its stages."""
    return [d for stage in load_stages(path) for d in stage.space]


def defaults(space: list[Dimension]) -> dict[str, float]:
    """The current defaults of the space's parameters (fitted ones included)."""
    values = {name: value for name, value, _ in iter_fields(SimParams())}
    return {d.name: values[d.name] for d in space}


def priors(space: list[Dimension]) -> dict[str, float]:
    """The declared defaults before any fit (``prior`` metadata), else the defaults."""
    out = {}
    for name, value, f in iter_fields(SimParams()):
        if any(d.name == name for d in space):
            out[name] = f.metadata.get("prior", value)
    return out


def start_point(space: list[Dimension]) -> dict[str, float]:
    """The first trial: the current defaults, clipped into the space's ranges."""
    current = defaults(space)
    out = {}
    for d in space:
        value = min(max(current[d.name], d.lo), d.hi)
        out[d.name] = int(round(value)) if d.integer else float(value)
    return out


def point_overrides(point: dict[str, float]) -> tuple[str, ...]:
    """Hydra overrides setting a point (``rep.effort_cost=0.75``)."""
    return tuple(f"{name}={value!r}" for name, value in point.items())


def round4(value: float) -> float | int:
    """``value`` to 4 significant digits (integers stay integers)."""
    return value if isinstance(value, int) else float(f"{value:.4g}")
