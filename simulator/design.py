"""Designs of experiments over named parameter ranges, evaluated in one process.

A *space* names parameters and their ranges, ``{"manager.coaching_share": (0.05, 0.4)}``,
checked against the metadata of :mod:`simulator.params` (:func:`parse_space`, in
:mod:`simulator.space`). :func:`sample` (:mod:`simulator.sampling`) draws a design
from it with SALib: a Latin hypercube, Saltelli's scheme for Sobol' indices, or
Morris trajectories. :func:`evaluate`, here, runs every
point of a design on one base configuration, each with the same replication
seeds (common random numbers), in a joblib pool, and returns a tidy table, one
row per point and replication: ``point``, the parameters as columns, then the
outcomes' columns (:mod:`simulator.results`: ``run_id``, ``job`` (the point),
``replication``, ``seed``, ``job_seed``, every metric). With an output folder
it writes the results pair ``runs.parquet`` (every parameter of every run) and
``outcomes.parquet``, and resumes: every finished chunk of points is kept in
``chunks/`` as it comes, and a rerun evaluates only the points no chunk holds.
:func:`analyse` (:mod:`simulator.sensitivity`) turns the table into sensitivity
indices with confidence intervals. This module re-exports the names of all three,
so ``from simulator.design import sample, evaluate, analyse`` is the one import.

A list parameter is ranged one element at a time, ``plan.bonus.amounts[0]``.
``plan.team_weight`` and ``plan.individual_weight`` must sum to 1, so ranging
one sets the other to its complement. Integer parameters are rounded to the
nearest integer after sampling; the analysis uses the unrounded sample.

This module runs the model and imports no configuration, plotting or optimisation
code: the base organisation comes as parameters (a front end composes them from
override strings, :func:`salesim_cli.config.compose_config`), and files are
written atomically (:func:`simulator.io.write_atomic`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from simulator.io import write_atomic, write_results
from simulator.params import ParamError, SimParams, flatten, validate
from simulator.results import concat, inputs_table, outcomes_table
from simulator.run import replication_seeds, run_many
from simulator.sampling import METHODS, MORRIS_LEVELS, Design, sample
from simulator.sensitivity import HEADLINE_OUTCOMES, INDICES, analyse, point_means
from simulator.space import (
    COMPLEMENTS,
    ParamRange,
    apply_point,
    check_box,
    parse_range_text,
    parse_space,
)

DESIGN_FILE = "design.parquet"
MANIFEST_FILE = "design.json"
CHUNK_DIR = "chunks"


# ---------------------------------------------------------------- evaluation


def replicate(params: SimParams, seed: int, replications: int, job: str = "0") -> pd.DataFrame:
    """The outcomes rows of :func:`simulator.run.run_replications` only.

    The same seeds and rows as ``run_replications(params, seed, replications,
    job).replications``, without keeping every run's tables in memory.
    """
    summaries = [run.summary for run in run_many(params, replication_seeds(seed, replications))]
    return outcomes_table(job, seed, summaries)


def _run_chunk(
    points: list[int], params: list[SimParams], seed: int, replications: int
) -> pd.DataFrame:
    """Run a chunk of points in a worker: outcomes rows, one per point and replication."""
    frames = [
        replicate(p, seed, replications, job=str(point))
        for point, p in zip(points, params, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


def check_backend(backend: str | None) -> None:
    """Refuse a joblib backend name that is neither registered nor ``ray``."""
    known = [*joblib.parallel.BACKENDS, "ray"]
    if backend is not None and backend not in known:
        raise ParamError(f"backend = {backend!r}: must be one of {', '.join(known)}")


@contextmanager
def parallel_backend(backend: str | None) -> Iterator[None]:
    """Set joblib's backend for the block: None (loky), any joblib backend, or ``ray``.

    ``ray`` registers Ray's joblib backend, so a design runs on a Ray cluster
    (``ray.init(address=...)`` first, or set ``RAY_ADDRESS``); ray itself is
    not a requirement of salesim.
    """
    if backend is None:
        yield
        return
    check_backend(backend)
    if backend == "ray":
        try:
            from ray.util.joblib import register_ray
        except ImportError:
            raise ParamError(
                "backend = 'ray': ray is not installed (pip install 'ray[default]')"
            ) from None
        register_ray()
    with joblib.parallel_config(backend=backend):
        yield


def _base_params(base: SimParams | None) -> SimParams:
    if base is None:
        return SimParams()
    if not isinstance(base, SimParams):
        raise TypeError(
            f"base must be SimParams or None, not {type(base).__name__}: compose override "
            "strings first (salesim_cli.config.compose_config)"
        )
    return validate(base)


def evaluate(
    design: Design | pd.DataFrame,
    base: SimParams | None = None,
    out_dir: Path | str | None = None,
    replications: int = 1,
    seed: int = 0,
    n_jobs: int = 1,
    backend: str | None = None,
    progress: bool = False,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """Run every point of a design and return the tidy results table.

    Every point runs ``replications`` replications on the seeds spawned from
    ``seed``, the same for every point (common random numbers), so differences
    between points are the parameters' doing, and the numbers do not depend on
    ``n_jobs``, the chunking or the order the points ran in.

    Args:
        design: a :class:`Design`, or a table with a ``point`` column and one
            column per parameter (dotted names; ``[i]`` for a list element).
        base: the configuration the design varies: parameters or None (the
            defaults); a front end composes override strings into parameters.
        out_dir: folder for the results pair ``runs.parquet`` and
            ``outcomes.parquet`` (and ``design.parquet``, ``design.json``,
            ``chunks/``); a rerun with the same design resumes.
            None: nothing is written.
        replications: runs per point.
        seed: the seed the replications' seeds are spawned from.
        n_jobs: joblib workers (-1: every core).
        backend: joblib backend (None: loky processes; ``"ray"`` for a cluster).
        progress: show a progress bar (points done, time left) on stderr.
        chunk_size: points per task and per chunk file (default: a few chunks a worker).

    Returns:
        One row per point and replication: ``point``, the parameters, then the
        outcomes' keys (``run_id``, ``job``, ``replication``, ``seed``,
        ``job_seed``) and every metric, ordered by point.
    """
    check_backend(backend)
    table = design.table if isinstance(design, Design) else design.reset_index(drop=True)
    names = [c for c in table.columns if c != "point"]
    base_params = _base_params(base)
    if isinstance(design, Design):
        space = design.space
    else:
        spans = {n: (float(table[n].min()), float(table[n].max())) for n in names}
        space = parse_space(spans, base_params, single_values=True)
    if not isinstance(replications, int) or replications < 1:
        raise ParamError(f"replications = {replications!r}: must be an integer of at least 1")
    points = table["point"].astype(int).tolist()
    if len(set(points)) != len(points):
        raise ParamError("design: the point column repeats a point; points must be unique")
    params = {}
    for point, values in zip(points, table[names].to_dict("records"), strict=True):
        try:
            params[point] = apply_point(base_params, space, values)
        except ParamError as err:
            raise ParamError(f"design point {point}: {err}") from None

    chunk_dir = None
    if out_dir is not None:
        out_dir = Path(out_dir)
        chunk_dir = out_dir / CHUNK_DIR
        manifest = _manifest(design, table, base_params, replications, seed)
        _claim_folder(out_dir, manifest, table)
    finished = _read_chunks(chunk_dir)
    done = set(finished["job"].astype(int)) if finished is not None else set()
    todo = [p for p in points if p not in done]
    frames = [finished] if finished is not None else []
    frames += _run_points(
        todo,
        params,
        seed,
        replications,
        n_jobs,
        backend,
        progress,
        chunk_size,
        chunk_dir,
        len(done),
    )
    rows = concat(frames)
    outcomes = _in_order(rows[rows["job"].astype(int).isin(points)])
    if out_dir is not None:
        inputs = concat(inputs_table(str(p), params[p], seed, replications) for p in points)
        write_results(out_dir, inputs, outcomes)
    return _tidy(outcomes, table, names)


def _manifest(
    design: Design | pd.DataFrame,
    table: pd.DataFrame,
    base: SimParams,
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """What makes a folder's results what they are: the design, the base, seeds, replications."""
    about = design.describe() if isinstance(design, Design) else {"points": len(table)}
    base_flat = {
        k: (v if not isinstance(v, float) or math.isfinite(v) else str(v))
        for k, v in flatten(base).items()
    }
    return {"design": about, "replications": replications, "seed": seed, "base": base_flat}


