"""Validation measures on hand-built tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.validation.measures import (
    attainment_persistence,
    late_share_by_pace,
    manager_quality_gap,
    manager_ranked_gap,
    quit_contagion,
    quits_by_performance,
    share_below_any_tenure,
)
from simulator.metrics import annual_attainment


def reps_table(attainment: dict[int, list[float]], year: int = 1) -> pd.DataFrame:
    """One evaluation year: manager -> its reps' annual attainments (quota 1 per quarter)."""
    rows = []
    rep = 0
    for manager, values in attainment.items():
        for value in values:
            for quarter in range(4):
                rows.append(
                    {
                        "rep_id": rep,
                        "year": year,
                        "quarter": quarter,
                        "warmup": False,
                        "manager_id": manager,
                        "weeks_in_seat": 13,
                        "quota": 1.0,
                        "credited_sales": value,
                    }
                )
            rep += 1
    return pd.DataFrame(rows)


#: eight managers of two reps each; team means 0.2, 0.4, ..., 1.6
TEAMS = {m: [0.1 + 0.2 * m, 0.3 + 0.2 * m] for m in range(8)}


def test_ranked_gap_compares_the_teams_by_their_own_results():
    gap = manager_ranked_gap(reps_table(TEAMS))
    # top quarter: teams 6 and 7 (means 1.4, 1.6); bottom: teams 0 and 1 (0.2, 0.4)
    assert gap["manager_gap_ranked_attainment"] == pytest.approx(1.5 - 0.3)
    # at quota: teams 4.. have both reps at or above 1 (team 4: 0.9, 1.1 -> half)
    assert gap["manager_gap_ranked_at_quota"] == pytest.approx(1.0 - 0.0)
    # Vantage Point's levels: the best quarter of teams has every rep at quota; teams 0-3
    # have none and team 4 exactly half (not fewer than half): 4 of 8 below half
    assert gap["manager_top_quartile_at_quota"] == pytest.approx(1.0)
    assert gap["manager_share_below_half_at_quota"] == pytest.approx(0.5)


def test_ranked_gap_is_there_without_any_manager_effect_and_quality_gap_is_not():
    """Teams drawn alike: ranking by results still spreads them; ranking by quality does not."""
    rng = np.random.default_rng(0)
    teams = {m: list(rng.lognormal(0.0, 0.4, 5)) for m in range(40)}
    reps = reps_table(teams)
    managers = pd.DataFrame({"manager_id": range(40), "coaching_quality": rng.random(40)})
    ranked = manager_ranked_gap(reps)["manager_gap_ranked_attainment"]
    by_quality = manager_quality_gap(reps, managers)["manager_gap_attainment"]
    assert ranked > 0.35  # luck alone: about 2.5 sds of a 5-rep team mean (0.42/sqrt(5))
    assert abs(by_quality) < 0.2


def test_quits_by_performance_reads_the_inverted_u_as_a_ratio_and_a_difference():
    """Ten reps ranked by a full quarter; who quits voluntarily in the next one."""
    quitters = {1, 4, 5, 6}  # one of the bottom two, three of the middle six, no top rep
    rows = []
    for rep in range(1, 11):
        rows.append(
            {
                "rep_id": rep,
                "period": 1,
                "warmup": False,
                "weeks_in_seat": 13,
                "attainment": rep / 10,
                "exit_kind": "",
            }
        )
        rows.append(
            {
                "rep_id": rep,
                "period": 2,
                "warmup": False,
                "weeks_in_seat": 5 if rep in quitters else 13,
                "attainment": 1.0,
                "exit_kind": "voluntary" if rep in quitters else "",
            }
        )
    out = quits_by_performance(pd.DataFrame(rows))
    # annualised: a quarter's share times 4
    assert out["quit_rate_bottom"] == pytest.approx(0.5 * 4)
    assert out["quit_rate_middle"] == pytest.approx(0.5 * 4)
    assert out["quit_rate_top"] == pytest.approx(0.0)
    assert out["quit_middle_vs_ends"] == pytest.approx(2.0 / 1.0)
    assert out["quit_middle_minus_ends"] == pytest.approx(2.0 - 1.0)


