"""How salesim's cost grows with the organisation, and how many runs it does a second.

Measured in one run, as ratios (every size in one process, alternating):

1. **Cost per rep-week** at 100, 1,000 and 10,000 rep seats (managers follow
   ``org.span_of_control``: 13, 125 and 1,250), over the default run (a warm-up
   year and three years, 208 weeks): the step loop timed, construction
   apart, best of ``--repeats`` (the largest size once).  Target: the largest
   size's cost per rep-week at most 1.5x the smallest's.
2. **Peak memory** of a whole run (``run_one``, tables included), each size
   in a fresh interpreter: the peak resident memory above the interpreter's
   own (after imports and a tiny run), per rep seat, and the marginal memory
   of a seat between sizes.  Target (linear growth): the marginal memory per
   seat between the two largest sizes at most 1.5x that between the two
   smallest.
3. **Runs per second** of the standard organisation: ``--replications``
   separate runs in one process (``run_one`` on each seed, one after the
   other) against the same seeds as one batch (``run_batch``, whose every
   replication is the separate run bit for bit; :mod:`simulator.batch`).
   Target (issue 14): the batch at least 8x the runs per second.  Both sides
   also time their account layer and their tables and summaries apart (the
   rest is the reps' and managers' week), and so report the speed-up were the
   account layer free, on both sides, and were the output free too: the most
   any work on the account layer could give.  Then a **study**:
   ``--workers`` processes (default: every core), each warmed up, start together
   and run three batches each; the slowest one's time gives the hours 100,000
   default runs take on this machine.  Target (issue 14): under an hour.
4. **Accounting invariants** (:mod:`simulator.invariants`) of the largest
   size's run of (1), four simulated years.  Target: every one holds.

A benchmark reports; it is not a test: it exits 0 unless ``--check`` is given,
in which case it exits 1 when a target is missed.  Results go to
``benchmarks/results/scale.json``.  The default sizes take about four
minutes on one core.

    python benchmarks/bench_scale.py [--sizes 100 1000 10000] [--repeats 3]
                                     [--replications 64] [--seed 0] [--workers N]
                                     [--check]
"""

from __future__ import annotations

import argparse
import functools
import gc
import inspect
import json
import math
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from simulator import run as run_module
from simulator.accounts import Accounts
from simulator.invariants import accounting_invariants
from simulator.metrics import summarise
from simulator.model import SalesModel
from simulator.params import SimParams, validate
from simulator.rows import RowBuilder
from simulator.run import RunResult, replication_seeds, run_batch, run_one, with_overrides

SIZES = (100, 1_000, 10_000)
#: largest size's cost per rep-week over the smallest's (issue 14: within 1.5x)
TARGET_COST_RATIO = 1.5
#: marginal memory per seat, largest sizes over smallest (linear growth: about 1)
TARGET_MEMORY_RATIO = 1.5
#: runs per second of a batch over as many separate runs (issue 14: at least 8x)
TARGET_BATCH_SPEEDUP = 8.0
#: a study's size and the most hours it may take on the machine's cores (issue 14: 100,000
#: default runs in under an hour on 2 cores)
STUDY_RUNS = 100_000
TARGET_STUDY_HOURS = 1.0
RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
#: column widths of the printed table
WIDTHS = (6, 8, 12, 8, 8, 7)


def org(n_reps: int) -> SimParams:
    """The standard organisation with ``n_reps`` rep seats (everything else default)."""
    return validate(with_overrides(SimParams(), **{"org.n_reps": n_reps}))


def _status_mb(field: str) -> float:
    """A memory line of /proc/self/status (Linux), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak() -> bool:
    """Restart the peak resident memory count here (Linux 4.0+); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def memory_child(n_reps: int, seed: int) -> None:
    """In a fresh interpreter: print the peak memory a whole run adds (JSON, MB).

    The peak counts from just before the run (imports and a tiny run done, so
    what they held is not counted); without /proc the peak of the whole process
    stands in, which may hide a small run under the imports' own peak.
    """
    run_one(with_overrides(SimParams(), **{"org.n_reps": 2, "run.years": 1}), seed)  # imports
    gc.collect()
    if sys.platform == "linux" and reset_peak():
        before = _status_mb("VmRSS")
        run_one(org(n_reps), seed)
        peak = _status_mb("VmHWM")
    else:  # ru_maxrss is in bytes on macOS, kB elsewhere
        unit = 2**20 if sys.platform == "darwin" else 2**10
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
        run_one(org(n_reps), seed)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
    print(json.dumps({"n_reps": n_reps, "before_mb": before, "peak_mb": peak}))


