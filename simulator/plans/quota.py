"""Quota-setting policies: how the company target becomes each seat's annual quota."""

from __future__ import annotations

import numpy as np

from simulator.params import SimParams


def company_target(params: SimParams, year: int) -> float:
    """The organisation's annual target in a given year (0 = first simulated year)."""
    org = params.org
    return org.quota_per_rep * org.n_reps * (1.0 + org.target_growth) ** year


def annual_quotas(
    params: SimParams,
    potential_by_seat: np.ndarray,
    year: int,
    history_rate: np.ndarray | None = None,
) -> np.ndarray:
    """Annual quota of every seat for ``year``.

    ``equal`` splits the company target equally; ``potential`` in proportion to
    each territory's potential; ``top_down`` blends the two with
    ``quota.potential_weight``; ``history`` blends each territory's share of
    last year's bookings (``history_rate``, weekly; NaN where a territory has no
    history) with the top_down split by ``quota.history_weight`` (top_down in the
    first year). ``quota.aggressiveness`` scales
    the total, so quotas always sum to the company target.
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
        if q.policy == "history" and history_rate is not None:
            weights = _blend_history(weights, history_rate, q.history_weight)
    return company_target(params, year) * q.aggressiveness * weights


def _blend_history(top_down: np.ndarray, history_rate: np.ndarray, weight: float) -> np.ndarray:
    """Blend the top_down shares with shares of last year's bookings rate.

    A territory without history is given the rate its top_down share implies,
    scaled by how territories with history did against theirs.
    """
    has = np.isfinite(history_rate)
    if not has.any() or top_down[has].sum() <= 0 or history_rate[has].sum() <= 0:
        return top_down
    scale = history_rate[has].sum() / top_down[has].sum()
    rate = np.where(has, history_rate, top_down * scale)
    return weight * rate / rate.sum() + (1.0 - weight) * top_down
