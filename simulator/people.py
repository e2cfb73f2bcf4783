"""People flows: set-up, hiring, quits, exits, forced ranking, helping and the ramp.

Mixed into :class:`~simulator.model.SalesModel`: the initial managers and
reps, hires into vacant seats, voluntary quits (with teammates' quits
spreading), exits mid-period, the forced-ranking cut, helping between
teammates, and when a new hire becomes productive.
"""

from __future__ import annotations

import numpy as np

from simulator.agents.manager import ACTIVITIES, Manager
from simulator.agents.rep import Rep
from simulator.batch import Rng, as_streams
from simulator.learning import grown_skill
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import INDIVIDUAL, attainment, top_mask
from simulator.plans.quota import target_per_seat
from simulator.workforce import hiring_lift, quit_hazards

#: reporting: share of a seasoned rep's trailing bookings that counts as "productive" (the
#: ramp_months_median metric's definition in README; no decision reads it)
PRODUCTIVE_SHARE = 0.8
#: weeks of bookings compared for productivity (new hire against seasoned reps): a quarter,
#: as README's definition of the ramp says
RAMP_WINDOW = WEEKS_PER_QUARTER


def _median(values: np.ndarray) -> float:
    """Median of a small array (np.median's overhead dominates at this size)."""
    v = np.sort(values)
    mid = v.size // 2
    return float(v[mid]) if v.size % 2 else float(0.5 * (v[mid - 1] + v[mid]))


