"""Row building: the per-rep, per-manager and weekly rows a run records.

Mixed into :class:`~simulator.model.SalesModel`; the rows go to the run's
:class:`~simulator.record.Recorder`, whose tables are the run's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.workforce import ACCUMULATORS, HOUR_COLUMNS, PAY_ACCUMULATORS


class RowBuilder:
    """The recorded rows of a :class:`~simulator.model.SalesModel`."""

    def _flush_rep_row(self, seat: int, exit_kind: str) -> None:
        """Write one rep's row for the quarter so far (a leaver's last row)."""
        self._flush_rep_rows(np.array([seat]), np.array([exit_kind], dtype=object))

    def _flush_rep_rows(self, seats: np.ndarray, exit_kinds: np.ndarray) -> None:
        """Write the quarter's rows of ``seats`` (one per rep) and reset their accumulators.

        ``seats`` are indices: each ``array[seats]`` is already a copy the block can keep.
        """
        st = self.seats
        # the seats' accumulators, copied at once, one row each
        acc = dict(zip(ACCUMULATORS, st.acc_rows[:, seats], strict=True))
        year, quarter = divmod((self.week % WEEKS_PER_YEAR) // 13 + 4 * (self.week // 52), 4)
        quota = acc["quota"]
        credited = acc["credited_sales"]
        pays = {c: acc[c] for c in PAY_ACCUMULATORS}
        hours = {k: acc[k] for k in HOUR_COLUMNS}
        weeks = acc["weeks"]
        team = st.team[seats]
        k = len(seats)
        self.recorder.rep_rows_block(
            {
                "rep_id": st.rep_id[seats],
                "seat": seats.copy(),
                "team": team,
                "manager_id": self._manager_ids[team],
                "year": np.full(k, year),
                "quarter": np.full(k, quarter),
                "period": np.full(k, self.week // WEEKS_PER_QUARTER),
                "warmup": np.full(k, self.week < self.warmup_weeks),
                "tenure_weeks": st.tenure_weeks(self.week, seats),
                "weeks_in_seat": weeks,
                "quota": quota,
                "credited_sales": credited,
                "attainment": np.where(
                    quota > 0, credited / np.where(quota > 0, quota, 1.0), np.nan
                ),
                "deals_won": acc["deals_won"],
                "deals_rushed": acc["deals_rushed"],
                "deals_held": acc["deals_held"],
                "deals_lost_to_colleagues": acc["deals_lost_to_colleagues"],
                "discounts": acc["discounts"],
                **pays,
                "pay_total": sum(pays.values()),
                "effort_hours": sum(hours.values()) / np.maximum(weeks, 1.0),
                **hours,
                "coached_hours": acc["coached_hours"],
                "help_received_hours": acc["help_received_hours"],
                "skill": st.skill[seats],
                "morale": st.morale[seats],
                "exit": exit_kinds != "",
                "exit_kind": exit_kinds,
            }
        )
        st.acc_rows[:, seats] = 0.0

    def _flush_manager_rows(self) -> None:
        year, quarter = divmod((self.week % WEEKS_PER_YEAR) // 13 + 4 * (self.week // 52), 4)
        for k, m in enumerate(self.managers):
            self.recorder.manager_row(
                (
                    m.unique_id,
                    m.team,
                    year,
                    quarter,
                    self.week // WEEKS_PER_QUARTER,
                    self.week < self.warmup_weeks,
                    m.coaching_quality,
                    *self._mgr_quarter[k].tolist(),
                    self._vacancy_quarter[k] / WEEKS_PER_QUARTER,
                    len(m.seats),
                )
            )
        self._vacancy_quarter[:] = 0.0
        self._mgr_quarter[:] = 0.0

    def _record_week(self, bookings, won, rushed, held, discounts, new_opps, time) -> None:
        st = self.seats
        occ = st.occupied
        n_occ = int(np.count_nonzero(occ))
        per_rep = 1.0 / max(n_occ, 1)
        target = self.company_target
        sum_of = np.add.reduce  # what ndarray.sum() does, without its Python wrapper
        hours = (
            sum_of(time.prospecting),
            sum_of(time.advancing),
            sum_of(time.helping),
            sum_of(time.exploring),
            sum_of(time.caring),
            sum_of(time.admin),
        )
        # in the order of record.WEEKLY_COLUMNS (vacant seats hold zeros)
        self.recorder.week_row(
            self.week,
            (
                n_occ,
                self.n_seats - n_occ,
                self._week_hires,
                self._week_exits["voluntary"],
                self._week_exits["involuntary"],
                self._week_exits_outside,
                sum_of(bookings),
                sum_of(won),
                rushed,
                held,
                sum_of(discounts),
                new_opps,
                np.count_nonzero(self.accounts.open[: self.accounts.n]),
                self._week_pay,
                sum_of(st.morale) * per_rep,
                sum_of(st.skill) * per_rep,
                sum_of(time.total[occ]) * per_rep,
                *hours,
                *sum_of(self.manager_hours, axis=0),
                sum_of(self.coach_hours),
                target / WEEKS_PER_YEAR,
                int(np.count_nonzero(self.accounts.customer[: self.accounts.n])),
                self.accounts.n,
                self._week_churned,
                self.accounts.penetration(self._growth),
                self.accounts.installed_total(),
                self.accounts.churned_installed,
            ),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tidy tables (see README, "Output schema")."""
        return self.recorder.tables()
