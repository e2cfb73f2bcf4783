"""The ``salesim`` command: compose the Hydra config, convert it once, run, write.

    salesim                                   # the default run
    salesim run.years=1 org.n_reps=16 seed=3  # override any parameter
    salesim --cfg job                         # print the composed config
    salesim -m seed=0,1,2                     # a sweep (one output folder per run)

Each run writes into Hydra's run directory ``summary.json`` (seed, plan and
every summary metric; NaN as null), ``params.json`` (every parameter,
flattened), one Parquet file per table of the run (``reps``, ``managers``,
``weekly``, ``hires`` ...), and Hydra's own ``.hydra/`` record of the config.

Bad input (an unknown key, a wrong type, a value out of range, a broken
cross-field rule, an unknown config name) never shows a traceback: it prints
one line ``salesim: error: ...`` naming the field, the value and what is
allowed, and exits with status 2.  With ``HYDRA_FULL_ERROR=1`` set, Hydra's own
full tracebacks are shown instead, for debugging.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import sys
import traceback
import uuid
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, NoReturn

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException
from omegaconf.errors import ValidationError as OmegaConfValidationError

from simulator.config import to_params, unknown_key_message
from simulator.docs import param_fields, range_text, type_name
from simulator.params import ParamError, flatten, validate
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
    if cfg.get("scenario"):
        from simulator.scenariocli import run_scenario_job

        run_scenario_job(cfg)
        return
    hydra_cfg = HydraConfig.get()
    out_dir = Path(hydra_cfg.runtime.output_dir)
    if hydra_cfg.mode == RunMode.MULTIRUN:
        try:
            params, seed = to_params(cfg)
            validate(params)
            if _finished(out_dir, params, seed):
                print(f"salesim: job {hydra_cfg.job.num} already done, skipped")
                return
            _run_and_write(params, seed, out_dir, job=hydra_cfg.job.num)
        except Exception as err:  # one failed job must not lose the others
            known = isinstance(err, ParamError | OmegaConfBaseException)
            message = error_message(err) if known else f"{type(err).__name__}: {err}"
            write_atomic(out_dir / "error.json", lambda p: _write_json(p, {"error": message}))
            print(f"salesim: job {hydra_cfg.job.num} failed: {message}", file=sys.stderr)
        return
    try:
        params, seed = to_params(cfg)
        validate(params)
    except (ParamError, OmegaConfBaseException) as err:
        # Exit here rather than raise: Hydra would first print its own notice.
        fail(error_message(err))
    _run_and_write(params, seed, out_dir)


def _finished(out_dir: Path, params, seed: int) -> bool:
    """Whether ``out_dir`` already holds this job's complete results (same parameters, seed)."""
    done, recorded = out_dir / "replications.parquet", out_dir / "params.json"
    if not (done.exists() and recorded.exists()):
        return False
    try:
        want = {k: _json_value(v) for k, v in {**flatten(params), "seed": seed}.items()}
        same = json.loads(recorded.read_text()) == json.loads(json.dumps(want))
        rows = pd.read_parquet(done)
    except (ValueError, OSError):
        return False  # a corrupt or partial file: run the job again
    return same and len(rows) == params.run.replications


def _run_and_write(params, seed: int, out_dir: Path, job: int | None = None) -> None:
    """Run the job (replicated if asked) and write its files and printed summary.

    A job of a sweep (``job`` given) prints one line instead of the summary table.
    """
    tables = params.run.tables == "all" or (params.run.tables == "auto" and job is None)
    if params.run.replications > 1:
        replicated = run_replications(params, seed)
        write_replicated_outputs(replicated, out_dir, tables=tables)
        summary = replicated.summary
        text = replicated_summary_text(replicated, out_dir)
    else:
        result = run_one(params, seed)
        write_outputs(result, out_dir, tables=tables)
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


def fail(message: str, prog: str = "salesim") -> NoReturn:
    """Report bad input as one line, ``PROG: error: MESSAGE``, and exit with status 2.

    Shared by ``salesim`` and ``salesim-pay`` (:mod:`simulator.paycli`).
    """
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _raised_in_task(err: BaseException) -> bool:
    """Whether ``err`` came from inside the task, rather than from Hydra composing the config."""
    task_code = hydra_main.__wrapped__.__code__
    return any(frame.f_code is task_code for frame, _ in traceback.walk_tb(err.__traceback__))


# ---------------------------------------------------------------- error messages


