"""The eight stylized facts of MODEL.md section 5 and their verdicts.

Each :class:`Fact` names its experiment (``conf/experiment/<experiment>.yaml``),
the published finding, and an ``analyse`` function that turns the
experiment's results table (one row per arm and replication, as
:func:`~experiments.validation.experiments.run_experiments` or the multirun
collector writes it) into :class:`Check` s. Arms are compared on paired
replications (the same seeds in every arm): a check's estimate is the mean
over replications and its interval the 95% t interval, so it tightens with
more replications and widens with fewer. A direction passes when the whole
interval lies on the published side of zero; a fact passes when all its
checks pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

#: 2/13: the share of a quarter's bookings its last two weeks would carry with no spike
FLAT_SHARE = 2 / 13


@dataclass
class Check:
    """One measured claim: its estimate, 95% interval, the expected side, and the verdict."""

    claim: str
    estimate: float
    ci_low: float
    ci_high: float
    expected: str
    passed: bool
    #: standard deviation of the per-replication values and their number
    sd: float = float("nan")
    n: int = 0


@dataclass
class Fact:
    """A stylized fact: where it comes from, its experiment, and how to judge it."""

    key: str
    title: str
    experiment: str
    source: str
    published: str
    analyse: Callable[[pd.DataFrame], list[Check]]
    #: (metric, label) pairs drawn by arm in the fact's figure
    plot: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Verdict:
    """A fact's checks; the first is the headline measure of the report table."""

    fact: Fact
    checks: list[Check]

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def headline(self) -> Check:
        """The check the summary table shows: the first that failed, else the first."""
        return next((c for c in self.checks if not c.passed), self.checks[0])


def select(table: pd.DataFrame, **where: object) -> pd.DataFrame:
    """Rows of one arm, by replication; ``where`` maps column to value (compared as text).

    Column names with dots are passed as ``**{"org.span_of_control": 8}``.
    """
    mask = np.ones(len(table), bool)
    for col, value in where.items():
        mask &= table[col].astype(str).to_numpy() == str(value)
    rows = table[mask].sort_values("replication")
    if rows.empty:
        raise KeyError(f"no arm with {where} in the results table")
    return rows.set_index("replication")


def paired(table: pd.DataFrame, metric: str, base: dict, arm: dict) -> np.ndarray:
    """``arm - base`` of ``metric`` per replication present in both arms."""
    a = select(table, **base)[metric]
    b = select(table, **arm)[metric]
    common = a.index.intersection(b.index)
    return (b.loc[common] - a.loc[common]).to_numpy(float)


def finite(values: np.ndarray) -> np.ndarray:
    """The finite values, as floats."""
    v = np.asarray(values, float)
    return v[np.isfinite(v)]


