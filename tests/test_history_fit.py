"""salesim-fit --fit: a tiny fit end to end, its org file, its refusals, and parameter recovery.

The recovery of every fitted parameter on the shipped history is too slow for
the suite (a fit takes minutes); ``experiments/history_recovery.py`` runs it and
the test here checks its results file is current (same history, same truth)
and passing. The loss's recovery of the quit hazard from turnover runs here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from salesim_cli.config import compose_config
from salesim_cli.fit_report import report_text
from salesim_cli.fitcli import main as fit_main
from simulator.history import read_history
from simulator.history_fit import (
    FIT_MOMENTS,
    FIT_PARAMETERS,
    Observed,
    base_params,
    bootstrap_draw,
    loss,
    moment_z,
    organisation_of,
    simulate,
)
from simulator.history_study import fit_history
from simulator.history_summary import model_history
from simulator.params import SimParams, flatten, validate
from simulator.run import run_one, with_overrides

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "history" / "example_history.csv"
TRUTH = EXAMPLE.with_suffix(".params.json")
RECOVERY = ROOT / "validation" / "history_recovery.json"


def _history(path: Path, seed: int, **changes) -> Path:
    params = with_overrides(SimParams(), **changes)
    model_history(run_one(params, seed).tables, 2021).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def small_history(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    return _history(folder / "small.csv", 5, **{"org.n_reps": 12, "run.years": 2})


def test_a_tiny_fit_writes_an_org_file_that_composes_a_report_a_plot_and_a_record(
    small_history, tmp_path, capsys
):
    out = tmp_path / "fit"
    fit_main(
        [str(small_history), "--fit", "--out", str(out), "--name", "tiny", "--quiet"]
        + ["--trials", "2", "--replications", "2", "--draws", "10"]
    )
    printed = capsys.readouterr().out
    assert "moments simulated inside the observed 95% intervals" in printed
    for name in ("org/tiny.yaml", "fit_report.md", "fit_moments.png", "fit.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "fit_moments.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads((out / "fit.json").read_text(encoding="utf-8"))
    assert record["trials"] == 2 and record["shape"]["org.n_reps"] <= 12
    assert set(record["estimate"]) == {p.name for p in FIT_PARAMETERS}
    assert {m["name"] for m in record["moments"] if m["in_loss"]} <= set(FIT_MOMENTS)
    report = (out / "fit_report.md").read_text(encoding="utf-8")
    assert "observed 95%" in report and "quota.aggressiveness" in report
    # the org file is a Hydra org config that composes, validates and carries the estimate
    text = (out / "org" / "tiny.yaml").read_text(encoding="utf-8")
    assert text.startswith("# @package _global_\n") and yaml.safe_load(text)["org"]["n_reps"]
    params, _ = compose_config(["org=tiny", f"hydra.searchpath=[file://{out}]"])
    flat = flatten(validate(params))
    for name, value in record["estimate"].items():
        assert flat[name] == pytest.approx(value, rel=1e-3), name
    assert flat["org.n_reps"] == record["shape"]["org.n_reps"]
    # a rerun of the same command resumes the study: nothing left to search
    fit_main(
        [str(small_history), "--fit", "--out", str(out), "--name", "tiny", "--quiet"]
        + ["--trials", "2", "--replications", "2", "--draws", "10"]
    )
    again = json.loads((out / "fit.json").read_text(encoding="utf-8"))
    assert again["estimate"] == record["estimate"] and again["study"] == record["study"]


def test_a_file_without_dates_says_which_parameters_it_cannot_identify(small_history, tmp_path):
    minimal = tmp_path / "minimal.csv"
    columns = ["rep_id", "team", "period", "quota", "credited_sales"]
    pd.read_csv(small_history)[columns].to_csv(minimal, index=False)
    fit = fit_history(
        read_history(minimal),
        tmp_path / "minimal.db",
        trials=1,
        replications=2,
        check_replications=2,
        draws=10,
        progress=False,
        recheck_top=1,
    )
    assert set(fit.unidentified()) == {"rep.quit_per_year", "hiring.onboarding_weeks"}
    assert "Not identified by this file" in report_text(fit, str(minimal), "minimal")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fit", "--trials", "0"], "--trials 0: must be 1 or more"),
        (["--fit", "--replications", "1"], "--replications 1: must be 2 or more"),
        (["--fit", "--name", "my team"], "--name 'my team': must start with a letter"),
        (["--fit", "--seed", "-1"], "--seed -1: must be 0 or more"),
        (["--trials", "5"], "--trials is for fitting: add --fit"),
        (["--fit", "--json"], "--json prints the summary only"),
    ],
)
def test_bad_fit_arguments_give_one_line_and_write_nothing(
    small_history, tmp_path, capsys, args, expected
):
    out = tmp_path / "fit"
    with pytest.raises(SystemExit) as caught:
        fit_main([str(small_history), "--out", str(out), *args])
    assert caught.value.code == 2
    printed, err = capsys.readouterr()
    assert printed == "" and err.count("\n") == 1
    assert err.startswith("salesim-fit: error: ") and expected in err
    assert not out.exists()


def test_the_shape_is_read_from_the_history():
    meta = json.loads(TRUTH.read_text(encoding="utf-8"))["parameters"]
    shape = organisation_of(read_history(EXAMPLE))
    assert meta["org.n_reps"] - 2 <= shape["org.n_reps"] <= meta["org.n_reps"]
    assert shape["org.span_of_control"] == meta["org.span_of_control"]
    assert shape["run.years"] == meta["run.years"]


def test_a_bootstrap_draw_keeps_each_rep_whole(small_history):
    history = read_history(small_history)
    draw = bootstrap_draw(history, np.random.default_rng(1))
    assert draw["rep_id"].nunique() == history["rep_id"].nunique()
    columns = ["period", "quota", "credited_sales"]
    by_rep = {r: g[columns].to_numpy().tolist() for r, g in history.groupby("rep_id")}
    for _, rows in draw.groupby("rep_id"):
        assert rows[columns].to_numpy().tolist() in by_rep.values()


def test_a_moment_is_scored_by_both_uncertainties():
    assert moment_z(1.0, 0.1, np.array([1.0, 1.0])) == 0.0
    near, far = moment_z(1.0, 0.1, np.array([1.1, 1.1])), moment_z(1.0, 0.1, np.array([1.5, 1.5]))
    assert 0 < near < far
    assert moment_z(1.0, 0.1, np.array([np.nan, np.nan])) > far  # none simulated: penalised


def test_the_recovery_results_are_current_and_pass():
    record = json.loads(RECOVERY.read_text(encoding="utf-8"))
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))["parameters"]
    assert record["history_sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert {p["name"] for p in record["parameters"]} == {p.name for p in FIT_PARAMETERS}
    for p in record["parameters"]:
        assert p["truth"] == truth[p["name"]], p["name"]
        assert abs(p["estimate"] - p["truth"]) <= p["tolerance"], p["name"]
        assert p["pass"], p["name"]
    assert record["all_parameters_pass"]
    # 95% intervals: even the truth leaves about one moment in twenty outside (the script's rule)
    outside = [m["name"] for m in record["moments"] if not m["inside"]]
    assert len(outside) <= record["max_moments_outside"] <= 2, outside
    assert record["moments_pass"]


def test_the_loss_recovers_the_quit_hazard_from_turnover():
    """The method's consistency on one strongly identified parameter.

    The observation is the truth's expected turnover (the mean of 6 runs on other
    seeds, with its standard error), so no single history's luck is in it: over a
    grid of quit hazards the loss is lowest at the truth. A single history adds its
    own noise, and turnover's is large (voluntary turnover of six runs of 60 reps x
    3 years at 0.45: 0.24 to 0.46; of 40 reps x 2 years, one 0.79: quits spread
    through a team), so the recovery file measures the estimate's error on
    re-drawn histories; with 40 reps x 2 years this grid check picks 0.65.
    """
    params = base_params({"org.n_reps": 60, "run.years": 3})
    truth, grid = 0.45, (0.2, 0.3, 0.45, 0.65, 0.8)
    moments = ["turnover_voluntary", "turnover_voluntary_tenure_lt1y", "turnover_total"]
    at_truth = simulate(params, {"rep.quit_per_year": truth}, 6, 101)[moments]
    mean, se = at_truth.mean(), at_truth.std(ddof=1) / np.sqrt(len(at_truth))
    nan = dict.fromkeys(moments, np.nan)
    observed = Observed(mean.to_dict(), se.to_dict(), nan, nan, len(at_truth))
    losses = {
        q: loss(observed, simulate(params, {"rep.quit_per_year": q}, 4, 3), moments) for q in grid
    }
    assert min(losses, key=losses.get) == truth, losses
