"""Sensitivity indices of a design's outcomes, with SALib: Sobol', Morris and delta.

:func:`analyse` turns the results table of :func:`simulator.design.evaluate`
into sensitivity indices with confidence intervals, one long table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.params import ParamError
from simulator.sampling import MORRIS_LEVELS, Design

#: Outcomes analysed by default: attainment, turnover and cost of sales.
HEADLINE_OUTCOMES = ("share_at_quota", "attainment_median", "turnover_total", "cost_of_sales")
#: Indices each method reports (the first has a confidence interval in every method).
INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "latin": ("delta", "S1")}


def point_means(results: pd.DataFrame, outcome: str, n_points: int) -> np.ndarray:
    """The outcome averaged over replications, one value per point ``0 .. n_points - 1``."""
    means = results.groupby("point")[outcome].mean()
    return means.reindex(range(n_points)).to_numpy(float)


def analyse(
    design: Design,
    results: pd.DataFrame,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Sensitivity indices of each outcome to each parameter, with 95% intervals.

    Sobol' designs give first-order (``S1``) and total (``ST``) indices
    (``SALib.analyze.sobol``); Morris designs the mean absolute elementary
    effect ``mu_star`` and its spread ``sigma`` (``SALib.analyze.morris``;
    ``sigma`` has no interval); Latin hypercubes Borgonovo's moment-independent
    ``delta`` and a first-order ``S1`` (``SALib.analyze.delta``). Each outcome
    is first averaged over the replications of a point. The intervals come
    from ``num_resamples`` bootstrap resamples drawn from ``seed``.

    Returns:
        A long table: ``method``, ``outcome``, ``parameter``, ``index``,
        ``value``, ``ci95`` (half-width of the 95% interval; NaN when there is
        none) and ``note`` (why an outcome could not be analysed, else empty).
    """
    missing = [o for o in outcomes if o not in results.columns]
    if missing:
        metrics = [c for c in results.columns if results[c].dtype.kind == "f"]
        raise ParamError(f"outcome {missing[0]!r}: no such metric; one of {', '.join(metrics)}")
    rows = []
    n_points = len(design.samples)
    for outcome in outcomes:
        y = point_means(results, outcome, n_points)
        note = ""
        if not np.isfinite(y).all():
            note = f"undefined at {int((~np.isfinite(y)).sum())} of {n_points} points"
        elif np.ptp(y) == 0:
            note = "constant over the design"
        found = _salib_indices(design, y, seed, num_resamples) if not note else {}
        if found and not all(np.isfinite(v).all() for v, _ in found.values()):
            note = f"too few points for {design.method} indices"
        for j, name in enumerate(design.space):
            for index in INDICES[design.method]:
                value, ci = found.get(index, (None, None)) if found else (None, None)
                rows.append(
                    {
                        "method": design.method,
                        "outcome": outcome,
                        "parameter": name,
                        "index": index,
                        "value": float(value[j]) if value is not None else math.nan,
                        "ci95": float(ci[j]) if ci is not None else math.nan,
                        "note": note,
                    }
                )
    return pd.DataFrame(rows)


def _salib_indices(
    design: Design, y: np.ndarray, seed: int, num_resamples: int
) -> dict[str, tuple]:
    """``{index: (values, ci95 or None)}`` from SALib for one outcome.

    SALib's analyses skip seeding when the seed is 0 (``if seed:``) and the
    delta analysis seeds NumPy's global generator, so they get a seed derived
    from ``seed`` that is never 0, and the global state is restored after.
    """
    from threadpoolctl import threadpool_limits

    seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    state = np.random.get_state()  # noqa: NPY002 (restoring what SALib changes)
    try:
        # Thousands of tiny linear-algebra calls (delta's density estimates):
        # a multi-threaded BLAS spends more time waking threads than computing.
        with threadpool_limits(limits=1, user_api="blas"):
            return _salib_call(design, y, seed, num_resamples)
    finally:
        np.random.set_state(state)  # noqa: NPY002


def _salib_call(design: Design, y: np.ndarray, seed: int, resamples: int) -> dict[str, tuple]:
    problem = design.problem
    if design.method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples, seed=seed)
        return {"S1": (si["S1"], si["S1_conf"]), "ST": (si["ST"], si["ST_conf"])}
    if design.method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            design.samples,
            y,
            num_resamples=resamples,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        mu_star = np.ma.filled(si["mu_star"], np.nan)
        conf = np.ma.filled(si["mu_star_conf"], np.nan)
        return {"mu_star": (mu_star, conf), "sigma": (np.asarray(si["sigma"]), None)}
    si = _delta_analyze(problem, design.samples, y, seed, resamples)
    key = "delta_raw" if "delta_raw" in si else "delta"
    return {"delta": (si[key], si[f"{key}_conf"]), "S1": (si["S1"], si["S1_conf"])}


def _delta_analyze(problem: dict, x: np.ndarray, y: np.ndarray, seed: int, resamples: int) -> dict:
    """SALib's delta analysis, without its changes to the process's warning settings.

    SALib 1.6 sets ``warnings.simplefilter("once")`` and replaces
    ``warnings.formatwarning`` for the whole process; both are restored here.
    Its warnings (about bin sizes of the bootstrap variants "balanced" and
    "step", which are not reported) are recorded and dropped.
    """
    import warnings

    from SALib.analyze import delta

    formatter = warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True):
            return delta.analyze(problem, x, y, num_resamples=resamples, seed=seed, method="all")
    finally:
        warnings.formatwarning = formatter
