"""The calendar and the quotas of a run: weeks, seasons, periods and what each carries.

Mixed into :class:`~simulator.model.SalesModel`: how many weeks a pay period
has left, which periods end within the deal-timing window, the season's
demand multiplier, and the quotas each period starts with (annual quotas by
the quota policy, period quotas by the ramp of new hires).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import Commission, QuotaBonus, RankPrize, TeamBonus
from simulator.plans.quota import annual_quotas, company_target

#: components paid against the seat's own quota: their target follows its ramp and time in seat
PRORATED = (Commission, QuotaBonus, RankPrize)


class Calendar:
    """The weeks, seasons and quotas of a :class:`~simulator.model.SalesModel`."""

    def pipeline_due(self, period_weeks: int) -> np.ndarray:
        """Expected value of each seat's open deals due before the period ends (cached a week)."""
        if period_weeks not in self._pipeline_due:
            self._pipeline_due[period_weeks] = self.accounts.pipeline_due(
                self.n_seats, self.weeks_left(period_weeks)
            )
        return self._pipeline_due[period_weeks]

    def weeks_left(self, period_weeks: int) -> int:
        """Weeks left in the current period of the given length, this week included."""
        return period_weeks - (self.week % WEEKS_PER_YEAR) % period_weeks

    def periods_ending_soon(self) -> set[int]:
        """Pay periods that end within ``rep.timing_window_weeks`` (this week included)."""
        within = self.params.rep.timing_window_weeks
        return {w for w in self.plan.periods if self.weeks_left(w) <= within}

    @functools.cached_property
    def stake_periods(self) -> tuple[int, ...]:
        """Pay periods at whose end the plan's pay is not linear in sales (the plan's, once).

        A quota bonus (a team's too), a rank prize, or a commission with tiers or a cap:
        closing before the period ends can change what the rep earns, so buyers can expect
        a concession for signing in its last week (``buyer.period_end_patience``).
        """
        weeks = set()
        for comp in self.plan.components.values():
            if isinstance(comp, QuotaBonus | RankPrize | TeamBonus):
                weeks.add(comp.period_weeks)
            elif isinstance(comp, Commission) and (
                comp.starts.size > 1 or np.isfinite(comp.cap) or np.isfinite(comp.payout_cap)
            ):
                weeks.add(comp.period_weeks)
        return tuple(sorted(weeks))

    def season(self) -> float:
        """This week's demand multiplier."""
        m = self.params.market
        return 1.0 + m.seasonality * math.cos(
            2 * math.pi * ((self.week % WEEKS_PER_YEAR) - m.peak_week) / WEEKS_PER_YEAR
        )

    def _start_periods(self) -> None:
        """New quotas for every period that starts this week."""
        if self.week == 0:
            return
        starting = [w for w in self.seats.periods if (self.week % WEEKS_PER_YEAR) % w == 0]
        if WEEKS_PER_YEAR in starting:
            self._set_annual_quotas()
        if starting:
            self._set_period_quotas(starting)

    def _set_annual_quotas(self) -> None:
        year = self.week // WEEKS_PER_YEAR
        last_year = self.revenue_total - self._revenue_year_start if self.week > 0 else None
        self._revenue_year_start = self.revenue_total.copy()
        # each replication's target, from its own last year
        lasts = [None] * self.replications if last_year is None else last_year.tolist()
        self.company_target = np.array([company_target(self.params, year, x) for x in lasts])
        if self.params.quota.policy == "ratchet" and self.week > 0:
            # ratcheted quotas carry over, grown with the company target
            self.seats.annual_quota_full *= 1.0 + self.params.org.target_growth
        else:
            basis = self.accounts.quota_basis(self.n_seats)
            history = self._history_rate() if self.week > 0 else None
            role = self.accounts.home if self.params.territory.specialisation > 0 else None
            for r, s in enumerate(self.blocks.slices):  # each replication splits its own
                self.seats.annual_quota_full[s] = annual_quotas(
                    self.params,
                    basis[s],
                    float(self.company_target[r]),
                    None if history is None else history[s],
                    None if role is None else role[s],
                )
        self.territory_bookings[:] = 0.0
        self.territory_weeks[:] = 0
        self.seats.quota_annual[:] = self.seats.annual_quota_full
        occ = self.seats.occupied
        unset = occ & (self.seats.expected_weekly_sales == 0)
        self.seats.expected_weekly_sales[unset] = (
            self.seats.annual_quota_full[unset] / WEEKS_PER_YEAR
        )

    def _history_rate(self) -> np.ndarray:
        """Each territory's weekly bookings last year, over the weeks a seasoned rep held it.

        Weeks in vacancy or onboarding do not count, so a territory is judged by what a
        ramped rep sold there; one with under a quarter of such weeks has no history.
        """
        weeks = self.territory_weeks
        has = weeks >= WEEKS_PER_QUARTER
        return np.where(has, self.territory_bookings / np.maximum(weeks, 1), np.nan)

    def pay_share(self, component) -> np.ndarray:
        """Share of a component's period target each seat earns (``hiring.prorated_target``).

        Ramp-weighted weeks in seat over the period's weeks, as its quota is
        scaled, so a unit sold pays the seat's full rate (set with the quotas,
        :meth:`_set_period_quotas`; 1 when the flag is off). Only pay set against
        the seat's own quota (commissions, quota bonuses, rank prizes) is
        scaled; team pay and campaigns are not.
        """
        if not isinstance(component, PRORATED):
            return np.ones(self.n_seats)
        return self.seats.pay_share[component.period_weeks]

    def quota_ramp(self, tenure_weeks: np.ndarray) -> np.ndarray:
        """Share of full quota carried in a week at the given tenure (ramped quotas)."""
        h = self.params.hiring
        if not h.ramped_quota or h.onboarding_weeks == 0:
            return np.ones_like(tenure_weeks, dtype=float)
        return np.minimum(1.0, (tenure_weeks + 1) / h.onboarding_weeks)

    def _set_period_quotas(self, periods, seats: np.ndarray | None = None) -> None:
        """Quotas (and pay shares) of ``periods`` from this week on, of ``seats`` or of all."""
        st = self.seats
        if seats is None:
            index = slice(None)
            week_cached = st.tenure_week == self.week
            tenure = st.tenure if week_cached else st.tenure_weeks(self.week)
        else:
            index = seats
            tenure = st.tenure_weeks(self.week, seats)
        weekly = st.annual_quota_full[index][:, None] / WEEKS_PER_YEAR
        occupied = st.occupied[index]
        for w in set(periods):
            left = self.weeks_left(w)
            ramp = self.quota_ramp(tenure[:, None] + np.arange(left)[None, :])
            st.quota[w][index] = np.where(occupied, (weekly * ramp).sum(axis=1), 0.0)
            if self.params.hiring.prorated_target:
                st.pay_share[w][index] = ramp.sum(axis=1) / w
