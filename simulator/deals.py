"""Deals: closing (with timing at period ends and internal competition) and crediting.

Mixed into :class:`~simulator.model.SalesModel`: the week's ready deals close
(reps may hold some back, or pull unready ones in at a discount, as a period
ends, and buyers may bargain over a rep's urgency to close), colleagues may
contest wins under rank-based pay, exploring adds accounts, and the week's
bookings, wins and hours are credited to the seats.
"""

from __future__ import annotations

import numpy as np

from simulator.accounts import N_STAGES
from simulator.agents.timing import hold_back, pull_in, timing_premium
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import Campaign, RankPrize, measure_mask


class DealFlow:
    """Deal closing and crediting of a :class:`~simulator.model.SalesModel`."""

    def _close_deals(self, skill: np.ndarray):
        a = self.accounts
        st = self.seats
        n = a.n
        rp = self.params.rep
        strength = rp.deal_timing_strength
        if rp.timing_follows_response:
            strength *= min(rp.incentive_response, 1.0)
        ready = (a.open[:n] & a.ready[:n]).nonzero()[0]
        rushed_idx = np.zeros(0, np.int64)
        bargain = None
        held = np.zeros(self.replications, np.int64)
        comp = self.params.market.competitiveness
        ready, waiting = self._buyers_wait(ready)
        week_close = alongside = None
        ending = self.periods_ending_soon()
        if ending and strength > 0:
            seats = a.seat[ready]
            p_win = a.win_probability(ready, skill[seats], comp)
            expected = p_win * a.value[ready]
            if waiting is not None:
                # with buyers who wait for a period's end, a rep prices each deal on top of
                # the others signing the same week and of the buyers waiting for the last
                # week: the expected value of those, by seat
                week_close = np.bincount(
                    a.seat[waiting],
                    a.win_probability(waiting, skill[a.seat[waiting]], comp) * a.value[waiting],
                    minlength=self.n_seats,
                )
                alongside = (week_close + np.bincount(seats, expected, minlength=self.n_seats))[
                    seats
                ] - expected
            wait = min(self.weeks_left(w) for w in ending)
            walk = a.hold_walk(ready)
            p_held = p_win * (1.0 - walk) ** wait
            hold = (
                st.occupied[seats]
                & hold_back(
                    self, seats, a.value[ready], p_win, p_held, deals=ready, alongside=alongside
                )
                & (self.rng_pipeline.random(seats) < strength)
            )
            walked = hold & (self.rng_pipeline.random(seats) < walk)
            a.lose(ready[walked])
            a.hold(ready[hold & ~walked])
            held = self.blocks.subset_counts(seats[hold])
            st.acc["deals_held"] += np.bincount(seats[hold], minlength=self.n_seats)
            closing = np.bincount(seats[~hold], expected[~hold], minlength=self.n_seats)
            if week_close is not None:
                closing = closing + week_close
                alongside = alongside[~hold]
            ready = ready[~hold]
            if self.params.rep.timing_projected and wait > 1:
                # waiting costs a rushed deal nothing but the small chance it stalls, and the
                # rep learns where the period lands: rushing waits for the period's last week
                cand = np.zeros(0, np.int64)
            else:
                cand = (a.open[:n] & ~a.ready[:n] & (a.stage[:n] >= 2)).nonzero()[0]
                cand = cand[st.occupied[a.seat[cand]]]
            if cand.size:
                cs = a.seat[cand]
                p_norm = a.win_probability(cand, skill[cs], comp)
                p_rush = p_norm * (1 - self.params.buyer.rush_win_penalty)
                pull = pull_in(self, cs, a.value[cand], p_rush, p_norm, closing, deals=cand)
                pull &= self.rng_pipeline.random(cs) < strength
                rushed_idx = cand[pull]
                st.acc["deals_rushed"] += np.bincount(cs[pull], minlength=self.n_seats)
        beta = self.params.buyer.bargaining_share
        if beta > 0 and ready.size and ending:
            # as a period ends, buyers take a share of the rep's urgency to close in it
            kept = a.seat[ready]
            premium = timing_premium(self, kept, a.value[ready], deals=ready, alongside=alongside)
            bargain = beta * premium * st.occupied[kept]
        idx, rushed = ready, np.zeros(ready.size, bool)
        if rushed_idx.size:
            idx = np.concatenate([ready, rushed_idx])
            rushed = np.concatenate([rushed, np.ones(rushed_idx.size, bool)])
            if bargain is not None:
                bargain = np.concatenate([bargain, np.zeros(rushed_idx.size)])
        seats = a.seat[idx]
        segment = a.segment[idx]
        expansion = a.expansion[idx]
        winback = a.won_back(idx)
        won, price, discount = a.decide(
            idx, skill[seats], comp, rushed, self.rng_pipeline, bargain=bargain, seats=seats
        )
        seats = self._contest(seats, won, skill)
        self._record_deals(
            seats,
            self.accounts.uid[idx],
            self.seats.rep_id[seats],
            segment,
            expansion,
            winback,
            rushed,
            won,
            price,
            discount,
        )
        bookings = np.bincount(seats, price, minlength=self.n_seats)
        self._campaign_bookings(seats, segment, price)
        # the week's bookings by seat on each measure the plan pays on (other than total)
        by_measure = {
            m: np.bincount(
                seats,
                np.where(measure_mask(m, expansion, segment), price, 0.0),
                minlength=self.n_seats,
            )
            for m in self.plan.measures
        }
        wins = np.bincount(seats[won], minlength=self.n_seats)
        discounts = np.bincount(seats, discount, minlength=self.n_seats)
        rushed_count = self.blocks.subset_counts(a.seat[rushed_idx])
        return bookings, wins, rushed_count, held, discounts, by_measure

    def _buyers_wait(self, ready: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Ready deals whose buyers sign this week, and those still waiting for a period's end.

        With ``buyer.period_end_patience`` above 0 and a plan that gives reps a stake
        in a period's end (:meth:`~simulator.model.SalesModel.stake_periods`), a buyer
        whose wait to the last week of the soonest-ending such period is at most that
        share of its buying cycle waits for it, and walks away meanwhile at
        :meth:`~simulator.accounts.Accounts.hold_walk` in its own stages. In the last week every
        ready buyer signs (or its rep holds it, :func:`~simulator.agents.timing.hold_back`).
        The waiting deals are None when buyers never wait (patience 0, or no stakes).
        """
        patience = self.params.buyer.period_end_patience
        stakes = self.stake_periods if patience > 0 else ()
        if not stakes:
            return ready, None
        to_last = min(self.weeks_left(w) for w in stakes) - 1
        if to_last <= 0:  # the last week: no buyer waits
            return ready, ready[:0]
        a = self.accounts
        cycle = a.seg_stage_weeks[a.segment[ready]] * N_STAGES  # the buyer's own cycle
        waits = to_last <= patience * cycle
        waiting = ready[waits]
        # a buyer who chose to wait is as patient as its cycle is long
        walk = a.hold_walk(waiting, in_stages=True)
        walked = self.rng_pipeline.random(a.seat[waiting]) < walk
        a.lose(waiting[walked])
        return ready[~waits], waiting[~walked]

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
        prizes = sum(c.prize for c in plan.components.values() if isinstance(c, RankPrize))
        intensity = min(1.0, prizes + 2.0 * plan.forced_exit_share)
        share = self.params.territory.overlap * intensity
        if share <= 0:
            return seats
        st = self.seats
        contested = (
            won & st.occupied[seats] & (self.rng_pipeline.random(seats) < share)
        ).nonzero()[0]
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
        """Credit sales that qualify for each running campaign (its window and segment)."""
        st = self.seats
        for name, comp in self.plan.components.items():
            if not isinstance(comp, Campaign) or not comp.in_window(self.week % WEEKS_PER_YEAR):
                continue
            ok = (segment == comp.segment) if comp.segment >= 0 else np.ones(len(seats), bool)
            st.campaign_credited[name] += np.where(
                st.occupied, np.bincount(seats[ok], price[ok], minlength=self.n_seats), 0.0
            )

    def _explore(self, explore_power: np.ndarray) -> None:
        y = self.params.rep.exploring_yield
        if y <= 0:
            return
        found = self.rng_pipeline.random(self.all_seats) < np.minimum(explore_power * y, 1.0)
        if found.any():
            self.accounts.add(found.nonzero()[0], self.rng_pipeline)

    def _credit(
        self,
        bookings: np.ndarray,
        wins: np.ndarray,
        discounts: np.ndarray,
        by_measure: dict[str, np.ndarray],
    ) -> None:
        st = self.seats
        self.revenue_total += self.blocks.sums(bookings)
        q = self.params.quota
        if q.policy == "history" or q.role_basis == "history":
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
        if by_measure:  # the plan pays on measures other than total
            st.booked_weekly += (bookings - st.booked_weekly) / WEEKS_PER_QUARTER
        for m, booked in by_measure.items():
            on_measure = np.where(st.occupied, booked, 0.0)
            for w in st.periods:
                st.credited_by[m][w] += on_measure
            st.measure_weekly[m] += (booked - st.measure_weekly[m]) / WEEKS_PER_QUARTER
        has = (wins > 0).nonzero()[0]
        rate = self.params.rep.typical_deal_rate
        st.typical_deal[has] += rate * (credited[has] / wins[has] - st.typical_deal[has])

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
        ramp = self.quota_ramp(self.tenure)
        week_quota = np.where(occ, st.annual_quota_full / WEEKS_PER_YEAR * ramp, 0.0)
        acc["quota"] += week_quota
        st.quota_ytd += week_quota
        st.ramp_weeks_ytd += np.where(occ, ramp, 0.0)
