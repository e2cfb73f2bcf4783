"""experiments/attainment_spread.py: switching off each source of attainment spread."""

from __future__ import annotations

from experiments.attainment_spread import MOMENTS, ROWS, spread_table
from simulator.params import SimParams


# 24 reps for 2 years. p90 over the median, defaults minus every source of heterogeneity
# off, over six groups of 3 seeds (0-2, ..., 15-17) at the 2026-12-05 (h) defaults: 0.37,
# 0.35, 0.62, 0.36, 0.63, 0.39 (mean 0.45, sd 0.13). At fit (s)'s defaults (2026-12-07),
# whose account spend is narrower, the sources add less: 0.08, 0.02, 0.38, 0.20, 0.19,
# -0.01 (mean 0.14, sd 0.14 a group of 3), so the check pools 12 seeds (sd about 0.07)
# and asks the direction: the deal process alone is narrower.
def test_switching_every_source_of_spread_off_leaves_the_deal_process_s_narrower_spread():
    table = spread_table(2, 1, {"org.n_reps": 24, "run.years": 2})
    assert list(table.index) == list(ROWS)
    assert set(MOMENTS) < set(table.columns)
    assert (table["p90_over_median"] > 1.0).all()
    pair = {name: ROWS[name] for name in ("defaults", "all of the above")}
    ratio = spread_table(12, 1, {"org.n_reps": 24, "run.years": 2}, rows=pair)["p90_over_median"]
    assert ratio["all of the above"] < ratio["defaults"]


def test_every_lever_row_runs_and_a_lower_quota_lifts_attainment():
    from experiments.attainment_spread import LEVERS

    table = spread_table(2, 1, {"org.n_reps": 24, "run.years": 2}, rows=LEVERS)
    assert list(table.index) == list(LEVERS)
    assert table[list(MOMENTS)].notna().all().all()
    # the quota row's quota against the defaults' (560,500 when the scan ran, 483,300 since
    # plan (ad)): attainment moves against it, about in proportion (-4.3% expected at 483,300;
    # -5.0% read at seeds 0-1, the two rows on the same seeds)
    quota = table.loc["smb spend sigma 0.7, quota 505,000", "attainment_median"]
    alike = table.loc["smb spend sigma 0.7", "attainment_median"]
    change = 505_000 / SimParams().org.quota_per_rep - 1.0
    assert (quota / alike - 1.0) * change < 0.0
