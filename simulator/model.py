"""SalesModel: the weekly schedule of the sales organisation.

One step is one week:

1. managers split their week (admin, hiring, covering, inspection, coaching);
   open seats are filled as hiring time allows;
2. reps choose their hours (prospecting, advancing, helping, exploring,
   admin) from the plan's expected marginal pay;
3. buyers move deals through their stages; at period ends reps pull unready
   deals in or hold ready ones back; buyers decide; new deals open;
4. credited sales, base pay, learning, morale and trust update; reps quit;
5. at each period's end: payout, quota misses, performance exits, new quotas.

Reps and managers are Mesa agents; accounts, deals and per-seat rep state are
arrays the model owns (see :mod:`simulator.accounts`, :mod:`simulator.workforce`).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd

from simulator.accounts import Accounts
from simulator.agents.manager import ACTIVITIES, Manager
from simulator.agents.rep import (
    Rep,
    TimeChoice,
    choose_time,
    hold_back,
    later_pay_lags,
    pull_in,
)
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR, SimParams
from simulator.plans.payout import (
    INDIVIDUAL,
    Campaign,
    Commission,
    PayState,
    attainment,
    compile_plan,
    top_mask,
)
from simulator.plans.quota import annual_quotas
from simulator.record import Recorder
from simulator.workforce import (
    HOUR_COLUMNS,
    PAY_ACCUMULATORS,
    Seats,
    grown_skill,
    log_quality,
    quit_probability,
    update_morale,
    update_skill,
)

#: share of a seasoned rep's trailing bookings that counts as "productive"
PRODUCTIVE_SHARE = 0.8
#: weeks of bookings compared for productivity (new hire against seasoned reps): a quarter,
#: as README's definition of the ramp says
RAMP_WINDOW = 13
#: weeks before a period's end in which reps move deals across the boundary
TIMING_WINDOW = 2


def _median(values: np.ndarray) -> float:
    """Median of a small array (np.median's overhead dominates at this size)."""
    v = np.sort(values)
    mid = v.size // 2
    return float(v[mid]) if v.size % 2 else float(0.5 * (v[mid - 1] + v[mid]))


class SalesModel(mesa.Model):
    """A sales organisation simulated week by week under one incentive plan.

    Args:
        params: validated parameters (see :mod:`simulator.params`).
        seed: the run's seed (or a spawned SeedSequence); every random draw comes
            from streams spawned from it.
    """

    def __init__(self, params: SimParams, seed: int | np.random.SeedSequence = 0):
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        init_seq, pipeline_seq, people_seq, mesa_seq = seq.spawn(4)
        super().__init__(rng=np.random.default_rng(mesa_seq))
        self.params = params
        self.seed = seed
        #: independent named streams: drawing from one never shifts another
        self.rng_init = np.random.default_rng(init_seq)
        self.rng_pipeline = np.random.default_rng(pipeline_seq)
        self.rng_people = np.random.default_rng(people_seq)
        self.plan = compile_plan(params.plan)
        #: period lengths the reps' decisions look at (plan components, forced
        #: ranking, and the quarter when quotas ratchet)
        self.decision_periods = tuple(
            sorted(
                set(self.plan.periods)
                | ({self.plan.forced_exit_weeks} if self.plan.forced_exit_share > 0 else set())
                | ({WEEKS_PER_QUARTER} if params.quota.policy == "ratchet" else set())
            )
        )
        self.week = 0
        self.n_weeks = (params.run.years + params.run.warmup_years) * WEEKS_PER_YEAR
        self.warmup_weeks = params.run.warmup_years * WEEKS_PER_YEAR
        n = params.org.n_reps
        self.n_seats = n
        self.seats = Seats(params, n, self.plan.periods)
        #: history quotas: each territory's bookings this year in weeks a seasoned rep held it
        self.territory_bookings = np.zeros(n)
        self.territory_weeks = np.zeros(n, np.int64)
        self.accounts = Accounts(params, n, self.rng_init)
        self.recorder = Recorder(self.n_weeks, self.warmup_weeks)
        self.coach_hours = np.zeros(n)
        #: the hours each seat chose in the last week stepped (read-only, for live views)
        self.week_hours: TimeChoice | None = None
        self.coach_quality = np.zeros(n)
        self.inspection = np.zeros(n)
        self.manager_deal_hours = np.zeros(n)
        self.tenure = np.zeros(n, np.int64)
        self.accounts_open_by_seat = np.zeros(n)
        self.customers_by_seat = np.zeros(n)
        self._week_churned = 0
        self.trailing = np.zeros((RAMP_WINDOW, n))
        self.productive_week = np.full(n, -1)
        self.reps_by_seat: dict[int, Rep] = {}
        self._next_rep_id = 0
        self.revenue_total = 0.0
        self.won_value_total = 0.0
        self.headcount_start = 0
        self.hire_count = 0
        self.exit_count = 0
        self._week_exits = {"voluntary": 0, "involuntary": 0}
        self._week_hires = 0
        self._week_pay = 0.0
        by_segment = np.stack(
            [
                np.bincount(
                    self.accounts.seat[: self.accounts.n],
                    self.accounts.potential[: self.accounts.n]
                    * (self.accounts.segment[: self.accounts.n] == k),
                    minlength=n,
                )
                for k in range(3)
            ]
        )
        self._segment_share = by_segment / np.maximum(by_segment.sum(axis=0), 1e-9)
        self._pipeline_due: dict[int, np.ndarray] = {}
        #: weeks until prospecting, care and exploring pay (the reps' discounting)
        self.later_pay_lags = later_pay_lags(params)
        #: the buying cycle, in weeks: the segments' mean by share of accounts
        self.cycle_weeks = self.later_pay_lags["prospecting"]
        self._create_managers()
        self._manager_ids = np.array([m.unique_id for m in self.managers])
        self._create_initial_reps()
        self._set_annual_quotas()
        self._set_period_quotas(self.seats.periods)
        self.headcount_start = int(self.seats.occupied.sum())

    # -- set-up -----------------------------------------------------------
    def _create_managers(self) -> None:
        mp = self.params.manager
        span = self.params.org.span_of_control
        n_teams = math.ceil(self.n_seats / span)
        sigma = mp.coaching_quality_sigma
        quality = mp.coaching_quality * self.rng_init.lognormal(-0.5 * sigma**2, sigma, n_teams)
        self.managers = [
            Manager(
                self, k, np.arange(k * span, min((k + 1) * span, self.n_seats)), float(quality[k])
            )
            for k in range(n_teams)
        ]
        #: voluntary quits of each team in each of the last 13 weeks (turnover contagion)
        self._team_quits = np.zeros((WEEKS_PER_QUARTER, n_teams))
        self._vacancy_quarter = np.zeros(n_teams)
        self.manager_hours = np.zeros((n_teams, len(ACTIVITIES)))
        self._mgr_quarter = np.zeros((n_teams, len(ACTIVITIES)))

    def _create_initial_reps(self) -> None:
        rng = self.rng_init
        tenure = np.minimum(rng.exponential(2.5 * WEEKS_PER_YEAR, self.n_seats), 15 * 52)
        quality = np.array([self.managers[t].coaching_quality for t in self.seats.team])
        skill, aptitude = self._hire_draws(rng, quality)
        # each rep has learned what its tenure would have taught it (coached at par)
        mp = self.params.manager
        coach = mp.coaching_share * mp.hours_per_week / self.params.org.span_of_control
        skill = grown_skill(
            self.params, skill, aptitude, tenure.astype(int), coach, quality, selling_share=0.8
        )
        for seat in range(self.n_seats):
            self._seat_rep(
                seat, float(skill[seat]), float(aptitude[seat]), int(tenure[seat]), initial=True
            )

    def _hire_draws(
        self, rng: np.random.Generator, quality: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Skill and aptitude of new hires by managers of the given leadership quality."""
        h = self.params.hiring
        lift = self.params.manager.quality_hiring_effect * log_quality(quality)
        skill = np.clip(h.skill_mean + lift + h.skill_sd * rng.standard_normal(quality.size), 0, 1)
        aptitude = (
            h.aptitude_mean
            * (1.0 + lift)
            * rng.lognormal(-0.5 * h.aptitude_sigma**2, h.aptitude_sigma, quality.size)
        )
        return skill, np.maximum(aptitude, 0.0)

    def _seat_rep(
        self, seat: int, skill: float, aptitude: float, tenure: int = 0, initial: bool = False
    ) -> Rep:
        rep = Rep(self, seat)
        rep.hired_week = self.week - tenure
        rep_id = self._next_rep_id
        self._next_rep_id += 1
        rep.rep_id = rep_id
        self.reps_by_seat[seat] = rep
        self.seats.fill(seat, rep_id, self.week, skill, aptitude, tenure)
        # what a unit of sales pays at par, until the rep has its own experience
        self.seats.marginal_pay_ema[seat] = self.plan.average_rate() / max(
            float(self.seats.annual_quota_full[seat]) or self.params.org.quota_per_rep, 1.0
        )
        self.trailing[:, seat] = 0.0
        self.productive_week[seat] = 0 if tenure >= WEEKS_PER_YEAR or initial else -1
        self.recorder.hire(rep_id, seat, int(self.seats.team[seat]), self.week - tenure, initial)
        if not initial:
            self.accounts.change_rep(seat, self.week)
            self.seats.expected_weekly_sales[seat] = 0.5 * self.seats.annual_quota_full[seat] / 52
            self.seats.quota_annual[seat] = self.seats.annual_quota_full[seat]
            self._set_period_quotas(self.seats.periods, seats=np.array([seat]))
        return rep

    def pipeline_due(self, period_weeks: int) -> np.ndarray:
        """Expected value of each seat's open deals due before the period ends (cached a week)."""
        if period_weeks not in self._pipeline_due:
            self._pipeline_due[period_weeks] = self.accounts.pipeline_due(
                self.n_seats, self.weeks_left(period_weeks)
            )
        return self._pipeline_due[period_weeks]

    # -- calendar ---------------------------------------------------------
    def weeks_left(self, period_weeks: int) -> int:
        """Weeks left in the current period of the given length, this week included."""
        return period_weeks - (self.week % WEEKS_PER_YEAR) % period_weeks

    def periods_ending_soon(self, within: int = TIMING_WINDOW) -> set[int]:
        """Pay periods that end within ``within`` weeks (this week included)."""
        return {w for w in self.plan.periods if self.weeks_left(w) <= within}

    def season(self) -> float:
        """This week's demand multiplier."""
        m = self.params.market
        return 1.0 + m.seasonality * math.cos(
            2 * math.pi * ((self.week % WEEKS_PER_YEAR) - m.peak_week) / WEEKS_PER_YEAR
        )

    # -- quotas -----------------------------------------------------------
    def _set_annual_quotas(self) -> None:
        year = self.week // WEEKS_PER_YEAR
        if self.params.quota.policy == "ratchet" and self.week > 0:
            # ratcheted quotas carry over, grown with the company target
            self.seats.annual_quota_full *= 1.0 + self.params.org.target_growth
        else:
            basis = self.accounts.quota_basis(self.n_seats)
            self.seats.annual_quota_full[:] = annual_quotas(
                self.params, basis, year, self._history_rate() if self.week > 0 else None
            )
        self.territory_bookings[:] = 0.0
        self.territory_weeks[:] = 0
        self.seats.quota_annual[:] = self.seats.annual_quota_full
        occ = self.seats.occupied
        self.seats.expected_weekly_sales[occ & (self.seats.expected_weekly_sales == 0)] = (
            self.seats.annual_quota_full[occ & (self.seats.expected_weekly_sales == 0)] / 52
        )

    def _history_rate(self) -> np.ndarray:
        """Each territory's weekly bookings last year, over the weeks a seasoned rep held it.

        Weeks in vacancy or onboarding do not count, so a territory is judged by what a
        ramped rep sold there; one with under a quarter of such weeks has no history.
        """
        weeks = self.territory_weeks
        has = weeks >= WEEKS_PER_QUARTER
        return np.where(has, self.territory_bookings / np.maximum(weeks, 1), np.nan)

    def quota_ramp(self, tenure_weeks: np.ndarray) -> np.ndarray:
        """Share of full quota carried in a week at the given tenure (ramped quotas)."""
        h = self.params.hiring
        if not h.ramped_quota or h.onboarding_weeks == 0:
            return np.ones_like(tenure_weeks, dtype=float)
        return np.minimum(1.0, (tenure_weeks + 1) / h.onboarding_weeks)

    def _set_period_quotas(self, periods, seats: np.ndarray | None = None) -> None:
        seats = np.arange(self.n_seats) if seats is None else seats
        st = self.seats
        for w in set(periods):
            left = self.weeks_left(w)
            tenure = st.tenure_weeks(self.week)[seats][:, None] + np.arange(left)[None, :]
            weekly = st.annual_quota_full[seats][:, None] / WEEKS_PER_YEAR
            st.quota[w][seats] = np.where(
                st.occupied[seats], (weekly * self.quota_ramp(tenure)).sum(axis=1), 0.0
            )

    # -- the week ---------------------------------------------------------
    def step(self) -> None:
        """Advance the organisation by one week."""
        p = self.params
        st = self.seats
        season = self.season()
        growth = (1 + p.market.demand_growth) ** (self.week / WEEKS_PER_YEAR)
        self._growth = growth
        self._week_exits = {"voluntary": 0, "involuntary": 0}
        self._week_hires = 0
        self._week_pay = 0.0
        self._start_periods()
        self.tenure = st.cache_tenure(self.week)

        for manager in self.managers:
            manager.step()
        self._mgr_quarter += self.manager_hours
        self._vacancy_quarter += np.bincount(st.team[~st.occupied], minlength=len(self.managers))
        self._fill_vacancies()

        self.accounts_open_by_seat = self.accounts.open_by_seat(self.n_seats)
        self.customers_by_seat = self.accounts.customers_by_seat(self.n_seats)
        self._pipeline_due = {}
        admin = p.rep.admin_hours + self.inspection * p.manager.inspection_admin_hours
        time = choose_time(self, admin)
        self.week_hours = time
        eff = np.where(st.occupied, st.effectiveness(self.week), 0.5 + p.manager.skill)
        # a rep in onboarding closes as its ramp allows (it is still learning the offer)
        ramp = st.ramp(self.week)
        skill = np.where(st.occupied, st.skill * ramp, p.manager.skill)
        self.accounts.advance(
            time.advancing + self.manager_deal_hours, eff, season, self.rng_pipeline
        )
        bookings, won, rushed, held, discounts = self._close_deals(skill)
        prospect_opps = time.prospecting * p.buyer.prospect_yield * eff
        new_opps = self.accounts.open_new(prospect_opps, season, growth, self.rng_pipeline)
        self._explore(time.exploring * eff)
        # a new rep's care counts for less until onboarded: it does not know its customers yet
        self.accounts.tend(time.caring * ramp, self.n_seats)
        self._week_churned = int(self.accounts.churn(self.week, self.rng_pipeline).size)
        self.accounts.leave_market(self.rng_pipeline)

        self._credit(bookings, won, discounts)
        self._accumulate(time)
        selling = time.prospecting + time.advancing
        base_selling = np.maximum(p.rep.hours_per_week - admin, 1.0)
        help_received, help_skill = self._help(time.helping)
        update_skill(
            st,
            self.week,
            np.clip(selling / base_selling, 0, 1.5),
            self.coach_hours,
            self.coach_quality,
            help_received,
            help_skill,
        )
        update_morale(
            st, self.coach_hours, self.inspection, self._leaderboard_signal(), self.coach_quality
        )
        self._pay_base()
        self._track_productivity(bookings)
        self._quits()
        self._end_periods()
        self._record_week(bookings, won, rushed, held, discounts, new_opps, time)
        self.week += 1

    # -- deals ------------------------------------------------------------
    def _close_deals(self, skill: np.ndarray):
        a = self.accounts
        st = self.seats
        n = a.n
        strength = self.params.rep.deal_timing_strength
        ready = np.flatnonzero(a.open[:n] & a.ready[:n])
        rushed_idx = np.zeros(0, np.int64)
        held = 0
        comp = self.params.market.competitiveness
        if self.periods_ending_soon() and strength > 0:
            seats = a.seat[ready]
            p_win = a.win_probability(ready, skill[seats], comp)
            wait = min(self.weeks_left(w) for w in self.periods_ending_soon())
            p_held = p_win * (1.0 - self.params.buyer.hold_loss_per_week) ** wait
            hold = (
                st.occupied[seats]
                & hold_back(self, seats, a.value[ready], p_win, p_held)
                & (self.rng_pipeline.random(ready.size) < strength)
            )
            walked = hold & (
                self.rng_pipeline.random(ready.size) < self.params.buyer.hold_loss_per_week
            )
            a.lose(ready[walked])
            held = int(hold.sum())
            st.acc["deals_held"] += np.bincount(seats[hold], minlength=self.n_seats)
            closing = np.bincount(
                seats[~hold], (p_win * a.value[ready])[~hold], minlength=self.n_seats
            )
            ready = ready[~hold]
            cand = np.flatnonzero(a.open[:n] & ~a.ready[:n] & (a.stage[:n] >= 2))
            cand = cand[st.occupied[a.seat[cand]]]
            if cand.size:
                cs = a.seat[cand]
                p_norm = a.win_probability(cand, skill[cs], comp)
                p_rush = p_norm * (1 - self.params.buyer.rush_win_penalty)
                pull = pull_in(self, cs, a.value[cand], p_rush, p_norm, closing)
                pull &= self.rng_pipeline.random(cand.size) < strength
                rushed_idx = cand[pull]
                st.acc["deals_rushed"] += np.bincount(cs[pull], minlength=self.n_seats)
        idx = np.concatenate([ready, rushed_idx])
        rushed = np.concatenate([np.zeros(ready.size, bool), np.ones(rushed_idx.size, bool)])
        seats = a.seat[idx]
        expansion = a.expansion[idx].copy()
        won, price, discount = a.decide(idx, skill[seats], comp, rushed, self.rng_pipeline)
        seats = self._contest(seats, won, skill)
        self.recorder.deals(
            self.week,
            self.accounts.uid[idx],
            seats,
            self.seats.rep_id[seats],
            a.segment[idx],
            expansion,
            rushed,
            won,
            price,
            discount,
        )
        bookings = np.bincount(seats, price, minlength=self.n_seats)
        self._campaign_bookings(seats, a.segment[idx], price)
        wins = np.bincount(seats[won], minlength=self.n_seats)
        discounts = np.bincount(seats, discount, minlength=self.n_seats)
        self.won_value_total += float(price.sum())
        return bookings, wins, int(rushed_idx.size), held, discounts

    def _contest(self, seats: np.ndarray, won: np.ndarray, skill: np.ndarray) -> np.ndarray:
        """Internal competition under rank-based pay: colleagues chase the same deals.

        When the plan ranks reps (a rank prize or forced ranking), a share of
        won deals, ``territory.overlap`` times the plan's rank intensity (the
        prize in periods' target pay plus twice the forced-exit share, at most
        1), was also chased by the strongest teammate (skill times recent
        selling rate). The stronger of the two is credited; a rep who loses a
        deal to a colleague loses morale. Returns the credited seat of each deal.
        """
        plan = self.plan
        rank = plan.components.get("rank")
        intensity = min(
            1.0, (rank.prize if rank is not None else 0.0) + 2.0 * plan.forced_exit_share
        )
        share = self.params.territory.overlap * intensity
        if share <= 0:
            return seats
        st = self.seats
        contested = np.flatnonzero(
            won & st.occupied[seats] & (self.rng_pipeline.random(len(seats)) < share)
        )
        if contested.size == 0:
            return seats
        pull = np.where(st.occupied, skill * st.expected_weekly_sales, -np.inf)
        seats = seats.copy()
        loss = self.params.rep.colleague_loss_morale
        for i in contested:
            owner = seats[i]
            mates = self.managers[st.team[owner]].seats
            mates = mates[mates != owner]
            if mates.size == 0:
                continue
            rival = mates[np.argmax(pull[mates])]
            if pull[rival] > pull[owner]:
                seats[i] = rival
                st.morale[owner] = max(0.0, st.morale[owner] - loss)
                st.acc["deals_lost_to_colleagues"][owner] += 1
        return seats

    def _campaign_bookings(self, seats: np.ndarray, segment: np.ndarray, price: np.ndarray) -> None:
        """Credit sales that qualify for a running campaign (its window and segment)."""
        comp = self.plan.components.get("campaign")
        if comp is None or not comp.in_window(self.week % WEEKS_PER_YEAR):
            return
        ok = (segment == comp.segment) if comp.segment >= 0 else np.ones(len(seats), bool)
        st = self.seats
        st.campaign_credited += np.where(
            st.occupied, np.bincount(seats[ok], price[ok], minlength=self.n_seats), 0.0
        )

    def _explore(self, explore_power: np.ndarray) -> None:
        y = self.params.rep.exploring_yield
        if y <= 0:
            return
        found = self.rng_pipeline.random(self.n_seats) < np.minimum(explore_power * y, 1.0)
        if found.any():
            self.accounts.add(np.flatnonzero(found), self.rng_pipeline)

    def _credit(self, bookings: np.ndarray, wins: np.ndarray, discounts: np.ndarray) -> None:
        st = self.seats
        self.revenue_total += float(bookings.sum())
        if self.params.quota.policy == "history":
            seasoned = st.occupied & (self.tenure >= self.params.hiring.onboarding_weeks)
            self.territory_bookings += np.where(seasoned, bookings, 0.0)
            self.territory_weeks += seasoned
        credited = np.where(st.occupied, bookings, 0.0)
        for w in st.periods:
            st.credited[w] += credited
        st.acc["credited_sales"] += credited
        st.acc["deals_won"] += np.where(st.occupied, wins, 0)
        st.acc["discounts"] += np.where(st.occupied, discounts, 0.0)
        st.expected_weekly_sales += np.where(
            st.occupied, (credited - st.expected_weekly_sales) / WEEKS_PER_QUARTER, 0.0
        )
        has = wins > 0
        st.typical_deal[has] += 0.2 * (credited[has] / wins[has] - st.typical_deal[has])

    def _accumulate(self, time) -> None:
        st = self.seats
        occ = st.occupied
        acc = st.acc
        acc["hours_prospecting"] += time.prospecting
        acc["hours_advancing"] += time.advancing
        acc["hours_helping"] += time.helping
        acc["hours_exploring"] += time.exploring
        acc["hours_caring"] += time.caring
        acc["hours_admin"] += time.admin
        acc["coached_hours"] += np.where(occ, self.coach_hours, 0.0)
        acc["weeks"] += occ
        week_quota = np.where(
            occ, st.annual_quota_full / WEEKS_PER_YEAR * self.quota_ramp(self.tenure), 0.0
        )
        acc["quota"] += week_quota
        st.quota_ytd += week_quota

    def _help(self, helping: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Spread each team's helping hours over its members; return hours and helpers' skill."""
        st = self.seats
        team = st.team
        given = np.bincount(team, helping)
        members = np.bincount(team, st.occupied.astype(float))
        helper_skill = np.bincount(team, helping * st.skill) / np.maximum(given, 1e-12)
        received = np.where(
            st.occupied, (given[team] - helping) / np.maximum(members[team] - 1, 1.0), 0.0
        )
        st.acc["help_received_hours"] += received
        return received, helper_skill[team]

    def _pay_base(self) -> None:
        st = self.seats
        weekly = self.plan.base_salary / WEEKS_PER_YEAR
        st.acc["pay_base"] += np.where(st.occupied, weekly, 0.0)
        self._week_pay += weekly * float(st.occupied.sum())

    def _track_productivity(self, bookings: np.ndarray) -> None:
        st = self.seats
        self.trailing[self.week % RAMP_WINDOW] = np.where(st.occupied, bookings, 0.0)
        tenure = st.cache_tenure(self.week)
        seasoned = st.occupied & (tenure >= WEEKS_PER_YEAR)
        pending = st.occupied & (self.productive_week < 0) & (tenure >= RAMP_WINDOW - 1)
        if not pending.any() or not seasoned.any():
            return
        trailing = self.trailing.sum(axis=0)
        bar = PRODUCTIVE_SHARE * _median(trailing[seasoned])
        for seat in np.flatnonzero(pending & (trailing >= bar)):
            self.productive_week[seat] = tenure[seat]
            self.recorder.productive(int(st.rep_id[seat]), int(tenure[seat]))

    # -- people -----------------------------------------------------------
    def _fill_vacancies(self) -> None:
        h = self.params.hiring
        st = self.seats
        vacant = np.flatnonzero(~st.occupied)
        if vacant.size == 0:
            return
        progress = np.array([self.managers[st.team[s]].hiring_progress for s in vacant])
        p_fill = progress * (1.0 if h.time_to_fill_weeks <= 1 else 1.0 / h.time_to_fill_weeks)
        draws = self.rng_people.random(vacant.size)
        for seat in vacant[draws < p_fill]:
            quality = np.array([self.managers[st.team[seat]].coaching_quality])
            skill, aptitude = self._hire_draws(self.rng_people, quality)
            self._seat_rep(int(seat), float(skill[0]), float(aptitude[0]))
            self._week_hires += 1
            self.hire_count += 1

    def _quits(self) -> None:
        st = self.seats
        recent = self._team_quits.sum(axis=0)[st.team]
        p_quit = quit_probability(st, self.week, self.coach_quality, recent)
        slot = self.week % WEEKS_PER_QUARTER
        self._team_quits[slot] = 0.0
        for seat in np.flatnonzero(self.rng_people.random(self.n_seats) < p_quit):
            self._exit(int(seat), "voluntary")
            self._team_quits[slot, st.team[seat]] += 1

    def _exit(self, seat: int, kind: str) -> None:
        """A rep leaves mid-period: paid what individual components owe so far, seat vacated.

        Rank prizes and team pay of an unfinished period are forfeited.
        """
        st = self.seats
        owed = self._payouts([w for w in st.periods], only=INDIVIDUAL, seats=np.array([seat]))
        for column, v in owed.items():
            st.acc["pay_" + column][seat] += v[seat]
            self._week_pay += float(v[seat])
        self._flush_rep_row(seat, exit_kind=kind)
        self._release(seat, kind)

    def _release(self, seat: int, kind: str) -> None:
        """Remove the rep in ``seat`` (its last row is already written)."""
        st = self.seats
        self.recorder.exit(int(st.rep_id[seat]), self.week, kind)
        rep = self.reps_by_seat.pop(seat)
        rep.remove()
        st.vacate(seat, self.week)
        self._week_exits[kind] += 1
        self.exit_count += 1

    # -- pay --------------------------------------------------------------
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
        rank = self.plan.components.get("rank")
        w = rank.period_weeks if rank is not None else WEEKS_PER_QUARTER
        att = attainment(st.credited[w], st.quota[w])
        occ = np.flatnonzero(st.occupied)
        pct = np.zeros(self.n_seats)
        if occ.size > 1:
            order = occ[np.argsort(att[occ], kind="stable")]
            pct[order] = np.arange(occ.size) / (occ.size - 1)
        return np.where(st.occupied, plan.leaderboard_morale_effect * (pct - 0.5), 0.0)

    def forced_ranking_eligible(self) -> np.ndarray:
        """Seats whose holders are past onboarding and a first quarter (can be force-ranked)."""
        return self.seats.tenure >= self.params.hiring.onboarding_weeks + WEEKS_PER_QUARTER

    def _pay_state(self, period_weeks: int, year_to_date: bool = False) -> PayState:
        st = self.seats
        quota = st.quota[period_weeks]
        if year_to_date:  # true-up: the quota of the year so far, week by week as reported
            quota = st.quota_ytd
        return PayState(
            st.credited[period_weeks],
            quota,
            st.team,
            st.occupied,
            {"campaign": st.campaign_credited},
        )

    def _payouts(
        self, ending: list[int], only: tuple = (), seats: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Pay by column for every component whose period (or pay date) is in ``ending``.

        A cumulative commission is measured year-to-date and paid at each
        quarter's end with true-up; a campaign pays at the end of its window.
        ``seats`` (for a leaver) limits the true-up bookkeeping to those seats.
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
                v = self.plan.pay(name, self._pay_state(comp.period_weeks))
            elif isinstance(comp, Commission) and comp.cumulative:
                if WEEKS_PER_QUARTER not in ending and seats is None:
                    continue
                # earned so far: the year's schedule on year-to-date attainment, for the
                # share of the year elapsed
                elapsed = ((self.week % WEEKS_PER_YEAR) + 1) / WEEKS_PER_YEAR
                state = self._pay_state(WEEKS_PER_YEAR, year_to_date=True)
                due = self.plan.pay(name, state) * elapsed
                v = np.maximum(due - st.paid_ytd, 0.0)
                mask = np.zeros(self.n_seats, bool)
                mask[np.arange(self.n_seats) if seats is None else seats] = True
                v = np.where(mask, v, 0.0)
                st.paid_ytd += v
            elif comp.period_weeks in ending:
                v = self.plan.pay(name, self._pay_state(comp.period_weeks))
            else:
                continue
            out[comp.column] = out.get(comp.column, 0.0) + v
        return out

    # -- period ends ------------------------------------------------------
    def _end_periods(self) -> None:
        st = self.seats
        ending = [w for w in st.periods if self.weeks_left(w) == 1]
        campaign_ends = any(
            isinstance(c, Campaign) and c.end_week == self.week % WEEKS_PER_YEAR
            for c in self.plan.components.values()
        )
        if not ending and not campaign_ends:
            return
        for column, v in self._payouts(ending).items():
            paid = np.where(st.occupied, v, 0.0)
            st.acc["pay_" + column] += paid
            self._week_pay += float(paid.sum())
        forced = self._forced_ranking(ending)
        if WEEKS_PER_QUARTER in ending:
            self._end_quarter(forced)
        else:
            for seat in forced:
                self._flush_rep_row(int(seat), exit_kind="involuntary")
                self._release(int(seat), "involuntary")
        for w in ending:
            st.credited[w][:] = 0.0
        if WEEKS_PER_YEAR in ending:
            st.paid_ytd[:] = 0.0
            st.quota_ytd[:] = 0.0
        if campaign_ends:
            st.campaign_credited[:] = 0.0

    def _forced_ranking(self, ending: list[int]) -> np.ndarray:
        """Seats let go for ranking in the bottom share of a forced-ranking period."""
        plan = self.plan
        w = plan.forced_exit_weeks
        if plan.forced_exit_share <= 0 or w not in ending:
            return np.zeros(0, np.int64)
        st = self.seats
        att = attainment(st.credited[w], st.quota[w])
        eligible = st.occupied & self.forced_ranking_eligible()
        bottom = top_mask(-att, eligible, plan.forced_exit_share, 0)
        return np.flatnonzero(bottom)

    def _start_periods(self) -> None:
        """New quotas for every period that starts this week."""
        if self.week == 0:
            return
        starting = [w for w in self.seats.periods if (self.week % WEEKS_PER_YEAR) % w == 0]
        if WEEKS_PER_YEAR in starting:
            self._set_annual_quotas()
        if starting:
            self._set_period_quotas(starting)

    def _ratchet(self, att: np.ndarray) -> None:
        """Ratchet quotas: a quarter's beat raises the seat's quota more than a miss lowers it."""
        st = self.seats
        qp = self.params.quota
        full = st.occupied & (st.acc["weeks"] >= WEEKS_PER_QUARTER)
        change = np.where(att >= 1.0, qp.ratchet_up * (att - 1.0), -qp.ratchet_down * (1.0 - att))
        st.annual_quota_full[full] *= np.clip(1.0 + change[full], 0.5, 2.0)

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
        st.pay_annual[occ] = 0.6 * st.pay_annual[occ] + 0.4 * 4 * quarter_pay[occ]
        if self.params.quota.policy == "ratchet":
            self._ratchet(att)
        forced_set = {int(x) for x in forced}
        not_forced = np.ones(self.n_seats, bool)
        not_forced[list(forced_set)] = False
        eligible = (
            occ
            & not_forced
            & (st.tenure_weeks(self.week) >= self.params.hiring.onboarding_weeks + 13)
        )
        managed_out = []
        for seat in np.flatnonzero(eligible & (st.pm_streak >= pf.quarters)):
            if self.rng_people.random() < pf.exit_strength:
                st.pm_streak[seat] = 0
                managed_out.append(int(seat))
        held = np.flatnonzero(occ)
        kinds = np.full(held.size, "", dtype=object)
        kinds[np.isin(held, list(forced_set) + managed_out)] = "involuntary"
        self._flush_rep_rows(held, kinds)
        self._flush_manager_rows()
        for seat in sorted(forced_set) + managed_out:
            self._release(seat, "involuntary")

    def _flush_rep_row(self, seat: int, exit_kind: str) -> None:
        """Write one rep's row for the quarter so far (a leaver's last row)."""
        self._flush_rep_rows(np.array([seat]), np.array([exit_kind], dtype=object))

    def _flush_rep_rows(self, seats: np.ndarray, exit_kinds: np.ndarray) -> None:
        """Write the quarter's rows of ``seats`` (one per rep) and reset their accumulators."""
        st = self.seats
        acc = st.acc
        year, quarter = divmod((self.week % WEEKS_PER_YEAR) // 13 + 4 * (self.week // 52), 4)
        quota = acc["quota"][seats]
        credited = acc["credited_sales"][seats]
        pays = {c: acc[c][seats] for c in PAY_ACCUMULATORS}
        hours = {k: acc[k][seats] for k in HOUR_COLUMNS}
        weeks = acc["weeks"][seats]
        team = st.team[seats]
        k = len(seats)
        self.recorder.rep_rows_block(
            {
                "rep_id": st.rep_id[seats].copy(),
                "seat": seats.copy(),
                "team": team,
                "manager_id": self._manager_ids[team],
                "year": np.full(k, year),
                "quarter": np.full(k, quarter),
                "period": np.full(k, self.week // WEEKS_PER_QUARTER),
                "warmup": np.full(k, self.week < self.warmup_weeks),
                "tenure_weeks": st.tenure_weeks(self.week)[seats],
                "weeks_in_seat": weeks.copy(),
                "quota": quota.copy(),
                "credited_sales": credited.copy(),
                "attainment": np.where(
                    quota > 0, credited / np.where(quota > 0, quota, 1.0), np.nan
                ),
                "deals_won": acc["deals_won"][seats].copy(),
                "deals_rushed": acc["deals_rushed"][seats].copy(),
                "deals_held": acc["deals_held"][seats].copy(),
                "deals_lost_to_colleagues": acc["deals_lost_to_colleagues"][seats].copy(),
                "discounts": acc["discounts"][seats].copy(),
                **{c: v.copy() for c, v in pays.items()},
                "pay_total": sum(pays.values()),
                "effort_hours": sum(hours.values()) / np.maximum(weeks, 1.0),
                **{c: v.copy() for c, v in hours.items()},
                "coached_hours": acc["coached_hours"][seats].copy(),
                "help_received_hours": acc["help_received_hours"][seats].copy(),
                "skill": st.skill[seats].copy(),
                "morale": st.morale[seats].copy(),
                "exit": exit_kinds != "",
                "exit_kind": exit_kinds,
            }
        )
        for a in acc.values():
            a[seats] = 0.0

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

    # -- recording --------------------------------------------------------
    def _record_week(self, bookings, won, rushed, held, discounts, new_opps, time) -> None:
        st = self.seats
        occ = st.occupied
        n_occ = int(np.count_nonzero(occ))
        per_rep = 1.0 / max(n_occ, 1)
        org = self.params.org
        target = (
            org.quota_per_rep
            * self.n_seats
            * (1 + org.target_growth) ** (self.week // WEEKS_PER_YEAR)
        )
        hours = (
            time.prospecting.sum(),
            time.advancing.sum(),
            time.helping.sum(),
            time.exploring.sum(),
            time.caring.sum(),
            time.admin.sum(),
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
                bookings.sum(),
                won.sum(),
                rushed,
                held,
                discounts.sum(),
                new_opps,
                np.count_nonzero(self.accounts.open[: self.accounts.n]),
                self._week_pay,
                st.morale.sum() * per_rep,
                st.skill.sum() * per_rep,
                time.total[occ].sum() * per_rep,
                *hours,
                *self.manager_hours.sum(axis=0),
                self.coach_hours.sum(),
                target / WEEKS_PER_YEAR,
                int(np.count_nonzero(self.accounts.customer[: self.accounts.n])),
                self.accounts.n,
                self._week_churned,
                self.accounts.penetration(self._growth),
            ),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tidy tables (see README, "Output schema")."""
        return self.recorder.tables()
