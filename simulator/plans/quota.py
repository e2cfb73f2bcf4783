"""Quota-setting policies: how the company target becomes each seat's annual quota."""

from __future__ import annotations

import numpy as np

from simulator.params import SimParams


def company_target(params: SimParams, year: int) -> float:
    """The organisation's annual target in a given year (0 = first simulated year)."""
    org = params.org
    return org.quota_per_rep * org.n_reps * (1.0 + org.target_growth) ** year


def annual_quotas(params: SimParams, potential_by_seat: np.ndarray, year: int) -> np.ndarray:
    """Annual quota of every seat for ``year``.

    ``equal`` splits the company target equally; ``potential`` in proportion to
    each territory's potential; ``top_down`` blends the two with
    ``quota.potential_weight``. ``quota.aggressiveness`` scales the total.
    """
    q = params.quota
    n = len(potential_by_seat)
    equal = np.full(n, 1.0 / n)
    total = float(potential_by_seat.sum())
    by_potential = potential_by_seat / total if total > 0 else equal
    if q.policy == "equal":
        weights = equal
    elif q.policy == "potential":
        weights = by_potential
    else:
        weights = q.potential_weight * by_potential + (1.0 - q.potential_weight) * equal
    return company_target(params, year) * q.aggressiveness * weights
