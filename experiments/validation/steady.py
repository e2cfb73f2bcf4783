"""Steady state: does the default organisation settle, or drift year by year?

Runs the default organisation for many evaluation years over several seeds
and, for each headline level (share of reps at quota, revenue against the
company target, customer share of accounts, mean skill), fits a slope per
evaluation year in every run (:func:`~experiments.validation.measures.yearly_drift`).
A level *drifts* when the mean slope's 95% interval excludes zero **and** the
change it implies over the run is material: more than :data:`MATERIAL` of the
level's mean. The per-year table shows the levels themselves.

    python -m experiments.validation.steady --seeds 10 --years 10
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd

from experiments.validation.facts import interval
from experiments.validation.measures import levels_by_year, yearly_drift
from salesim_cli.config import compose_config
from simulator.params import validate
from simulator.run import run_one

#: a slope drifts only when it moves the level by more than this share over the run
MATERIAL = 0.05
LEVELS = {
    "drift_share_at_quota": "share_at_quota",
    "drift_revenue_vs_target": "revenue_vs_target",
    "drift_customer_share": "customer_share",
    "drift_skill": "skill",
}


def _one(args: tuple[int, int, tuple[str, ...]]) -> tuple[dict[str, float], pd.DataFrame]:
    seed, years, overrides = args
    kept = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") != "run.years"]
    params, _ = compose_config([*kept, f"run.years={years}"])
    result = run_one(validate(params), seed)
    weekly = result.tables["weekly"]
    ev = weekly[~weekly["warmup"]]
    penetration = ev.groupby(ev["week"] // 52)["penetration"].mean()
    table = levels_by_year(result).assign(penetration=penetration, seed=seed)
    return yearly_drift(result), table


def yearly_levels(
    seeds: int = 10, years: int = 10, workers: int = 2, overrides: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Runs of the default organisation on seeds ``0 .. seeds - 1``: ``(slopes, levels)``.

    ``slopes`` has one row per seed (:func:`~experiments.validation.measures.yearly_drift`);
    ``levels`` one row per seed and evaluation year (indexed by the year), the
    levels of :func:`~experiments.validation.measures.levels_by_year`, the
    penetration and the ``seed``.
    """
    tasks = [(s, years, tuple(overrides)) for s in range(seeds)]
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_one, tasks))
    else:
        results = [_one(t) for t in tasks]
    return pd.DataFrame([r[0] for r in results]), pd.concat([r[1] for r in results])


def steady_state(
    seeds: int = 10, years: int = 10, workers: int = 2, overrides: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-level drift verdicts and the per-year levels (mean over seeds).

    ``overrides`` are command-line overrides (``KEY=VALUE``) of the default
    organisation.

    Returns ``(verdicts, by_year)``: ``verdicts`` has one row per level with
    the mean slope per year, its 95% interval, the level's mean, the change
    over the run as a share of it, and ``drifts``.
    """
    slopes, levels = yearly_levels(seeds, years, workers, overrides)
    by_year = levels.groupby(level=0).mean().drop(columns="seed")
    rows = []
    for drift, level in LEVELS.items():
        mean, lo, hi = interval(slopes[drift].to_numpy())
        level_mean = float(levels[level].mean())
        change = abs(mean) * (years - 1) / abs(level_mean) if level_mean else float("nan")
        rows.append(
            {
                "level": level,
                "mean": level_mean,
                "slope_per_year": mean,
                "ci_low": lo,
                "ci_high": hi,
                "change_over_run": change,
                "drifts": bool((lo > 0 or hi < 0) and change > MATERIAL),
            }
        )
    return pd.DataFrame(rows).set_index("level"), by_year


def steady_installed_base(
    overrides: tuple[str, ...] = (), seeds: int = 4, years: int = 8, workers: int = 2
) -> tuple[float, float]:
    """The installed base the organisation settles at (years 4 on, mean of seeds).

    Returns ``(customer_share, penetration)``: the customer share of accounts
    and the share of its potential a customer buys, the initial conditions
    ``territory.customer_share`` and ``territory.customer_penetration`` that
    start a run in its steady state; ``make calibrate`` sets them from the
    fitted parameters.
    """
    _, by_year = steady_state(seeds, years, workers, overrides)
    late = by_year.loc[by_year.index >= by_year.index.min() + 3]
    return float(late["customer_share"].mean()), float(late["penetration"].mean())


def main(argv: list[str] | None = None) -> int:
    """Command line: print the verdicts and the per-year table; exit 1 when a level drifts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    verdicts, by_year = steady_state(args.seeds, args.years, args.workers)
    with pd.option_context("display.width", 120):
        print(by_year.round(3).to_string())
        print()
        print(verdicts.round(4).to_string())
    return 1 if verdicts["drifts"].any() else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
