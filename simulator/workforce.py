"""Rep state by seat, and the vectorised rules that move it each week.

The :class:`Seats` arrays hold each seat's occupant's state (skill, aptitude,
morale, trust in the manager, pay, credited sales and quota per period); Rep
agents hold only identity and read from here. The rules below are each one
mechanism of MODEL.md with its strength parameter: morale tracks pay against
the outside option, attainment, coaching and inspection; the quit hazard rises
with low morale, low pay, missed quotas and falls with coaching and tenure.
Learning (skill's rules) lives in :mod:`simulator.learning`.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.batch import Blocks
from simulator.params import PERIOD_WEEKS, WEEKS_PER_YEAR, SimParams

#: hour accumulators, in the order of the reps table's hour columns
HOUR_COLUMNS = (
    "hours_prospecting",
    "hours_advancing",
    "hours_helping",
    "hours_exploring",
    "hours_caring",
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

    def __init__(
        self,
        params: SimParams,
        n: int,
        periods: tuple[int, ...],
        measures: tuple[str, ...] = (),
        campaigns: tuple[str, ...] = (),
        cumulative: tuple[str, ...] = (),
        blocks: Blocks | None = None,
    ):
        self.params = params
        self.n = n
        # a batch's replications hold equal blocks of seats, each with its own teams
        blocks = Blocks(1, n) if blocks is None else blocks
        per, span = blocks.n, params.org.span_of_control
        #: the batch's layout, and the teams of each replication (``r * n_teams ..``)
        self.blocks = blocks
        self.n_teams = math.ceil(per / span)
        seat = np.arange(n)
        self.team = seat % per // span + seat // per * self.n_teams
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
        self.periods = tuple(sorted(set(periods) | set(PERIOD_WEEKS.values())))
        self.credited = {w: np.zeros(n) for w in self.periods}
        self.quota = {w: np.zeros(n) for w in self.periods}
        #: credited sales by measure and period ("total" is :attr:`credited` itself)
        self.credited_by = {"total": self.credited}
        self.credited_by.update({m: {w: np.zeros(n) for w in self.periods} for m in measures})
        #: each territory's recent weekly bookings, in all and on each measure (its mix,
        #: which reps project a measure's sales from); a territory's, so kept across hires
        self.booked_weekly = np.zeros(n)
        self.measure_weekly = {m: np.zeros(n) for m in measures}
        #: the quarter's accumulators, one row each (a seat's column is read and reset at once);
        #: :attr:`acc` names the rows
        self.acc_rows = np.zeros((len(ACCUMULATORS), n))
        self.acc = dict(zip(ACCUMULATORS, self.acc_rows, strict=True))
        #: cumulative commission paid so far this year, one row per cumulative component
        self.cumulative_row = {name: i for i, name in enumerate(cumulative)}
        self.paid_ytd = np.zeros((len(cumulative), n))
        self.quota_ytd = np.zeros(n)  # quota of the year so far, week by week (ramps included)
        # share of each period's target pay a seat earns: ramp-weighted weeks in seat over the
        # period's weeks (hiring.prorated_target); the same for the year so far, in weeks
        self.pay_share = {w: np.ones(n) for w in self.periods}
        self.ramp_weeks_ytd = np.zeros(n)
        #: sales qualifying for each campaign in its window, by campaign
        self.campaign_credited = {name: np.zeros(n) for name in campaigns}
        self.vacant_since = np.zeros(n, np.int64)
        self.tenure = np.zeros(n, np.int64)
        self.tenure_week = -1  # the week :attr:`tenure` holds (kept right by fill and vacate)
        #: :func:`seats_standing`'s terms, and the state they were computed from
        self._standing: tuple[tuple, dict[str, np.ndarray]] | None = None
        self._quality_log: tuple[bytes, np.ndarray] | None = None

    def quality_log(self, quality: np.ndarray) -> np.ndarray:
        """:func:`log_quality` of the managers' quality by seat, kept while it is unchanged."""
        key = quality.tobytes()
        if self._quality_log is None or self._quality_log[0] != key:
            self._quality_log = (key, log_quality(quality))
        return self._quality_log[1]

    def tenure_weeks(self, week: int, seats: np.ndarray | None = None) -> np.ndarray:
        """Weeks since each occupant was hired (0 for vacant seats); of ``seats`` only if given.

        A hire or a leaver asks for its own seat: computing every seat's tenure for
        each of them made a week's hiring cost grow with the square of the organisation.
        """
        if seats is None:
            return np.where(self.occupied, week - self.hired_week, 0)
        return np.where(self.occupied[seats], week - self.hired_week[seats], 0)

    def cache_tenure(self, week: int) -> np.ndarray:
        """Compute this week's tenure once; :attr:`tenure` serves the week's rules."""
        self.tenure = self.tenure_weeks(week)
        self.tenure_week = week
        return self.tenure

    def ramp(self, week: int) -> np.ndarray:
        """Onboarding productivity multiplier, rising from ``hiring.start_productivity`` to 1."""
        h = self.params.hiring
        if h.onboarding_weeks == 0:
            return np.ones(self.n)
        start = h.start_productivity
        return start + (1.0 - start) * np.minimum(1.0, self.tenure / h.onboarding_weeks)

    def effectiveness(self, ramp: np.ndarray) -> np.ndarray:
        """Selling effectiveness: this week's :meth:`ramp` times skill, ~1 at a seasoned par."""
        return ramp * (0.5 + self.skill)

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
        self.tenure[seat] = tenure_weeks
        self.skill[seat] = skill
        self.aptitude[seat] = aptitude
        self.morale[seat] = self.params.rep.initial_morale
        self.trust[seat] = 0.5
        pp = self.params.plan
        self.pay_annual[seat] = pp.base_salary + pp.target_variable
        self.miss_streak[seat] = 0
        self.pm_streak[seat] = 0
        self.coach_ema[seat] = 0.0
        self.last_attainment[seat] = 1.0
        for by_period in self.credited_by.values():
            for w in self.periods:
                by_period[w][seat] = 0.0
        self.acc_rows[:, seat] = 0.0
        self.paid_ytd[:, seat] = 0.0
        self.quota_ytd[seat] = 0.0
        self.ramp_weeks_ytd[seat] = 0.0
        for a in self.campaign_credited.values():
            a[seat] = 0.0

    def vacate(self, seat: int, week: int) -> None:
        """Empty a seat (its accounts stay, the manager covers them)."""
        self.occupied[seat] = False
        self.rep_id[seat] = -1
        self.vacant_since[seat] = week
        self.tenure[seat] = 0
        for arr in (self.skill, self.aptitude, self.morale, self.trust, self.coach_ema):
            arr[seat] = 0.0
        for w in self.periods:
            for by_period in self.credited_by.values():
                by_period[w][seat] = 0.0
            self.quota[w][seat] = 0.0

    def measure_share(self, measure: str) -> np.ndarray | None:
        """Each territory's recent share of its bookings on ``measure`` (None for total).

        A territory that has booked nothing lately counts every sale on the measure.
        """
        if measure == "total":
            return None
        booked = self.booked_weekly
        return np.divide(
            self.measure_weekly[measure], booked, out=np.ones(self.n), where=booked > 0
        )


