"""The synthetic example history (issue 13, item 1): a rep x quarter export written by the model.

Runs one organisation (org.n_reps 60, 4 evaluation years after the warm-up,
seed 2021, the defaults but for ``--set``) and writes its evaluation window in
the shape a CRM or ICM system exports
(:func:`simulator.history_summary.model_history`, first evaluation year 2021)
to ``scenarios/history/example_history.csv``, and the parameters it ran with to
``scenarios/history/example_history.params.json`` (the answer a fit must find
without reading it, with the hash of the fitted defaults it ran under).

The shipped example runs under five parameters away from the defaults, the
truth ``experiments/history_recovery.py`` checks the fit recovers::

    python experiments/make_example_history.py --set rep.quit_per_year=0.32 \\
        --set territory.quality_sigma=0.75 --set quota.aggressiveness=0.85 \\
        --set hiring.onboarding_weeks=16 --set market.seasonality=0.35

The defaults move with each calibration: rerun that command afterwards, then
the recovery. ``--set NAME=VALUE`` (repeatable) writes a history under other
parameters.

    python experiments/make_example_history.py [--seed 2021] [--set rep.quit_per_year=0.3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import yaml

from simulator.history import read_history
from simulator.history_summary import model_history
from simulator.io import json_value, write_atomic
from simulator.params import SimParams, flatten
from simulator.run import run_one, with_overrides

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "scenarios" / "history"
BASE = {"org.n_reps": 60, "run.years": 4}
SEED = 2021
FITTED = REPO / "simulator" / "fitted_defaults.json"  # the defaults the history ran under
START_YEAR = 2021


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"the run's seed ({SEED})")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter other than the default, e.g. rep.quit_per_year=0.3",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into")
    parser.add_argument("--name", default="example_history", help="file name without .csv")
    args = parser.parse_args()
    changes = dict(BASE)
    for item in args.set:
        name, _, value = item.partition("=")
        changes[name.strip()] = yaml.safe_load(value)
    params = with_overrides(SimParams(), **changes)
    result = run_one(params, args.seed)
    history = model_history(result.tables, START_YEAR)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / f"{args.name}.csv"
    write_atomic(csv_path, lambda p: history.to_csv(p, index=False))
    read_history(csv_path)  # the example passes its own checker
    meta = {
        "generated_by": "experiments/make_example_history.py",
        "seed": args.seed,
        "first_year": START_YEAR,
        "changes_from_defaults": changes,
        "fitted_defaults_sha256": hashlib.sha256(FITTED.read_bytes()).hexdigest(),
        "parameters": flatten(params),
        "model_summary": {k: json_value(v) for k, v in result.summary.items()},
    }
    json_path = args.out / f"{args.name}.params.json"
    text = json.dumps(meta, indent=1, default=json_value, allow_nan=False) + "\n"
    write_atomic(json_path, lambda p: p.write_text(text, encoding="utf-8"))
    size = csv_path.stat().st_size / 1000
    print(f"{csv_path}: {len(history)} rows, {history['rep_id'].nunique()} reps, {size:.0f} kB")
    print(f"{json_path}: seed {args.seed}, changes {changes}")


if __name__ == "__main__":
    main()
