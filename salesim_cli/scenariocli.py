"""``salesim scenario=NAME``: run a scenario's variants and write the comparison and report.

    salesim scenario=ranking_vs_team                       # the default organisation
    salesim scenario=admin_trap org=example_saas           # a conf/org/ file
    salesim scenario=coaching_time run.replications=30     # more replications
    salesim scenario=ratchet org.n_reps=16 run.years=1     # any override applies to every variant

Every variant is composed from the command line's overrides, then the
scenario's shared overrides, then the variant's own (later ones win), and runs
on the same seed: replication ``r`` of every variant uses the same spawned
seed (common random numbers).  Written in the run directory, each atomically:
the results pair ``runs.parquet`` and ``outcomes.parquet`` (:mod:`simulator.results`,
one row per variant and replication, ``job`` the variant; rewritten as each
variant finishes, so an interrupted run keeps the finished ones), one Parquet
file per table of the runs (with ``run_id``, ``variant`` and ``replication``
columns), ``variants.json`` (each variant's overrides and flattened
parameters), ``comparison.csv`` and, last, ``report.html``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from salesim_cli.config import compose_config, override_key
from salesim_cli.errors import error_message, fail
from salesim_cli.report import (
    METRIC_FORMATS,
    _value,
    baseline_field_checks,
    field_rows,
    render_report,
)
from simulator.io import json_value, write_atomic, write_results
from simulator.params import ParamError, SimParams, flatten, validate
from simulator.run import with_overrides
from simulator.scenario import (
    Scenario,
    ScenarioResult,
    comparison_table,
    load_scenario,
    run_scenario,
    variant_overrides,
)

#: Command-line keys that are the scenario's own, not parameters of its variants.
OWN_KEYS = ("scenario",)


def run_scenario_job(cfg: DictConfig) -> None:
    """Hydra task for ``scenario=NAME``: compose, run and write; bad input exits with one line."""
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN:
        fail("scenario: runs in a single run (its variants are its sweep); drop -m/--multirun")
    out_dir = Path(hydra_cfg.runtime.output_dir)
    cli = [o for o in hydra_cfg.overrides.task if override_key(o) not in OWN_KEYS]
    # compose() inside the app keeps the app's search path but not a hydra.searchpath override
    cli = [o for o in hydra_cfg.overrides.hydra if o.startswith("hydra.searchpath=")] + cli
    try:
        scenario = load_scenario(str(cfg.scenario))
        replications = (
            int(cfg.run.replications)
            if any(o.startswith("run.replications=") for o in cli)
            else scenario.replications
        )
        if replications < 2:
            raise ParamError(
                f"run.replications = {replications}: a scenario needs at least 2 for its intervals"
            )
        params = compose_variants(scenario, cli, replications)
    except (ParamError, OmegaConfBaseException, HydraException) as err:
        fail(error_message(err))
    seed = int(cfg.seed)
    print(
        f"salesim: scenario {scenario.name}: {len(scenario.variants)} variants x "
        f"{replications} replications, seed {seed}",
        flush=True,
    )
    result = run_scenario(
        scenario,
        params,
        seed,
        replications,
        progress=lambda name: print(f"  running {name}", flush=True),
        done=lambda so_far: write_replications(so_far, out_dir),
    )
    comparison = write_scenario_outputs(result, params, out_dir)
    print(scenario_summary_text(result, comparison, out_dir))


def compose_variants(scenario: Scenario, cli: list[str], replications: int) -> dict[str, SimParams]:
    """Each variant's validated parameters; errors name the variant."""
    params = {}
    for name in scenario.variants:
        try:
            p, _ = compose_config(variant_overrides(scenario, name, cli))
            params[name] = validate(with_overrides(p, **{"run.replications": replications}))
        except (ParamError, OmegaConfBaseException, HydraException) as err:
            message = f"scenario {scenario.name}, variant {name}: {error_message(err)}"
            raise ParamError(message) from err
    return params


def context_line(params: SimParams) -> str:
    """The organisation and run length in one line, for the report and the summary."""
    managers = math.ceil(params.org.n_reps / params.org.span_of_control)
    return (
        f"{params.org.n_reps} rep seats, {managers} managers, {params.run.years} years "
        f"evaluated after {params.run.warmup_years} of warm-up"
    )


