"""Multirun results: one tidy table for a whole Hydra sweep.

Every job of a sweep writes its own files (``replications.parquet``, or
``error.json`` when it failed) into its job folder; launchers may run jobs in
other processes or on other machines, so nothing is passed back in memory.
When the sweep ends, :class:`CollectResults` (a Hydra callback registered in
``conf/config.yaml``) reads the job folders and writes, in the sweep folder,

- ``results.parquet``: one row per job and replication, in the shape EMA
  Workbench uses: ``job``, the overridden parameters as columns, then
  ``replication``, ``seed``, every metric, and ``error`` (empty when the job ran);
- ``summary.csv``: one row per job with the overrides and, per metric, the
  mean and 95% interval over its replications.

:func:`collect` does the same for any sweep folder, so a sweep interrupted
before its end can be collected afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from simulator.cli import write_atomic
from simulator.run import summarise_replications

ERROR_FILE = "error.json"
RESULTS_FILE = "replications.parquet"


def _overrides(job_dir: Path) -> dict[str, Any]:
    path = job_dir / ".hydra" / "overrides.yaml"
    if not path.exists():
        return {}
    out = {}
    for item in yaml.safe_load(path.read_text()) or []:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra."):
            continue
        try:
            out[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key] = value
    return out


def job_dirs(sweep_dir: Path) -> list[Path]:
    """Job folders of a sweep (those Hydra numbered), in job order."""
    dirs = [d for d in sweep_dir.iterdir() if d.is_dir() and d.name.isdigit()]
    return sorted(dirs, key=lambda d: int(d.name))


def collect(sweep_dir: Path) -> pd.DataFrame:
    """Read every job folder of ``sweep_dir``; write results.parquet and summary.csv."""
    sweep_dir = Path(sweep_dir)
    frames, summaries = [], []
    for job_dir in job_dirs(sweep_dir):
        overrides = _overrides(job_dir)
        head = {"job": int(job_dir.name), **overrides}
        if (job_dir / RESULTS_FILE).exists():
            rows = pd.read_parquet(job_dir / RESULTS_FILE)
            frames.append(rows.assign(**{k: [v] * len(rows) for k, v in head.items()}, error=""))
            summaries.append({**head, **summarise_replications(rows), "error": ""})
        elif (job_dir / ERROR_FILE).exists():
            error = json.loads((job_dir / ERROR_FILE).read_text()).get("error", "")
            frames.append(pd.DataFrame([{**head, "error": error}]))
            summaries.append({**head, "error": error})
    results = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not results.empty:
        first = [
            "job",
            *[
                c
                for c in results.columns
                if c not in ("job", "error") and c in {k for s in summaries for k in s} and "." in c
            ],
            "replication",
            "seed",
        ]
        first = [c for c in first if c in results.columns]
        results = results[first + [c for c in results.columns if c not in first]]
    write_atomic(sweep_dir / "results.parquet", lambda p: results.to_parquet(p, index=False))
    write_atomic(
        sweep_dir / "summary.csv", lambda p: pd.DataFrame(summaries).to_csv(p, index=False)
    )
    return results


class CollectResults(Callback):
    """Hydra callback: collect a sweep's job folders into results.parquet when it ends."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write results.parquet and summary.csv in the sweep folder, and say so."""
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():
            return
        results = collect(sweep_dir)
        jobs = results["job"].nunique() if not results.empty else 0
        failed = int((results.get("error", pd.Series(dtype=str)) != "").sum()) if jobs else 0
        print(
            f"salesim: {jobs} jobs, {len(results)} rows, {failed} failed; "
            f"results: {(sweep_dir / 'results.parquet').resolve()}"
        )
