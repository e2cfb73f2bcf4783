"""Shared fixtures: cached simulation runs and the per-run metrics the tests compare.

Runs are expensive next to everything else in the suite, so every test that
needs replications asks the session-scoped :func:`replicate` fixture, which
runs each ``(overrides, seed)`` pair once and keeps only a row of metrics (not
the tables). Direction tests pair an arm with the default arm on the same
seeds (common random numbers), so the default arm is shared between them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from experiments.validation.measures import late_share, quarter_bookings, run_traced
from salesim_cli.config import to_params
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


# -- plans and quota policies from conf/ ---------------------------------------------


@cache
def composed_params(*overrides: str) -> SimParams:
    """Parameters of ``config`` composed with Hydra overrides (``"plan=ranking"``), as users do."""
    with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    return to_params(cfg)[0]


@pytest.fixture(scope="session")
def compose_params() -> Callable[..., SimParams]:
    """``compose_params(*overrides)``: :func:`composed_params` (cached)."""
    return composed_params


def plan_metrics(result: RunResult, trace: pd.DataFrame) -> dict[str, float]:
    """Outcomes the plan direction tests look at, beyond :func:`run_metrics`.

    - ``effort_past_cap_weekly``: mean weekly hours of reps who had already
      credited 150% of their quarterly quota when choosing them;
    - ``effort_past_cap_quarterly``: mean weekly hours of rep-quarters that
      ended above 150% (held all quarter);
    - ``held_when_ahead``: deals held back per rep-quarter ending at or above quota;
    - ``late_share_ahead_at_end``: share of the bookings of rep-quarters ending
      at or above quota booked in the quarter's last two weeks;
    - ``late_share_ahead_before_window``: the same for rep-quarters that had
      already booked their quota in weeks 0-10, before deals can be moved.
    """
    reps = result.tables["reps"]
    quarters = quarter_bookings(reps, result.tables["deals"])
    ahead = quarters[quarters["attainment"] >= 1.0]
    past_cap = trace["attainment_qtd"] >= 1.5
    return {
        "effort_past_cap_weekly": float(trace.loc[past_cap, "hours"].mean()),
        "effort_past_cap_quarterly": float(
            quarters.loc[quarters["attainment"] > 1.5, "effort_hours"].mean()
        ),
        "held_when_ahead": float(ahead["deals_held"].mean()),
        "late_share_ahead_at_end": late_share(ahead),
        "late_share_ahead_before_window": late_share(
            quarters[quarters["booked_early"] >= quarters["quota"]]
        ),
    }


@pytest.fixture(scope="session")
def replicate_config() -> Callable[..., pd.DataFrame]:
    """``replicate_config(seeds, *overrides)``: :func:`replicate` for configs of conf/.

    ``overrides`` are Hydra overrides (``"plan=ranking"``, ``"quota=ratchet"``);
    each row holds :func:`run_metrics` and :func:`plan_metrics` of one seed,
    cached. With no overrides it runs the default plan, the same parameters as
    ``replicate(seeds)``.
    """
    cache: dict[tuple, dict[str, float]] = {}

    def run(seeds: Iterable[int], *overrides: str) -> pd.DataFrame:
        params = composed_params(*overrides)
        rows = []
        for seed in seeds:
            if (overrides, seed) not in cache:
                result, trace = run_traced(params, seed)
                cache[overrides, seed] = {**run_metrics(result), **plan_metrics(result, trace)}
            rows.append({"seed": seed, **cache[overrides, seed]})
        return pd.DataFrame(rows).set_index("seed")

    return run
