r"""Plan (y), noticed: the default organisation at two sizes over 6 years, same seeds.

PYTHONPATH=.:validation/contagion_precision_2026-12-07 python \
    validation/contagion_precision_2026-12-07/scale2.py 64 512 40 1
"""

import sys

import numpy as np
from scale import M

from experiments.estimation.moments import run_default


def main():
    """Run both sizes and print each measure side by side."""
    a_n, b_n, reps, seed = (int(x) for x in sys.argv[1:5])
    t = {n: run_default((f"org.n_reps={n}", "run.years=6"), reps, seed, 2) for n in (a_n, b_n)}
    for m in M:
        a, b = (t[n][m].to_numpy(float) for n in (a_n, b_n))
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        se = np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size))
        d = b.mean() - a.mean()
        print(
            f"{m:28s} {a_n}: {a.mean():.4f}  {b_n}: {b.mean():.4f}  diff {d:+.4f}  z {d / se:+.2f}"
        )


if __name__ == "__main__":
    main()
