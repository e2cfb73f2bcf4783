"""Historic quotas (``quota.policy=history``): last year's territory bookings set the split.

The split blends each territory's share of last year's weekly bookings (weeks a
seasoned rep held it) with the top_down split, by ``quota.history_weight``; the
quotas still sum to the company target, and the first year is top_down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.plans.quota import annual_quotas, company_target
from simulator.run import run_one

#: 32 reps keep at least 12 seats held both years by seasoned reps at the fitted turnover (14-21
#: on seeds 0-2; 24 reps left 10)
TWO_YEARS = ("org.n_reps=32", "run.years=2", "run.warmup_years=0")


def test_history_split_blends_last_years_shares_and_keeps_the_company_target(compose_params):
    params = compose_params("quota=history", "quota.history_weight=0.6", "quota.potential_weight=0")
    rate = np.array([1.0, 3.0, np.nan, 4.0])  # the third territory has no history
    quotas = annual_quotas(params, np.ones(4), company_target(params, 1), rate)
    target = company_target(params, 1) * params.quota.aggressiveness
    np.testing.assert_allclose(quotas.sum(), target, rtol=1e-12)
    # no history: its top_down share (1/4) at the rate the others earned per share (8 / (3/4))
    filled = np.array([1.0, 3.0, 8.0 / 3.0, 4.0])
    expected = 0.6 * filled / filled.sum() + 0.4 * np.full(4, 0.25)
    np.testing.assert_allclose(quotas / target, expected, rtol=1e-12)


def test_history_weight_zero_is_top_down_and_the_first_year_is_top_down(compose_params):
    top = compose_params("quota=top_down")
    none = compose_params("quota=history", "quota.history_weight=0")
    rate = np.array([1.0, 5.0, 2.0])
    basis = np.array([2.0, 1.0, 3.0])
    target = company_target(top, 2)
    np.testing.assert_allclose(
        annual_quotas(none, basis, target, rate), annual_quotas(top, basis, target)
    )
    full = compose_params("quota=history", "quota.history_weight=1")
    np.testing.assert_allclose(annual_quotas(full, basis, 1e6), annual_quotas(top, basis, 1e6))


def test_a_target_set_outright_replaces_the_fitted_level_and_leaves_a_refit_of_it_alone(
    compose_params,
):
    """quota.target_per_rep (Larkin's vendor) fixes the target whatever org.quota_per_rep is."""
    own = compose_params("quota.target_per_rep=392350", "org.n_reps=10", "org.target_growth=0.05")
    assert company_target(own, 2) == pytest.approx(392350 * 10 * 1.05**2)
    refit = compose_params(
        "quota.target_per_rep=392350", "org.n_reps=10", "org.quota_per_rep=900000"
    )
    assert company_target(refit, 0) == pytest.approx(392350 * 10)
    default = compose_params("org.n_reps=10", "org.quota_per_rep=900000")
    assert company_target(default, 0) == pytest.approx(900000 * 10)


def seasoned_seats(result) -> pd.DataFrame:
    """Per seat and year: quota and credited sales, for seats held all of years 0 and 1
    and by a rep past onboarding all of year 0 (so its history counts in full)."""
    reps = result.tables["reps"]
    g = (
        reps.groupby(["seat", "year"])
        .agg(
            quota=("quota", "sum"),
            credited=("credited_sales", "sum"),
            weeks=("weeks_in_seat", "sum"),
            tenure=("tenure_weeks", "min"),
        )
        .unstack("year")
    )
    seasoned = g[("tenure", 0)] >= result.params.hiring.onboarding_weeks
    return g[(g[("weeks", 0)] >= 52) & (g[("weeks", 1)] >= 52) & seasoned]


@pytest.mark.parametrize("weight", [0.5, 1.0])
def test_in_a_run_second_year_quotas_follow_first_year_bookings(compose_params, weight):
    """Year 1's quota tracks year 0's sales far more closely than top_down's does.

    Measured (seeds 0-2, 32 reps, 2026-12-05 defaults): correlation 0.87-0.94 at weight
    0.5, 0.996-1.0 at 1, 0.68-0.84 under top_down (whose split, mostly by potential
    counting the installed base, predicts sales too); seed 0: 0.926, 0.999 and 0.694.
    From a steady start (the larger accounts already customers, 2026-12-05 e) the
    installed base predicts sales better: top_down's correlation is 0.910 on seed 0
    (history 0.986 at 0.5), so the check is on the part each leaves unexplained. At the
    buyers-wait defaults (2026-12-06, l), seeds 0-3: 0.79-0.99 at 0.5, 0.94-1.0 at 1,
    0.26-0.75 under top_down; seed 0: 0.945, 1.0 and 0.559, on 15, 10 and 16 seats
    that a seasoned rep held both years (10-20 of the 32 on seeds 0-3). At fit (s)'s
    defaults (2026-12-07; narrower account spend, so potential predicts sales better),
    seeds 0-3: 0.94-0.97 at 0.5, 0.99-1.0 at 1, 0.87-0.93 under top_down; the part
    history leaves unexplained is 0.20-0.60 of top_down's at 0.5 and 0-0.08 at 1, so
    the bound is 1 - weight / 2 of it (half of it at weight 1, as before).
    """
    history = run_one(
        compose_params(*TWO_YEARS, "quota=history", f"quota.history_weight={weight}"), 0
    )
    top = run_one(compose_params(*TWO_YEARS, "quota=top_down"), 0)
    corr = {}
    for name, result in (("history", history), ("top_down", top)):
        seats = seasoned_seats(result)
        assert len(seats) >= 10
        corr[name] = np.corrcoef(seats[("credited", 0)], seats[("quota", 1)])[0, 1]
    # year 0 is the same run under both policies (same seed, top_down quotas)
    year0 = [
        r.tables["reps"].query("year == 0")[["seat", "quota", "credited_sales"]]
        for r in (history, top)
    ]
    pd.testing.assert_frame_equal(*(y.reset_index(drop=True) for y in year0))
    assert corr["history"] > 0.85 + 0.1 * weight
    assert 1.0 - corr["history"] < (1.0 - 0.5 * weight) * (1.0 - corr["top_down"]), corr


def test_company_target_plans_from_last_years_bookings(compose_params):
    """``org.target_basis``: last_year grows last year's bookings; fixed ignores them."""
    planned = compose_params("org.target_basis=last_year", "org.target_growth=0.1")
    fixed = compose_params("org.target_basis=fixed", "org.target_growth=0.1")
    org = fixed.org
    np.testing.assert_allclose(company_target(planned, 2, 5e7), 5.5e7, rtol=1e-12)
    np.testing.assert_allclose(
        company_target(fixed, 2, 5e7), org.quota_per_rep * org.n_reps * 1.1**2, rtol=1e-12
    )
    # no history yet (the first year) or nothing booked: the fixed target
    assert company_target(planned, 0) == company_target(fixed, 0)
    assert company_target(planned, 1, 0.0) == company_target(fixed, 1)


def test_last_year_target_follows_what_the_organisation_books(compose_params):
    """Each year's recorded target is the year before's bookings grown by target_growth."""
    params = compose_params(
        "org.target_basis=last_year", "org.n_reps=16", "run.years=3", "run.warmup_years=1"
    )
    weekly = run_one(params, 0).tables["weekly"]
    by_year = weekly.groupby(weekly["week"] // 52)[["bookings", "target_weekly"]].sum()
    growth = 1.0 + params.org.target_growth
    np.testing.assert_allclose(
        by_year["target_weekly"].to_numpy()[1:],
        by_year["bookings"].to_numpy()[:-1] * growth,
        rtol=1e-9,
    )
