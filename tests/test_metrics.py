"""A run's summary metrics read numpy columns: each equals what pandas computes, bit for bit.

The summary used to be computed with pandas (groupby sums and quantiles); it is now
computed on the tables' numpy columns, and must give the same floats, so that no
reported number moved. Each helper is compared here with the pandas expression it
replaces, on random data with the awkward values (NaN, infinities, lone rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import metrics
from simulator.run import run_batch

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 6),  # rep
        st.integers(0, 2),  # year
        st.one_of(
            st.floats(-1e9, 1e9, allow_nan=False),
            st.just(np.nan),
            st.just(np.inf),
            st.sampled_from([0.1, 0.2, 0.3, 1e16, -1e16, 1.0]),
        ),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_group_sums_are_pandas_compensated_groupby_sums(rows):
    frame = pd.DataFrame(rows, columns=["rep", "year", "value"], dtype=float)
    expected = frame.groupby(["rep", "year"])["value"].sum().to_numpy()
    rep, year, value = (frame[c].to_numpy() for c in ("rep", "year", "value"))
    order = np.lexsort((year, rep))
    first = np.ones(len(rows), bool)
    first[1:] = (np.diff(rep[order]) != 0) | (np.diff(year[order]) != 0)
    starts = np.flatnonzero(first)
    label = np.cumsum(first) - 1
    in_order = bool((order == np.arange(len(rows))).all())  # pandas 3.1 then adds by reduceat
    got = metrics.group_sums(
        value[order][:, None],
        label,
        np.arange(len(rows)) - starts[label],
        starts.size,
        in_order=in_order,
    )[:, 0]
    np.testing.assert_array_equal(got, expected)  # NaN where pandas has NaN, bit for bit


def test_a_naive_sum_would_differ_so_the_test_above_can_fail():
    # rows whose naive sum loses the small terms: pandas' compensated sum keeps them
    # (group 1's row comes first, so the rows are not in group order and pandas runs Kahan)
    values = np.array([5.0, 1.0] + [1e-16] * 10)
    keys = np.array([1] + [0] * 11)
    pandas_sum = pd.Series(values).groupby(keys).sum().iloc[0]
    naive = 0.0
    for v in values[1:].tolist():  # not sum(): Python 3.12's sum of floats is compensated too
        naive += v
    assert pandas_sum != naive
    got = metrics.group_sums(values[1:, None], np.zeros(11, int), np.arange(11), 1)[0, 0]
    assert got == pandas_sum


def test_rows_in_group_order_take_pandas_reduceat_shortcut():
    # pandas 3.1 adds rows already in group order with add.reduceat, which rounds this
    # group differently from Kahan's loop: group_sums follows it both ways
    values = np.array([1.8, 1.8, 0.25])
    in_order = pd.Series(values).groupby(np.zeros(3)).sum().iloc[0]
    # key -1 sorts first, so the rows are not in group order
    shuffled = pd.Series(np.append(values, 9.0)).groupby([0, 0, 0, -1]).sum()
    out_of_order = shuffled.loc[0]
    if metrics.pandas_sums_ordered_rows_by_reduceat():  # pandas 3.1: the two paths differ
        assert in_order != out_of_order  # here, so the test can fail
    rows = (values[:, None], np.zeros(3, int), np.arange(3), 1)
    assert metrics.group_sums(*rows, in_order=True)[0, 0] == in_order
    assert metrics.group_sums(*rows)[0, 0] == out_of_order


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.one_of(st.floats(0, 3, allow_nan=False), st.just(np.nan)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_period_p75_is_pandas_groupby_quantile(rows):
    period = np.array([p for p, _ in rows])
    values = np.array([v for _, v in rows], float)
    expected = pd.Series(values).groupby(period).quantile(0.75)
    asked = np.unique(period)
    got = metrics._period_p75(period, values, asked)
    np.testing.assert_array_equal(got, expected.reindex(asked).to_numpy())


@pytest.fixture(scope="module")
def reps_tables():
    from simulator.params import SimParams

    return [r.tables["reps"] for r in run_batch(SimParams(), [0, 1, 2])]


def test_rep_years_and_annual_attainment_equal_pandas_groupby(reps_tables):
    for reps in reps_tables:
        expected = (
            reps[~reps["warmup"]]
            .groupby(["rep_id", "year"])
            .agg(
                quota=("quota", "sum"),
                credited=("credited_sales", "sum"),
                weeks=("weeks_in_seat", "sum"),
                quarters=("quarter", "count"),
            )
        )
        pd.testing.assert_frame_equal(metrics.rep_years(reps), expected, check_exact=True)
        full = expected[
            (expected["quarters"] == 4) & (expected["weeks"] >= 52) & (expected["quota"] > 0)
        ].copy()
        full["attainment"] = full["credited"] / full["quota"]
        pd.testing.assert_frame_equal(
            metrics.annual_attainment(reps), full.reset_index(), check_exact=True
        )


def test_regretted_rate_equals_its_pandas_definition(reps_tables):
    for reps in reps_tables:
        full = reps[reps["weeks_in_seat"] >= 13]
        p75 = full.groupby("period")["attainment"].quantile(0.75)
        exits = reps[(reps["exit_kind"] == "voluntary") & ~reps["warmup"]]
        last = full.sort_values("period").groupby("rep_id").tail(1).set_index("rep_id")
        leavers = last.loc[last.index.intersection(exits["rep_id"])]
        top = (leavers["attainment"] >= p75.reindex(leavers["period"]).to_numpy()).sum()
        assert top > 0  # the comparison below is not 0 == 0
        assert metrics.regretted_rate(reps, 50.0, 3.0) == top / (0.25 * 50.0 * 3.0)
