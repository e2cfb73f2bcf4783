"""Fitting an organisation to its own history: what is fitted, to what, and the loss.

The method is the calibration's (``experiments/estimation``): simulated moments
against observed ones, a Huber loss of each moment's ``z``, an Optuna TPE search
(:mod:`simulator.history_study`). Here the observed moments are a history's
(:func:`simulator.history_summary.summarise_history`) and the simulated ones
are the same function applied to the model's own histories
(:func:`~simulator.history_summary.model_history`), so like is compared with like.

- **The organisation's shape is read, not fitted** (:func:`organisation_of`):
  seats (the most reps in seat at once), teams (span of control) and years.
- **Fitted** (:data:`FIT_PARAMETERS`): territory spread, quota difficulty, the
  quit hazard, onboarding length and seasonality, each with the moments that
  identify it; everything else stays at the model's defaults.
- **Observed uncertainty** by a bootstrap over reps (:func:`observe`): reps are
  drawn with replacement, each with all its rows, and the summary recomputed.
- **Simulated** moments (:func:`simulate`) on ``replications`` runs whose seeds
  are the same for every trial (common random numbers).
- **The loss** (:func:`loss`): ``sum(rho(z))`` over :data:`FIT_MOMENTS`, with
  ``z = (sim_mean - obs) / sqrt(obs_se**2 + sim_se**2 + (SCALE_FLOOR * obs)**2)``
  and ``rho`` Huber's (``z**2`` up to :data:`simulator.studies.HUBER_Z`, linear beyond), so one
  moment the model cannot reach does not pull every parameter toward it.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.history import QUARTERS_PER_YEAR, quarter_start, read_history
from simulator.history_summary import model_history, summarise_history
from simulator.params import SimParams
from simulator.run import replication_seeds, run_many, with_overrides
from simulator.studies import robust_square

#: reporting: the first calendar year of a simulated history (its dates only; no moment reads it)
START_YEAR = 2021
#: numerical: days between the instants at which reps in seat are counted
COUNT_EVERY_DAYS = 7
#: numerical: the floor of a moment's scale, as a share of the observed value (a model is
#: not expected to match a history closer than this; small: the model made the example)
SCALE_FLOOR = 0.02
#: numerical: the z of a moment the simulation cannot give (NaN in every replication)
NOT_ESTIMATED_Z = 5.0
#: reporting: the two-sided level of the intervals (observed, simulated)
LEVEL = 0.95


@dataclass(frozen=True)
class FitParameter:
    """One fitted parameter: dotted name, searched range, log scale, integer, what tells it."""

    name: str
    lo: float
    hi: float
    log: bool = False
    integer: bool = False
    told_by: str = ""

    def clip(self, value: float) -> float:
        """``value`` inside the searched range (an int for an integer parameter)."""
        inside = min(max(float(value), self.lo), self.hi)
        return int(round(inside)) if self.integer else inside


#: the fitted parameters and their searched ranges (each inside the declared range)
FIT_PARAMETERS = (
    FitParameter(
        "territory.quality_sigma",
        0.1,
        1.2,
        told_by="attainment spread: p10, p90, top-20% share, year-on-year correlation",
    ),
    FitParameter(
        "quota.aggressiveness",
        0.6,
        1.6,
        log=True,
        told_by="attainment level: median, share at quota, involuntary turnover",
    ),
    FitParameter(
        "rep.quit_per_year",
        0.05,
        0.8,
        log=True,
        told_by="voluntary turnover, overall and by tenure",
    ),
    FitParameter(
        "hiring.onboarding_weeks",
        4,
        52,
        integer=True,
        told_by="first-year sales against seasoned reps', ramp",
    ),
    FitParameter(
        "market.seasonality", 0.0, 0.6, told_by="each calendar quarter's share of a year's sales"
    ),
)

#: the moments that tell each fitted parameter (a file without them cannot identify it)
TOLD_BY = {
    "territory.quality_sigma": (
        "attainment_p10",
        "attainment_p90",
        "top20_revenue_share",
        "attainment_yoy_corr",
    ),
    "quota.aggressiveness": ("attainment_median", "share_at_quota", "turnover_involuntary"),
    "rep.quit_per_year": (
        "turnover_voluntary",
        "turnover_voluntary_tenure_lt1y",
        "turnover_voluntary_tenure_2yplus",
    ),
    "hiring.onboarding_weeks": ("first_year_sales_ratio", "ramp_months_median"),
    "market.seasonality": ("sales_share_q1", "sales_share_q2", "sales_share_q3", "sales_share_q4"),
}

#: the summary's moments the loss compares (summarise_history's keys)
FIT_MOMENTS = (
    "attainment_median",
    "attainment_p10",
    "attainment_p90",
    "share_at_quota",
    "top20_revenue_share",
    "attainment_yoy_corr",
    "turnover_voluntary",
    "turnover_involuntary",
    "turnover_voluntary_tenure_lt1y",
    "turnover_voluntary_tenure_2yplus",
    "turnover_total_low_tercile",
    "ramp_months_median",
    "first_year_sales_ratio",
    "sales_share_q1",
    "sales_share_q2",
    "sales_share_q3",
    "sales_share_q4",
)


def organisation_of(history: pd.DataFrame) -> dict[str, int]:
    """The organisation's shape read from the history: seats, span of control, years.

    ``org.n_reps``: the most reps in seat at once, counted every
    :data:`COUNT_EVERY_DAYS` days (a rep is in seat from the later of its hire
    date and its first row's quarter to its exit date, else to its last row's
    quarter end); a seat vacant all along cannot be seen. ``org.span_of_control``:
    seats over teams, rounded up. ``run.years``: the history's quarters over 4,
    rounded up.
    """
    first = history.groupby("rep_id")["period_index"].min()
    last = history.groupby("rep_id")["period_index"].max()
    start = quarter_start(first.to_numpy()).to_numpy()
    end = quarter_start(last.to_numpy() + 1).to_numpy()
    if "hire_date" in history:
        hire = history.groupby("rep_id")["hire_date"].first().reindex(first.index).to_numpy()
        start = np.where(pd.notna(hire) & (hire > start), hire, start)
    if "exit_date" in history:
        gone = history.groupby("rep_id")["exit_date"].first().reindex(first.index).to_numpy()
        end = np.where(pd.notna(gone), gone + np.timedelta64(1, "D"), end)
    t0 = quarter_start([history["period_index"].min()])[0]
    t1 = quarter_start([history["period_index"].max() + 1])[0]
    instants = pd.date_range(t0, t1, freq=f"{COUNT_EVERY_DAYS}D", inclusive="left").to_numpy()
    in_seat = (start[None, :] <= instants[:, None]) & (instants[:, None] < end[None, :])
    seats = max(int(in_seat.sum(axis=1).max()), 1)
    teams = max(int(history["team"].nunique()), 1)
    quarters = int(history["period_index"].max() - history["period_index"].min() + 1)
    return {
        "org.n_reps": seats,
        "org.span_of_control": math.ceil(seats / teams),
        "run.years": math.ceil(quarters / QUARTERS_PER_YEAR),
    }


# ---------------------------------------------------------------- observed


@dataclass(frozen=True)
class Observed:
    """A history's moments with bootstrap standard errors and percentile intervals."""

    values: dict[str, float]
    se: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    draws: int


