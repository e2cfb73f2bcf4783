"""Summary metrics computed from a run's tables (evaluation window only).

Every function takes the tidy tables (pandas DataFrames) and returns numbers;
none runs the model. Definitions are in README, "Output schema".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.params import WEEKS_PER_YEAR
from simulator.workforce import HOUR_COLUMNS

#: a calendar month in weeks (the ramp is reported in months)
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12


def rep_years(reps: pd.DataFrame) -> pd.DataFrame:
    """Each rep's evaluation years, however long it held the seat in them.

    Indexed by ``rep_id`` and ``year``: the quota and credited sales of the
    quarters it held, its weeks in seat and how many quarters it held.
    """
    rows = reps[~reps["warmup"]]
    return rows.groupby(["rep_id", "year"]).agg(
        quota=("quota", "sum"),
        credited=("credited_sales", "sum"),
        weeks=("weeks_in_seat", "sum"),
        quarters=("quarter", "count"),
    )


def annual_attainment(reps: pd.DataFrame) -> pd.DataFrame:
    """One row per rep and evaluation year in which the rep held the seat all year."""
    g = rep_years(reps)
    full = g[(g["quarters"] == 4) & (g["weeks"] >= WEEKS_PER_YEAR) & (g["quota"] > 0)].copy()
    full["attainment"] = full["credited"] / full["quota"]
    return full.reset_index()


def attainment_moments(att: np.ndarray) -> dict[str, float]:
    """Share at quota, mean, median, p10 and p90 of annual attainments (NaN when none).

    One definition for a run's summary and a leader's history
    (:func:`simulator.history_summary.summarise_history`), so the two compare alike.
    """
    if not att.size:
        return dict.fromkeys(ATTAINMENT_MOMENTS, float("nan"))
    return {
        "share_at_quota": float(np.mean(att >= 1.0)),
        "attainment_mean": float(np.mean(att)),
        "attainment_median": float(np.median(att)),
        "attainment_p10": float(np.quantile(att, 0.1)),
        "attainment_p90": float(np.quantile(att, 0.9)),
    }


#: the keys of :func:`attainment_moments`
ATTAINMENT_MOMENTS = (
    "share_at_quota",
    "attainment_mean",
    "attainment_median",
    "attainment_p10",
    "attainment_p90",
)


def top_share(values: np.ndarray, top: float = 0.2) -> float:
    """Share of the total held by the top ``top`` fraction of values."""
    v = np.sort(np.asarray(values, float))[::-1]
    if v.size == 0 or v.sum() <= 0:
        return float("nan")
    k = max(1, int(round(top * v.size)))
    return float(v[:k].sum() / v.sum())


def regretted_rate(reps: pd.DataFrame, headcount: float, years: float) -> float:
    """Annual rate of voluntary exits by reps in their period's top attainment quartile.

    A leaver counts as top quartile when the attainment of their last full
    quarter before leaving was at or above that quarter's 75th percentile.
    Expressed per top-quartile seat (a quarter of mean headcount).
    """
    full = reps[reps["weeks_in_seat"] >= 13]
    p75 = full.groupby("period")["attainment"].quantile(0.75)
    exits = reps[(reps["exit_kind"] == "voluntary") & ~reps["warmup"]]
    last_full = full.sort_values("period").groupby("rep_id").tail(1).set_index("rep_id")
    leavers = last_full.loc[last_full.index.intersection(exits["rep_id"])]
    top = (leavers["attainment"] >= p75.reindex(leavers["period"]).to_numpy()).sum()
    seats = 0.25 * headcount * years
    return float(top / seats) if seats > 0 else float("nan")


def summarise(tables: dict[str, pd.DataFrame], n_seats: int) -> dict[str, float]:
    """Headline metrics of one run over its evaluation window."""
    weekly = tables["weekly"]
    reps = tables["reps"]
    hires = tables["hires"]
    ev = weekly[~weekly["warmup"]]
    years = len(ev) / WEEKS_PER_YEAR
    annual = annual_attainment(reps)
    att = annual["attainment"].to_numpy()
    headcount = float(ev["headcount"].mean())
    revenue = float(ev["bookings"].sum())
    target = float(ev["target_weekly"].sum())
    comp = float(ev["comp_cost"].sum())
    hours = ev[list(HOUR_COLUMNS)].sum()
    eval_start = int(weekly["week"][~weekly["warmup"]].min()) if len(ev) else 0
    new = hires[(~hires["initial"]) & (hires["hired_week"] >= eval_start)]
    ramp = new["ramp_weeks"].dropna().to_numpy()
    moments = attainment_moments(att)
    median_att = moments["attainment_median"]
    top_q = np.sort(att)[int(0.75 * att.size) :] if att.size else np.array([])
    vol = float(ev["exits_voluntary"].sum())
    invol = float(ev["exits_involuntary"].sum())
    mgr = ev[[c for c in ev.columns if c.startswith("mgr_hours_")]].sum()
    in_last_two = ev["week_in_quarter"] >= 11
    deals = tables["deals"]
    won = deals[deals["won"] & (deals["week"] >= eval_start)]
    customers = float(ev["customers"].mean()) if len(ev) else 0.0

    def rate(exits: float) -> float:
        return float(exits / headcount / years) if headcount > 0 and years > 0 else 0.0

    return {
        **moments,
        "revenue": revenue / years,
        "revenue_vs_target": revenue / target if target > 0 else float("nan"),
        "comp_cost": comp / years,
        "cost_of_sales": comp / revenue if revenue > 0 else float("nan"),
        "turnover_voluntary": rate(vol),
        "turnover_involuntary": rate(invol),
        "turnover_total": rate(vol + invol),
        "quit_outside_share": float(ev["exits_outside"].sum() / vol) if vol > 0 else float("nan"),
        "regretted_turnover": regretted_rate(reps, headcount, years),
        "vacancy_rate": float(ev["vacancies"].mean() / n_seats),
        "ramp_months_median": float(np.median(ramp) / WEEKS_PER_MONTH)
        if ramp.size
        else float("nan"),
        "top20_revenue_share": top_share(annual["credited"].to_numpy()),
        "performance_gap": float(top_q.mean() / median_att)
        if top_q.size and median_att > 0
        else float("nan"),
        "end_of_period_share": float(ev.loc[in_last_two, "bookings"].sum() / revenue)
        if revenue > 0
        else float("nan"),
        "helping_share": float(hours["hours_helping"] / hours.sum()) if hours.sum() > 0 else 0.0,
        "morale_mean": float(ev["morale_mean"].mean()),
        "effort_hours_mean": float(ev["effort_hours_mean"].mean()),
        "discount_share": float(ev["discounts"].sum() / (revenue + ev["discounts"].sum()))
        if revenue > 0
        else 0.0,
        "deals_rushed_per_year": float(ev["deals_rushed"].sum() / years),
        "deals_held_per_year": float(ev["deals_held"].sum() / years),
        "coaching_hours_per_rep_month": float(
            ev["coached_hours"].sum() / max(headcount, 1e-9) / (years * 12)
        ),
        **{
            f"manager_share_{c[len('mgr_hours_') :]}": float(mgr[c] / mgr.sum())
            for c in mgr.index
            if mgr.sum() > 0
        },
        "headcount_mean": headcount,
        "customer_share": customers / float(ev["accounts"].mean()) if len(ev) else float("nan"),
        "customer_churn_rate": float(ev["customers_churned"].sum() / customers / years)
        if customers > 0 and years > 0
        else 0.0,
        "revenue_churn_rate": float(ev["installed_churned"].sum() / ev["installed"].mean() / years)
        if len(ev) and ev["installed"].mean() > 0 and years > 0
        else 0.0,
        "expansion_share": float(won.loc[won["expansion"], "price"].sum() / won["price"].sum())
        if won["price"].sum() > 0
        else float("nan"),
        "caring_share": float(hours["hours_caring"] / hours.sum()) if hours.sum() > 0 else 0.0,
    }
