"""experiments/calibration.py: the default organisation against the MODEL.md section 4 bands."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# experiments/ is not a package; put it on sys.path (which spawned workers inherit) so that
# worker processes can import the module by name and unpickle its functions.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "experiments"))
calibration = importlib.import_module("calibration")

#: seeds of the fast check (a subset of the 20-seed calibration run)
SEEDS = range(6)

#: between-seed standard deviation of each banded metric, from the 20-seed calibration of
#: ``make validate`` on the fitted defaults (2026-12-05 (e), a steady start;
#: validation/report.md: means share_at_quota 0.530, turnover_total 0.366,
#: ramp_months_median 4.77, top20_revenue_share 0.643, attainment_median 1.056,
#: attainment_p90 2.21, revenue_vs_target 1.10; SD = 95% half-width x sqrt(20) / t(19))
MEASURED_SD = {
    "share_at_quota": 0.060,
    "turnover_total": 0.088,
    "ramp_months_median": 1.13,
    "top20_revenue_share": 0.032,
    "attainment_median": 0.110,
    "attainment_p90": 0.333,
    "revenue_vs_target": 0.152,
}

#: bands the fitted defaults miss (issue 11's closing note says why); strict, so a model
#: that reaches one fails here until the mark is removed. None is marked at the 2026-12-05
#: (e) defaults: turnover_total (0.366 [0.325, 0.407]), attainment_median (1.056 [1.004,
#: 1.107]), attainment_p90 (2.21 [2.05, 2.36]) and revenue_vs_target (1.10 [1.03, 1.17])
#: miss their bands over 20 seeds, but their 6-seed means lie within the tolerance of 2.5
#: standard errors, so they are checked, not marked
MISSED: dict[str, str] = {}


def _band_cases():
    for metric in calibration.BANDS:
        if metric in MISSED:
            yield pytest.param(
                metric, marks=pytest.mark.xfail(strict=True, reason=f"missed: {MISSED[metric]}")
            )
        else:
            yield metric


@pytest.fixture(scope="module")
def table():
    return calibration.calibrate(SEEDS, workers=1)


@pytest.mark.parametrize("metric", list(_band_cases()))
def test_default_means_sit_inside_the_bands(table, metric):
    """Inside the band widened by 2.5 standard errors of a mean over this many seeds."""
    lo, hi = calibration.BANDS[metric]
    tolerance = 2.5 * MEASURED_SD[metric] / np.sqrt(len(SEEDS))
    mean = table.loc[metric, "mean"]
    assert lo - tolerance <= mean <= hi + tolerance, (
        f"{metric}: mean {mean:.4g} over {len(SEEDS)} seeds, band {lo:g}-{hi:g} "
        f"widened by {tolerance:.3g}"
    )


def test_measured_sd_still_describes_the_spread(table):
    """Guard the tolerance: the spread over these seeds is of the size the tolerance assumes."""
    for metric, sd in MEASURED_SD.items():
        assert 0.25 * sd < table.loc[metric, "sd"] < 3.0 * sd, metric


def test_table_holds_bands_first_then_every_headline_metric(table):
    assert list(table.index[: len(calibration.BANDS)]) == list(calibration.BANDS)
    assert table["n"].eq(len(SEEDS)).loc[list(calibration.BANDS)].all()
    assert {"revenue", "attainment_mean", "turnover_voluntary"} <= set(table.index)
    assert table.loc[list(calibration.BANDS), "inside"].map(lambda v: isinstance(v, bool)).all()
    assert table.drop(index=list(calibration.BANDS))["inside"].isna().all()
    assert [r["seed"] for r in table.attrs["runs"]] == list(SEEDS)
    banded = table.loc[list(calibration.BANDS)]
    assert (banded["ci_lo"] <= banded["mean"]).all() and (banded["mean"] <= banded["ci_hi"]).all()


def test_parallel_runs_equal_serial_runs(table):
    parallel = calibration.run_seeds([0, 1], workers=2)
    serial = pd.DataFrame(table.attrs["runs"]).set_index("seed").loc[[0, 1]]
    pd.testing.assert_frame_equal(parallel, serial, check_exact=True)


def test_summary_statistics_by_hand():
    runs = pd.DataFrame(
        {
            "share_at_quota": [0.6, 0.7, 0.8],
            "turnover_total": [0.1, 0.2, 0.3],
            "ramp_months_median": [5.0, np.nan, 5.0],
            "top20_revenue_share": [0.5, 0.5, 0.5],
            "attainment_median": [1.0, 1.0, 1.0],
            "attainment_p90": [1.5, 1.5, 1.5],
            "revenue_vs_target": [1.0, 1.0, 1.0],
            "revenue": [1.0, 2.0, 3.0],
        },
        index=pd.Index([0, 1, 2], name="seed"),
    )
    table = calibration.summarise_seeds(runs)
    row = table.loc["share_at_quota"]
    half = 4.302652729911275 * 0.1 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert row["mean"] == pytest.approx(0.7) and row["sd"] == pytest.approx(0.1)
    assert (row["ci_lo"], row["ci_hi"]) == pytest.approx((0.7 - half, 0.7 + half))
    assert row["inside"] is False
    assert table.loc["turnover_total", "inside"] is False
    assert table.loc["top20_revenue_share", "inside"] is True
    assert table.loc["ramp_months_median", "n"] == 2  # NaN seeds are left out
    assert pd.isna(table.loc["revenue", "inside"])


def test_check_exits_1_only_when_a_mean_is_outside(monkeypatch, tmp_path, capsys):
    inside = pd.DataFrame(
        {m: [(lo + hi) / 2] * 2 for m, (lo, hi) in calibration.BANDS.items()},
        index=pd.Index([0, 1], name="seed"),
    )
    outside = inside.assign(turnover_total=[0.9, 0.9])
    for runs, expected in ((inside, 0), (outside, 1)):

        def fake(seeds, workers, runs=runs):
            table = calibration.summarise_seeds(runs)
            table.attrs["runs"] = runs.reset_index().to_dict(orient="records")
            return table

        monkeypatch.setattr(calibration, "calibrate", fake)
        out = tmp_path / "calibration.json"
        assert calibration.main(["--seeds", "2", "--check", "--out", str(out)]) == expected
        assert calibration.main(["--seeds", "2", "--out", str(out)]) == 0
        saved = json.loads(out.read_text())
        assert [r["metric"] for r in saved["summary"]][: len(calibration.BANDS)] == list(
            calibration.BANDS
        )
        assert len(saved["runs"]) == 2
    assert "turnover_total" in capsys.readouterr().err


def test_overrides_reach_the_runs(table):
    """A candidate's bands are read at the candidate: ``make validate --set`` passes them here."""
    serial = pd.DataFrame(table.attrs["runs"]).set_index("seed").loc[[0]]
    same = calibration.run_seeds([0], workers=1, overrides=())
    pd.testing.assert_frame_equal(same, serial, check_exact=True)
    lower = calibration.run_seeds([0], workers=1, overrides=("org.quota_per_rep=300000",))
    assert lower.loc[0, "attainment_median"] > 1.3 * serial.loc[0, "attainment_median"]
