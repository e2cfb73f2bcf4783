"""``salesim-optimise``: search plan parameters with Optuna for the best objective.

    salesim-optimise --trials 40 --replications 2 --study-dir opt_out
    salesim-optimise --trials 40 --param plan.commission.weight=0.5:1.0 plan=hybrid

Each trial sets the searched parameters (by default the four of
:data:`DEFAULT_SPACE`: commission weight, bonus size, team weight and the
managers' coaching share) on the base configuration (salesim's Hydra
overrides), runs ``--replications`` replications on the same seeds for every
trial (common random numbers) and scores the mean of

    objective = revenue - comp_cost - penalty_per_leaver * excess_leavers

per replication, where ``revenue`` and ``comp_cost`` are the evaluation
window's yearly totals (currency per year, metrics ``revenue`` and
``comp_cost``) and ``excess_leavers = max(0, turnover_total - turnover_limit)
* headcount_mean`` is the number of leavers per year beyond the limit. The
penalty prices each of them (by default 200,000, about the cost of replacing a
rep: recruiting, ramp and lost pipeline).

The study lives in ``--study-dir/study.db`` (SQLite through Optuna's
RDBStorage). ``--trials`` is the number of finished trials the study should
hold: rerunning the same command after an interruption runs only the missing
ones (a trial cut off mid-run is marked failed and its parameters run again),
and a larger ``--trials`` extends the study. The TPE sampler is seeded from
``--seed`` and the number of trials already finished, so the same history
gives the same next trials. The folder then holds

- ``best_plan.yaml``: the best plan as a conf/plan file (``defaults:
  [base_plan, _self_]``, every plan key that differs from the schema's
  default), with a header giving the objective, the study and the command line
  for searched values that are not plan keys (``manager.coaching_share``);
  the same file as ``plan/<name>.yaml``, so ``salesim plan=<name>
  hydra.searchpath=[file://DIR]`` runs it as it is;
- ``runs.parquet`` and ``outcomes.parquet``: the results pair of
  :mod:`simulator.results`, one row per run (``job`` is the trial number) of
  every completed trial: every parameter, and every metric plus the run's
  ``objective`` (a trial's value is their mean). Failed and retried trials
  stay in ``study.db`` (:func:`trials_table` lists every trial).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import joblib
import numpy as np
import pandas as pd
import yaml

from salesim_cli.errors import OneLineParser, fail
from simulator.design import (
    ParamRange,
    apply_point,
    check_backend,
    check_box,
    elapsed_text,
    parallel_backend,
    parse_range_text,
    parse_space,
    timed,
)
from simulator.params import ParamError, PlanParams, SimParams, flatten, validate
from simulator.results import concat, inputs_table, outcomes_table
from simulator.run import replication_seeds, run_many, run_one
from simulator.studies import record_settings, requeue_interrupted

PROG = "salesim-optimise"
STUDY_FILE = "study.db"
#: The trial's attribute holding each run's summary (for the results pair).
RUNS_ATTR = "runs"
#: Plan parameters searched by default: commission weight, bonus size, team weight,
#: and the managers' coaching share (not a plan key: reported as an override).
DEFAULT_SPACE: dict[str, tuple[float, float]] = {
    "plan.commission.weight": (0.3, 1.0),
    "plan.bonus.amounts[0]": (0.0, 0.6),
    "plan.team_weight": (0.0, 0.5),
    "manager.coaching_share": (0.05, 0.4),
}
#: Metrics kept per trial (means over replications) in the study, and printed.
TRIAL_METRICS = (
    "revenue",
    "comp_cost",
    "turnover_total",
    "headcount_mean",
    "share_at_quota",
    "attainment_median",
    "cost_of_sales",
)


@dataclass(frozen=True)
class Objective:
    """Revenue minus comp cost minus a price on each leaver a year beyond a turnover limit.

    Attributes:
        turnover_limit: yearly turnover rate (``turnover_total``) tolerated without penalty.
        penalty_per_leaver: currency charged for each leaver a year beyond the limit.
    """

    turnover_limit: float = 0.35
    penalty_per_leaver: float = 200_000.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.turnover_limit) and self.turnover_limit >= 0):
            raise ParamError(f"turnover limit = {self.turnover_limit!r}: must be a number >= 0")
        if not (math.isfinite(self.penalty_per_leaver) and self.penalty_per_leaver >= 0):
            raise ParamError(f"penalty = {self.penalty_per_leaver!r}: must be a number >= 0")

    def __call__(self, summary: Mapping[str, float]) -> float:
        """The objective of one run's summary metrics (currency per year)."""
        excess = max(0.0, summary["turnover_total"] - self.turnover_limit)
        leavers = excess * summary["headcount_mean"]
        return summary["revenue"] - summary["comp_cost"] - self.penalty_per_leaver * leavers

    def text(self) -> str:
        """The objective in words, for headers and printouts."""
        return (
            f"revenue - comp_cost - {self.penalty_per_leaver:g} x leavers/year above "
            f"turnover {self.turnover_limit:g}"
        )