def _claim_folder(out_dir: Path, manifest: dict[str, Any], table: pd.DataFrame) -> None:
    """Write the folder's manifest and design, or check that they match a previous run."""
    path = out_dir / MANIFEST_FILE
    want = json.loads(json.dumps(manifest))
    if path.exists():
        have = json.loads(path.read_text())
        changed = [key for key in want if have.get(key) != want[key]]
        same_table = (out_dir / DESIGN_FILE).exists() and pd.read_parquet(
            out_dir / DESIGN_FILE
        ).equals(table)
        if changed or not same_table:
            what = ", ".join(changed) if changed else "design points"
            raise ParamError(
                f"{out_dir}: holds results of another design (differs in {what}); "
                "choose another output folder or remove it"
            )
        return
    (out_dir / CHUNK_DIR).mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / DESIGN_FILE, lambda p: table.to_parquet(p, index=False))
    write_atomic(path, lambda p: p.write_text(json.dumps(want, indent=2) + "\n"))


def _chunk_files(chunk_dir: Path | None) -> list[Path]:
    if chunk_dir is None or not chunk_dir.exists():
        return []
    return sorted(chunk_dir.glob("points-*.parquet"))


def _read_chunks(chunk_dir: Path | None) -> pd.DataFrame | None:
    """The rows of every finished chunk in ``chunk_dir``, or None when there is none."""
    files = _chunk_files(chunk_dir)
    if not files:
        return None
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def _chunks(todo: list[int], n_jobs: int, chunk_size: int | None) -> list[list[int]]:
    workers = joblib.cpu_count() if n_jobs < 0 else max(1, n_jobs)
    size = chunk_size or max(1, min(16, math.ceil(len(todo) / (4 * workers))))
    return [todo[i : i + size] for i in range(0, len(todo), size)]


