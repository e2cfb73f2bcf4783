"""Cost of the sweep machinery, and the speed-up of parallel workers, for the standard organisation.

Measured in one run, as ratios, on the default organisation (``SimParams()``):

1. **Simulation time**: the sweep's extra jobs (same seeds, same replications)
   run in-process with ``run_replications``, per run.
2. **Sweep overhead per run**: ``salesim -m seed=0..J-1 run.replications=R``
   through Hydra's basic launcher for two sweep sizes ``J_small`` and
   ``J_large``.  The slope of wall time over jobs is the cost of one job
   (composition, the job's folder, writing its tables, the collector's share)
   with the process start-up (paid once per sweep) cancelled out.  Per run:
   ``(slope - R * t_sim) / R``, reported as a share of ``t_sim``, for R = 1
   (one run a job, the naive sweep) and the batch size ``--replications``.
   Target: under 10% at the batch size.
3. **Speed-up of 2 workers**: the same two sweeps through the joblib launcher
   with ``n_jobs=1`` and ``n_jobs=2``; the ratio of their slopes is the
   throughput speed-up a long sweep sees (target at least 1.8x; needs two
   free cores).  The whole-sweep ratio, start-up and worker spawning
   included, is reported beside it.

A benchmark reports; it is not a test: it exits 0 unless ``--check`` is given,
in which case it exits 1 when a target is missed.  Results go to
``benchmarks/results/sweep.json``.

    python benchmarks/bench_sweep.py [--replications 20] [--repeats 3] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from simulator.params import SimParams
from simulator.run import run_one, run_replications

OVERHEAD_TARGET = 0.10
SPEEDUP_TARGET = 1.8
RESULTS = Path(__file__).resolve().parent / "results" / "sweep.json"


def sim_time(jobs: range, replications: int) -> float:
    """Mean seconds of simulation a run of ``jobs``, in-process, exactly as the sweep runs them.

    The same seeds (``seed=j`` for each job ``j``) and replications as the sweep's
    extra jobs, so the comparison with the sweep's slope leaves only the machinery.
    """
    params = SimParams()
    run_one(params, 0)  # warm caches and imports
    t0 = time.perf_counter()
    for seed in jobs:
        run_replications(params, seed, replications)
    return (time.perf_counter() - t0) / (len(jobs) * replications)


def sweep_time(jobs: int, replications: int, *launcher: str) -> float:
    """Wall seconds of ``salesim -m seed=0..jobs-1 run.replications=R`` in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as out:
        args = [
            sys.executable,
            "-m",
            "salesim_cli.cli",
            "-m",
            f"seed=range(0,{jobs})",
            f"run.replications={replications}",
            *launcher,
            f"hydra.sweep.dir={out}",
        ]
        env = {**os.environ, "SALESIM_PROGRESS": "0"}
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        return time.perf_counter() - t0


def per_job(small: int, large: int, replications: int, repeats: int) -> tuple[float, float]:
    """Seconds a job adds to a sweep (slope), and the start-up a sweep pays once."""
    t_small = min(sweep_time(small, replications) for _ in range(repeats))
    t_large = min(sweep_time(large, replications) for _ in range(repeats))
    slope = (t_large - t_small) / (large - small)
    return slope, t_small - small * slope


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20, help="runs per job (batch)")
    parser.add_argument("--small", type=int, default=2, help="jobs in the small sweep")
    parser.add_argument("--large", type=int, default=8, help="jobs in the large sweep")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many timings")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    overhead = {}
    for r in sorted({1, args.replications}):
        t_sim = sim_time(range(args.small, args.large), r)
        slope, startup = per_job(args.small, args.large, r, args.repeats)
        share = (slope - r * t_sim) / (r * t_sim)
        overhead[r] = {
            "sim_seconds_per_run": t_sim,
            "seconds_per_job": slope,
            "startup_seconds": startup,
            "share": share,
        }
        print(
            f"sweep, {r:>3} run(s) a job: {slope:.3f} s a job, of which simulation "
            f"{r * t_sim:.3f} s ({t_sim:.3f} s a run, in-process, same seeds); start-up "
            f"{startup:.2f} s once; overhead per run {share:.1%} of the simulation"
        )

    timings, slopes = {}, {}
    for n_jobs in (1, 2):
        launcher = ["hydra/launcher=cores", f"hydra.launcher.n_jobs={n_jobs}"]
        timings[n_jobs] = {
            jobs: min(sweep_time(jobs, args.replications, *launcher) for _ in range(args.repeats))
            for jobs in (args.small, args.large)
        }
        slopes[n_jobs] = (timings[n_jobs][args.large] - timings[n_jobs][args.small]) / (
            args.large - args.small
        )
    speedup = slopes[1] / slopes[2]
    wall_speedup = timings[1][args.large] / timings[2][args.large]
    print(
        f"joblib, jobs of {args.replications} runs: a job takes {slopes[1]:.2f} s with 1 worker, "
        f"{slopes[2]:.2f} s with 2: throughput speed-up {speedup:.2f}x "
        f"(whole {args.large}-job sweep {timings[1][args.large]:.1f} s vs "
        f"{timings[2][args.large]:.1f} s: {wall_speedup:.2f}x, start-up included; "
        f"cores: {os.cpu_count()})"
    )

    batch_share = overhead[args.replications]["share"]
    met = batch_share < OVERHEAD_TARGET and speedup >= SPEEDUP_TARGET
    print(
        f"targets: overhead {batch_share:.1%} < {OVERHEAD_TARGET:.0%} at "
        f"{args.replications} runs a job; speed-up {speedup:.2f}x >= {SPEEDUP_TARGET}x: "
        f"{'met' if met else 'MISSED'}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "mesa": version("mesa"),
                "hydra": version("hydra-core"),
                "cores": os.cpu_count(),
                "overhead": {str(k): v for k, v in overhead.items()},
                "joblib_seconds": {
                    f"{n}_workers_{j}_jobs": t for n, by in timings.items() for j, t in by.items()
                },
                "speedup_2_workers": speedup,
                "wall_speedup_2_workers": wall_speedup,
                "targets_met": met,
            },
            indent=2,
        )
        + "\n"
    )
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