def _summary_of_run(params: SimParams, seed: Any) -> dict[str, float]:
    return run_one(params, seed).summary


def score(
    params: SimParams, objective: Objective, seed: int, replications: int, n_jobs: int = 1
) -> tuple[float, dict[str, float], list[dict[str, float]]]:
    """Mean objective over the replications, the mean of each metric, and each run's summary.

    The replications run on joblib workers when ``n_jobs`` is not 1; their
    seeds are those of :func:`simulator.run.run_replications`, so the result
    does not depend on ``n_jobs``.
    """
    seeds = replication_seeds(seed, replications)
    if n_jobs == 1 or replications == 1:
        summaries = [run.summary for run in run_many(params, seeds)]
    else:
        summaries = joblib.Parallel(n_jobs=n_jobs)(
            joblib.delayed(_summary_of_run)(params, s) for s in seeds
        )
    values = [objective(s) for s in summaries]
    means = {m: float(np.mean([s[m] for s in summaries])) for m in TRIAL_METRICS}
    return float(np.mean(values)), means, summaries


# ---------------------------------------------------------------- the study


def _settings(
    space: Mapping[str, ParamRange],
    base: SimParams,
    objective: Objective,
    seed: int,
    replications: int,
) -> dict[str, Any]:
    """What a study's trials depend on; stored in the study and checked on resume."""
    base_flat = {
        k: (v if not isinstance(v, float) or math.isfinite(v) else str(v))
        for k, v in flatten(base).items()
    }
    return json.loads(
        json.dumps(
            {
                "space": {n: [r.lo, r.hi] for n, r in space.items()},
                "objective": dataclasses.asdict(objective),
                "seed": seed,
                "replications": replications,
                "base": base_flat,
            }
        )
    )


def open_study(study_dir: Path, settings: dict[str, Any], study_name: str = "salesim"):
    """Create or load the study in ``study_dir/study.db``; refuse one made with other settings.

    Trials left running by an interrupted process are marked failed and their
    parameters queued to run again, so no trial is lost or counted twice. One
    process at a time per study: a second one would take the first one's
    running trials for interrupted ones.
    """
    import optuna

    study_dir.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(f"sqlite:///{(study_dir / STUDY_FILE).resolve()}")
    study = optuna.create_study(
        study_name=study_name, storage=storage, direction="maximize", load_if_exists=True
    )
    changed = record_settings(study, settings)
    if changed:
        raise ParamError(
            f"{study_dir}: holds a study with other settings (differs in {', '.join(changed)}); "
            "choose another --study-dir or remove it"
        )
    requeue_interrupted(study, storage)
    return study


