"""Winners and losers: which of a team's current reps gain or lose pay under a proposed plan.

A leader's question about a new plan is personal: "who on my team earns less?".
The model cannot follow a real person, but it can follow a *rank*: run the
organisation (the leader's own, e.g. fitted to the history by ``salesim-fit``)
under the current plan and the proposed one on the same seeds (common random
numbers), and compare the annual pay of the rep at each rank of attainment.

Method (rank invariance, the assumption of quantile treatment effects):

1. **The team's current reps** (:func:`current_reps`): every rep with a row in
   the history's last quarter who has not left in it; each gets its attainment
   over its last four quarters (credited over quota; fewer for a newer rep) and
   its percentile among them (mid-rank).
2. **Pay by rank** (:func:`pay_by_rank`): in each replication and plan, the
   full-year rep-years of the evaluation window (:func:`simulator.metrics.annual_attainment`)
   are ranked by attainment and cut into :data:`RANK_BINS` equal bins; a bin's
   pay is the mean annual pay of its rep-years (a bin left empty, in a small
   team, is read between its neighbours).
3. **The change** at a rank is proposed minus current pay in the same
   replication, interpolated between the bins' centres; its mean over
   replications and 95% t interval are each rep's numbers at the rep's
   percentile. A rep *gains* when the interval lies above 0, *loses* when below,
   and is *unclear* otherwise.

What this assumes, and says in the report: a rep keeps its rank when the plan
changes. A plan that reorders reps (one paying a team pool, or rewarding a
segment a rep does not sell) moves people the rank view cannot see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulator.metrics import annual_attainment
from simulator.parallel import process_map
from simulator.params import SimParams
from simulator.run import batches, replication_seeds, run_many

#: equal bins of attainment rank in which the simulated pay by rank is averaged
RANK_BINS = 20
#: quarters of a rep's history its current attainment is measured over
TRAILING_QUARTERS = 4
#: verdict labels: the change's 95% interval above 0, below 0, or across it
GAINS, LOSES, UNCLEAR = "gains", "loses", "unclear"


def current_reps(history: pd.DataFrame) -> pd.DataFrame:
    """The team's current reps, their trailing attainment and its percentile among them.

    ``history`` is a checked history (:func:`simulator.history.read_history`).
    Returns one row per rep in seat in the last quarter with no exit recorded:
    ``rep_id``, ``team``, ``quarters`` (counted, at most
    :data:`TRAILING_QUARTERS`), ``credited``, ``quota``, ``attainment`` and
    ``percentile`` (mid-rank, in (0, 1)), ordered by attainment, best first.
    """
    last = history["period_index"].max()
    in_seat = history[history["period_index"] == last]
    if "exit_date" in in_seat:
        in_seat = in_seat[in_seat["exit_date"].isna()]
    if "exit_kind" in in_seat:
        in_seat = in_seat[in_seat["exit_kind"] == ""]
    ids = in_seat["rep_id"].unique()
    recent = history[
        history["rep_id"].isin(ids) & (history["period_index"] > last - TRAILING_QUARTERS)
    ]
    g = recent.groupby("rep_id", sort=False).agg(
        quarters=("period", "count"),
        credited=("credited_sales", "sum"),
        quota=("quota", "sum"),
    )
    g["team"] = in_seat.groupby("rep_id", sort=False)["team"].last()
    g["attainment"] = g["credited"] / g["quota"]
    g["percentile"] = (g["attainment"].rank(method="average") - 0.5) / len(g)
    out = g.reset_index()[
        ["rep_id", "team", "quarters", "credited", "quota", "attainment", "percentile"]
    ]
    return out.sort_values("attainment", ascending=False, kind="stable").reset_index(drop=True)


def pay_by_rank(reps: pd.DataFrame, bins: int = RANK_BINS) -> np.ndarray:
    """Mean annual pay of full-year rep-years in each of ``bins`` equal bins of attainment rank.

    ``reps`` is a run's rep-quarter table. Bin ``k`` holds the rep-years whose
    mid-rank percentile lies in ``[k / bins, (k + 1) / bins)``; NaN for a bin
    left empty (fewer rep-years than bins).
    """
    annual = annual_attainment(reps)
    rows = reps[~reps["warmup"]]
    pay = rows.groupby(["rep_id", "year"])["pay_total"].sum()
    annual = annual.join(pay, on=["rep_id", "year"])
    if annual.empty:
        return np.full(bins, np.nan)
    rank = (annual["attainment"].rank(method="average").to_numpy() - 0.5) / len(annual)
    which = np.minimum((rank * bins).astype(int), bins - 1)
    sums = np.bincount(which, annual["pay_total"].to_numpy(float), minlength=bins)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _curve_task(args: tuple) -> list[np.ndarray]:
    """Some runs' pay by rank (run side by side, each as it runs alone)."""
    params, seeds, bins = args
    return [_curve(run.tables["reps"], bins) for run in run_many(params, seeds)]


