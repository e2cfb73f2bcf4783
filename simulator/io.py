"""Writing a run's results: atomic files, JSON values, a run's and a replicated job's tables.

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
from simulator.run import ReplicatedResult, RunResult


def write_outputs(result: RunResult, out_dir: Path, tables: bool = True) -> list[Path]:
    """Write summary.json, params.json and (if ``tables``) each table as Parquet, atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {"seed": result.seed, "plan": result.params.plan.name, **result.summary}
    rows = pd.DataFrame([{"replication": 0, "seed": result.seed, **result.summary}])
    written = [write_atomic(out_dir / "summary.json", lambda p: write_json(p, summary))]
    for name, table in result.tables.items() if tables else ():
        written.append(
            write_atomic(
                out_dir / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, index=False)
            )
        )
    # last: their presence marks the job complete (the command line's resume check)
    written.append(
        write_atomic(out_dir / "replications.parquet", lambda p: rows.to_parquet(p, index=False))
    )
    written.append(write_params(result.params, result.seed, out_dir))
    return written


def write_params(params, seed: int, out_dir: Path) -> Path:
    """Write ``params.json``: every parameter, flattened, and the seed."""
    data = {**flatten(params), "seed": seed}
    return write_atomic(out_dir / "params.json", lambda p: write_json(p, data))


def write_replicated_outputs(
    result: ReplicatedResult, out_dir: Path, tables: bool = True
) -> list[Path]:
    """Write a replicated job's files, each atomically.

    summary.json holds per metric the mean, ``_sd``, ``_ci_low`` and ``_ci_high``;
    replications.parquet one row per replication; every table (if ``tables``)
    gains a ``replication`` column.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {"seed": result.seed, "plan": result.params.plan.name, **result.summary}
    written = [write_atomic(out_dir / "summary.json", lambda p: write_json(p, summary))]
    for name in result.runs[0].tables if tables else ():
        table = pd.concat(
            [run.tables[name].assign(replication=r) for r, run in enumerate(result.runs)],
            ignore_index=True,
        )
        written.append(
            write_atomic(
                out_dir / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, index=False)
            )
        )
    # last: their presence marks the job complete (the command line's resume check)
    written.append(
        write_atomic(
            out_dir / "replications.parquet",
            lambda p: result.replications.to_parquet(p, index=False),
        )
    )
    written.append(write_params(result.params, result.seed, out_dir))
    return written


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
