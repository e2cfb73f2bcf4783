"""The library's front door: run one simulation and get its tables and summary."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simulator.metrics import summarise
from simulator.model import Observer, SalesModel
from simulator.params import SimParams, validate
from simulator.results import KEYS, outcomes_table

#: numerical: most rep seats a batch of replications holds side by side (run_many cuts
#: longer lists of seeds into batches of at most this many seats: 68 default runs)
BATCH_SEATS = 4096


@dataclass
class RunResult:
    """Tables and headline metrics of one run."""

    seed: int
    params: SimParams
    tables: dict[str, pd.DataFrame]
    summary: dict[str, float]


@dataclass
class ReplicatedResult:
    """Replications of one configuration: each run, a row of metrics per run, and their summary.

    Attributes:
        seed: the job's seed, from which the replications' seeds are spawned.
        params: the parameters shared by every replication.
        runs: the replications' results, in order.
        replications: the job's rows of the outcomes table (:mod:`simulator.results`):
            ``run_id``, ``job``, ``replication``, ``seed`` (the seed the run ran
            on), ``job_seed`` and every metric.
        summary: per metric its mean, and ``<metric>_sd``, ``<metric>_ci_low``,
            ``<metric>_ci_high`` (95% t interval), plus ``replications``.
        job: the job's name in run ids (``"0"`` for a lone job).
    """

    seed: int
    params: SimParams
    runs: list[RunResult]
    replications: pd.DataFrame
    summary: dict[str, float]
    job: str = "0"


def replication_seeds(seed: int, n: int) -> list[int | np.random.SeedSequence]:
    """Seeds of ``n`` replications: the seed itself when alone, else spawned children."""
    return [seed] if n == 1 else list(np.random.SeedSequence(seed).spawn(n))


def summarise_replications(rows: pd.DataFrame) -> dict[str, float]:
    """Mean, standard deviation and 95% t confidence interval of every metric column.

    The key columns of :mod:`simulator.results` (and a sweep's ``error``) are skipped.
    """
    n = len(rows)
    out: dict[str, float] = {"replications": n}
    half_width = stats.t.ppf(0.975, n - 1) / np.sqrt(n) if n > 1 else np.nan
    for col in rows.columns.drop([*KEYS, "error"], errors="ignore"):
        values = rows[col].to_numpy(float)
        mean = float(np.nanmean(values)) if np.isfinite(values).any() else np.nan
        sd = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else np.nan
        out[col] = mean
        out[f"{col}_sd"] = sd
        out[f"{col}_ci_low"] = mean - half_width * sd
        out[f"{col}_ci_high"] = mean + half_width * sd
    return out


def run_replications(
    params: SimParams | None = None, seed: int = 0, n: int | None = None, job: str = "0"
) -> ReplicatedResult:
    """Run ``n`` (default ``run.replications``) replications of one configuration.

    Replication ``r`` runs on the ``r``-th child of ``SeedSequence(seed)``, so
    the same seed and ``n`` give the same numbers wherever they run; ``job``
    names the job in the run ids.
    """
    params = validate(params if params is not None else SimParams())
    n = params.run.replications if n is None else n
    runs = run_many(params, replication_seeds(seed, n))
    rows = outcomes_table(job, seed, [run.summary for run in runs])
    return ReplicatedResult(seed, params, runs, rows, summarise_replications(rows), str(job))


def run_one(
    params: SimParams | None = None,
    seed: int | np.random.SeedSequence = 0,
    observers: Sequence[Observer] = (),
) -> RunResult:
    """Validate ``params``, simulate warm-up plus evaluation years, and summarise.

    Args:
        params: all parameters; defaults when None.
        seed: the run's seed (0 is a seed like any other), or a spawned SeedSequence.
        observers: callables told of each decision (see :data:`simulator.model.Observer`);
            they watch, and change nothing.
    """
    return run_batch(params, [seed], observers)[0]


def run_batch(
    params: SimParams | None = None,
    seeds: Sequence[int | np.random.SeedSequence] = (0,),
    observers: Sequence[Observer] = (),
) -> list[RunResult]:
    """Run one replication per seed side by side, as one simulation (:mod:`simulator.batch`).

    Each result is bit for bit :func:`run_one` of its seed, at a fraction of the
    cost of running them one after the other. ``observers`` see the whole batch's
    arrays (replication ``r`` holds seats ``r * org.n_reps ..``).
    """
    params = validate(params if params is not None else SimParams())
    seeds = list(seeds)
    model = SalesModel(params, seeds, observers)
    for _ in range(model.n_weeks):
        model.step()
    return [
        RunResult(seed, params, tables, summarise(tables, model.blocks.n))
        for seed, tables in zip(seeds, model.batch_tables(), strict=True)
    ]


def batch_size(params: SimParams) -> int:
    """Replications :func:`run_many` runs side by side: as many as :data:`BATCH_SEATS` holds."""
    return max(1, BATCH_SEATS // params.org.n_reps)


def batches(n: int, params: SimParams, workers: int) -> list[range]:
    """Replications ``0 .. n - 1`` of one configuration cut into batches for ``workers``.

    As large as :func:`simulator.run.batch_size` allows, and no larger than a
    worker's share, so that every worker has some; the numbers do not depend on
    the cut (each replication is its seed's run alone).
    """
    size = min(batch_size(params), math.ceil(n / max(workers, 1)))
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def run_many(
    params: SimParams | None, seeds: Sequence[int | np.random.SeedSequence]
) -> list[RunResult]:
    """:func:`run_one` of each seed, run in batches (:func:`run_batch`) of :func:`batch_size`.

    The results are those of the runs alone, bit for bit, in the seeds' order.
    """
    params = validate(params if params is not None else SimParams())
    seeds = list(seeds)
    size = batch_size(params)
    return [
        result
        for start in range(0, len(seeds), size)
        for result in run_batch(params, seeds[start : start + size])
    ]


def with_overrides(params: SimParams, **changes: object) -> SimParams:
    """Copy of ``params`` with dotted-name changes, e.g. ``{"manager.coaching_share": 0.3}``."""
    out = dataclasses.replace(params)
    for dotted, value in changes.items():
        *path, leaf = dotted.split(".")
        obj = out
        parents = []
        for name in path:
            parents.append((obj, name))
            obj = getattr(obj, name)
        obj = dataclasses.replace(obj, **{leaf: value})
        for parent, name in reversed(parents):
            obj = dataclasses.replace(parent, **{name: obj})
        out = obj
    return out
