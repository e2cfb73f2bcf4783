"""Quota-setting policies: how the company target becomes each seat's annual quota."""

from __future__ import annotations

import numpy as np

from simulator.params import SimParams


def target_per_seat(params: SimParams) -> float:
    """The first year's target for one seat.

    ``quota.target_per_rep``, or ``org.quota_per_rep`` when it is 0. Used for the
    company target and for a rep's first estimate of what a sale pays, so both
    agree when an experiment sets the target outright.
    """
    return params.quota.target_per_rep or params.org.quota_per_rep


def company_target(params: SimParams, year: int, last_year_bookings: float | None = None) -> float:
    """The organisation's annual target in a given year (0 = first simulated year).

    Under ``org.target_basis`` ``last_year`` a year with history (``last_year_bookings``
    given and positive) plans from it: last year's bookings grown by
    ``org.target_growth``. Otherwise, and always under ``fixed``, the target is
    ``org.quota_per_rep`` per seat (``quota.target_per_rep`` instead when it is set)
    grown by ``org.target_growth`` each year.
    """
    org = params.org
    if org.target_basis == "last_year" and (last_year_bookings or 0.0) > 0:
        return last_year_bookings * (1.0 + org.target_growth)
    return target_per_seat(params) * org.n_reps * (1.0 + org.target_growth) ** year


def annual_quotas(
    params: SimParams,
    potential_by_seat: np.ndarray,
    target: float,
    history_rate: np.ndarray | None = None,
    role: np.ndarray | None = None,
) -> np.ndarray:
    """Annual quota of every seat, splitting the company ``target`` (:func:`company_target`).

    ``equal`` splits the company target equally; ``potential`` in proportion to
    each territory's potential; ``top_down`` blends the two with
    ``quota.potential_weight``; ``history`` blends each territory's share of
    last year's bookings (``history_rate``, weekly; NaN where a territory has no
    history) with the top_down split by ``quota.history_weight`` (top_down in the
    first year). ``quota.aggressiveness`` scales
    the total: quotas sum to the target times it.

    ``role`` (each seat's home segment, when territories are cut by segment) makes
    the equal split equal within a role: each role carries its seats' share of the
    potential, split equally among them (a quota per job, as firms set them).
    """
    q = params.quota
    n = len(potential_by_seat)
    equal = np.full(n, 1.0 / n)
    total = float(potential_by_seat.sum())
    by_potential = potential_by_seat / total if total > 0 else equal
    if role is not None and total > 0:
        seats_in = np.maximum(np.bincount(role), 1)
        role_potential = np.bincount(role, by_potential)
        if q.role_basis == "history" and history_rate is not None:
            role_total = _role_capacity(role, history_rate, role_potential)
            equal = (role_total / seats_in)[role]
            # the potential part splits each role's share among its seats by potential
            by_potential = np.divide(
                role_total[role] * by_potential,
                role_potential[role],
                out=equal.copy(),
                where=role_potential[role] > 0,
            )
        else:
            equal = (role_potential / seats_in)[role]
    if q.policy == "equal":
        weights = equal
    elif q.policy == "potential":
        weights = by_potential
    else:
        weights = q.potential_weight * by_potential + (1.0 - q.potential_weight) * equal
        if q.policy == "history" and history_rate is not None:
            weights = _blend_history(weights, history_rate, q.history_weight)
    return target * q.aggressiveness * weights


def _role_capacity(role: np.ndarray, history_rate: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Each role's share of the target by capacity: its seats times a ramped rep's rate.

    A role's rate is the mean of last year's weekly bookings over its territories
    with history (:meth:`~simulator.model.SalesModel._history_rate`); while any role
    has none, every role keeps ``fallback`` (its share of the potential).
    """
    has = np.isfinite(history_rate)
    n_roles = len(fallback)
    with_history = np.bincount(role[has], minlength=n_roles)
    seats_in = np.bincount(role, minlength=n_roles)
    present = seats_in > 0
    if (with_history[present] == 0).any():
        return fallback
    rate = np.bincount(role[has], history_rate[has], minlength=n_roles) / np.maximum(
        with_history, 1
    )
    capacity = seats_in * rate
    if capacity.sum() <= 0:
        return fallback
    return capacity / capacity.sum()


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
