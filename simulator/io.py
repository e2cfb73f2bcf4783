"""Writing a run's results: atomic files, JSON values, a lone or replicated job's files.

Every file is written through a temporary file in the same folder and renamed
in place (:func:`write_atomic`), so an interrupted write never leaves a
half-written file that looks finished, and a finished one is never lost.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.params import flatten
from simulator.results import (
    INPUTS_FILE,
    OUTCOMES_FILE,
    ResultsError,
    check,
    inputs_table,
    outcomes_table,
    with_run_id,
)
from simulator.run import ReplicatedResult, RunResult


def write_outputs(
    result: RunResult, out_dir: Path, tables: bool = True, job: str = "0"
) -> list[Path]:
    """Write a lone run's files, each atomically.

    summary.json (seed, plan, every metric); every table (if ``tables``) with a
    ``run_id`` column; the results pair ``runs.parquet`` and ``outcomes.parquet``
    (:mod:`simulator.results`, one row); params.json.
    """
    seed = int(result.seed)
    inputs = inputs_table(job, result.params, seed, 1)
    outcomes = outcomes_table(job, seed, [result.summary])
    per_run = {
        name: with_run_id(t, job, 0) for name, t in (result.tables.items() if tables else ())
    }
    return _write_job(
        out_dir, seed, result.params, result.summary, per_run, inputs, outcomes, tables
    )


def write_replicated_outputs(
    result: ReplicatedResult, out_dir: Path, tables: bool = True
) -> list[Path]:
    """Write a replicated job's files, each atomically.

    summary.json holds per metric the mean, ``_sd``, ``_ci_low`` and ``_ci_high``;
    the results pair ``runs.parquet`` and ``outcomes.parquet`` one row per
    replication; every table (if ``tables``) gains ``run_id`` and ``replication`` columns.
    """
    n = len(result.runs)
    inputs = inputs_table(result.job, result.params, result.seed, n)
    per_run = {
        name: pd.concat(
            [
                with_run_id(run.tables[name], result.job, r).assign(replication=r)
                for r, run in enumerate(result.runs)
            ],
            ignore_index=True,
        )
        for name in (result.runs[0].tables if tables else ())
    }
    return _write_job(
        out_dir,
        result.seed,
        result.params,
        result.summary,
        per_run,
        inputs,
        result.replications,
        tables,
    )


def _write_job(
    out_dir: Path,
    seed: int,
    params,
    summary: dict[str, float],
    per_run: dict[str, pd.DataFrame],
    inputs: pd.DataFrame,
    outcomes: pd.DataFrame,
    tables: bool,
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    head = {"seed": seed, "plan": params.plan.name, **summary}
    written = [write_atomic(out_dir / "summary.json", lambda p: write_json(p, head))]
    for name, table in per_run.items() if tables else ():
        written.append(
            write_atomic(
                out_dir / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, index=False)
            )
        )
    # last: their presence marks the job complete (the command line's resume check)
    written += write_results(out_dir, inputs, outcomes)
    written.append(write_params(params, seed, out_dir))
    return written


def write_params(params, seed: int, out_dir: Path) -> Path:
    """Write ``params.json``: every parameter, flattened, and the seed."""
    data = {**flatten(params), "seed": seed}
    return write_atomic(out_dir / "params.json", lambda p: write_json(p, data))


# ---------------------------------------------------------------- the results pair


def write_results(out_dir: Path, inputs: pd.DataFrame, outcomes: pd.DataFrame) -> list[Path]:
    """Write ``runs.parquet`` then ``outcomes.parquet`` in ``out_dir``, each atomically.

    The outcomes go last: their presence marks the results complete.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    check(inputs, out_dir / INPUTS_FILE)
    check(outcomes, out_dir / OUTCOMES_FILE)
    return [
        write_atomic(out_dir / INPUTS_FILE, lambda p: inputs.to_parquet(p, index=False)),
        write_atomic(out_dir / OUTCOMES_FILE, lambda p: outcomes.to_parquet(p, index=False)),
    ]


def read_inputs(path: Path | str) -> pd.DataFrame:
    """Read an inputs table (a folder means its ``runs.parquet``); see :func:`read_table`."""
    path = Path(path)
    return read_table(path / INPUTS_FILE if path.is_dir() else path)


def read_outcomes(path: Path | str) -> pd.DataFrame:
    """Read an outcomes table (a folder means its ``outcomes.parquet``); see :func:`read_table`."""
    path = Path(path)
    return read_table(path / OUTCOMES_FILE if path.is_dir() else path)


def read_table(path: Path) -> pd.DataFrame:
    """Read a results file and check its key columns.

    Raises:
        ResultsError: one line naming the file, for a missing, unreadable or
            corrupt file, or one that lacks key columns (named).
    """
    try:
        table = pd.read_parquet(path)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file") from None
    except Exception as err:  # pyarrow raises several kinds for a damaged file
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ResultsError(f"{path}: not a readable Parquet results file ({reason})") from None
    return check(table, path)


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through a temporary file in the same folder, then rename it in place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a flat dict as indented JSON (NaN and infinities as null)."""
    text = json.dumps({k: json_value(v) for k, v in data.items()}, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def json_value(value: Any) -> Any:
    """Plain JSON value: numpy numbers become Python numbers, NaN and infinities null."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    return value
