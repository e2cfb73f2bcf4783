"""Shared fixtures: cached simulation runs and the per-run metrics the tests compare.

Runs are expensive next to everything else in the suite, so every test that
needs replications asks the session-scoped :func:`replicate` fixture, which
runs each ``(overrides, seed)`` pair once and keeps only a row of metrics (not
the tables). Direction tests pair an arm with the default arm on the same
seeds (common random numbers), so the default arm is shared between them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pytest

from simulator.metrics import annual_attainment
from simulator.params import WEEKS_PER_YEAR, SimParams
from simulator.run import RunResult, run_one, with_overrides


def annual_harmonic(weekly: pd.DataFrame, column: str) -> float:
    """Amplitude of the one-cycle-per-year component of a weekly series, over its mean."""
    week = weekly["week"].to_numpy() % WEEKS_PER_YEAR
    y = weekly[column].to_numpy(float)
    angle = 2 * np.pi * week / WEEKS_PER_YEAR
    design = np.column_stack([np.ones_like(y), np.cos(angle), np.sin(angle)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    return float(np.hypot(coef[1], coef[2]) / coef[0]) if coef[0] > 0 else float("nan")


def run_metrics(result: RunResult) -> dict[str, float]:
    """The summary of a run plus the extra outcomes direction tests look at."""
    out = dict(result.summary)
    tables = result.tables
    weekly = tables["weekly"]
    ev = weekly[~weekly["warmup"]]
    reps = tables["reps"]
    reps_ev = reps[~reps["warmup"]]
    deals = tables["deals"]
    annual = annual_attainment(reps)
    out["skill_mean"] = float(ev["skill_mean"].mean())
    out["attainment_sd"] = float(annual["attainment"].std())
    out["effort_hours_sd"] = float(reps_ev["effort_hours"].std())
    out["opportunities_seasonal_amplitude"] = annual_harmonic(ev, "new_opportunities")
    out["manager_hours_covering"] = float(ev["mgr_hours_covering"].sum())
    out["deals_expansion"] = float(deals["expansion"].sum())
    out["deals_rushed"] = float(deals["rushed"].sum())
    out["deals_held"] = float(weekly["deals_held"].sum())
    out["discounts_total"] = float(deals["discount"].sum())
    out["exits_involuntary"] = float(weekly["exits_involuntary"].sum())
    return out


@pytest.fixture(scope="session")
def replicate() -> Callable[..., pd.DataFrame]:
    """``replicate(seeds, **overrides)``: one row of :func:`run_metrics` per seed, cached."""
    cache: dict[tuple, dict[str, float]] = {}

    def run(seeds: Iterable[int], **overrides: object) -> pd.DataFrame:
        key = tuple(sorted(overrides.items()))
        params = with_overrides(SimParams(), **overrides)
        rows = []
        for seed in seeds:
            if (key, seed) not in cache:
                cache[key, seed] = run_metrics(run_one(params, seed))
            rows.append({"seed": seed, **cache[key, seed]})
        return pd.DataFrame(rows).set_index("seed")

    return run


def paired_difference(base: pd.DataFrame, arm: pd.DataFrame, metric: str) -> tuple[float, float]:
    """Mean and standard error of ``arm - base`` over paired seeds."""
    assert list(base.index) == list(arm.index), "arms must share seeds"
    diff = (arm[metric] - base[metric]).to_numpy(float)
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size))


@pytest.fixture(scope="session")
def direction() -> Callable[..., None]:
    """``direction(base, arm, metric, sign, k=2)``: assert ``sign * mean(arm - base) > k * SE``."""

    def check(
        base: pd.DataFrame, arm: pd.DataFrame, metric: str, sign: int, k: float = 2.0
    ) -> None:
        mean, se = paired_difference(base, arm, metric)
        assert sign * mean > k * se, (
            f"{metric}: paired difference {mean:.4g} (SE {se:.4g}, n={len(base)}) is not "
            f"{'above' if sign > 0 else 'below'} zero by {k} standard errors"
        )

    return check
