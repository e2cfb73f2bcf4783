"""PRIM, Friedman and Fisher's Patient Rule Induction Method (1999), on numpy.

Given inputs ``x`` (a table, one row per run) and where a condition holds
``y`` (one flag per run), :func:`prim` starts from the box holding every run
and peels off a small slice of it at a time: the slice whose removal raises the
share of runs inside where the condition holds (the box's *density*) the most
per share of the box's runs removed. Each box on the way is recorded with its
*coverage* (the share of all runs where the condition holds that lie inside),
density and *mass* (the share of all runs inside): the peeling trajectory.

Numeric inputs (float columns) are peeled from below or above at the quantile
``peel_alpha`` of the values in the box; a value shared by more runs than that
(an integer parameter's, say) is peeled whole. Every other column is
categorical: a peel drops one of its values, so a box restricts it to a set
(``plan.name in {ranking, hybrid}``) rather than to one-hot columns. There is
no pasting phase: the trajectory is the peeling alone, and the box is chosen
from it by a density threshold (or as the last, smallest one). Each of the
box's restrictions gets a quasi-p-value (Bryant and Lempert 2010), and those
above a limit may be dropped (:func:`prune`).

Written from the paper for this project; :mod:`simulator.discover` prepares
``x`` and ``y`` from the results pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulator.discover import DiscoverError

PEEL_ALPHA = 0.05  # share of the box's runs one numeric peel removes
MIN_MASS = 0.05  # peeling stops before a box would hold fewer runs than this share
THRESHOLD_DENSITY = 0.8  # the chosen box: the first whose density reaches this


# ---------------------------------------------------------------- boxes


@dataclass
class Step:
    """One box of the peeling trajectory."""

    step: int
    coverage: float
    density: float
    mass: float
    n_runs: int
    peeled: str  # the input the step peeled ("" for the first box)
    limits: dict[str, dict[str, Any]]  # restricted inputs only (see :meth:`Box.limits`)

    @property
    def n_restricted(self) -> int:
        """How many inputs the box restricts."""
        return len(self.limits)

    def row(self) -> dict[str, Any]:
        """The step as a plain dict (the JSON trajectory's entries)."""
        return {
            "step": self.step,
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "n_runs": self.n_runs,
            "n_restricted": self.n_restricted,
            "peeled": self.peeled,
            "limits": self.limits,
        }


class _Box:
    """Numeric limits (inclusive) and allowed categories, with the runs inside."""

    def __init__(self, x: pd.DataFrame) -> None:
        self.numeric = [c for c in x.columns if _is_number(x[c])]
        self.categorical = [c for c in x.columns if c not in self.numeric]
        self.values = x[self.numeric].to_numpy(dtype=float)
        self.codes = {c: x[c].to_numpy() for c in self.categorical}
        self.lo = self.values.min(axis=0)
        self.hi = self.values.max(axis=0)
        self.full_lo, self.full_hi = self.lo.copy(), self.hi.copy()
        self.allowed = {c: sorted(set(self.codes[c])) for c in self.categorical}
        self.inside = np.ones(len(x), dtype=bool)

    def limits(self) -> dict[str, dict[str, Any]]:
        """The restricted inputs only: ``{"min": lo, "max": hi}`` or ``{"in": [...]}``.

        ``None`` for ``min`` or ``max`` means that side is not restricted.
        """
        out: dict[str, dict[str, Any]] = {}
        for j, name in enumerate(self.numeric):
            low = self.lo[j] > self.full_lo[j]
            high = self.hi[j] < self.full_hi[j]
            if low or high:
                out[name] = {
                    "min": float(self.lo[j]) if low else None,
                    "max": float(self.hi[j]) if high else None,
                }
        for name in self.categorical:
            if len(self.allowed[name]) < len(set(self.codes[name])):
                out[name] = {"in": list(self.allowed[name])}
        return out

    def peels(self, alpha: float):
        """Every candidate peel: ``(input, removed runs, apply)``; apply narrows the box."""
        inside = self.inside
        for j, name in enumerate(self.numeric):
            v = self.values[inside, j]
            for side in ("min", "max"):
                cut = _cut(v, alpha, side)
                if cut is None:
                    continue
                column = self.values[:, j]
                gone = inside & ((column < cut) if side == "min" else (column > cut))
                yield name, gone, _setter(self.lo if side == "min" else self.hi, j, cut)
        for name in self.categorical:
            if len(self.allowed[name]) < 2:
                continue
            for category in self.allowed[name]:
                gone = inside & (self.codes[name] == category)
                yield name, gone, _dropper(self.allowed[name], category)


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _cut(values: np.ndarray, alpha: float, side: str) -> float | None:
    """The new limit of a peel from ``side``: the ``alpha`` quantile, or the next distinct value.

    None when every value is the same (nothing to peel).
    """
    distinct = np.unique(values)
    if len(distinct) < 2:
        return None
    if side == "min":
        cut = float(np.quantile(values, alpha, method="lower"))
        return cut if cut > distinct[0] else float(distinct[1])
    cut = float(np.quantile(values, 1 - alpha, method="higher"))
    return cut if cut < distinct[-1] else float(distinct[-2])


def _setter(limits: np.ndarray, j: int, value: float):
    def apply() -> None:
        limits[j] = value

    return apply


def _dropper(allowed: list[str], category: str):
    def apply() -> None:
        allowed.remove(category)

    return apply


# ---------------------------------------------------------------- PRIM


@dataclass
class PrimResult:
    """The peeling trajectory and the box chosen from it."""

    trajectory: list[Step]
    chosen: int  # index into trajectory
    rule: str  # how the box was chosen, in words
    n_runs: int
    n_true: int
    settings: dict[str, Any] = field(default_factory=dict)
    #: per restriction of :attr:`box`: its quasi-p-value and the box's numbers without it
    significance: dict[str, dict[str, float]] = field(default_factory=dict)
    pruned: Step | None = None  # the chosen box less its restrictions above max_qp
    dropped: list[str] = field(default_factory=list)  # the restrictions pruning dropped

    @property
    def peeled_box(self) -> Step:
        """The box chosen from the trajectory, before any pruning."""
        return self.trajectory[self.chosen]

    @property
    def box(self) -> Step:
        """The box found: the chosen one, pruned when ``max_qp`` was given."""
        return self.pruned if self.pruned is not None else self.peeled_box

    def trajectory_table(self) -> pd.DataFrame:
        """One row per step: step, coverage, density, mass, n_runs, n_restricted, peeled."""
        rows = [{k: v for k, v in s.row().items() if k != "limits"} for s in self.trajectory]
        return pd.DataFrame(rows)


def prim(
    x: pd.DataFrame,
    y: np.ndarray | pd.Series,
    peel_alpha: float = PEEL_ALPHA,
    min_mass: float = MIN_MASS,
    threshold_density: float | None = THRESHOLD_DENSITY,
    max_qp: float | None = None,
) -> PrimResult:
    """Peel boxes of ``x`` (from :func:`discovery_inputs`) towards the runs where ``y`` is True.

    Each step takes, among every input's peels that leave at least
    ``min_mass`` of the runs, the one with the largest gain in density per
    share of the box's runs removed (ties: the smaller peel, then the first
    input). Peeling stops when no peel is left or the density is 1. The chosen
    box is the first whose density reaches ``threshold_density`` (the densest
    if none does), or with ``threshold_density=None`` the last one.

    Each restriction of the box gets a quasi-p-value (:func:`significance`);
    with ``max_qp``, restrictions above it are dropped one at a time, the
    least significant first (:func:`prune`), since the last peels of a small
    sample often trim edges that held no hit by chance.

    Raises:
        DiscoverError: for bad settings, an empty ``x``, or a ``y`` that is
            all True or all False.
    """
    _check_settings(peel_alpha, min_mass, threshold_density, max_qp)
    y = np.asarray(y, dtype=bool)
    if x.shape[1] == 0:
        raise DiscoverError(f"no input varies across the {len(x)} runs: nothing to explain")
    if len(y) != len(x):
        raise DiscoverError(f"{len(y)} outcomes for {len(x)} input rows")
    n, n_true = len(y), int(y.sum())
    if n_true in (0, n):
        raise DiscoverError(f"the condition holds for {n_true} of {n} runs: nothing to discover")
    box = _Box(x)
    trajectory = [_step(0, box, y, n_true, "")]
    while trajectory[-1].density < 1:
        best = _best_peel(box, y, peel_alpha, min_mass * n)
        if best is None:
            break
        name, gone, apply = best
        apply()
        box.inside &= ~gone
        trajectory.append(_step(len(trajectory), box, y, n_true, name))
    chosen, rule = _choose(trajectory, threshold_density, min_mass)
    settings = {
        "peel_alpha": peel_alpha,
        "min_mass": min_mass,
        "threshold_density": threshold_density,
        "max_qp": max_qp,
    }
    result = PrimResult(trajectory, chosen, rule, n, n_true, settings)
    if max_qp is not None:
        result.pruned, result.dropped = prune(x, y, result.peeled_box, max_qp)
    result.significance = significance(x, y, result.box.limits)
    return result


def _check_settings(
    peel_alpha: float, min_mass: float, threshold_density: float | None, max_qp: float | None
) -> None:
    if not 0 < peel_alpha < 0.5:
        raise DiscoverError(f"peel alpha = {peel_alpha:g}: must be above 0 and below 0.5")
    if not 0 < min_mass < 1:
        raise DiscoverError(f"minimum mass = {min_mass:g}: must be above 0 and below 1")
    if threshold_density is not None and not 0 < threshold_density <= 1:
        raise DiscoverError(
            f"threshold density = {threshold_density:g}: must be above 0 and at most 1"
        )
    if max_qp is not None and not 0 < max_qp < 1:
        raise DiscoverError(f"max qp = {max_qp:g}: must be above 0 and below 1")


def _step(k: int, box: _Box, y: np.ndarray, n_true: int, peeled: str) -> Step:
    inside = int(box.inside.sum())
    hits = int(y[box.inside].sum())
    return Step(k, hits / n_true, hits / inside, inside / len(y), inside, peeled, box.limits())


def _best_peel(box: _Box, y: np.ndarray, alpha: float, min_runs: float):
    n_old = int(box.inside.sum())
    hits_old = int(y[box.inside].sum())
    density_old = hits_old / n_old
    best, best_key = None, None
    for name, gone, apply in box.peels(alpha):
        removed = int(gone.sum())
        n_new = n_old - removed
        if removed == 0 or n_new < min_runs:
            continue
        density_new = (hits_old - int(y[gone].sum())) / n_new
        key = ((density_new - density_old) / (removed / n_old), n_new)
        if best_key is None or key > best_key:
            best, best_key = (name, gone, apply), key
    return best


def _choose(
    trajectory: list[Step], threshold_density: float | None, min_mass: float
) -> tuple[int, str]:
    if threshold_density is None:
        return len(trajectory) - 1, f"the last box before the mass falls below {min_mass:g}"
    for step in trajectory:
        if step.density >= threshold_density:
            return step.step, f"the first box with density >= {threshold_density:g}"
    densest = max(trajectory, key=lambda s: (s.density, s.coverage))
    return densest.step, (
        f"no box reached density {threshold_density:g}; the densest "
        f"(peeling stopped at mass {trajectory[-1].mass:.3g})"
    )


# ---------------------------------------------------------------- restrictions


def in_box(x: pd.DataFrame, limits: dict[str, dict[str, Any]]) -> np.ndarray:
    """Which rows of ``x`` lie in the box ``limits`` (as :attr:`Step.limits`; bounds inclusive)."""
    inside = np.ones(len(x), dtype=bool)
    for name, limit in limits.items():
        column = x[name]
        if "in" in limit:
            inside &= column.isin(limit["in"]).to_numpy()
            continue
        values = column.to_numpy(dtype=float)
        if limit.get("min") is not None:
            inside &= values >= limit["min"]
        if limit.get("max") is not None:
            inside &= values <= limit["max"]
    return inside


def significance(
    x: pd.DataFrame, y: np.ndarray, limits: dict[str, dict[str, Any]]
) -> dict[str, dict[str, float]]:
    """Per restriction of a box, how much it matters.

    ``qp`` is its quasi-p-value (Bryant and Lempert 2010): the chance that the
    box's runs would hold at least its hits if they had the density of the box
    without this restriction (one-sided binomial). ``density_without`` and
    ``coverage_without`` are that box's numbers.
    """
    y = np.asarray(y, dtype=bool)
    inside = in_box(x, limits)
    n, hits = int(inside.sum()), int(y[inside].sum())
    out = {}
    for name in limits:
        wider = in_box(x, {k: v for k, v in limits.items() if k != name})
        density_without = float(y[wider].mean())
        out[name] = {
            "qp": _binomial_tail(hits, n, density_without),
            "density_without": density_without,
            "coverage_without": float(y[wider].sum() / y.sum()),
        }
    return out


def prune(x: pd.DataFrame, y: np.ndarray, box: Step, max_qp: float) -> tuple[Step, list[str]]:
    """``box`` less its restrictions whose quasi-p-value is above ``max_qp``, and their names.

    Drops the least significant restriction, recomputes, and repeats while one is above.
    """
    y = np.asarray(y, dtype=bool)
    limits, dropped = dict(box.limits), []
    while limits:
        qps = {name: s["qp"] for name, s in significance(x, y, limits).items()}
        worst = max(qps, key=lambda name: qps[name])
        if qps[worst] <= max_qp:
            break
        del limits[worst]
        dropped.append(worst)
    inside = in_box(x, limits)
    n, hits = int(inside.sum()), int(y[inside].sum())
    step = Step(box.step, hits / y.sum(), hits / n, n / len(y), n, "pruned", limits)
    return step, dropped


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X binomial with ``n`` trials of chance ``p``."""
    if k <= 0 or p >= 1:
        return 1.0
    if p <= 0 or k > n:
        return 0.0
    logs = np.array(
        [
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * math.log(p)
            + (n - i) * math.log1p(-p)
            for i in range(k, n + 1)
        ]
    )
    top = logs.max()
    return float(min(1.0, math.exp(top) * np.exp(logs - top).sum()))


# ---------------------------------------------------------------- words


def limit_text(name: str, limit: dict[str, Any]) -> str:
    """One restriction in words: ``x >= 0.6``, ``0.2 <= x <= 0.5``, ``plan.name in {a, b}``."""
    if "in" in limit:
        return f"{name} in {{{', '.join(map(str, limit['in']))}}}"
    low, high = limit.get("min"), limit.get("max")
    if low is not None and high is not None:
        return f"{low:.4g} <= {name} <= {high:.4g}"
    return f"{name} >= {low:.4g}" if low is not None else f"{name} <= {high:.4g}"


__all__ = [
    "MIN_MASS",
    "PEEL_ALPHA",
    "THRESHOLD_DENSITY",
    "PrimResult",
    "Step",
    "in_box",
    "limit_text",
    "prim",
    "prune",
    "significance",
]
