"""What a rep expects each plan component to pay for more or less of its own sales.

The reps' one decision rule (:mod:`simulator.agents.rep`) needs, for every
component of any plan, the expected pay of the current period if the rep adds
``extra`` sales (with spread ``sd``) to what it has already credited, while
its peers sell as they are projected to. Individual components use the exact
payout shape; rank prizes use the chance of finishing above the peers' cut-off;
team pay uses the team's projected sales; forced ranking and ratchet quotas
enter as expected losses. None of this pays anyone: payout stays in
:mod:`simulator.plans.payout`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from simulator.params import WEEKS_PER_QUARTER, WEEKS_PER_YEAR
from simulator.plans.payout import (
    Campaign,
    Commission,
    QuotaBonus,
    RankPrize,
    TeamBonus,
    TeamPool,
    attainment,
)

if TYPE_CHECKING:
    from simulator.model import SalesModel

#: numerical: Gauss-Hermite points (probabilists') for expectations over period-end sales
QUADRATURE_POINTS = 5
#: numerical: floor of a spread in attainment units, guarding the z-score's division
SPREAD_FLOOR = 1e-3
NODES, WEIGHTS = np.polynomial.hermite_e.hermegauss(QUADRATURE_POINTS)
WEIGHTS = WEIGHTS / WEIGHTS.sum()


def remaining_sales(model: SalesModel, period_weeks: int) -> np.ndarray:
    """Each seat's expected further sales this period at its normal effort.

    A blend, by ``rep.pipeline_weight``, of its recent selling rate over the
    weeks left and of what its own pipeline shows: the open deals due before
    the period ends plus the rate for the weeks beyond a buying cycle (deals
    not yet in the pipeline).
    """
    st = model.seats
    left = model.weeks_left(period_weeks)
    by_rate = left * st.expected_weekly_sales
    w = model.params.rep.pipeline_weight
    if w <= 0:
        return by_rate
    due = model.pipeline_due(period_weeks)
    fresh = max(left - model.cycle_weeks, 0.0) * st.expected_weekly_sales
    return (1.0 - w) * by_rate + w * (due + fresh)


def projected(model: SalesModel, period_weeks: int, measure: str = "total") -> np.ndarray:
    """Each seat's projected credited sales on ``measure`` at the end of the current period.

    A measure's further sales are the seat's further sales times the
    territory's recent share of bookings on it.
    """
    st = model.seats
    remaining = remaining_sales(model, period_weeks)
    share = st.measure_share(measure)
    if share is not None:
        remaining = remaining * share
    return st.credited_by[measure][period_weeks] + remaining


def _team_others(model: SalesModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    st = model.seats
    active = st.occupied
    v = np.where(active, values, 0.0)
    total = np.bincount(st.team, v)[st.team]
    members = np.bincount(st.team, active.astype(float))[st.team]
    return total - v, members


def _cutoffs(
    model: SalesModel, values: np.ndarray, active: np.ndarray, share: float, k: int, top: bool
) -> float | np.ndarray:
    """:func:`_cutoff` of each replication: a number alone, a column by seat in a batch."""
    if model.replications == 1:
        return _cutoff(values, active, share, k, top)
    cut = np.empty((len(values), 1))
    for s in model.blocks.slices:
        cut[s] = _cutoff(values[s], active[s], share, k, top)
    return cut


def _cutoff(values: np.ndarray, active: np.ndarray, share: float, k: int, top: bool) -> float:
    """Attainment that separates the top (or bottom) ``k`` or ``share`` of active seats."""
    v = np.sort(values[active])
    if v.size == 0:
        return np.inf
    n = k if k > 0 else max(1, int(np.floor(share * v.size + 1e-9)))
    n = min(n, v.size)
    return float(v[-n]) if top else float(v[n - 1])


def _on_measure(
    model: SalesModel, measure: str, extra: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The part of ``extra`` (and its spread ``sd``) the territory's mix puts on ``measure``."""
    on_measure = model.seats.measure_share(measure)
    if on_measure is None:
        return extra, sd
    return extra * on_measure[:, None], sd * np.sqrt(on_measure)[:, None]


