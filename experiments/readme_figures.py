"""Figures for README: what one default run looks like (python experiments/readme_figures.py).

Reads the tables of a default run and draws (a) bookings by week of the quarter
against a flat line (the quarter-end spike), (b) the distribution of annual
attainment with the quota line, (c) headcount and vacancies over time. Writes
docs/default_run.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simulator.metrics import annual_attainment  # noqa: E402
from simulator.run import run_replications  # noqa: E402


def main(out: Path = Path("docs/default_run.png"), replications: int = 5) -> Path:
    result = run_replications(n=replications, seed=0)
    weekly = [r.tables["weekly"] for r in result.runs]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), dpi=100)

    ax = axes[0]
    shares = []
    for w in weekly:
        ev = w[~w["warmup"]]
        by_week = ev.groupby("week_in_quarter")["bookings"].sum()
        shares.append(by_week / by_week.sum())
    mean = np.mean(shares, axis=0)
    ax.bar(np.arange(1, 14), mean * 100, color="0.55", edgecolor="black")
    ax.axhline(100 / 13, color="black", linestyle="--", label="flat (1/13)")
    ax.set_xlabel("week of the quarter")
    ax.set_ylabel("share of the quarter's bookings (%)")
    ax.set_title("Quarter-end spike (quota_bonus plan)")
    ax.legend(frameon=False)

    ax = axes[1]
    att = np.concatenate([annual_attainment(r.tables["reps"])["attainment"] for r in result.runs])
    ax.hist(att * 100, bins=np.arange(0, 401, 20), color="0.7", edgecolor="black")
    ax.axvline(100, color="black", linestyle="--", label="quota")
    ax.set_xlabel("annual attainment (% of quota)")
    ax.set_ylabel("rep-years")
    ax.set_title(f"Attainment: {np.mean(att >= 1):.0%} at or above quota")
    ax.legend(frameon=False)

    ax = axes[2]
    w = weekly[0]
    ax.plot(w["week"], w["headcount"], color="black", label="reps in seat")
    ax.plot(w["week"], w["vacancies"], color="0.4", linestyle="--", label="vacant seats")
    ax.axvspan(0, 52, color="0.9", label="warm-up")
    ax.set_xlabel("week")
    ax.set_ylabel("seats")
    ax.set_title("Headcount and vacancies (seed 0)")
    ax.legend(frameon=False, loc="center right")

    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(main(*(Path(a) for a in sys.argv[1:2])))
