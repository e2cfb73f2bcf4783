"""Accounts (buyers) and their open deals, held as arrays the model owns.

Each account belongs to one territory (a rep seat), has a segment, an annual
potential and a trust in its rep, and holds at most one open opportunity. A
deal moves through five stages (qualify, discover, propose, negotiate, close)
only as fast as the buyer is ready: the buyer's own pace is set by the
segment's cycle length and the season; selling attention speeds it, up to
``buyer.max_pace``, one stage a week at most. A deal that completes the close
stage is *ready*: the rep may close it (the buyer decides, win or lose) or hold
it back; a rep may also *rush* a deal that is not ready, at a discount and a
lower win probability, and the buyer trusts the rep less afterwards.

A won account becomes a customer. Customers need care (hours of account
management a week); care builds their trust and how often they expand, and
neglect, low trust or a change of rep make them churn (become prospects
again), so the installed base settles where acquisition and churn balance.
"""

from __future__ import annotations

import numpy as np

from simulator.batch import Blocks, Rng, as_streams
from simulator.customers import BOUND_MARGIN, CustomerBase
from simulator.params import WEEKS_PER_YEAR, SimParams
from simulator.segments import SEGMENTS, home_segments

#: structural: the buyer's stages a deal passes through (a segment's cycle_weeks spans them all)
N_STAGES = 5
#: numerical: the account arrays start this many times the initial accounts (they double when full)
CAPACITY_GROWTH = 1.5
#: numerical: and this many rows more, so a small organisation does not grow them at once
CAPACITY_PAD = 64
#: structural: the week of a change that never happened, far before any run
NEVER = -(10**6)