def _run_points(
    todo: list[int],
    params: dict[int, SimParams],
    seed: int,
    replications: int,
    n_jobs: int,
    backend: str | None,
    progress: bool,
    chunk_size: int | None,
    chunk_dir: Path | None,
    already: int = 0,
) -> list[pd.DataFrame]:
    """Run the points in chunks on joblib workers; write each chunk's file as it finishes.

    The progress bar counts ``already`` finished points (of an earlier run) as done.
    """
    if not todo:
        return []
    from tqdm import tqdm

    chunks = _chunks(todo, n_jobs, chunk_size)
    tasks = (
        joblib.delayed(_run_chunk)(chunk, [params[p] for p in chunk], seed, replications)
        for chunk in chunks
    )
    frames = []
    with (
        parallel_backend(backend),
        tqdm(
            total=len(todo) + already,
            initial=already,
            unit="point",
            disable=not progress,
            smoothing=0.1,
        ) as bar,
    ):
        pool = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        for rows in pool(tasks):
            if chunk_dir is not None:
                point = rows["job"].astype(int)
                first, last = int(point.min()), int(point.max())
                path = chunk_dir / f"points-{first:07d}-{last:07d}.parquet"
                write_atomic(path, lambda p, r=rows: r.to_parquet(p, index=False))
            frames.append(rows)
            bar.update(rows["job"].nunique())
    return frames


def _in_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Outcomes rows ordered by point, then replication."""
    order = rows.assign(_point=rows["job"].astype(int))
    order = order.sort_values(["_point", "replication"], kind="stable")
    return order.drop(columns="_point").reset_index(drop=True)


def _tidy(outcomes: pd.DataFrame, table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Outcomes joined to their point's parameters: point, parameters, keys, metrics."""
    point = pd.DataFrame({"point": outcomes["job"].astype(int)})
    out = point.merge(table[["point", *names]], on="point", how="left")
    return pd.concat([out, outcomes.reset_index(drop=True)], axis=1)


def elapsed_text(seconds: float) -> str:
    """A duration as ``1 h 02 min``, ``3 min 05 s`` or ``4.2 s``."""
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{seconds:.1f} s"


def timed(fn, *args, **kwargs) -> tuple[Any, float]:
    """``(fn(*args, **kwargs), seconds it took)``."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


__all__ = [
    "COMPLEMENTS",
    "HEADLINE_OUTCOMES",
    "INDICES",
    "METHODS",
    "MORRIS_LEVELS",
    "Design",
    "ParamRange",
    "analyse",
    "apply_point",
    "check_backend",
    "check_box",
    "elapsed_text",
    "evaluate",
    "parallel_backend",
    "parse_range_text",
    "parse_space",
    "point_means",
    "replicate",
    "sample",
    "timed",
]
