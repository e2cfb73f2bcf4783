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

import numpy as np
import pandas as pd

from experiments.validation.facts import interval
from experiments.validation.measures import levels_by_year, yearly_drift
from salesim_cli.config import compose_config
from simulator.accounts import NEVER, SEGMENTS
from simulator.learning import selling_share
from simulator.parallel import process_map
from simulator.params import WEEKS_PER_YEAR, validate
from simulator.run import run_one
from simulator.workforce import hiring_lift, rep_admin_hours

#: a slope drifts only when it moves the level by more than this share over the run
MATERIAL = 0.05
LEVELS = {
    "drift_share_at_quota": "share_at_quota",
    "drift_revenue_vs_target": "revenue_vs_target",
    "drift_customer_share": "customer_share",
    "drift_skill": "skill",
}


def _segment_base(model) -> dict[str, float]:
    """Each segment's installed base now: customer share, penetration and customers' trust."""
    a = model.accounts
    n = a.n
    non = ~a.customer[:n]
    former = non & (a.churned_week[:n] != NEVER)
    out = {"former_customer_share": float(former.sum() / max(non.sum(), 1))}
    for i, name in enumerate(SEGMENTS):
        seg = a.segment[:n] == i
        cust = seg & a.customer[:n]
        out[f"customer_share_{name}"] = float(cust.sum() / max(seg.sum(), 1))
        out[f"penetration_{name}"] = a.penetration(model._growth, among=seg)
        out[f"trust_{name}"] = float(a.trust[:n][cust].mean()) if cust.any() else np.nan
    return out


def _selling_share(model, time) -> float:
    """Mean share of a normal selling week the reps in seat sold this week, as they learn by it.

    The measure :func:`simulator.learning.update_skill` is given, so that
    ``org.initial_selling_share`` replays a starting rep's tenure as the run goes on.
    """
    occ = model.seats.occupied
    if not occ.any():
        return float("nan")
    admin = rep_admin_hours(model.params, model.inspection)
    share = selling_share(model.params, time.prospecting + time.advancing, admin)
    return float(np.broadcast_to(share, occ.shape)[occ].mean())


def _aptitude_tilt(model) -> float:
    """How far the reps in seat are selected on aptitude: the tilt beta.

    A hire's aptitude is lognormal (``hiring.aptitude_sigma``) about its
    hiring manager's mean; if the reps in seat are the hires each weighted by an
    expected tenure proportional to aptitude to the power beta, their log
    aptitudes over that mean average ``(beta - 1/2) sigma^2``. This inverts
    that (NaN without reps or spread).
    """
    p = model.params
    st = model.seats
    sigma2 = p.hiring.aptitude_sigma**2
    occ = st.occupied & (st.aptitude > 0)
    if not occ.any() or sigma2 <= 0:
        return float("nan")
    lift = hiring_lift(p, model.coach_quality[occ])  # the seat's manager's quality
    ratio = st.aptitude[occ] / (p.hiring.aptitude_mean * np.maximum(1.0 + lift, 1e-9))
    return float((np.log(ratio).mean() + 0.5 * sigma2) / sigma2)


