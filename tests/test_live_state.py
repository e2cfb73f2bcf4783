"""Read-only accessors of a running model's state (used by the workshop app's live views)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.model import SalesModel
from simulator.params import SimParams
from simulator.run import with_overrides


def small_model(seed: int = 0) -> SalesModel:
    params = with_overrides(
        SimParams(), **{"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}
    )
    return SalesModel(params, seed)


def test_weekly_series_is_a_read_only_view_of_the_weeks_so_far():
    model = small_model()
    for _ in range(20):
        model.step()
    series = model.recorder.weekly_series("bookings", model.week)
    weekly = model.tables()["weekly"]
    np.testing.assert_array_equal(series, weekly["bookings"].to_numpy()[:20])
    assert series.size == 20 and series.sum() > 0
    with pytest.raises(ValueError, match="read-only"):
        series[0] = 1.0
    with pytest.raises(ValueError):
        model.recorder.weekly_series("no_such_column", 1)


def test_week_hours_are_the_hours_chosen_in_the_last_week():
    model = small_model(4)
    assert model.week_hours is None
    for _ in range(6):
        model.step()
        weekly = model.recorder.weekly_series("hours_helping", model.week)
        assert model.week_hours.helping.sum() == pytest.approx(weekly[-1])
        assert model.week_hours.prospecting.shape == (16,)
