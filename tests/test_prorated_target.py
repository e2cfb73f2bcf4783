"""A period held in part, or ramped through, pays its target in the same share as its quota.

Before ``hiring.prorated_target``, a rep hired in a quarter's last week carried
one ramped week's quota (about 1/33 of a full week's) against the whole
quarter's target pay: a deal it inherited from the territory's pipeline paid
dozens of times the seat's rate, and in the default organisation those hire
quarters took about two thirds of all variable pay on 4% of the sales.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.model import SalesModel
from simulator.run import run_one


def test_a_periods_pay_share_follows_the_ramp_like_its_quota(compose_params):
    model = SalesModel(compose_params("org.n_reps=24", "hiring.prorated_target=true"), 0)
    st = model.seats
    tenure = st.tenure_weeks(model.week, np.arange(24))
    onboarding = model.params.hiring.onboarding_weeks
    seasoned = tenure >= onboarding
    assert seasoned.any() and (~seasoned).any()
    np.testing.assert_array_equal(st.pay_share[13][seasoned], 1.0)
    ramp = np.minimum(1.0, (tenure[:, None] + np.arange(13)[None, :] + 1) / onboarding)
    np.testing.assert_allclose(st.pay_share[13], ramp.mean(axis=1))
    np.testing.assert_allclose(st.quota[13], st.annual_quota_full * 13 / 52 * ramp.mean(axis=1))


def variable_pay_per_unit(reps, hire_quarters: bool) -> float:
    rows = reps[~reps["warmup"]]
    partial = (rows["weeks_in_seat"] < 13) & (rows["tenure_weeks"] < 13)
    rows = rows[partial] if hire_quarters else rows[rows["weeks_in_seat"] == 13]
    return float((rows["pay_total"] - rows["pay_base"]).sum() / rows["credited_sales"].sum())


def test_a_hires_first_quarter_pays_about_the_seats_rate(compose_params):
    """A hire's partial first quarter, pooled over seeds 0-3 (17-27 such quarters a seed).

    One seed's ratio is noisy: at fit (s)'s defaults (2026-12-07) it read 0.46, 1.11, 1.35
    and 0.52 on seeds 0-3, the commission per unit alone 0.48-1.47, so the check pools them.
    """
    setup = ("org.n_reps=48", "run.years=2")
    old, new = (
        pd.concat(
            run_one(compose_params(*setup, f"hiring.prorated_target={flag}"), seed).tables["reps"]
            for seed in range(4)
        )
        for flag in ("false", "true")
    )
    old_ratio = variable_pay_per_unit(old, True) / variable_pay_per_unit(old, False)
    new_ratio = variable_pay_per_unit(new, True) / variable_pay_per_unit(new, False)
    assert old_ratio > 4, old_ratio  # the windfall
    # the same rate, give or take a quota bonus reached on a ramped quota
    assert 0.5 < new_ratio < 2.0, (old_ratio, new_ratio)


def test_off_every_period_pays_its_whole_target(compose_params):
    model = SalesModel(compose_params("org.n_reps=12", "hiring.prorated_target=false"), 0)
    for _ in range(20):
        model.step()
    for w, share in model.seats.pay_share.items():
        np.testing.assert_array_equal(share, 1.0, err_msg=f"period {w}")
