"""The ``salesim`` command: compose the Hydra config, convert it once, run, write.

    salesim                                   # the default run
    salesim run.years=1 org.n_reps=16 seed=3  # override any parameter
    salesim --cfg job                         # print the composed config
    salesim -m seed=0,1,2                     # a sweep (one output folder per run)

Each run writes into Hydra's run directory ``summary.json`` (seed, plan and
every summary metric; NaN as null), ``params.json`` (every parameter,
flattened), the results pair ``runs.parquet`` (inputs) and ``outcomes.parquet``
(metrics), one row per run keyed by ``run_id`` (:mod:`simulator.results`), one
Parquet file per table of the run (``reps``, ``managers``, ``weekly``,
``hires`` ...; each with ``run_id``), and Hydra's own ``.hydra/`` record of the config.

Bad input (an unknown key, a wrong type, a value out of range, a broken
cross-field rule, an unknown config name) never shows a traceback: it prints
one line ``salesim: error: ...`` naming the field, the value and what is
allowed, and exits with status 2.  With ``HYDRA_FULL_ERROR=1`` set, Hydra's own
full tracebacks are shown instead, for debugging.
"""

from __future__ import annotations

import json
import math
import os
import sys
import traceback
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from salesim_cli.config import check_chosen_files, to_params
from salesim_cli.errors import error_message, fail
from simulator.io import (
    json_value,
    read_outcomes,
    write_atomic,
    write_json,
    write_outputs,
    write_replicated_outputs,
)
from simulator.params import ParamError, flatten, validate
from simulator.results import OUTCOMES_FILE
from simulator.run import ReplicatedResult, RunResult, run_one, run_replications

#: Calibration bands of MODEL.md section 4 for the metrics that have one.
CALIBRATION_BANDS: dict[str, tuple[float, float]] = {
    "share_at_quota": (0.50, 0.60),
    "turnover_total": (0.25, 0.35),
    "ramp_months_median": (4.0, 6.0),
    "top20_revenue_share": (0.45, 0.65),
}

#: Metrics shown in the printed summary, in order.
HEADLINE_METRICS = (
    "share_at_quota",
    "attainment_median",
    "revenue_vs_target",
    "cost_of_sales",
    "turnover_total",
    "regretted_turnover",
    "vacancy_rate",
    "ramp_months_median",
    "top20_revenue_share",
    "performance_gap",
    "end_of_period_share",
    "helping_share",
    "morale_mean",
)


@hydra.main(version_base="1.3", config_path="pkg://simulator.conf", config_name="config")
def hydra_main(cfg: DictConfig) -> None:
    """Hydra's task: run the composed config and write into Hydra's run directory.

    In a multirun a job that fails writes ``error.json`` in its folder instead
    of stopping the sweep, and a job whose finished results are already there
    (same parameters) is skipped, so rerunning an interrupted sweep resumes it.
    """
    hydra_cfg = HydraConfig.get()
    runtime = hydra_cfg.runtime
    if hydra_cfg.mode != RunMode.MULTIRUN:
        try:
            check_chosen_files(runtime.choices, runtime.config_sources)
        except ParamError as err:
            fail(error_message(err))
    if cfg.get("scenario"):
        from salesim_cli.scenariocli import run_scenario_job

        run_scenario_job(cfg)
        return
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        try:
            check_chosen_files(runtime.choices, runtime.config_sources)
            params, seed = to_params(cfg)
            validate(params)
            if _finished(out_dir, params, seed):
                print(f"salesim: job {hydra_cfg.job.num} already done, skipped")
                return
            _run_and_write(params, seed, out_dir, job=hydra_cfg.job.num)
        except Exception as err:  # one failed job must not lose the others
            known = isinstance(err, ParamError | OmegaConfBaseException)
            message = error_message(err) if known else f"{type(err).__name__}: {err}"
            record = {"error": message, "seed": _seed_or_none(cfg)}
            write_atomic(out_dir / "error.json", lambda p: write_json(p, record))
            print(f"salesim: job {hydra_cfg.job.num} failed: {message}", file=sys.stderr)
        return
    try:
        params, seed = to_params(cfg)
        validate(params)
    except (ParamError, OmegaConfBaseException) as err:
        # Exit here rather than raise: Hydra would first print its own notice.
        fail(error_message(err))
    _run_and_write(params, seed, out_dir)


def _seed_or_none(cfg: DictConfig) -> int | None:
    """The job's seed for a failed job's record, or None when it is not an integer."""
    try:
        return int(cfg.get("seed"))
    except (TypeError, ValueError, OmegaConfBaseException):
        return None


