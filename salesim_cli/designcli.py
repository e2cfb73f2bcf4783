"""``salesim-sensitivity``: a sampled design, run in one process, and its sensitivity indices.

    salesim-sensitivity --method sobol --n 64 --param manager.coaching_share=0.05:0.4
        --param plan.commission.weight=0.4:1.0 --replications 2 --jobs 2
        --out sens_out plan=ranking                   # (one command line)
    salesim-sensitivity --design design.yaml          # the same, from a YAML file

Positional arguments are salesim's Hydra overrides of the base configuration
(``plan=ranking``, ``org.n_reps=120``, ``seed=3``). The command samples the
ranges (:func:`simulator.design.sample`), runs every point with a joblib pool
(``--backend ray`` for a Ray cluster), and writes into ``--out``:

- ``runs.parquet`` and ``outcomes.parquet``: the results pair of
  :mod:`simulator.results`, one row per point and replication (``job`` is the
  point), every parameter and every metric; with ``design.parquet`` (the
  points), ``design.json`` and ``chunks/`` (finished points; rerunning the
  command resumes from them);
- ``sensitivity.csv``: the indices with 95% intervals per outcome and parameter;
- ``sensitivity.png``: a bar chart of them, one panel per outcome.

A design file holds the same settings as YAML keys: ``method``, ``n``,
``seed``, ``replications``, ``params`` (``name: [lo, hi]``), ``overrides``
(a list) and ``outcomes`` (a list); options on the command line win over it.
Bad input gives one line, ``salesim-sensitivity: error: ...``, and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import yaml

from salesim_cli.errors import OneLineParser, error_message, fail
from simulator.design import (
    HEADLINE_OUTCOMES,
    INDICES,
    METHODS,
    Design,
    analyse,
    check_backend,
    check_box,
    elapsed_text,
    evaluate,
    parse_range_text,
    parse_space,
    sample,
    timed,
)
from simulator.params import ParamError, SimParams, validate

PROG = "salesim-sensitivity"
DESIGN_KEYS = ("method", "n", "seed", "replications", "params", "overrides", "outcomes")


def _fail(message: str, prog: str = PROG) -> NoReturn:
    fail(message, prog)


# ---------------------------------------------------------------- the plot


def plot_indices(indices: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Save the indices of :func:`simulator.design.analyse` as a bar chart (grey-scale readable).

    One panel per outcome; per parameter one bar per index (dark grey, and
    light grey with hatching), with the 95% interval as an error bar.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    outcomes = list(dict.fromkeys(indices["outcome"]))
    params = list(dict.fromkeys(indices["parameter"]))
    kinds = list(dict.fromkeys(indices["index"]))
    cols = min(2, len(outcomes))
    rows = -(-len(outcomes) // cols)
    height = max(2.2, 0.45 * len(params) * len(kinds) + 1.2)
    fig = Figure(figsize=(6.2 * cols, height * rows), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    styles = [("0.25", ""), ("0.75", "///"), ("0.5", "..")]
    bar = 0.8 / len(kinds)
    for ax, outcome in zip(axes, outcomes, strict=False):
        part = indices[indices["outcome"] == outcome]
        for k, kind in enumerate(kinds):
            rows_k = part[part["index"] == kind].set_index("parameter").reindex(params)
            colour, hatch = styles[k % len(styles)]
            ax.barh(
                [i + (k - (len(kinds) - 1) / 2) * bar for i in range(len(params))],
                rows_k["value"].fillna(0.0),
                height=bar,
                xerr=rows_k["ci95"].where(rows_k["ci95"].notna(), 0.0),
                color=colour,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.6,
                error_kw={"ecolor": "black", "capsize": 2, "elinewidth": 0.8},
                label=kind,
            )
        note = part["note"].iloc[0] if len(part) else ""
        ax.set_title(outcome + (f" ({note})" if note else ""), fontsize="medium")
        ax.set_yticks(range(len(params)), params, fontsize="small")
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel(_axis_label(part["method"].iloc[0] if len(part) else ""))
        ax.set_ylabel("parameter")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(frameon=False, fontsize="small")
    for ax in axes[len(outcomes) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def _axis_label(method: str) -> str:
    return {
        "sobol": "Sobol' index (share of variance), 95% CI",
        "morris": "elementary effect (outcome units), 95% CI on mu*",
        "latin": "delta / first-order index, 95% CI",
    }.get(method, "index")


# ---------------------------------------------------------------- printing


def indices_text(indices: pd.DataFrame) -> str:
    """The indices as a fixed-width table: outcome, parameter, then each index ± its interval."""
    kinds = list(dict.fromkeys(indices["index"]))
    width = max(9, *(len(p) for p in indices["parameter"]))
    with_ci = {k: indices.loc[indices["index"] == k, "ci95"].notna().any() for k in kinds}
    head = f"  {'outcome':<18} {'parameter':<{width}}" + "".join(
        f" {k:>9}{' ± 95%' if with_ci[k] else '':<8}" for k in kinds
    )
    lines = [head]
    for (outcome, param), part in indices.groupby(["outcome", "parameter"], sort=False):
        cells = ""
        for kind in kinds:
            row = part[part["index"] == kind].iloc[0]
            if pd.isna(row["value"]):
                cells += f" {'n/a':>9}{'':8}"
            elif pd.isna(row["ci95"]):
                cells += f" {row['value']:>9.3g}{'':8}"
            else:
                cells += f" {row['value']:>9.3g} ± {row['ci95']:<5.2g}"
        lines.append(f"  {outcome:<18} {param:<{width}}{cells}".rstrip())
    notes = indices.loc[indices["note"] != "", ["outcome", "note"]].drop_duplicates()
    lines += [f"  note: {o}: {n}" for o, n in notes.itertuples(index=False)]
    return "\n".join(lines)


# ---------------------------------------------------------------- the command


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Sample parameter ranges (Latin hypercube, Sobol' or Morris), run every "
        "point in one process, and report first-order and total sensitivity indices of "
        "the headline outcomes.",
        epilog="Overrides are salesim's (Hydra): plan=ranking, org.n_reps=120, seed=3. "
        "Rerunning the same command with the same --out resumes an interrupted design.",
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the base configuration")
    parser.add_argument("--method", choices=METHODS, help="sampler (default: sobol)")
    parser.add_argument(
        "--n",
        type=int,
        help="latin: points; sobol: base samples, a power of 2 (points = n*(D+2)); "
        "morris: trajectories (points = n*(D+1)) (default: 64)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=LO:HI",
        help="a parameter and its range; repeat for each (list elements as NAME[i])",
    )
    parser.add_argument("--design", type=Path, metavar="FILE", help="a YAML design file")
    parser.add_argument("--replications", type=int, help="runs per point (default: 1)")
    parser.add_argument("--seed", type=int, help="seed of the sample and of every point's runs")
    parser.add_argument("--jobs", type=int, default=1, help="parallel workers (-1: all cores)")
    parser.add_argument(
        "--backend", help="joblib backend (default loky processes; 'ray' for a Ray cluster)"
    )
    parser.add_argument(
        "--outcomes",
        help=f"comma-separated metrics to analyse (default: {','.join(HEADLINE_OUTCOMES)})",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("sensitivity"), metavar="DIR", help="output folder"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def read_design_file(path: Path) -> dict[str, Any]:
    """Read a YAML design file; unknown keys and wrong shapes are one-line errors."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as err:
        raise ParamError(f"--design {path}: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        raise ParamError(f"--design {path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ParamError(f"--design {path}: must be a mapping of {', '.join(DESIGN_KEYS)}")
    unknown = [k for k in data if k not in DESIGN_KEYS]
    if unknown:
        raise ParamError(
            f"--design {path}: unknown key {unknown[0]!r}; allowed: {', '.join(DESIGN_KEYS)}"
        )
    params = data.get("params", {}) or {}
    if not isinstance(params, dict) or not all(
        isinstance(v, list | tuple) and len(v) == 2 for v in params.values()
    ):
        raise ParamError(f"--design {path}: params must map each name to [lo, hi]")
    for key in ("overrides", "outcomes"):
        if not isinstance(data.get(key, []), list):
            raise ParamError(f"--design {path}: {key} must be a list")
    return data


def compose_base(overrides: list[str], prog: str = PROG) -> tuple[SimParams, int]:
    """Compose ``conf/`` with Hydra overrides and validate; errors end in one line."""
    from salesim_cli.config import compose_config

    try:
        params, seed = compose_config(overrides)
        return validate(params), seed
    except Exception as err:  # composing and converting is all input handling
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        _fail(error_message(err), prog)


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run's settings: the design file's, then the command line's on top."""
    data = read_design_file(args.design) if args.design is not None else {}
    ranges = {name: tuple(b) for name, b in (data.get("params") or {}).items()}
    ranges.update(dict(parse_range_text(text) for text in args.param))
    outcomes = data.get("outcomes") or list(HEADLINE_OUTCOMES)
    if args.outcomes:
        outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()]
    return {
        "method": args.method or data.get("method", "sobol"),
        "n": args.n if args.n is not None else data.get("n", 64),
        "seed": args.seed if args.seed is not None else data.get("seed"),
        "replications": args.replications or data.get("replications"),
        "ranges": ranges,
        "overrides": [*(str(o) for o in data.get("overrides") or []), *args.overrides],
        "outcomes": outcomes,
    }


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv``: the arguments, default ``sys.argv[1:]``)."""
    args = _parser().parse_intermixed_args(argv)
    try:
        run = settings(args)
        base, config_seed = compose_base(run["overrides"])
        seed = run["seed"] if run["seed"] is not None else config_seed
        replications = run["replications"] or base.run.replications
        if args.jobs == 0:
            raise ParamError("--jobs = 0: must be at least 1, or -1 for every core")
        check_backend(args.backend)
        space = parse_space(run["ranges"], base)
        check_box(base, space)
        design = sample(space, run["method"], run["n"], seed, base)
        out: Path = args.out
        print(
            f"{PROG}: {design.method} design of {len(design.samples)} points x {replications} "
            f"replications over {len(space)} parameters, {args.jobs} job(s) -> {out}",
            file=sys.stderr,
        )
        results, seconds = timed(
            evaluate,
            design,
            base,
            out,
            replications=replications,
            seed=seed,
            n_jobs=args.jobs,
            backend=args.backend,
            progress=not args.no_progress,
        )
        indices = analyse(design, results, run["outcomes"], seed=seed)
    except ParamError as err:
        _fail(str(err))
    write_report(design, indices, out, run["overrides"])
    print(report_text(design, indices, out, len(results), seconds))


def write_report(design: Design, indices: pd.DataFrame, out: Path, overrides: list[str]) -> None:
    """Write sensitivity.csv and sensitivity.png, each atomically."""
    from simulator.io import write_atomic

    write_atomic(out / "sensitivity.csv", lambda p: indices.to_csv(p, index=False))
    base = " ".join(overrides) or "defaults"
    title = f"{design.method} design, {len(design.samples)} points; base: {base}"
    write_atomic(out / "sensitivity.png", lambda p: plot_indices(indices, p, title))


def report_text(design: Design, indices: pd.DataFrame, out: Path, rows: int, seconds: float) -> str:
    """What the command prints: the indices and the files written."""
    kinds = " and ".join(INDICES[design.method])
    lines = [
        f"{design.method} sensitivity ({kinds}) from {len(design.samples)} points, "
        f"{rows} runs in {elapsed_text(seconds)}",
        indices_text(indices),
        "files:",
        *(
            f"  {(out / name).resolve()}"
            for name in ("runs.parquet", "outcomes.parquet", "sensitivity.csv", "sensitivity.png")
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
