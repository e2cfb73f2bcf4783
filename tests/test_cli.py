"""The salesim command: outputs written, one-line errors for bad input, Hydra's own flags."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from salesim_cli.config import to_params
from salesim_cli.docs import param_table_markdown
from salesim_cli.errors import error_message
from simulator.io import read_inputs, read_outcomes
from simulator.params import SimParams, flatten, iter_fields
from simulator.results import KEYS
from simulator.run import run_one, with_overrides

SMALL = ("run.years=1", "run.warmup_years=0", "org.n_reps=16")

SUMMARY_KEYS = {
    "share_at_quota",
    "attainment_mean",
    "attainment_median",
    "revenue",
    "revenue_vs_target",
    "comp_cost",
    "cost_of_sales",
    "turnover_voluntary",
    "turnover_involuntary",
    "turnover_total",
    "regretted_turnover",
    "vacancy_rate",
    "ramp_months_median",
    "top20_revenue_share",
    "performance_gap",
    "end_of_period_share",
    "helping_share",
    "morale_mean",
}
REP_COLUMNS = {
    "rep_id",
    "team",
    "manager_id",
    "tenure_weeks",
    "quota",
    "credited_sales",
    "attainment",
    "pay_base",
    "pay_commission",
    "pay_bonus",
    "effort_hours",
    "morale",
    "coached_hours",
    "exit",
    "exit_kind",
}
MANAGER_COLUMNS = {"manager_id", "team", "coaching_quality", "vacancies_mean"}


def salesim(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh interpreter of this venv (``code`` replaces ``-m``)."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    entry = ["-c", code] if code else ["-m", "salesim_cli.cli"]
    return subprocess.run(
        [sys.executable, *entry, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small CLI run: its process and its output folder."""
    tmp = tmp_path_factory.mktemp("cli")
    out = tmp / "run"
    return salesim(*SMALL, "seed=3", f"hydra.run.dir={out}", cwd=tmp), out


@pytest.fixture(scope="module")
def small_result():
    """The same run through the library."""
    params = with_overrides(
        SimParams(), **{"run.years": 1, "run.warmup_years": 0, "org.n_reps": 16}
    )
    return run_one(params, seed=3)


def test_run_prints_summary_and_output_dir(small_run):
    proc, out = small_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "share_at_quota" in proc.stdout and "0.5-0.6" in proc.stdout
    assert proc.stdout.rstrip().endswith(f"outputs: {out}")


def test_summary_json_matches_the_library(small_run, small_result):
    _, out = small_run
    text = (out / "summary.json").read_text()
    summary = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in summary.json"))
    assert SUMMARY_KEYS <= set(summary)
    assert set(summary) == {"seed", "plan", *small_result.summary}
    assert summary["seed"] == 3 and summary["plan"] == "quota_bonus"
    for key, value in small_result.summary.items():
        if math.isnan(value):
            assert summary[key] is None, key
        else:
            assert summary[key] == pytest.approx(value, rel=1e-12), key


def test_every_table_is_written_as_parquet(small_run, small_result):
    _, out = small_run
    assert {"reps", "managers", "weekly", "hires"} <= set(small_result.tables)
    for name, table in small_result.tables.items():
        written = pd.read_parquet(out / f"{name}.parquet")
        assert (written.pop("run_id") == "0/0").all(), name  # the lone run's id
        pd.testing.assert_frame_equal(written, table, check_dtype=False)
    reps = pd.read_parquet(out / "reps.parquet")
    managers = pd.read_parquet(out / "managers.parquet")
    assert REP_COLUMNS <= set(reps.columns)
    assert any(c.startswith("hours_") for c in reps.columns)
    assert MANAGER_COLUMNS <= set(managers.columns)
    assert any(c.startswith("hours_") for c in managers.columns)


def test_the_results_pair_holds_the_lone_run(small_run, small_result):
    _, out = small_run
    inputs, outcomes = read_inputs(out), read_outcomes(out)
    assert list(outcomes["run_id"]) == list(inputs["run_id"]) == ["0/0"]
    assert outcomes.loc[0, "seed"] == "3" and outcomes.loc[0, "job_seed"] == 3  # the seed itself
    assert inputs.iloc[0].drop(list(KEYS)).to_dict() == flatten(small_result.params)
    assert pd.Series(small_result.summary).equals(outcomes.iloc[0].drop(list(KEYS)).astype(float))
    assert not (out / "replications.parquet").exists()


def test_params_json_is_the_flattened_params(small_run, small_result):
    _, out = small_run
    recorded = json.loads((out / "params.json").read_text())
    assert recorded == {**flatten(small_result.params), "seed": small_result.seed}