def rep_admin_hours(params: SimParams, inspection: np.ndarray) -> np.ndarray:
    """Each seat's admin hours this week: the rep's own, plus what inspection adds."""
    return params.rep.admin_hours + inspection * params.manager.inspection_admin_hours


def hiring_lift(params: SimParams, quality: np.ndarray) -> np.ndarray:
    """What a hiring manager's leadership quality adds to a hire's skill and aptitude."""
    return params.manager.quality_hiring_effect * log_quality(quality)


def outside_option(seats: Seats) -> np.ndarray:
    """Annual pay a rep could get elsewhere: the market's pay, more for the stronger reps.

    The market's pay (``rep.market_pay``) does not move with the plan, so what a
    plan pays against it moves morale and quitting.
    """
    p = seats.params
    # ndarray.clip: np.clip's floats, without its wrapper
    strength = seats.last_attainment.clip(0.0, 2.0) - 1.0
    return p.rep.market_pay * (1.0 + p.rep.outside_option_premium * strength.clip(-0.5, 1.0))


def update_morale(
    seats: Seats,
    coach_hours: np.ndarray,
    inspection: np.ndarray,
    leaderboard: np.ndarray | None = None,
    manager_quality: np.ndarray | None = None,
    standing: dict[str, np.ndarray] | None = None,
) -> None:
    """Morale and trust in the manager move toward their targets.

    ``standing``: this week's :func:`seats_standing`, if the caller has it already.
    """
    p = seats.params
    m = p.manager
    if standing is None:
        standing = seats_standing(seats)
    g = seats.coach_ema / (seats.coach_ema + m.coaching_half_hours)
    strength = 0.5 + seats.skill
    led = 0.0
    if manager_quality is not None:
        led = m.quality_morale_effect * seats.quality_log(manager_quality)
    trust_target = m.trust_base + m.trust_coaching_effect * g - inspection * strength
    # ndarray.clip: np.clip's floats, without its wrapper
    seats.trust += m.trust_rate * (trust_target.clip(0, 1) - seats.trust)
    target = (
        p.rep.morale_neutral
        + standing["morale_pay"]
        + standing["morale_attainment"]
        + m.coaching_morale_effect * g
        - m.inspection_morale_cost * inspection * strength
        + p.rep.morale_trust_effect * (seats.trust - 0.5)
        + (0.0 if leaderboard is None else leaderboard)
        + led
    )
    seats.morale += p.rep.morale_rate * (target.clip(0.0, 1.0) - seats.morale)
    seats.morale[~seats.occupied] = 0.0
    seats.coach_ema += m.coaching_memory_rate * (coach_hours - seats.coach_ema)


