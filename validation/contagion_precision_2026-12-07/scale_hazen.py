"""Plan (y), noticed: scale.py with performance ranks at (r - 0.5) / n, a diagnostic.

PYTHONPATH=. python validation/contagion_precision_2026-12-07/scale_hazen.py REPLICATIONS SEED
"""

import sys
from pathlib import Path

import numpy as np

import simulator.workforce as wf


def hazen_rank(seats):
    """Performance ranks at (r - 0.5) / n among held seats (0.5 for vacant seats)."""
    occ = np.flatnonzero(seats.occupied)
    rank = np.full(seats.n, 0.5)
    if occ.size > 1:
        rank[occ] = (wf.average_ranks(seats.last_attainment[occ]) - 0.5) / occ.size
    return rank


wf.performance_rank = hazen_rank
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa

if __name__ == "__main__":
    scale.main()