def _one(args: tuple[int, int, tuple[str, ...]]) -> tuple[dict[str, float], pd.DataFrame]:
    seed, years, overrides = args
    params, _ = compose_config([*overrides, f"run.years={years}"])  # the last value wins
    ends: dict[int, dict[str, float]] = {}
    selling: dict[int, list[float]] = {}

    def year_end(model, event, time):
        """The week's selling share; the installed base in each year's last week (watches only)."""
        if event != "time":
            return
        selling.setdefault(model.week // WEEKS_PER_YEAR, []).append(_selling_share(model, time))
        if model.week % WEEKS_PER_YEAR == WEEKS_PER_YEAR - 1:
            st = model.seats
            ends[model.week // WEEKS_PER_YEAR] = {
                **_segment_base(model),
                "tenure_years_end": float(
                    st.tenure_weeks(model.week)[st.occupied].mean() / WEEKS_PER_YEAR
                ),
                "skill_end": float(st.skill[st.occupied].mean()),
                "tenure_aptitude_elasticity": _aptitude_tilt(model),
            }

    result = run_one(validate(params), seed, observers=[year_end])
    weekly = result.tables["weekly"]
    ev = weekly[~weekly["warmup"]]
    penetration = ev.groupby(ev["week"] // 52)["penetration"].mean()
    table = levels_by_year(result).assign(penetration=penetration, seed=seed)
    table = table.join(pd.DataFrame.from_dict(ends, orient="index"))
    table["selling_share"] = pd.Series({y: float(np.mean(v)) for y, v in selling.items()})
    reps = result.tables["reps"]
    reps = reps[~reps["warmup"]]
    table["tenure_years"] = reps.groupby("year")["tenure_weeks"].mean() / WEEKS_PER_YEAR
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
    results = list(process_map(_one, tasks, workers))
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


def _finite_or(value: float, default: float) -> float:
    return float(value) if np.isfinite(value) else default


def steady_installed_base(
    overrides: tuple[str, ...] = (),
    seeds: int = 4,
    years: int = 8,
    workers: int = 2,
    passes: int = 2,
) -> dict[str, float]:
    """The installed base the organisation settles at: a fixed point of :func:`settled_base`.

    Each of ``passes`` passes runs from the base the last one found (the
    first from the base ``overrides`` give), so a point whose base is far from
    its own starts the last pass near it, and the last pass's years 4 on are
    settled. The values are those of the last pass; see :func:`settled_base`.
    """
    base: dict[str, float] = {}
    for _ in range(max(passes, 1)):
        base = settled_base((*overrides, *_as_overrides(base)), seeds, years, workers)
    return base


def _as_overrides(base: dict[str, float]) -> tuple[str, ...]:
    return tuple(f"{k}={v!r}" for k, v in base.items())


def settled_base(
    overrides: tuple[str, ...] = (), seeds: int = 4, years: int = 8, workers: int = 2
) -> dict[str, float]:
    """The installed base one set of runs settles at (years 4 on, mean of seeds).

    Returns the initial conditions that start a run in its steady state, as
    parameter -> value: ``territory.customer_share`` (the customer share of
    accounts), ``territory.customer_penetration`` (the share of its potential
    a customer buys) and, per segment, ``territory.SEG.customer_share_ratio``
    and ``territory.SEG.penetration_ratio`` (the segment's level over the
    whole's) and ``territory.SEG.initial_trust`` (its customers' mean trust),
    and the workforce's: ``org.initial_tenure_years`` (the mean tenure of the
    reps in seat at a year's end, as the starting reps' tenures are drawn),
    ``org.initial_selling_share`` (the share of a normal selling week reps
    sell, with which a starting rep's tenure is replayed to give its skill)
    and ``org.initial_tenure_aptitude_elasticity`` (how far the reps in seat
    are selected on aptitude). The accounts' slow part:
    ``territory.former_customer_share`` (the share of non-customers that were
    customers once: churned customers fill the pool of non-customers over a
    decade, and a former customer is won back more easily than a prospect is
    landed), drawn with ``territory.initial_base_by_size`` (the accounts ever
    landed are the larger ones, as prospecting finds them).
    Segments settle apart: at the fit of 2026-12-04 enterprise accounts started
    with three customers in four, like every segment, and took five years to
    fall to one in two, which read as a drift of revenue against target.
    ``make calibrate`` sets them from the fitted parameters.
    """
    _, by_year = steady_state(seeds, years, workers, overrides)
    late = by_year.loc[by_year.index >= by_year.index.min() + 3]
    share, penetration = float(late["customer_share"].mean()), float(late["penetration"].mean())
    out = {
        "territory.customer_share": share,
        "territory.customer_penetration": penetration,
        "org.initial_tenure_years": float(late["tenure_years_end"].mean()),
        "org.initial_selling_share": float(late["selling_share"].mean()),
        "org.initial_tenure_aptitude_elasticity": _finite_or(
            late["tenure_aptitude_elasticity"].mean(), 0.0
        ),
        "territory.former_customer_share": float(late["former_customer_share"].mean()),
        "territory.initial_base_by_size": True,
    }
    for name in SEGMENTS:
        seg_share = float(late[f"customer_share_{name}"].mean())
        seg_pen = float(late[f"penetration_{name}"].mean())
        trust = float(late[f"trust_{name}"].mean())
        out[f"territory.{name}.customer_share_ratio"] = seg_share / share if share else 1.0
        out[f"territory.{name}.penetration_ratio"] = (
            seg_pen / penetration if penetration and np.isfinite(seg_pen) else 1.0
        )
        out[f"territory.{name}.initial_trust"] = trust if np.isfinite(trust) else 0.5
    return out


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