def _attainment_nodes(
    model: SalesModel, comp: Commission | QuotaBonus, extra: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """Attainment at the quadrature nodes of the period's end; shape (seats, k, nodes).

    Credited sales on the component's measure plus the part of ``extra``
    (spread ``sd``) on it, over the component's share of the quota.
    """
    st = model.seats
    w = comp.period_weeks
    q = st.quota[w] * comp.quota_share
    inv_q = np.divide(1.0, q, out=np.zeros(q.shape), where=q > 0)
    cred = st.credited_by[comp.measure][w]
    extra, sd = _on_measure(model, comp.measure, extra, sd)
    # the further sales node by node, each node a contiguous (seats, k) block (numpy's
    # fast loops), then laid out (seats, k, nodes) for the product with WEIGHTS
    s = NODES[:, None, None] * sd
    s += extra
    np.maximum(s, 0.0, out=s)
    s = np.ascontiguousarray(s.transpose(1, 2, 0))
    s += cred[:, None, None]
    s *= inv_q[:, None, None]
    return s


def expected_pay(
    model: SalesModel,
    name: str,
    extra: np.ndarray,
    sd: np.ndarray,
    shared: dict | None = None,
) -> np.ndarray:
    """Expected pay of component ``name`` this period if each seat adds ``extra`` sales.

    ``extra`` and ``sd`` have shape (seats, k). Every component is priced on
    its own measure: its credited sales, its share of the quota, and the part
    of ``extra`` the territory's mix puts on the measure (a thinned stream:
    the spread scales with the square root of that share). ``shared``, a dict
    the caller keeps while ``extra``, ``sd`` and the seats' state stay as they
    are, lets commissions and quota bonuses priced alike (same period, measure
    and quota share) compute their attainment nodes once.
    """
    comp = model.plan.components[name]
    st = model.seats
    w = comp.period_weeks
    if isinstance(comp, Commission | QuotaBonus):
        key = (id(extra), id(sd), w, comp.measure, comp.quota_share)
        a = shared.get(key) if shared is not None else None
        if a is None:
            a = _attainment_nodes(model, comp, extra, sd)
            if shared is not None:
                shared[key] = a
        share = model.pay_share(comp)[:, None]
        return comp.target * share * (comp.shape(a) @ WEIGHTS)
    q = st.quota[w] * comp.quota_share
    inv_q = np.divide(1.0, q, out=np.zeros_like(q), where=q > 0)[:, None]
    cred = st.credited_by[comp.measure][w][:, None]
    extra, sd = _on_measure(model, comp.measure, extra, sd)
    if isinstance(comp, RankPrize):
        proj = attainment(projected(model, w, comp.measure), q)
        cut = _cutoffs(model, proj, st.occupied, comp.top_share, comp.top_k, top=True)
        # a rep is unsure where the cut-off will fall as well as of its own sales
        spread = sd * np.sqrt(1.0 + model.params.rep.rank_cutoff_uncertainty**2)
        z = ((cred + extra) * inv_q - cut) / np.maximum(spread * inv_q, SPREAD_FLOOR)
        return comp.target * comp.prize * model.pay_share(comp)[:, None] * ndtr(z)
    if isinstance(comp, TeamPool | TeamBonus):
        others, members = _team_others(model, projected(model, w, comp.measure))
        team_quota = np.bincount(st.team, np.where(st.occupied, q, 0.0))[st.team][:, None]
        total = others[:, None] + cred + extra
        if isinstance(comp, TeamPool):
            if comp.split == "contribution":
                own = members[:, None] * (cred + extra)
                return comp.target * comp.weight * own / np.maximum(team_quota, 1.0)
            return comp.target * comp.weight * total / np.maximum(team_quota, 1.0)
        team_sd = sd * np.sqrt(members)[:, None]
        z = (total - comp.threshold * team_quota) / np.maximum(team_sd, 1.0)
        return comp.target * comp.amount * ndtr(z)
    if isinstance(comp, Campaign):
        week = model.week % WEEKS_PER_YEAR
        left = model.weeks_left(w)
        in_window = max(0, comp.end_week - max(week, comp.start_week) + 1)
        share = model.segment_share(comp.segment)[:, None]
        return comp.rate * share * extra * min(1.0, in_window / left)
    raise TypeError(f"no expectation for component {name!r}")


def per_unit_of_quota(model: SalesModel) -> np.ndarray:
    """Pay a rep expects to lose next quarter per unit its quarterly quota rises.

    Reps look one quarter ahead: a unit more of quarterly quota costs about the
    plan's pay per unit of sales at par.
    """
    st = model.seats
    return model.plan.average_rate() / np.maximum(st.annual_quota_full, 1.0)


def expected_losses(
    model: SalesModel, extra: dict[int, np.ndarray], sd: dict[int, np.ndarray]
) -> np.ndarray | None:
    """Expected losses per week from more sales that are not pay: forced ranking, ratchets.

    ``extra`` and ``sd`` are by period length (weeks). Forced ranking: the job's
    value times the chance of finishing in the bottom share of the period.
    Ratchet: each unit sold this quarter raises the next quotas, costing the
    plan's average rate per unit of quota. None when the run has neither.
    """
    plan = model.plan
    st = model.seats
    if plan.forced_exit_share <= 0 and model.params.quota.policy != "ratchet":
        return None
    loss = 0.0
    if plan.forced_exit_share > 0:
        w = plan.forced_exit_weeks
        q = st.quota[w]
        inv_q = np.divide(1.0, q, out=np.zeros_like(q), where=q > 0)[:, None]
        proj = attainment(projected(model, w), q)
        eligible = st.occupied & model.forced_ranking_eligible()
        cut = _cutoffs(model, proj, eligible, plan.forced_exit_share, 0, top=False)
        z = (cut - (st.credited[w][:, None] + extra[w]) * inv_q) / np.maximum(
            sd[w] * inv_q, SPREAD_FLOOR
        )
        job = plan.job_value * (plan.base_salary + plan.target_variable)
        loss = loss + np.where(eligible[:, None], job * ndtr(z), 0.0) / model.weeks_left(w)
    if model.params.quota.policy == "ratchet":
        qp = model.params.quota
        w = WEEKS_PER_QUARTER
        ahead = (st.credited[w] + model.weeks_left(w) * st.expected_weekly_sales) > st.quota[w]
        factor = np.where(ahead, qp.ratchet_up, qp.ratchet_down)
        loss = loss + (factor * per_unit_of_quota(model))[:, None] * extra[w] / model.weeks_left(w)
    return loss