def spread(values: np.ndarray) -> tuple[float, int]:
    """Standard deviation and number of the finite values."""
    v = finite(values)
    return (float(v.std(ddof=1)) if v.size > 1 else float("nan")), int(v.size)


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t interval of the mean of the finite values."""
    v = finite(values)
    mean = float(v.mean()) if v.size else float("nan")
    if v.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return mean, mean - half, mean + half


def direction(claim: str, values: np.ndarray, sign: int) -> Check:
    """Passes when the 95% interval of the mean lies wholly above (sign +1) or below zero."""
    mean, lo, hi = interval(values)
    passed = bool(lo > 0) if sign > 0 else bool(hi < 0)
    return Check(claim, mean, lo, hi, "> 0" if sign > 0 else "< 0", passed, *spread(values))


def above(claim: str, values: np.ndarray, level: float, label: str) -> Check:
    """Passes when the 95% interval of the mean lies wholly above ``level``."""
    mean, lo, hi = interval(values)
    return Check(claim, mean, lo, hi, f"> {label}", bool(lo > level), *spread(values))


def relative(table: pd.DataFrame, metric: str, base: dict, arm: dict) -> np.ndarray:
    """``arm / base - 1`` of ``metric`` per paired replication."""
    a = select(table, **base)[metric]
    b = select(table, **arm)[metric]
    common = a.index.intersection(b.index)
    return (b.loc[common] / a.loc[common] - 1.0).to_numpy(float)


# -- the facts -------------------------------------------------------------------------------


def spike(t: pd.DataFrame) -> list[Check]:
    """Quarter-end share above 2/13 under the quota plan; lower under a linear commission."""
    quota = {"plan": "quota_bonus"}
    return [
        direction(
            "end-of-period share, linear - quota_bonus",
            paired(t, "end_of_period_share", quota, {"plan": "linear"}),
            -1,
        ),
        above(
            "end-of-period share under quota_bonus",
            select(t, **quota)["end_of_period_share"].to_numpy(),
            FLAT_SHARE,
            "2/13 = 0.154",
        ),
    ]


def timing(t: pd.DataFrame) -> list[Check]:
    """Accelerators pull deals in (rushed share) at a discount, and revenue is lost to it."""
    lin, acc = {"plan": "linear"}, {"plan": "accelerated"}
    return [
        direction(
            "revenue lost to pulled-in deals (share), quota_bonus - linear",
            paired(t, "timing_loss_share", lin, {"plan": "quota_bonus"}),
            +1,
        ),
        direction(
            "revenue lost to pulled-in deals (share), accelerated - linear",
            paired(t, "timing_loss_share", lin, acc),
            +1,
        ),
        direction(
            "share of revenue from pulled-in deals, accelerated - linear",
            paired(t, "rushed_share", lin, acc),
            +1,
        ),
        direction(
            "discounts over list revenue, accelerated - linear",
            paired(t, "discount_share", lin, acc),
            +1,
        ),
    ]


def caps(t: pd.DataFrame) -> list[Check]:
    """Inverted U of effort in distance to quota under a cap; removing it lifts the top decile."""
    capped, free = {"plan": "capped"}, {"plan": "quota_bonus"}
    arm = select(t, **capped)
    return [
        direction(
            "top-decile attainment, no cap - cap",
            paired(t, "attainment_p90", capped, free),
            +1,
        ),
        direction(
            "weekly hours near quota (pace 0.8-1.2) - far behind (< 0.5), capped plan",
            (arm["effort_near"] - arm["effort_behind"]).to_numpy(),
            +1,
        ),
        direction(
            "weekly hours near quota - far ahead (pace > 1.6, past the cap), capped plan",
            (arm["effort_near"] - arm["effort_ahead"]).to_numpy(),
            +1,
        ),
        direction("revenue, no cap / cap - 1", relative(t, "revenue", capped, free), +1),
    ]


def ratchet(t: pd.DataFrame) -> list[Check]:
    """Reps ahead hold back near period end and total sales fall against top-down quotas."""
    top, rat = {"quota": "top_down"}, {"quota": "ratchet"}
    return [
        direction(
            "late share of quarters ending at/above quota, ratchet - top_down",
            paired(t, "late_share_ahead_at_end", top, rat),
            -1,
        ),
        direction(
            "deals held back per rep-quarter at/above quota, ratchet - top_down",
            paired(t, "held_when_ahead", top, rat),
            +1,
        ),
        direction("revenue, ratchet / top_down - 1", relative(t, "revenue", top, rat), -1),
    ]


def ranking(t: pd.DataFrame) -> list[Check]:
    """A wider prize raises mean effort and its spread, lowers helping, raises competition."""
    none, half, full = ({"plan.rank.prize": v} for v in ("0.0", "0.5", "1.0"))
    return [
        direction(
            "weekly selling hours, prize 1.0 - 0", paired(t, "selling_hours_mean", none, full), +1
        ),
        direction(
            "sd of weekly hours across reps, prize 1.0 - 0",
            paired(t, "effort_hours_sd", none, full),
            +1,
        ),
        direction(
            "helping share of hours, prize 1.0 - 0", paired(t, "helping_share", none, full), -1
        ),
        direction(
            "deals lost to colleagues per rep-year, prize 0.5 - 0",
            paired(t, "lost_to_colleagues_per_rep_year", none, half),
            +1,
        ),
        direction(
            "deals lost to colleagues per rep-year, prize 1.0 - 0.5",
            paired(t, "lost_to_colleagues_per_rep_year", half, full),
            +1,
        ),
    ]


def team(t: pd.DataFrame) -> list[Check]:
    """Team pay raises helping and narrows skill; effort falls as teams grow (free riding)."""
    span = "org.span_of_control"

    def arm(plan: str, size: int) -> dict:
        return {"plan": plan, span: size}

    growth_team = paired(t, "effort_hours_mean", arm("team", 4), arm("team", 16))
    growth_ind = paired(t, "effort_hours_mean", arm("quota_bonus", 4), arm("quota_bonus", 16))
    return [
        direction(
            "helping share, team - individual (teams of 8)",
            paired(t, "helping_share", arm("quota_bonus", 8), arm("team", 8)),
            +1,
        ),
        direction(
            "sd of rep skill, team - individual (teams of 8)",
            paired(t, "skill_sd", arm("quota_bonus", 8), arm("team", 8)),
            -1,
        ),
        direction(
            "weekly hours, teams of 16 - 4, team pay minus the same under individual pay",
            growth_team - growth_ind,
            -1,
        ),
        direction(
            "weekly hours under team pay, teams of 16 - 4",
            growth_team,
            -1,
        ),
    ]


def _slope(t: pd.DataFrame, metric: str, lo: str, hi: str) -> np.ndarray:
    """Per replication: change in ``metric`` per coaching hour per rep-month, ``lo`` -> ``hi``."""
    share = "manager.coaching_share"
    d_metric = paired(t, metric, {share: lo}, {share: hi})
    d_hours = paired(t, "coaching_hours_per_rep_month", {share: lo}, {share: hi})
    return d_metric / d_hours


def coaching(t: pd.DataFrame) -> list[Check]:
    """Attainment is concave in coaching hours; the middle 60% gains most."""
    share = "manager.coaching_share"
    low, high = {share: "0.05"}, {share: "0.2"}
    middle = relative(t, "skill_middle", low, high)
    return [
        direction(
            "attainment per coaching hour/rep-month: first hours (0 -> 0.05) - last (0.2 -> 0.3)",
            _slope(t, "attainment_mean", "0.0", "0.05")
            - _slope(t, "attainment_mean", "0.2", "0.3"),
            +1,
        ),
        direction(
            "relative skill gain 0.05 -> 0.2: middle 60% - top 20% (by skill)",
            middle - relative(t, "skill_top", low, high),
            +1,
        ),
        direction(
            "relative skill gain 0.05 -> 0.2: middle 60% - bottom 20% (by skill)",
            middle - relative(t, "skill_bottom", low, high),
            +1,
        ),
        direction(
            "relative attainment gain of the middle 60% (by attainment), 0.05 -> 0.2",
            relative(t, "attainment_middle", low, high),
            +1,
        ),
    ]


def admin(t: pd.DataFrame) -> list[Check]:
    """More admin: less coaching, lower attainment, more turnover, more vacancies."""
    share = "manager.admin_share"
    lo, hi = {share: "0.35"}, {share: "0.55"}
    return [
        direction(
            "coaching hours per rep-month, admin 0.55 - 0.35",
            paired(t, "coaching_hours_per_rep_month", lo, hi),
            -1,
        ),
        direction("mean attainment, admin 0.55 - 0.35", paired(t, "attainment_mean", lo, hi), -1),
        direction("annual turnover, admin 0.55 - 0.35", paired(t, "turnover_total", lo, hi), +1),
        direction("vacancy rate, admin 0.55 - 0.35", paired(t, "vacancy_rate", lo, hi), +1),
        direction(
            "managers' share of time hiring and covering, admin 0.55 - 0.35",
            paired(t, "manager_share_hiring", lo, hi) + paired(t, "manager_share_covering", lo, hi),
            +1,
        ),
    ]


FACTS: list[Fact] = [
    Fact(
        "spike",
        "1. End-of-period spike",
        "spike",
        "Oyer 1998 (QJE); Xactly commission data",
        "last 2 weeks carry far more than 2/13 of a quarter; a linear commission flattens it",
        spike,
        [("end_of_period_share", "share of a quarter booked in its last 2 weeks")],
    ),
    Fact(
        "timing",
        "2. Deal timing and discounts",
        "timing",
        "Larkin 2014 (JOLE): 6-8% of revenue lost",
        "accelerators pull deals in at lower prices; revenue is lost (judged on direction)",
        timing,
        [
            ("timing_loss_share", "revenue lost to pulled-in deals"),
            ("rushed_share", "rushed share"),
        ],
    ),
    Fact(
        "caps",
        "3. Caps and out-of-reach quotas",
        "caps",
        "Misra and Nair 2011 (QME): +9% revenue; Chung, Steenburgh and Sudhir 2014",
        "effort is an inverted U in distance to quota; removing a cap lifts the top decile",
        caps,
        [("attainment_p90", "top-decile attainment"), ("revenue", "revenue per year")],
    ),
    Fact(
        "ratchet",
        "4. Ratchet",
        "ratchet",
        "Weitzman 1980; Bouwens and Kroos 2011; Brahm and Poblete 2018",
        "reps ahead hold back near period end; total sales fall",
        ratchet,
        [
            ("late_share_ahead_at_end", "late share, quarters at/above quota"),
            ("revenue", "revenue"),
        ],
    ),
    Fact(
        "ranking",
        "5. Rank-based pay",
        "ranking",
        "Lazear and Rosen 1981; Drago and Garvey 1998; Harbring and Irlenbusch 2011",
        "more effort and spread, less helping, more internal competition as the prize widens",
        ranking,
        [
            ("selling_hours_mean", "weekly selling hours"),
            ("helping_share", "helping share"),
            ("lost_to_colleagues_per_rep_year", "deals lost to colleagues"),
        ],
    ),
    Fact(
        "team",
        "6. Team pay and team size",
        "team",
        "Holmstrom 1982; Hamilton, Nickerson and Owan 2003",
        "team pay raises helping and spreads skill; individual effort falls as teams grow",
        team,
        [("helping_share", "helping share"), ("effort_hours_mean", "weekly hours")],
    ),
    Fact(
        "coaching",
        "7. Coaching concavity and who gains",
        "coaching",
        "CEB 2011: up to +19% for the middle 60%; Gartner 2019",
        "concave in coaching hours; largest gain for middle performers",
        coaching,
        [("attainment_mean", "mean attainment"), ("attainment_middle", "middle 60% attainment")],
    ),
    Fact(
        "admin",
        "8. The manager-time trap",
        "admin",
        "MODEL.md 5.8 (direction only; no published figure)",
        "more admin: less coaching, lower attainment and retention, compounding via vacancies",
        admin,
        [
            ("coaching_hours_per_rep_month", "coaching h/rep/month"),
            ("attainment_mean", "mean attainment"),
            ("turnover_total", "turnover"),
        ],
    ),
]


def judge(tables: dict[str, pd.DataFrame]) -> list[Verdict]:
    """Verdicts of every fact whose experiment is in ``tables``."""
    return [Verdict(f, f.analyse(tables[f.experiment])) for f in FACTS if f.experiment in tables]
