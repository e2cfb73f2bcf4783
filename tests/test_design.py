"""Designs of experiments, sensitivity analysis and optimisation (simulator.design, .optimise)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from SALib.test_functions import Ishigami

import simulator.design as design_module
from salesim_cli import designcli, optimise
from salesim_cli.config import compose_config
from simulator.design import (
    Design,
    ParamRange,
    analyse,
    apply_point,
    evaluate,
    parse_space,
    sample,
)
from simulator.io import read_inputs, read_outcomes
from simulator.params import ParamError, SimParams, validate
from simulator.results import KEYS
from simulator.run import run_one, run_replications, with_overrides

TINY = {"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}
TINY_OVERRIDES = [f"{k}={v}" for k, v in TINY.items()]


@pytest.fixture(scope="module")
def tiny() -> SimParams:
    return validate(with_overrides(SimParams(), **TINY))


# -- ranges and samplers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "n", "points"), [("latin", 12, 12), ("sobol", 8, 8 * 5), ("morris", 4, 4 * 4)]
)
def test_samplers_respect_ranges_and_sizes(method, n, points):
    ranges = {
        "manager.coaching_share": (0.05, 0.3),
        "plan.bonus.amounts[0]": (0.1, 0.5),
        "hiring.onboarding_weeks": (4, 20),
    }
    design = sample(ranges, method, n=n, seed=5)
    table = design.table
    assert len(table) == points and list(table["point"]) == list(range(points))
    for name, (lo, hi) in ranges.items():
        assert table[name].between(lo, hi).all(), name
        assert table[name].nunique() > 1, name
    assert table["hiring.onboarding_weeks"].map(type).eq(int).all()
    again = sample(ranges, method, n=n, seed=5)
    np.testing.assert_array_equal(design.samples, again.samples)


def test_a_point_sets_list_elements_and_complements(tiny):
    space = parse_space({"plan.bonus.amounts[0]": (0, 1), "plan.team_weight": (0, 0.5)}, tiny)
    params = apply_point(tiny, space, {"plan.bonus.amounts[0]": 0.45, "plan.team_weight": 0.3})
    assert params.plan.bonus.amounts == [0.45]
    assert params.plan.team_weight == 0.3 and params.plan.individual_weight == pytest.approx(0.7)
    assert tiny.plan.bonus.amounts == [0.3]  # the base is not changed


@pytest.mark.parametrize(
    ("ranges", "named"),
    [
        ({"manager.coaching_shar": (0, 0.3)}, ["manager.coaching_shar", "coaching_share"]),
        ({"manager.coaching_share": (0.1, 1.5)}, ["manager.coaching_share", "0 to 1"]),
        ({"manager.coaching_share": (0.3, 0.1)}, ["manager.coaching_share", "below"]),
        ({"plan.commission.period": (0, 1)}, ["plan.commission.period", "not a numeric"]),
        ({"plan.bonus.amounts": (0, 1)}, ["plan.bonus.amounts", "[0]"]),
        ({"plan.bonus.amounts[2]": (0, 1)}, ["plan.bonus.amounts[2]", "no such element"]),
        (
            {"plan.team_weight": (0, 1), "plan.individual_weight": (0, 1)},
            ["plan.team_weight", "sum to 1"],
        ),
        (["manager.coaching_share=0.1"], ["NAME=LO:HI"]),
    ],
    ids=["unknown", "outside", "empty", "choice", "list", "element", "complements", "syntax"],
)
def test_bad_ranges_are_refused_in_one_line(ranges, named):
    with pytest.raises(ParamError) as caught:
        parse_space(ranges)
    message = str(caught.value)
    assert "\n" not in message
    for text in named:
        assert text in message


def test_bad_design_sizes_are_refused():
    with pytest.raises(ParamError, match="power of 2"):
        sample({"manager.coaching_share": (0.1, 0.3)}, "sobol", n=12)
    with pytest.raises(ParamError, match="method"):
        sample({"manager.coaching_share": (0.1, 0.3)}, "grid", n=8)


def test_the_command_refuses_bad_input_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default --out is ./sensitivity
    argv = ["--param", "manager.coaching_share=0.05:0.4", "--param", "manager.admin_share=0.2:0.5"]
    with pytest.raises(SystemExit) as caught:
        designcli.main([*argv, "--n", "4", "--out", str(tmp_path / "out"), *TINY_OVERRIDES])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("salesim-sensitivity: error: ranges reach")
    assert "manager.admin_share" in err[0] and "at most 1" in err[0]
    assert not (tmp_path / "out").exists()
    with pytest.raises(SystemExit):
        designcli.main(["--param", "manager.coaching_share=0:0.3", "--backend", "dask-ish"])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "backend = 'dask-ish': must be one of" in err[0]
    assert "loky" in err[0] and "ray" in err[0]
    with pytest.raises(SystemExit):
        designcli.main(["--param", "x.y=0:1", "plan=nope"])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plan" in err[0] and "nope" in err[0]


# -- evaluation ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_design(tiny) -> Design:
    ranges = {"manager.coaching_share": (0.05, 0.35), "plan.commission.weight": (0.4, 1.0)}
    return sample(ranges, "latin", n=6, seed=2, base=tiny)


@pytest.fixture(scope="module")
def serial_results(small_design, tiny, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial")
    return evaluate(small_design, tiny, out, replications=2, seed=11, n_jobs=1)


def test_results_are_tidy_and_match_run_replications(small_design, serial_results, tiny):
    table = serial_results
    assert list(table.columns[:8]) == [
        "point",
        "manager.coaching_share",
        "plan.commission.weight",
        *KEYS,
    ]
    assert len(table) == 6 * 2 and table["run_id"].is_unique
    assert (table["job"] == table["point"].astype(str)).all()
    point = small_design.table.iloc[3]
    params = with_overrides(
        tiny,
        **{
            "manager.coaching_share": point["manager.coaching_share"],
            "plan.commission.weight": point["plan.commission.weight"],
        },
    )
    expected = run_replications(params, 11, 2, job="3").replications
    got = table[table["point"] == 3].drop(columns=["point", *small_design.space])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True)


def test_a_design_table_runs_like_its_design(small_design, serial_results, tiny):
    table = small_design.table.iloc[[4, 1]].reset_index(drop=True)
    rows = evaluate(table, tiny, None, replications=2, seed=11)
    expected = serial_results[serial_results["point"].isin([1, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, expected, check_exact=True)
    bad = table.assign(**{"manager.coaching_share": 0.9})
    with pytest.raises(ParamError, match="design point 4: manager.admin_share"):
        evaluate(bad, tiny, None)


def test_one_and_two_workers_give_identical_tables(small_design, serial_results, tiny):
    parallel = evaluate(small_design, tiny, None, replications=2, seed=11, n_jobs=2, chunk_size=1)
    pd.testing.assert_frame_equal(parallel, serial_results, check_exact=True)


def test_an_interrupted_design_resumes_without_rerunning_or_duplicating(
    small_design, serial_results, tiny, tmp_path, monkeypatch
):
    real = design_module.replicate
    calls: list[int] = []

    def dying(params, seed, replications, job):
        if len(calls) == 4:
            raise KeyboardInterrupt  # killed while running the fifth point
        calls.append(1)
        return real(params, seed, replications, job)

    monkeypatch.setattr(design_module, "replicate", dying)
    with pytest.raises(KeyboardInterrupt):
        evaluate(small_design, tiny, tmp_path, replications=2, seed=11, chunk_size=2)
    assert len(list((tmp_path / "chunks").glob("*.parquet"))) == 2  # points 0-3 kept
    assert not (tmp_path / "outcomes.parquet").exists()

    monkeypatch.setattr(design_module, "replicate", real)
    ran: list[int] = []
    real_chunk = design_module._run_chunk

    def counting(points, *args):
        ran.extend(points)
        return real_chunk(points, *args)

    monkeypatch.setattr(design_module, "_run_chunk", counting)
    resumed = evaluate(small_design, tiny, tmp_path, replications=2, seed=11, chunk_size=2)
    assert ran == [4, 5]
    pd.testing.assert_frame_equal(resumed, serial_results, check_exact=True)
    on_disk = read_outcomes(tmp_path)
    pd.testing.assert_frame_equal(
        on_disk, serial_results.drop(columns=["point", *small_design.space]), check_exact=True
    )
    inputs = read_inputs(tmp_path)
    assert list(inputs["run_id"]) == list(on_disk["run_id"])
    pd.testing.assert_series_equal(
        inputs["manager.coaching_share"],
        serial_results["manager.coaching_share"],
        check_exact=True,
    )

    with pytest.raises(ParamError, match="another design"):
        evaluate(small_design, tiny, tmp_path, replications=1, seed=11)


# -- sensitivity analysis --------------------------------------------------------------

# Analytic indices of the Ishigami function (a = 7, b = 0.1).
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami_design(method: str, n: int) -> tuple[Design, pd.DataFrame]:
    space = {f"x{i}": ParamRange(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)}
    design = sample(space, method, n=n, seed=3)
    y = Ishigami.evaluate(design.samples)
    results = pd.DataFrame({"point": np.arange(len(y)), "replication": 0, "y": y})
    return design, results


def indices_of(table: pd.DataFrame, index: str) -> np.ndarray:
    return table[table["index"] == index]["value"].to_numpy()


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    design, results = ishigami_design("sobol", 2048)
    table = analyse(design, results, ["y"], seed=1)
    s1, st = indices_of(table, "S1"), indices_of(table, "ST")
    ci = table[table["index"] == "ST"]["ci95"].to_numpy()
    # tolerance: the bootstrap 95% half-widths at this size are about 0.03-0.06
    np.testing.assert_allclose(s1, ISHIGAMI_S1, atol=0.06)
    np.testing.assert_allclose(st, ISHIGAMI_ST, atol=0.06)
    assert (ci > 0).all() and (ci < 0.1).all()


@pytest.mark.parametrize(("method", "n"), [("sobol", 16), ("latin", 500), ("morris", 8)])
def test_analysis_is_reproducible_for_seed_zero_and_leaves_global_state(method, n):
    design, results = ishigami_design(method, n)
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy global state)
    first = analyse(design, results, ["y"], seed=0, num_resamples=20)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    pd.testing.assert_frame_equal(analyse(design, results, ["y"], seed=0, num_resamples=20), first)
    assert first["ci95"].notna().any()


def test_morris_and_delta_rank_ishigami_inputs():
    design, results = ishigami_design("morris", 40)
    table = analyse(design, results, ["y"], seed=1)
    mu_star = indices_of(table, "mu_star")
    assert set(table["index"]) == {"mu_star", "sigma"} and (mu_star > 1).all()
    design, results = ishigami_design("latin", 500)
    table = analyse(design, results, ["y"], seed=1, num_resamples=20)
    s1 = indices_of(table, "S1")
    # x3 acts only through its interaction with x1: no first-order effect
    assert s1[2] < 0.1 < min(s1[0], s1[1])


def test_sensitivity_command_ranks_a_parameter_that_matters_above_one_that_cannot(
    tmp_path, capsys, monkeypatch
):
    out = tmp_path / "sens"
    argv = [
        "--method",
        "sobol",
        "--n",
        "8",
        "--param",
        "org.quota_per_rep=350000:1100000",
        "--param",
        "plan.campaign.start_week=1:13",  # no campaign (rate 0): its timing cannot matter
        "--outcomes",
        "share_at_quota,attainment_median,cost_of_sales",
        "--out",
        str(out),
        "--no-progress",
        *TINY_OVERRIDES,
    ]
    designcli.main(argv)
    printed = capsys.readouterr().out
    assert "org.quota_per_rep" in printed and str(out / "sensitivity.png") in printed
    table = pd.read_csv(out / "sensitivity.csv")
    total = table[table["index"] == "ST"].set_index(["outcome", "parameter"])["value"]
    # the quota's total-order index at the 2026-12-06 defaults, over 350,000-1,100,000
    # around the fitted 560,500 (800,000-2,400,000 until then, from the declared 1.6
    # million: above every fitted default, where share at quota sits near 0 and its index
    # fell to 0.17 once new hires' pay was prorated): share at quota 1.14, median
    # attainment 0.74, cost of sales 1.65 (estimates above 1 are n=8 noise; the run's own
    # noise takes the rest)
    floor = {"share_at_quota": 0.3, "attainment_median": 0.3, "cost_of_sales": 0.1}
    for outcome, least in floor.items():
        assert total[(outcome, "org.quota_per_rep")] > least, outcome
        assert total[(outcome, "plan.campaign.start_week")] == 0.0, outcome
    assert (out / "sensitivity.png").stat().st_size > 10_000
    results = read_outcomes(out)
    assert len(results) == 8 * 4 and len(read_inputs(out)) == 8 * 4
    assert not (out / "results.parquet").exists()

    def no_runs(*args):
        raise AssertionError("a finished design ran points again")

    monkeypatch.setattr(design_module, "_run_chunk", no_runs)
    designcli.main(argv)  # the same command again: everything is already there
    assert "org.quota_per_rep" in capsys.readouterr().out
    pd.testing.assert_frame_equal(read_outcomes(out), results)


def test_design_file_and_command_line_combine(tmp_path, capsys):
    spec = {
        "method": "latin",
        "n": 4,
        "params": {"manager.coaching_share": [0.1, 0.3]},
        "overrides": TINY_OVERRIDES,
        "outcomes": ["turnover_total"],
    }
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(spec))
    designcli.main(["--design", str(path), "--out", str(tmp_path / "o"), "--no-progress"])
    table = pd.read_csv(tmp_path / "o" / "sensitivity.csv")
    assert set(table["outcome"]) == {"turnover_total"} and set(table["index"]) == {"delta", "S1"}
    path.write_text(yaml.safe_dump({**spec, "sampler": "sobol"}))
    with pytest.raises(SystemExit):
        designcli.main(["--design", str(path)])
    assert "unknown key 'sampler'" in capsys.readouterr().err


# -- optimisation ----------------------------------------------------------------------


def test_objective_prices_leavers_above_the_limit():
    objective = optimise.Objective(turnover_limit=0.3, penalty_per_leaver=1000.0)
    summary = {"revenue": 5e6, "comp_cost": 1e6, "turnover_total": 0.5, "headcount_mean": 20}
    assert objective(summary) == pytest.approx(4e6 - 1000.0 * 0.2 * 20)
    assert objective({**summary, "turnover_total": 0.2}) == 4e6


def test_optimisation_resumes_and_writes_a_plan_that_composes_and_runs(tiny, tmp_path):
    study_dir = tmp_path / "study"
    first = optimise.optimise(None, tiny, study_dir, trials=4, seed=7)
    values = [t.value for t in first.trials]
    lost = first.ask()  # a trial cut off by a kill: still RUNNING in the file
    lost.suggest_float("plan.commission.weight", 0.3, 1.0)

    study = optimise.optimise(None, tiny, study_dir, trials=6, seed=7)
    table = optimise.trials_table(study)
    complete = table[table["state"] == "COMPLETE"]
    assert len(complete) == 6 and complete["number"].is_unique
    assert table.loc[table["number"] == lost.number, "state"].item() == "FAIL"
    retry = table[table["retry_of"] == lost.number]
    assert (
        len(retry) == 1
        and retry["plan.commission.weight"].item() == lost.params["plan.commission.weight"]
    )
    assert [t.value for t in study.trials[:4]] == values  # finished trials are kept as they were
    again = optimise.optimise(None, tiny, study_dir, trials=6, seed=7)
    assert len(again.trials) == len(study.trials)  # nothing left to do

    written = optimise.write_outputs(study, tiny, "best_plan", study_dir, TINY_OVERRIDES)
    assert {p.name for p in written} == {"runs.parquet", "outcomes.parquet", "best_plan.yaml"}
    outcomes, inputs = read_outcomes(study_dir), read_inputs(study_dir)
    assert sorted(outcomes["job"].astype(int)) == sorted(complete["number"])  # one run a trial
    assert list(inputs["run_id"]) == list(outcomes["run_id"])
    best_row = outcomes.set_index("job").loc[str(study.best_trial.number)]
    assert best_row["objective"] == study.best_value and best_row["seed"] == "7"
    best_inputs = inputs.set_index("job").loc[str(study.best_trial.number)]
    for name, value in study.best_trial.params.items():
        if name in best_inputs.index:
            assert best_inputs[name] == value, name
    text = (study_dir / "best_plan.yaml").read_text()
    body = yaml.safe_load(text)
    assert body["defaults"] == ["base_plan", "_self_"] and body["name"] == "best_plan"
    assert "commission" in body and "bonus" in body and "team_weight" in body
    best = study.best_trial.params
    coaching = f"manager.coaching_share={best['manager.coaching_share']!r}"
    assert coaching in text and f"{study.best_value:,.0f}" in text

    params, _ = compose_config(
        ["plan=best_plan", f"hydra.searchpath=[file://{study_dir}]", coaching, *TINY_OVERRIDES]
    )
    validate(params)
    expected = optimise.best_params(study, tiny)
    assert params == dataclasses.replace(
        expected, plan=dataclasses.replace(expected.plan, name="best_plan")
    )
    summary = run_one(params, 7).summary  # the written plan reproduces the best trial exactly
    assert summary["revenue"] == study.best_trial.user_attrs["revenue"]
    assert optimise.Objective()(summary) == study.best_value


def test_the_same_study_settings_give_the_same_trials(tiny, tmp_path):
    a = optimise.optimise(None, tiny, tmp_path / "a", trials=3, seed=1)
    b = optimise.optimise(None, tiny, tmp_path / "b", trials=3, seed=1)
    pd.testing.assert_frame_equal(optimise.trials_table(a), optimise.trials_table(b))
    with pytest.raises(ParamError, match="other settings"):
        optimise.optimise(None, tiny, tmp_path / "a", trials=3, seed=2)
    with pytest.raises(ParamError, match=r"plan.bonus.amounts\[0\]"):
        optimise.optimise(
            None,
            with_overrides(tiny, **{"plan.bonus.thresholds": [], "plan.bonus.amounts": []}),
            tmp_path / "c",
            trials=1,
        )