def _numeric(summary: dict) -> dict[str, float]:
    return {k: float(v) for k, v in summary.items() if isinstance(v, int | float)}


def bootstrap_draw(history: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The history with its reps drawn with replacement, each with all its rows, renamed."""
    groups = list(history.groupby("rep_id", sort=True).indices.values())
    pick = rng.integers(0, len(groups), len(groups))
    index = np.concatenate([groups[i] for i in pick])
    names = np.repeat([f"B{k:05d}" for k in range(len(pick))], [len(groups[i]) for i in pick])
    out = history.iloc[index].copy()
    out["rep_id"] = names
    return out.reset_index(drop=True)


def observe(history: pd.DataFrame, draws: int = 200, seed: int = 0) -> Observed:
    """The history's moments, bootstrap standard errors and 95% percentile intervals."""
    values = _numeric(summarise_history(history))
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        [_numeric(summarise_history(bootstrap_draw(history, rng))) for _ in range(draws)]
    )
    tail = (1 - LEVEL) / 2
    se, low, high = {}, {}, {}
    for key in values:
        col = table[key].to_numpy(float) if key in table else np.array([])
        col = col[np.isfinite(col)]
        enough = len(col) > 1
        se[key] = float(col.std(ddof=1)) if enough else math.nan
        low[key] = float(np.quantile(col, tail)) if enough else math.nan
        high[key] = float(np.quantile(col, 1 - tail)) if enough else math.nan
    return Observed(values, se, low, high, draws)


# ---------------------------------------------------------------- simulated


def base_params(shape: dict[str, int], fixed: dict[str, object] | None = None) -> SimParams:
    """The defaults with the history's shape and any ``fixed`` changes."""
    return with_overrides(SimParams(), **shape, **(fixed or {}))


