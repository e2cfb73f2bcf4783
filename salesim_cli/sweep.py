"""Multirun results: one pair of results tables for a whole Hydra sweep.

Every job of a sweep writes its own files (the results pair ``runs.parquet``
and ``outcomes.parquet``, or ``error.json`` when it failed) into its job
folder; launchers may run jobs in other processes or on other machines, so
nothing is passed back in memory. When the sweep ends, :class:`CollectResults`
(a Hydra callback registered in ``conf/config.yaml``) reads the job folders
and writes, in the sweep folder, the shape EMA Workbench uses
(:mod:`simulator.results`):

- ``runs.parquet``: the inputs, one row per run: ``run_id``, ``job`` (the
  Hydra job number), ``replication``, ``seed`` (the seed the run ran on),
  ``job_seed``, then every parameter, flattened;
- ``outcomes.parquet``: the outcomes, one row per run: the same keys, every
  metric, and ``error`` (empty when the job ran). A failed job has one row,
  replication 0, its error, no metrics, an empty ``seed`` (it ran on none)
  and no row in ``runs.parquet``;
- ``summary.csv``: one row per job with the overrides and, per metric, the
  mean and 95% interval over its replications.

:func:`collect` does the same for any sweep folder, so a sweep interrupted
before its end can be collected afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from tqdm import tqdm

from simulator.io import read_inputs, read_outcomes, write_atomic, write_results
from simulator.results import INPUTS_FILE, OUTCOMES_FILE, concat, run_id
from simulator.run import summarise_replications

ERROR_FILE = "error.json"
#: A job's file whose presence marks it finished with results.
RESULTS_FILE = OUTCOMES_FILE


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


def _failed_row(job: str, job_dir: Path) -> dict[str, Any]:
    """A failed job's outcomes row: its keys (no seed it ran on) and its error."""
    record = json.loads((job_dir / ERROR_FILE).read_text())
    seed = record.get("seed")
    return {
        "run_id": run_id(job, 0),
        "job": job,
        "replication": 0,
        "seed": "",
        "job_seed": -1 if seed is None else int(seed),
        "error": record.get("error", ""),
    }


def collect(sweep_dir: Path) -> pd.DataFrame:
    """Read every job folder of ``sweep_dir``; write the results pair and summary.csv.

    Returns:
        The outcomes table written (``outcomes.parquet``).
    """
    sweep_dir = Path(sweep_dir)
    inputs, outcomes, summaries = [], [], []
    for job_dir in job_dirs(sweep_dir):
        job = job_dir.name
        head = {"job": int(job), **_overrides(job_dir)}
        if (job_dir / OUTCOMES_FILE).exists():
            rows = read_outcomes(job_dir)
            inputs.append(read_inputs(job_dir / INPUTS_FILE))
            outcomes.append(rows.assign(error=""))
            summaries.append({**head, **summarise_replications(rows), "error": ""})
        elif (job_dir / ERROR_FILE).exists():
            failed = _failed_row(job, job_dir)
            outcomes.append(pd.DataFrame([failed]))
            summaries.append({**head, "error": failed["error"]})
    inputs_all, outcomes_all = concat(inputs), concat(outcomes)
    if "error" not in outcomes_all.columns:
        outcomes_all["error"] = pd.Series(dtype="str")
    write_results(sweep_dir, inputs_all, outcomes_all)
    write_atomic(
        sweep_dir / "summary.csv", lambda p: pd.DataFrame(summaries).to_csv(p, index=False)
    )
    return outcomes_all


class CollectResults(Callback):
    """Hydra callback: collect a sweep's job folders into the results pair when it ends."""

    def __init__(self) -> None:
        self._started = time.perf_counter()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Note when the sweep started, for the closing line."""
        self._started = time.perf_counter()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write runs.parquet, outcomes.parquet and summary.csv in the sweep folder, and say so."""
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.exists():
            return
        results = collect(sweep_dir)
        jobs = results["job"].nunique() if not results.empty else 0
        failed = results.loc[results["error"] != "", "job"].nunique() if jobs else 0
        elapsed = time.perf_counter() - self._started
        print(
            f"salesim: {jobs} jobs, {len(results)} rows, {failed} failed in {elapsed:.1f} s; "
            f"results: {(sweep_dir / OUTCOMES_FILE).resolve()}"
        )


# ---------------------------------------------------------------- progress


def sweep_size(overrides: list[str], sweeper_params: dict[str, str] | None = None) -> int | None:
    """Number of jobs Hydra's basic sweeper makes of ``overrides``; None if not countable.

    The product of the lengths of every discrete sweep (``a=1,2,3``,
    ``b=range(0,4)``, ``plan=x,y``), from the command line and from
    ``hydra.sweeper.params``; a continuous sweep (``interval``) has no count.
    """
    items = list(overrides) + [f"{k}={v}" for k, v in (sweeper_params or {}).items()]
    total = 1
    for override in OverridesParser.create().parse_overrides(items):
        if not override.is_sweep_override():
            continue
        if not override.is_discrete_sweep():
            return None
        total *= len(list(override.sweep_string_iterator()))
    return total


