"""Scenario discovery: PRIM (simulator.prim), its inputs (simulator.discover), salesim-discover."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from salesim_cli import discovercli
from salesim_cli.discovercli import tree_rules
from simulator.design import evaluate, sample
from simulator.discover import (
    Condition,
    DiscoverError,
    discovery_inputs,
    discovery_table,
    parse_condition,
)
from simulator.io import read_outcomes
from simulator.params import SimParams, validate
from simulator.prim import _binomial_tail, in_box, prim
from simulator.results import KEYS, concat, keys
from simulator.run import with_overrides

# -- a planted box -----------------------------------------------------------------------

N_POINTS = 2000
NOISE = 0.03  # share of runs whose flag is flipped, inside the box and out
#: tolerances sized from 20 seeds (0-19): worst limit error 0.022, lowest coverage 0.766
#: (a perfect box's coverage is about 0.81 at this noise: the flipped runs outside it)
LIMIT_TOLERANCE = 0.03
MIN_COVERAGE = 0.75
MIN_DENSITY = 0.9


def planted(seed: int, noise: float = NOISE) -> tuple[pd.DataFrame, np.ndarray]:
    """2,000 runs uniform in x1..x5; the condition holds where x1 > 0.6 and x3 < 0.3."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(N_POINTS, 5)), columns=[f"x{i}" for i in range(1, 6)])
    inside = ((x["x1"] > 0.6) & (x["x3"] < 0.3)).to_numpy()
    flipped = rng.uniform(size=N_POINTS) < noise
    return x, inside ^ flipped


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_recovers_a_planted_box(seed):
    x, y = planted(seed)
    box = prim(x, y, threshold_density=MIN_DENSITY).box
    assert set(box.limits) == {"x1", "x3"}
    assert box.limits["x1"]["max"] is None and box.limits["x3"]["min"] is None
    assert box.limits["x1"]["min"] == pytest.approx(0.6, abs=LIMIT_TOLERANCE)
    assert box.limits["x3"]["max"] == pytest.approx(0.3, abs=LIMIT_TOLERANCE)
    assert box.coverage >= MIN_COVERAGE
    assert box.density >= MIN_DENSITY
    assert box.mass == pytest.approx(0.6 * 0.3 / 1.5, abs=0.03)  # the planted box's 0.12


def test_the_trajectory_peels_down_to_the_minimum_mass():
    x, y = planted(0)
    result = prim(x, y, peel_alpha=0.05, min_mass=0.05)
    table = result.trajectory_table()
    first = table.iloc[0]
    assert (first["coverage"], first["mass"], first["n_restricted"]) == (1.0, 1.0, 0)
    assert first["density"] == pytest.approx(y.mean())
    assert (table["mass"].diff().iloc[1:] < 0).all()
    assert (table["coverage"].diff().iloc[1:] <= 0).all()
    assert table["mass"].min() >= 0.05
    # each peel of continuous values removes about alpha of the box
    removed = 1 - table["n_runs"].iloc[1:].to_numpy() / table["n_runs"].iloc[:-1].to_numpy()
    assert removed.max() <= 0.05 + 1 / 100
    assert result.box.step == next(s.step for s in result.trajectory if s.density >= 0.8)


def test_the_last_box_is_chosen_by_mass_and_noise_finds_no_dense_box():
    x, y = planted(0)
    last = prim(x, y, min_mass=0.1, threshold_density=None)
    assert last.box is last.trajectory[-1] and last.box.mass >= 0.1
    noise = np.random.default_rng(9).uniform(size=N_POINTS) < 0.3
    found = prim(x, noise, threshold_density=0.8)
    assert found.rule.startswith("no box reached density 0.8")
    assert found.box.density < 0.8


def test_categorical_and_discrete_inputs_are_peeled_by_value():
    rng = np.random.default_rng(4)
    x = pd.DataFrame(
        {
            "x1": rng.uniform(size=N_POINTS),
            "plan.name": rng.choice(["hybrid", "quota_bonus", "ranking"], size=N_POINTS),
            "org.n_reps": rng.choice([10.0, 20.0, 30.0, 40.0], size=N_POINTS),
        }
    )
    y = ((x["plan.name"] != "ranking") & (x["org.n_reps"] >= 30)).to_numpy()
    box = prim(x, y, threshold_density=0.99).box
    assert box.limits == {
        "org.n_reps": {"min": 30.0, "max": None},
        "plan.name": {"in": ["hybrid", "quota_bonus"]},
    }
    assert box.coverage == 1.0 and box.density == 1.0


