"""What the app's views show, read from a running model's live arrays.

Pure functions of a :class:`~simulator.model.SalesModel` (no Solara, no
plotting), so they are tested on their own and cost microseconds a week:
building the full tables (``model.tables()``) every week would not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.agents.manager import ACTIVITIES
from simulator.model import SalesModel
from simulator.params import WEEKS_PER_QUARTER

#: a rep who gave at least this many hours of help this week is marked as helping
HELPING_MARK_HOURS = 1.0


def shown_week(model: SalesModel) -> int:
    """Weeks simulated since the warm-up: the week the room sees (0 when the model is built)."""
    return model.week - model.warmup_weeks


def since_warmup(model: SalesModel, column: str) -> np.ndarray:
    """A weekly column over the weeks since the warm-up."""
    return model.recorder.weekly_series(column, model.week)[model.warmup_weeks :]


def exits_to_date(model: SalesModel) -> int:
    """Reps who left since the warm-up, voluntarily or not."""
    return int(
        since_warmup(model, "exits_voluntary").sum()
        + since_warmup(model, "exits_involuntary").sum()
    )


def quarter_week(model: SalesModel) -> int:
    """Weeks of the current quarter already simulated (0 at a quarter's start)."""
    return model.week % WEEKS_PER_QUARTER


def pace_attainment(model: SalesModel) -> np.ndarray:
    """Each seat's attainment this quarter so far: sales over the quota of the weeks so far.

    1.0 means on pace for quota. In the first week of a quarter, before any of
    its weeks, a seat shows the attainment of the quarter just ended. Vacant
    seats, and every seat before the first week, are NaN.
    """
    st = model.seats
    quota = st.acc["quota"]
    att = np.where(quota > 0, st.acc["credited_sales"] / np.where(quota > 0, quota, 1.0), np.nan)
    if model.week > 0:
        att = np.where(quota > 0, att, st.last_attainment)
    return np.where(st.occupied, att, np.nan)


def morale_mean(model: SalesModel) -> float:
    """Mean morale of the reps in their seats."""
    occ = model.seats.occupied
    return float(model.seats.morale[occ].mean()) if occ.any() else float("nan")


def bookings(model: SalesModel) -> np.ndarray:
    """Bookings of every week since the warm-up."""
    return since_warmup(model, "bookings")


def target_to_date(model: SalesModel) -> float:
    """The company target of the weeks since the warm-up."""
    return float(since_warmup(model, "target_weekly").sum())


def coached(model: SalesModel) -> np.ndarray:
    """Seats whose rep was coached this week."""
    return model.seats.occupied & (model.coach_hours > 0)


def helping(model: SalesModel) -> np.ndarray:
    """Seats whose rep gave at least :data:`HELPING_MARK_HOURS` of help to peers this week."""
    if model.week_hours is None:
        return np.zeros(model.n_seats, bool)
    return model.seats.occupied & (model.week_hours.helping >= HELPING_MARK_HOURS)


def tile_grid(model: SalesModel, values: np.ndarray) -> np.ndarray:
    """Seat values laid out as teams (rows) by position in the team (columns); NaN pads."""
    span = model.params.org.span_of_control
    n_teams = len(model.managers)
    grid = np.full(n_teams * span, np.nan)
    grid[: model.n_seats] = values
    return grid.reshape(n_teams, span)


def team_standings(model: SalesModel) -> pd.DataFrame:
    """Teams ranked by attainment this quarter so far (sales over quota of the weeks so far)."""
    st = model.seats
    team = st.team
    k = len(model.managers)
    credited = np.bincount(team, st.acc["credited_sales"], minlength=k)
    quota = np.bincount(team, st.acc["quota"], minlength=k)
    att = pace_attainment(model)
    finite = np.isfinite(att)
    counts = np.bincount(team, finite, minlength=k)
    sums = np.bincount(team, np.where(finite, att, 0.0), minlength=k)
    fallback = np.divide(sums, counts, out=np.full(k, np.nan), where=counts > 0)
    table = pd.DataFrame(
        {
            "team": np.arange(k),
            "reps": np.bincount(team, st.occupied, minlength=k).astype(int),
            "seats": np.bincount(team, minlength=k),
            "attainment": np.where(quota > 0, credited / np.where(quota > 0, quota, 1), fallback),
            "coaching_quality": [m.coaching_quality for m in model.managers],
            "coaching_hours": model.manager_hours[:, ACTIVITIES.index("coaching")],
        }
    )
    return table.sort_values("attainment", ascending=False, na_position="last").reset_index(
        drop=True
    )


def leaderboard(model: SalesModel, n: int = 5) -> pd.DataFrame:
    """The ``n`` reps furthest ahead of pace this quarter: seat, team and attainment."""
    att = pace_attainment(model)
    held = np.flatnonzero(model.seats.occupied & np.isfinite(att))
    top = held[np.argsort(-att[held], kind="stable")[:n]]
    return pd.DataFrame(
        {"seat": top, "team": model.seats.team[top], "attainment": att[top]},
    )


def manager_hours(model: SalesModel) -> pd.DataFrame:
    """This week's hours of every manager by activity (rows: teams)."""
    return pd.DataFrame(model.manager_hours, columns=list(ACTIVITIES))


def headline(model: SalesModel) -> dict[str, float]:
    """Headline numbers of a run since its warm-up, for the side-by-side table."""
    st = model.seats
    att = pace_attainment(model)
    held = st.occupied & np.isfinite(att)
    revenue = float(bookings(model).sum())
    pay = float(since_warmup(model, "comp_cost").sum())
    target = target_to_date(model)
    return {
        "week": shown_week(model),
        "bookings to date": revenue,
        "bookings / target": revenue / target if target > 0 else float("nan"),
        "reps on pace this quarter": float((att[held] >= 1.0).mean())
        if held.any()
        else float("nan"),
        "headcount": int(st.occupied.sum()),
        "vacancies": int((~st.occupied).sum()),
        "hires to date": int(since_warmup(model, "hires").sum()),
        "exits to date": exits_to_date(model),
        "pay / bookings": pay / revenue if revenue > 0 else float("nan"),
        "morale": morale_mean(model),
        "coaching h/manager this week": float(
            model.manager_hours[:, ACTIVITIES.index("coaching")].mean()
        ),
    }
