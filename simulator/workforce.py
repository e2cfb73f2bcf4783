"""Rep state by seat, and the vectorised rules that move it each week.

The :class:`Seats` arrays hold each seat's occupant's state (skill, aptitude,
morale, trust in the manager, pay, credited sales and quota per period); Rep
agents hold only identity and read from here. The rules below are each one
mechanism of MODEL.md with its strength parameter: learning by selling,
coaching, peer help and onboarding raise skill, disuse decays it; morale tracks
pay against the outside option, attainment, coaching and inspection; the quit
hazard rises with low morale, low pay, missed quotas and falls with coaching
and tenure.
"""

from __future__ import annotations

import numpy as np

from simulator.params import WEEKS_PER_YEAR, SimParams

#: hour accumulators, in the order of the reps table's hour columns
HOUR_COLUMNS = (
    "hours_prospecting",
    "hours_advancing",
    "hours_helping",
    "hours_exploring",
    "hours_admin",
)
#: pay accumulators, in the order of the reps table's pay columns
PAY_ACCUMULATORS = (
    "pay_base",
    "pay_commission",
    "pay_bonus",
    "pay_rank",
    "pay_team",
    "pay_campaign",
)
#: quarter accumulators kept per seat and flushed into the per-rep-quarter table
ACCUMULATORS = (
    *HOUR_COLUMNS,
    "coached_hours",
    "help_received_hours",
    "credited_sales",
    "deals_won",
    "discounts",
    "deals_rushed",
    "deals_held",
    "deals_lost_to_colleagues",
    "weeks",
    "quota",
    *PAY_ACCUMULATORS,
)


class Seats:
    """Per-seat arrays: the state of whoever holds each seat (vacant seats keep zeros)."""

    def __init__(self, params: SimParams, n: int, periods: tuple[int, ...]):
        self.params = params
        self.n = n
        self.team = np.arange(n) // params.org.span_of_control
        self.occupied = np.zeros(n, bool)
        self.rep_id = np.full(n, -1, np.int64)
        self.hired_week = np.zeros(n, np.int64)
        self.skill = np.zeros(n)
        self.aptitude = np.zeros(n)
        self.morale = np.zeros(n)
        self.trust = np.zeros(n)
        self.pay_annual = np.zeros(n)
        self.miss_streak = np.zeros(n, np.int64)
        self.pm_streak = np.zeros(n, np.int64)
        self.coach_ema = np.zeros(n)
        self.last_attainment = np.ones(n)
        self.expected_weekly_sales = np.zeros(n)
        self.typical_deal = np.ones(n)
        self.marginal_pay_ema = np.zeros(n)
        self.quota_annual = np.zeros(n)
        self.annual_quota_full = np.zeros(n)
        # every period length is tracked, whatever the plan measures
        self.periods = tuple(sorted(set(periods) | {4, 13, 52}))
        self.credited = {w: np.zeros(n) for w in self.periods}
        self.quota = {w: np.zeros(n) for w in self.periods}
        self.acc = {k: np.zeros(n) for k in ACCUMULATORS}
        self.paid_ytd = np.zeros(n)
        self.quota_ytd = np.zeros(n)  # quota of the year so far, week by week (ramps included)
        self.campaign_credited = np.zeros(n)
        self.vacant_since = np.zeros(n, np.int64)
        self.tenure = np.zeros(n, np.int64)

    def tenure_weeks(self, week: int) -> np.ndarray:
        """Weeks since each occupant was hired (0 for vacant seats)."""
        return np.where(self.occupied, week - self.hired_week, 0)

    def cache_tenure(self, week: int) -> np.ndarray:
        """Compute this week's tenure once; :attr:`tenure` serves the week's rules."""
        self.tenure = self.tenure_weeks(week)
        return self.tenure

    def ramp(self, week: int) -> np.ndarray:
        """Onboarding productivity multiplier, rising from 0.3 to 1 over onboarding."""
        weeks = self.params.hiring.onboarding_weeks
        if weeks == 0:
            return np.ones(self.n)
        return 0.3 + 0.7 * np.minimum(1.0, self.tenure / weeks)

    def effectiveness(self, week: int) -> np.ndarray:
        """Selling effectiveness: ramp times skill, about 1 for an average seasoned rep."""
        return self.ramp(week) * (0.5 + self.skill)

    def fill(
        self,
        seat: int,
        rep_id: int,
        week: int,
        skill: float,
        aptitude: float,
        tenure_weeks: int = 0,
    ) -> None:
        """Seat a rep (a new hire, or an initial rep with ``tenure_weeks`` already served)."""
        self.occupied[seat] = True
        self.rep_id[seat] = rep_id
        self.hired_week[seat] = week - tenure_weeks
        self.skill[seat] = skill
        self.aptitude[seat] = aptitude
        self.morale[seat] = 0.6
        self.trust[seat] = 0.5
        pp = self.params.plan
        self.pay_annual[seat] = pp.base_salary + pp.target_variable
        self.miss_streak[seat] = 0
        self.pm_streak[seat] = 0
        self.coach_ema[seat] = 0.0
        self.last_attainment[seat] = 1.0
        for w in self.periods:
            self.credited[w][seat] = 0.0
        for a in self.acc.values():
            a[seat] = 0.0
        self.paid_ytd[seat] = 0.0
        self.quota_ytd[seat] = 0.0
        self.campaign_credited[seat] = 0.0

    def vacate(self, seat: int, week: int) -> None:
        """Empty a seat (its accounts stay, the manager covers them)."""
        self.occupied[seat] = False
        self.rep_id[seat] = -1
        self.vacant_since[seat] = week
        for arr in (self.skill, self.aptitude, self.morale, self.trust, self.coach_ema):
            arr[seat] = 0.0
        for w in self.periods:
            self.credited[w][seat] = 0.0
            self.quota[w][seat] = 0.0