@pytest.mark.parametrize("seed", [0, 4, 5])
def test_pruning_drops_the_restrictions_chance_made(seed):
    """300 runs in 6 inputs, the condition where x1 > 0.5 and x3 < 0.5 (5% flipped)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(300, 6)), columns=[f"x{i}" for i in range(1, 7)])
    y = ((x["x1"] > 0.5) & (x["x3"] < 0.5)).to_numpy() ^ (rng.uniform(size=300) < 0.05)
    result = prim(x, y, threshold_density=0.9, max_qp=0.05)
    assert set(result.peeled_box.limits) > {"x1", "x3"}  # these seeds peel a spare edge
    assert set(result.box.limits) == {"x1", "x3"}
    assert set(result.dropped) == set(result.peeled_box.limits) - {"x1", "x3"}
    assert result.box.density >= 0.85 and result.box.coverage >= 0.8
    assert all(s["qp"] < 1e-6 for s in result.significance.values())
    unpruned = prim(x, y, threshold_density=0.9)
    assert unpruned.box is unpruned.peeled_box and not unpruned.dropped
    assert max(s["qp"] for s in unpruned.significance.values()) > 0.05


@pytest.mark.parametrize(
    ("k", "n", "p"), [(0, 10, 0.3), (3, 10, 0.3), (28, 35, 0.757), (90, 100, 0.5)]
)
def test_the_binomial_tail_is_the_survival_function(k, n, p):
    from scipy.stats import binom

    assert _binomial_tail(k, n, p) == pytest.approx(binom.sf(k - 1, n, p), rel=1e-9, abs=1e-300)


def test_every_step_holds_the_runs_inside_its_limits():
    x, y = planted(1)
    x["plan.name"] = np.random.default_rng(1).choice(["a", "b", "c"], size=N_POINTS)
    y = y & (x["plan.name"] != "c").to_numpy()
    for step in prim(x, y, threshold_density=None).trajectory:
        inside = in_box(x, step.limits)
        assert inside.sum() == step.n_runs
        assert y[inside].sum() / step.n_runs == pytest.approx(step.density)


def test_bad_settings_and_undiscoverable_flags_are_refused():
    x, y = planted(0)
    with pytest.raises(DiscoverError, match="peel alpha"):
        prim(x, y, peel_alpha=0.5)
    with pytest.raises(DiscoverError, match="max qp = 1: must be above 0 and below 1"):
        prim(x, y, max_qp=1.0)
    with pytest.raises(DiscoverError, match="holds for 0 of 2000"):
        prim(x, np.zeros(N_POINTS, dtype=bool))
    with pytest.raises(DiscoverError, match="no input varies"):
        prim(x[[]], y)


# -- the tree ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [2, 3])
def test_the_tree_finds_the_planted_variables(depth):
    x, y = planted(0)
    rules, accuracy = tree_rules(x, y, max_depth=depth)
    holding = [r for r in rules if r["predicts"]]
    assert holding and {i for r in holding for i in r["inputs"]} == {"x1", "x3"}
    assert holding[0]["share_true"] >= 0.9
    assert sum(r["coverage"] for r in holding) >= MIN_COVERAGE
    (x1_cut,) = [float(c.split(">")[1]) for c in holding[0]["conditions"] if c.startswith("x1 >")]
    assert x1_cut == pytest.approx(0.6, abs=LIMIT_TOLERANCE)
    assert accuracy >= 0.95
    assert sum(r["n_runs"] for r in rules) == N_POINTS


def test_the_tree_reads_categories_back_from_one_hot_columns():
    rng = np.random.default_rng(5)
    plan = rng.choice(["hybrid", "quota_bonus", "ranking"], size=600)
    x = pd.DataFrame({"plan.name": plan, "x1": rng.uniform(size=600)})
    rules, _ = tree_rules(x, plan == "ranking", max_depth=1)
    assert [r["conditions"] for r in rules] == [["plan.name = ranking"], ["plan.name != ranking"]]


# -- the condition and the inputs ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("turnover_total>0.4", Condition("turnover_total", ">", 0.4)),
        (" turnover_total >= 0.4 ", Condition("turnover_total", ">=", 0.4)),
        ("share_at_quota<1e-1", Condition("share_at_quota", "<", 0.1)),
        ("share_at_quota<=-2", Condition("share_at_quota", "<=", -2.0)),
    ],
)
def test_conditions_are_read(text, expected):
    assert parse_condition(text, ["turnover_total", "share_at_quota"]) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("turnover_total=0.4", "must be OUTCOME OP NUMBER"),
        ("turnover_total>>0.4", "not a number"),
        ("turnover_total>high", "not a number"),
        ("turnover_total>nan", "finite"),
        ("turnover>0.4", "no outcome column 'turnover'; available: turnover_total, share_at"),
    ],
)
def test_bad_conditions_are_refused_in_one_line(text, named):
    with pytest.raises(DiscoverError) as caught:
        parse_condition(text, ["turnover_total", "share_at_quota"])
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_a_condition_holds_nowhere_a_value_is_missing():
    flags = Condition("m", ">=", 1.0).holds(np.array([0.5, 1.0, np.nan, 2.0]))
    assert flags.tolist() == [False, True, False, True]


def test_inputs_are_the_varying_parameters_with_lists_split():
    runs = pd.concat(
        [
            keys("0", 5, 3),
            pd.DataFrame(
                {
                    "org.n_reps": [16, 16, 16],
                    "manager.coaching_share": [0.1, 0.2, 0.3],
                    "plan.name": ["ranking", "hybrid", "ranking"],
                    "plan.rank.leaderboard": [True, False, True],
                    "plan.bonus.amounts": ["[0.3, 0.5]", "[0.3, 0.7]", "[0.3, 0.9]"],
                    "plan.bonus.thresholds": ["[1.0]", "[1.0]", "[1.0]"],
                }
            ),
        ],
        axis=1,
    )
    x = discovery_inputs(runs)
    assert list(x.columns) == [
        "manager.coaching_share",
        "plan.name",
        "plan.rank.leaderboard",
        "plan.bonus.amounts[1]",
    ]
    assert x["plan.bonus.amounts[1]"].tolist() == [0.5, 0.7, 0.9]
    assert x["plan.rank.leaderboard"].tolist() == ["True", "False", "True"]
    assert not set(KEYS) & set(x.columns)


def test_runs_without_an_outcome_are_left_out_and_counted():
    inputs = pd.concat([keys("0", 5, 4), pd.DataFrame({"a": [0.1, 0.2, 0.3, 0.4]})], axis=1)
    outcomes = pd.concat(
        [keys("0", 5, 4), pd.DataFrame({"m": [1.0, np.nan, 3.0, 4.0], "error": ["", "x", "", ""]})],
        axis=1,
    )
    found = discovery_table(inputs, outcomes, "m>2")
    assert found.n_missing == 1 and found.y.tolist() == [False, True, True]
    assert found.x["a"].tolist() == [0.1, 0.3, 0.4]
    with pytest.raises(DiscoverError, match="'error' is not numeric; numeric outcomes: m"):
        discovery_table(inputs, outcomes, "error>0")
    with pytest.raises(DiscoverError, match="holds for every one of the 3 runs"):
        discovery_table(inputs, outcomes, "m>=1")
    with pytest.raises(DiscoverError, match="share no run_id"):
        discovery_table(concat([]), outcomes, "m>2")


# -- the command, end to end on a small real design ------------------------------------

TINY = {"org.n_reps": 16, "run.years": 1, "run.warmup_years": 0}


@pytest.fixture(scope="module")
def design_dir(tmp_path_factory):
    """40 runs of a Latin hypercube over the quit rate and the coaching share (about 12 s)."""
    base = validate(with_overrides(SimParams(), **TINY))
    ranges = {"rep.quit_per_year": (0.05, 0.6), "manager.coaching_share": (0.05, 0.35)}
    design = sample(ranges, "latin", n=40, seed=3, base=base)
    out = tmp_path_factory.mktemp("design")
    evaluate(design, base, out, replications=1, seed=7, progress=False)
    return out


@pytest.fixture(scope="module")
def high_turnover(design_dir) -> str:
    """Turnover above its median: the condition splits the runs whatever the calibration.

    Sixteen reps for a year give few distinct turnover rates and runs tie at the
    median (at the 2026-12-05 (e) defaults 9 of the 40 lie above it).
    """
    turnover = read_outcomes(design_dir)["turnover_total"]
    # halfway from the median to the next rate above it, so ties stay below
    median = turnover.median()
    level = round(float((median + turnover[turnover > median].min()) / 2), 4)
    text = f"turnover_total>{level:g}"
    assert 0.2 <= (turnover > level).mean() <= 0.5
    return text


def test_the_command_finds_that_a_high_quit_rate_drives_turnover(
    design_dir, high_turnover, tmp_path, capsys
):
    discovercli.main([str(design_dir), high_turnover, "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    data = json.loads((tmp_path / "discover.json").read_text())
    assert data["condition"] == high_turnover and data["n_runs"] == 40
    assert set(data["inputs"]) == {"rep.quit_per_year", "manager.coaching_share"}
    box = data["box"]
    assert box == data["trajectory"][box["step"]]
    # more quitting gives more turnover: the box keeps the high quit rates (range 0.05-0.6)
    quit_rate = box["limits"]["rep.quit_per_year"]
    assert quit_rate["min"] > 0.15 and (quit_rate["max"] is None or quit_rate["max"] > 0.5)
    assert box["density"] > 1.5 * data["n_true"] / data["n_runs"]
    assert "rep.quit_per_year" in data["tree"]["rules"][0]["inputs"]
    assert (tmp_path / "peeling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"{high_turnover} holds for" in printed
    # a lower limit on the quit rate, alone or with an upper one
    assert "rep.quit_per_year >= " in printed or " <= rep.quit_per_year <= " in printed
    assert "PRIM box: step" in printed and "decision tree (depth 3" in printed
    # a file of the pair means its folder; --min-mass chooses the last box
    discovercli.main(
        [
            str(design_dir / "runs.parquet"),
            high_turnover,
            "--out",
            str(tmp_path),
            "--min-mass",
            "0.2",
        ]
    )
    data = json.loads((tmp_path / "discover.json").read_text())
    assert data["box"]["step"] == len(data["trajectory"]) - 1 and data["box"]["mass"] >= 0.2
    # --max-qp keeps the quit rate (a real cause) and lists what it dropped; on the box of
    # at least a fifth of the runs (8 runs: the quit rate's qp 0.031, the coaching share's
    # 0.49 at the 2026-12-05 (g) defaults; 0.093 and 0.47 at the 2026-12-06 defaults, 40
    # one-year runs of 16 reps), not the densest one (2 runs: qp 0.067)
    discovercli.main(
        [
            str(design_dir),
            high_turnover,
            "--out",
            str(tmp_path),
            "--min-mass",
            "0.2",
            "--max-qp",
            "0.2",
        ]
    )
    data = json.loads((tmp_path / "discover.json").read_text())
    assert "rep.quit_per_year" in data["box"]["limits"]
    assert set(data["significance"]) == set(data["box"]["limits"])
    assert data["significance"]["rep.quit_per_year"]["qp"] < 0.2
    assert set(data["dropped"]) == set(data["peeled_box"]["limits"]) - set(data["box"]["limits"])


def one_line_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        discovercli.main(argv)
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("salesim-discover: error: ")
    return lines[0]


def test_bad_input_is_one_line_naming_the_problem(design_dir, high_turnover, tmp_path, capsys):
    out = ["--out", str(tmp_path / "out")]
    folder = str(design_dir)
    line = one_line_error(capsys, [folder, "turnover>0.4", *out])
    assert "no outcome column 'turnover'; available:" in line and "turnover_total" in line
    line = one_line_error(capsys, [folder, "turnover_total=0.4", *out])
    assert "must be OUTCOME OP NUMBER with OP one of >, >=, <, <=" in line
    line = one_line_error(capsys, [folder, "turnover_total>5", *out])
    assert "holds for none of the 40 runs" in line and "turnover_total runs from" in line
    line = one_line_error(capsys, [folder, "turnover_total>=0", *out])
    assert "holds for every one of the 40 runs" in line
    line = one_line_error(capsys, [str(tmp_path / "nowhere"), high_turnover, *out])
    assert "nowhere: no such file or folder" in line
    line = one_line_error(capsys, [str(design_dir / "design.parquet"), high_turnover, *out])
    assert "not a results file" in line and "runs.parquet" in line
    broken = tmp_path / "broken"
    shutil.copytree(design_dir, broken)
    (broken / "outcomes.parquet").write_bytes(b"not parquet at all")
    line = one_line_error(capsys, [str(broken), high_turnover, *out])
    assert "outcomes.parquet: not a readable Parquet results file" in line
    (broken / "runs.parquet").unlink()
    line = one_line_error(capsys, [str(broken), high_turnover, *out])
    assert "runs.parquet: no such results file" in line
    line = one_line_error(capsys, [folder, high_turnover, "--peel-alpha", "0.7", *out])
    assert "--peel-alpha = 0.7: must be above 0 and below 0.5" in line
    line = one_line_error(capsys, [folder, high_turnover, "--threshold-density", "0"])
    assert "--threshold-density = 0: must be above 0 and at most 1" in line
    line = one_line_error(capsys, [folder, high_turnover, "--max-qp", "2"])
    assert "--max-qp = 2: must be above 0 and below 1" in line
    line = one_line_error(
        capsys, [folder, high_turnover, "--min-mass", "0.1", "--threshold-density", "0.8"]
    )
    assert "not allowed with argument" in line
    assert not (tmp_path / "out").exists()
