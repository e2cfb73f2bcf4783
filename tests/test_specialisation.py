"""Territories cut by segment (``territory.specialisation``) and quotas per role.

Each seat has a home segment (seats split by the segments' shares of accounts,
neighbouring seats together); a specialised seat draws that share of its
accounts from its home segment, and the equal part of a top_down split is equal
within a home segment. At 0 every territory is a mix and nothing changes.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.accounts import SEGMENTS, Accounts, home_segments
from simulator.metrics import annual_attainment
from simulator.params import SimParams
from simulator.plans.quota import annual_quotas, company_target
from simulator.run import run_one, with_overrides


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


# At the defaults of 2026-12-05 (e) the narrowing was gone (seeds 0-5: p90/p10 mixed minus
# cut +0.68, seed sd 1.36) and this test was a strict xfail; at the (f) defaults (pay against
# the market moves quitting) it is back: +2.46 (sd 1.46) over seeds 0-5, p75/p25 +0.63
# (sd 0.53), seeds 0-2 7.10 mixed against 5.18 cut: a noisy effect over few seeds.
def test_specialised_territories_narrow_attainment_and_keep_bookings_unequal():
    """The point of the mechanism: mixed territories are made by a few big accounts
    (a third of a rep-year's bookings is its largest deal), so attainment spreads wide;
    cut by segment, quotas per role track what each job can sell."""

    def spread(share: float) -> tuple[float, float]:
        p90_p10, top = [], []
        for seed in range(3):
            params = with_overrides(
                SimParams(), **{"territory.specialisation": share, "quota.potential_weight": 1.0}
            )
            run = run_one(params, seed)
            att = annual_attainment(run.tables["reps"])["attainment"].to_numpy()
            p90_p10.append(np.quantile(att, 0.9) / np.quantile(att, 0.1))
            top.append(run.summary["top20_revenue_share"])
        return float(np.mean(p90_p10)), float(np.mean(top))

    mixed, mixed_top = spread(0.0)
    cut, cut_top = spread(1.0)
    # the difference of two 3-seed means has sd about 0.84 (seed sd 1.46 above), so a 0.6
    # margin sits 1.6 sds below the 1.92 measured on seeds 0-2
    assert cut < mixed - 0.6
    # the top fifth still books over the field band's floor (0.45; measured 0.64 cut, seeds 0-5)
    assert cut_top > 0.45