def test_no_temporary_files_are_left(small_run):
    _, out = small_run
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["org.n_reps=-5"], ["org.n_reps", "-5", "between 1 and 20000"]),
        (["org.nreps=5"], ["org.nreps", "unknown parameter", "did you mean n_reps"]),
        (["+org.nreps=5"], ["org.nreps", "unknown parameter"]),
        (["org.n_reps=abc"], ["org.n_reps", "'abc'", "must be an int", "1 to 20000"]),
        (
            ["manager.admin_share=0.7", "manager.coaching_share=0.5"],
            ["manager.admin_share", "coaching_share", "must be at most 1"],
        ),
        (["plan=nope"], ["plan", "'nope'", "quota_bonus"]),
        (["seed=-1"], ["seed = -1", "non-negative integer"]),
    ],
)
def test_bad_input_gives_one_line_and_status_2(tmp_path, args, expected):
    proc = salesim(*args, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("salesim: error: ")
    for text in expected:
        assert text in lines[0]


def test_an_empty_plan_file_is_refused_in_one_line(tmp_path):
    """An empty plan file would run as the schema's default plan under its own name."""
    plans = tmp_path / "userconf" / "plan"
    plans.mkdir(parents=True)
    (plans / "blank.yaml").write_text("# the new plan, not written yet\n")
    (plans / "mine.yaml").write_text("defaults:\n  - base_plan\n  - _self_\n\nname: mine\n")
    search = f"hydra.searchpath=[file://{tmp_path / 'userconf'}]"
    proc = salesim("plan=blank", search, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("salesim: error: plan=blank:"), proc.stderr
    assert "blank.yaml is empty" in lines[0]
    assert not (tmp_path / "run" / "outcomes.parquet").exists()
    # a plan file that sets a field runs; so does the standard org file, empty by design
    ok = salesim(
        "plan=mine",
        "org=default",
        "org.n_reps=4",
        "run.years=1",
        "run.warmup_years=0",
        search,
        f"hydra.run.dir={tmp_path / 'ok'}",
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "ok" / "outcomes.parquet").exists()


def test_help_and_cfg_still_work(tmp_path):
    helped = salesim("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "quota_bonus" in helped.stdout and "ranking" in helped.stdout
    shown = salesim("--cfg", "job", "org.n_reps=16", "seed=0", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "n_reps: 16" in shown.stdout and "seed: 0" in shown.stdout
    assert not (tmp_path / "outputs").exists()


def test_a_bug_in_the_run_keeps_its_traceback(tmp_path):
    code = (
        "import sys, salesim_cli.cli as cli\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('model bug')\n"
        "cli.run_one = broken\n"
        "sys.argv = ['salesim', *sys.argv[1:]]\n"
        "cli.main()\n"
    )
    proc = salesim(*SMALL, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path, code=code)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: model bug" in proc.stderr
    assert "salesim: error" not in proc.stderr


@pytest.fixture
def hydra_conf():
    with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
        yield


def _message(*overrides: str) -> str:
    try:
        to_params(compose(config_name="config", overrides=list(overrides)))
    except Exception as err:  # any error of composition or conversion
        return error_message(err)
    raise AssertionError(f"{overrides} composed without error")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "org.nreps=5",
            "org.nreps: unknown parameter; did you mean n_reps? allowed here: "
            "n_reps, span_of_control, quota_per_rep, target_growth",
        ),
        ("org.n_reps=abc", "org.n_reps = 'abc': must be an int (1 to 20000)"),
        ("seed=1.5", "seed = 1.5: must be an int"),
        ("hiring.ramped_quota=maybe", "hiring.ramped_quota = 'maybe': must be a bool"),
        (
            "plan.commission.tier_starts=[a]",
            "plan.commission.tier_starts[0] = 'a': must be a float (0 to 10)",
        ),
        (
            "plan=nope",
            "plan = 'nope': no such config; available: accelerated, capped, chung, hybrid, "
            "land_expand, larkin, linear, quota_bonus, ranking, ratings_flat, ratings_forced, "
            "team, team_bonus",
        ),
        ("org.n_reps=[1", "cannot parse override 'org.n_reps=[1': "),
        ("plan=5", "plan=5: Config group override must be a string or a list. Got int"),
        ("org.n_reps=???", "org.n_reps: "),
    ],
)
def test_error_messages_name_field_value_and_allowed(hydra_conf, override, message):
    text = _message(override)
    assert "\n" not in text
    assert text.startswith(message)


def test_param_table_lists_every_parameter():
    table = param_table_markdown()
    lines = table.splitlines()
    assert lines[0] == "| parameter | type | default | range | unit | description |"
    names = [name for name, _, _ in iter_fields(SimParams())]
    assert len(lines) == 2 + len(names)
    for name, line in zip(names, lines[2:], strict=True):
        assert line.startswith(f"| `{name}` |")
    assert f"| `org.n_reps` | int | {SimParams().org.n_reps} | 1 to 20000 | seats |" in table
    assert "| one of equal, new_first, middle_first" in table


def test_docs_module_prints_the_table(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "salesim_cli.docs"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert out.stdout == param_table_markdown()
