"""Scenario discovery on a real design: which settings give high turnover (README, docs/sweeps.md).

Runs a Latin hypercube over six parameters likely to move turnover (the quit
rate at par, base salary, the commission's weight, the bonus at quota, the
managers' coaching and inspection shares) on a smaller, shorter organisation
(32 reps, 2 counted years after 1 of warm-up; about 0.5 s a run), then
``salesim-discover`` on ``turnover_total>THRESHOLD`` (default 0.4, above the
validation band for annual turnover, 0.25-0.35) with ``--max-qp 0.05``, and copies its
peeling figure to ``docs/discover_turnover.png``. About 3 minutes on 2 cores; rerunning
resumes the design from its chunks.

    python experiments/discover_turnover.py [--points 300] [--jobs 2] [--threshold 0.4]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from salesim_cli import discovercli
from simulator.design import check_box, evaluate, parse_space, sample
from simulator.params import SimParams, validate
from simulator.run import with_overrides

REPO = Path(__file__).resolve().parents[1]
BASE = {"org.n_reps": 32, "run.years": 2, "run.warmup_years": 1, "run.tables": "none"}
RANGES = {
    "rep.quit_per_year": (0.15, 0.6),
    "plan.base_salary": (50_000, 100_000),
    "plan.commission.weight": (0.4, 1.0),
    "plan.bonus.amounts[0]": (0.0, 0.6),
    "manager.coaching_share": (0.05, 0.35),
    "manager.inspection_share": (0.0, 0.1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=300, help="Latin hypercube points")
    parser.add_argument("--seed", type=int, default=14, help="seed of the sample and the runs")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers")
    parser.add_argument("--threshold", type=float, default=0.4, help="high turnover: above this")
    parser.add_argument(
        "--max-qp", type=float, default=0.05, help="drop the box's restrictions above this"
    )
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "discover_turnover")
    parser.add_argument("--figure", type=Path, default=REPO / "docs" / "discover_turnover.png")
    args = parser.parse_args()

    base = validate(with_overrides(SimParams(), **BASE))
    space = parse_space(RANGES, base)
    check_box(base, space)
    design = sample(space, "latin", n=args.points, seed=args.seed, base=base)
    evaluate(design, base, args.out, seed=args.seed, n_jobs=args.jobs, progress=True)
    found = args.out / "discover"
    condition = f"turnover_total>{args.threshold:g}"
    discovercli.main([str(args.out), condition, "--out", str(found), "--max-qp", str(args.max_qp)])
    shutil.copyfile(found / "peeling.png", args.figure)
    print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