def jobs_done(sweep_dir: Path) -> int:
    """Jobs of a sweep that have finished, with results or with a recorded error."""
    if not sweep_dir.exists():
        return 0
    return sum(
        (d / RESULTS_FILE).exists() or (d / ERROR_FILE).exists() for d in job_dirs(sweep_dir)
    )


class Progress(Callback):
    """Hydra callback: a progress bar of a sweep's jobs, done and time left.

    Launchers may run jobs in other processes or on other machines, so the bar
    is driven by what lands on disk: a thread in the launching process counts
    finished job folders (results or a recorded error) every ``interval``
    seconds.  Jobs skipped on resume count as done at once, so the time left
    is estimated from the jobs run in this session.  The bar is drawn on
    standard error when it is a terminal, or always with
    ``SALESIM_PROGRESS=1`` (never with ``SALESIM_PROGRESS=0``).
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: tqdm | None = None
        self._sweep_dir: Path | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Count the sweep's jobs and start the bar."""
        setting = os.environ.get("SALESIM_PROGRESS", "")
        if setting == "0" or (setting != "1" and not sys.stderr.isatty()):
            return
        sweeper_params = config.hydra.sweeper.get("params")
        params = OmegaConf.to_container(sweeper_params, resolve=True) if sweeper_params else {}
        try:
            total = sweep_size(list(config.hydra.overrides.task), params)  # type: ignore[arg-type]
        except Exception:  # an override this count does not understand: no total
            total = None
        self._sweep_dir = Path(config.hydra.sweep.dir)
        # initial + smoothing=0: the rate, and so the time left, counts only jobs run now
        self._bar = tqdm(
            total=total,
            initial=jobs_done(self._sweep_dir),
            smoothing=0,
            desc="salesim sweep",
            unit="job",
            file=sys.stderr,
            dynamic_ncols=True,
        )
        self._thread = threading.Thread(target=self._watch, name="salesim-progress", daemon=True)
        self._thread.start()

    def __getstate__(self) -> dict[str, Any]:
        # Launchers pickle the callbacks with every job; the bar stays in this process.
        return {"interval": self.interval}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self._refresh()

    def _refresh(self) -> None:
        assert self._bar is not None and self._sweep_dir is not None
        done = jobs_done(self._sweep_dir)
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Stop the bar at its final count."""
        if self._bar is None:
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._refresh()
        self._bar.close()
        self._bar = None


# ---------------------------------------------------------------- a local Ray instance

#: Longest folder for Ray's session files: Ray puts Unix sockets about 70
#: characters below it, and a socket path may not exceed 107 bytes.
RAY_TEMP_DIR_MAX = 36


class LocalRay(Callback):
    """Hydra callback: keep a local Ray instance to this machine and the sweep folder.

    Does nothing unless the launcher is Hydra's Ray launcher starting a local
    instance (``hydra.launcher.ray.init.address`` null, as in
    ``hydra/launcher=ray_local``).  Then, before Ray starts:

    - token authentication is off unless ``RAY_AUTH_MODE`` is set (Ray would
      otherwise write a token into the home folder; a loopback instance has no
      other users);
    - Ray's session files go to ``<sweep dir>/.ray`` rather than the system
      temp folder.  Ray's sockets live deep below that folder and a socket
      path may not exceed 107 bytes, so a deep sweep folder is reached through
      a short symbolic link in ``/tmp``, removed when the sweep ends.
    """

    def __init__(self) -> None:
        self._link: Path | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Set Ray's environment and session folder for a local instance."""
        launcher = config.hydra.launcher
        if "RayLauncher" not in str(launcher.get("_target_", "")):
            return
        init = launcher.ray.init
        if init.get("address") is not None:
            return  # a cluster: its own settings apply
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        if init.get("_temp_dir"):
            return
        temp_dir = Path(config.hydra.sweep.dir).resolve() / ".ray"
        temp_dir.mkdir(parents=True, exist_ok=True)
        if len(str(temp_dir)) > RAY_TEMP_DIR_MAX:
            # /tmp itself where there is one: TMPDIR may be as deep as the sweep folder
            short = "/tmp" if Path("/tmp").is_dir() else None
            link_dir = Path(tempfile.mkdtemp(prefix="salesim-", dir=short))
            self._link = link_dir / "ray"
            self._link.symlink_to(temp_dir, target_is_directory=True)
            temp_dir = self._link
        with read_write(config.hydra), open_dict(config.hydra):
            init._temp_dir = str(temp_dir)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Stop the local instance, then remove the short link to its session folder."""
        if self._link is not None:
            ray = sys.modules.get("ray")
            if ray is not None and ray.is_initialized():
                ray.shutdown()  # else it recreates folders below the link at exit
            self._link.unlink(missing_ok=True)
            self._link.parent.rmdir()
            self._link = None