def seats_standing(seats: Seats) -> dict[str, np.ndarray]:
    """The terms of morale and of the quit hazard set by pay, attainment and who holds a seat.

    Those move only at quarter ends, hires and exits: the terms are computed again
    only when held seats, last attainment, pay or the rep parameters have changed.
    """
    r = seats.params.rep
    state = (seats.occupied, seats.last_attainment, seats.pay_annual)
    key = (*(a.tobytes() for a in state), tuple(vars(r).values()))
    if seats._standing is None or seats._standing[0] != key:
        pay_vs_outside = seats.pay_annual / outside_option(seats)
        # np.clip's floats, without its wrapper (no bound is 0, so no sign of 0 differs)
        pay_gap = np.minimum(np.maximum(pay_vs_outside - 1.0, -1.0), 1.0)
        pay_ratio = np.minimum(np.maximum(pay_vs_outside, PAY_RATIO_BOUNDS[0]), PAY_RATIO_BOUNDS[1])
        peer_pay = np.zeros(seats.n)
        for s in seats.blocks.slices:  # each replication's mean pay of its held seats
            held_pay = seats.pay_annual[s][seats.occupied[s]]
            # the mean as ndarray.mean takes it (the sum over the count), without its wrapper
            peer_pay[s] = held_pay.sum() / held_pay.size if held_pay.size else 0.0
        below_peers = (1.0 - seats.pay_annual / np.maximum(peer_pay, 1e-9)).clip(0.0, 1.0)
        attained = np.minimum(np.maximum(seats.last_attainment - 1.0, -1.0), 1.0)
        twice_rank = 2.0 * performance_rank(seats)
        terms = {
            "morale_pay": r.morale_pay_effect * pay_gap,
            "morale_attainment": r.morale_attainment_effect * attained,
            "quit_pay": r.quit_pay_elasticity * np.log(pay_ratio),
            "quit_peer_pay": r.quit_peer_pay_effect * below_peers,
            "quit_promotion": r.quit_promotion_effect * np.maximum(twice_rank - 1.0, 0.0),
            "quit_security": r.quit_security_effect * np.maximum(1.0 - twice_rank, 0.0),
        }
        seats._standing = (key, terms)
    return seats._standing[1]


#: numerical: floor of leadership quality under its log and powers (a quality of 0 is
#: allowed); a twentieth of the mean manager, 8 sigma below it at the default spread
QUALITY_FLOOR = 0.05
#: numerical: the bounds of pay against the outside option in the quit hazard, so that a
#: seat's pay record (a smoothed average: one huge quarter, or a quarter with next to no
#: pay) moves the log hazard at most e x log 4
PAY_RATIO_BOUNDS = (0.25, 4.0)


def log_quality(quality: np.ndarray) -> np.ndarray:
    """Log of leadership quality (1 = the mean manager), floored for a quality of 0."""
    return np.log(np.maximum(quality, QUALITY_FLOOR))


