"""Plan (ad) rule 6: drift over 10 years at 20 seeds, at the candidate.

    PYTHONPATH=. python validation/quota_moments_2026-12-07ad/drift.py
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.validation.steady import steady_state

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    np.seterr(all="ignore")
    params = json.loads((HERE / "candidate.json").read_text())["parameters"]
    verdicts, by_year = steady_state(20, 10, 2, tuple(f"{k}={v!r}" for k, v in params.items()))
    with pd.option_context("display.width", 120):
        text = by_year.round(3).to_string() + "\n\n" + verdicts.round(4).to_string()
    print(text)
    (HERE / "drift.txt").write_text(text + "\n")