def measure_memory(n_reps: int, seed: int) -> dict[str, float]:
    """Peak memory of a whole run of ``n_reps`` seats, from a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(n_reps), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    child = json.loads(out.stdout.strip().splitlines()[-1])
    added = child["peak_mb"] - child["before_mb"]
    return {"run_peak_mb": added, "kb_per_rep": added * 1024 / n_reps}


def time_steps(params: SimParams, seed: int) -> tuple[float, float, SalesModel]:
    """Seconds to build the model and to step it through the run; and the model."""
    t0 = time.perf_counter()
    model = SalesModel(params, seed)
    t1 = time.perf_counter()
    step = model.step
    for _ in range(model.n_weeks):
        step()
    return t1 - t0, time.perf_counter() - t1, model


def scaling(sizes: list[int], repeats: int, seed: int) -> tuple[dict[int, dict], dict[str, Any]]:
    """Cost per rep-week at each size (one process), and the largest run's invariants."""
    largest = max(sizes)
    times: dict[int, dict[str, list[float]]] = {
        n: {"construct_s": [], "steps_s": []} for n in sizes
    }
    invariants: dict[str, Any] = {}
    weeks = 0
    for r in range(repeats):  # alternate, so drift in machine load hits every size alike
        for n in sizes:
            if r > 0 and n == largest:
                continue
            params = org(n)
            construct, steps, model = time_steps(params, seed)
            times[n]["construct_s"].append(construct)
            times[n]["steps_s"].append(steps)
            weeks = model.n_weeks
            if n == largest and r == 0:
                tables = model.tables()
                result = RunResult(seed, params, tables, summarise(tables, model.n_seats))
                checks = accounting_invariants(result)
                invariants = {
                    "n_reps": n,
                    "years": weeks / 52,
                    "deals": len(tables["deals"]),
                    "hires": int(tables["weekly"]["hires"].sum()),
                    "checks": checks,
                    "all_hold": all(checks.values()),
                }
                del tables, result
            del model
            gc.collect()
    out = {}
    for n in sizes:
        best = min(times[n]["steps_s"])
        managers = math.ceil(n / SimParams().org.span_of_control)
        out[n] = {
            "n_reps": n,
            "n_managers": managers,
            "weeks": weeks,
            "us_per_rep_week": best / (n * weeks) * 1e6,
            "us_per_agent_step": best / ((n + managers) * weeks) * 1e6,
            "best_steps_s": best,
            "steps_s": times[n]["steps_s"],
            "construct_s": times[n]["construct_s"],
        }
    return out, invariants


class Layers:
    """Seconds spent in two layers of a run, timed by wrapping their entry points.

    **accounts**: the account arrays' rules and views (every public method of
    :class:`~simulator.accounts.Accounts`, timed where the outermost one is entered).
    **output**: building each replication's tidy tables and its summary. The rest
    of a run is the organisation's week: its reps and managers (Mesa agents), their
    time, pay, learning, hires and quits, and the week's recording. While entered,
    the wrappers replace the methods; they change no number, and cost about a
    microsecond a call (a run alone makes some 4,000 such calls: about 0.5% of its
    time, so the runs-per-second figures lean that much towards the batch).
    """

    def __init__(self) -> None:
        self.seconds = {"accounts": 0.0, "output": 0.0}
        self._depth = 0
        self._saved: list[tuple[object, str, object]] = []

    def _timed(self, owner: object, name: str, layer: str) -> None:
        original = vars(owner)[name]
        self._saved.append((owner, name, original))

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return original(*args, **kwargs)
            self._depth += 1
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[layer] += time.perf_counter() - t0
                self._depth -= 1

        setattr(owner, name, timed)

    def __enter__(self) -> Layers:
        for cls in Accounts.__mro__:
            if cls.__module__.startswith("simulator."):
                for name, value in list(vars(cls).items()):
                    if inspect.isfunction(value) and not name.startswith("_"):
                        self._timed(cls, name, "accounts")
        self._timed(RowBuilder, "batch_tables", "output")
        self._timed(run_module, "summarise", "output")
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, value in reversed(self._saved):
            setattr(owner, name, value)
        self._saved.clear()


