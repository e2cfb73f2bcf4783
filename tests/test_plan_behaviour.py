"""How reps respond to the plans of conf/: documented directions over paired replications.

Each test composes a plan (or quota policy) from conf/ as users do
(``plan=ranking``), runs it on the same seeds as the default plan
(``quota_bonus`` with ``top_down`` quotas; common random numbers) and asserts
the direction of MODEL.md section 5 on the mean paired difference, with a
margin of two standard errors (the ``direction`` fixture). The comment above
each test gives the mean paired difference and its SE measured on the test's
own seeds and on independent seeds 5000-5031; the independent SE sets the
number of seeds so that the expected margin is about four standard errors or
more. A direction that did not hold when measured is marked ``xfail(strict)``
with the numbers, never weakened.
"""

from __future__ import annotations

import pytest

#: paired seeds; the default arm is shared, each test takes the first n it needs
SEEDS = range(12)


@pytest.fixture(scope="module")
def base(replicate_config):
    return replicate_config(SEEDS)


def first(base, n):
    return base.loc[list(SEEDS[:n])]


# plan=linear, n=12. end_of_period_share (bookings of each quarter's last two weeks; 2/13 =
# 0.154): before prospects left the market seeds 0-7 -0.057 (SE 0.0076); with them the
# spike's dependence on the plan is smaller (seeds 0-7 -0.018, SE 0.011; make validate's
# fact 1, n=30: -0.029 [-0.039, -0.019]), so all 12 seeds.
def test_linear_commission_flattens_the_end_of_period_spike(base, replicate_config, direction):
    linear = replicate_config(SEEDS, "plan=linear")
    direction(base, linear, "end_of_period_share", -1)


# plan=capped (no commission beyond 150% of quarterly quota), n=4. Weekly hours chosen by reps
# who had already credited 150% of their quarterly quota when choosing (default 51.4 h): seeds
# 0-3 -13.6 (SE 0.35); seeds 5000-5031 -13.9 (SE 0.14). Mean weekly hours of rep-quarters that
# ended above 150% (default 48.1 h; diluted by the weeks before crossing and selected on the
# outcome, so the weekly measure is the main one): seeds 0-3 -5.9 (SE 0.29); seeds 5000-5031
# -5.9 (SE 0.16).
def test_capped_commission_lowers_effort_past_the_cap(base, replicate_config, direction):
    capped = replicate_config(SEEDS[:4], "plan=capped")
    direction(first(base, 4), capped, "effort_past_cap_weekly", -1)
    direction(first(base, 4), capped, "effort_past_cap_quarterly", -1)


# plan=ranking. helping_share (default 0.0446), n=4: seeds 0-3 -0.0109 (SE 0.0004); seeds
# 5000-5031 -0.0103 (SE 0.0001). sd of annual attainment (default 1.00), n=12: seeds 0-11
# +0.217 (SE 0.033); seeds 5000-5031 +0.268 (SE 0.029; sd of the difference 0.16, so n=12
# expects 5.7 SE).
def test_ranking_lowers_helping(base, replicate_config, direction):
    ranking = replicate_config(SEEDS[:4], "plan=ranking")
    direction(first(base, 4), ranking, "helping_share", -1)


def test_ranking_raises_the_spread_of_annual_attainment(base, replicate_config, direction):
    ranking = replicate_config(SEEDS, "plan=ranking")
    direction(base, ranking, "attainment_sd", +1)


# plan=team, n=4. helping_share (default 0.0446): seeds 0-3 +0.078 (SE 0.0016); seeds
# 5000-5031 +0.078 (SE 0.0005).
def test_team_pay_raises_helping(base, replicate_config, direction):
    team = replicate_config(SEEDS[:4], "plan=team")
    direction(first(base, 4), team, "helping_share", +1)


# quota=ratchet against top_down, n=8. deals_held_per_year (default 43): seeds 0-7 +50
# (SE 3.7); seeds 5000-5031 +45 (SE 2.0). Deals held per rep-quarter ending at or above quota
# (default 0.21): seeds 0-7 +0.33 (SE 0.029); seeds 5000-5031 +0.33 (SE 0.013). Share of the
# quarter booked in weeks 11-12 by rep-quarters that had booked their quota by week 10
# (default 0.107): seeds 0-7 -0.065 (SE 0.0037); seeds 5000-5031 -0.064 (SE 0.0034).
def test_ratchet_makes_reps_ahead_of_quota_hold_back(base, replicate_config, direction):
    ratchet = replicate_config(SEEDS[:8], "quota=ratchet")
    direction(first(base, 8), ratchet, "deals_held_per_year", +1)
    direction(first(base, 8), ratchet, "held_when_ahead", +1)
    direction(first(base, 8), ratchet, "late_share_ahead_before_window", -1)


# quota=ratchet against top_down, n=8 (MODEL.md 5.4: lower total sales against externally set
# quotas). Revenue (default 1.23e8 a year): seeds 0-7 -2.7e7 (SE 3.9e6); seeds 5000-5031
# -2.3e7 (SE 1.8e6).
def test_ratchet_lowers_total_sales(base, replicate_config, direction):
    ratchet = replicate_config(SEEDS[:8], "quota=ratchet")
    direction(first(base, 8), ratchet, "revenue", -1)


# quota=ratchet against top_down, n=8: share of the bookings of rep-quarters that END at or
# above quota booked in weeks 11-12 (default 0.228): seeds 0-7 -0.060 (SE 0.012). Before reps
# priced the ratchet on where the quarter ends and weighed the later quota rise of a deal moved
# to next quarter (quota.ratchet_delay_weight), this went the other way (+0.075): reps short of
# quota rushed deals in to smooth across the asymmetric ratchet.
# With white space bounding expansion (issue 11) the effect is clear at n=8 again (make
# validate's fact 4, n=30: -0.067 [-0.082, -0.052]; at the previous fit it was -0.041).
def test_ratchet_lowers_the_late_share_of_quarters_that_end_above_quota(
    base, replicate_config, direction
):
    ratchet = replicate_config(SEEDS[:8], "quota=ratchet")
    direction(first(base, 8), ratchet, "late_share_ahead_at_end", -1)