def finished(study) -> int:
    """Number of completed trials in the study."""
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def optimise(
    space: Mapping[str, Sequence[float]] | Mapping[str, ParamRange] | None = None,
    base: SimParams | None = None,
    study_dir: Path | str = "optimise",
    trials: int = 40,
    replications: int = 1,
    seed: int = 0,
    objective: Objective | None = None,
    n_jobs: int = 1,
    progress: bool = False,
    study_name: str = "salesim",
):
    """Run the study in ``study_dir`` until it holds ``trials`` completed trials; return it.

    Args:
        space: ranges searched (default :data:`DEFAULT_SPACE`), as for
            :func:`simulator.design.parse_space`.
        base: the configuration the search varies (default: the defaults).
        study_dir: folder of the study's SQLite file; a rerun continues the study.
        trials: completed trials the study should hold.
        replications: runs per trial, on the same seeds for every trial.
        seed: seed of the runs and of the TPE sampler.
        objective: what is maximised (default :class:`Objective`).
        n_jobs: joblib workers for a trial's replications.
        progress: show a progress bar on stderr.
        study_name: the study's name in the SQLite file.
    """
    import optuna
    from tqdm import tqdm

    base = validate(base if base is not None else SimParams())
    space = _space(space, base)
    check_box(base, space)
    objective = objective if objective is not None else Objective()
    if not isinstance(trials, int) or trials < 1:
        raise ParamError(f"trials = {trials!r}: must be an integer of at least 1")
    if not isinstance(replications, int) or replications < 1:
        raise ParamError(f"replications = {replications!r}: must be an integer of at least 1")
    settings = _settings(space, base, objective, seed, replications)
    study = open_study(Path(study_dir), settings, study_name)
    done = finished(study)
    sampler_seed = int(np.random.SeedSequence([seed, done]).generate_state(1)[0])
    study.sampler = optuna.samplers.TPESampler(seed=sampler_seed)
    with tqdm(total=trials, initial=min(done, trials), unit="trial", disable=not progress) as bar:
        while finished(study) < trials:
            trial = study.ask()
            try:
                values = {
                    name: (
                        trial.suggest_int(name, int(r.lo), int(r.hi))
                        if r.integer
                        else trial.suggest_float(name, r.lo, r.hi)
                    )
                    for name, r in space.items()
                }
                params = apply_point(base, space, values)
                value, metrics, runs = score(params, objective, seed, replications, n_jobs)
            except Exception:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            # an interruption (Ctrl-C) leaves the trial running: the next run retries it
            for name, metric in metrics.items():
                trial.set_user_attr(name, metric)
            trial.set_user_attr(RUNS_ATTR, [_json_summary(r) for r in runs])
            study.tell(trial, value)
            bar.update(1)
    return study


def _space(space, base: SimParams) -> dict[str, ParamRange]:
    space = DEFAULT_SPACE if space is None else space
    if all(isinstance(r, ParamRange) for r in dict(space).values()):
        return dict(space)
    return parse_space(space, base)


def _json_summary(summary: Mapping[str, float]) -> dict[str, Any]:
    """A run's summary as plain JSON values (NaN as None), for the study's storage."""
    from simulator.io import json_value

    return {k: json_value(v) for k, v in summary.items()}


