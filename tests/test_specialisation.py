"""Territories cut by segment (``territory.specialisation``) and quotas per role.

Each seat has a home segment (seats split by the segments' shares of accounts,
neighbouring seats together); a specialised seat draws that share of its
accounts from its home segment, and the equal part of a top_down split is equal
within a home segment. At 0 every territory is a mix and nothing changes.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.accounts import SEGMENTS, Accounts
from simulator.metrics import annual_attainment
from simulator.params import SimParams
from simulator.plans.quota import annual_quotas, company_target
from simulator.run import run_one, with_overrides
from simulator.segments import home_segments


def test_home_segments_follow_the_account_shares_and_keep_neighbours_together():
    home = home_segments(np.array([0.6, 0.3, 0.1]), 60)
    np.testing.assert_array_equal(np.bincount(home, minlength=3), [36, 18, 6])
    assert np.all(np.diff(home) >= 0)  # contiguous: teams of neighbouring seats share a role
    # largest remainders: 7 seats at 0.6/0.3/0.1 are 4.2/2.1/0.7 -> 4, 2, 1
    np.testing.assert_array_equal(
        np.bincount(home_segments(np.array([0.6, 0.3, 0.1]), 7)), [4, 2, 1]
    )
    assert home_segments(np.array([0.6, 0.3, 0.1]), 1).tolist() == [0]


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_a_specialised_seat_draws_its_share_of_accounts_from_its_home_segment(share):
    params = with_overrides(
        SimParams(), **{"territory.specialisation": share, "territory.accounts_per_rep": 400}
    )
    acc = Accounts(params, 60, np.random.default_rng(0))
    seg, home = acc.segment[: acc.n], acc.home[acc.seat[: acc.n]]
    mix = np.array([getattr(params.territory, s).share for s in SEGMENTS])
    # a seat's account is from home with probability share + (1 - share) x the home segment's mix
    expected = share + (1 - share) * mix[home]
    observed = (seg == home).mean()
    # binomial standard error of the pooled share over ~24,000 accounts is about 0.003
    assert observed == pytest.approx(expected.mean(), abs=0.015)
    if share == 1.0:
        assert np.all(seg == home)


def test_role_quotas_split_equally_within_a_role_and_keep_the_target(compose_params):
    params = compose_params("quota=top_down", "quota.potential_weight=0.25")
    basis = np.array([1.0, 3.0, 10.0, 30.0])
    role = np.array([0, 0, 1, 1])
    target = company_target(params, 0)
    quotas = annual_quotas(params, basis, target, None, role)
    np.testing.assert_allclose(quotas.sum(), target * params.quota.aggressiveness, rtol=1e-12)
    share = basis / basis.sum()
    role_equal = np.array([4.0, 4.0, 40.0, 40.0]) / 2 / basis.sum()
    np.testing.assert_allclose(quotas / quotas.sum(), 0.25 * share + 0.75 * role_equal, rtol=1e-12)
    # one role for every seat is the plain equal split
    one = annual_quotas(params, basis, target, None, np.zeros(4, int))
    np.testing.assert_allclose(one, annual_quotas(params, basis, target), rtol=1e-12)


def test_capacity_planning_gives_each_role_its_reps_times_what_a_ramped_rep_sold(
    compose_params,
):
    params = compose_params(
        "quota=top_down", "quota.potential_weight=0.25", "quota.role_basis=history"
    )
    basis = np.array([1.0, 3.0, 10.0, 30.0, 20.0])
    role = np.array([0, 0, 1, 1, 1])
    target = company_target(params, 1)
    # role 0 sold 10 a week a seat, role 1 5 (one territory without history)
    history = np.array([8.0, 12.0, 4.0, 6.0, np.nan])
    quotas = annual_quotas(params, basis, target, history, role)
    np.testing.assert_allclose(quotas.sum(), target * params.quota.aggressiveness, rtol=1e-12)
    capacity = np.array([2 * 10.0, 3 * 5.0]) / 35.0
    np.testing.assert_allclose(np.bincount(role, quotas) / quotas.sum(), capacity, rtol=1e-12)
    # within a role, the potential part still follows the territories' potential
    within = quotas[2:] / quotas[2:].sum()
    np.testing.assert_allclose(within, 0.25 * basis[2:] / 60.0 + 0.75 / 3, rtol=1e-12)
    # before any role has history (the first year), the split is potential's
    first = annual_quotas(params, basis, target, np.full(5, np.nan), role)
    plain = annual_quotas(
        compose_params("quota=top_down", "quota.potential_weight=0.25"), basis, target, None, role
    )
    np.testing.assert_allclose(first, plain, rtol=1e-12)


# The mechanism bites where a few big accounts make a mixed territory, so the test sets
# enterprise spend as wide as it was declared (sigma 0.9) rather than leaning on the fitted
# spread: the spread refit of 2026-12-05 (h) set it to 0.27, and there the narrowing is
# small (p90/p10 mixed minus cut +0.41, sd 0.79 over seeds 0-11). At sigma 0.9, paired over
# seeds 0-11: +1.17 (sd 1.11); seeds 0-7 +1.02 (SE 0.40); the cut top fifth books 0.59.
# At the buyers-wait defaults (2026-12-06, l): seeds 0-7 +0.81 (SE 0.46), 0-15 +0.77 (0.30),
# 0-23 +0.92 (0.22), 5000-5015 +1.09 (0.20); the cut top fifth books 0.56-0.58. So 16 seeds.
def test_specialised_territories_narrow_attainment_and_keep_bookings_unequal():
    """The point of the mechanism: mixed territories are made by a few big accounts,
    so attainment spreads wide; cut by segment, quotas per role track what each job
    can sell."""

    def spread(share: float, seed: int) -> tuple[float, float]:
        params = with_overrides(
            SimParams(),
            **{
                "territory.specialisation": share,
                "quota.potential_weight": 1.0,
                "territory.ent.potential_sigma": 0.9,
            },
        )
        run = run_one(params, seed)
        att = annual_attainment(run.tables["reps"])["attainment"].to_numpy()
        return np.quantile(att, 0.9) / np.quantile(att, 0.1), run.summary["top20_revenue_share"]

    mixed, cut = (np.array([spread(share, seed) for seed in range(16)]) for share in (0.0, 1.0))
    narrowing = mixed[:, 0] - cut[:, 0]
    se = narrowing.std(ddof=1) / np.sqrt(narrowing.size)
    assert narrowing.mean() > 2.0 * se, (narrowing.mean(), se)
    # the top fifth still books over the field band's floor (0.45)
    assert cut[:, 1].mean() > 0.45
