"""Summary metrics computed from a run's tables (evaluation window only).

Every function takes the tidy tables (pandas DataFrames) and returns numbers;
none runs the model. Definitions are in README, "Output schema". They read the
tables' numpy columns and give bit for bit what pandas gives on the same
columns (:func:`group_sums` repeats pandas' compensated groupby sum), at a
tenth of its cost.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from simulator.params import WEEKS_PER_YEAR
from simulator.workforce import HOUR_COLUMNS

#: a calendar month in weeks (the ramp is reported in months)
WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12


@functools.cache
def pandas_sums_ordered_rows_by_reduceat() -> bool:
    """Whether the pandas installed sums rows already in group order with ``add.reduceat``.

    pandas 3.1 does (not Kahan's loop); asked once, of three values the two round apart.
    """
    values = np.array([1.8, 1.8, 0.25])
    by_reduceat = np.add.reduceat(values, [0])[0]
    return bool(pd.Series(values).groupby(np.zeros(3)).sum().iloc[0] == by_reduceat)


def group_sums(
    values: np.ndarray,
    labels: np.ndarray,
    positions: np.ndarray,
    groups: int,
    *,
    in_order: bool = False,
) -> np.ndarray:
    """Each group's sum of the rows of ``values`` (rows x columns), as pandas' groupby sums.

    ``labels`` names each row's group (``0 .. groups-1``) and ``positions`` its place among
    the group's rows, in the order they are added. pandas adds a group's rows in their order
    with Kahan's compensated summation, skipping NaN, and so does this: a run's summary is
    bit for bit what a groupby gives, for a fraction of its cost.

    pandas 3.1 takes a shortcut when the rows it was given already came in group order
    (``in_order``; ``values`` and ``labels`` are then that order) and a column holds no NaN:
    it adds each group's rows with numpy's ``add.reduceat``, which rounds differently from
    Kahan's loop in the last bit. So does this, column by column, when the pandas installed
    takes it (:func:`pandas_sums_ordered_rows_by_reduceat`).
    """
    total = np.zeros((groups, values.shape[1]))
    shortcut = np.zeros(values.shape[1], bool)
    if in_order and values.shape[0] and pandas_sums_ordered_rows_by_reduceat():
        shortcut = ~np.isnan(values).any(axis=0)
        starts = np.flatnonzero(positions == 0)
        for j in np.flatnonzero(shortcut):
            total[labels[starts], j] = np.add.reduceat(values[:, j], starts)
    if not shortcut.any():
        return _kahan_group_sums(values, labels, positions, total)
    kahan = np.flatnonzero(~shortcut)
    if kahan.size:
        total[:, kahan] = _kahan_group_sums(
            values[:, kahan], labels, positions, np.zeros((groups, kahan.size))
        )
    return total


def _kahan_group_sums(
    values: np.ndarray, labels: np.ndarray, positions: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """The Kahan loop of :func:`group_sums` (pandas' own), adding into ``total`` (zeros)."""
    carry = np.zeros_like(total)
    for k in range(int(positions.max()) + 1 if positions.size else 0):
        at = positions == k  # each group once: the rows it adds in turn k
        group, value = labels[at], values[at]
        before, lost = total[group], carry[group]
        with np.errstate(invalid="ignore"):  # inf - inf: NaN, as in pandas' own loop
            y = value - lost
            after = before + y
            correction = (after - before) - y
        correction[np.isnan(correction)] = 0.0  # an infinite value: pandas resets the carry
        skip = np.isnan(value)
        total[group] = np.where(skip, before, after)
        carry[group] = np.where(skip, lost, correction)
    return total


def _by_rep_year(reps: pd.DataFrame) -> dict[str, np.ndarray]:
    """The arrays of :func:`rep_years`: its keys ``rep_id`` and ``year``, in order, and sums."""
    keep = ~reps["warmup"].to_numpy(bool)
    rep, year = reps["rep_id"].to_numpy()[keep], reps["year"].to_numpy()[keep]
    order = np.lexsort((year, rep))  # stable: a group's rows keep their order
    rep, year = rep[order], year[order]
    first = np.ones(rep.size, bool)
    first[1:] = (rep[1:] != rep[:-1]) | (year[1:] != year[:-1])
    starts = np.flatnonzero(first)
    label = np.cumsum(first) - 1
    columns = ("quota", "credited_sales", "weeks_in_seat")
    values = np.column_stack([reps[c].to_numpy(float)[keep][order] for c in columns])
    in_order = bool((order == np.arange(order.size)).all())  # pandas' shortcut, as it takes it
    sums = group_sums(
        values, label, np.arange(rep.size) - starts[label], starts.size, in_order=in_order
    )
    return {
        "rep_id": rep[starts],
        "year": year[starts],
        "quota": sums[:, 0],
        "credited": sums[:, 1],
        "weeks": sums[:, 2],
        "quarters": np.diff(np.append(starts, rep.size)),
    }


def rep_years(reps: pd.DataFrame) -> pd.DataFrame:
    """Each rep's evaluation years, however long it held the seat in them.

    Indexed by ``rep_id`` and ``year``: the quota and credited sales of the
    quarters it held, its weeks in seat and how many quarters it held.
    """
    g = _by_rep_year(reps)
    index = pd.MultiIndex.from_arrays([g.pop("rep_id"), g.pop("year")], names=["rep_id", "year"])
    return pd.DataFrame(g, index=index)


def _full_years(reps: pd.DataFrame) -> dict[str, np.ndarray]:
    """:func:`annual_attainment`'s columns, as arrays."""
    g = _by_rep_year(reps)
    full = (g["quarters"] == 4) & (g["weeks"] >= WEEKS_PER_YEAR) & (g["quota"] > 0)
    out = {k: v[full] for k, v in g.items()}
    out["attainment"] = out["credited"] / out["quota"]
    return out


def annual_attainment(reps: pd.DataFrame) -> pd.DataFrame:
    """One row per rep and evaluation year in which the rep held the seat all year."""
    return pd.DataFrame(_full_years(reps))


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
    seats = 0.25 * headcount * years
    full = reps["weeks_in_seat"].to_numpy(float) >= 13
    rep = reps["rep_id"].to_numpy()[full]
    period = reps["period"].to_numpy()[full]
    attainment = reps["attainment"].to_numpy(float)[full]
    left = (reps["exit_kind"].to_numpy(object) == "voluntary") & ~reps["warmup"].to_numpy(bool)
    # each rep's last full quarter (a rep holds one row a quarter) and its period's p75
    order = np.lexsort((period, rep))
    last = order[np.append(rep[order][1:] != rep[order][:-1], True)] if rep.size else order
    last = last[np.isin(rep[last], reps["rep_id"].to_numpy()[left])]
    top = int(np.sum(attainment[last] >= _period_p75(period, attainment, period[last])))
    return float(top / seats) if seats > 0 else float("nan")


def _period_p75(period: np.ndarray, values: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """Each ``asked`` period's 75th percentile of ``values``, as pandas' groupby quantile.

    NaN is left out; between two order statistics the value is ``low + (high - low) *
    fraction``, pandas' formula (numpy's ``quantile`` computes it from the other end
    above a fraction of one half, and can differ in the last bit).
    """
    out = np.full(asked.size, np.nan)
    for p in np.unique(asked):
        x = np.sort(values[(period == p) & ~np.isnan(values)])
        if x.size:
            q = 0.75 * (x.size - 1)
            i, fraction = int(q), q % 1
            at = x[i] if fraction == 0.0 else x[i] + (x[i + 1] - x[i]) * fraction
            out[asked == p] = at
    return out


def summarise(tables: dict[str, pd.DataFrame], n_seats: int) -> dict[str, float]:
    """Headline metrics of one run over its evaluation window.

    Read from the tables' numpy columns: each sum and mean is the one pandas takes of the
    same column (numpy's pairwise sum; pandas' compensated sum by group), for a fraction
    of pandas' cost.
    """
    weekly = tables["weekly"]
    reps = tables["reps"]
    hires = tables["hires"]
    in_eval = ~weekly["warmup"].to_numpy(bool)
    ev = {c: weekly[c].to_numpy()[in_eval] for c in weekly.columns}
    n_weeks = int(in_eval.sum())
    years = n_weeks / WEEKS_PER_YEAR
    annual = _full_years(reps)
    att, annual_credited = annual["attainment"], annual["credited"]
    headcount = _mean(ev["headcount"])
    revenue = float(ev["bookings"].sum())
    target = float(ev["target_weekly"].sum())
    comp = float(ev["comp_cost"].sum())
    hours = {c: ev[c].sum() for c in HOUR_COLUMNS}
    hours_total = float(np.sum(list(hours.values())))
    eval_start = int(ev["week"].min()) if n_weeks else 0
    new = ~hires["initial"].to_numpy(bool) & (hires["hired_week"].to_numpy() >= eval_start)
    ramp = hires["ramp_weeks"].to_numpy(float)[new]
    ramp = ramp[~np.isnan(ramp)]
    moments = attainment_moments(att)
    median_att = moments["attainment_median"]
    top_q = np.sort(att)[int(0.75 * att.size) :] if att.size else np.array([])
    vol = float(ev["exits_voluntary"].sum())
    invol = float(ev["exits_involuntary"].sum())
    mgr = {c: ev[c].sum() for c in ev if c.startswith("mgr_hours_")}
    mgr_total = float(np.sum(list(mgr.values())))
    in_last_two = ev["week_in_quarter"] >= 11
    deals = tables["deals"]
    won = deals["won"].to_numpy(bool) & (deals["week"].to_numpy() >= eval_start)
    price = deals["price"].to_numpy(float)[won]
    won_price = float(price.sum())
    customers = _mean(ev["customers"]) if n_weeks else 0.0
    discounts = float(ev["discounts"].sum())
    installed = _mean(ev["installed"])

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
        "vacancy_rate": _mean(ev["vacancies"]) / n_seats,
        "ramp_months_median": float(np.median(ramp) / WEEKS_PER_MONTH)
        if ramp.size
        else float("nan"),
        "top20_revenue_share": top_share(annual_credited),
        "performance_gap": float(top_q.mean() / median_att)
        if top_q.size and median_att > 0
        else float("nan"),
        "end_of_period_share": float(ev["bookings"][in_last_two].sum() / revenue)
        if revenue > 0
        else float("nan"),
        "helping_share": float(hours["hours_helping"] / hours_total) if hours_total > 0 else 0.0,
        "morale_mean": _mean(ev["morale_mean"]),
        "effort_hours_mean": _mean(ev["effort_hours_mean"]),
        "discount_share": float(discounts / (revenue + discounts)) if revenue > 0 else 0.0,
        "deals_rushed_per_year": float(ev["deals_rushed"].sum() / years),
        "deals_held_per_year": float(ev["deals_held"].sum() / years),
        "coaching_hours_per_rep_month": float(
            ev["coached_hours"].sum() / max(headcount, 1e-9) / (years * 12)
        ),
        **{
            f"manager_share_{c[len('mgr_hours_') :]}": float(mgr[c] / mgr_total)
            for c in mgr
            if mgr_total > 0
        },
        "headcount_mean": headcount,
        "customer_share": customers / _mean(ev["accounts"]) if n_weeks else float("nan"),
        "customer_churn_rate": float(ev["customers_churned"].sum() / customers / years)
        if customers > 0 and years > 0
        else 0.0,
        "revenue_churn_rate": float(ev["installed_churned"].sum() / installed / years)
        if n_weeks and installed > 0 and years > 0
        else 0.0,
        "expansion_share": float(price[deals["expansion"].to_numpy(bool)[won]].sum() / won_price)
        if won_price > 0
        else float("nan"),
        "caring_share": float(hours["hours_caring"] / hours_total) if hours_total > 0 else 0.0,
    }


def _mean(values: np.ndarray) -> float:
    """The mean, as pandas takes it (sum over count); NaN for no values, without a warning."""
    return float(values.sum() / values.size) if values.size else float("nan")