def _finished(out_dir: Path, params, seed: int) -> bool:
    """Whether ``out_dir`` already holds this job's complete results (same parameters, seed)."""
    done, recorded = out_dir / OUTCOMES_FILE, out_dir / "params.json"
    if not (done.exists() and recorded.exists()):
        return False
    try:
        want = {k: json_value(v) for k, v in {**flatten(params), "seed": seed}.items()}
        same = json.loads(recorded.read_text()) == json.loads(json.dumps(want))
        rows = read_outcomes(done)
    except (ValueError, OSError):
        return False  # a corrupt or partial file: run the job again
    return same and len(rows) == params.run.replications


def _run_and_write(params, seed: int, out_dir: Path, job: int | None = None) -> None:
    """Run the job (replicated if asked) and write its files and printed summary.

    A job of a sweep (``job`` given) prints one line instead of the summary table.
    """
    tables = params.run.tables == "all" or (params.run.tables == "auto" and job is None)
    name = "0" if job is None else str(job)
    if params.run.replications > 1:
        replicated = run_replications(params, seed, job=name)
        write_replicated_outputs(replicated, out_dir, tables=tables)
        summary = replicated.summary
        text = replicated_summary_text(replicated, out_dir)
    else:
        result = run_one(params, seed)
        write_outputs(result, out_dir, tables=tables, job=name)
        summary = result.summary
        text = summary_text(result, out_dir)
    if job is None:
        print(text)
        return
    shown = ", ".join(f"{m} {summary.get(m, math.nan):.3g}" for m in HEADLINE_METRICS[:5])
    print(f"salesim: job {job} done: {shown}")


def main() -> None:
    """Console-script entry point: Hydra's command line, with one-line input errors."""
    user_setting = os.environ.get("HYDRA_FULL_ERROR")
    if user_setting == "1":
        hydra_main()
        return
    # Hydra reports an error itself, with a stack trace, and exits with status 1
    # unless HYDRA_FULL_ERROR is set; set it so that errors reach us instead.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        hydra_main()
    except Exception as err:
        if _raised_in_task(err):
            raise  # a bug in the run, not bad input: keep the traceback
        fail(error_message(err))  # the command line or the config files
    finally:
        if user_setting is None:
            del os.environ["HYDRA_FULL_ERROR"]
        else:
            os.environ["HYDRA_FULL_ERROR"] = user_setting


def _raised_in_task(err: BaseException) -> bool:
    """Whether ``err`` came from inside the task, rather than from Hydra composing the config."""
    task_code = hydra_main.__wrapped__.__code__
    return any(frame.f_code is task_code for frame, _ in traceback.walk_tb(err.__traceback__))


# ---------------------------------------------------------------- error messages


# ---------------------------------------------------------------- output files


# ---------------------------------------------------------------- printed summary


def summary_text(result: RunResult, out_dir: Path) -> str:
    """A compact table of the headline metrics with MODEL.md's calibration bands."""
    p = result.params
    lines = [
        f"salesim  seed {result.seed}  plan {p.plan.name}  {p.org.n_reps} seats  "
        f"{p.run.years} y evaluated after {p.run.warmup_years} y warm-up",
        f"  {'metric':<22} {'value':>8}   {'MODEL.md band':<13}",
    ]
    for name in HEADLINE_METRICS:
        value = result.summary.get(name, math.nan)
        band, verdict = "", ""
        if name in CALIBRATION_BANDS:
            lo, hi = CALIBRATION_BANDS[name]
            band = f"{lo:g}-{hi:g}"
            if not math.isnan(value):
                verdict = "below" if value < lo else "above" if value > hi else "in"
        shown = "n/a" if math.isnan(value) else f"{value:8.3f}"
        lines.append(f"  {name:<22} {shown:>8}   {band:<13} {verdict}".rstrip())
    lines.append(f"outputs: {out_dir.resolve()}")
    return "\n".join(lines)


def replicated_summary_text(result: ReplicatedResult, out_dir: Path) -> str:
    """The headline metrics of a replicated job: mean and 95% confidence interval."""
    p = result.params
    n = result.summary["replications"]
    lines = [
        f"salesim  seed {result.seed}  plan {p.plan.name}  {p.org.n_reps} seats  "
        f"{n} replications of {p.run.years} y after {p.run.warmup_years} y warm-up",
        f"  {'metric':<22} {'mean':>8}   {'95% CI':<19} {'MODEL.md band':<13}",
    ]
    for name in HEADLINE_METRICS:
        mean = result.summary.get(name, math.nan)
        lo, hi = result.summary.get(f"{name}_ci_low"), result.summary.get(f"{name}_ci_high")
        band = ""
        if name in CALIBRATION_BANDS:
            band = "{:g}-{:g}".format(*CALIBRATION_BANDS[name])
        shown = "n/a" if math.isnan(mean) else f"{mean:8.3f}"
        ci = "" if lo is None or math.isnan(lo) else f"[{lo:.3f}, {hi:.3f}]"
        lines.append(f"  {name:<22} {shown:>8}   {ci:<19} {band}".rstrip())
    lines.append(f"outputs: {out_dir.resolve()}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