def test_quit_contagion_compares_rep_quarters_after_a_teammate_quit_with_the_others():
    """Two teams of four over two quarters; rep 1 (team 0) quits in the first."""
    quits = {(1, 1), (2, 2), (5, 2)}  # (rep, period): rep 2 exposed, rep 5 not
    rows = [
        {
            "rep_id": rep,
            "team": 0 if rep <= 4 else 1,
            "period": period,
            "warmup": False,
            "exit_kind": "voluntary" if (rep, period) in quits else "",
        }
        for period in (1, 2)
        for rep in range(1, 9)
        if not (rep == 1 and period == 2)
    ]
    # exposed: team 0's reps 2-4 in quarter 2, one quits (1/3); the other 12 rep-quarters,
    # the quitter's own first quarter among them, hold two quits (2/12)
    assert quit_contagion(pd.DataFrame(rows)) == pytest.approx((1 / 3) / (2 / 12))
    # an involuntary exit exposes no one: with rep 1 dismissed, no rep-quarter is exposed
    rows[0]["exit_kind"] = "involuntary"
    assert np.isnan(quit_contagion(pd.DataFrame(rows)))


def test_late_share_by_pace_conditions_on_the_first_ten_weeks_not_on_the_end():
    """Quarter 4 (weeks 52-64, quota 13): who is ahead of pace after 10 weeks decides who counts."""
    reps = pd.DataFrame(
        {
            "rep_id": [0, 1, 2, 3],
            "period": [4, 4, 4, 4],
            "warmup": [False, False, False, True],
            "weeks_in_seat": [13, 13, 13, 13],
            "quota": [13.0, 13.0, 13.0, 13.0],
        }
    )
    # on pace: 10/13 of 13 = 10 booked in weeks 52-61
    # rep 0: 10 + 2 early (week 61 is the 10th week), nothing late -> counts, below quota
    # rep 1: 9 early (behind), 20 late -> ends far above quota, does not count
    # rep 2: 12 early, 6 late and a lost deal -> counts; rep 3 is in the warm-up
    deals = pd.DataFrame(
        {
            "week": [52, 61, 52, 62, 52, 63, 64, 52],
            "rep_id": [0, 0, 1, 1, 2, 2, 2, 3],
            "won": [True, True, True, True, True, True, False, True],
            "price": [10.0, 2.0, 9.0, 20.0, 12.0, 6.0, 0.0, 50.0],
        }
    )
    assert late_share_by_pace(reps, deals) == pytest.approx(6.0 / (12.0 + 12.0 + 6.0))


def test_attainment_persistence_pairs_a_rep_with_itself_the_next_year():
    """Four reps over three years; a fifth rep's single year has no pair."""
    years = {1: [0.5, 1.0, 1.5, 2.0], 2: [0.6, 0.9, 1.7, 1.8], 3: [2.0, 1.5, 1.0, 0.5]}
    reps = pd.concat([reps_table({0: v}, year) for year, v in years.items()])
    lone = reps_table({0: [9.0]}, 1).assign(rep_id=99)
    pairs_x = [0.5, 1.0, 1.5, 2.0, 0.6, 0.9, 1.7, 1.8]
    pairs_y = [0.6, 0.9, 1.7, 1.8, 2.0, 1.5, 1.0, 0.5]
    expected = np.corrcoef(pairs_x, pairs_y)[0, 1]
    annual = annual_attainment(pd.concat([reps, lone]))
    assert attainment_persistence(annual) == pytest.approx(expected)


def test_the_share_below_a_tenth_counts_reps_of_any_tenure_against_the_quota_they_held():
    """Four full-year reps (one below a tenth) and a new hire's single quarter."""
    full = reps_table({0: [0.05, 0.5, 1.0, 1.5]})  # annual attainment as given
    hire = reps_table({0: [0.0]}).query("quarter == 3").assign(rep_id=10, weeks_in_seat=4)
    hire = hire.assign(quota=4 / 13, credited_sales=0.02)  # 0.065 of a prorated quota
    warm = reps_table({0: [0.0]}).assign(rep_id=11, warmup=True)  # before the evaluation
    reps = pd.concat([full, hire, warm])
    assert share_below_any_tenure(reps) == pytest.approx(2 / 5)
    assert share_below_any_tenure(reps, below=0.06) == pytest.approx(1 / 5)
    # annual_attainment would keep only the full-year reps
    assert len(annual_attainment(reps)) == 4
