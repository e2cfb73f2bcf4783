"""What widens the attainment distribution: the default organisation with its sources of spread off.

Each row switches off one source of rep-to-rep difference (territory luck, the
spread of account spend, skill's effect on winning, hiring's spread of skill,
quotas that ignore territory potential), and the last rows switch off all of
them, then all of them and the dynamic feedbacks too (morale from attainment,
learning by selling, the incentive response). What is left in the last rows is
the noise of the deal process itself: which accounts buy, when, and for how
much. Each row is the mean over seeds of the run's annual-attainment moments.

    python experiments/attainment_spread.py [--seeds 24] [--workers 2]

Writes ``experiments/results/attainment_spread.json`` and prints a table
(validation/spread_refit_2026-12-05h/README.md quotes it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from simulator.parallel import process_map
from simulator.params import SimParams
from simulator.run import run_one, with_overrides

RESULTS = Path(__file__).resolve().parent / "results"
TERRITORY = {"territory.quality_sigma": 0.0, "territory.size_sigma": 0.0}
SPEND = {f"territory.{s}.potential_sigma": 0.2 for s in ("smb", "mid", "ent")}
SKILL_EFFECT = {"buyer.skill_win_effect": 0.0}
HIRING = {"hiring.skill_sd": 0.0, "hiring.aptitude_sigma": 0.0}
QUOTA = {"quota.potential_weight": 1.0}
EVERY = {**TERRITORY, **SPEND, **SKILL_EFFECT, **HIRING, **QUOTA}
FEEDBACK = {"rep.morale_attainment_effect": 0.0, "rep.learning_rate": 0.0}
ROWS: dict[str, dict[str, float]] = {
    "defaults": {},
    "territory luck off (quality and size)": TERRITORY,
    "account spend nearly equal (sigma 0.2)": SPEND,
    "skill does not move win odds": SKILL_EFFECT,
    "hires all alike": HIRING,
    "quotas follow territory potential": QUOTA,
    "all of the above": EVERY,
    "all, no morale or learning feedback": {**EVERY, **FEEDBACK},
    "all, and no incentive response": {**EVERY, **FEEDBACK, "rep.incentive_response": 0.0},
}
MOMENTS = ("attainment_median", "attainment_p90", "share_at_quota", "top20_revenue_share")


def run_row(task: tuple[str, int, dict[str, object]]) -> dict[str, float | str | int]:
    """Attainment moments of one row's organisation for one seed (``base``: more overrides)."""
    name, seed, base = task
    summary = run_one(with_overrides(SimParams(), **base, **ROWS[name]), seed).summary
    return {"row": name, "seed": seed, **{m: summary[m] for m in MOMENTS}}


def spread_table(seeds: int, workers: int, base: dict[str, object] | None = None) -> pd.DataFrame:
    """Per row: the mean moments over seeds and p90 over the median.

    ``base`` overrides every row's organisation (a smaller one for a quick look).
    """
    tasks = [(name, seed, base or {}) for name in ROWS for seed in range(seeds)]
    runs = pd.DataFrame(list(process_map(run_row, tasks, workers)))
    table = runs.groupby("row", sort=False)[list(MOMENTS)].mean()
    table["p90_over_median"] = table["attainment_p90"] / table["attainment_median"]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    table = spread_table(args.seeds, args.workers)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "attainment_spread.json"
    rows = table.round(4).to_dict("index")
    out.write_text(json.dumps({"seeds": args.seeds, "rows": rows}, indent=1))
    print(table.round(3).to_string())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
