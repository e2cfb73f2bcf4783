"""Calibration: does the default organisation land in the MODEL.md section 4 bands?

Runs the default parameters over N seeds (in parallel), and for each banded
metric reports the mean over seeds, its 95% confidence interval and whether
the mean is inside the band; the other headline metrics are reported too.

    python experiments/calibration.py                 # 20 seeds, all cores
    python experiments/calibration.py --seeds 40 --workers 2 --check

Writes ``experiments/results/calibration.json``; with ``--check`` exits 1 when
a banded mean is outside its band. :func:`calibrate` is the library entry the
tests call.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from salesim_cli.config import compose_config
from simulator.parallel import process_map
from simulator.params import SimParams, flatten, validate
from simulator.run import batches, run_many

#: metric -> (low, high) of its band: MODEL.md section 4, then the distribution a
#: leader knows (issue 11: median near quota, top performers under twice it, the
#: company near its number; validation/evidence.yaml gives the sources)
BANDS: dict[str, tuple[float, float]] = {
    "share_at_quota": (0.50, 0.60),
    "turnover_total": (0.25, 0.35),
    "ramp_months_median": (4.0, 6.0),
    "top20_revenue_share": (0.45, 0.65),
    "attainment_median": (0.90, 1.05),
    "attainment_p90": (0.0, 1.9),
    "revenue_vs_target": (0.85, 1.10),
}
RESULTS = Path(__file__).resolve().parent / "results"


def _run_task(task: tuple[list[int], SimParams]) -> list[dict[str, float]]:
    """Headline metrics of some seeds, run side by side (each as it runs alone)."""
    seeds, params = task
    return [{"seed": s, **r.summary} for s, r in zip(seeds, run_many(params, seeds), strict=True)]


def run_seeds(
    seeds: Iterable[int], workers: int = 1, overrides: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row of headline metrics per seed, indexed by seed, in seed order.

    ``overrides`` are command-line overrides (``KEY=VALUE``) of the defaults, so
    a candidate's bands are read at the candidate (``make validate --set``); they
    are composed once, here, not in every seed's task.
    """
    params = validate(compose_config(overrides)[0])
    seeds = list(seeds)
    tasks = [([seeds[i] for i in cut], params) for cut in batches(len(seeds), params, workers)]
    rows = [row for rows in process_map(_run_task, tasks, workers) for row in rows]
    return pd.DataFrame(rows).set_index("seed")


def summarise_seeds(
    runs: pd.DataFrame, bands: dict[str, tuple[float, float]] = BANDS
) -> pd.DataFrame:
    """Per metric: band, mean over seeds, between-seed sd, 95% CI of the mean, inside?

    Banded metrics come first, in :data:`BANDS` order; ``inside`` is NA for the rest.
    """
    metrics = list(bands) + [m for m in runs.columns if m not in bands]
    rows = []
    for metric in metrics:
        values = runs[metric].to_numpy(float)
        values = values[np.isfinite(values)]
        n = values.size
        mean = float(values.mean()) if n else float("nan")
        sd = float(values.std(ddof=1)) if n > 1 else float("nan")
        half = float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
        lo, hi = bands.get(metric, (float("nan"), float("nan")))
        inside = bool(lo <= mean <= hi) if metric in bands else pd.NA
        rows.append(
            {
                "metric": metric,
                "band_lo": lo,
                "band_hi": hi,
                "mean": mean,
                "sd": sd,
                "n": n,
                "ci_lo": mean - half,
                "ci_hi": mean + half,
                "inside": inside,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def calibrate(
    seeds: int | Iterable[int] = 20, workers: int = 1, overrides: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Run the default organisation over ``seeds`` (a count from 0, or the seeds) and summarise.

    Returns the table of :func:`summarise_seeds`; the per-seed runs are in
    ``table.attrs["runs"]`` (a list of dicts, one per seed).
    """
    seed_list = range(seeds) if isinstance(seeds, int) else list(seeds)
    runs = run_seeds(seed_list, workers, overrides)
    table = summarise_seeds(runs)
    table.attrs["runs"] = runs.reset_index().to_dict(orient="records")
    return table


def format_table(table: pd.DataFrame) -> str:
    """The banded metrics, then the other headline metrics, as plain text."""

    def num(x: float) -> str:
        return f"{x:.4g}" if np.isfinite(x) else "nan"

    banded = table[table["inside"].notna()]
    others = table[table["inside"].isna()]
    lines = [f"{'metric':24s} {'band':>13s} {'mean':>9s} {'95% CI':>21s}  inside?"]
    for metric, r in banded.iterrows():
        band = f"{r.band_lo:g}-{r.band_hi:g}"
        ci = f"[{num(r.ci_lo)}, {num(r.ci_hi)}]"
        lines.append(
            f"{metric:24s} {band:>13s} {num(r['mean']):>9s} {ci:>21s}  "
            f"{'yes' if r.inside else 'NO'}"
        )
    lines += ["", f"{'other metric':30s} {'mean':>11s} {'sd':>10s} {'95% CI':>25s}"]
    for metric, r in others.iterrows():
        ci = f"[{num(r.ci_lo)}, {num(r.ci_hi)}]"
        lines.append(f"{metric:30s} {num(r['mean']):>11s} {num(r.sd):>10s} {ci:>25s}")
    return "\n".join(lines)


def write_json(table: pd.DataFrame, path: Path) -> None:
    """Write the summary, the per-seed runs and the parameters as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if path.parent == RESULTS and not ignore.exists():
        ignore.write_text("*\n")
    summary = table.reset_index().astype(object).where(table.reset_index().notna(), None)
    payload = {
        "bands": {k: list(v) for k, v in BANDS.items()},
        "summary": summary.to_dict(orient="records"),
        "runs": table.attrs.get("runs", []),
        "params": flatten(SimParams()),
    }
    path.write_text(json.dumps(payload, indent=1, default=float))


def main(argv: list[str] | None = None) -> int:
    """Command line: run, print the table, write the JSON; exit 1 on ``--check`` misses."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds (default 20)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="parallel processes (default: all cores)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "calibration.json")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a banded mean is outside its band"
    )
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    table = calibrate(seeds, args.workers)
    print(f"default organisation, {args.seeds} seeds from {args.first_seed}\n")
    print(format_table(table))
    write_json(table, args.out)
    print(f"\nwrote {args.out}")
    misses = [m for m, r in table.iterrows() if r["inside"] is False]
    if args.check and misses:
        print(f"outside their bands: {', '.join(misses)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