class Accounts(CustomerBase):
    """Columnar store of accounts and their open deals.

    Arrays are preallocated with room to grow (exploring adds accounts); only
    the first ``n`` entries are live. A batch's replications (``n_seats`` as
    :class:`~simulator.batch.Blocks`) share them, each in its order alone.
    """

    #: the per-account arrays (grown, and compacted when accounts leave, together)
    _COLUMNS = (
        "uid",
        "seat",
        "segment",
        "potential",
        "sqrt_potential",
        "customer",
        "trust",
        "open",
        "stage",
        "readiness",
        "value",
        "attention",
        "ready",
        "expansion",
        "care",
        "installed",
        "held",
        "churned_week",
    )

    def __init__(self, params: SimParams, n_seats: int | Blocks, rng: Rng):
        self.params = params
        self.blocks = n_seats if isinstance(n_seats, Blocks) else Blocks(1, n_seats)
        n_seats = self.blocks.n * self.blocks.replications
        rng = as_streams(rng, self.blocks.n)
        seats = np.arange(n_seats)
        t = params.territory
        segs = [getattr(t, s) for s in SEGMENTS]
        self.seg_share = np.array([s.share for s in segs])
        self.seg_median = np.array([s.potential_median for s in segs])
        self.seg_sigma = np.array([s.potential_sigma for s in segs])
        self.seg_stage_weeks = np.array([s.cycle_weeks for s in segs]) / N_STAGES
        win = np.array([s.win_prob for s in segs], float)
        self.seg_win_logit = np.log(win / (1.0 - win))
        #: per segment: the buyer's odds at par, and the weekly walk of a buyer patient in stages
        self.seg_win = 1.0 / (1.0 + np.exp(-self.seg_win_logit))
        walk = np.full(len(SEGMENTS), params.buyer.hold_loss_per_week)
        self.seg_walk_in_stages = 1.0 - (1.0 - walk) ** (1.0 / self.seg_stage_weeks)

        sigma = t.account_count_sigma
        sizes = t.accounts_per_rep * rng.lognormal(-0.5 * sigma**2, sigma, seats)
        counts = np.maximum(1, np.round(sizes)).astype(int)
        self.territory_quality = rng.lognormal(-0.5 * t.quality_sigma**2, t.quality_sigma, seats)
        #: each seat's home segment (the role it is staffed for); see :func:`home_segments`
        self.home = np.tile(home_segments(self.seg_share, self.blocks.n), self.blocks.replications)
        self._seat_seg_cdf = None
        if t.specialisation > 0:
            mix = (1.0 - t.specialisation) * self.seg_share[None, :] + t.specialisation * (
                self.home[:, None] == np.arange(len(SEGMENTS))[None, :]
            )
            self._seat_seg_cdf = np.cumsum(mix, axis=1)
        n = int(counts.sum())
        cap = int(n * CAPACITY_GROWTH) + CAPACITY_PAD
        self.n = 0
        #: a stable name for each account (its index moves when accounts leave the market)
        self.uid = np.zeros(cap, np.int64)
        self._next_uid = np.zeros(self.blocks.replications, np.int64)  # by replication
        self.seat = np.zeros(cap, np.int32)
        self.segment = np.zeros(cap, np.int8)
        self.potential = np.zeros(cap)
        self.sqrt_potential = np.zeros(cap)
        self.customer = np.zeros(cap, bool)
        self.trust = np.zeros(cap)
        self.open = np.zeros(cap, bool)
        self.stage = np.zeros(cap, np.int8)
        self.readiness = np.zeros(cap)
        self.value = np.zeros(cap)
        self.attention = np.zeros(cap)
        self.ready = np.zeros(cap, bool)
        self.expansion = np.zeros(cap, bool)
        self.care = np.zeros(cap)
        #: annual spend a customer already buys (its installed base; 0 for prospects)
        self.installed = np.zeros(cap)
        #: the buyer waited for the rep's next period (and was promised buyer.hold_discount)
        self.held = np.zeros(cap, bool)
        #: week the account last stopped being a customer (far past: never)
        self.churned_week = np.full(cap, NEVER, np.int64)
        #: week each territory's rep last changed (far past: never)
        self.rep_changed_week = np.full(n_seats, NEVER, np.int64)
        #: the seat of each deal the last :meth:`open_new` opened
        self.opened_seats = np.zeros(0, np.intp)
        self.churned_installed = np.zeros(self.blocks.replications)
        self.add(np.repeat(np.arange(n_seats), counts), rng)
        self.start_installed_base(segs, rng)

    # -- growth -----------------------------------------------------------
    def add(self, seats: np.ndarray, rng: Rng) -> None:
        """Add new accounts to the given territories, with drawn segment and potential."""
        k = len(seats)
        if k == 0:
            return
        rng = as_streams(rng, self.blocks.n)
        if self.n + k > len(self.seat):
            self._grow(self.n + k)
        sl = slice(self.n, self.n + k)
        self.uid[sl] = self.blocks.names(self._next_uid, seats)
        if self._seat_seg_cdf is None:
            seg = rng.choice(len(SEGMENTS), seats, p=self.seg_share)
        else:
            cdf = self._seat_seg_cdf[seats]
            u = rng.random(seats)[:, None]
            seg = np.minimum((u >= cdf).sum(axis=1), len(SEGMENTS) - 1)
        sig = self.seg_sigma[seg]
        self.seat[sl] = seats
        self.segment[sl] = seg
        self.potential[sl] = (
            self.seg_median[seg]
            * np.exp(sig * rng.standard_normal(seats))
            * self.territory_quality[seats]
        )
        self.sqrt_potential[sl] = np.sqrt(self.potential[sl])
        self.trust[sl] = 0.5
        self.churned_week[sl] = NEVER
        self.n += k

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.seat))
        for name in self._COLUMNS:
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    # -- views ------------------------------------------------------------
    def potential_by_seat(self, n_seats: int) -> np.ndarray:
        """Total annual potential of each territory."""
        return np.bincount(self.seat[: self.n], self.potential[: self.n], minlength=n_seats)

    def pipeline_due(self, n_seats: int, within_weeks: int) -> np.ndarray:
        """Expected value of each territory's open deals due to be ready within ``within_weeks``.

        A deal's remaining time is its stages left at the buyer's own pace; its
        value counts at the segment's win odds. This is what a rep can see of
        the period ahead in its own pipeline.
        """
        idx = self.open[: self.n].nonzero()[0]
        seg = self.segment[idx].astype(np.intp)  # segment is int8; intp indexes faster
        due = self.ready[idx] | (self.weeks_to_ready(idx, seg) <= within_weeks)
        win = self.seg_win[seg]
        return np.bincount(self.seat[idx], np.where(due, self.value[idx] * win, 0.0), n_seats)

    def weeks_to_ready(self, idx: np.ndarray, seg: np.ndarray | None = None) -> np.ndarray:
        """Weeks until each open deal ``idx`` is ready: its stages left at the buyer's own pace.

        ``seg``: the deals' segments, when the caller has them already.
        """
        seg = self.segment[idx] if seg is None else seg
        return (N_STAGES - self.stage[idx] - self.readiness[idx]) * self.seg_stage_weeks[seg]

    def hold_walk(self, idx: np.ndarray, in_stages: bool | None = None) -> np.ndarray:
        """Chance the buyer of each held (or waiting) deal ``idx`` walks away in a week.

        ``buyer.hold_loss_per_week``; in stages (``in_stages``, by default
        ``buyer.hold_patience_in_stages``) that is the rate for one-week stages, and a
        buyer whose stages last ``s`` weeks stays with ``(1 - hold_loss_per_week) **
        (1 / s)``: an enterprise buyer on a long cycle waits weeks an smb buyer would not.
        """
        b = self.params.buyer
        if b.hold_patience_in_stages if in_stages is None else in_stages:
            return self.seg_walk_in_stages[self.segment[idx]]
        return np.full(len(idx), b.hold_loss_per_week)

    def quota_basis(self, n_seats: int) -> np.ndarray:
        """Each territory's potential as quotas count it: customers weigh more (installed base)."""
        n = self.n
        weight = 1.0 + self.params.quota.installed_base_weight * self.customer[:n]
        return np.bincount(self.seat[:n], self.potential[:n] * weight, minlength=n_seats)

    def open_by_seat(self, n_seats: int) -> np.ndarray:
        """Number of open deals in each territory."""
        return np.bincount(self.seat.take(self.open[: self.n].nonzero()[0]), minlength=n_seats)

    # -- weekly pipeline --------------------------------------------------
    def advance(
        self,
        advance_hours: np.ndarray,
        effectiveness: np.ndarray,
        season: float,
        rng: Rng,
    ) -> np.ndarray:
        """Move open deals through the buyer's stages; return indices of deals that died.

        Args:
            advance_hours: selling hours per seat given to open deals this week.
            effectiveness: per-seat selling effectiveness (skill times ramp, ~1 at par).
            season: this week's demand multiplier.
            rng: the pipeline stream.
        """
        b = self.params.buyer
        n = self.n
        idx = self.open[:n].nonzero()[0]
        if idx.size == 0:
            return idx
        rng = as_streams(rng, self.blocks.n)
        seat = self.seat.take(idx).astype(np.intp)  # seat is int32; intp indexes faster
        # a territory's deals share its hours evenly: attention and pace are the seat's
        n_open = np.bincount(seat, minlength=len(advance_hours))
        per_deal = advance_hours / np.maximum(n_open, 1)
        attention = np.minimum(1.0, per_deal / b.hours_per_deal)
        lift = b.selling_pace_effect * (attention * effectiveness - 0.5)
        pace = (1.0 + lift).clip(b.min_pace, b.max_pace)
        stall = b.stall_per_week + b.neglect_stall_per_week * (1 - attention)
        attention = attention.take(seat)
        k = b.attention_rate
        self.attention[idx] = (1 - k) * self.attention.take(idx) + k * attention
        not_ready = (~self.ready[idx]).nonzero()[0]  # positions in idx
        moving = idx[not_ready]
        step = (
            season
            * pace.take(seat[not_ready])
            / self.seg_stage_weeks.take(self.segment[moving])
            * rng.uniform(1 - b.pace_noise, 1 + b.pace_noise, seat[not_ready])
        )
        r = self.readiness.take(moving) + step
        done = r >= 1.0
        stage = self.stage[moving] + done
        self.readiness[moving] = np.where(done, 0.0, r)
        self.stage[moving] = np.minimum(stage, N_STAGES - 1)
        self.ready[moving] = stage >= N_STAGES
        dead = idx[(rng.random(seat) < stall.take(seat)).nonzero()[0]]
        self._close(dead)
        return dead

    def win_probability(
        self, idx: np.ndarray, skill: np.ndarray, competitiveness: float
    ) -> np.ndarray:
        """Buyer's chance of buying deal ``idx`` from a rep of the given skill."""
        b = self.params.buyer
        m = self.params.market
        logit = (
            self.seg_win_logit[self.segment[idx]]
            + b.skill_win_effect * (skill - 0.5)
            + b.effort_win_effect * (self.attention[idx] - 0.5)
            + b.trust_win_effect * (self.trust[idx] - 0.5)
            + m.competitiveness_effect * (competitiveness - 0.5)
        )
        if b.customer_win_logit or b.former_customer_win_logit:
            cust = self.customer[idx]
            former = 0.0
            if b.former_customer_win_logit:
                won_back = ~cust & (self.churned_week[idx] != NEVER)
                former = np.where(won_back, b.former_customer_win_logit, 0.0)
            logit = logit + np.where(cust, b.customer_win_logit, former)
        return 1.0 / (1.0 + np.exp(-logit))

    def won_back(self, idx: np.ndarray) -> np.ndarray:
        """Whether each of accounts ``idx`` is a former customer (it churned and buys nothing)."""
        return ~self.customer[idx] & (self.churned_week[idx] != NEVER)

    def decide(
        self,
        idx: np.ndarray,
        skill: np.ndarray,
        competitiveness: float,
        rushed: np.ndarray,
        rng: Rng,
        bargain: np.ndarray | None = None,
        seats: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Buyers decide on deals ``idx``; return (won mask, price paid, discount given).

        ``skill`` is the selling skill per deal; ``rushed`` marks deals pulled in
        before the buyer was ready; ``bargain`` the share of the price a buyer
        won over the rep's urgency to close (0 for rushed deals).
        """
        b = self.params.buyer
        p = self.win_probability(idx, skill, competitiveness)
        any_rushed = rushed.any()
        if any_rushed:
            p = np.where(rushed, p * (1.0 - b.rush_win_penalty), p)
        seats = self.seat.take(idx) if seats is None else seats
        won = as_streams(rng, self.blocks.n).random(seats) < p
        price = np.where(won, self.value[idx], 0.0)
        discount = np.zeros(idx.size)
        if any_rushed:
            discount = np.where(rushed, b.rush_discount * price, 0.0)
            r = idx[rushed]
            self.trust[r] = np.maximum(0.0, self.trust[r] - b.rush_trust_cost)
        if bargain is not None:
            discount = discount + bargain * (price - discount)
        if b.hold_discount > 0:
            # a buyer who waited for the rep's period was promised a lower price
            discount = discount + b.hold_discount * self.held[idx] * (price - discount)
        price = price - discount
        w = idx[won]
        # a first sale installs what it buys; an expansion adds to it
        self.installed[w] = np.where(self.customer[w], self.installed[w], 0.0) + self.value[w]
        self.customer[w] = True
        self._close(idx)
        return won, price, discount

    def lose(self, idx: np.ndarray) -> None:
        """Deals ``idx`` die without a sale (the buyer walked away)."""
        self._close(idx)

    def hold(self, idx: np.ndarray) -> None:
        """Ready deals ``idx`` wait for the rep's next period, for ``buyer.hold_discount``."""
        self.held[idx] = True

    def _close(self, idx: np.ndarray) -> None:
        if len(idx) == 0:  # often: no buyer walked, no deal died
            return
        self.held[idx] = False
        self.open[idx] = False
        self.ready[idx] = False
        self.stage[idx] = 0
        self.readiness[idx] = 0.0
        self.attention[idx] = 0.0

    def open_new(
        self,
        prospect_opps: np.ndarray,
        season: float,
        growth: float,
        rng: Rng,
        week: int | None = None,
    ) -> int:
        """Open deals on idle accounts: inbound luck, prospecting and expansion.

        Args:
            prospect_opps: expected deals opened by prospecting, per seat, this week.
            season: this week's demand multiplier.
            growth: demand-growth multiplier on potential since the start.
            rng: the pipeline stream.
            week: this week, for ``buyer.winback_weeks`` (accounts that churned
                within it open no deal); None = none is held out.

        Returns:
            the number of deals opened (:attr:`opened_seats`: the seat of each).
        """
        b = self.params.buyer
        n = self.n
        idle = (~self.open[:n]).nonzero()[0]
        self.opened_seats = idle[:0]
        if idle.size == 0:
            return 0
        rng = as_streams(rng, self.blocks.n)
        # take gathers faster than indexing by long index arrays (seat: int32, intp takes faster)
        seat = self.seat.take(idle).astype(np.intp)
        cust = self.customer[idle]
        u = rng.random(seat)
        # Reps prospect the larger idle accounts first: weight by sqrt(potential). With
        # land and expand, prospecting hunts new logos; customers expand at their own
        # pace, which care speeds (account care is the farming activity).
        weight = self.sqrt_potential.take(idle)
        expanding = b.expansion_per_year > 0
        if expanding:
            weight = np.where(cust, 0.0, weight)
        # a lost customer is out of the market for buyer.winback_weeks
        away = None
        if b.winback_weeks > 0 and week is not None:
            away = ~cust & (week - self.churned_week[idle] < b.winback_weeks)
            weight = np.where(away, 0.0, weight)
        weight_sum = np.bincount(seat, weight, minlength=len(prospect_opps))
        # priced: every prospect, and the customers drawn below the most a customer's
        # chance can be (at full trust, care and white space; it has no prospecting weight)
        at = slice(None)
        if expanding:
            most = season * (b.expansion_per_year * 2.0 * np.exp(0.5 * b.expansion_care_effect))
            at = (~cust | (u < most / WEEKS_PER_YEAR * (1.0 + BOUND_MARGIN))).nonzero()[0]
        rows, s = idle[at], seat[at]
        # a prospect's chance is the inbound rate; a customer's its expansion rate, priced
        # for the customers alone (the same numbers, elementwise, as over every row)
        p = np.full(rows.size, season * b.inbound_per_year / WEEKS_PER_YEAR)
        buyers = cust[at].nonzero()[0]
        rows_c = rows[buyers]
        care = np.exp(b.expansion_care_effect * (self.care.take(rows_c) - 0.5))
        # white space: a customer that already buys most of its potential has little
        # left to expand into, so opens fewer expansions (and smaller ones, below)
        room = self.white_space(rows_c, growth)[1]
        expand_rate = b.expansion_per_year * 2.0 * self.trust.take(rows_c) * care * room
        p[buyers] = season * expand_rate / WEEKS_PER_YEAR
        if away is not None:
            p = np.where(away[at], 0.0, p)
        p = p + prospect_opps.take(s) * weight[at] / np.maximum(weight_sum, 1e-9).take(s)
        opens = np.arange(idle.size)[at][u[at] < p]  # positions in idle
        new = idle[opens]
        if new.size == 0:
            return 0
        self.opened_seats = seat[opens]
        # With land-and-expand off, a won account buys like a new one.
        expand = cust[opens] & expanding
        base, room = self.white_space(new, growth)
        frac = np.where(expand, b.expansion_fraction * room, b.land_fraction)
        noise = rng.lognormal(-0.5 * b.deal_size_sigma**2, b.deal_size_sigma, self.opened_seats)
        self.value[new] = base * frac * noise
        self.expansion[new] = expand
        self.open[new] = True
        self.stage[new] = 0
        self.readiness[new] = 0.0
        self.attention[new] = 0.5
        return int(new.size)
