r"""Plan (y), noticed: scale3.py with quotas not split by role (territories still cut by segment).

PYTHONPATH=. python validation/contagion_precision_2026-12-07/scale_norole.py 64 512 30 \
    run.years=1 run.warmup_years=0
"""

import sys
from pathlib import Path

import simulator.periods as periods

_orig = periods.annual_quotas


def no_role(params, basis, target, history=None, role=None):
    """The annual quotas with no role: the target split over all seats alike."""
    return _orig(params, basis, target, history, None)


periods.annual_quotas = no_role
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale3  # noqa: E402

if __name__ == "__main__":
    scale3.main()
