"""Speed of salesim against Mesa's own Boltzmann wealth example, per agent-step.

Runs, in one process, the standard organisation (``SimParams()`` defaults) and
``mesa.examples.basic.boltzmann_wealth_model`` with the same number of agents
(rep seats plus managers) and the same number of steps, several times each,
alternating, and reports the best time of the step loop (construction is timed
separately and excluded from the headline number) as microseconds per
agent-step, and the ratio salesim / Boltzmann. It also times the same
organisation as one batch of ``--batch`` replications side by side
(:mod:`simulator.batch`; each replication bit for bit its seed's run alone),
per agent-step of all of them, best of ``--batch-repeats``: what an agent-step
costs when a study runs its replications as batches.

A benchmark reports; it is not a test: it exits 0 unless ``--check`` is given,
in which case it exits 1 when the ratio exceeds the target.

    python benchmarks/bench_speed.py [--repeats 5] [--batch 64] [--batch-repeats 2]
                                     [--seed 0] [--check]
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mesa.examples.basic.boltzmann_wealth_model.model as boltzmann_module

from simulator.model import SalesModel
from simulator.params import SimParams, validate

TARGET_RATIO = 5.0
RESULTS = Path(__file__).resolve().parent / "results" / "speed.json"


def make_boltzmann(n_agents: int, seed: int) -> Any:
    """Build Mesa's Boltzmann wealth model with ``n_agents`` on its default 10x10 grid.

    Mesa <= 3.3 takes ``n=, width=, height=, seed=``; Mesa 3.5 takes one
    ``BoltzmannScenario(n=..., rng=...)``.  Chosen by the constructor's
    signature, not by version string, so neither path warns.
    """
    cls = boltzmann_module.BoltzmannWealth
    params = inspect.signature(cls.__init__).parameters
    if "scenario" in params:
        scenario = boltzmann_module.BoltzmannScenario(n=n_agents, width=10, height=10, rng=seed)
        return cls(scenario)
    if "n" in params:
        return cls(n=n_agents, width=10, height=10, seed=seed)
    raise RuntimeError(f"unknown BoltzmannWealth signature: {inspect.signature(cls.__init__)}")


def time_run(build: Callable[[], Any], n_steps: int) -> tuple[float, float]:
    """Seconds to construct the model and to run ``n_steps`` steps of it."""
    t0 = time.perf_counter()
    model = build()
    t1 = time.perf_counter()
    step = model.step
    for _ in range(n_steps):
        step()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each model (best counts)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every run (same work each)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if ratio > {TARGET_RATIO}")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument("--batch", type=int, default=64, help="replications in the batch (0: none)")
    parser.add_argument("--batch-repeats", type=int, default=2, help="timed runs of the batch")
    args = parser.parse_args(argv)

    params = validate(SimParams())
    n_reps, span = params.org.n_reps, params.org.span_of_control
    n_agents = n_reps + math.ceil(n_reps / span)
    n_steps = SalesModel(params, args.seed).n_weeks

    builders: dict[str, Callable[[], Any]] = {
        "salesim": lambda: SalesModel(params, args.seed),
        "boltzmann": lambda: make_boltzmann(n_agents, args.seed),
    }
    seeds = list(range(args.seed, args.seed + args.batch))
    batch = {"batch": lambda: SalesModel(params, seeds)} if args.batch > 0 else {}
    times: dict[str, dict[str, list[float]]] = {
        name: {"construct_s": [], "steps_s": []} for name in {**builders, **batch}
    }
    for k in range(args.repeats):  # alternate, so drift in machine load hits all alike
        runs = {**builders, **(batch if k < args.batch_repeats else {})}
        for name, build in runs.items():
            construct, steps = time_run(build, n_steps)
            times[name]["construct_s"].append(construct)
            times[name]["steps_s"].append(steps)

    agent_steps = {"salesim": 1, "boltzmann": 1, "batch": max(args.batch, 1)}
    results: dict[str, dict[str, Any]] = {}
    for name, t in times.items():
        best = min(t["steps_s"])
        results[name] = {
            "best_steps_s": best,
            "best_construct_s": min(t["construct_s"]),
            "us_per_agent_step": best / (agent_steps[name] * n_agents * n_steps) * 1e6,
            "steps_s": t["steps_s"],
            "construct_s": t["construct_s"],
        }
    ratio = results["salesim"]["us_per_agent_step"] / results["boltzmann"]["us_per_agent_step"]
    ok = ratio <= TARGET_RATIO

    mesa_version = version("mesa")
    py_version = platform.python_version()
    print(
        f"bench_speed: Python {py_version}, Mesa {mesa_version}; "
        f"{n_agents} agents ({n_reps} reps + {n_agents - n_reps} managers) x {n_steps} steps; "
        f"best of {args.repeats}, construction excluded"
    )
    labels = {
        "salesim": "salesim SalesModel",
        "boltzmann": "Mesa BoltzmannWealth",
        "batch": f"salesim, batch of {args.batch}",
    }
    for name, r in results.items():
        print(
            f"  {labels[name]:<22} {r['us_per_agent_step']:8.2f} us/agent-step"
            f"   (steps {r['best_steps_s'] * 1e3:7.1f} ms,"
            f" construction {r['best_construct_s'] * 1e3:6.1f} ms)"
        )
    print(f"  ratio salesim / Boltzmann: {ratio:.2f}")
    if batch:
        in_batch = results["batch"]["us_per_agent_step"] / results["boltzmann"]["us_per_agent_step"]
        results["batch"]["ratio_to_boltzmann"] = in_batch
        print(f"  ratio salesim in a batch of {args.batch} / Boltzmann: {in_batch:.2f}")
    print(f"target: ratio <= {TARGET_RATIO:g}  -> {'met' if ok else 'NOT met'}")

    record = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": py_version,
        "mesa": mesa_version,
        "machine": platform.machine(),
        "n_agents": n_agents,
        "n_steps": n_steps,
        "repeats": args.repeats,
        "seed": args.seed,
        "models": results,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "target_met": ok,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.output}")

    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