def simulate(
    params: SimParams, point: dict[str, float], replications: int, seed: int
) -> pd.DataFrame:
    """One row of history moments per replication of ``params`` with ``point`` set.

    Replication ``r`` runs on the ``r``-th of
    :func:`simulator.run.replication_seeds`, the same for every point (common
    random numbers). Each run's evaluation window is written as a history file
    and read back (:func:`~simulator.history.read_history`), exactly as a
    user's file is.
    """
    run_params = with_overrides(params, **point)
    rows = []
    with tempfile.TemporaryDirectory(prefix="salesim-fit-") as folder:
        path = Path(folder) / "history.csv"
        for result in run_many(run_params, replication_seeds(seed, replications)):
            model_history(result.tables, START_YEAR).to_csv(path, index=False)
            rows.append(_numeric(summarise_history(read_history(path))))
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MomentFit:
    """A moment observed and simulated: value, interval, simulated mean and interval, z."""

    name: str
    observed: float
    observed_low: float
    observed_high: float
    observed_se: float
    simulated: float
    simulated_low: float
    simulated_high: float
    simulated_se: float
    z: float
    in_loss: bool = True
    inside: bool = field(init=False)

    def __post_init__(self) -> None:
        inside = self.observed_low <= self.simulated <= self.observed_high
        object.__setattr__(self, "inside", bool(inside))


def _sim_stats(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard error and 95% t interval of the finite replications (NaN when none)."""
    from scipy import stats

    values = values[np.isfinite(values)]
    if len(values) == 0:
        return (math.nan,) * 4
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan, math.nan
    se = float(values.std(ddof=1) / math.sqrt(len(values)))
    half = float(stats.t.ppf(1 - (1 - LEVEL) / 2, len(values) - 1)) * se
    return mean, se, mean - half, mean + half


def moment_z(observed: float, observed_se: float, simulated: np.ndarray) -> float:
    """The signed ``z`` of one moment (module docstring); NOT_ESTIMATED_Z when none simulated."""
    mean, se, _, _ = _sim_stats(np.asarray(simulated, float))
    if not math.isfinite(mean):
        return NOT_ESTIMATED_Z
    terms = [t for t in (observed_se, se) if math.isfinite(t)]
    scale = math.sqrt(sum(t * t for t in terms) + (SCALE_FLOOR * observed) ** 2)
    return (mean - observed) / (scale or 1e-12)


def usable_moments(observed: Observed, moments: tuple[str, ...] = FIT_MOMENTS) -> list[str]:
    """The moments the history gives: a finite value and a standard error above 0.

    A moment every bootstrap draw gives the same (no leaver under a year's tenure
    in a small history) says nothing about its uncertainty, and would weigh
    without limit, so it is left out.
    """
    return [
        m
        for m in moments
        if math.isfinite(observed.values.get(m, math.nan)) and observed.se.get(m, math.nan) > 0
    ]


def loss_terms(observed: Observed, simulated: pd.DataFrame, moments: list[str]) -> dict[str, float]:
    """Moment -> ``robust_square(z)`` over ``moments``."""
    out = {}
    for m in moments:
        sim = simulated[m].to_numpy(float) if m in simulated else np.array([math.nan])
        out[m] = robust_square(moment_z(observed.values[m], observed.se[m], sim))
    return out


def loss(observed: Observed, simulated: pd.DataFrame, moments: list[str]) -> float:
    """The fit's loss: the sum of :func:`loss_terms`."""
    return float(sum(loss_terms(observed, simulated, moments).values()))


def compare(observed: Observed, simulated: pd.DataFrame, moments: list[str]) -> list[MomentFit]:
    """Every numeric moment both sides give, observed against simulated (loss moments first)."""
    skip = {"quarters", "reps", "teams", "rows", "rep_years_full", "yoy_pairs", "exits"}
    skip |= {"exits_inferred", "new_hires", "new_hires_ramped", "headcount_mean"}
    others = [
        k
        for k in observed.values
        if k not in moments
        and k not in skip
        and k in simulated
        and math.isfinite(observed.values[k])
    ]
    out = []
    for m in [*moments, *others]:
        sim = simulated[m].to_numpy(float) if m in simulated else np.array([math.nan])
        mean, se, lo, hi = _sim_stats(sim)
        out.append(
            MomentFit(
                m,
                observed.values[m],
                observed.low.get(m, math.nan),
                observed.high.get(m, math.nan),
                observed.se.get(m, math.nan),
                mean,
                lo,
                hi,
                se,
                moment_z(observed.values[m], observed.se.get(m, math.nan), sim),
                in_loss=m in moments,
            )
        )
    return out
