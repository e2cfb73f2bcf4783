r"""Plan (y), identification: the 480-seat contagion read with overrides (e.g. the mechanism off).

PYTHONPATH=. python validation/contagion_precision_2026-12-07/mechanism_off.py \
    rep.quit_contagion_effect=0
"""

import sys

import numpy as np

from experiments.validation.experiments import run_experiments

if __name__ == "__main__":
    only = {"contagion": [{"org.n_reps": "480"}]}
    extra = ("run.replications=20", *sys.argv[1:])
    t = run_experiments(["contagion"], 0, extra, 2, only=only)["contagion"]
    v = t["quit_contagion_ratio"].to_numpy(float)
    se = v.std(ddof=1) / np.sqrt(v.size)
    lo, hi = v.mean() - 2.093 * se, v.mean() + 2.093 * se  # t(19) 97.5%
    print(sys.argv[1:], f"{v.mean():.4f} [{lo:.4f}, {hi:.4f}] n={v.size}")
    print("turnover", round(t["turnover_total"].mean(), 4))
