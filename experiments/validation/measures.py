"""Per-run measures the validation facts need beyond the summary metrics.

:func:`run_measured` runs one simulation exactly as :func:`simulator.run.run_one`
does, while recording what each held seat saw and chose every evaluation week
(its quarter-to-date attainment and the hours it chose), and returns the run's
summary metrics plus the measures below, computed from its tables and that
trace. Nothing here changes the model: the trace wraps the model's call of
``choose_time`` and returns its result untouched.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd

import simulator.model
from simulator.metrics import annual_attainment
from simulator.params import WEEKS_PER_QUARTER, SimParams
from simulator.plans.payout import attainment
from simulator.run import RunResult, run_one

#: bins of projected quarterly attainment (quarter-to-date pace times the
#: quarter's length) for the effort curve of fact 3: far behind, near quota, far ahead
EFFORT_BINS = {"behind": (0.0, 0.5), "near": (0.8, 1.2), "ahead": (1.6, np.inf)}
#: tiers of annual attainment for fact 7: bottom 20%, middle 60%, top 20%
TIERS = {"bottom": (0.0, 0.2), "middle": (0.2, 0.8), "top": (0.8, 1.0)}


def run_traced(params: SimParams, seed) -> tuple[RunResult, pd.DataFrame]:
    """A run plus one row per evaluation week and held seat: week, attainment so far, hours."""
    choose_time = simulator.model.choose_time
    rows: list[tuple[np.ndarray, ...]] = []

    def traced(model, admin_hours):
        time = choose_time(model, admin_hours)
        if model.week >= model.warmup_weeks:
            st = model.seats
            held = np.flatnonzero(st.occupied)
            q = WEEKS_PER_QUARTER
            rows.append(
                (
                    np.full(held.size, model.week),
                    attainment(st.credited[q][held], st.quota[q][held]),
                    time.total[held],
                )
            )
        return time

    with mock.patch.object(simulator.model, "choose_time", traced):
        result = run_one(params, seed)
    week, att, hours = (np.concatenate(c) for c in zip(*rows, strict=True)) if rows else [[]] * 3
    return result, pd.DataFrame({"week": week, "attainment_qtd": att, "hours": hours})


def effort_by_pace(trace: pd.DataFrame) -> dict[str, float]:
    """Mean weekly hours by projected quarterly attainment, over weeks 6-11 of each quarter.

    The projection is the quarter-to-date attainment over the share of the
    quarter elapsed, so it says how far the quota looks out of or within reach.
    """
    in_quarter = trace["week"] % WEEKS_PER_QUARTER
    late = trace[(in_quarter >= 6) & (in_quarter <= 11)]
    pace = late["attainment_qtd"] * WEEKS_PER_QUARTER / (late["week"] % WEEKS_PER_QUARTER)
    out = {}
    for name, (lo, hi) in EFFORT_BINS.items():
        hours = late.loc[(pace >= lo) & (pace < hi), "hours"]
        out[f"effort_{name}"] = float(hours.mean()) if len(hours) else float("nan")
    return out


def tier_attainment(reps: pd.DataFrame) -> dict[str, float]:
    """Mean annual attainment of the bottom, middle and top tiers of each evaluation year."""
    annual = annual_attainment(reps)
    out = {}
    for name, (lo, hi) in TIERS.items():
        values = []
        for _, year in annual.groupby("year"):
            att = np.sort(year["attainment"].to_numpy())
            a, b = int(round(lo * att.size)), int(round(hi * att.size))
            values.append(att[a:b])
        pooled = np.concatenate(values) if values else np.array([])
        out[f"attainment_{name}"] = float(pooled.mean()) if pooled.size else float("nan")
    return out


def tier_skill(reps: pd.DataFrame) -> dict[str, float]:
    """Mean skill of the bottom, middle and top skill tiers of evaluation rep-quarters."""
    ev = reps[~reps["warmup"] & (reps["weeks_in_seat"] == WEEKS_PER_QUARTER)]
    out = {}
    for name, (lo, hi) in TIERS.items():
        values = []
        for _, quarter in ev.groupby("period"):
            skill = np.sort(quarter["skill"].to_numpy())
            a, b = int(round(lo * skill.size)), int(round(hi * skill.size))
            values.append(skill[a:b])
        pooled = np.concatenate(values) if values else np.array([])
        out[f"skill_{name}"] = float(pooled.mean()) if pooled.size else float("nan")
    return out


def late_share_ahead(reps: pd.DataFrame, deals: pd.DataFrame) -> float:
    """Share of the bookings of rep-quarters ending at or above quota made in weeks 11-12.

    Only rep-quarters of the evaluation window in which the rep held the seat
    all quarter count.
    """
    q = WEEKS_PER_QUARTER
    full = reps[~reps["warmup"] & (reps["weeks_in_seat"] == q) & (reps["attainment"] >= 1.0)]
    won = deals[deals["won"] & (deals["rep_id"] >= 0)]
    won = won.assign(period=won["week"] // q, late=won["week"] % q >= q - 2)
    keyed = won.merge(full[["rep_id", "period"]], on=["rep_id", "period"])
    total = keyed["price"].sum()
    return float(keyed.loc[keyed["late"], "price"].sum() / total) if total > 0 else float("nan")


def selling_hours(weekly: pd.DataFrame) -> float:
    """Weekly hours prospecting and advancing per held seat over the evaluation window."""
    ev = weekly[~weekly["warmup"]]
    seats = ev["headcount"].sum()
    return float((ev["hours_prospecting"] + ev["hours_advancing"]).sum() / seats) if seats else 0.0


def measures(result: RunResult, trace: pd.DataFrame) -> dict[str, float]:
    """The summary metrics of a run plus the validation measures.

    - ``effort_behind``, ``effort_near``, ``effort_ahead``: :func:`effort_by_pace`;
    - ``attainment_bottom``, ``attainment_middle``, ``attainment_top``:
      :func:`tier_attainment`;
    - ``skill_bottom``, ``skill_middle``, ``skill_top``: :func:`tier_skill`;
    - ``selling_hours_mean``: weekly hours prospecting and advancing deals per
      held seat (own selling effort, without helping, exploring and admin);
    - ``attainment_sd``: standard deviation of annual attainment;
    - ``effort_hours_sd``: standard deviation of rep-quarter weekly hours;
    - ``rushed_share``: share of won revenue from deals pulled in (rushed);
    - ``timing_loss_share``: revenue lost to pulling deals in, over the revenue
      that would have been booked without it: the discounts given on rushed
      deals plus the wins the rush cost (each won rushed deal stands for
      ``penalty / (1 - penalty)`` of its list value in deals lost to the lower
      win probability, ``buyer.rush_win_penalty``);
    - ``late_share_ahead_at_end``: :func:`late_share_ahead`;
    - ``held_when_ahead``: deals held back per rep-quarter ending at or above quota;
    - ``lost_to_colleagues_per_rep_year``: deals lost to a teammate per rep and year;
    - ``skill_sd``: standard deviation of rep skill at quarter ends.
    """
    tables = result.tables
    reps, deals = tables["reps"], tables["deals"]
    ev = reps[~reps["warmup"]]
    full = ev[ev["weeks_in_seat"] == WEEKS_PER_QUARTER]
    won = deals[deals["won"]]
    revenue = float(won["price"].sum())
    years = ev["weeks_in_seat"].sum() / 52
    rushed = won[won["rushed"]]
    penalty = result.params.buyer.rush_win_penalty
    list_value = rushed["price"] + rushed["discount"]
    factor = penalty / (1.0 - penalty) if penalty < 1.0 else 0.0  # at 1 no rushed deal wins
    lost = float(rushed["discount"].sum() + (list_value * factor).sum())
    return {
        **result.summary,
        **effort_by_pace(trace),
        **tier_attainment(reps),
        **tier_skill(reps),
        "selling_hours_mean": selling_hours(tables["weekly"]),
        "attainment_sd": float(annual_attainment(reps)["attainment"].std()),
        "effort_hours_sd": float(ev["effort_hours"].std()),
        "rushed_share": float(won.loc[won["rushed"], "price"].sum() / revenue)
        if revenue > 0
        else 0.0,
        "timing_loss_share": lost / (revenue + lost) if revenue + lost > 0 else 0.0,
        "late_share_ahead_at_end": late_share_ahead(reps, deals),
        "held_when_ahead": float(full.loc[full["attainment"] >= 1.0, "deals_held"].mean()),
        "lost_to_colleagues_per_rep_year": float(ev["deals_lost_to_colleagues"].sum() / years)
        if years > 0
        else 0.0,
        "skill_sd": float(ev["skill"].std()),
    }


def run_measured(params: SimParams, seed) -> dict[str, float]:
    """One run's summary metrics and validation measures (see :func:`measures`)."""
    return measures(*run_traced(params, seed))
