"""Re-find the installed base at a fitted point (10 seeds, 3 passes) and write choice_rebased.json.

    PYTHONPATH=. python validation/vacancy_cost_2026-12-07ab/rebase.py validation/vacancy_cost_2026-12-07ab
"""
import json
import sys
from pathlib import Path

import numpy as np

from experiments.validation.steady import steady_installed_base

if __name__ == "__main__":
    np.seterr(all="ignore")
    folder = Path(sys.argv[1])
    fitted = json.loads((folder / "choice_fitted_defaults.json").read_text())
    params = dict(fitted["parameters"])
    overrides = tuple(f"{k}={v!r}" for k, v in params.items())
    base = steady_installed_base(overrides, seeds=10, years=8, workers=2, passes=3)
    for k, v in base.items():
        params[k] = float(f"{v:.4g}") if isinstance(v, float) else v
    out = {"parameters": params, "fit": fitted.get("fit", {})}
    (folder / "choice_rebased.json").write_text(json.dumps(out, indent=2) + "\n")
    print({k: params[k] for k in base})
