"""What widens the attainment distribution: the default organisation with its sources of spread off.

Each row switches off one source of rep-to-rep difference (territory luck, the
spread of account spend, skill's effect on winning, hiring's spread of skill,
quotas that ignore territory potential), and the last rows switch off all of
them, then all of them and the dynamic feedbacks too (morale from attainment,
learning by selling, the incentive response). What is left in the last rows is
the noise of the deal process itself: which accounts buy, when, and for how
much. Each row is the mean over seeds of the run's annual-attainment moments.

    python experiments/attainment_spread.py [--seeds 24] [--workers 2] [--levers]

``--levers`` runs the ``LEVERS`` rows instead: mechanisms and parameters that
could narrow the distribution, each read on every band at once.

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
#: ``--levers``: what a quota split, quota-setting from history, smaller and more frequent
#: expansions, or narrower account spend (each with the quota level that brings the median
#: back near 1) do to the bands at once (stop 40's scan; a next fit's space)
LEVERS: dict[str, dict[str, object]] = {
    "defaults": {},
    "quotas 60% by territory potential": {"quota.potential_weight": 0.6},
    "quotas half from last year's bookings": {
        "quota.policy": "history",
        "quota.history_weight": 0.5,
    },
    "expansions half the size, twice as often": {
        "buyer.expansion_fraction": 0.1425,
        "buyer.expansion_per_year": 4.024,
    },
    "smb spend sigma 0.7": {"territory.smb.potential_sigma": 0.7},
    "smb spend sigma 0.7, quota 505,000": {
        "territory.smb.potential_sigma": 0.7,
        "org.quota_per_rep": 505_000.0,
    },
    "smb spend sigma 0.5, quota 470,000": {
        "territory.smb.potential_sigma": 0.5,
        "org.quota_per_rep": 470_000.0,
    },
    "smb and mid spend sigma 0.5, quota 470,000": {
        "territory.smb.potential_sigma": 0.5,
        "territory.mid.potential_sigma": 0.5,
        "org.quota_per_rep": 470_000.0,
    },
}
MOMENTS = (
    "attainment_median",
    "attainment_p90",
    "share_at_quota",
    "top20_revenue_share",
    "revenue_vs_target",
    "turnover_total",
)


def run_row(task: tuple) -> dict[str, float | str | int]:
    """Attainment moments of one row's organisation for one seed.

    ``task``: the row's name, the seed, ``base`` (overrides of every row) and the
    row's own overrides.
    """
    name, seed, base, changes = task
    summary = run_one(with_overrides(SimParams(), **base, **changes), seed).summary
    return {"row": name, "seed": seed, **{m: summary[m] for m in MOMENTS}}


def spread_table(
    seeds: int, workers: int, base: dict[str, object] | None = None, rows=ROWS
) -> pd.DataFrame:
    """Per row: the mean moments over seeds and p90 over the median.

    ``base`` overrides every row's organisation (a smaller one for a quick look).
    """
    tasks = [
        (name, seed, base or {}, changes) for name, changes in rows.items() for seed in range(seeds)
    ]
    runs = pd.DataFrame(list(process_map(run_row, tasks, workers)))
    table = runs.groupby("row", sort=False)[list(MOMENTS)].mean()
    table["p90_over_median"] = table["attainment_p90"] / table["attainment_median"]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levers", action="store_true", help="the LEVERS rows instead")
    args = parser.parse_args()
    table = spread_table(args.seeds, args.workers, rows=LEVERS if args.levers else ROWS)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("attainment_levers.json" if args.levers else "attainment_spread.json")
    rows = table.round(4).to_dict("index")
    out.write_text(json.dumps({"seeds": args.seeds, "rows": rows}, indent=1))
    print(table.round(3).to_string())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
