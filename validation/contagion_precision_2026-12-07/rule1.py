"""Plan (y) rule 1 and the precise read: the contagion experiment against the default organisation.

PYTHONPATH=. python validation/contagion_precision_2026-12-07/rule1.py OUT.json [KEY=VALUE ...]
"""

import json
import sys

import numpy as np

from experiments.estimation.moments import run_default
from experiments.validation.experiments import run_experiments

M = [
    "turnover_total",
    "share_at_quota",
    "attainment_median",
    "revenue_vs_target",
    "quit_contagion_ratio",
]


def main():
    """Run, print and (rule1) write the comparison."""
    sets = tuple(sys.argv[2:])
    t = run_experiments(["contagion"], 0, ("run.replications=20", *sets), 2)["contagion"]
    d = run_default(sets, 20, 0, 2)
    out = {}
    for m in M:
        a = d[m].to_numpy(float)
        rows = {"default": a}
        for n in ("60", "480"):
            rows[n] = t[t["org.n_reps"].astype(str) == n][m].to_numpy(float)
        res = {}
        for k, v in rows.items():
            v = v[~np.isnan(v)]
            res[k] = (v.mean(), v.std(ddof=1) / np.sqrt(len(v)), len(v))
        dd = res["480"][0] - res["default"][0]
        se = np.hypot(res["480"][1], res["default"][1])
        out[m] = {"res": res, "diff": dd, "se": se, "z": dd / se}
        print(
            m,
            {k: f"{v[0]:.4f}±{v[1]:.4f} (n={v[2]})" for k, v in res.items()},
            f"diff480-default {dd:+.4f} se {se:.4f} z {dd / se:+.2f}",
        )
    json.dump(out, open(sys.argv[1], "w"), default=float, indent=1)


if __name__ == "__main__":
    main()
