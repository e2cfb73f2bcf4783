"""The moments of a checked history (:func:`simulator.history.read_history`), named as the model's.

Attainment, the top-20% share and turnover rates carry the names of
:func:`simulator.metrics.summarise`, measured the same way where quarterly rows
allow: a full year is a calendar year with four quarters in seat (hired before
it began, not leaving in it); turnover is exits per rep-year of rows. What
quarterly rows cannot tell (bookings in the last weeks of a quarter, the
model's ``end_of_period_share``) is left out. The same function summarises a
history the model wrote (``experiments/make_example_history.py``), so a fit
compares like with like.

Definitions:

- a rep leaves in its last row when it has an ``exit_date`` by the end of the
  history's last quarter, or has no ``exit_date`` and either an ``exit_kind``
  or rows that stop before the last quarter (counted in ``exits_inferred``);
- tenure at a row is from ``hire_date`` to the quarter's first day; a row is a
  full quarter unless the rep was hired after its first day or left in it, a
  leaver's ``exit_date`` in the quarter's last 7 days counting as staying to
  its end (an undated exit is never a full quarter);
- a row's performance tercile is the rep's attainment tercile in the quarter
  before (among the reps with a full quarter then), so a leaver is judged by
  its last full quarter, not the part-quarter it left in;
- ramp: months from ``hire_date`` to the end of the first quarter in which a
  rep hired within the history sold :data:`~simulator.history.RAMP_SHARE` of
  the median seasoned rep's sales that quarter (quarter ends: a resolution of
  three months), the median over those who got there;
- first-year sales: a full quarter's sales of a rep in its first year (tenure under
  :data:`~simulator.history.SEASONED_YEARS` at the quarter's start) over the median
  seasoned rep's that quarter, the median over those quarters (onboarding's toll);
- seasonality: each calendar quarter's share of the sales of the complete years.

Rates and shares a file cannot give (no hire dates, no exit kinds, too few
years) are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.history import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    MIN_PAIRS,
    QUARTERS_PER_YEAR,
    RAMP_SHARE,
    SEASONED_YEARS,
    TENURE_BANDS,
    TERCILES,
    quarter_start,
)
from simulator.metrics import attainment_moments, top_share
from simulator.params import WEEKS_PER_QUARTER

NAN = float("nan")
DAYS_PER_WEEK = 7


def summarise_history(history: pd.DataFrame) -> dict[str, float | str]:
    """The history's moments: size, attainment, turnover, ramp, seasonality, persistence."""
    rows = _with_exits(history.sort_values(["rep_id", "period_index"]).reset_index(drop=True))
    first, last = int(rows["period_index"].min()), int(rows["period_index"].max())
    n_quarters = last - first + 1
    annual = full_years(rows)
    att = annual["attainment"].to_numpy()
    out: dict[str, float | str] = {
        "first_period": _label(first),
        "last_period": _label(last),
        "quarters": n_quarters,
        "reps": int(rows["rep_id"].nunique()),
        "teams": int(rows["team"].nunique()),
        "rows": len(rows),
        "headcount_mean": float(rows["seated"].sum() / n_quarters),
        "rep_years_full": len(annual),
        **attainment_moments(att),
        "top20_revenue_share": top_share(annual["credited"].to_numpy()),
        **_persistence(annual),
        **_turnover(rows),
        **_ramp(rows),
        **_seasonality(rows, first, last),
    }
    if "pay_total" in rows:
        sales = rows["credited_sales"].sum()
        out["cost_of_sales"] = float(rows["pay_total"].sum() / sales) if sales > 0 else NAN
    if "deals_won" in rows:
        out["deals_won_per_rep_year"] = float(
            rows["deals_won"].sum() / (rows["seated"].sum() / QUARTERS_PER_YEAR)
        )
    return out


def _label(period_index: int) -> str:
    year, q = divmod(period_index, QUARTERS_PER_YEAR)
    return f"{year}Q{q + 1}"


