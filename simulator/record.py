"""Columnar recording: weekly series in preallocated arrays, per-period rows in lists.

Nothing here runs the model; the model calls :meth:`Recorder.week`,
:meth:`Recorder.rep_row` and :meth:`Recorder.manager_row`, and
:meth:`Recorder.tables` returns the tidy tables documented in README.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

WEEKLY_COLUMNS = (
    "headcount",
    "vacancies",
    "hires",
    "exits_voluntary",
    "exits_involuntary",
    "exits_outside",
    "bookings",
    "deals_won",
    "deals_rushed",
    "deals_held",
    "discounts",
    "new_opportunities",
    "open_opportunities",
    "comp_cost",
    "morale_mean",
    "skill_mean",
    "effort_hours_mean",
    "hours_prospecting",
    "hours_advancing",
    "hours_helping",
    "hours_exploring",
    "hours_caring",
    "hours_admin",
    "mgr_hours_admin",
    "mgr_hours_hiring",
    "mgr_hours_covering",
    "mgr_hours_support",
    "mgr_hours_inspection",
    "mgr_hours_coaching",
    "mgr_hours_other",
    "coached_hours",
    "target_weekly",
    "customers",
    "accounts",
    "customers_churned",
    "penetration",
    "installed",
    "installed_churned",
)

REP_COLUMNS = (
    "rep_id",
    "seat",
    "team",
    "manager_id",
    "year",
    "quarter",
    "period",
    "warmup",
    "tenure_weeks",
    "weeks_in_seat",
    "quota",
    "credited_sales",
    "attainment",
    "deals_won",
    "deals_rushed",
    "deals_held",
    "deals_lost_to_colleagues",
    "discounts",
    "pay_base",
    "pay_commission",
    "pay_bonus",
    "pay_rank",
    "pay_team",
    "pay_campaign",
    "pay_total",
    "effort_hours",
    "hours_prospecting",
    "hours_advancing",
    "hours_helping",
    "hours_exploring",
    "hours_caring",
    "hours_admin",
    "coached_hours",
    "help_received_hours",
    "skill",
    "morale",
    "exit",
    "exit_kind",
)

MANAGER_COLUMNS = (
    "manager_id",
    "team",
    "year",
    "quarter",
    "period",
    "warmup",
    "coaching_quality",
    "hours_admin",
    "hours_hiring",
    "hours_covering",
    "hours_support",
    "hours_inspection",
    "hours_coaching",
    "hours_other",
    "vacancies_mean",
    "team_seats",
)

DEAL_COLUMNS = (
    "week",
    "account",
    "seat",
    "rep_id",
    "segment",
    "expansion",
    "winback",
    "rushed",
    "won",
    "price",
    "discount",
)

HIRE_COLUMNS = (
    "rep_id",
    "seat",
    "team",
    "hired_week",
    "initial",
    "ramp_weeks",
    "exit_week",
    "exit_kind",
)


class Recorder:
    """Collects the run's tables in columnar form."""

    def __init__(self, n_weeks: int, warmup_weeks: int):
        self.n_weeks = n_weeks
        self.warmup_weeks = warmup_weeks
        self._weekly = np.zeros((n_weeks, len(WEEKLY_COLUMNS)))
        self._rep_blocks: list[dict[str, np.ndarray]] = []
        self.manager_rows: list[tuple] = []
        self.hires: dict[int, list[Any]] = {}
        self._deals: list[tuple[np.ndarray, ...]] = []

    def week(self, t: int, values: dict[str, float]) -> None:
        """Store one week of organisation-level values given by column name."""
        for k, v in values.items():
            self._weekly[t, WEEKLY_COLUMNS.index(k)] = v

    def week_row(self, t: int, values: tuple) -> None:
        """Store one week of values in :data:`WEEKLY_COLUMNS` order."""
        self._weekly[t] = values

    def weekly_series(self, column: str, weeks: int) -> np.ndarray:
        """The first ``weeks`` values of one :data:`WEEKLY_COLUMNS` column (a read-only view).

        For live views of a running model, which cannot afford :meth:`tables` every week.
        """
        view = self._weekly[:weeks, WEEKLY_COLUMNS.index(column)]
        view.flags.writeable = False
        return view

    def rep_rows_block(self, block: dict[str, np.ndarray]) -> None:
        """Append rep-quarter rows given as equal-length columns named as :data:`REP_COLUMNS`."""
        self._rep_blocks.append(block)

    def manager_row(self, row: tuple) -> None:
        """Append one manager-quarter row in :data:`MANAGER_COLUMNS` order."""
        self.manager_rows.append(row)

    def deals(
        self,
        week: int,
        account: np.ndarray,
        seat: np.ndarray,
        rep_id: np.ndarray,
        segment: np.ndarray,
        expansion: np.ndarray,
        winback: np.ndarray,
        rushed: np.ndarray,
        won: np.ndarray,
        price: np.ndarray,
        discount: np.ndarray,
    ) -> None:
        """Store the deals buyers decided on this week (won or lost)."""
        if len(account):
            self._deals.append(
                (
                    np.full(len(account), week),
                    account,
                    seat,
                    rep_id,
                    segment,
                    expansion,
                    winback,
                    rushed,
                    won,
                    price,
                    discount,
                )
            )

    def hire(self, rep_id: int, seat: int, team: int, week: int, initial: bool) -> None:
        """Register a rep when seated."""
        self.hires[rep_id] = [rep_id, seat, team, week, initial, np.nan, np.nan, ""]

    def productive(self, rep_id: int, weeks: int) -> None:
        """Mark the week a new hire first reached full productivity."""
        self.hires[rep_id][5] = weeks

    def exit(self, rep_id: int, week: int, kind: str) -> None:
        """Mark a rep's exit."""
        self.hires[rep_id][6] = week
        self.hires[rep_id][7] = kind

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tidy tables: ``weekly``, ``reps``, ``managers``, ``hires``."""
        weeks = np.arange(self.n_weeks)
        weekly = pd.DataFrame(
            {
                "week": weeks,
                "year": weeks // 52,
                "quarter": (weeks % 52) // 13,
                "week_in_quarter": (weeks % 52) % 13,
                "warmup": weeks < self.warmup_weeks,
                **dict(zip(WEEKLY_COLUMNS, self._weekly.T, strict=True)),
            }
        )
        # columns are converted as arrays, each frame built once (pandas' own conversions of
        # frame columns cost more than the rest of the tables)
        rep_cols = {
            c: np.concatenate([b[c] for b in self._rep_blocks]) if self._rep_blocks else np.zeros(0)
            for c in REP_COLUMNS
        }
        for c in ("exit", "warmup"):
            rep_cols[c] = rep_cols[c].astype(bool)
        rep_cols["exit_kind"] = rep_cols["exit_kind"].astype(str)  # a text column
        reps = pd.DataFrame(rep_cols, copy=False)
        managers = pd.DataFrame.from_records(self.manager_rows, columns=list(MANAGER_COLUMNS))
        managers["warmup"] = managers["warmup"].astype(bool)
        hires = pd.DataFrame.from_records(list(self.hires.values()), columns=list(HIRE_COLUMNS))
        if self._deals:
            cols = [np.concatenate(c) for c in zip(*self._deals, strict=True)]
        else:
            cols = [np.zeros(0)] * len(DEAL_COLUMNS)
        deal_cols = dict(zip(DEAL_COLUMNS, cols, strict=True))
        for flag in ("expansion", "winback", "rushed", "won"):
            deal_cols[flag] = deal_cols[flag].astype(bool)
        deal_cols["segment"] = pd.Categorical.from_codes(
            deal_cols["segment"].astype(int), ["smb", "mid", "ent"]
        )
        deals = pd.DataFrame(deal_cols, copy=False)
        return {
            "weekly": weekly,
            "reps": reps,
            "managers": managers,
            "hires": hires,
            "deals": deals,
        }
