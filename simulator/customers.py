"""The installed base: customers' care, trust, white space and churn; prospects leaving.

Mixed into :class:`~simulator.accounts.Accounts`, which owns the arrays: a won
account becomes a customer; customers need care (hours of account management
a week); care builds their trust and how often they expand, and neglect, low
trust or a change of rep make them churn (become prospects again), so the
installed base settles where acquisition and churn balance. Idle prospects
leave the market (:meth:`CustomerBase.leave_market`).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from simulator.batch import Blocks, Rng, Streams, as_streams
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR, SimParams

#: numerical: the odds draw searches its scale k over exp(-50) .. exp(50)
ODDS_LOG_BRACKET = 50.0
#: numerical: relative margin on a chance's upper bound, far above rounding: draws above the
#: bound are no event, and only those below it are priced exactly
BOUND_MARGIN = 1e-9


def odds_draw(u: np.ndarray, weight: np.ndarray, share: float) -> np.ndarray:
    """Which of the draws ``u`` (uniform) are chosen, with odds proportional to ``weight``.

    Each is chosen with probability ``k w / (1 + k w)``, ``k`` set so that the
    probabilities average ``share``: the stationary state of a two-state chain
    whose entry rate is proportional to ``w`` and whose exit rate is the same
    for all (an account found by prospecting, lost by churn at any size).
    """
    if u.size == 0 or share <= 0:
        return np.zeros(u.size, bool)
    if share >= 1:
        return np.ones(u.size, bool)
    w = np.maximum(weight, 1e-12)

    def excess(log_k: float) -> float:
        kw = np.exp(log_k) * w
        return float(np.mean(kw / (1.0 + kw))) - share

    log_k = brentq(excess, -ODDS_LOG_BRACKET, ODDS_LOG_BRACKET, xtol=1e-12)
    kw = np.exp(log_k) * w
    return u < kw / (1.0 + kw)


class CustomerBase:
    """Care, white space, churn and market exit of :class:`~simulator.accounts.Accounts`."""

    params: SimParams
    blocks: Blocks
    _COLUMNS: tuple[str, ...]
    n: int
    seat: np.ndarray
    customer: np.ndarray
    open: np.ndarray
    potential: np.ndarray
    installed: np.ndarray
    care: np.ndarray
    trust: np.ndarray
    rep_changed_week: np.ndarray
    churned_week: np.ndarray
    #: installed value of the customers the last :meth:`churn` lost, by replication
    churned_installed: np.ndarray = np.zeros(1)
    #: a batch's compaction: a spare array per column, and the rows its spares hold
    _spares: tuple[dict[str, np.ndarray], int] | None = None

    segment: np.ndarray
    sqrt_potential: np.ndarray

    def start_installed_base(self, segs: list, rng: Streams) -> None:
        """The installed base at the start, cared for at par, each segment's at its own level.

        ``segs`` are the segments' parameters in segment order. Customers,
        their penetration and trust, and the former customers among the rest
        (``territory.former_customer_share``), drawn by size under
        ``territory.initial_base_by_size``.
        """
        t = self.params.territory
        n = self.n
        seg = self.segment[:n]
        seat = self.seat[:n]
        share = np.minimum(t.customer_share * np.array([s.customer_share_ratio for s in segs]), 1)
        pen = np.minimum(t.customer_penetration * np.array([s.penetration_ratio for s in segs]), 1)
        former = None
        if t.initial_base_by_size:
            # prospecting finds accounts by the square root of their potential (within a
            # segment), so the accounts ever landed are drawn with odds by it; churn and
            # win-back take no account of size, so which of those are customers now is not
            root = self.sqrt_potential[:n]
            # within each replication's segment (a run alone: each segment)
            block = self.blocks.of(seat)
            cell = block * len(segs) + seg
            cells = self.blocks.replications * len(segs)
            w = root / np.bincount(cell, root, cells)[cell] * np.bincount(cell, None, cells)[cell]
            ever_share = share + t.former_customer_share * (1.0 - share)
            u, v = rng.random(seat), rng.random(seat)
            ever = np.zeros(n, bool)
            for r in range(self.blocks.replications):
                for i in range(len(segs)):
                    on = cell == r * len(segs) + i
                    ever[on] = odds_draw(u[on], w[on], ever_share[i])
            now = v * np.maximum(ever_share[seg], 1e-12) < share[seg]
            self.customer[:n] = ever & now
            former = ever & ~now
        else:
            self.customer[:n] = rng.random(seat) < share[seg]
        self.care[:n] = 0.5
        self.installed[:n] = np.where(self.customer[:n], pen[seg] * self.potential[:n], 0.0)
        trust = np.array([s.initial_trust for s in segs])[seg]
        self.trust[:n] = np.where(self.customer[:n], trust, self.trust[:n])
        if former is None and t.former_customer_share > 0:  # no draw when off
            former = ~self.customer[:n] & (rng.random(seat) < t.former_customer_share)
        if former is not None:
            # churned long enough ago to be back in the market (buyer.winback_weeks)
            self.churned_week[:n][former] = -1 - self.params.buyer.winback_weeks

    def customers_by_seat(self, n_seats: int) -> np.ndarray:
        """Number of customer accounts in each territory."""
        return np.bincount(self.seat.take(self.customer[: self.n].nonzero()[0]), minlength=n_seats)

    def installed_base(
        self, growth: float, among: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Installed value (recurring revenue) of the customers, and their penetration.

        By replication. The penetration is the mean share of its (grown) potential
        a customer already buys; NaN without customers. ``among`` (a mask over the
        live accounts) limits both to some of the accounts.
        """
        cust = self.customer[: self.n] if among is None else self.customer[: self.n] & among
        rows = cust.nonzero()[0]  # one index for every sum
        b = self.blocks
        groups = b.groups(self.seat.take(rows)) if b.replications > 1 else None
        installed = b.group_sums(self.installed.take(rows), groups)
        base = b.group_sums(self.potential.take(rows), groups) * growth
        share = np.divide(installed, base, out=np.full(base.size, np.nan), where=base > 0)
        return installed, share

    def penetration(self, growth: float, among: np.ndarray | None = None) -> float:
        """The penetration of :meth:`installed_base` of a run alone (a batch's first)."""
        return float(self.installed_base(growth, among)[1][0])

    def headroom(self, idx: np.ndarray, growth: float) -> np.ndarray:
        """How much of an expansion accounts ``idx`` still have room for (1 = all of it).

        The white space: the share of its grown potential a customer does not
        yet buy, blended by ``buyer.expansion_headroom`` with 1 (expansion sized
        by the whole potential, however much is already bought).
        """
        return self.white_space(idx, growth)[1]

    def white_space(self, idx: np.ndarray, growth: float) -> tuple[np.ndarray, np.ndarray]:
        """The grown potential of accounts ``idx`` and their :meth:`headroom`, at once."""
        base = self.potential.take(idx) * growth
        h = self.params.buyer.expansion_headroom
        if h <= 0:
            return base, np.ones(idx.size)
        room = (1.0 - self.installed.take(idx) / np.maximum(base, 1e-12)).clip(0.0, 1.0)
        # blended with 1; at h = 1 the blend, 0.0 + 1.0 * room, is room itself (room >= +0.0)
        return base, room if h == 1 else (1.0 - h) + h * room

    def tend(self, care_hours: np.ndarray, n_seats: int) -> None:
        """A week of account care: customers' care and trust move toward what the hours give.

        Each territory's care hours are spread evenly over its customers; a
        customer's care is the share of its need (``buyer.care_hours_per_customer``)
        met, smoothed over about a quarter. Every buyer's trust moves toward
        neutral (prospects) or toward what its care earns (customers).
        """
        b = self.params.buyer
        n = self.n
        cust = self.customer[:n]
        seat = self.seat[:n]
        customers = self.customers_by_seat(n_seats)
        per_customer = care_hours / np.maximum(customers, 1) / b.care_hours_per_customer
        # take gathers faster than indexing, by long (or int32) indices
        attention = np.minimum(1.0, per_customer).take(seat)
        care = self.care[:n]
        care += np.where(cust, (attention - care) / WEEKS_PER_QUARTER, 0.0)
        target = np.where(cust, 0.5 + b.care_trust_effect * (2 * care - 1), 0.5)
        t = self.trust[:n]
        t += b.trust_recovery_per_year / WEEKS_PER_YEAR * (target.clip(0.0, 1.0) - t)

    def churn(self, week: int, rng: Rng) -> np.ndarray:
        """Customers who stop buying this week (they become prospects); returns their seats.

        ``churned_installed`` is then the installed value (recurring revenue)
        they took with them.

        The hazard is ``buyer.churn_per_year`` at half care and neutral trust,
        rising as care or trust fall and in the weeks after a change of rep.
        """
        b = self.params.buyer
        self.churned_installed = np.zeros(self.blocks.replications)
        if b.churn_per_year <= 0:
            return np.zeros(0, np.int64)
        n = self.n
        idx = (self.customer[:n] & ~self.open[:n]).nonzero()[0]
        u = as_streams(rng, self.blocks.n).random(self.seat.take(idx))
        # only customers drawn below the highest hazard's chance (care and trust in [0, 1],
        # a new rep) are priced exactly: above it, none churns
        log_worst = 0.5 * (b.churn_care_effect + b.churn_trust_effect) + b.rep_change_churn
        worst = 1.0 - np.exp(-b.churn_per_year / WEEKS_PER_YEAR * np.exp(log_worst))
        if worst < 1.0:
            below = u < worst * (1.0 + BOUND_MARGIN)
            idx, u = idx[below], u[below]
        seat = self.seat.take(idx)
        new_rep = (week - self.rep_changed_week) < b.rep_change_weeks  # by territory
        log_h = (
            b.churn_care_effect * (0.5 - self.care.take(idx))
            + b.churn_trust_effect * (0.5 - self.trust.take(idx))
            + (b.rep_change_churn * new_rep).take(seat)
        )
        hazard = b.churn_per_year / WEEKS_PER_YEAR * np.exp(log_h)
        lost = idx[(u < 1.0 - np.exp(-hazard)).nonzero()[0]]
        self.churned_installed = self.blocks.subset_sums(self.installed[lost], self.seat[lost])
        self.customer[lost] = False
        self.care[lost] = 0.0
        self.installed[lost] = 0.0
        self.churned_week[lost] = week
        return self.seat[lost]

    def leave_market(self, rng: Rng) -> int:
        """Idle prospects that leave the market this week; returns how many left.

        An account with no open deal that is not a customer closes, merges or
        stops buying in the category at ``market.account_exit_per_year``; it is
        removed (the live accounts keep their order; ``uid`` keeps naming them).
        Exploring adds accounts, so without this outflow territories grow
        without bound. Draws nothing when the rate is 0.
        """
        rate = self.params.market.account_exit_per_year
        if rate <= 0:
            return 0
        n = self.n
        idle = ~(self.open[:n] | self.customer[:n])
        draws = as_streams(rng, self.blocks.n).random(self.seat[:n])
        leaves = idle & (draws < 1.0 - np.exp(-rate / WEEKS_PER_YEAR))
        k = int(np.count_nonzero(leaves))
        if self.blocks.replications > 1:
            self._compact_in_block_order(leaves, k)
        elif k:
            # the staying accounts after the j-th to leave (j from 1) move down j rows
            gone = leaves.nonzero()[0].tolist()
            ends = [*gone[1:], n]
            runs = [(j, g + 1, end) for j, (g, end) in enumerate(zip(gone, ends, strict=True), 1)]
            for name in self._COLUMNS:
                column = getattr(self, name)
                for shift, start, stop in runs:
                    column[start - shift : stop - shift] = column[start:stop]
                column[n - k : n] = 0
            self.n = n - k
        return k

    def _compact_in_block_order(self, leaves: np.ndarray, k: int) -> None:
        """A batch's accounts less ``leaves`` (``k`` of them), laid out replication by replication.

        Each replication's accounts keep their order; laid out by replication, the
        next week's draws over them need no sorting out (:class:`~simulator.batch.Streams`).
        """
        n = self.n
        block = self.seat[:n] // self.blocks.n
        if not k and (block[1:] >= block[:-1]).all():
            return
        stay = (~leaves).nonzero()[0]
        order = stay.take(np.argsort(block.take(stay), kind="stable"))
        m, cap = n - k, len(self.seat)
        # each column is gathered into a spare of its own, which becomes the column (the old
        # column the next spare): rows past the live ones stay 0, as new accounts expect
        spares, held = self._spares or ({}, 0)
        if not spares or len(spares["seat"]) != cap:  # first, or the arrays have grown
            spares, held = (
                {name: np.zeros(cap, getattr(self, name).dtype) for name in self._COLUMNS},
                0,
            )
        for name in self._COLUMNS:
            column, spare = getattr(self, name), spares[name]
            np.take(column, order, out=spare[:m], mode="clip")
            spare[m:held] = 0
            spares[name] = column
            setattr(self, name, spare)
        self._spares = (spares, n)
        self.n = m

    def change_rep(self, seat: int | np.ndarray, week: int) -> None:
        """Territories get a new rep: their buyers lose part of their trust and are at risk.

        ``seat`` may be a week's hires at once: one pass over the accounts for all
        of them (a pass per hire made hiring cost grow with the square of the
        organisation).
        """
        self.rep_changed_week[seat] = week
        changed = np.zeros(self.rep_changed_week.size, bool)
        changed[seat] = True
        mine = changed[self.seat[: self.n]].nonzero()[0]
        loss = self.params.buyer.rep_change_trust_loss
        self.trust[mine] -= loss * (self.trust[mine] - 0.5)