def _with_exits(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by rep and quarter, with what the summary reads of each.

    The rep's ``hire`` date, ``exit`` (the rep leaves in this row), its ``kind``,
    ``inferred`` (an exit told only by rows that stop), ``start`` (the quarter's first
    day), ``tenure_years``, ``partial`` (not a full quarter) and ``seated`` (the share
    of the quarter in seat: from the later of hire and the quarter's start to the
    day after the exit date or the quarter's end; 1 without dates).
    """
    rows = rows.copy()
    rep = rows["rep_id"]
    rows["start"] = quarter_start(rows["period_index"])
    history_end = quarter_start([rows["period_index"].max() + 1])[0]
    last_of_rep = ~rep.duplicated(keep="last").to_numpy()
    stops_early = (rows["period_index"] < rows["period_index"].max()).to_numpy()
    kind = pd.Series("", index=rows.index)
    if "exit_kind" in rows:
        given = rows[rows["exit_kind"] != ""].groupby("rep_id")["exit_kind"].first()
        kind = rep.map(given).astype(object).fillna("")  # no exit kind given: all NaN
    dated = in_window = stayed_to_end = np.zeros(len(rows), bool)
    if "exit_date" in rows:
        exit_date = rows.groupby("rep_id")["exit_date"].transform("first")
        dated = exit_date.notna().to_numpy()
        in_window = (exit_date < history_end).to_numpy()
        last_week = quarter_start(rows["period_index"] + 1) - pd.Timedelta(days=DAYS_PER_WEEK)
        stayed_to_end = (exit_date >= last_week).to_numpy()
    undated_exit = ~dated & ((kind != "").to_numpy() | stops_early)
    rows["exit"] = last_of_rep & ((dated & in_window) | undated_exit)
    rows["inferred"] = rows["exit"] & ~dated & (kind == "").to_numpy()
    rows["kind"] = np.where(rows["exit"], kind, "")
    if "hire_date" in rows:
        rows["hire"] = rows.groupby("rep_id")["hire_date"].transform("first")
    else:
        rows["hire"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    rows["tenure_years"] = (rows["start"] - rows["hire"]).dt.days / DAYS_PER_YEAR
    left_early = rows["exit"].to_numpy() & ~stayed_to_end
    end = quarter_start(rows["period_index"] + 1)
    came = rows["hire"].where(rows["hire"] > rows["start"], rows["start"])
    went = end
    if "exit_date" in rows:
        went = end.where(~(rows["exit"] & exit_date.notna()), exit_date + pd.Timedelta(days=1))
    rows["seated"] = ((went - came) / (end - rows["start"])).clip(0.0, 1.0)
    rows["partial"] = (rows["hire"] > rows["start"]).to_numpy() | left_early
    return rows


def full_years(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per rep and calendar year in seat all year: ``credited``, ``quota``, ``attainment``.

    ``rows`` as :func:`_with_exits` returns them.
    """
    g = rows.groupby(["rep_id", "year"]).agg(
        quota=("quota", "sum"),
        credited=("credited_sales", "sum"),
        quarters=("quarter", "count"),
        partial=("partial", "any"),
    )
    full = g[(g["quarters"] == QUARTERS_PER_YEAR) & ~g["partial"]].copy()
    full["attainment"] = full["credited"] / full["quota"]
    return full.reset_index()


def _persistence(annual: pd.DataFrame) -> dict[str, float]:
    """Pearson correlation of reps' attainment in consecutive full years."""
    this = annual.set_index(["rep_id", "year"])["attainment"]
    following = annual.assign(year=annual["year"] - 1).set_index(["rep_id", "year"])["attainment"]
    pairs = pd.concat([this, following], axis=1, join="inner").to_numpy()
    enough = len(pairs) >= MIN_PAIRS and pairs.std(axis=0).min() > 0
    corr = float(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]) if enough else NAN
    return {"attainment_yoy_corr": corr, "yoy_pairs": len(pairs)}


def _rate(exits: pd.Series, seated: pd.Series) -> float:
    """Exits per rep-year in seat, ``seated`` in quarters (NaN without any)."""
    years = seated.sum() / QUARTERS_PER_YEAR
    return float(exits.sum() / years) if years > 0 else NAN


def _turnover(rows: pd.DataFrame) -> dict[str, float]:
    """Annual exit rates: all, by kind, by tenure band and by the previous quarter's tercile."""
    has_kind = "exit_kind" in rows
    voluntary = rows["kind"] == "voluntary"
    out = {
        "exits": int(rows["exit"].sum()),
        "exits_inferred": int(rows["inferred"].sum()),
        "turnover_total": _rate(rows["exit"], rows["seated"]),
        "turnover_voluntary": _rate(voluntary, rows["seated"]) if has_kind else NAN,
        "turnover_involuntary": _rate(rows["kind"] == "involuntary", rows["seated"])
        if has_kind
        else NAN,
    }
    tenure = rows["tenure_years"].clip(lower=0.0)
    for band, (low, high) in TENURE_BANDS.items():
        inside = (tenure >= low) & (tenure < high)
        out[f"turnover_total_tenure_{band}"] = _rate(rows["exit"][inside], rows["seated"][inside])
        out[f"turnover_voluntary_tenure_{band}"] = (
            _rate(voluntary[inside], rows["seated"][inside]) if has_kind else NAN
        )
    tercile = _lagged_tercile(rows)
    for k, name in enumerate(TERCILES):
        inside = tercile == k
        out[f"turnover_total_{name}_tercile"] = _rate(rows["exit"][inside], rows["seated"][inside])
        out[f"turnover_voluntary_{name}_tercile"] = (
            _rate(voluntary[inside], rows["seated"][inside]) if has_kind else NAN
        )
    return out


def _lagged_tercile(rows: pd.DataFrame) -> pd.Series:
    """Each row's rep's attainment tercile (0, 1, 2) among full quarters in the quarter before.

    -1 when the rep has no full row in the quarter just before.
    """
    full = rows[~rows["partial"]]
    rank = full.groupby("period_index")["attainment"].rank(method="first") - 1
    n = full.groupby("period_index")["attainment"].transform("size")
    tercile = pd.Series(-1, index=rows.index)
    tercile[full.index] = (len(TERCILES) * rank // n).astype(int)
    same_rep = rows["rep_id"].eq(rows["rep_id"].shift())
    consecutive = rows["period_index"].diff().eq(1)
    return tercile.shift(fill_value=-1).where(same_rep & consecutive, -1)


def _ramp(rows: pd.DataFrame) -> dict[str, float]:
    """Months for hires within the history to reach the seasoned benchmark; first-year sales."""
    if rows["tenure_years"].isna().all():
        return {
            "ramp_months_median": NAN,
            "new_hires": 0,
            "new_hires_ramped": 0,
            "first_year_sales_ratio": NAN,
        }
    seasoned = rows[(rows["tenure_years"] >= SEASONED_YEARS) & ~rows["partial"]]
    benchmark = seasoned.groupby("period_index")["credited_sales"].median()
    first_year = rows[(rows["tenure_years"] >= 0) & (rows["tenure_years"] < SEASONED_YEARS)]
    first_year = first_year[~first_year["partial"]]
    ratio = first_year["credited_sales"] / first_year["period_index"].map(benchmark)
    ratio = ratio[np.isfinite(ratio)]
    new = rows[(rows["hire"] >= rows["start"].min()).to_numpy()]
    bar = RAMP_SHARE * new["period_index"].map(benchmark)
    ramped = new[new["credited_sales"] >= bar].groupby("rep_id").head(1)
    end = quarter_start(ramped["period_index"] + 1).to_numpy()
    months = (end - ramped["hire"].to_numpy()) / pd.Timedelta(days=1) / DAYS_PER_MONTH
    return {
        "ramp_months_median": float(np.median(months)) if len(months) else NAN,
        "new_hires": int(new["rep_id"].nunique()),
        "new_hires_ramped": len(ramped),
        "first_year_sales_ratio": float(np.median(ratio)) if len(ratio) else NAN,
    }


def _seasonality(rows: pd.DataFrame, first: int, last: int) -> dict[str, float]:
    """Each calendar quarter's share of the credited sales of the history's complete years."""
    years = range(-(-first // QUARTERS_PER_YEAR), (last + 1) // QUARTERS_PER_YEAR)
    inside = rows[rows["year"].isin(years)]
    sales = (
        inside.groupby("quarter")["credited_sales"]
        .sum()
        .reindex(range(1, QUARTERS_PER_YEAR + 1), fill_value=0)
    )
    total = sales.sum()
    return {f"sales_share_q{q}": float(sales[q] / total) if total > 0 else NAN for q in sales.index}


# ---------------------------------------------------------------- the model's own history


def model_history(tables: dict[str, pd.DataFrame], start_year: int) -> pd.DataFrame:
    """A run's evaluation window as a history file's rows (the CSV shape, text dates).

    One row per rep and quarter with a quota (the model's rep-quarter rows
    outside the warm-up), by quarter and rep: ``rep_id`` (``R0007``), ``team`` (``T03``), ``period``
    (the first evaluation year is ``start_year``), ``quota``, ``credited_sales``,
    ``hire_date``, ``exit_date``, ``exit_kind``, ``deals_won``, ``pay_total``.
    A model week falls on the calendar quarter of its 13-week quarter, 7 days
    a week from the quarter's first day, so a 52-week year maps onto the calendar;
    a hire date is the first day of the week of hire, an exit date the last day
    of the rep's last week (or of its quarter, when 13 weeks pass the quarter's days).
    """
    reps, hires = tables["reps"], tables["hires"].set_index("rep_id")
    rows = reps[~reps["warmup"] & (reps["quota"] > 0)].sort_values(["period", "rep_id"])
    first_period = int(rows["period"].min())
    index = QUARTERS_PER_YEAR * start_year + rows["period"].to_numpy() - first_period
    first_week = WEEKS_PER_QUARTER * first_period

    def dates(weeks: pd.Series, day_of_week: int = 0) -> list[str]:
        quarter, week = np.divmod(weeks.to_numpy() - first_week, WEEKS_PER_QUARTER)
        day = DAYS_PER_WEEK * week + day_of_week
        valid = np.isfinite(weeks.to_numpy())
        index = np.where(valid, QUARTERS_PER_YEAR * start_year + quarter, 0)
        days = pd.to_timedelta(np.where(valid, day, 0), unit="D")
        last_day = quarter_start(index + 1) - pd.Timedelta(days=1)  # 13 weeks pass 90 days
        stamps = np.minimum(quarter_start(index) + days, last_day).dt.strftime("%Y-%m-%d")
        return list(stamps.where(valid, ""))

    hired = hires.loc[rows["rep_id"]]
    return pd.DataFrame(
        {
            "rep_id": [f"R{r:04d}" for r in rows["rep_id"]],
            "team": [f"T{t + 1:02d}" for t in rows["team"]],
            "period": [_label(i) for i in index],
            "quota": rows["quota"].round(2).to_numpy(),
            "credited_sales": rows["credited_sales"].round(2).to_numpy(),
            "hire_date": dates(hired["hired_week"]),
            "exit_date": dates(hired["exit_week"], DAYS_PER_WEEK - 1),
            "exit_kind": hired["exit_kind"].fillna("").to_numpy(),
            "deals_won": rows["deals_won"].astype(int).to_numpy(),
            "pay_total": rows["pay_total"].round(2).to_numpy(),
        }
    )
