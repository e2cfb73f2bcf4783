"""Batched replications (issue 14): a batch's every replication is its seed's run alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator import run as run_module
from simulator.batch import Blocks, Streams, subset_sums
from simulator.model import SalesModel
from simulator.params import SimParams, validate
from simulator.run import batch_size, run_batch, run_many, run_one, run_replications
from tests.conftest import composed_params

SHORT = ("run.years=1", "run.warmup_years=1", "org.n_reps=20")

#: configurations whose organisation-wide rules differ most from a seat's own: rank
#: prizes, the leaderboard and forced ranking (ranked within a replication), ratchets and
#: projected deal timing (priced by replication), team pay, quotas split by segment
#: role or by history, and the installed base drawn by size
CONFIGS = {
    "default": (),
    "ranking": ("plan=ranking", "plan.rank.leaderboard=true", "plan.rank.forced_exit_share=0.2"),
    "ratchet_projected": ("quota=ratchet", "rep.timing_projected=true", "org.span_of_control=6"),
    "team": ("plan=hybrid", "plan.team_weight=0.7", "plan.individual_weight=0.3"),
    "history_mixed": ("quota=history", "territory.specialisation=0", "buyer.winback_weeks=26"),
}


def assert_same_run(batch, alone) -> None:
    """Every table and summary value of two runs equal, bit for bit."""
    assert batch.tables.keys() == alone.tables.keys()
    for name, table in alone.tables.items():
        pd.testing.assert_frame_equal(batch.tables[name], table, check_exact=True, obj=name)
    assert batch.summary.keys() == alone.summary.keys()
    for key, value in alone.summary.items():
        assert batch.summary[key] == value or (np.isnan(value) and np.isnan(batch.summary[key]))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_each_replication_of_a_batch_is_its_seed_run_alone(name):
    params = validate(composed_params(*SHORT, *CONFIGS[name]))
    seeds = [11, 3, 7]
    for seed, result in zip(seeds, run_batch(params, seeds), strict=True):
        assert result.seed == seed
        assert_same_run(result, run_one(params, seed))


def test_spawned_seeds_and_the_batches_run_many_cuts(monkeypatch):
    # 5 replications in batches of 2, 2 and 1: the rows of the runs alone, in order
    params = validate(composed_params(*SHORT))
    monkeypatch.setattr(run_module, "BATCH_SEATS", 2 * params.org.n_reps)
    assert batch_size(params) == 2
    batched = run_replications(params, seed=5, n=5)
    alone = [run_one(params, s) for s in np.random.SeedSequence(5).spawn(5)]
    for result, single in zip(batched.runs, alone, strict=True):
        assert_same_run(result, single)


def test_a_batch_keeps_each_replications_people_apart():
    # a replication's reps, teams, managers and accounts are numbered as alone
    params = validate(composed_params(*SHORT))
    model = SalesModel(params, [1, 2])
    n = params.org.n_reps
    assert model.n_seats == 2 * n and model.replications == 2
    assert not set(model.seats.team[:n]) & set(model.seats.team[n:])
    for m in model.managers:
        assert (m.seats // n == m.team // model.n_teams).all()
    with pytest.raises(AttributeError, match="recorders"):
        _ = model.recorder
    hires = [t["hires"] for t in model.batch_tables()]
    assert (hires[0]["rep_id"] == np.arange(n)).all() and (hires[1]["rep_id"] == np.arange(n)).all()
    assert hires[1]["seat"].max() == n - 1


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="seed"):
        SalesModel(validate(SimParams()), [])


def test_streams_give_each_replication_its_own_draws_in_order():
    gens = [np.random.default_rng(s) for s in (1, 2, 3)]
    streams = Streams([np.random.default_rng(s) for s in (1, 2, 3)], n=10)
    owners = np.array([25, 3, 14, 3, 29, 0, 11])  # replications 2, 0, 1, 0, 2, 0, 1
    drawn = streams.random(owners)
    expect = {r: list(gens[r].random(np.count_nonzero(owners // 10 == r))) for r in range(3)}
    assert list(drawn) == [expect[r].pop(0) for r in owners // 10]
    # a replication with no rows draws nothing, as its run alone would not
    streams.random(np.array([1, 2]))
    assert streams.generators[1].random() == gens[1].random()


def test_subset_sums_are_each_replications_own_sum():
    blocks = Blocks(3, 4)
    values = np.random.default_rng(0).random(9)
    seats = np.array([9, 0, 5, 1, 11, 2, 6, 3, 8])
    got = subset_sums(values, seats, blocks)
    for r in range(3):
        assert got[r] == values[seats // 4 == r].sum()
    assert (blocks.sums(np.arange(12.0)) == [6.0, 22.0, 38.0]).all()


def test_run_many_of_one_seed_is_run_one():
    params = validate(composed_params(*SHORT))
    assert_same_run(run_many(params, [4])[0], run_one(params, 4))


def test_validation_measures_of_a_batch_are_those_of_the_runs_alone():
    # the validation harness runs its replications in batches: every measure and the
    # trace of each replication as its seed alone gives them
    from experiments.validation.measures import (
        run_measured,
        run_measured_many,
        run_traced,
        run_traced_batch,
    )

    params = validate(composed_params(*SHORT, "plan=ranking"))
    seeds = list(np.random.SeedSequence(9).spawn(3))
    fresh = list(np.random.SeedSequence(9).spawn(3))
    for (result, trace), seed in zip(run_traced_batch(params, seeds), fresh, strict=True):
        alone, alone_trace = run_traced(params, seed)
        assert_same_run(result, alone)
        pd.testing.assert_frame_equal(trace, alone_trace, check_exact=True)
    many = run_measured_many(params, list(np.random.SeedSequence(9).spawn(3)), most=2)
    for got, seed in zip(many, np.random.SeedSequence(9).spawn(3), strict=True):
        want = run_measured(params, seed)
        assert got.keys() == want.keys()
        assert all(got[k] == want[k] or (np.isnan(got[k]) and np.isnan(want[k])) for k in want)