def _curve(reps: pd.DataFrame, bins: int) -> np.ndarray:
    """One run's pay by rank, a bin left empty read between its neighbours."""
    pay = pay_by_rank(reps, bins)
    filled = np.isfinite(pay)
    if not filled.any():
        raise ValueError(
            "a run has no rep in seat for a whole evaluation year: lengthen run.years "
            "or enlarge org.n_reps"
        )
    centres = np.arange(bins)
    return np.interp(centres, centres[filled], pay[filled])


@dataclass
class WinnersResult:
    """Pay by rank under both plans, and each current rep's change.

    Attributes:
        curves: one row per rank bin: ``percentile`` (the bin's centre),
            ``pay_current``, ``pay_proposed``, ``change`` and its 95% interval
            ``change_low``, ``change_high`` (means over replications).
        reps: :func:`current_reps` plus ``pay_current``, ``pay_proposed``,
            ``change``, ``change_low``, ``change_high``, ``change_pct`` (of the
            current pay) and ``verdict`` (:data:`GAINS`, :data:`LOSES`, :data:`UNCLEAR`).
        replications: replications per plan.
        seed: the seed the replications were spawned from.
    """

    curves: pd.DataFrame
    reps: pd.DataFrame
    replications: int
    seed: int


def _interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column means of ``values`` (replication x column) and their 95% t interval."""
    n = values.shape[0]
    mean = values.mean(axis=0)
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def winners_and_losers(
    history: pd.DataFrame,
    current: SimParams,
    proposed: SimParams,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    bins: int = RANK_BINS,
    progress: Callable[[int], None] | None = None,
) -> WinnersResult:
    """Each current rep's pay change from ``current`` to ``proposed`` plan, with intervals.

    The two parameter sets are the same organisation under two plans; both run
    on the same ``replications`` seeds spawned from ``seed``, so each
    replication's change is paired (so at least 2 replications). ``progress`` is
    told how many runs have finished, as each batch of them finishes.
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}: must be at least 2 (for an interval)")
    # fresh seeds per plan: a run may spawn from its SeedSequence, which changes it;
    # each plan's replications run in batches, so that every worker has some
    tasks = []
    for p in (current, proposed):
        seeds = replication_seeds(seed, replications)
        tasks += [
            (p, seeds[cut.start : cut.stop], bins) for cut in batches(replications, p, workers)
        ]
    curves = []
    for batch in process_map(_curve_task, tasks, workers):
        curves += batch
        if progress is not None:
            progress(len(curves))
    pay_a = np.array(curves[:replications])
    pay_b = np.array(curves[replications:])
    change = pay_b - pay_a
    centres = (np.arange(bins) + 0.5) / bins
    mean, low, high = _interval(change)
    table = pd.DataFrame(
        {
            "percentile": centres,
            "pay_current": pay_a.mean(axis=0),
            "pay_proposed": pay_b.mean(axis=0),
            "change": mean,
            "change_low": low,
            "change_high": high,
        }
    )
    reps = current_reps(history)
    q = reps["percentile"].to_numpy()

    def at_ranks(curves: np.ndarray) -> np.ndarray:
        """Each replication's curve read at the reps' percentiles (replication x rep)."""
        return np.array([np.interp(q, centres, c) for c in curves])

    rep_change = at_ranks(change)
    mean_r, low_r, high_r = _interval(rep_change)
    reps = reps.assign(
        pay_current=at_ranks(pay_a).mean(axis=0),
        pay_proposed=at_ranks(pay_b).mean(axis=0),
        change=mean_r,
        change_low=low_r,
        change_high=high_r,
    )
    reps["change_pct"] = reps["change"] / reps["pay_current"]
    reps["verdict"] = np.select(
        [reps["change_low"] > 0, reps["change_high"] < 0], [GAINS, LOSES], UNCLEAR
    )
    return WinnersResult(table, reps, replications, seed)
