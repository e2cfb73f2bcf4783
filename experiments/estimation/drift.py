"""The steady state as moments: a fitted organisation must not drift year by year.

The literature's moments are read over the three evaluation years of a run,
so a point whose levels keep climbing scores as well as one that has settled
(the fit of 2026-12-04 was rejected for it: revenue against target rose 0.012
a year over 10 years). These terms price drift, so the fit itself prefers a
steady point: for each headline level of
:data:`experiments.validation.steady.LEVELS` (share at quota, revenue against
target, customer share, mean skill), the slope per year over long runs
started from the point's own steady installed base, after the first
:data:`DRIFT_SKIP` evaluation year (what is left of the transient), becomes

    z = mean slope / sqrt(se**2 + tol**2),  tol = MATERIAL * |level| / (years - 1)

and the term is :func:`~simulator.studies.robust_square` of
``z``. ``tol`` is the slope that moves the level by ``MATERIAL`` of itself over
the run, the threshold at which ``make validate``'s steady-state check calls a
level drifting, so a point on that threshold pays about 1 per level; ``se``
(the standard error of the mean slope over seeds) keeps a slope the seeds
cannot pin down from costing more than its noise.

The long runs are too dear for every trial (10 years against 4), so the
terms are added where the fit chooses among its best trials
(:func:`experiments.estimation.study.recheck`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.validation.measures import level_slopes
from experiments.validation.steady import LEVELS, MATERIAL, steady_installed_base, yearly_levels
from salesim_cli.config import override_key
from simulator.studies import robust_square

#: evaluation years left out of the slope: what is left of the initial transient
DRIFT_SKIP = 1
#: evaluation years of a drift run
DRIFT_YEARS = 10
#: seeds of a drift run
DRIFT_SEEDS = 10
#: seeds of the drift runs that score the fit's final candidates. The terms are noisy:
#: the committed defaults of 2026-12-05 score 1.3, 9.3 and 12.9 on seeds 0-5, 6-11 and
#: 12-17 (6.6 on all 18), so a choice between two points needs more seeds than a recheck
FINAL_DRIFT_SEEDS = 18
#: the initial conditions a drift run sets to the point's own steady state
BASE_KEYS = (
    "territory.customer_share",
    "territory.customer_penetration",
    "org.initial_tenure_years",
    "org.initial_selling_share",
    "org.initial_tenure_aptitude_elasticity",
    "territory.former_customer_share",
    "territory.initial_base_by_size",
)
#: and those of each segment (territory.SEG.KEY)
SEGMENT_BASE_KEYS = ("customer_share_ratio", "penetration_ratio", "initial_trust")


def is_base(key: str) -> bool:
    """Whether parameter ``key`` is an initial condition of the installed base."""
    return key in BASE_KEYS or key.rsplit(".", 1)[-1] in SEGMENT_BASE_KEYS


def _without_base(overrides: tuple[str, ...]) -> tuple[str, ...]:
    """``overrides`` less any initial condition of the installed base."""
    return tuple(o for o in overrides if not is_base(override_key(o)))


def drift_terms_of(levels: pd.DataFrame, years: int, skip: int = DRIFT_SKIP) -> dict[str, float]:
    """Level name -> drift term, from per-seed yearly levels (index the year, a ``seed`` column).

    The years before ``first year + skip`` are left out; a level with fewer
    than two years left, or fewer than two seeds, gets NaN.
    """
    first = levels.index.min()
    late = levels[levels.index >= first + skip]
    out: dict[str, float] = {}
    by_seed = [level_slopes(run[list(LEVELS.values())]) for _, run in late.groupby("seed")]
    for drift, level in LEVELS.items():
        slopes = [s[level] for s in by_seed if not math.isnan(s[level])]
        if len(slopes) < 2:
            out[drift] = float("nan")
            continue
        mean = float(np.mean(slopes))
        se = float(np.std(slopes, ddof=1) / math.sqrt(len(slopes)))
        tol = MATERIAL * abs(float(late[level].mean())) / max(years - 1, 1)
        scale = math.hypot(se, tol)
        out[drift] = robust_square(mean / scale) if scale > 0 else 0.0
    return out


def drift_terms(
    overrides: tuple[str, ...] = (),
    seeds: int = DRIFT_SEEDS,
    years: int = DRIFT_YEARS,
    workers: int = 1,
    rebase: bool = True,
) -> dict[str, float]:
    """The drift terms of the default organisation with ``overrides`` (:func:`drift_terms_of`).

    Runs ``seeds`` seeds for ``years`` evaluation years, started from the
    point's own steady installed base
    (:func:`~experiments.validation.steady.steady_installed_base`, as the fit
    starts its chosen point), so what is measured is the point's drift, not its
    way from another point's initial conditions. Without ``rebase`` the runs
    start from the installed base ``overrides`` give (or the defaults' base):
    a point whose base is already settled, as it will be written, is measured
    as ``make validate`` and every user will run it. That matters because the
    base is not quite a fixed point: rep tenure settles over decades, and the
    committed defaults of 2026-12-05 score drift terms 6.6 from their own base
    and 13.2 from a base re-derived by an 8-year run from it (18 seeds, 10 years).
    """
    if rebase:
        base = steady_installed_base(_without_base(overrides), workers=workers)
        overrides = (*_without_base(overrides), *(f"{k}={v:.4g}" for k, v in base.items()))
    _, levels = yearly_levels(seeds, years, workers, tuple(overrides))
    return drift_terms_of(levels, years)


def drift_loss(terms: dict[str, float]) -> float:
    """The sum of the drift terms; a level that could not be measured counts as 0."""
    return float(sum(v for v in terms.values() if not math.isnan(v)))