class PeopleFlows:
    """Hiring, quitting and exits of a :class:`~simulator.model.SalesModel`."""

    def _create_managers(self) -> None:
        mp = self.params.manager
        span = self.params.org.span_of_control
        n = self.blocks.n
        #: teams of each replication (their managers are teams r * n_teams ..)
        self.n_teams = self.seats.n_teams
        replications = np.arange(self.replications).repeat(self.n_teams)
        n_teams = self.n_teams * self.replications
        sigma = mp.coaching_quality_sigma
        quality = mp.coaching_quality * self.rng_init.lognormal(
            -0.5 * sigma**2, sigma, replications * n
        )
        self.managers = []
        for k in range(n_teams):
            r, j = divmod(k, self.n_teams)
            first, end = r * n + j * span, min(r * n + (j + 1) * span, (r + 1) * n)
            self.managers.append(Manager(self, k, np.arange(first, end), float(quality[k])))
        #: voluntary quits of each team in each of the last 13 weeks (turnover contagion)
        self._team_quits = np.zeros((WEEKS_PER_QUARTER, n_teams))
        self._vacancy_quarter = np.zeros(n_teams)
        self.manager_hours = np.zeros((n_teams, len(ACTIVITIES)))
        #: seats per team, and (set by manage_week) this week's vacant seats per team and
        #: each manager's hiring progress; the managers' quality and admin hours it last saw
        self.team_seats = np.bincount(self.seats.team, minlength=n_teams)
        self.vacant_by_team = np.zeros(n_teams, np.int64)
        self.hiring_progress = np.ones(n_teams)
        self.manager_quality: list[float] | None = None
        self.manager_params = None  # the manager parameters manager_admin was computed with
        self.manager_admin = np.zeros(n_teams)
        #: the held and onboarding seats manage_week last split an equal-coaching week for
        self.manager_week_key: tuple[bytes, bytes] | None = None
        #: the held seats, and each seat's teammates then (at least 1), for helping
        self._teammates: tuple[bytes, np.ndarray] | None = None
        self._mgr_quarter = np.zeros((n_teams, len(ACTIVITIES)))

    def _create_initial_reps(self) -> None:
        rng = self.rng_init
        org = self.params.org
        seats = self.all_seats
        tenure = rng.exponential(org.initial_tenure_years * WEEKS_PER_YEAR, seats)
        quality = np.array([self.managers[t].coaching_quality for t in self.seats.team])
        skill, aptitude = self._hire_draws(rng, quality, seats)
        beta = org.initial_tenure_aptitude_elasticity
        if beta != 0 and self.n_seats:
            # in seat, an aptitude's share is its share of hires times its expected tenure
            # (a^beta): a lognormal draw so tilted is shifted by beta sigma^2 in log
            aptitude = aptitude * np.exp(beta * self.params.hiring.aptitude_sigma**2)
            block = self.blocks.of(seats)
            mean = self.blocks.sums(aptitude) / self.blocks.n  # each replication's
            w = (np.maximum(aptitude, 1e-9) / np.maximum(mean, 1e-9)[block]) ** beta
            tenure = tenure * w / (self.blocks.sums(w) / self.blocks.n)[block]
        tenure = np.minimum(tenure, org.max_initial_tenure_years * WEEKS_PER_YEAR)
        # each rep has learned what its tenure would have taught it (coached at par)
        mp = self.params.manager
        coach = mp.coaching_share * mp.hours_per_week / self.params.org.span_of_control
        skill = grown_skill(
            self.params,
            skill,
            aptitude,
            tenure.astype(int),
            coach,
            quality,
            selling_share=org.initial_selling_share,
        )
        for seat in range(self.n_seats):
            self._seat_rep(
                seat, float(skill[seat]), float(aptitude[seat]), int(tenure[seat]), initial=True
            )
        if org.initial_rep_changes:
            self.accounts.rep_changed_week[:] = -tenure.astype(np.int64)

    def _hire_draws(
        self, rng: Rng, quality: np.ndarray, seats: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Skill and aptitude of hires into ``seats`` (default: seat 0) by managers of a quality."""
        h = self.params.hiring
        rng = as_streams(rng, self.blocks.n)
        seats = np.zeros(quality.size, np.intp) if seats is None else seats
        lift = hiring_lift(self.params, quality)
        skill = np.clip(h.skill_mean + lift + h.skill_sd * rng.standard_normal(seats), 0, 1)
        aptitude = (
            h.aptitude_mean
            * (1.0 + lift)
            * rng.lognormal(-0.5 * h.aptitude_sigma**2, h.aptitude_sigma, seats)
        )
        return skill, np.maximum(aptitude, 0.0)

    def _seat_rep(
        self, seat: int, skill: float, aptitude: float, tenure: int = 0, initial: bool = False
    ) -> Rep:
        """Seat a rep; a hire's caller then sets its period quotas and tells its accounts.

        (:meth:`_set_period_quotas` and ``accounts.change_rep``, once for a week's hires.)
        """
        rep = Rep(self, seat)
        rep.hired_week = self.week - tenure
        r = seat // self.blocks.n
        rep_id = int(self._next_rep_id[r])  # each replication counts its own reps
        self._next_rep_id[r] += 1
        rep.rep_id = rep_id
        self.reps_by_seat[seat] = rep
        self.seats.fill(seat, rep_id, self.week, skill, aptitude, tenure)
        # what a unit of sales pays at par, until the rep has its own experience
        self.seats.marginal_pay_ema[seat] = self.plan.average_rate() / max(
            float(self.seats.annual_quota_full[seat]) or target_per_seat(self.params), 1.0
        )
        self.trailing[:, seat] = 0.0
        self.productive_week[seat] = 0 if tenure >= WEEKS_PER_YEAR or initial else -1
        team = int(self.seats.team[seat]) - r * self.n_teams
        self.recorders[r].hire(rep_id, self._local(seat, r), team, self.week - tenure, initial)
        if not initial:
            full = self.seats.annual_quota_full[seat]
            self.seats.expected_weekly_sales[seat] = 0.5 * full / WEEKS_PER_YEAR
            self.seats.quota_annual[seat] = self.seats.annual_quota_full[seat]
        return rep

    def _fill_vacancies(self) -> None:
        h = self.params.hiring
        st = self.seats
        vacant = (~st.occupied).nonzero()[0]
        if vacant.size == 0:
            return
        progress = self.hiring_progress[st.team[vacant]]
        p_fill = progress * (1.0 if h.time_to_fill_weeks <= 1 else 1.0 / h.time_to_fill_weeks)
        draws = self.rng_people.random(vacant)
        hired = vacant[draws < p_fill]
        for seat in hired:
            quality = np.array([self.managers[st.team[seat]].coaching_quality])
            skill, aptitude = self._hire_draws(
                self.rng_people.alone(seat), quality, np.array([seat])
            )
            self._seat_rep(int(seat), float(skill[0]), float(aptitude[0]))
            self._week_hires[seat // self.blocks.n] += 1
        if hired.size:
            self._set_period_quotas(self.seats.periods, seats=hired)
            self.accounts.change_rep(hired, self.week)

    def _quits(self, standing: dict[str, np.ndarray] | None = None) -> None:
        """Voluntary quits (``standing``: this week's ``seats_standing``, if known)."""
        st = self.seats
        recent = self._team_quits.sum(axis=0)[st.team]
        job, outside = quit_hazards(st, self.week, self.coach_quality, recent, standing)
        hazard = job + outside
        p_quit = 1.0 - np.exp(-hazard)
        slot = self.week % WEEKS_PER_QUARTER
        self._team_quits[slot] = 0.0
        quitters = (self.rng_people.random(self.all_seats) < p_quit).nonzero()[0]
        for seat in quitters:
            # the chance this quit was for reasons outside the job: an expected count, no draw
            self._week_exits_outside[seat // self.blocks.n] += outside[seat] / hazard[seat]
            self._team_quits[slot, st.team[seat]] += 1
        if quitters.size:
            self._exits(quitters, "voluntary")

    def _exits(self, seats: np.ndarray, kind: str) -> None:
        """Reps leave mid-period: paid what individual components owe so far, seats vacated.

        Rank prizes and team pay of an unfinished period are forfeited. Each leaver's
        pay is its seat's alone, so a week's leavers are paid at once.
        """
        st = self.seats
        owed = self._payouts(list(st.periods), only=INDIVIDUAL, seats=seats)
        for column, v in owed.items():
            st.acc["pay_" + column][seats] += v[seats]
        for seat in seats:  # the week's pay adds up leaver by leaver, as each is paid
            for v in owed.values():
                self._week_pay[seat // self.blocks.n] += v[seat]
        self._flush_rep_rows(seats, np.full(seats.size, kind, dtype=object))
        for seat in seats:
            self._release(int(seat), kind)

    def _release(self, seat: int, kind: str) -> None:
        """Remove the rep in ``seat`` (its last row is already written)."""
        st = self.seats
        self._recorder(seat).exit(int(st.rep_id[seat]), self.week, kind)
        rep = self.reps_by_seat.pop(seat)
        rep.remove()
        st.vacate(seat, self.week)
        self._week_exits[kind][seat // self.blocks.n] += 1

    def forced_ranking_eligible(self) -> np.ndarray:
        """Seats whose holders are past onboarding and a first quarter (can be force-ranked)."""
        return self.seats.tenure >= self.params.hiring.onboarding_weeks + WEEKS_PER_QUARTER

    def _forced_ranking(self, ending: list[int]) -> np.ndarray:
        """Seats let go for ranking in the bottom share of a forced-ranking period."""
        plan = self.plan
        w = plan.forced_exit_weeks
        if plan.forced_exit_share <= 0 or w not in ending:
            return np.zeros(0, np.int64)
        st = self.seats
        att = attainment(st.credited[w], st.quota[w])
        eligible = st.occupied & self.forced_ranking_eligible()
        bottom = np.zeros(self.n_seats, bool)
        for s in self.blocks.slices:  # each replication ranks its own
            bottom[s] = top_mask(-att[s], eligible[s], plan.forced_exit_share, 0)
        return np.flatnonzero(bottom)

    def _help(self, helping: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Spread each team's helping hours over its members; return hours and helpers' skill."""
        st = self.seats
        team = st.team
        given = np.bincount(team, helping)
        # each seat's teammates, counted again only when the held seats change
        held = st.occupied.tobytes()
        if self._teammates is None or self._teammates[0] != held:
            members = np.bincount(team, st.occupied.astype(float))
            self._teammates = (held, np.maximum(members[team] - 1, 1.0))
        helper_skill = np.bincount(team, helping * st.skill) / np.maximum(given, 1e-12)
        received = np.where(st.occupied, (given[team] - helping) / self._teammates[1], 0.0)
        st.acc["help_received_hours"] += received
        return received, helper_skill[team]

    def _track_productivity(self, bookings: np.ndarray) -> None:
        st = self.seats
        self.trailing[self.week % RAMP_WINDOW] = np.where(st.occupied, bookings, 0.0)
        tenure = st.tenure  # this week's: no one has left since it was computed
        pending = st.occupied & (self.productive_week < 0) & (tenure >= RAMP_WINDOW - 1)
        # np.count_nonzero: ndarray.any's answer, without its Python wrapper
        if not np.count_nonzero(pending):
            return
        seasoned = st.occupied & (tenure >= WEEKS_PER_YEAR)
        if not np.count_nonzero(seasoned):
            return
        trailing = self.trailing.sum(axis=0)
        for s in self.blocks.slices:  # each replication's bar is its own seasoned reps'
            if not np.count_nonzero(seasoned[s]):
                continue
            bar = PRODUCTIVE_SHARE * _median(trailing[s][seasoned[s]])
            for seat in (pending[s] & (trailing[s] >= bar)).nonzero()[0] + s.start:
                self.productive_week[seat] = tenure[seat]
                self._recorder(seat).productive(int(st.rep_id[seat]), int(tenure[seat]))
