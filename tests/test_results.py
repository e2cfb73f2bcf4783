"""The results shape: keys, seeds that rerun a run bit for bit, tables and their files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.io import (
    read_inputs,
    read_outcomes,
    write_outputs,
    write_replicated_outputs,
    write_results,
)
from simulator.params import SimParams, flatten
from simulator.results import (
    KEY_DTYPES,
    KEYS,
    ResultsError,
    concat,
    inputs_table,
    outcomes_table,
    parse_seed,
    seed_texts,
    with_run_id,
)
from simulator.run import replication_seeds, run_one, run_replications, with_overrides

TINY = {"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}


@pytest.fixture(scope="module")
def tiny():
    return with_overrides(SimParams(), **TINY)


@pytest.fixture(scope="module")
def three(tiny):
    return run_replications(tiny, seed=11, n=3, job="a")


def same(a: dict, b: dict) -> bool:
    """Equal metrics, NaN equal to NaN."""
    return pd.Series(a, dtype=float).equals(pd.Series(b, dtype=float))


def test_a_row_reruns_bit_for_bit_from_its_seed(tiny, three):
    for row, run in zip(three.replications.itertuples(), three.runs, strict=True):
        again = run_one(tiny, parse_seed(row.seed))
        assert same(again.summary, run.summary), row.run_id
        for name, table in run.tables.items():
            pd.testing.assert_frame_equal(again.tables[name], table, check_exact=True)
    lone = run_replications(tiny, seed=11, n=1).replications.iloc[0]
    assert lone["seed"] == "11" and parse_seed(lone["seed"]) == 11
    assert same(run_one(tiny, parse_seed(lone["seed"])).summary, run_one(tiny, 11).summary)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_seed_texts_name_the_seeds_replications_run_on(n):
    for text, seed in zip(seed_texts(9, n), replication_seeds(9, n), strict=True):
        parsed = parse_seed(text)
        if isinstance(seed, int):
            assert parsed == seed
        else:
            assert (parsed.generate_state(8) == seed.generate_state(8)).all()
            assert parsed.spawn_key == seed.spawn_key


@pytest.mark.parametrize("text", ["", "x", "3/", "1/2/3", "-1", "3/-1"])
def test_a_bad_seed_text_is_refused(text):
    with pytest.raises(ResultsError, match="expected 'S' or 'S/r'"):
        parse_seed(text)


def test_the_two_tables_share_keys_and_dtypes(tiny, three):
    inputs = inputs_table("a", tiny, 11, 3)
    outcomes = three.replications
    for table in (inputs, outcomes):
        assert list(table.columns[: len(KEYS)]) == list(KEYS)
        assert list(table["run_id"]) == ["a/0", "a/1", "a/2"]
        assert (table["job_seed"] == 11).all()
        for key, dtype in KEY_DTYPES.items():
            assert table[key].dtype == dtype, key
    assert inputs.iloc[1].drop(list(KEYS)).to_dict() == flatten(tiny)
    assert list(outcomes.columns[len(KEYS) :]) == list(three.runs[0].summary)


def test_tables_of_several_jobs_keep_key_dtypes_and_unique_ids(tiny):
    first = outcomes_table("0", 1, [{"m": 1.0}, {"m": 2.0}])
    second = outcomes_table("1", 2, [{"m": 3.0}])
    both = concat([first, second])
    assert list(both["run_id"]) == ["0/0", "0/1", "1/0"] and both["run_id"].is_unique
    assert both.dtypes[list(KEYS)].astype(str).to_dict() == {
        k: str(pd.Series(dtype=t).dtype) for k, t in KEY_DTYPES.items()
    }
    assert list(concat([]).columns) == list(KEYS)


def test_per_run_tables_join_the_outcomes_on_run_id(tmp_path, three):
    write_replicated_outputs(three, tmp_path)
    inputs, outcomes = read_inputs(tmp_path), read_outcomes(tmp_path)
    assert inputs["run_id"].is_unique and list(inputs["run_id"]) == list(outcomes["run_id"])
    for name in three.runs[0].tables:
        table = pd.read_parquet(tmp_path / f"{name}.parquet")
        joined = table.merge(outcomes[["run_id", "seed"]], on="run_id", how="left")
        assert joined["seed"].notna().all(), name
        assert set(table["run_id"]) == set(outcomes["run_id"]), name
    weekly = pd.read_parquet(tmp_path / "weekly.parquet")
    for r, run in enumerate(three.runs):
        part = weekly[weekly["run_id"] == f"a/{r}"].drop(columns=["run_id", "replication"])
        pd.testing.assert_frame_equal(part.reset_index(drop=True), run.tables["weekly"])


def test_a_lone_run_writes_the_pair(tmp_path, tiny):
    result = run_one(tiny, 4)
    write_outputs(result, tmp_path, tables=False)
    outcomes = read_outcomes(tmp_path)
    assert outcomes[list(KEYS)].to_dict("records") == [
        {"run_id": "0/0", "job": "0", "replication": 0, "seed": "4", "job_seed": 4}
    ]
    assert not list(tmp_path.glob("weekly.parquet"))


def test_with_run_id_puts_the_id_first():
    table = with_run_id(pd.DataFrame({"week": [0, 1]}), "3", 2)
    assert list(table.columns) == ["run_id", "week"] and set(table["run_id"]) == {"3/2"}


def test_a_corrupt_outcomes_file_gives_one_line_naming_it(tmp_path):
    path = tmp_path / "outcomes.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(ResultsError) as err:
        read_outcomes(tmp_path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "not a readable" in message


def test_a_wrong_shaped_outcomes_file_names_the_missing_columns(tmp_path):
    pd.DataFrame({"replication": [0], "seed": [1], "revenue": [2.0]}).to_parquet(
        tmp_path / "outcomes.parquet"
    )
    with pytest.raises(ResultsError) as err:
        read_outcomes(tmp_path)
    message = str(err.value)
    assert "\n" not in message and str(tmp_path / "outcomes.parquet") in message
    assert "missing columns run_id, job, job_seed" in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ResultsError, match="no such results file"):
        read_inputs(tmp_path)


def test_writing_a_wrong_shape_leaves_the_finished_files(tmp_path, tiny):
    good = outcomes_table("0", 1, [{"m": 1.0}])
    write_results(tmp_path, inputs_table("0", tiny, 1, 1), good)
    with pytest.raises(ResultsError, match="missing columns run_id"):
        write_results(tmp_path, pd.DataFrame({"x": [1]}), good)
    pd.testing.assert_frame_equal(read_outcomes(tmp_path), good)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outcomes.parquet", "runs.parquet"]


def test_seeds_are_what_numpy_spawns():
    child = np.random.SeedSequence(5).spawn(4)[3]
    assert (parse_seed("5/3").generate_state(4) == child.generate_state(4)).all()


def _producers(tmp_path, tiny) -> dict[str, object]:
    """Each producer's output folder, from tiny runs of each."""
    import subprocess
    import sys

    from salesim_cli import optimise
    from salesim_cli.scenariocli import compose_variants, write_replications
    from simulator.design import evaluate, sample
    from simulator.scenario import load_scenario, run_scenario

    tiny_cli = [f"{k}={v}" for k, v in TINY.items()]
    sweep = tmp_path / "sweep"
    done = subprocess.run(
        [sys.executable, "-m", "salesim_cli.cli", "-m", "seed=0,1", *tiny_cli]
        + ["run.replications=2", f"hydra.sweep.dir={sweep}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    design = sample({"manager.coaching_share": (0.1, 0.3)}, "latin", n=2, seed=0, base=tiny)
    evaluate(design, tiny, tmp_path / "design", replications=2, seed=3)
    scenario = load_scenario("ratchet")
    result = run_scenario(scenario, compose_variants(scenario, tiny_cli, 2), 3, 2)
    write_replications(result, tmp_path / "scenario")
    study = optimise.optimise(
        {"manager.coaching_share": (0.1, 0.3)}, tiny, tmp_path / "study", trials=2, seed=3
    )
    optimise.write_outputs(study, tiny, "best", tmp_path / "study")
    return {name: tmp_path / name for name in ("sweep", "design", "scenario", "study")}


def test_every_producer_writes_the_same_shape(tmp_path, tiny):
    dtypes = {}
    for name, folder in _producers(tmp_path, tiny).items():
        inputs, outcomes = read_inputs(folder), read_outcomes(folder)
        assert list(inputs.columns[: len(KEYS)]) == list(KEYS), name
        assert list(outcomes.columns[: len(KEYS)]) == list(KEYS), name
        assert outcomes["run_id"].is_unique and len(outcomes) >= 2, name
        assert list(inputs["run_id"]) == list(outcomes["run_id"]), name
        assert (
            outcomes["run_id"] == outcomes["job"] + "/" + outcomes["replication"].astype(str)
        ).all()
        assert {"org.n_reps", "plan.name"} <= set(inputs.columns), name
        assert {"revenue", "share_at_quota"} <= set(outcomes.columns), name
        for row in outcomes.itertuples():  # every seed is one a run can rerun on
            parse_seed(row.seed)
        dtypes[name] = (
            inputs.dtypes[list(KEYS)].astype(str).tolist(),
            outcomes.dtypes[list(KEYS)].astype(str).tolist(),
        )
    assert len(set(map(str, dtypes.values()))) == 1, dtypes