def write_replications(result: ScenarioResult, out_dir: Path) -> None:
    """Save the variants finished so far, so that an interrupted scenario keeps them."""
    write_results(out_dir, result.inputs(), result.outcomes())


def write_scenario_outputs(
    result: ScenarioResult, params: dict[str, SimParams], out_dir: Path
) -> pd.DataFrame:
    """Write the run's data, comparison.csv and report.html; return the comparison table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = result.replications()
    first = next(iter(params.values()))
    tables = next(iter(result.variants.values())).runs[0].tables
    for name in tables if first.run.tables != "none" else ():
        table = result.table(name)
        write_atomic(out_dir / f"{name}.parquet", lambda p, t=table: t.to_parquet(p, index=False))
    write_results(out_dir, result.inputs(), result.outcomes())
    scenario = result.scenario
    record = {
        "scenario": scenario.name,
        "seed": result.seed,
        "variants": {
            name: {
                "overrides": list(scenario.variants[name]),
                "params": {k: json_value(v) for k, v in flatten(params[name]).items()},
            }
            for name in scenario.variants
        },
    }
    write_atomic(
        out_dir / "variants.json",
        lambda p: p.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8"),
    )
    comparison = comparison_table(rows, scenario.baseline)
    write_atomic(out_dir / "comparison.csv", lambda p: comparison.to_csv(p, index=False))
    page = render_report(result, comparison, context_line(params[scenario.baseline]))
    write_atomic(out_dir / "report.html", lambda p: p.write_text(page, encoding="utf-8"))
    return comparison


def scenario_summary_text(result: ScenarioResult, comparison: pd.DataFrame, out_dir: Path) -> str:
    """The headline metrics per variant: mean, 95% CI and the change to the baseline."""
    scenario = result.scenario
    by = comparison.set_index(["metric", "variant"])
    width = max(len(v) for v in scenario.variants)
    lines = [
        f"{scenario.title}",
        f"  {'variant':<{width}}  {'mean':>9} {'95% CI':<21} "
        f"change vs {scenario.baseline} [95% CI]",
    ]
    for metric in scenario.headline:
        if (metric, scenario.baseline) not in by.index:
            continue
        label, _, unit = METRIC_FORMATS.get(metric, (metric, 1, ""))
        lines.append(f"{label}" + (f" ({unit})" if unit else ""))
        for i, variant in enumerate(scenario.variants):
            r = by.loc[(metric, variant)]
            ci = f"[{_value(metric, r['ci_low'])}, {_value(metric, r['ci_high'])}]"
            line = f"  {variant:<{width}}  {_value(metric, r['mean']):>9} {ci:<21}"
            if i > 0:
                line += (
                    f" {_value(metric, r['diff'], True)} [{_value(metric, r['diff_ci_low'], True)}"
                    f", {_value(metric, r['diff_ci_high'], True)}]"
                )
            lines.append(line.rstrip())
    lines.extend(field_summary_lines(comparison, scenario.baseline, list(scenario.headline)))
    lines.append(f"report: {(out_dir / 'report.html').resolve()}")
    lines.append(f"outputs: {out_dir.resolve()}")
    return "\n".join(lines)


def field_summary_lines(comparison: pd.DataFrame, baseline: str, metrics: list[str]) -> list[str]:
    """The baseline's levels beside the published span of each (the report lists the sources)."""
    checks, problem = baseline_field_checks(comparison, baseline, metrics)
    if problem:
        return [f"Published figures unavailable: {problem}"]
    if not checks:
        return []
    rows = field_rows(checks)
    width = max(len(r[0]) for r in rows)
    lines = [f"Against published figures ({baseline}; sources in the report)"]
    for (label, mean, _, span, verdict), check in zip(rows, checks, strict=True):
        n = len(check.published)
        lines.append(
            f"  {label:<{width}}  {mean:<24} published {span} "
            f"({n} figure{'s' if n > 1 else ''}): {verdict}"
        )
    return lines
