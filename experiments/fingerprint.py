"""Fingerprint the engine's output: one hash per configuration over several seeds.

A change meant to leave every number alone (a speed-up, a refactor) must leave
every fingerprint alone. This runs each configuration below (every plan, every
quota policy and the mechanisms a default run leaves off) on a few seeds and
hashes every table and the summary of each run, bit for bit.

    python -m experiments.fingerprint --write FILE    # before the change
    python -m experiments.fingerprint --check FILE    # after: exit 1 on any difference

Fingerprints depend on the numpy, Python and Mesa versions: compare two reads
made with the same environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from salesim_cli.config import compose_config, config_names
from simulator.params import validate
from simulator.run import run_batch, run_one

#: configurations, as Hydra overrides of the default run; together they reach every
#: plan component, quota policy and the switches a default run leaves off
CONFIGS: dict[str, list[str]] = {
    "default": [],
    # every shipped plan and quota policy (the default run's own included)
    **{f"plan={name}": [f"plan={name}"] for name in config_names("plan")},
    **{f"quota={name}": [f"quota={name}"] for name in config_names("quota")},
    "mixed_territories": ["territory.specialisation=0"],
    "partial_team": ["org.n_reps=44"],
    "coaching_bottom_first": ["manager.coaching_policy=bottom_first", "manager.coaching_share=0.4"],
    "team_weight": ["plan=hybrid", "plan.team_weight=0.7", "plan.individual_weight=0.3"],
    "leaderboard": ["plan.rank.leaderboard=true"],
    "forced_exit": ["plan.rank.forced_exit_share=0.1"],
    "ranking_prize": ["plan=ranking", "plan.rank.prize=1.0"],
    "balanced_territories": ["territory.balanced=true"],
    "admin_heavy": ["manager.admin_share=0.55"],
    "span_16": ["org.span_of_control=16"],
    # buyers' switches a default run leaves at their defaults
    "former_logit": ["buyer.former_customer_win_logit=0.6"],
    "bargain": ["buyer.bargaining_share=0.3"],
    "hold_discount": ["buyer.hold_discount=0.1"],
    "winback": ["buyer.winback_weeks=26"],
    "headroom_half": ["buyer.expansion_headroom=0.5"],
    "headroom_off": ["buyer.expansion_headroom=0"],
    "no_expansion": ["buyer.expansion_per_year=0"],
    "in_stages": ["buyer.hold_patience_in_stages=true"],
    "no_patience": ["buyer.period_end_patience=0"],
    "projected": ["rep.timing_projected=true"],
    "no_exit_no_churn": ["market.account_exit_per_year=0", "buyer.churn_per_year=0"],
    "no_customer_logit": ["buyer.customer_win_logit=0"],
    # people switches: other coaching policies, onboarding, quotas and hiring
    "new_first": ["manager.coaching_policy=new_first", "manager.coaching_share=0.4"],
    "middle_first": ["manager.coaching_policy=middle_first", "manager.coaching_share=0.4"],
    "top_first": ["manager.coaching_policy=top_first"],
    "no_onboarding": ["hiring.onboarding_weeks=0"],
    "unramped": ["hiring.ramped_quota=false", "hiring.prorated_target=false"],
    "fast_fill": ["hiring.time_to_fill_weeks=1"],
    "buyer_onboarding": ["hiring.onboarding_kind=buyer", "org.n_reps=13"],
    "forced_leaderboard_ratchet": [
        "plan.rank.forced_exit_share=0.2",
        "plan.rank.leaderboard=true",
        "quota=ratchet",
        "org.span_of_control=5",
    ],
    "land_expand_bargain": [
        "plan=land_expand",
        "buyer.bargaining_share=0.2",
        "buyer.hold_discount=0.05",
    ],
}


def table_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's column names, dtypes and values (bit for bit)."""
    h = hashlib.sha256()
    for name in frame.columns:
        col = frame[name]
        h.update(f"{name}:{col.dtype}".encode())
        values = col.to_numpy()
        if values.dtype == object:
            h.update(repr(values.tolist()).encode())
        else:
            h.update(np.ascontiguousarray(values).tobytes())
    h.update(repr(frame.index.tolist()).encode())
    return h.hexdigest()


def fingerprint(overrides: list[str], seeds: range, batch: bool = False) -> str:
    """One hash over every table and summary value of ``seeds`` runs of a configuration.

    ``batch`` runs the seeds side by side (:func:`~simulator.run.run_batch`): the
    hash must be the one of the runs alone.
    """
    params, _ = compose_config([*overrides, "run.years=2", "run.warmup_years=1"])
    params = validate(params)
    h = hashlib.sha256()
    results = run_batch(params, list(seeds)) if batch else [run_one(params, s) for s in seeds]
    for result in results:
        for name in sorted(result.tables):
            h.update(name.encode())
            h.update(table_digest(result.tables[name]).encode())
        h.update(repr(sorted(result.summary.items())).encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the fingerprints to this JSON file")
    group.add_argument("--check", type=Path, help="compare with this file; exit 1 if any differ")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per configuration")
    parser.add_argument("--only", nargs="*", help="configurations to run (default: all)")
    parser.add_argument(
        "--batch", action="store_true", help="run each configuration's seeds as one batch"
    )
    args = parser.parse_args(argv)

    names = args.only or list(CONFIGS)
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; allowed: {sorted(CONFIGS)}")
    prints = {name: fingerprint(CONFIGS[name], range(args.seeds), args.batch) for name in names}
    if args.write:
        args.write.write_text(json.dumps(prints, indent=1) + "\n")
        print(f"wrote {len(prints)} fingerprints to {args.write}")
        return 0
    expected = json.loads(args.check.read_text())
    differ = [name for name in names if expected.get(name) != prints[name]]
    for name in names:
        print(f"{'DIFFERS' if name in differ else 'same   '} {name}")
    print(f"{len(names) - len(differ)} of {len(names)} configurations identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
