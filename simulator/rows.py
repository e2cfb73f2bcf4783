"""Row building: the per-rep, per-manager, per-deal and weekly rows a run records.

Mixed into :class:`~simulator.model.SalesModel`; the rows go to the run's
:class:`~simulator.record.Recorder` (in a batch, each replication's rows to its
own, with the seats, teams and ids it would have alone), whose tables are the
run's output.
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

    def _recorder(self, seat: int):
        """The recorder of the replication that holds ``seat``."""
        return self.recorders[seat // self.blocks.n]

    def _local(self, seats: np.ndarray | int, r: int) -> np.ndarray | int:
        """Seat numbers as replication ``r`` alone has them."""
        return seats - r * self.blocks.n

    def _record_deals(self, seats: np.ndarray, *columns: np.ndarray) -> None:
        """Record the week's decided deals (credited to ``seats``), each in its replication.

        ``columns``: the deals' account, rep id, segment, expansion, win-back, rushed,
        won, price and discount (:data:`~simulator.record.DEAL_COLUMNS` but week and seat).
        """
        account, *rest = columns
        if self.replications == 1:
            self.recorders[0].deals(self.week, account, seats, *rest)
            return
        for r, rows in enumerate(self.blocks.split(seats)):
            if rows.size:
                local = self._local(seats[rows], r)
                self.recorders[r].deals(self.week, account[rows], local, *(c[rows] for c in rest))

    def _flush_rep_rows(self, seats: np.ndarray, exit_kinds: np.ndarray) -> None:
        """Write the quarter's rows of ``seats`` (one per rep) and reset their accumulators.

        ``seats`` are indices: each ``array[seats]`` is already a copy the block can keep.
        """
        blocks = seats // self.blocks.n
        if self.replications == 1 or (blocks.size and (blocks == blocks[0]).all()):
            self._flush_block(int(blocks[0]) if blocks.size else 0, seats, exit_kinds)
            return
        for r, rows in enumerate(self.blocks.split(seats)):
            if rows.size:
                self._flush_block(r, seats[rows], exit_kinds[rows])

    def _flush_block(self, r: int, seats: np.ndarray, exit_kinds: np.ndarray) -> None:
        """:meth:`_flush_rep_rows` of replication ``r``'s ``seats``."""
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
        self.recorders[r].rep_rows_block(
            {
                "rep_id": st.rep_id[seats],
                "seat": self._local(seats, r),
                "team": team - r * self.n_teams,
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
            r = k // self.n_teams
            self.recorders[r].manager_row(
                (
                    self._manager_ids[k],
                    m.team - r * self.n_teams,
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
        """The week's row of each replication (``rushed``, ``held``, ``new_opps``: each one's)."""
        st = self.seats
        occ = st.occupied
        b = self.blocks
        n_occ = b.counts(occ)
        per_rep = 1.0 / np.maximum(n_occ, 1)
        sums = b.sums  # each replication's ndarray.sum()
        a = self.accounts
        live = a.seat[: a.n]
        # in the order of record.WEEKLY_COLUMNS (vacant seats hold zeros), a column each
        columns = (
            n_occ,
            b.n - n_occ,
            self._week_hires,
            self._week_exits["voluntary"],
            self._week_exits["involuntary"],
            self._week_exits_outside,
            sums(bookings),
            sums(won),
            rushed,
            held,
            sums(discounts),
            new_opps,
            b.mask_counts(a.open[: a.n], live),
            self._week_pay,
            sums(st.morale) * per_rep,
            sums(st.skill) * per_rep,
            b.masked_sums(time.total, occ) * per_rep,
            sums(time.prospecting),
            sums(time.advancing),
            sums(time.helping),
            sums(time.exploring),
            sums(time.caring),
            sums(time.admin),
            *sums(self.manager_hours).T,
            sums(self.coach_hours),
            self.company_target / WEEKS_PER_YEAR,
            b.mask_counts(a.customer[: a.n], live),
            b.subset_counts(live),
            self._week_churned,
            *a.installed_base(self._growth)[::-1],
            a.churned_installed,
        )
        # a column a row, one value per replication in each
        rows = np.concatenate(columns, dtype=float).reshape(len(columns), -1)
        for r, recorder in enumerate(self.recorders):
            recorder.week_row(self.week, rows[:, r])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tidy tables (see README, "Output schema"); a batch: the first replication's."""
        return self.recorders[0].tables()

    def batch_tables(self) -> list[dict[str, pd.DataFrame]]:
        """Each replication's :meth:`tables`, in the order of its seeds."""
        return [recorder.tables() for recorder in self.recorders]
