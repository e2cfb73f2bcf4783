"""Per-run measures the validation facts need beyond the summary metrics.

:func:`run_measured` runs one simulation exactly as :func:`simulator.run.run_one`
does, while recording what each held seat saw and chose every evaluation week
(its quarter-to-date attainment and the hours it chose), and returns the run's
summary metrics plus the measures below, computed from its tables and that
trace. Nothing here changes the model: the trace watches each week's time
choice through the model's observer hook (:data:`simulator.model.Observer`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.metrics import annual_attainment, rep_years
from simulator.model import Observer
from simulator.params import WEEKS_PER_QUARTER, SimParams, validate
from simulator.plans.payout import attainment
from simulator.run import RunResult, batch_size, run_batch
from simulator.workforce import HOUR_COLUMNS

#: bins of projected quarterly attainment (quarter-to-date pace times the
#: quarter's length) for the effort curve of fact 3: far behind, near quota, far ahead
EFFORT_BINS = {"behind": (0.0, 0.5), "near": (0.8, 1.2), "ahead": (1.6, np.inf)}
#: tiers of annual attainment for fact 7: bottom 20%, middle 60%, top 20%
TIERS = {"bottom": (0.0, 0.2), "middle": (0.2, 0.8), "top": (0.8, 1.0)}


def _tracer() -> tuple[list[tuple[np.ndarray, ...]], Observer]:
    """An observer of the evaluation weeks' time choices, and the rows it appends to.

    A row per week: the week, the held seats, their quarter-to-date attainment
    and the hours each chose (a batch's seats all together).
    """
    rows: list[tuple[np.ndarray, ...]] = []

    def traced(model, event, time):
        if event == "time" and model.week >= model.warmup_weeks:
            st = model.seats
            held = np.flatnonzero(st.occupied)
            q = WEEKS_PER_QUARTER
            rows.append(
                (
                    np.full(held.size, model.week),
                    held,
                    attainment(st.credited[q][held], st.quota[q][held]),
                    time.total[held],
                )
            )

    return rows, traced


def run_traced(params: SimParams, seed) -> tuple[RunResult, pd.DataFrame]:
    """A run plus one row per evaluation week and held seat: week, seat, attainment so far, hours.

    The attainment is the quarter-to-date one (credited over the quarter's
    quota) when the rep chose its hours. The trace watches through the model's
    observer hook and changes nothing (the result is that of :func:`run_one`).
    """
    return run_traced_batch(params, [seed])[0]


#: the columns of :func:`run_traced`'s trace
TRACE_COLUMNS = ("week", "seat", "attainment_qtd", "hours")


def run_traced_batch(params: SimParams, seeds: list) -> list[tuple[RunResult, pd.DataFrame]]:
    """:func:`run_traced` of each seed, the seeds run side by side as one batch.

    Each pair is bit for bit the one of :func:`run_traced` on its seed alone
    (:mod:`simulator.batch`): the trace is split by replication, seats numbered
    as each replication numbers them.
    """
    params = validate(params)
    rows, traced = _tracer()
    results = run_batch(params, seeds, observers=[traced])
    n = params.org.n_reps
    if rows:
        week, seat, att, hours = (np.concatenate(c) for c in zip(*rows, strict=True))
    else:  # no held seat in any evaluation week
        week = seat = np.zeros(0, np.int64)
        att = hours = np.zeros(0)
    out = []
    for r, result in enumerate(results):
        mine = seat // n == r
        columns = (week[mine], seat[mine] - r * n, att[mine], hours[mine])
        out.append((result, pd.DataFrame(dict(zip(TRACE_COLUMNS, columns, strict=True)))))
    return out


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


def quarter_bookings(reps: pd.DataFrame, deals: pd.DataFrame, late_weeks: int = 2) -> pd.DataFrame:
    """Evaluation rep-quarters held all quarter, with what each booked before and in its last weeks.

    One row of ``reps`` per rep-quarter of the evaluation window in which the rep
    held the seat all quarter, plus ``booked_early`` (won deals' prices credited
    to the rep before the quarter's last ``late_weeks`` weeks) and
    ``booked_late`` (in them).
    """
    q = WEEKS_PER_QUARTER
    full = reps[~reps["warmup"] & (reps["weeks_in_seat"] == q)]
    won = deals[deals["won"] & (deals["rep_id"] >= 0)]
    by_quarter = (
        won.assign(period=won["week"] // q, late=won["week"] % q >= q - late_weeks)
        .pivot_table(index=["rep_id", "period"], columns="late", values="price", aggfunc="sum")
        .reindex(columns=[False, True], fill_value=0.0)
        .fillna(0.0)
        .rename(columns={False: "booked_early", True: "booked_late"})
        .reset_index()
    )
    out = full.merge(by_quarter, on=["rep_id", "period"], how="left")
    return out.fillna({"booked_early": 0.0, "booked_late": 0.0})


def late_share(quarters: pd.DataFrame) -> float:
    """Share of the rep-quarters' bookings (:func:`quarter_bookings`) made in the late weeks."""
    total = quarters["booked_early"].sum() + quarters["booked_late"].sum()
    return float(quarters["booked_late"].sum() / total) if total > 0 else float("nan")


def late_share_ahead(reps: pd.DataFrame, deals: pd.DataFrame) -> float:
    """Share of the bookings of rep-quarters ending at or above quota made in weeks 11-12.

    Only rep-quarters of the evaluation window in which the rep held the seat
    all quarter count.
    """
    quarters = quarter_bookings(reps, deals)
    return late_share(quarters[quarters["attainment"] >= 1.0])


#: weeks at the end of a quarter whose share of bookings :func:`late_share_by_pace` measures:
#: its last quarter (3 of 13 weeks), as Bouwens and Kroos (2011) measure the year's last quarter
LATE_WEEKS = 3


def late_share_by_pace(reps: pd.DataFrame, deals: pd.DataFrame) -> float:
    """Share of the bookings of rep-quarters ahead of pace made in the quarter's last 3 weeks.

    Bouwens and Kroos (2011) condition on what managers sold in the year's first
    three quarters and look at the fourth. Here the period is the quarter (the
    ratchet moves each quarter's quota): a rep-quarter is ahead of pace when its
    bookings in the first 10 of 13 weeks reach 10/13 of the quarter's quota, and
    the measure is the share of those rep-quarters' bookings made in the last
    :data:`LATE_WEEKS` weeks. Unlike :func:`late_share_ahead` it conditions on
    what came before the late weeks, not on where the quarter ended (which
    holding deals back itself changes), and its late weeks do not depend on the
    timing window. Only rep-quarters of the evaluation window held all quarter count.
    """
    quarters = quarter_bookings(reps, deals, LATE_WEEKS)
    early_share = (WEEKS_PER_QUARTER - LATE_WEEKS) / WEEKS_PER_QUARTER
    ahead = (quarters["quota"] > 0) & (quarters["booked_early"] >= quarters["quota"] * early_share)
    return late_share(quarters[ahead])


def attainment_persistence(annual: pd.DataFrame) -> float:
    """Correlation of a rep's annual attainment with its attainment the next year.

    ``annual``: :func:`simulator.metrics.annual_attainment`. Pairs of consecutive
    evaluation years in which the same rep held its seat all year: the observed
    year-to-year consistency of an objective performance measure, which mixes
    what persists (skill, territory) with each year's luck.
    """
    a = annual[["rep_id", "year", "attainment"]]
    pairs = a.merge(a.assign(year=a["year"] - 1), on=["rep_id", "year"], suffixes=("", "_next"))
    if len(pairs) < 3:
        return float("nan")
    return float(np.corrcoef(pairs["attainment"], pairs["attainment_next"])[0, 1])


def share_below_any_tenure(reps: pd.DataFrame, below: float = 0.1) -> float:
    """Share of rep-years, of any tenure, that attained less than ``below`` of their quota.

    Every evaluation year in which a rep carried a quota counts, however long it
    held the seat: new hires, ramping reps and leavers too, each against the quota
    of the weeks it held (the quota accrues only while the seat is held).
    Compensation data count every rep on plan this way (Xactly's "regardless of
    tenure"); :func:`simulator.metrics.annual_attainment` keeps full-year reps only.
    """
    g = rep_years(reps)
    g = g[g["quota"] > 0]
    if g.empty:
        return float("nan")
    return float((g["credited"] < below * g["quota"]).mean())


def selling_hours(weekly: pd.DataFrame) -> float:
    """Weekly hours prospecting and advancing per held seat over the evaluation window."""
    ev = weekly[~weekly["warmup"]]
    seats = ev["headcount"].sum()
    return float((ev["hours_prospecting"] + ev["hours_advancing"]).sum() / seats) if seats else 0.0


#: performance groups for who quits: bottom 20%, middle 60%, top 20% of a quarter's attainment
QUIT_GROUPS = {"bottom": (0.0, 0.2), "middle": (0.2, 0.8), "top": (0.8, 1.0 + 1e-9)}


def quits_by_performance(reps: pd.DataFrame) -> dict[str, float]:
    """Voluntary quits in the quarter after a full quarter, by that quarter's attainment rank.

    Each evaluation rep-quarter held all quarter is ranked within its period
    (0 worst .. 1 best); the outcome is whether the rep quit voluntarily in
    the next quarter. Returns annualised quit rates of the bottom 20%, middle
    60% and top 20%, and ``quit_middle_vs_ends``: the middle's rate over the
    mean of the two ends' (above 1 = an inverted U, Kumar et al. 2017's shape),
    and ``quit_middle_minus_ends``: the middle's rate minus that mean (above 0).
    """
    full = reps[~reps["warmup"] & (reps["weeks_in_seat"] == WEEKS_PER_QUARTER)].copy()
    full["rank"] = full.groupby("period")["attainment"].rank(pct=True, method="average")
    quits = reps[reps["exit_kind"] == "voluntary"][["rep_id", "period"]].assign(quit=True)
    nxt = full[["rep_id", "period", "rank"]].assign(period=full["period"] + 1)
    nxt = nxt.merge(quits, on=["rep_id", "period"], how="left").fillna({"quit": False})
    nxt = nxt[nxt["period"] <= reps["period"].max()]
    out = {}
    for name, (lo, hi) in QUIT_GROUPS.items():
        group = nxt[(nxt["rank"] > lo) & (nxt["rank"] <= hi)] if lo > 0 else nxt[nxt["rank"] <= hi]
        out[f"quit_rate_{name}"] = float(group["quit"].mean() * 4) if len(group) else float("nan")
    ends = 0.5 * (out["quit_rate_bottom"] + out["quit_rate_top"])
    out["quit_middle_vs_ends"] = out["quit_rate_middle"] / ends if ends > 0 else float("nan")
    out["quit_middle_minus_ends"] = out["quit_rate_middle"] - ends
    return out


def quit_contagion(reps: pd.DataFrame) -> float:
    """How much likelier a rep quits in a quarter after a teammate quit in the one before.

    Over evaluation rep-quarters: the voluntary quit rate of reps one of whose
    teammates quit voluntarily in the previous quarter, over that of reps whose
    teammates did not (Felps et al. 2009; Kumar et al. 2017 report the same
    pattern among salespeople).
    """
    rows = reps[~reps["warmup"]]
    vol = reps[reps["exit_kind"] == "voluntary"]
    team_quits = vol.groupby(["team", "period"]).size().rename("mates_quit").reset_index()
    team_quits["period"] += 1
    quit = rows["exit_kind"] == "voluntary"
    frame = rows[["team", "period"]].assign(quit=quit.to_numpy())
    frame = frame.merge(team_quits, on=["team", "period"], how="left").fillna({"mates_quit": 0})
    exposed = frame[frame["mates_quit"] > 0]["quit"].mean()
    unexposed = frame[frame["mates_quit"] == 0]["quit"].mean()
    return float(exposed / unexposed) if unexposed > 0 else float("nan")


def annual_with_manager(reps: pd.DataFrame) -> pd.DataFrame:
    """:func:`annual_attainment` with the manager each rep-year's first quarter reported to."""
    annual = annual_attainment(reps)
    team_of = reps.drop_duplicates(["rep_id", "year"]).set_index(["rep_id", "year"])["manager_id"]
    annual["manager_id"] = team_of.reindex(
        pd.MultiIndex.from_frame(annual[["rep_id", "year"]])
    ).to_numpy()
    return annual


def manager_quality_gap(reps: pd.DataFrame, managers: pd.DataFrame) -> dict[str, float]:
    """Team results of the top against the bottom quartile of managers by leadership quality.

    ``manager_gap_attainment``: mean annual attainment of the reps of the
    top-quartile managers minus that of the bottom quartile;
    ``manager_gap_at_quota``: the same for the share of reps at annual quota
    (Vantage Point's 515-manager study compares the same quartiles).
    """
    annual = annual_with_manager(reps)
    quality = managers.groupby("manager_id")["coaching_quality"].first()
    q25, q75 = quality.quantile(0.25), quality.quantile(0.75)
    top = annual[annual["manager_id"].map(quality) >= q75]
    bottom = annual[annual["manager_id"].map(quality) <= q25]
    if top.empty or bottom.empty:
        return {"manager_gap_attainment": float("nan"), "manager_gap_at_quota": float("nan")}
    return {
        "manager_gap_attainment": float(top["attainment"].mean() - bottom["attainment"].mean()),
        "manager_gap_at_quota": float(
            (top["attainment"] >= 1).mean() - (bottom["attainment"] >= 1).mean()
        ),
    }


def manager_ranked_gap(reps: pd.DataFrame) -> dict[str, float]:
    """Team results of the top against the bottom quartile of managers by those results.

    What Vantage Point's manager study measures: managers ranked each year by
    their own team's result, so the spread holds luck and territory as well as
    the manager (:func:`manager_quality_gap` ranks by leadership quality, the
    manager's part alone). ``manager_gap_ranked_attainment``: each year, the
    mean of the teams' mean annual attainment over the best quarter of teams
    (rounded, at least one) minus that over the worst quarter, averaged over
    years; ``manager_gap_ranked_at_quota``: the same for the team's share of
    reps at annual quota. Ties are split either side, so tied teams count alike.

    Two levels of the same ranking, as Vantage Point report them:
    ``manager_top_quartile_at_quota``, the mean share of reps at annual quota
    in the best quarter of teams by that share, and
    ``manager_share_below_half_at_quota``, the share of manager-years in which
    fewer than half the team's reps reached annual quota.
    """
    annual = annual_with_manager(reps)
    annual["at_quota"] = annual["attainment"] >= 1.0
    teams = annual.groupby(["year", "manager_id"]).agg(
        attainment=("attainment", "mean"), at_quota=("at_quota", "mean")
    )
    out = {}
    for column in ("attainment", "at_quota"):
        gaps, tops, weights = [], [], []
        for _, values in teams.groupby(level="year")[column]:
            ordered = np.sort(values.to_numpy())  # ties fall either side alike
            k = max(1, round(ordered.size / 4))
            if ordered.size >= 2:
                gaps.append(ordered[-k:].mean() - ordered[:k].mean())
                tops.append(ordered[-k:].mean())
                weights.append(k)
        gap = np.average(gaps, weights=weights) if gaps else float("nan")
        out[f"manager_gap_ranked_{column}"] = float(gap)
        if column == "at_quota":
            top = np.average(tops, weights=weights) if tops else float("nan")
            out["manager_top_quartile_at_quota"] = float(top)
    out["manager_share_below_half_at_quota"] = (
        float((teams["at_quota"] < 0.5).mean()) if len(teams) else float("nan")
    )
    return out


def time_shares(weekly: pd.DataFrame) -> dict[str, float]:
    """Shares of reps' working hours (admin included) over the evaluation window.

    - ``customer_time_share``: with buyers and customers (advancing deals and
      caring for accounts), the field's "selling by phone or face-to-face";
    - ``prospecting_time_share``: finding new opportunities ("generating leads").
    """
    ev = weekly[~weekly["warmup"]]
    hours = ev[list(HOUR_COLUMNS)].sum()
    total = float(hours.sum())
    if total <= 0:
        return {"customer_time_share": float("nan"), "prospecting_time_share": float("nan")}
    return {
        "customer_time_share": float((hours["hours_advancing"] + hours["hours_caring"]) / total),
        "prospecting_time_share": float(hours["hours_prospecting"] / total),
    }


def _won_share(deals: pd.DataFrame) -> float:
    """Share of ``deals`` won (NaN when there are none)."""
    return float(deals["won"].mean()) if len(deals) else float("nan")


def people_measures(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Tenure, vacancies, win rate and time shares that field surveys report.

    - ``exit_first_year_share``: share of evaluation-window exits (voluntary and
      involuntary) by reps in their first year (DePaul's time to turnover);
    - ``involuntary_exit_share``: share of evaluation-window exits that were the
      firm's (performance management), the rest being quits and departures;
    - ``tenure_years_mean``: mean tenure of the reps holding seats, in years;
    - ``vacancy_months_mean``: mean time a seat stays open, in months (Little's
      law: mean open seats over seats filled per month);
    - ``win_rate``: share of decided deals that were won;
    - ``new_logo_win_rate``, ``winback_win_rate``, ``expansion_win_rate``: the same by
      the buyer's relation to the firm: never a customer, a former customer (one that
      churned), a current customer (Griffin and Lowenstein's three odds of a sale);
    - ``last_month_share``: share of bookings in each quarter's last four weeks;
    - ``last_week_deal_share``: share of won deals signed in a quarter's last week;
    - ``manager_share_team``: share of managers' hours spent with their team
      (coaching, deal support and inspection; Rapp's time study).
    """
    weekly, reps, deals = tables["weekly"], tables["reps"], tables["deals"]
    ev = weekly[~weekly["warmup"]]
    rows = reps[~reps["warmup"]]
    exits = rows[rows["exit"]]
    held = rows[~rows["exit"]]
    hires_per_month = ev["hires"].sum() / (len(ev) / 52 * 12)
    decided = deals[deals["week"] >= int(ev["week"].min())] if len(ev) else deals
    mgr = ev[["mgr_hours_coaching", "mgr_hours_support", "mgr_hours_inspection"]].sum().sum()
    mgr_all = ev[[c for c in ev.columns if c.startswith("mgr_hours_")]].sum().sum()
    return {
        "involuntary_exit_share": float((exits["exit_kind"] == "involuntary").mean())
        if len(exits)
        else float("nan"),
        "exit_first_year_share": float((exits["tenure_weeks"] < 52).mean())
        if len(exits)
        else float("nan"),
        "tenure_years_mean": float(held["tenure_weeks"].mean() / 52) if len(held) else float("nan"),
        "vacancy_months_mean": float(ev["vacancies"].mean() / hires_per_month)
        if hires_per_month > 0
        else float("nan"),
        "win_rate": _won_share(decided),
        "new_logo_win_rate": _won_share(decided[~decided["expansion"] & ~decided["winback"]]),
        "winback_win_rate": _won_share(decided[decided["winback"]]),
        "expansion_win_rate": _won_share(decided[decided["expansion"]]),
        "last_month_share": float(
            ev.loc[ev["week_in_quarter"] >= 9, "bookings"].sum() / ev["bookings"].sum()
        )
        if ev["bookings"].sum() > 0
        else float("nan"),
        "last_week_deal_share": last_week_share(decided),
        "manager_share_team": float(mgr / mgr_all) if mgr_all > 0 else float("nan"),
    }


def last_week_share(deals: pd.DataFrame) -> float:
    """Share of won ``deals`` signed in the last week of a quarter (NaN with none won)."""
    won = deals.loc[deals["won"], "week"].to_numpy()
    if won.size == 0:
        return float("nan")
    return float(np.mean(won % WEEKS_PER_QUARTER == WEEKS_PER_QUARTER - 1))


def levels_by_year(result: RunResult) -> pd.DataFrame:
    """The headline levels of each evaluation year: share at quota, revenue against target,
    customer share of accounts and mean skill (one row per year)."""
    weekly, reps = result.tables["weekly"], result.tables["reps"]
    ev = weekly[~weekly["warmup"]].assign(year=lambda w: w["week"] // 52)
    by_year = ev.groupby("year").agg(
        bookings=("bookings", "sum"),
        target=("target_weekly", "sum"),
        customers=("customers", "mean"),
        accounts=("accounts", "mean"),
        skill=("skill_mean", "mean"),
    )
    annual = annual_attainment(reps)
    return pd.DataFrame(
        {
            "share_at_quota": annual.groupby("year")["attainment"].apply(lambda a: (a >= 1).mean()),
            "revenue_vs_target": by_year["bookings"] / by_year["target"],
            "customer_share": by_year["customers"] / by_year["accounts"],
            "skill": by_year["skill"],
        }
    )


def level_slopes(levels: pd.DataFrame) -> dict[str, float]:
    """Each column of ``levels`` (one row per year, indexed by it) regressed on the year.

    ``nan`` for a column with fewer than two years.
    """
    out = {}
    for name, values in levels.items():
        v = values.dropna()
        out[name] = (
            float(np.polyfit(v.index.to_numpy(float), v.to_numpy(float), 1)[0])
            if len(v) >= 2
            else float("nan")
        )
    return out


def yearly_drift(result: RunResult) -> dict[str, float]:
    """Slope per evaluation year of the headline levels (a steady state has none).

    Each level of :func:`levels_by_year` regressed on the evaluation year
    (:func:`level_slopes`); ``nan`` for runs shorter than two evaluation years.
    """
    return {f"drift_{k}": v for k, v in level_slopes(levels_by_year(result)).items()}


def measures(result: RunResult, trace: pd.DataFrame) -> dict[str, float]:
    """The summary metrics of a run plus the validation measures.

    - ``effort_behind``, ``effort_near``, ``effort_ahead``: :func:`effort_by_pace`;
    - ``attainment_bottom``, ``attainment_middle``, ``attainment_top``:
      :func:`tier_attainment`;
    - ``skill_bottom``, ``skill_middle``, ``skill_top``: :func:`tier_skill`;
    - ``selling_hours_mean``: weekly hours prospecting and advancing deals per
      held seat (own selling effort, without helping, exploring and admin);
    - ``attainment_sd``: standard deviation of annual attainment;
    - ``attainment_mean_minus_median``: mean minus median annual attainment of
      full-year reps (above 0: the distribution is skewed to the right);
    - ``attainment_year_corr``: :func:`attainment_persistence`;
    - ``below_tenth_share_any_tenure``: :func:`share_below_any_tenure`;
    - ``effort_hours_sd``: standard deviation of rep-quarter weekly hours;
    - ``rushed_share``: share of won revenue from deals pulled in (rushed);
    - ``timing_loss_share``: revenue lost to moving deals across period ends, over
      the revenue that would have been booked without it: the discounts given on
      rushed deals, to held buyers for waiting and to buyers who bargained over the
      rep's urgency to close (``buyer.bargaining_share``), plus the wins the rush cost
      (each won rushed deal stands for ``penalty / (1 - penalty)`` of its list
      value in deals lost to the lower win probability, ``buyer.rush_win_penalty``);
    - ``late_share_ahead_at_end``: :func:`late_share_ahead`;
    - ``late_share_ahead_of_pace``: :func:`late_share_by_pace`;
    - ``held_when_ahead``: deals held back per rep-quarter ending at or above quota;
    - ``lost_to_colleagues_per_rep_year``: deals lost to a teammate per rep and year;
    - ``skill_sd``: standard deviation of rep skill at quarter ends;
    - ``quit_rate_bottom``, ``quit_rate_middle``, ``quit_rate_top``,
      ``quit_middle_vs_ends``, ``quit_middle_minus_ends``: :func:`quits_by_performance`;
    - ``quit_contagion_ratio``: :func:`quit_contagion`;
    - ``manager_gap_attainment``, ``manager_gap_at_quota``: :func:`manager_quality_gap`;
    - ``manager_gap_ranked_attainment``, ``manager_gap_ranked_at_quota``,
      ``manager_top_quartile_at_quota``, ``manager_share_below_half_at_quota``:
      :func:`manager_ranked_gap`;
    - ``drift_*``: :func:`yearly_drift`;
    - ``exit_first_year_share``, ``involuntary_exit_share``, ``tenure_years_mean``,
      ``vacancy_months_mean``,
      ``win_rate`` (and by the buyer's relation: ``new_logo_win_rate``, ``winback_win_rate``,
      ``expansion_win_rate``), ``last_month_share``, ``last_week_deal_share``,
      ``manager_share_team``:
      :func:`people_measures`;
    - ``customer_time_share``, ``prospecting_time_share``: :func:`time_shares`.
    """
    tables = result.tables
    reps, deals = tables["reps"], tables["deals"]
    ev = reps[~reps["warmup"]]
    full = ev[ev["weeks_in_seat"] == WEEKS_PER_QUARTER]
    annual = annual_attainment(reps)
    won = deals[deals["won"]]
    revenue = float(won["price"].sum())
    years = ev["weeks_in_seat"].sum() / 52
    rushed = won[won["rushed"]]
    penalty = result.params.buyer.rush_win_penalty
    list_value = rushed["price"] + rushed["discount"]
    factor = penalty / (1.0 - penalty) if penalty < 1.0 else 0.0  # at 1 no rushed deal wins
    # every discount bought timing: rushed deals', held buyers' (buyer.hold_discount) and
    # those bargained over the rep's urgency (buyer.bargaining_share)
    lost = float(won["discount"].sum() + (list_value * factor).sum())
    return {
        **result.summary,
        **effort_by_pace(trace),
        **tier_attainment(reps),
        **tier_skill(reps),
        "selling_hours_mean": selling_hours(tables["weekly"]),
        "attainment_sd": float(annual["attainment"].std()),
        "attainment_mean_minus_median": float(
            annual["attainment"].mean() - annual["attainment"].median()
        ),
        "attainment_year_corr": attainment_persistence(annual),
        "below_tenth_share_any_tenure": share_below_any_tenure(reps),
        "effort_hours_sd": float(ev["effort_hours"].std()),
        "rushed_share": float(won.loc[won["rushed"], "price"].sum() / revenue)
        if revenue > 0
        else 0.0,
        "timing_loss_share": lost / (revenue + lost) if revenue + lost > 0 else 0.0,
        "late_share_ahead_at_end": late_share_ahead(reps, deals),
        "late_share_ahead_of_pace": late_share_by_pace(reps, deals),
        "held_when_ahead": float(full.loc[full["attainment"] >= 1.0, "deals_held"].mean()),
        "lost_to_colleagues_per_rep_year": float(ev["deals_lost_to_colleagues"].sum() / years)
        if years > 0
        else 0.0,
        "skill_sd": float(ev["skill"].std()),
        **quits_by_performance(reps),
        "quit_contagion_ratio": quit_contagion(reps),
        **manager_quality_gap(reps, tables["managers"]),
        **manager_ranked_gap(reps),
        **yearly_drift(result),
        **people_measures(tables),
        **time_shares(tables["weekly"]),
    }


def run_measured(params: SimParams, seed) -> dict[str, float]:
    """One run's summary metrics and validation measures (see :func:`measures`)."""
    return measures(*run_traced(params, seed))


def run_measured_many(params: SimParams, seeds: list, most: int | None = None) -> list[dict]:
    """:func:`run_measured` of each seed, in batches of at most ``most`` (default: as many
    as :func:`simulator.run.batch_size` holds); the same numbers as one by one."""
    seeds = list(seeds)
    size = batch_size(validate(params)) if most is None else max(1, most)
    return [
        measures(*pair)
        for start in range(0, len(seeds), size)
        for pair in run_traced_batch(params, seeds[start : start + size])
    ]
