"""One results shape for every producer: an inputs table and an outcomes table keyed by run.

As EMA Workbench returns experiments, every producer (a single job, a sweep, a
design, a scenario, an optimisation study) writes two Parquet files in its
output folder:

- ``runs.parquet`` (:data:`INPUTS_FILE`): one row per run, the key columns and
  every parameter, flattened (:func:`simulator.params.flatten`);
- ``outcomes.parquet`` (:data:`OUTCOMES_FILE`): one row per run, the key
  columns and every metric of the run's summary (producers may add columns:
  a sweep its ``error``, a study its ``objective``).

The key columns (:data:`KEYS`) are ``run_id`` (``"<job>/<replication>"``),
``job`` (a string: ``"0"`` for a lone job, the Hydra job number of a sweep,
the design point, the scenario variant, the optimisation trial number),
``replication``, ``seed`` (the seed the run actually ran on, as text: ``"S"``
for a lone run on the job's seed ``S``, ``"S/r"`` for replication ``r`` on the
``r``-th child spawned from ``S``) and ``job_seed`` (the job's seed, ``S``).
:func:`parse_seed` turns the text back into what :func:`simulator.run.run_one`
takes, so any row reruns bit for bit. Per-run tables (weekly, reps, deals,
hires, managers) carry ``run_id`` (:func:`with_run_id`) to join on.

This module holds the shape and touches no file: :mod:`simulator.io` writes
and reads the pair (``write_results``, ``read_inputs``, ``read_outcomes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simulator.params import SimParams, flatten

INPUTS_FILE = "runs.parquet"
OUTCOMES_FILE = "outcomes.parquet"
#: The key columns, first in both tables, in this order.
KEYS = ("run_id", "job", "replication", "seed", "job_seed")
#: Each key column's dtype.
KEY_DTYPES = {
    "run_id": "str",
    "job": "str",
    "replication": "int64",
    "seed": "str",
    "job_seed": "int64",
}


class ResultsError(ValueError):
    """A results file that cannot be read, or lacks the shape's columns."""


# ---------------------------------------------------------------- run ids and seeds


def run_id(job: object, replication: int) -> str:
    """The run's id, ``"<job>/<replication>"``."""
    return f"{job}/{int(replication)}"


def seed_texts(job_seed: int, replications: int) -> list[str]:
    """The seeds the job's runs run on, as text (see :func:`simulator.run.replication_seeds`).

    A lone run runs on the job's seed (``"S"``); replication ``r`` of several
    runs on the ``r``-th child spawned from it (``"S/r"``).
    """
    if replications == 1:
        return [str(int(job_seed))]
    return [f"{int(job_seed)}/{r}" for r in range(replications)]


def parse_seed(text: str) -> int | np.random.SeedSequence:
    """What :func:`simulator.run.run_one` takes for a seed text of the outcomes table.

    ``"S"`` gives the int ``S``; ``"S/r"`` gives ``SeedSequence(S, spawn_key=(r,))``,
    the ``r``-th child of ``SeedSequence(S).spawn(n)`` for any ``n > r``.

    Raises:
        ResultsError: when the text is neither form.
    """
    parts = str(text).split("/")
    if len(parts) not in (1, 2) or not all(p.isdigit() for p in parts):
        raise ResultsError(f"seed {text!r}: expected 'S' or 'S/r' (non-negative integers)")
    if len(parts) == 1:
        return int(parts[0])
    return np.random.SeedSequence(int(parts[0]), spawn_key=(int(parts[1]),))


def keys(job: object, job_seed: int, replications: int) -> pd.DataFrame:
    """The key columns of a job's ``replications`` runs."""
    job = str(job)
    return pd.DataFrame(
        {
            "run_id": [run_id(job, r) for r in range(replications)],
            "job": [job] * replications,
            "replication": np.arange(replications, dtype="int64"),
            "seed": seed_texts(job_seed, replications),
            "job_seed": np.full(replications, int(job_seed), dtype="int64"),
        }
    )


# ---------------------------------------------------------------- the two tables


def inputs_table(job: object, params: SimParams, job_seed: int, replications: int) -> pd.DataFrame:
    """A job's rows of the inputs table: the keys and every parameter, one row per run."""
    flat = flatten(params)
    head = keys(job, job_seed, replications)
    values = pd.DataFrame([flat] * replications, columns=list(flat))
    return pd.concat([head, values], axis=1)


def outcomes_table(
    job: object, job_seed: int, summaries: Sequence[Mapping[str, Any]]
) -> pd.DataFrame:
    """A job's rows of the outcomes table: the keys and every metric, one row per run."""
    head = keys(job, job_seed, len(summaries))
    metrics = pd.DataFrame(list(summaries)) if summaries else pd.DataFrame()
    metrics = metrics.drop(columns=[c for c in KEYS if c in metrics.columns])
    return pd.concat([head, metrics], axis=1)


def with_run_id(table: pd.DataFrame, job: object, replication: int) -> pd.DataFrame:
    """``table`` (a per-run table) with ``run_id`` as its first column."""
    out = table.copy()
    out.insert(0, "run_id", run_id(job, replication))
    return out


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several jobs in one table, keys first with their dtypes (empty: just the keys)."""
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return pd.DataFrame({k: pd.Series(dtype=t) for k, t in KEY_DTYPES.items()})
    out = pd.concat(frames, ignore_index=True)
    return out.astype(KEY_DTYPES)[[*KEYS, *out.columns.drop(list(KEYS))]]


def metric_columns(outcomes: pd.DataFrame) -> list[str]:
    """The outcomes table's columns that are not keys (metrics and any added columns)."""
    return [c for c in outcomes.columns if c not in KEYS]


# ---------------------------------------------------------------- checking


def check(table: pd.DataFrame, where: object = "results table") -> pd.DataFrame:
    """``table`` itself if it has every key column, else :class:`ResultsError` naming the gaps."""
    missing = [k for k in KEYS if k not in table.columns]
    if missing:
        raise ResultsError(
            f"{where}: missing columns {', '.join(missing)} "
            f"(a results table starts with {', '.join(KEYS)})"
        )
    return table


__all__ = [
    "INPUTS_FILE",
    "KEYS",
    "KEY_DTYPES",
    "OUTCOMES_FILE",
    "ResultsError",
    "check",
    "concat",
    "inputs_table",
    "keys",
    "metric_columns",
    "outcomes_table",
    "parse_seed",
    "run_id",
    "seed_texts",
    "with_run_id",
]