def throughput(replications: int, seed: int) -> dict[str, Any]:
    """Runs per second of the standard organisation: separate runs, and the same as a batch.

    Also where each spends its time (:class:`Layers`), and the batch's speed-up were
    the account layer free (in the runs alone too: they run the same code), and the
    output too: how far a faster account layer could take the speed-up.
    """
    params = SimParams()
    with Layers() as alone:
        t0 = time.perf_counter()
        for s in replication_seeds(seed, replications):
            run_one(params, s)
        separate = time.perf_counter() - t0
    with Layers() as together:
        t0 = time.perf_counter()
        run_batch(params, replication_seeds(seed, replications))
        batch = time.perf_counter() - t0
    one, many = replications / separate, replications / batch
    accounts, output = together.seconds["accounts"], together.seconds["output"]
    accounts_alone, output_alone = alone.seconds["accounts"], alone.seconds["output"]
    return {
        "batch_replications": replications,
        "separate_s": separate,
        "single_runs_per_s": one,
        "batch_s": batch,
        "batch_runs_per_s": many,
        "batch_over_single": many / one,
        "target_batch_speedup": TARGET_BATCH_SPEEDUP,
        "separate_accounts_s": accounts_alone,
        "separate_output_s": output_alone,
        "batch_accounts_s": accounts,
        "batch_output_s": output,
        "speedup_free_accounts": (separate - accounts_alone) / (batch - accounts),
        "speedup_free_accounts_and_output": (separate - accounts_alone - output_alone)
        / (batch - accounts - output),
    }


def _study_worker(barrier: Any, first: int, replications: int, batches: int, out: Any) -> None:
    """A study's worker: a batch to warm up, then, once every worker is ready, its batches."""
    run_batch(SimParams(), [0, 1])
    barrier.wait()
    t0 = time.perf_counter()
    for b in range(batches):
        start = first + b * replications
        run_batch(SimParams(), list(range(start, start + replications)))
    out.put(time.perf_counter() - t0)


