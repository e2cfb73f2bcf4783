"""The pay schedule: what each plan component owes, when, and what a period's end does.

Mixed into :class:`~simulator.model.SalesModel`: payouts at period ends
(a cumulative commission's quarterly true-up, a campaign at its window's
end, leavers paid what individual components owe so far), base pay, the
leaderboard's morale push, and the quarter's end (attainment, misses,
performance-managed exits, ratcheted quotas).
"""

from __future__ import annotations

import functools

import numpy as np

from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import (
    INDIVIDUAL,
    Campaign,
    Commission,
    Component,
    PayState,
    RankPrize,
    attainment,
)
from simulator.workforce import PAY_ACCUMULATORS


class PaySchedule:
    """Payouts and period ends of a :class:`~simulator.model.SalesModel`."""

    def segment_share(self, segment: int) -> np.ndarray:
        """Each territory's share of potential in a segment (-1: all segments)."""
        if segment < 0:
            return np.ones(self.n_seats)
        return self._segment_share[segment]

    def _leaderboard_signal(self) -> np.ndarray:
        """Morale push of a published leaderboard: + at the top, - at the bottom, 0 if none."""
        plan = self.plan
        st = self.seats
        if not plan.leaderboard or plan.leaderboard_morale_effect == 0:
            return np.zeros(self.n_seats)
        ranks = [c for c in self.plan.components.values() if isinstance(c, RankPrize)]
        w = ranks[0].period_weeks if ranks else WEEKS_PER_QUARTER
        att = attainment(st.credited[w], st.quota[w])
        pct = np.zeros(self.n_seats)
        for s in self.blocks.slices:  # each replication's own leaderboard
            occ = np.flatnonzero(st.occupied[s])
            if occ.size > 1:
                order = occ[np.argsort(att[s][occ], kind="stable")] + s.start
                pct[order] = np.arange(occ.size) / (occ.size - 1)
        return np.where(st.occupied, plan.leaderboard_morale_effect * (pct - 0.5), 0.0)

    def _pay_state(self, comp: Component, year_to_date: bool = False) -> PayState:
        """Every seat's state for one component: its measure's sales, its share of quota."""
        st = self.seats
        quota = st.quota[comp.period_weeks]
        if year_to_date:  # true-up: the quota of the year so far, week by week as reported
            quota = st.quota_ytd
        return PayState(
            st.credited_by[comp.measure][comp.period_weeks],
            quota * comp.quota_share,
            st.team,
            st.occupied,
            st.campaign_credited,
        )

    def _component_pay(
        self, name: str, state: PayState, seats: np.ndarray | None = None
    ) -> np.ndarray:
        """Pay of one component for every seat, or for ``seats`` only (0 elsewhere).

        An individual component pays each seat on its own sales, so a leaver's pay
        is computed on its seat alone: paying every seat for each leaver made a
        week's exits cost grow with the square of the organisation.
        """
        if seats is None:
            return self._plan_pay(name, state)
        out = np.zeros(self.n_seats)
        if isinstance(self.plan.components[name], INDIVIDUAL):
            own = PayState(
                state.credited[seats],
                state.quota[seats],
                state.team[seats],
                state.active[seats],
                {k: v[seats] for k, v in state.campaign_credited.items()},
            )
            out[seats] = self.plan.pay(name, own)
        else:
            out[seats] = self._plan_pay(name, state)[seats]
        return out

    def _plan_pay(self, name: str, state: PayState) -> np.ndarray:
        """``plan.pay`` of every seat; a rank prize ranks each replication's reps on their own."""
        if self.replications == 1 or not isinstance(self.plan.components[name], RankPrize):
            return self.plan.pay(name, state)
        out = np.zeros(self.n_seats)
        for s in self.blocks.slices:
            own = PayState(state.credited[s], state.quota[s], state.team[s], state.active[s])
            out[s] = self.plan.pay(name, own)
        return out

    def _payouts(
        self, ending: list[int], only: tuple = (), seats: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Pay by column for every component whose period (or pay date) is in ``ending``.

        A cumulative commission is measured year-to-date and paid at each
        quarter's end with true-up; a campaign pays at the end of its window.
        ``seats`` (for a leaver) limits the pay, and the true-up bookkeeping, to
        those seats (the others read 0).
        """
        st = self.seats
        out: dict[str, np.ndarray] = {}
        week_of_year = self.week % WEEKS_PER_YEAR
        for name, comp in self.plan.components.items():
            if only and not isinstance(comp, only):
                continue
            if isinstance(comp, Campaign):
                if week_of_year != comp.end_week and seats is None:
                    continue
                v = self._component_pay(name, self._pay_state(comp), seats)
            elif isinstance(comp, Commission) and comp.cumulative:
                if WEEKS_PER_QUARTER not in ending and seats is None:
                    continue
                # earned so far: the year's schedule on year-to-date attainment, for the
                # share of the year elapsed (with hiring.prorated_target, the ramp-weighted
                # weeks each seat held)
                if self.params.hiring.prorated_target:
                    elapsed = st.ramp_weeks_ytd / WEEKS_PER_YEAR
                else:
                    elapsed = ((self.week % WEEKS_PER_YEAR) + 1) / WEEKS_PER_YEAR
                state = self._pay_state(comp, year_to_date=True)
                due = self._component_pay(name, state, seats) * elapsed
                paid = st.paid_ytd[st.cumulative_row[name]]
                if seats is None:
                    v = np.maximum(due - paid, 0.0)
                    paid += v
                else:
                    v = np.zeros(self.n_seats)
                    v[seats] = np.maximum(due[seats] - paid[seats], 0.0)
                    paid[seats] += v[seats]
            elif comp.period_weeks in ending:
                v = self._component_pay(name, self._pay_state(comp), seats) * self.pay_share(comp)
            else:
                continue
            out[comp.column] = out.get(comp.column, 0.0) + v
        return out

    def _pay_base(self) -> None:
        st = self.seats
        weekly = self.plan.base_salary / WEEKS_PER_YEAR
        st.acc["pay_base"] += np.where(st.occupied, weekly, 0.0)
        self._week_pay += weekly * self.blocks.counts(st.occupied)

    @functools.cached_property
    def _period_ends(self) -> tuple[tuple[list[int], list[str]], ...]:
        """By week of the year: the periods ending in it (with one week left), the campaigns."""
        ends = []
        for week_of_year in range(WEEKS_PER_YEAR):
            ending = [w for w in self.seats.periods if w - week_of_year % w == 1]
            campaign_ends = [
                name
                for name, c in self.plan.components.items()
                if isinstance(c, Campaign) and c.end_week == week_of_year
            ]
            ends.append((ending, campaign_ends))
        return tuple(ends)

    def _end_periods(self) -> None:
        st = self.seats
        ending, campaign_ends = self._period_ends[self.week % WEEKS_PER_YEAR]
        if not ending and not campaign_ends:
            return
        for column, v in self._payouts(ending).items():
            paid = np.where(st.occupied, v, 0.0)
            st.acc["pay_" + column] += paid
            self._week_pay += self.blocks.sums(paid)
        forced = self._forced_ranking(ending)
        if WEEKS_PER_QUARTER in ending:
            self._end_quarter(forced)
        else:
            for seat in forced:
                self._flush_rep_row(int(seat), exit_kind="involuntary")
                self._release(int(seat), "involuntary")
        for w in ending:
            for by_period in st.credited_by.values():
                by_period[w][:] = 0.0
        if WEEKS_PER_YEAR in ending:
            st.paid_ytd[:] = 0.0
            st.quota_ytd[:] = 0.0
            st.ramp_weeks_ytd[:] = 0.0
        for name in campaign_ends:
            st.campaign_credited[name][:] = 0.0

    def _ratchet(self, att: np.ndarray) -> None:
        """Ratchet quotas: a quarter's beat raises the seat's quota more than a miss lowers it."""
        st = self.seats
        qp = self.params.quota
        full = st.occupied & (st.acc["weeks"] >= WEEKS_PER_QUARTER)
        change = np.where(att >= 1.0, qp.ratchet_up * (att - 1.0), -qp.ratchet_down * (1.0 - att))
        st.annual_quota_full[full] *= np.clip(
            1.0 + change[full], qp.ratchet_floor, qp.ratchet_ceiling
        )

    def _end_quarter(self, forced: np.ndarray) -> None:
        st = self.seats
        pf = self.params.performance
        q = st.acc["quota"]
        att = np.where(q > 0, st.acc["credited_sales"] / np.maximum(q, 1e-9), 0.0)
        occ = st.occupied
        st.last_attainment[occ] = att[occ]
        st.miss_streak[:] = np.where(occ & (att < 1.0), st.miss_streak + 1, 0)
        st.pm_streak[:] = np.where(occ & (att < pf.threshold), st.pm_streak + 1, 0)
        quarter_pay = sum((st.acc[c] for c in PAY_ACCUMULATORS), np.zeros(self.n_seats))
        memory = self.params.rep.pay_memory
        annualised = WEEKS_PER_YEAR / WEEKS_PER_QUARTER * quarter_pay[occ]
        st.pay_annual[occ] = memory * st.pay_annual[occ] + (1.0 - memory) * annualised
        if self.params.quota.policy == "ratchet":
            self._ratchet(att)
        forced_set = {int(x) for x in forced}
        not_forced = np.ones(self.n_seats, bool)
        not_forced[list(forced_set)] = False
        seasoned = self.params.hiring.onboarding_weeks + WEEKS_PER_QUARTER
        eligible = occ & not_forced & (st.tenure_weeks(self.week) >= seasoned)
        managed_out = []
        for seat in np.flatnonzero(eligible & (st.pm_streak >= pf.quarters)):
            if self.rng_people.of(seat).random() < pf.exit_strength:
                st.pm_streak[seat] = 0
                managed_out.append(int(seat))
        held = np.flatnonzero(occ)
        kinds = np.full(held.size, "", dtype=object)
        if forced_set or managed_out:  # (np.isin is slow, and most quarters let no one go)
            kinds[np.isin(held, list(forced_set) + managed_out)] = "involuntary"
        self._flush_rep_rows(held, kinds)
        self._flush_manager_rows()
        for seat in sorted(forced_set) + managed_out:
            self._release(seat, "involuntary")