def update_skill(
    seats: Seats,
    week: int,
    selling_share: np.ndarray,
    coach_hours: np.ndarray,
    coach_quality: np.ndarray,
    help_received: np.ndarray,
    help_skill: np.ndarray,
) -> None:
    """One week of learning: practice, coaching, peer help, onboarding, forgetting."""
    p = seats.params
    s = seats.skill
    headroom = 1.0 - s
    practice = p.rep.learning_rate * seats.aptitude * selling_share * headroom
    g = coach_hours / (coach_hours + p.manager.coaching_half_hours)
    # poor fits (aptitude below average) take up little of what they are coached
    uptake = seats.aptitude * np.minimum(seats.aptitude, 1.0) ** p.manager.coaching_fit
    coaching = p.manager.coaching_effect * coach_quality * uptake * g * headroom * (0.25 + s)
    # skill fades in the time a rep does not sell, so the best sellers keep what they learn
    decay = p.rep.skill_decay * s * np.clip(1.0 - selling_share, 0.0, 1.0)
    delta = (practice + coaching - decay) / WEEKS_PER_YEAR
    delta += p.rep.helping_effect * help_received * np.maximum(help_skill - s, 0.0)
    h = p.hiring
    if h.onboarding_weeks > 0:
        onboarding = seats.tenure < h.onboarding_weeks
        gain = h.onboarding_skill_gain * (2.0 if h.onboarding_kind == "buyer" else 1.0)
        delta += np.where(onboarding, gain / h.onboarding_weeks, 0.0)
    seats.skill[:] = np.where(seats.occupied, np.clip(s + delta, 0.0, 1.0), 0.0)


def outside_option(seats: Seats) -> np.ndarray:
    """Annual pay a rep could get elsewhere: OTE, more for the stronger reps."""
    p = seats.params
    ote = p.plan.base_salary + p.plan.target_variable
    strength = np.clip(seats.last_attainment, 0.0, 2.0) - 1.0
    return ote * (1.0 + p.rep.outside_option_premium * np.clip(strength, -0.5, 1.0))


def update_morale(
    seats: Seats,
    coach_hours: np.ndarray,
    inspection: np.ndarray,
    leaderboard: np.ndarray | None = None,
) -> None:
    """Morale and trust in the manager move toward their targets."""
    p = seats.params
    m = p.manager
    g = seats.coach_ema / (seats.coach_ema + m.coaching_half_hours)
    seats.trust += 0.05 * (
        np.clip(0.4 + 0.4 * g - inspection * (0.5 + seats.skill), 0, 1) - seats.trust
    )
    pay_gap = np.clip(seats.pay_annual / outside_option(seats) - 1.0, -1.0, 1.0)
    target = (
        0.55
        + p.rep.morale_pay_effect * pay_gap
        + p.rep.morale_attainment_effect * np.clip(seats.last_attainment - 1.0, -1.0, 1.0)
        + m.coaching_morale_effect * g
        - m.inspection_morale_cost * inspection * (0.5 + seats.skill)
        + 0.2 * (seats.trust - 0.5)
        + (0.0 if leaderboard is None else leaderboard)
    )
    seats.morale += p.rep.morale_rate * (np.clip(target, 0.0, 1.0) - seats.morale)
    seats.morale[~seats.occupied] = 0.0
    seats.coach_ema += 0.1 * (coach_hours - seats.coach_ema)


def quit_probability(seats: Seats, week: int) -> np.ndarray:
    """Weekly voluntary quit probability of each seat's occupant (0 for vacant seats)."""
    r = seats.params.rep
    tenure_years = seats.tenure_weeks(week) / WEEKS_PER_YEAR
    pay_short = np.clip(1.0 - seats.pay_annual / outside_option(seats), 0.0, 1.0)
    log_h = (
        r.quit_morale_effect * (0.55 - seats.morale)
        + r.quit_pay_effect * pay_short
        + r.quit_miss_effect * seats.miss_streak
        - r.quit_coaching_effect * seats.coach_ema
        - r.quit_tenure_effect * np.log1p(tenure_years)
    )
    hazard = r.quit_per_year / WEEKS_PER_YEAR * np.exp(log_h)
    return np.where(seats.occupied, 1.0 - np.exp(-hazard), 0.0)
