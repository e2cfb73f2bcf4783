"""The library's front door: run one simulation and get its tables and summary."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from simulator.metrics import summarise
from simulator.model import SalesModel
from simulator.params import SimParams, validate


@dataclass
class RunResult:
    """Tables and headline metrics of one run."""

    seed: int
    params: SimParams
    tables: dict[str, pd.DataFrame]
    summary: dict[str, float]


def run_one(params: SimParams | None = None, seed: int = 0) -> RunResult:
    """Validate ``params``, simulate warm-up plus evaluation years, and summarise.

    Args:
        params: all parameters; defaults when None.
        seed: the run's seed (0 is a seed like any other).
    """
    params = validate(params if params is not None else SimParams())
    model = SalesModel(params, seed)
    for _ in range(model.n_weeks):
        model.step()
    tables = model.tables()
    return RunResult(seed, params, tables, summarise(tables, model.n_seats))


def with_overrides(params: SimParams, **changes: object) -> SimParams:
    """Copy of ``params`` with dotted-name changes, e.g. ``{"manager.coaching_share": 0.3}``."""
    out = dataclasses.replace(params)
    for dotted, value in changes.items():
        *path, leaf = dotted.split(".")
        obj = out
        parents = []
        for name in path:
            parents.append((obj, name))
            obj = getattr(obj, name)
        obj = dataclasses.replace(obj, **{leaf: value})
        for parent, name in reversed(parents):
            obj = dataclasses.replace(parent, **{name: obj})
        out = obj
    return out