def study(replications: int, workers: int, batches: int = 3) -> dict[str, Any]:
    """Runs per second of a study on ``workers`` processes, each running batches at once.

    Each worker warms up on a small batch of its own, waits until all are ready, then
    runs ``batches`` batches of ``replications`` (other seeds each); the study's time is
    the slowest worker's: what ``run_many`` over cores gives a sweep or a design, and so
    the hours for :data:`STUDY_RUNS` runs.
    """
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(workers), context.Queue()
    procs = [
        context.Process(
            target=_study_worker,
            args=(barrier, 1_000 + i * batches * replications, replications, batches, out),
        )
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    wall = max(out.get() for _ in procs)
    for proc in procs:
        proc.join()
    runs = workers * batches * replications
    return {
        "study_workers": workers,
        "study_runs": runs,
        "study_s": wall,
        "study_runs_per_s": runs / wall,
        "study_hours_for_100k": STUDY_RUNS / (runs / wall) / 3600,
        "target_study_hours": TARGET_STUDY_HOURS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="rep seats")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per size (best counts)")
    parser.add_argument("--replications", type=int, default=64, help="runs in the batch")
    parser.add_argument("--seed", type=int, default=0, help="seed of every run (same work each)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes of the study measure"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child is not None:
        memory_child(args.memory_child, args.seed)
        return 0
    sizes = sorted(set(args.sizes))
    if len(sizes) < 2:
        parser.error("--sizes: give at least two sizes")

    by_size, invariants = scaling(sizes, args.repeats, args.seed)
    for n in sizes:
        by_size[n].update(measure_memory(n, args.seed))
    runs = throughput(args.replications, args.seed)
    runs.update(study(args.replications, args.workers))

    small, large = by_size[sizes[0]], by_size[sizes[-1]]
    cost_ratio = large["us_per_rep_week"] / small["us_per_rep_week"]
    marginal = [
        (by_size[b]["run_peak_mb"] - by_size[a]["run_peak_mb"]) * 1024 / (b - a)
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    memory_ratio = marginal[-1] / marginal[0] if marginal[0] > 0 else math.inf
    met = {
        "cost_ratio": cost_ratio <= TARGET_COST_RATIO,
        "memory_linear": memory_ratio <= TARGET_MEMORY_RATIO,
        "invariants": bool(invariants.get("all_hold")),
        "batch_speedup": runs["batch_over_single"] >= TARGET_BATCH_SPEEDUP,
        "study_hours": runs["study_hours_for_100k"] < TARGET_STUDY_HOURS,
    }

    py, mesa_version = platform.python_version(), version("mesa")
    print(
        f"bench_scale: Python {py}, Mesa {mesa_version}, numpy {version('numpy')}; seed {args.seed}"
    )
    header = ("reps", "managers", "us/rep-week", "steps s", "MB/run", "kB/rep")
    print("  " + " ".join(f"{h:>{w}}" for h, w in zip(header, WIDTHS, strict=True)))
    for n in sizes:
        r = by_size[n]
        print(
            f"  {n:>6} {r['n_managers']:>8} {r['us_per_rep_week']:>12.2f} "
            f"{r['best_steps_s']:>8.2f} {r['run_peak_mb']:>8.1f} {r['kb_per_rep']:>7.1f}"
        )
    print(
        f"  cost per rep-week, {sizes[-1]} / {sizes[0]}: {cost_ratio:.2f} "
        f"(target <= {TARGET_COST_RATIO:g}) -> {'met' if met['cost_ratio'] else 'NOT met'}"
    )
    steps = ", ".join(f"{m:.1f}" for m in marginal)
    print(
        f"  marginal memory per seat (kB) between sizes: {steps}; ratio {memory_ratio:.2f} "
        f"(target <= {TARGET_MEMORY_RATIO:g}) -> {'met' if met['memory_linear'] else 'NOT met'}"
    )
    print(
        f"  runs/s: {args.replications} separate runs {runs['single_runs_per_s']:.2f}, as one "
        f"batch {runs['batch_runs_per_s']:.2f} ({runs['batch_over_single']:.2f}x; target >= "
        f"{TARGET_BATCH_SPEEDUP:g}) -> {'met' if met['batch_speedup'] else 'NOT met'}"
    )
    print(
        f"    the batch's {runs['batch_s']:.2f} s: account layer {runs['batch_accounts_s']:.2f} s, "
        f"tables and summaries {runs['batch_output_s']:.2f} s (separately: "
        f"{runs['separate_accounts_s']:.2f} s and {runs['separate_output_s']:.2f} s of "
        f"{runs['separate_s']:.2f} s); the speed-up were the account layer free: "
        f"{runs['speedup_free_accounts']:.2f}x, and the output too: "
        f"{runs['speedup_free_accounts_and_output']:.2f}x"
    )
    print(
        f"  a study on {args.workers} processes (batches of {args.replications}): "
        f"{runs['study_runs_per_s']:.2f} runs/s, {STUDY_RUNS:,} runs in "
        f"{runs['study_hours_for_100k']:.2f} h (target < {TARGET_STUDY_HOURS:g}) -> "
        f"{'met' if met['study_hours'] else 'NOT met'}"
    )
    checks = invariants.get("checks", {})
    failed = [k for k, ok in checks.items() if not ok]
    print(
        f"  invariants at {invariants.get('n_reps')} reps x {invariants.get('years'):g} years: "
        f"{len(checks) - len(failed)}/{len(checks)} hold" + (f"; FAILED {failed}" if failed else "")
    )

    record = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": py,
        "mesa": mesa_version,
        "numpy": version("numpy"),
        "machine": platform.machine(),
        "seed": args.seed,
        "repeats": args.repeats,
        "sizes": [by_size[n] for n in sizes],
        "cost_ratio": cost_ratio,
        "target_cost_ratio": TARGET_COST_RATIO,
        "marginal_kb_per_rep": marginal,
        "memory_ratio": memory_ratio,
        "target_memory_ratio": TARGET_MEMORY_RATIO,
        "throughput": runs,
        "invariants": invariants,
        "targets_met": met,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 1 if args.check and not all(met.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
