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

This module holds the set-up and the week's schedule; what each step does lives
in one module per concern, mixed into :class:`SalesModel`:
:mod:`simulator.periods` (calendar and quotas), :mod:`simulator.deals` (closing
and crediting), :mod:`simulator.people` (hiring, quits, exits, forced ranking),
:mod:`simulator.payschedule` (payouts and period ends) and :mod:`simulator.rows`
(the recorded rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mesa
import numpy as np

from simulator.accounts import SEGMENTS, Accounts
from simulator.agents.manager import manage_week
from simulator.agents.rep import Rep, TimeChoice, choose_time, later_pay_lags
from simulator.batch import Blocks, Streams
from simulator.deals import DealFlow
from simulator.learning import selling_share, update_skill
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR, SimParams
from simulator.payschedule import PaySchedule
from simulator.people import RAMP_WINDOW, PeopleFlows
from simulator.periods import Calendar
from simulator.plans.payout import Campaign, Commission, compile_plan
from simulator.record import Recorder
from simulator.rows import RowBuilder
from simulator.workforce import Seats, rep_admin_hours, seats_standing, update_morale

#: A decision observer: called as ``observer(model, event, data)`` after each
#: decision, to trace it without changing it. Events: ``"time"`` (``data``: the
#: week's :class:`~simulator.agents.rep.TimeChoice`, after the reps chose their hours).
Observer = Callable[["SalesModel", str, Any], None]
#: structural: the run's independent random streams (initial state, pipeline, people, Mesa's)
N_STREAMS = 4


class SalesModel(Calendar, DealFlow, PeopleFlows, PaySchedule, RowBuilder, mesa.Model):
    """A sales organisation simulated week by week under one incentive plan.

    Built on a sequence of seeds, it simulates a batch: one organisation per
    seed side by side in the same arrays, each bit for bit the run of its seed
    alone (:mod:`simulator.batch`); :meth:`batch_tables` gives each one's tables.

    Args:
        params: validated parameters (see :mod:`simulator.params`).
        seed: the run's seed (or a spawned SeedSequence); every random draw comes
            from streams spawned from it. A list or tuple of seeds: a batch.
        observers: :data:`Observer` callables told of each decision (they must not
            change the model; a run with observers gives the same tables).
    """

    def __init__(
        self,
        params: SimParams,
        seed: int | np.random.SeedSequence | Sequence[int | np.random.SeedSequence] = 0,
        observers: Sequence[Observer] = (),
    ):
        seeds = list(seed) if isinstance(seed, list | tuple) else [seed]
        if not seeds:
            raise ValueError("seed: a batch needs at least one seed")
        streams = [
            (s if isinstance(s, np.random.SeedSequence) else np.random.SeedSequence(s)).spawn(
                N_STREAMS
            )
            for s in seeds
        ]
        # Mesa's stream is the last (nothing draws from it)
        super().__init__(rng=np.random.default_rng(streams[0][N_STREAMS - 1]))
        self.params = params
        self.seed = seed
        self.observers = tuple(observers)
        #: replications simulated side by side, and the seats each holds
        self.replications = len(seeds)
        n = params.org.n_reps
        self.blocks = Blocks(self.replications, n)
        #: independent named streams (one generator per replication): drawing from one
        #: never shifts another
        self.rng_init, self.rng_pipeline, self.rng_people = (
            Streams([np.random.default_rng(s[k]) for s in streams], n) for k in range(N_STREAMS - 1)
        )
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
        n *= self.replications
        #: seats of the whole batch (org.n_reps in a run alone)
        self.n_seats = n
        #: every seat, in order (the owners of seat-wise draws)
        self.all_seats = np.arange(n)
        comps = self.plan.components
        self.seats = Seats(
            params,
            n,
            self.plan.periods,
            self.plan.measures,
            campaigns=tuple(k for k, c in comps.items() if isinstance(c, Campaign)),
            cumulative=tuple(
                k for k, c in comps.items() if isinstance(c, Commission) and c.cumulative
            ),
            blocks=self.blocks,
        )
        #: history quotas: each territory's bookings this year in weeks a seasoned rep held it
        self.territory_bookings = np.zeros(n)
        self.territory_weeks = np.zeros(n, np.int64)
        self.accounts = Accounts(params, self.blocks, self.rng_init)
        self.recorders = [
            Recorder(self.n_weeks, self.warmup_weeks) for _ in range(self.replications)
        ]
        self.coach_hours = np.zeros(n)
        #: the hours each seat chose in the last week stepped (read-only, for live views)
        self.week_hours: TimeChoice | None = None
        self.coach_quality = np.zeros(n)
        self.inspection = np.zeros(n)
        self.manager_deal_hours = np.zeros(n)
        self.tenure = np.zeros(n, np.int64)
        self.accounts_open_by_seat = np.zeros(n)
        self.customers_by_seat = np.zeros(n)
        r = self.replications
        self._week_churned = np.zeros(r, np.int64)
        self.trailing = np.zeros((RAMP_WINDOW, n))
        self.productive_week = np.full(n, -1)
        self.reps_by_seat: dict[int, Rep] = {}
        #: the next rep id of each replication (a rep's id is its replication's count)
        self._next_rep_id = np.zeros(r, np.int64)
        #: each replication's bookings so far
        self.revenue_total = np.zeros(r)
        #: each replication's company target this year (set with the annual quotas) and
        #: its bookings total when the year began (last year's bookings plan the next)
        self.company_target = np.zeros(r)
        self._revenue_year_start = np.zeros(r)
        self._new_week()
        by_segment = np.stack(
            [
                np.bincount(
                    self.accounts.seat[: self.accounts.n],
                    self.accounts.potential[: self.accounts.n]
                    * (self.accounts.segment[: self.accounts.n] == k),
                    minlength=n,
                )
                for k in range(len(SEGMENTS))
            ]
        )
        self._segment_share = by_segment / np.maximum(by_segment.sum(axis=0), 1e-9)
        self._pipeline_due: dict[int, np.ndarray] = {}
        #: weeks until prospecting, care and exploring pay (the reps' discounting)
        self.later_pay_lags = later_pay_lags(params)
        #: the buying cycle, in weeks: the segments' mean by share of accounts
        self.cycle_weeks = self.later_pay_lags["prospecting"]
        self._create_managers()
        # each replication's managers are numbered as they would be alone
        first = np.arange(len(self.managers)) // self.n_teams * self.n_teams
        self._manager_ids = np.array([m.unique_id for m in self.managers]) - first
        self._create_initial_reps()
        self._set_annual_quotas()
        self._set_period_quotas(self.seats.periods)

    @property
    def recorder(self) -> Recorder:
        """The run's recorder (a run alone; a batch has one per replication, :attr:`recorders`)."""
        if self.replications != 1:
            raise AttributeError("a batch has a recorder per replication: use recorders")
        return self.recorders[0]

    def _new_week(self) -> None:
        """Zero the week's counts of each replication."""
        r = self.replications
        self._week_exits = {
            "voluntary": np.zeros(r, np.int64),
            "involuntary": np.zeros(r, np.int64),
        }
        self._week_exits_outside = np.zeros(r)
        self._week_hires = np.zeros(r, np.int64)
        self._week_pay = np.zeros(r)

    def step(self) -> None:
        """Advance the organisation by one week."""
        p = self.params
        st = self.seats
        season = self.season()
        growth = (1 + p.market.demand_growth) ** (self.week / WEEKS_PER_YEAR)
        self._growth = growth
        self._new_week()
        self.tenure = st.cache_tenure(self.week)
        self._start_periods()

        manage_week(self)
        self._mgr_quarter += self.manager_hours
        self._vacancy_quarter += self.vacant_by_team
        self._fill_vacancies()

        self.accounts_open_by_seat = self.accounts.open_by_seat(self.n_seats)
        self.customers_by_seat = self.accounts.customers_by_seat(self.n_seats)
        self._pipeline_due = {}
        admin = rep_admin_hours(p, self.inspection)
        time = choose_time(self, admin)
        self.week_hours = time
        for observe in self.observers:
            observe(self, "time", time)
        # a rep in onboarding closes as its ramp allows (it is still learning the offer)
        ramp = st.ramp(self.week)
        eff = np.where(st.occupied, st.effectiveness(ramp), 0.5 + p.manager.skill)
        skill = np.where(st.occupied, st.skill * ramp, p.manager.skill)
        self.accounts.advance(
            time.advancing + self.manager_deal_hours, eff, season, self.rng_pipeline
        )
        bookings, won, rushed, held, discounts, by_measure = self._close_deals(skill)
        prospect_opps = time.prospecting * p.buyer.prospect_yield * eff
        self.accounts.open_new(prospect_opps, season, growth, self.rng_pipeline, week=self.week)
        new_opps = self.blocks.subset_counts(self.accounts.opened_seats)
        self._explore(time.exploring * eff)
        # a new rep's care counts for less until onboarded: it does not know its customers yet
        self.accounts.tend(time.caring * ramp, self.n_seats)
        self._week_churned = self.blocks.subset_counts(
            self.accounts.churn(self.week, self.rng_pipeline)
        )
        self.accounts.leave_market(self.rng_pipeline)

        self._credit(bookings, won, discounts, by_measure)
        self._accumulate(time)
        help_received, help_skill = self._help(time.helping)
        update_skill(
            st,
            self.week,
            selling_share(p, time.prospecting + time.advancing, admin),
            self.coach_hours,
            self.coach_quality,
            help_received,
            help_skill,
        )
        # held seats, attainment and pay stay as they are until the quits: one look a week
        standing = seats_standing(st)
        update_morale(
            st,
            self.coach_hours,
            self.inspection,
            self._leaderboard_signal(),
            self.coach_quality,
            standing,
        )
        self._pay_base()
        self._track_productivity(bookings)
        self._quits(standing)
        self._end_periods()
        self._record_week(bookings, won, rushed, held, discounts, new_opps, time)
        self.week += 1