def average_ranks(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Ranks 1..k of ``values`` within each group, ties sharing their mean rank.

    ``groups`` (one per value) names each value's group; a group's ranks are
    ``scipy.stats.rankdata``'s default of its values, the same half-integers (exact in
    floating point), for every group at once. A group with a NaN gets NaN ranks, as
    scipy's ``nan_policy="propagate"`` does.
    """
    order = np.lexsort((values, groups))  # by group, then value (a NaN last in its group)
    group, value = groups[order], values[order]
    k = value.size
    tie = np.ones(k, bool)  # each run of equal values in a group starts a tie
    tie[1:] = (group[1:] != group[:-1]) | (value[1:] != value[:-1])
    starts = tie.nonzero()[0]
    run = np.cumsum(tie) - 1
    group_start = np.searchsorted(group, group, "left")
    first = starts[run] - group_start  # places from the first tie to after the last
    after_last = np.append(starts[1:], k)[run] - group_start
    ranks = np.empty(k)
    ranks[order] = 0.5 * (first + after_last + 1)
    nan_groups = groups[np.isnan(values)]
    if nan_groups.size:
        ranks[np.isin(groups, nan_groups)] = np.nan
    return ranks


def performance_rank(seats: Seats) -> np.ndarray:
    """Each held seat's rank by last quarter's attainment among held seats: 0 worst .. 1 best.

    Ties share their mean rank (a new hire, not yet measured, sits at the median); each
    replication of a batch ranks its own.
    """
    rank = np.full(seats.n, 0.5)
    occ = seats.occupied.nonzero()[0]
    replication = occ // seats.blocks.n
    held = np.bincount(replication, minlength=seats.blocks.replications)[replication]
    ranked = held > 1
    occ, replication, held = occ[ranked], replication[ranked], held[ranked]
    ranks = average_ranks(seats.last_attainment[occ], replication)
    rank[occ] = (ranks - 1.0) / (held - 1)
    return rank


def quit_hazards(
    seats: Seats,
    week: int,
    manager_quality: np.ndarray | None = None,
    teammates_quit: np.ndarray | None = None,
    standing: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly voluntary quit hazards of each seat's occupant: about the job, and outside it.

    The job's log hazard adds: low morale; pay against the outside option (a constant
    elasticity, both ways) and pay below peers' mean pay; consecutive missed quotas;
    coaching received and tenure (lower it); promotion prospects of strong performers and
    the few outside offers of weak ones (both lower it, by performance rank); teammates who
    quit in the last quarter (contagion); and the manager's leadership quality (the terms
    set by pay, attainment and held seats come from :func:`seats_standing`). The hazard
    outside the job (``rep.leave_per_year``) is the same for every rep. Both are 0 for
    vacant seats. ``standing``: this week's :func:`seats_standing`, if the caller has it.
    """
    r = seats.params.rep
    occ = seats.occupied
    tenure = seats.tenure if seats.tenure_week == week else seats.tenure_weeks(week)
    if standing is None:
        standing = seats_standing(seats)
    log_h = (
        r.quit_morale_effect * (r.morale_neutral - seats.morale)
        - standing["quit_pay"]
        + standing["quit_peer_pay"]
        + r.quit_miss_effect * seats.miss_streak
        - r.quit_coaching_effect * seats.coach_ema
        - r.quit_tenure_effect * np.log1p(tenure / WEEKS_PER_YEAR)
        - standing["quit_promotion"]
        - standing["quit_security"]
    )
    if teammates_quit is not None:
        log_h = log_h + r.quit_contagion_effect * teammates_quit
    if manager_quality is not None:
        log_h = log_h - r.quit_manager_effect * seats.quality_log(manager_quality)
    job = np.where(occ, r.quit_per_year / WEEKS_PER_YEAR * np.exp(log_h), 0.0)
    outside = np.where(occ, r.leave_per_year / WEEKS_PER_YEAR, 0.0)
    return job, outside


def quit_probability(
    seats: Seats,
    week: int,
    manager_quality: np.ndarray | None = None,
    teammates_quit: np.ndarray | None = None,
) -> np.ndarray:
    """Weekly voluntary quit probability of each seat's occupant (0 for vacant seats).

    ``1 - exp(-hazard)`` of the two hazards of :func:`quit_hazards` together.
    """
    job, outside = quit_hazards(seats, week, manager_quality, teammates_quit)
    return 1.0 - np.exp(-(job + outside))
