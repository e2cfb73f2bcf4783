"""The validation experiments of ``conf/experiment``: their arms, and running them in-process.

An experiment file is a bundle of Hydra overrides (``# @package _global_``)
whose ``hydra.sweeper.params`` lists the arms, e.g. ``plan: quota_bonus,linear``;
``salesim -m +experiment=NAME`` runs it as a multirun. :func:`run_experiment`
runs the same arms without Hydra's per-job overhead: it composes
``+experiment=NAME`` plus each arm's overrides with
:func:`salesim_cli.config.compose_config` (so the YAML stays the single source of
the overrides) and runs every arm on the same spawned replication seeds, so
replication ``r`` of every arm shares its random numbers (paired comparisons).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources

import pandas as pd
from omegaconf import OmegaConf

from experiments.validation.measures import run_measured_many
from salesim_cli.config import compose_config
from simulator.parallel import process_map
from simulator.params import SimParams, validate
from simulator.run import batches, replication_seeds


@dataclass(frozen=True)
class Arm:
    """One arm of an experiment: its sweep overrides and composed parameters."""

    overrides: dict[str, str]
    params: SimParams


def experiment_names() -> list[str]:
    """Names of the experiment files shipped in ``conf/experiment``, sorted."""
    folder = resources.files("simulator.conf") / "experiment"
    return sorted(f.name[:-5] for f in folder.iterdir() if f.name.endswith(".yaml"))


def sweep_params(name: str) -> dict[str, list[str]]:
    """The experiment's ``hydra.sweeper.params``: parameter -> its values, as override strings."""
    text = (resources.files("simulator.conf") / "experiment" / f"{name}.yaml").read_text()
    node = OmegaConf.create(text)
    params = OmegaConf.select(node, "hydra.sweeper.params", default=None) or {}
    return {str(k): [v.strip() for v in str(vals).split(",")] for k, vals in params.items()}


def arms(name: str, extra: tuple[str, ...] = ()) -> list[Arm]:
    """Every combination of the experiment's sweep values (Hydra's basic sweeper order).

    ``extra`` overrides come last (e.g. ``("run.replications=6",)``).
    """
    grid = sweep_params(name)
    out = []
    for values in itertools.product(*grid.values()):
        chosen = dict(zip(grid, values, strict=True))
        overrides = [f"+experiment={name}", *(f"{k}={v}" for k, v in chosen.items()), *extra]
        params, _ = compose_config(overrides)
        out.append(Arm(chosen, validate(params)))
    return out


def arm_task(args: tuple) -> list[dict]:
    """Rows of some replications of one arm, run side by side (:mod:`simulator.batch`)."""
    name, overrides, params, replications, seed, children = args
    measured = run_measured_many(params, children)
    return [
        {"experiment": name, **overrides, "replication": r, "seed": seed, **m}
        for r, m in zip(replications, measured, strict=True)
    ]


def arm_tasks(
    name: str, overrides: dict, params: SimParams, seed: int, workers: int
) -> list[tuple]:
    """:func:`arm_task`'s tasks for the ``run.replications`` of one arm, cut into batches.

    Replication ``r`` runs on the ``r``-th seed of :func:`simulator.run.replication_seeds`.
    """
    children = replication_seeds(seed, params.run.replications)
    return [
        (name, overrides, params, cut, seed, [children[r] for r in cut])
        for cut in batches(len(children), params, workers)
    ]


def _wanted(arm: Arm, selections: list[dict] | None) -> bool:
    """True when ``arm`` matches one of ``selections`` (sweep parameter -> value, as text)."""
    if selections is None:
        return True
    return any(
        all(str(arm.overrides.get(k)) == str(v) for k, v in chosen.items()) for chosen in selections
    )


def run_experiments(
    names: list[str],
    seed: int = 0,
    extra: tuple[str, ...] = (),
    workers: int = 1,
    only: dict[str, list[dict]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run every arm of each experiment; per experiment one row per arm and replication.

    Each table has the sweep parameters as columns (values as override
    strings), ``replication``, ``seed`` and every measure of
    :func:`~experiments.validation.measures.run_measured`, as the multirun
    collector's ``outcomes.parquet`` keys its runs. Identical for any ``workers``.
    ``only`` (experiment -> arm selections) runs just the arms that match one of
    the selections; an arm's rows are the same whether or not others run.
    """
    tasks = []
    for name in names:
        for arm in arms(name, extra):
            if not _wanted(arm, (only or {}).get(name)):
                continue
            tasks += arm_tasks(name, arm.overrides, arm.params, seed, workers)
    rows = [row for rows in process_map(arm_task, tasks, workers) for row in rows]
    frame = pd.DataFrame(rows)
    return {
        name: frame[frame["experiment"] == name].dropna(axis=1, how="all").reset_index(drop=True)
        for name in names
    }
