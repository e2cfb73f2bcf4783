"""Deal timing: which deals reps hold back, or pull in at a discount, as a period ends.

The same marginal-pay reasoning as the reps' time choice
(:func:`simulator.agents.rep.choose_time`), applied to moving a deal across a
period boundary: :func:`hold_back` compares a ready deal's expected pay now with
its expected pay next period; :func:`pull_in` chooses the unready deals whose
discounted pay now beats their pay later; both price the ratchet's later
quota rise (:func:`ratchet_loss`); :func:`timing_premium` measures how much a
rep would give up to close a ready deal now, of which a buyer who bargains
takes ``buyer.bargaining_share`` as a discount. With ``rep.timing_projected``
a deal credited now is priced where the period will end, not where it stands: the
rep adds the sales it still expects before the end (:func:`_now_gain`), so
weeks before the end a rep on course for a weak quarter holds deals for a
better one, and one on course for a strong quarter pulls them in (Larkin
2014: deals concentrated in the quarters where the commission rate is high).
Without it (the default) a deal is priced at the period's sales so far, which
is exact in its last week and wrong weeks before it: keep the timing window
short, or switch the projection on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.agents.incentives import NODES, WEIGHTS, per_unit_of_quota, remaining_sales
from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import Commission, QuotaBonus, measure_mask

if TYPE_CHECKING:
    from simulator.model import SalesModel


def _on_measure(model: SalesModel, name: str, deals, values: np.ndarray) -> np.ndarray:
    """Deal values as a component counts them: in full on its measure, 0 off it."""
    measure = model.plan.components[name].measure
    if measure == "total":
        return values
    a = model.accounts
    return np.where(measure_mask(measure, a.expansion[deals], a.segment[deals]), values, 0.0)


def _further_sales(model: SalesModel, period_weeks: int, seats: np.ndarray) -> np.ndarray:
    """Sales each seat still expects in the current period after this week.

    The seat's expected further sales (:func:`~simulator.agents.incentives.remaining_sales`,
    this week included) less this week's share of them: what the rest of the
    period adds before its end decides what a deal credited now pays.
    """
    left = model.weeks_left(period_weeks)
    return remaining_sales(model, period_weeks)[seats] * (left - 1) / left


def _period_end(model: SalesModel, seats: np.ndarray, cred, further: np.ndarray) -> np.ndarray:
    """Quadrature nodes of where the period ends: ``cred`` plus ``further`` sales.

    The further sales are spread as a compound Poisson stream of each seat's
    typical deal; shape (seats, nodes), weighted by ``WEIGHTS``.
    """
    sd = np.sqrt(np.maximum(further * model.seats.typical_deal[seats], 0.0))
    return cred[:, None] + np.maximum(further[:, None] + sd[:, None] * NODES, 0.0)


def _now_gain(
    model: SalesModel,
    name: str,
    seats: np.ndarray,
    cred: np.ndarray,
    q: np.ndarray,
    extra: np.ndarray,
    instead: np.ndarray,
) -> np.ndarray:
    """Expected pay of one component this period with ``extra`` credited now, over ``instead``.

    With ``rep.timing_projected`` both are priced at the period end: ``cred``
    plus the seat's further sales on the component's measure
    (:func:`_further_sales` times the territory's share of bookings on it),
    spread by :func:`_period_end`; in a period's last week nothing further
    comes and the pay is exact. Without it, exactly at ``cred`` (the sales so far).
    The pay is the seat's share of the period's target (``hiring.prorated_target``).
    """
    plan = model.plan
    comp = plan.components[name]
    scale = model.pay_share(comp)[seats]
    further = None
    if model.params.rep.timing_projected:
        further = _further_sales(model, comp.period_weeks, seats)
        share = model.seats.measure_share(comp.measure)
        if share is not None:
            further = further * share[seats]
    if further is None or not further.any():  # not projected, or nothing further comes: exact
        return scale * (
            plan.component_pay(name, cred + extra, q) - plan.component_pay(name, cred + instead, q)
        )
    end, q2 = _period_end(model, seats, cred, further), q[:, None]
    diff = plan.component_pay(name, end + extra[:, None], q2) - plan.component_pay(
        name, end + instead[:, None], q2
    )
    projected = scale * (diff @ WEIGHTS)
    if model.replications > 1:
        # a replication whose deals expect nothing further prices them exactly, as alone
        block = model.blocks.of(seats)
        flat = (np.bincount(block, further != 0, model.replications) == 0)[block]
        if flat.any():
            exact = scale * (
                plan.component_pay(name, cred + extra, q)
                - plan.component_pay(name, cred + instead, q)
            )
            return np.where(flat, exact, projected)
    return projected


def _later_gain(
    model: SalesModel,
    name: str,
    deal_seats: np.ndarray,
    values: np.ndarray,
    shared: dict | None = None,
) -> np.ndarray:
    """Expected pay of one component for adding each deal to next period's sales.

    The rep projects next period's sales on the component's measure from its
    own selling rate and its territory's mix, with the spread of a compound
    Poisson stream of its typical deal. ``shared``, a dict the caller keeps
    while ``deal_seats`` and the seats' state stay as they are, lets components
    on the same period, measure and quota share project once.
    """
    seats = model.seats
    comp = model.plan.components[name]
    w = comp.period_weeks
    key = (id(deal_seats), w, comp.measure, comp.quota_share)
    projection = shared.get(key) if shared is not None else None
    if projection is None:
        q_next = (seats.annual_quota_full[deal_seats] * w / WEEKS_PER_YEAR)[:, None]
        q_next = q_next * comp.quota_share
        proj = (seats.expected_weekly_sales[deal_seats] * w)[:, None]
        share = seats.measure_share(comp.measure)
        if share is not None:
            proj = proj * share[deal_seats][:, None]
        sd = np.sqrt(np.maximum(proj * seats.typical_deal[deal_seats][:, None], 1.0))
        projection = np.maximum(proj + sd * NODES, 0.0), q_next
        if shared is not None:
            shared[key] = projection
    s, q_next = projection
    diff = model.plan.component_pay(name, s + values[:, None], q_next) - model.plan.component_pay(
        name, s, q_next
    )
    return diff @ WEIGHTS


def _ratchet_curve(model: SalesModel, seats: np.ndarray, credited, quota) -> np.ndarray:
    """Pay lost next quarter for ending a quarter at ``credited`` against ``quota``.

    Piecewise linear with a kink at quota: ``ratchet_up`` per unit above it,
    ``ratchet_down`` per unit below it (a gain), each priced by
    :func:`~simulator.agents.incentives.per_unit_of_quota`.
    """
    qp = model.params.quota
    unit = per_unit_of_quota(model)[seats]
    gap = credited - quota
    if np.ndim(gap) > 1:
        unit = unit[:, None]
    return unit * (qp.ratchet_up * np.maximum(gap, 0.0) + qp.ratchet_down * np.minimum(gap, 0.0))


def ratchet_loss(
    model: SalesModel,
    seats: np.ndarray,
    credited: np.ndarray,
    extra: np.ndarray,
    later: bool = False,
) -> np.ndarray:
    """Pay a rep expects to lose because crediting ``extra`` in a quarter raises the next quota.

    Zero unless quotas ratchet. Priced on where the quarter ends (``credited``,
    plus with ``rep.timing_projected`` the sales the rep still expects in it,
    with their spread), not at the current margin, so that a deal pulled in
    across quota pays the ratchet's upward rate on the part beyond it. With
    ``later`` the deal is credited next quarter, whose end the rep projects
    from its own selling rate with the spread of a compound Poisson stream of
    its typical deal (so a unit next quarter costs ``ratchet_up`` times the
    chance of beating that quota, plus ``ratchet_down`` times the chance of
    missing it); ``credited`` is then ignored. That quota rise comes a quarter
    later than the rise from crediting the deal now, so it is weighted by
    ``quota.ratchet_delay_weight``: holding a deal back postpones the ratchet,
    which is what makes
    sandbagging rational, and rushing one in brings it forward.
    """
    if model.params.quota.policy != "ratchet":
        return np.zeros(len(seats))
    st = model.seats
    w = WEEKS_PER_QUARTER
    if not later:
        q = st.quota[w][seats]
        if not model.params.rep.timing_projected:
            return _ratchet_curve(model, seats, credited + extra, q) - _ratchet_curve(
                model, seats, credited, q
            )
        # the quarter ends at credited plus the sales still expected in it
        end = _period_end(model, seats, credited, _further_sales(model, w, seats))
        q2 = q[:, None]
        diff = _ratchet_curve(model, seats, end + extra[:, None], q2) - _ratchet_curve(
            model, seats, end, q2
        )
        return diff @ WEIGHTS
    q_next = (st.annual_quota_full[seats] * w / WEEKS_PER_YEAR)[:, None]
    proj = (st.expected_weekly_sales[seats] * w)[:, None]
    sd = np.sqrt(np.maximum(proj * st.typical_deal[seats][:, None], 1.0))
    s = np.maximum(proj + sd * NODES, 0.0)
    diff = _ratchet_curve(model, seats, s + extra[:, None], q_next) - _ratchet_curve(
        model, seats, s, q_next
    )
    return model.params.quota.ratchet_delay_weight * (diff @ WEIGHTS)


def _gains(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    later_values: np.ndarray,
    deals: np.ndarray | None,
    alongside: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """What each ready deal adds to its rep's pay credited now, and credited next period.

    Now at ``values`` (:func:`_now_gain`: at the period's projected end with
    ``rep.timing_projected``, else at the sales so far), next period at
    ``later_values`` (:func:`_later_gain`), each less the ratchet's price
    (:func:`ratchet_loss`). Only components whose period ends soon count:
    the others pay the same either way. ``deals`` (account indices) tell each
    component's measure which deals it counts; without them every deal counts
    for every component. ``alongside`` (per deal, with buyers who wait for the
    period's end) is the expected value of the rep's other deals signing the same
    week: each deal is priced on top of them, as the rep sees the week's close.
    """
    plan = model.plan
    seats = model.seats
    ending = model.periods_ending_soon()
    gain_now = np.zeros(len(deal_seats))
    gain_later = np.zeros(len(deal_seats))
    projections = {}  # next period's sales, shared by components projected alike
    for name, comp in plan.components.items():
        w = comp.period_weeks
        if w not in ending or not isinstance(comp, Commission | QuotaBonus):
            continue
        cred = seats.credited_by[comp.measure][w][deal_seats]
        if alongside is not None:
            share = seats.measure_share(comp.measure)
            cred = cred + (alongside if share is None else alongside * share[deal_seats])
        q = seats.quota[w][deal_seats] * comp.quota_share
        v = values if deals is None else _on_measure(model, name, deals, values)
        gain_now += _now_gain(model, name, deal_seats, cred, q, v, np.zeros_like(v))
        v_later = later_values if deals is None else _on_measure(model, name, deals, later_values)
        gain_later += _later_gain(model, name, deal_seats, v_later, projections)
    cred = seats.credited[WEEKS_PER_QUARTER][deal_seats]
    if alongside is not None:
        cred = cred + alongside
    gain_now -= ratchet_loss(model, deal_seats, cred, values)
    gain_later -= ratchet_loss(model, deal_seats, cred, later_values, later=True)
    return gain_now, gain_later


def hold_back(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    p_now: np.ndarray,
    p_later: np.ndarray,
    deals: np.ndarray | None = None,
    alongside: np.ndarray | None = None,
) -> np.ndarray:
    """Which ready deals reps hold back into the next period (True = hold).

    A rep holds a deal when its expected pay next period (win probability
    after the wait, times the pay of adding it, at the price less
    ``buyer.hold_discount`` promised for waiting, to next period's projected
    sales) beats the expected pay of crediting it now (:func:`_gains`).
    """
    if not len(deal_seats):  # no ready deals: nothing to price
        return np.zeros(0, bool)
    later_values = values * (1.0 - model.params.buyer.hold_discount)
    gain_now, gain_later = _gains(model, deal_seats, values, later_values, deals, alongside)
    return p_later * gain_later > p_now * gain_now


def timing_premium(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    deals: np.ndarray | None = None,
    alongside: np.ndarray | None = None,
) -> np.ndarray:
    """The share of each ready deal's price its rep would give up to close it this period.

    ``1 - later / now``, where ``now`` and ``later`` are what the deal adds to
    the rep's pay credited this period and next (:func:`_gains`, at the same
    price, win probability aside: a buyer who asks to wait is taken to buy
    later), clipped to [0, 1]. Zero when next period pays as much, as it
    does under a linear commission; near 1 for a rep who is about to cross a
    quota bonus or is on a steep accelerator's top rate and expects an
    ordinary quarter next. A buyer who bargains over timing takes
    ``buyer.bargaining_share`` of it as a discount.
    """
    now, later = _gains(model, deal_seats, values, values, deals, alongside)
    ratio = np.divide(later, now, out=np.ones_like(now), where=now > 0)
    premium = np.minimum(np.maximum(1.0 - ratio, 0.0), 1.0)
    return np.where(premium > 1e-9, premium, 0.0)  # below rounding: the same pay either way


def pull_in(
    model: SalesModel,
    deal_seats: np.ndarray,
    values: np.ndarray,
    p_rush: np.ndarray,
    p_normal: np.ndarray,
    closing: np.ndarray,
    deals: np.ndarray | None = None,
) -> np.ndarray:
    """Which unready deals reps pull into the ending period at a discount (True = rush).

    Each rep considers its candidate deals together, best expected value
    first, and rushes the set that maximises expected pay now (with the
    deals' discounted prices, on top of ``closing``, the expected value of
    deals already closing this week) minus the expected pay the same deals
    would earn next period at their normal win probability. That lets a rep
    who is short of a threshold rush several deals to cross it. With
    ``rep.timing_projected``, a deal whose buyer would be ready before an
    ending period's last week (:meth:`~simulator.accounts.Accounts.weeks_to_ready`)
    sells in that period anyway, so rushing it is weighed against crediting
    it later in the same period, not in the next. ``deals``
    (account indices) tell each component's measure which deals it counts;
    ``closing`` counts toward every measure in proportion to the territory's mix.
    """
    plan = model.plan
    seats = model.seats
    ending = model.periods_ending_soon()
    price = values * (1.0 - model.params.buyer.rush_discount)
    order = np.lexsort((-(p_rush * price), deal_seats))
    s, price_o, value_o = deal_seats[order], price[order], values[order]
    p_rush_o, p_normal_o, closing_s = p_rush[order], p_normal[order], closing[s]
    new_rep = np.concatenate(([True], s[1:] != s[:-1]))
    starts = new_rep.nonzero()[0]
    group = np.cumsum(new_rep) - 1
    group_start = starts[group]  # each deal's rep's first deal

    def within(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x)
        return c - np.concatenate(([0.0], c))[group_start]

    now_credit = within(p_rush_o * price_o)
    net = np.zeros(len(s))
    projections = {}  # next period's sales, shared by components projected alike
    ripens = None
    if model.params.rep.timing_projected and deals is not None:
        due = model.accounts.weeks_to_ready(deals[order])
        ripens = {w: due <= model.weeks_left(w) - 1 for w in ending}
    for name, comp in plan.components.items():
        w = comp.period_weeks
        if not isinstance(comp, Commission | QuotaBonus):
            continue
        price_m, value_m, now_m, closing_m = price_o, value_o, now_credit, closing_s
        share = seats.measure_share(comp.measure)
        if share is not None:
            closing_m = closing_m * share[s]
            if deals is not None:
                price_m = _on_measure(model, name, deals[order], price_o)
                value_m = _on_measure(model, name, deals[order], value_o)
                now_m = within(p_rush_o * price_m)
        cred = seats.credited_by[comp.measure][w][s] + closing_m
        q = seats.quota[w][s] * comp.quota_share
        if w in ending:
            # a deal whose buyer is ready before the period ends sells in it anyway
            # (ripens, under rep.timing_projected): rushing it buys only a discount;
            # the rest would sell next period
            here = ripens[w] if ripens is not None else np.zeros(len(s), bool)
            same = within(p_normal_o * value_m * here)
            net += _now_gain(model, name, s, cred, q, now_m, same)
            later = _later_gain(model, name, s, value_m, projections)
            net -= within(p_normal_o * later * ~here)
        else:  # same period either way: only the discount costs
            later_credit = within(p_normal_o * value_m)
            net += _now_gain(model, name, s, cred, q, now_m, later_credit)
    if model.params.quota.policy == "ratchet":  # else ratchet_loss is zero
        cred_q = seats.credited[WEEKS_PER_QUARTER][s] + closing_s
        net -= ratchet_loss(model, s, cred_q, now_credit)
        net += ratchet_loss(model, s, cred_q, within(p_normal_o * value_o), later=True)
    # per rep: rush its best deals up to the point where the net gain peaks
    position = np.arange(len(s))
    peak = np.maximum.reduceat(net, starts)
    first_peak = np.minimum.reduceat(np.where(net == peak[group], position, len(s)), starts)
    rush = (position <= first_peak[group]) & (peak[group] > 0)
    out = np.zeros(len(s), bool)
    out[order] = rush
    return out