def results_tables(study, base: SimParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The study's results pair: inputs and outcomes of every run of every completed trial.

    ``job`` is the trial number; the outcomes add each run's ``objective``.
    Trials finished before runs were recorded in the study have no rows.
    """
    from optuna.trial import TrialState

    settings = study.user_attrs["settings"]
    seed, objective = settings["seed"], Objective(**settings["objective"])
    inputs, outcomes = [], []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        runs = trial.user_attrs.get(RUNS_ATTR)
        if not runs:
            continue
        summaries = [{k: math.nan if v is None else v for k, v in r.items()} for r in runs]
        job = str(trial.number)
        params = trial_params(study, base, trial)
        inputs.append(inputs_table(job, params, seed, len(summaries)))
        rows = outcomes_table(job, seed, summaries)
        outcomes.append(rows.assign(objective=[objective(s) for s in summaries]))
    return concat(inputs), concat(outcomes)


def trials_table(study) -> pd.DataFrame:
    """One row per trial: number, state, objective, the searched parameters, the metrics."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        attrs = {k: v for k, v in t.user_attrs.items() if k in TRIAL_METRICS}
        rows.append(
            {
                "number": t.number,
                "state": t.state.name,
                "objective": t.value,
                **t.params,
                **attrs,
                "retry_of": t.user_attrs.get("retry_of"),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the best plan


def best_params(study, base: SimParams) -> SimParams:
    """The configuration of the study's best trial."""
    return trial_params(study, base, study.best_trial)


def trial_params(study, base: SimParams, trial) -> SimParams:
    """The configuration a trial of the study ran."""
    space = {
        n: ParamRange(n, lo, hi) for n, (lo, hi) in study.user_attrs["settings"]["space"].items()
    }
    for name, value in trial.params.items():
        space[name] = dataclasses.replace(space[name], integer=isinstance(value, int))
    return apply_point(base, space, trial.params)


def _plan_changes(plan: Any, default: Any) -> dict[str, Any]:
    """Nested dict of the plan's values that differ from the schema's defaults."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(plan):
        value, was = getattr(plan, f.name), getattr(default, f.name)
        if dataclasses.is_dataclass(value):
            inner = _plan_changes(value, was)
            if inner:
                out[f.name] = inner
        elif value != was or f.name == "name":
            out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """Plain YAML value; floats keep every digit, so the file reproduces the trial exactly."""
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def best_plan_yaml(
    study, base: SimParams, name: str, study_dir: Path, overrides: Sequence[str] = ()
) -> str:
    """The best trial's plan as a conf/plan YAML file, with a header saying where it came from."""
    best = study.best_trial
    params = best_params(study, base)
    params = dataclasses.replace(params, plan=dataclasses.replace(params.plan, name=name))
    body = {"defaults": ["base_plan", "_self_"], **_plan_changes(params.plan, PlanParams())}
    settings = study.user_attrs["settings"]
    objective = Objective(**settings["objective"])
    other = {n: _plain(v) for n, v in best.params.items() if not n.startswith("plan.")}
    extra = " ".join(f"{n}={v!r}" for n, v in other.items())
    folder = study_dir.resolve()
    header = [
        f"Best plan of study {study.study_name!r} in {folder / STUDY_FILE}:",
        f"trial {best.number} of {finished(study)} completed, found by salesim-optimise.",
        f"objective = {objective.text()}",
        f"          = {best.value:,.0f} per year (mean of {settings['replications']} "
        f"replication(s), seed {settings['seed']})",
        "searched: " + ", ".join(f"{n} {lo:g}:{hi:g}" for n, (lo, hi) in settings["space"].items()),
        "measured on: " + (" ".join(overrides) if overrides else "the default configuration"),
    ]
    if other:
        header.append(f"not plan keys, give them on the command line: {extra}")
    header.append(
        f"run: salesim plan={name} hydra.searchpath=[file://{folder}]"
        + (f" {extra}" if extra else "")
    )
    text = "\n".join(f"# {line}" for line in header) + "\n"
    return text + yaml.dump(body, Dumper=_PlanDumper, sort_keys=False)


class _PlanDumper(yaml.SafeDumper):
    """YAML as conf/ writes it: nested mappings in block style, lists inline."""


_PlanDumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def write_outputs(
    study, base: SimParams, name: str, study_dir: Path, overrides: Sequence[str] = ()
) -> list[Path]:
    """Write runs.parquet, outcomes.parquet, best_plan.yaml and plan/<name>.yaml, atomically."""
    from simulator.io import write_atomic, write_results

    study_dir = Path(study_dir)
    text = best_plan_yaml(study, base, name, study_dir, overrides)
    (study_dir / "plan").mkdir(exist_ok=True)
    inputs, outcomes = results_tables(study, base)
    return [
        *write_results(study_dir, inputs, outcomes),
        write_atomic(study_dir / "best_plan.yaml", lambda p: p.write_text(text)),
        write_atomic(study_dir / "plan" / f"{name}.yaml", lambda p: p.write_text(text)),
    ]


# ---------------------------------------------------------------- the command


def _fail(message: str) -> NoReturn:
    fail(message, PROG)


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Search plan parameters with Optuna (TPE) for the highest revenue minus "
        "comp cost minus a penalty on turnover above a limit; write the best plan as a "
        "conf/plan YAML file. Rerunning the same command continues the study.",
        epilog="Overrides are salesim's (Hydra): plan=hybrid, org.n_reps=120, seed=3. "
        "Default ranges: "
        + ", ".join(f"{n}={lo:g}:{hi:g}" for n, (lo, hi) in DEFAULT_SPACE.items()),
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the base configuration")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=LO:HI",
        help="a searched parameter and its range; repeat for each (default: the four above)",
    )
    parser.add_argument("--trials", type=int, default=40, help="completed trials wanted (40)")
    parser.add_argument("--replications", type=int, help="runs per trial (default: 1)")
    parser.add_argument("--seed", type=int, help="seed of the runs and the sampler")
    parser.add_argument(
        "--turnover-limit",
        type=float,
        default=Objective.turnover_limit,
        help="yearly turnover rate tolerated without penalty (default 0.35)",
    )
    parser.add_argument(
        "--penalty",
        type=float,
        default=Objective.penalty_per_leaver,
        help="currency per leaver a year above the limit (default 200000)",
    )
    parser.add_argument(
        "--study-dir", type=Path, default=Path("optimise"), metavar="DIR", help="study folder"
    )
    parser.add_argument("--name", default="best_plan", help="name of the plan written")
    parser.add_argument("--jobs", type=int, default=1, help="workers for a trial's replications")
    parser.add_argument("--backend", help="joblib backend ('ray' for a Ray cluster)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    import optuna

    from salesim_cli.designcli import compose_base

    args = _parser().parse_intermixed_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    base, config_seed = compose_base(args.overrides, PROG)
    seed = args.seed if args.seed is not None else config_seed
    try:
        if not re.fullmatch(r"[A-Za-z0-9_][\w-]*", args.name):
            raise ParamError(f"--name = {args.name!r}: letters, digits, _ and - only")
        if args.jobs == 0:
            raise ParamError("--jobs = 0: must be at least 1, or -1 for every core")
        check_backend(args.backend)
        ranges = dict(parse_range_text(t) for t in args.param) if args.param else None
        objective = Objective(args.turnover_limit, args.penalty)
        with parallel_backend(args.backend):
            study, seconds = timed(
                optimise,
                ranges,
                base,
                args.study_dir,
                trials=args.trials,
                replications=args.replications or base.run.replications,
                seed=seed,
                objective=objective,
                n_jobs=args.jobs,
                progress=not args.no_progress,
            )
    except ParamError as err:
        _fail(str(err))
    written = write_outputs(study, base, args.name, args.study_dir, args.overrides)
    print(report_text(study, written, seconds))


def report_text(study, written: list[Path], seconds: float) -> str:
    """What the command prints: the best trial, its parameters and the files written."""
    best = study.best_trial
    lines = [
        f"{finished(study)} trials completed ({elapsed_text(seconds)} this run); "
        f"best: trial {best.number}, objective {best.value:,.0f} per year",
        *(f"  {name:<28} {value:.4g}" for name, value in best.params.items()),
        *(f"  {m:<28} {best.user_attrs[m]:,.4g}" for m in TRIAL_METRICS if m in best.user_attrs),
        "files:",
        *(f"  {p.resolve()}" for p in written),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
