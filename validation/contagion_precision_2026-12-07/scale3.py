r"""Plan (y), noticed: headline levels at two sizes over seeds 0..N-1, with overrides.

PYTHONPATH=. python validation/contagion_precision_2026-12-07/scale3.py 64 512 30 \
    run.years=1 run.warmup_years=0 [territory.specialisation=0]
"""

import sys

import numpy as np

from experiments.calibration import run_seeds

MEASURES = [
    "revenue_vs_target",
    "turnover_total",
    "share_at_quota",
    "attainment_median",
    "attainment_mean",
    "vacancy_rate",
    "customer_share",
    "customer_churn_rate",
    "expansion_share",
    "headcount_mean",
]


def main():
    """Run both sizes and print each measure side by side."""
    a_n, b_n, seeds = (int(x) for x in sys.argv[1:4])
    extra = tuple(sys.argv[4:])
    t = {n: run_seeds(range(seeds), 2, (f"org.n_reps={n}", *extra)) for n in (a_n, b_n)}
    for m in MEASURES:
        a, b = (t[n][m].to_numpy(float) for n in (a_n, b_n))
        se = np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size))
        d = b.mean() - a.mean()
        print(f"{m:22s} {a.mean():.4f} {b.mean():.4f} diff {d:+.4f} z {d / se:+.2f}")


if __name__ == "__main__":
    main()