def error_message(err: BaseException) -> str:
    """One line describing a bad-input error: the field, the value and what is allowed."""
    if isinstance(err, MissingConfigException) and err.missing_cfg_file:
        group, _, name = err.missing_cfg_file.rpartition("/")
        text = f"{group} = {name!r}: no such config" if group else f"no config {name!r}"
        options = [o for o in (err.options or []) if not o.startswith("base_")]
        return text + (f"; available: {', '.join(options)}" if options else "")
    if isinstance(err, OverrideParseException):
        return f"cannot parse override {err.override!r}: {_one_line(err.message)}"
    if isinstance(err, HydraException) and isinstance(err.__cause__, OmegaConfBaseException):
        err = err.__cause__
    if isinstance(err, OmegaConfBaseException):
        return _omegaconf_message(err)
    override = _failed_override(err)
    return f"{override}: {_one_line(str(err))}" if override else _one_line(str(err))


def _failed_override(err: BaseException) -> str | None:
    """The command-line override Hydra was applying when ``err`` was raised, if any."""
    for frame, _ in reversed(list(traceback.walk_tb(err.__traceback__))):
        override = frame.f_locals.get("override")
        if isinstance(override, Override):
            return override.input_line
    return None


def _one_line(text: str) -> str:
    """``text`` on one line, without OmegaConf's type details and Hydra's web pointers."""
    noise = ("See https://", "reference_type=", "object_type=")
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if line and not line.startswith(noise):
            out += (" " if out.endswith(":") else "; " if out else "") + line
    return out


def _omegaconf_message(err: OmegaConfBaseException) -> str:
    key = err.full_key or str(err.key or "")
    first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
    schema = err.object_type
    if isinstance(err, ConfigAttributeError | ConfigKeyError) and is_dataclass(schema):
        return unknown_key_message(key, [f.name for f in fields(schema)])
    allowed = _allowed_text(key)
    if isinstance(err, OmegaConfValidationError) and allowed:
        return f"{key} = {err.value!r}: must be {allowed}"
    return f"{key}: {first_line}" + (f"; must be {allowed}" if allowed else "")


def _allowed_text(full_key: str) -> str:
    """What a parameter accepts, e.g. ``an int (1 to 5000)``; '' when not a parameter."""
    name = re.sub(r"\[\d+\]$", "", full_key)
    params = param_fields()
    if name == "seed":
        return "an int"
    if name not in params:
        return ""
    _, f = params[name]
    kind = type_name(f)
    if name != full_key:  # an element of a list parameter
        kind = kind.removeprefix("list[").removesuffix("]")
    article = "an" if kind[0] in "aeiou" else "a"
    limits = range_text(dict(f.metadata))
    return f"{article} {kind}" + (f" ({limits})" if limits else "")


# ---------------------------------------------------------------- output files


def write_outputs(result: RunResult, out_dir: Path, tables: bool = True) -> list[Path]:
    """Write summary.json, params.json and (if ``tables``) each table as Parquet, atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {"seed": result.seed, "plan": result.params.plan.name, **result.summary}
    rows = pd.DataFrame([{"replication": 0, "seed": result.seed, **result.summary}])
    written = [write_atomic(out_dir / "summary.json", lambda p: _write_json(p, summary))]
    for name, table in result.tables.items() if tables else ():
        written.append(
            write_atomic(
                out_dir / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, index=False)
            )
        )
    # last: their presence marks the job complete (see _finished)
    written.append(
        write_atomic(out_dir / "replications.parquet", lambda p: rows.to_parquet(p, index=False))
    )
    written.append(_write_params(result.params, result.seed, out_dir))
    return written


def _write_params(params, seed: int, out_dir: Path) -> Path:
    data = {**flatten(params), "seed": seed}
    return write_atomic(out_dir / "params.json", lambda p: _write_json(p, data))


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
    written = [write_atomic(out_dir / "summary.json", lambda p: _write_json(p, summary))]
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
    # last: their presence marks the job complete (see _finished)
    written.append(
        write_atomic(
            out_dir / "replications.parquet",
            lambda p: result.replications.to_parquet(p, index=False),
        )
    )
    written.append(_write_params(result.params, result.seed, out_dir))
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


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps({k: _json_value(v) for k, v in data.items()}, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _json_value(value: Any) -> Any:
    """Plain JSON value: numpy numbers become Python numbers, NaN and infinities null."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else None
    return value


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
