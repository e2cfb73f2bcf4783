"""Plan (y), noticed: the contagion experiment's 60 and 480 seats side by side.

PYTHONPATH=. python validation/contagion_precision_2026-12-07/scale.py REPLICATIONS SEED
"""

import sys

import numpy as np

from experiments.validation.experiments import run_experiments

M = [
    "turnover_total",
    "involuntary_exit_share",
    "quit_outside_share",
    "exit_first_year_share",
    "tenure_years_mean",
    "vacancy_months_mean",
    "share_at_quota",
    "revenue_vs_target",
    "attainment_median",
    "quit_contagion_ratio",
    "skill_sd",
    "manager_share_team",
]


def main():
    """Run, print and (rule1) write the comparison."""
    n = int(sys.argv[1])
    t = run_experiments(["contagion"], int(sys.argv[2]), (f"run.replications={n}",), 2)["contagion"]
    for m in M:
        if m not in t:
            continue
        a = t[t["org.n_reps"].astype(str) == "60"][m].to_numpy(float)
        b = t[t["org.n_reps"].astype(str) == "480"][m].to_numpy(float)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        se = np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size))
        d = b.mean() - a.mean()
        print(f"{m:28s} 60: {a.mean():.4f}  480: {b.mean():.4f}  diff {d:+.4f}  z {d / se:+.2f}")


if __name__ == "__main__":
    main()
