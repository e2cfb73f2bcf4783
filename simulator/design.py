"""Designs of experiments over named parameter ranges, evaluated in one process.

A *space* names parameters and their ranges, ``{"manager.coaching_share": (0.05, 0.4)}``,
checked against the metadata of :mod:`simulator.params` (:func:`parse_space`).
:func:`sample` draws a design from it with SALib: a Latin hypercube, Saltelli's
scheme for Sobol' indices, or Morris trajectories. :func:`evaluate` runs every
point of a design on one base configuration, each with the same replication
seeds (common random numbers), in a joblib pool, and returns a tidy table, one
row per point and replication: ``point``, the parameters as columns, then the
outcomes' columns (:mod:`simulator.results`: ``run_id``, ``job`` (the point),
``replication``, ``seed``, ``job_seed``, every metric). With an output folder
it writes the results pair ``runs.parquet`` (every parameter of every run) and
``outcomes.parquet``, and resumes: every finished chunk of points is kept in
``chunks/`` as it comes, and a rerun evaluates only the points no chunk holds.
:func:`analyse` turns the table into sensitivity indices with confidence intervals.

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

import difflib
import itertools
import json
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from simulator.io import write_atomic, write_results
from simulator.params import ParamError, SimParams, flatten, iter_fields, validate
from simulator.results import concat, inputs_table, outcomes_table
from simulator.run import replication_seeds, run_one, with_overrides

METHODS = ("latin", "sobol", "morris")
#: Outcomes analysed by default: attainment, turnover and cost of sales.
HEADLINE_OUTCOMES = ("share_at_quota", "attainment_median", "turnover_total", "cost_of_sales")
#: Indices each method reports (the first has a confidence interval in every method).
INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "latin": ("delta", "S1")}
#: Pairs of parameters that must sum to 1: ranging one sets the other to the rest.
COMPLEMENTS = {
    "plan.team_weight": "plan.individual_weight",
    "plan.individual_weight": "plan.team_weight",
}
MORRIS_LEVELS = 4
DESIGN_FILE = "design.parquet"
MANIFEST_FILE = "design.json"
CHUNK_DIR = "chunks"

_NAME = re.compile(r"^(?P<field>[A-Za-z_][\w.]*?)(?:\[(?P<index>\d+)\])?$")


# ---------------------------------------------------------------- parameter ranges


@dataclass(frozen=True)
class ParamRange:
    """One ranged parameter: dotted name (``[i]`` for a list element) and closed range."""

    name: str
    lo: float
    hi: float
    integer: bool = False

    @property
    def field(self) -> str:
        """The dotted parameter name without any ``[i]`` element index."""
        return _NAME.match(self.name)["field"]

    @property
    def index(self) -> int | None:
        """The list element ranged, or None for a plain parameter."""
        index = _NAME.match(self.name)["index"]
        return None if index is None else int(index)

    def value(self, x: float) -> float | int:
        """The parameter value a sampled ``x`` stands for (rounded for an integer)."""
        return int(round(x)) if self.integer else float(x)


def parse_range_text(text: str) -> tuple[str, tuple[float, float]]:
    """Parse ``NAME=LO:HI`` (the command line's form) into ``(name, (lo, hi))``."""
    name, sep, bounds = text.partition("=")
    lo_text, sep2, hi_text = bounds.partition(":")
    if not (sep and sep2 and name.strip()):
        raise ParamError(
            f"{text!r}: a range is written NAME=LO:HI, e.g. manager.coaching_share=0.05:0.4"
        )
    try:
        return name.strip(), (float(lo_text), float(hi_text))
    except ValueError:
        raise ParamError(
            f"{text!r}: LO and HI must be numbers, e.g. {name.strip()}=0.1:0.5"
        ) from None


def parse_space(
    ranges: Mapping[str, Sequence[float]] | Iterable[str],
    base: SimParams | None = None,
    single_values: bool = False,
) -> dict[str, ParamRange]:
    """Check named ranges against the parameters' metadata; return them as :class:`ParamRange`.

    Args:
        ranges: ``{name: (lo, hi)}`` or strings ``"name=lo:hi"``.
        base: the configuration the ranges vary (list lengths are checked on it).
        single_values: accept ``lo == hi`` (the span of a given design's column).

    Raises:
        ParamError: naming the parameter, for an unknown name, a parameter that is
            not a number, a list without an element index, an empty range or one
            outside the parameter's allowed range.
    """
    if not isinstance(ranges, Mapping):
        ranges = dict(parse_range_text(text) for text in ranges)
    base = base if base is not None else SimParams()
    fields = {name: (value, f) for name, value, f in iter_fields(base)}
    space = {
        name: _check_range(name, bounds, fields, single_values) for name, bounds in ranges.items()
    }
    if not space:
        raise ParamError("no parameter ranges given: name at least one, e.g. NAME=LO:HI")
    both = [name for name in space if COMPLEMENTS.get(name) in space]
    if both:
        raise ParamError(
            f"{' and '.join(both)}: range only one of them (they sum to 1; the other follows)"
        )
    return space


def _check_range(
    name: str, bounds: Sequence[float], fields: dict, single_values: bool = False
) -> ParamRange:
    match = _NAME.match(name)
    if match is None or match["field"] not in fields:
        close = difflib.get_close_matches(name, list(fields), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ParamError(f"{name}: unknown parameter{hint} (python -m salesim_cli.docs lists them)")
    value, f = fields[match["field"]]
    meta = dict(f.metadata)
    if isinstance(value, list):
        if match["index"] is None:
            raise ParamError(f"{name}: a list parameter; range one element, e.g. {name}[0]")
        if int(match["index"]) >= len(value):
            raise ParamError(
                f"{name}: no such element; {match['field']} has {len(value)} in this "
                f"configuration ({value})"
            )
        value = value[0] if value else 0.0
    elif match["index"] is not None:
        raise ParamError(f"{name}: {match['field']} is not a list; drop the [index]")
    if meta.get("choices") or isinstance(value, bool | str):
        raise ParamError(f"{name}: not a numeric parameter; vary it with a sweep over its choices")
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ParamError(f"{name} = {bounds!r}: give a range as two numbers (lo, hi)") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi or (lo == hi and not single_values):
        raise ParamError(f"{name} = {lo:g}:{hi:g}: the low end must be below the high end")
    allowed_lo, allowed_hi = meta.get("lo"), meta.get("hi")
    if (allowed_lo is not None and lo < allowed_lo) or (allowed_hi is not None and hi > allowed_hi):
        limits = " to ".join(
            "any" if b is None else format(b, "g") for b in (allowed_lo, allowed_hi)
        )
        raise ParamError(f"{name} = {lo:g}:{hi:g}: must lie within {limits}")
    return ParamRange(name, lo, hi, integer=isinstance(value, int))


def apply_point(base: SimParams, space: Mapping[str, ParamRange], values: Mapping) -> SimParams:
    """``base`` with the point's ``values`` set (rounded, list elements, complements); validated."""
    changes: dict[str, Any] = {}
    for name, x in values.items():
        item = space[name]
        value = item.value(x)
        if item.index is not None:
            current = changes.get(item.field, list(_get(base, item.field)))
            current[item.index] = value
            changes[item.field] = current
        else:
            changes[item.field] = value
            if item.field in COMPLEMENTS:
                changes[COMPLEMENTS[item.field]] = 1.0 - value
    return validate(with_overrides(base, **changes))


def _get(params: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        params = getattr(params, part)
    return params


def check_box(base: SimParams, space: Mapping[str, ParamRange]) -> None:
    """Validate ``base`` at every corner of the ranges, so that no point fails a cross-field rule.

    The model's cross-field rules (shares of a week, weights summing to 1) are
    linear, so a box whose corners pass holds no failing point.
    """
    names = list(space)
    for corner in itertools.product(*[(space[n].lo, space[n].hi) for n in names]):
        try:
            apply_point(base, space, dict(zip(names, corner, strict=True)))
        except ParamError as err:
            at = ", ".join(f"{n}={v:g}" for n, v in zip(names, corner, strict=True))
            raise ParamError(f"ranges reach a bad configuration at {at}: {err}") from None


# ---------------------------------------------------------------- designs


@dataclass
class Design:
    """A sampled design: the space, the method, and the raw sample (one row per point).

    Attributes:
        space: the ranged parameters, in column order.
        method: ``latin``, ``sobol`` or ``morris``.
        n: the sampler's size argument (points, base samples or trajectories).
        seed: the sampler's seed.
        samples: the raw sample as SALib drew it, shape ``(points, parameters)``.
    """

    space: dict[str, ParamRange]
    method: str
    n: int
    seed: int
    samples: np.ndarray

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem dictionary of the space."""
        return {
            "num_vars": len(self.space),
            "names": list(self.space),
            "bounds": [[r.lo, r.hi] for r in self.space.values()],
        }

    @property
    def table(self) -> pd.DataFrame:
        """One row per point: ``point`` and each parameter's value as run (integers rounded)."""
        columns = {
            name: [r.value(x) for x in self.samples[:, j]]
            for j, (name, r) in enumerate(self.space.items())
        }
        return pd.DataFrame({"point": np.arange(len(self.samples)), **columns})

    def describe(self) -> dict[str, Any]:
        """The design as plain data (method, size, seed, ranges), for manifests and headers."""
        return {
            "method": self.method,
            "n": self.n,
            "seed": self.seed,
            "points": len(self.samples),
            "ranges": {name: [r.lo, r.hi] for name, r in self.space.items()},
        }


def sample(
    space: Mapping[str, ParamRange] | Mapping[str, Sequence[float]] | Iterable[str],
    method: str = "sobol",
    n: int = 64,
    seed: int = 0,
    base: SimParams | None = None,
) -> Design:
    """Draw a design over ``space`` with SALib.

    Args:
        space: parsed ranges, or anything :func:`parse_space` accepts.
        method: ``latin`` (``n`` points), ``sobol`` (Saltelli's scheme without
            second-order terms: ``n * (D + 2)`` points, ``n`` a power of 2) or
            ``morris`` (``n`` trajectories of ``D + 1`` points on 4 levels).
        n: the size, as above.
        seed: the sampler's seed (the same seed gives the same design).
        base: the configuration the ranges vary (for checking list lengths).
    """
    if not all(isinstance(r, ParamRange) for r in dict(space).values()):
        space = parse_space(space, base)
    space = dict(space)
    if method not in METHODS:
        raise ParamError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ParamError(f"n = {n!r}: must be an integer of at least 2")
    if method == "sobol" and n & (n - 1):
        raise ParamError(f"n = {n}: Sobol' sampling needs a power of 2 (e.g. {_pow2_near(n)})")
    problem = Design(space, method, int(n), seed, np.empty((0, len(space)))).problem
    if method == "latin":
        from SALib.sample import latin

        samples = latin.sample(problem, int(n), seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol

        samples = sobol.sample(problem, int(n), calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        samples = morris.sample(problem, int(n), num_levels=MORRIS_LEVELS, seed=seed)
    return Design(space, method, int(n), seed, np.asarray(samples, float))


def _pow2_near(n: int) -> int:
    return 1 << max(1, round(math.log2(max(n, 2))))


# ---------------------------------------------------------------- evaluation


def replicate(params: SimParams, seed: int, replications: int, job: str = "0") -> pd.DataFrame:
    """The outcomes rows of :func:`simulator.run.run_replications` only.

    The same seeds and rows as ``run_replications(params, seed, replications,
    job).replications``, without keeping every run's tables in memory.
    """
    summaries = [run_one(params, s).summary for s in replication_seeds(seed, replications)]
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


# ---------------------------------------------------------------- sensitivity analysis


def point_means(results: pd.DataFrame, outcome: str, n_points: int) -> np.ndarray:
    """The outcome averaged over replications, one value per point ``0 .. n_points - 1``."""
    means = results.groupby("point")[outcome].mean()
    return means.reindex(range(n_points)).to_numpy(float)


def analyse(
    design: Design,
    results: pd.DataFrame,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Sensitivity indices of each outcome to each parameter, with 95% intervals.

    Sobol' designs give first-order (``S1``) and total (``ST``) indices
    (``SALib.analyze.sobol``); Morris designs the mean absolute elementary
    effect ``mu_star`` and its spread ``sigma`` (``SALib.analyze.morris``;
    ``sigma`` has no interval); Latin hypercubes Borgonovo's moment-independent
    ``delta`` and a first-order ``S1`` (``SALib.analyze.delta``). Each outcome
    is first averaged over the replications of a point. The intervals come
    from ``num_resamples`` bootstrap resamples drawn from ``seed``.

    Returns:
        A long table: ``method``, ``outcome``, ``parameter``, ``index``,
        ``value``, ``ci95`` (half-width of the 95% interval; NaN when there is
        none) and ``note`` (why an outcome could not be analysed, else empty).
    """
    missing = [o for o in outcomes if o not in results.columns]
    if missing:
        metrics = [c for c in results.columns if results[c].dtype.kind == "f"]
        raise ParamError(f"outcome {missing[0]!r}: no such metric; one of {', '.join(metrics)}")
    rows = []
    n_points = len(design.samples)
    for outcome in outcomes:
        y = point_means(results, outcome, n_points)
        note = ""
        if not np.isfinite(y).all():
            note = f"undefined at {int((~np.isfinite(y)).sum())} of {n_points} points"
        elif np.ptp(y) == 0:
            note = "constant over the design"
        found = _salib_indices(design, y, seed, num_resamples) if not note else {}
        if found and not all(np.isfinite(v).all() for v, _ in found.values()):
            note = f"too few points for {design.method} indices"
        for j, name in enumerate(design.space):
            for index in INDICES[design.method]:
                value, ci = found.get(index, (None, None)) if found else (None, None)
                rows.append(
                    {
                        "method": design.method,
                        "outcome": outcome,
                        "parameter": name,
                        "index": index,
                        "value": float(value[j]) if value is not None else math.nan,
                        "ci95": float(ci[j]) if ci is not None else math.nan,
                        "note": note,
                    }
                )
    return pd.DataFrame(rows)


def _salib_indices(
    design: Design, y: np.ndarray, seed: int, num_resamples: int
) -> dict[str, tuple]:
    """``{index: (values, ci95 or None)}`` from SALib for one outcome.

    SALib's analyses skip seeding when the seed is 0 (``if seed:``) and the
    delta analysis seeds NumPy's global generator, so they get a seed derived
    from ``seed`` that is never 0, and the global state is restored after.
    """
    from threadpoolctl import threadpool_limits

    seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    state = np.random.get_state()  # noqa: NPY002 (restoring what SALib changes)
    try:
        # Thousands of tiny linear-algebra calls (delta's density estimates):
        # a multi-threaded BLAS spends more time waking threads than computing.
        with threadpool_limits(limits=1, user_api="blas"):
            return _salib_call(design, y, seed, num_resamples)
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _salib_call(design: Design, y: np.ndarray, seed: int, resamples: int) -> dict[str, tuple]:
    problem = design.problem
    if design.method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples, seed=seed)
        return {"S1": (si["S1"], si["S1_conf"]), "ST": (si["ST"], si["ST_conf"])}
    if design.method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            design.samples,
            y,
            num_resamples=resamples,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        mu_star = np.ma.filled(si["mu_star"], np.nan)
        conf = np.ma.filled(si["mu_star_conf"], np.nan)
        return {"mu_star": (mu_star, conf), "sigma": (np.asarray(si["sigma"]), None)}
    si = _delta_analyze(problem, design.samples, y, seed, resamples)
    key = "delta_raw" if "delta_raw" in si else "delta"
    return {"delta": (si[key], si[f"{key}_conf"]), "S1": (si["S1"], si["S1_conf"])}


def _delta_analyze(problem: dict, x: np.ndarray, y: np.ndarray, seed: int, resamples: int) -> dict:
    """SALib's delta analysis, without its changes to the process's warning settings.

    SALib 1.6 sets ``warnings.simplefilter("once")`` and replaces
    ``warnings.formatwarning`` for the whole process; both are restored here.
    Its warnings (about bin sizes of the bootstrap variants "balanced" and
    "step", which are not reported) are recorded and dropped.
    """
    import warnings

    from SALib.analyze import delta

    formatter = warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True):
            return delta.analyze(problem, x, y, num_resamples=resamples, seed=seed, method="all")
    finally:
        warnings.formatwarning = formatter


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
    "Design",
    "ParamRange",
    "analyse",
    "apply_point",
    "check_backend",
    "check_box",
    "evaluate",
    "parse_range_text",
    "parse_space",
    "replicate",
    "sample",
]
