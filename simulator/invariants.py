"""Accounting invariants of a run's tables: what adds up whatever the parameters.

Money and people are conserved between the tables: revenue is the sum of
the won deals, week by week; each rep's credited sales are its won deals
(the rest was sold by managers covering vacancies); lost deals pay nothing
and only timing buys a discount (a rush, a wait, or a buyer's bargain);
headcount moves only by hires and exits, and every exit is in the reps and
hires tables; pay adds up by component and to the weekly compensation cost.

:func:`accounting_invariants` checks them all on a finished run, for any
size of organisation (``tests/test_scale.py`` and ``benchmarks/bench_scale.py``
run it on large ones; ``tests/test_model.py`` asserts the same one by one on
the standard organisation). It reads tables only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.run import RunResult
from simulator.workforce import PAY_ACCUMULATORS

#: relative tolerance of sums taken in a different order (groupby against the engine's)
RTOL = 1e-9
#: absolute tolerance of a week's sums (currency units; a week may sell nothing)
ATOL = 1e-6


def _close(a: object, b: object) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=RTOL, atol=ATOL))


def _by_week(deals: pd.DataFrame, weeks: pd.Series, column: str) -> np.ndarray:
    return deals.groupby("week")[column].sum().reindex(weeks, fill_value=0).to_numpy()


def revenue_is_won_deals(result: RunResult) -> bool:
    """Weekly bookings, wins, rushes and discounts are those of the week's decided deals."""
    weekly, deals = result.tables["weekly"], result.tables["deals"]
    weeks = weekly["week"]
    return (
        _close(weekly["bookings"].sum(), deals["price"].sum())
        and _close(weekly["bookings"], _by_week(deals, weeks, "price"))
        and np.array_equal(weekly["deals_won"], _by_week(deals, weeks, "won"))
        and np.array_equal(weekly["deals_rushed"], _by_week(deals, weeks, "rushed"))
        and _close(weekly["discounts"], _by_week(deals, weeks, "discount"))
    )


def credited_sales_are_won_deals(result: RunResult) -> bool:
    """Each rep's credited sales are its won deals; vacant seats' wins are credited to no one."""
    reps, deals = result.tables["reps"], result.tables["deals"]
    won = deals[deals["won"]]
    by_deals = won[won["rep_id"] >= 0].groupby("rep_id")["price"].sum()
    credited = reps.groupby("rep_id")["credited_sales"].sum()
    credited = credited[credited > 0]
    if set(credited.index) != set(by_deals.index):
        return False
    covered = won.loc[won["rep_id"] < 0, "price"].sum()  # sold by managers covering vacancies
    return _close(credited.sort_index(), by_deals.sort_index()) and _close(
        reps["credited_sales"].sum() + covered, won["price"].sum()
    )


def discounts_add_up(result: RunResult) -> bool:
    """Lost deals pay nothing, prices are not negative, and discounts are the ones allowed.

    A rushed win is discounted ``buyer.rush_discount`` of its list value; any
    other win at most what waiting (``buyer.hold_discount``) and bargaining
    over the rep's urgency (``buyer.bargaining_share`` of a premium of at most
    1) can take, and nothing when both are off.
    """
    deals = result.tables["deals"]
    lost = deals[~deals["won"]]
    rushed_won = deals[deals["rushed"] & deals["won"]]
    other = deals[~deals["rushed"]]
    b = result.params.buyer
    rate = b.rush_discount
    most = 1.0 - (1.0 - b.hold_discount) * (1.0 - b.bargaining_share)
    return bool(
        (lost["price"] == 0).all()
        and (lost["discount"] == 0).all()
        and (other["discount"] >= 0).all()
        and (other["discount"] <= most * (other["price"] + other["discount"]) + 1e-9).all()
        and (deals["price"] >= 0).all()
        and _close(rushed_won["discount"], rate * (rushed_won["price"] + rushed_won["discount"]))
    )


def headcount_flows_add_up(result: RunResult) -> bool:
    """Headcount moves by hires and exits only, and every hire and exit is on record.

    The voluntary exits counted as outside the job (an expected count) lie
    between none and all of each week's voluntary exits.
    """
    weekly, hires, reps = (result.tables[k] for k in ("weekly", "hires", "reps"))
    n_reps = result.params.org.n_reps
    flow = (weekly["hires"] - weekly["exits_voluntary"] - weekly["exits_involuntary"]).cumsum()
    ok = (
        np.array_equal(weekly["headcount"], n_reps + flow)
        and np.array_equal(weekly["headcount"] + weekly["vacancies"], np.full(len(weekly), n_reps))
        and hires["initial"].sum() == n_reps
        and (~hires["initial"]).sum() == weekly["hires"].sum()
        and reps.loc[reps["exit"], "rep_id"].is_unique
        and (weekly["exits_outside"] >= 0).all()
        and (weekly["exits_outside"] <= weekly["exits_voluntary"] + 1e-9).all()
    )
    for kind in ("voluntary", "involuntary"):
        total = weekly[f"exits_{kind}"].sum()
        ok = ok and (hires["exit_kind"] == kind).sum() == total
        ok = ok and (reps["exit_kind"] == kind).sum() == total
    return bool(ok)


def pay_adds_up(result: RunResult) -> bool:
    """Each rep-quarter's pay is the sum of its components, none negative."""
    reps = result.tables["reps"]
    parts = reps[list(PAY_ACCUMULATORS)]
    return bool(_close(reps["pay_total"], parts.sum(axis=1)) and (parts >= 0).all().all())


def comp_cost_is_rep_pay(result: RunResult) -> bool:
    """The weekly compensation cost adds up to the pay in the reps table."""
    weekly, reps = result.tables["weekly"], result.tables["reps"]
    return _close(weekly["comp_cost"].sum(), reps["pay_total"].sum())


INVARIANTS = (
    revenue_is_won_deals,
    credited_sales_are_won_deals,
    discounts_add_up,
    headcount_flows_add_up,
    pay_adds_up,
    comp_cost_is_rep_pay,
)


def accounting_invariants(result: RunResult) -> dict[str, bool]:
    """Whether each accounting invariant holds in a run's tables, by name."""
    return {check.__name__: check(result) for check in INVARIANTS}
