"""The evidence loader, the verdicts, the loss, the space, and the estimation driver.

Verdicts and the loss are checked on hand-made tables and estimates; the
simulations (parameter recovery, the command end to end) run the tiny
organisation of the validation tests (16 reps, one year, no warm-up) at two
replications.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments import estimate as cli
from experiments.estimation import moments
from experiments.estimation.moments import Estimate, estimate, judge, loss, loss_terms
from experiments.estimation.space import SpaceError, load_space, parse_space, start_point
from experiments.estimation.study import fit, open_study, settings_of
from experiments.evidence import EVIDENCE, EvidenceError, load, parse, train
from experiments.validation.steady import LEVELS, MATERIAL

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "evidence_min.yaml"
TINY = ("org.n_reps=16", "run.years=1", "run.warmup_years=0")


def finding(**changes) -> dict:
    """A valid train finding (a difference on the spike experiment), with ``changes``."""
    raw = {
        "id": "probe",
        "claim": "a claim",
        "source": "a source",
        "split": "train",
        "value": 0.1,
        "low": None,
        "high": None,
        "se": None,
        "model": {
            "experiment": "spike",
            "metric": "end_of_period_share",
            "kind": "difference",
            "base": {"plan": "linear"},
            "arm": {"plan": "quota_bonus"},
            "sign": 1,
            "size": True,
        },
    }
    for key, value in changes.items():
        if key.startswith("model."):
            raw["model"][key[6:]] = value
        else:
            raw[key] = value
    return raw


def one(**changes):
    return parse({"findings": [finding(**changes)]})[0]


def refusal(*raws) -> str:
    with pytest.raises(EvidenceError) as info:
        parse({"findings": list(raws)}, "ev.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


# -- the loader -------------------------------------------------------------------------------


def test_the_fixture_and_the_real_evidence_load():
    fixture = load(FIXTURE)
    assert [f.split for f in fixture].count("test") == 2
    assert {f.model.kind for f in fixture} >= {"level", "elasticity", "relative"}
    real = load(EVIDENCE)
    assert train(real) and all(f.split in ("train", "test") for f in real)


def test_arm_values_are_matched_to_the_sweep_text():
    f = one(
        **{"model.experiment": "leaderboard", "model.metric": "revenue"},
        **{
            "model.base": {"plan.rank.leaderboard": False},
            "model.arm": {"plan.rank.leaderboard": True},
        },
    )
    assert f.model.base == {"plan.rank.leaderboard": "false"}
    assert f.model.arm == {"plan.rank.leaderboard": "true"}
    coaching = one(
        **{
            "model.experiment": "coaching",
            "model.base": {"manager.coaching_share": 0},
            "model.arm": {"manager.coaching_share": 0.2},
        }
    )
    assert coaching.model.base == {"manager.coaching_share": "0.0"}


@pytest.mark.parametrize(
    ("changes", "field", "allowed"),
    [
        ({"model.kind": "slope"}, "model.kind = 'slope'", "level, difference, relative, ratio"),
        ({"split": "dev"}, "split = 'dev'", "train, test"),
        ({"model.metric": None}, "model.metric", "missing"),
        ({"model.experiment": "nope"}, "model.experiment = 'nope'", "default, admin"),
        ({"low": 0.3, "high": 0.2, "value": None}, "low = 0.3 > high = 0.2", "must not exceed"),
        ({"model.sign": 2}, "model.sign = 2", "-1, 0, 1"),
        ({"model.size": "yes"}, "model.size", "true or false"),
        ({"weight": -1}, "weight = -1", "at least 0"),
        ({"value": "big"}, "value = 'big'", "finite number"),
        ({"colour": "red"}, "colour: unknown field", "allowed: cite, claim"),
        ({"model.colour": "red"}, "model.colour: unknown field", "allowed: arm"),
        ({"model.base": {"plan": "ranking"}}, "model.base.plan = 'ranking'", "quota_bonus, linear"),
        ({"model.base": {"org.n_reps": 8}}, "model.base.org.n_reps", "allowed: plan"),
        ({"model.base": {"plan": "quota_bonus"}}, "model.arm", "same arm"),
        ({"model.kind": "elasticity"}, "model.per", "missing"),
        ({"model.per": "revenue"}, "model.per", "only kind elasticity"),
        ({"model.sign": -1}, "model.sign = -1", "contradicts value = 0.1"),
        ({"value": None}, "size: true needs a number", "size: false"),
        ({"model.size": False, "model.sign": 0}, "model.sign = 0", "nothing to judge"),
        ({"value": 0.5, "low": 0.0, "high": 0.2}, "value = 0.5", "outside"),
        ({"model.kind": "level"}, "model.base", "not used by kind level"),
        ({"id": "Bad-Id"}, "id = 'Bad-Id'", "snake_case"),
        ({"claim": None}, "claim", "missing"),
    ],
)
def test_the_loader_refuses_a_bad_field_naming_it(changes, field, allowed):
    message = refusal(finding(**changes))
    name = changes.get("id", "probe")
    assert f"finding {name!r}" in message and field in message and allowed in message, message


def test_the_loader_refuses_levels_and_arms_that_do_not_fit_the_experiment():
    default_effect = finding(**{"model.experiment": "default"})
    assert "experiment default has one arm" in refusal(default_effect)
    level = finding(**{"model.kind": "level", "model.base": None, "model.arm": None})
    assert "model.at must name one arm of experiment 'spike'" in refusal(level)
    team = finding(
        **{"model.experiment": "team", "model.base": {"plan": "quota_bonus"}, "model.arm": {}}
    )
    assert "missing org.span_of_control" in refusal(team)


def test_the_loader_refuses_a_duplicate_id_and_a_bad_file(tmp_path):
    assert "'probe': id: duplicate" in refusal(finding(), finding())
    with pytest.raises(EvidenceError, match="top-level list 'findings:'"):
        parse({"finding": []})
    bad = tmp_path / "bad.yaml"
    bad.write_text("findings: [\n")
    with pytest.raises(EvidenceError, match="not valid YAML"):
        load(bad)
    with pytest.raises(EvidenceError, match="cannot read"):
        load(tmp_path / "missing.yaml")


# -- estimates and verdicts on hand-made tables ------------------------------------------------


def spike_table(base: list[float], arm: list[float], metric="end_of_period_share") -> dict:
    rows = [
        {"experiment": "spike", "plan": plan, "replication": r, metric: v}
        for plan, values in (("linear", base), ("quota_bonus", arm))
        for r, v in enumerate(values)
    ]
    return {"spike": pd.DataFrame(rows)}


def default_table(values: list[float], metric="share_at_quota") -> dict:
    frame = pd.DataFrame(
        {"experiment": "default", "replication": range(len(values)), metric: values}
    )
    return {"default": frame}


def verdict_of(f, tables):
    return judge([f], estimate([f], tables))[0]


def test_a_difference_within_a_factor_two_passes_on_size_and_direction():
    tables = spike_table([0.2, 0.2, 0.2], [0.31, 0.32, 0.33])
    v = verdict_of(one(value=0.1), tables)
    assert v.estimate.mean == pytest.approx(0.12) and v.estimate.n == 3
    assert v.ratio == pytest.approx(1.2)
    assert v.direction_ok and v.size_ok and v.status == "pass"
    too_big = verdict_of(one(value=0.05), tables)
    assert too_big.ratio == pytest.approx(2.4) and too_big.direction_ok and not too_big.size_ok
    half = verdict_of(one(value=0.24), tables)
    assert half.ratio == pytest.approx(0.5) and half.size_ok


def test_an_effect_of_the_wrong_sign_fails_both():
    v = verdict_of(one(value=0.1), spike_table([0.3, 0.3, 0.3], [0.2, 0.21, 0.19]))
    assert v.ratio == pytest.approx(-1.0)
    assert v.direction_ok is False and v.size_ok is False and v.status == "fail"
    assert v.direction_reading == "opposite"


def test_direction_needs_the_whole_interval_on_the_published_side():
    noisy = spike_table([0.2, 0.2, 0.2], [0.5, 0.1, 0.3])  # mean +0.1, interval spans 0
    v = verdict_of(one(value=0.1), noisy)
    assert v.estimate.ci_low < 0 < v.estimate.mean
    assert v.direction_ok is False and v.size_ok is True
    # not the wrong direction: the replications cannot tell
    assert v.direction_reading == "open"
    assert verdict_of(one(value=0.1), spike_table([0.2] * 3, [0.3] * 3)).direction_reading == (
        "right"
    )
    assert verdict_of(level(value=0.5), default_table([0.5, 0.6])).direction_reading is None
    direction_only = verdict_of(one(value=None, **{"model.size": False}), noisy)
    assert direction_only.size_ok is None and direction_only.direction_ok is False


def test_relative_ratio_and_elasticity_estimates():
    tables = spike_table([1.0, 2.0], [1.1, 2.2], metric="revenue")
    rel = one(**{"model.kind": "relative", "model.metric": "revenue"})
    assert verdict_of(rel, tables).estimate.mean == pytest.approx(0.1)
    ratio = one(value=1.2, **{"model.kind": "ratio", "model.metric": "revenue"})
    v = verdict_of(ratio, tables)
    assert v.estimate.mean == pytest.approx(1.1)
    assert v.ratio == pytest.approx(0.5)  # an effect measured from 1: 0.1 of 0.2
    hours = spike_table([40.0, 40.0], [44.0, 44.0], metric="selling_hours_mean")
    both = {
        "spike": tables["spike"].assign(selling_hours_mean=hours["spike"]["selling_hours_mean"])
    }
    elasticity = one(
        value=1.0,
        **{
            "model.kind": "elasticity",
            "model.metric": "revenue",
            "model.per": "selling_hours_mean",
        },
    )
    assert verdict_of(elasticity, both).estimate.mean == pytest.approx(1.0)


def level(**changes):
    return one(
        **{
            "model.experiment": "default",
            "model.kind": "level",
            "model.metric": "share_at_quota",
            "model.base": None,
            "model.arm": None,
            "model.sign": 0,
            **changes,
        }
    )


def test_a_level_with_a_band_is_judged_inside_it_else_within_a_factor_two():
    band = level(value=0.55, low=0.5, high=0.6)
    assert verdict_of(band, default_table([0.52, 0.56, 0.58])).size_ok
    outside = verdict_of(band, default_table([0.4, 0.42, 0.44]))
    assert outside.size_ok is False and outside.direction_ok is None
    assert outside.ratio == pytest.approx(0.42 / 0.55)
    value = level(value=0.55)
    assert verdict_of(value, default_table([0.3, 0.3])).size_ok
    assert not verdict_of(value, default_table([0.25, 0.25])).size_ok
    floor = level(value=None, low=1.0)
    assert verdict_of(floor, default_table([1.2, 1.3])).size_ok
    assert not verdict_of(floor, default_table([0.8, 0.9])).size_ok


def test_a_finding_that_cannot_be_estimated_is_reported_with_its_reason():
    f = level(value=0.55, **{"model.metric": "no_such_measure"})
    v = verdict_of(f, default_table([0.5, 0.5]))
    assert v.status.startswith("not estimated: measure 'no_such_measure'")
    nan = verdict_of(level(value=0.55), default_table([math.nan, math.nan]))
    assert nan.status == "not estimated: measure 'share_at_quota' is NaN in every replication"
    missing = verdict_of(one(), {})
    assert "experiment 'spike' was not simulated" in missing.status


def test_a_size_verdict_is_settled_only_when_its_whole_interval_agrees():
    effect = one(value=0.1)  # passes on size between 0.05 and 0.2
    assert moments.size_region(effect) == pytest.approx((0.05, 0.2))
    cases = {0.12: True, 0.19: False, 0.3: True, 0.06: False, 0.02: True}  # mean -> settled
    for mean, settled in cases.items():
        v = moments.judge_one(effect, pilot(0.02, mean=mean))
        assert v.size_settled is settled, mean
    assert moments.judge_one(effect, pilot(0.2, mean=0.12)).size_settled is False  # spans it all
    ratio = one(value=1.2, **{"model.kind": "ratio", "model.metric": "revenue"})
    assert moments.size_region(ratio) == pytest.approx((1.1, 1.4))
    negative = one(value=-0.1, **{"model.sign": -1})
    assert moments.size_region(negative) == pytest.approx((-0.2, -0.05))
    band = level(value=0.55, low=0.5, high=0.6)
    assert moments.size_region(band) == (0.5, 0.6)
    assert moments.judge_one(band, pilot(0.02, mean=0.49)).size_settled is False
    assert moments.judge_one(band, pilot(0.02, mean=0.45)).size_settled is True
    assert moments.size_region(level(value=None, low=1.0)) == (1.0, math.inf)
    direction_only = one(value=None, **{"model.size": False})
    assert moments.judge_one(direction_only, pilot(0.02, mean=0.1)).size_settled is None
    # a band centred on no effect: nothing passes on size, and no interval can turn it
    centred = one(value=None, low=-0.1, high=0.1)
    assert moments.size_region(centred) == (math.inf, -math.inf)
    v = moments.judge_one(centred, pilot(0.02, mean=0.0))
    assert v.size_ok is False and v.size_settled is True


# -- powered replications --------------------------------------------------------------------


def pilot(half_width: float, mean: float = 0.0, n: int = 20) -> Estimate:
    return Estimate(mean, mean - half_width, mean + half_width, half_width / 2, n)


def test_powered_replications_bring_the_half_width_to_a_quarter_of_the_published_effect():
    wide = one(id="wide", value=0.1)  # half-width 0.05 against a target of 0.025: 4x the pilot
    narrow = one(id="narrow", value=0.1)
    assert moments.powered_replications([narrow], {"narrow": pilot(0.02)}) == {}
    # an experiment takes the most its findings need
    est = {"wide": pilot(0.05), "narrow": pilot(0.03)}
    assert moments.powered_replications([wide, narrow], est) == {"spike": 80}
    # the mean never enters: the same spread on the other side needs the same replications
    assert moments.powered_replications([wide], {"wide": pilot(0.05, mean=-0.3)}) == {"spike": 80}
    assert moments.powered_replications([wide], {"wide": pilot(0.1)}) == {"spike": 100}  # cap
    assert moments.powered_replications([wide], {"wide": pilot(0.1)}, cap=50) == {"spike": 50}
    # the old rule (half the effect) is a parameter away
    assert moments.powered_replications([wide], {"wide": pilot(0.1)}, half_width=0.5) == {
        "spike": 80
    }
    # levels, direction-only effects and findings not estimated are left at the pilot
    flat = level(value=0.57, low=0.5, high=0.6)
    direction_only = one(id="d", value=None, **{"model.size": False})
    missing = one(id="m", value=0.1)
    est = {"probe": pilot(0.5), "d": pilot(0.5), "m": Estimate(reason="no measure")}
    assert moments.powered_replications([flat, direction_only, missing], est) == {}


def test_evaluate_powered_runs_a_wide_experiment_again_and_the_cap_keeps_the_pilot():
    tiny = one(value=1e-4)  # a published effect no pilot can resolve: powered to the cap
    pilot_only = moments.evaluate([tiny], TINY, 2, 0, 1)[0]
    est, used = moments.evaluate_powered([tiny], TINY, 2, 0, 1, cap=2)
    assert used == {"spike": 2} and est == pilot_only
    est, used = moments.evaluate_powered([tiny], TINY, 2, 0, 1, cap=3)
    assert used == {"spike": 3} and est["probe"].n == 3


# -- the loss ---------------------------------------------------------------------------------


def at(mean: float, se: float = 0.01) -> Estimate:
    return Estimate(mean, mean - 2 * se, mean + 2 * se, se, 4)


def test_the_loss_is_zero_at_a_perfect_match_and_grows_with_distance():
    band = level(value=0.57, low=0.5, high=0.6)  # target: the band's middle, 0.55
    effect = one(id="effect", value=0.1)
    findings = [band, effect]
    assert loss(findings, {"probe": at(0.55), "effect": at(0.1)}) == pytest.approx(0, abs=1e-12)
    losses = [loss(findings, {"probe": at(0.55 + d), "effect": at(0.1)}) for d in (0.01, 0.05, 0.2)]
    assert 0 < losses[0] < losses[1] < losses[2]
    below = loss(findings, {"probe": at(0.55), "effect": at(0.05)})
    further = loss(findings, {"probe": at(0.55), "effect": at(0.0)})
    assert 0 < below < further


def test_the_scale_of_a_moment():
    f = level(value=0.55, low=0.5, high=0.6)
    z = moments.moment_z(f, at(0.65, se=0.02))
    scale = math.sqrt((0.1 / 3.92) ** 2 + 0.02**2 + (0.25 * 0.55) ** 2)
    assert z == pytest.approx(0.1 / scale)
    with_se = one(value=0.1, se=0.05)
    assert moments.moment_z(with_se, at(0.2, se=0.0)) == pytest.approx(
        0.1 / math.hypot(0.05, 0.025)
    )


def test_test_findings_never_enter_the_loss():
    trained = one(id="trained", value=0.1)
    held_out = one(id="held_out", value=0.1, split="test", weight=5.0)
    good = {"trained": at(0.1), "held_out": at(0.1)}
    bad = {"trained": at(0.1), "held_out": at(-3.0)}
    assert loss([trained, held_out], good) == loss([trained, held_out], bad) == 0.0  # exact: 0.1
    assert set(loss_terms([trained, held_out], bad)) == {"trained"}
    missing = {"trained": at(0.1), "held_out": Estimate(reason="no")}
    assert loss([trained, held_out], missing) == 0.0


def test_held_out_loss_scores_the_test_findings_alone_with_the_same_terms():
    trained = one(id="trained", value=0.1)
    held_out = one(id="held_out", value=0.1, split="test", weight=5.0)
    bad = {"trained": at(-3.0), "held_out": at(-3.0)}
    held = moments.held_out_terms([trained, held_out], bad)
    assert set(held) == {"held_out"}
    # the same term the loss would give it were it a train finding, weight and all
    as_train = one(id="held_out", value=0.1, weight=5.0)
    assert held["held_out"] == loss_terms([as_train], bad)["held_out"] > 0
    assert moments.held_out_terms([trained, held_out], {"held_out": at(0.1)}) == {"held_out": 0.0}


def test_weights_and_findings_that_cannot_be_estimated():
    f = one(value=0.1, weight=0.5)
    g = one(value=0.1, weight=1.0)
    assert loss([f], {"probe": at(0.2)}) == pytest.approx(0.5 * loss([g], {"probe": at(0.2)}))
    penalty = loss([g], {"probe": Estimate(reason="measure missing")})
    assert penalty == moments.robust_square(moments.NOT_ESTIMATED_Z)


def test_relative_effects_are_compared_in_log_space():
    f = one(value=0.5, **{"model.kind": "relative"})  # 1 + x = 1.5
    doubled, halved = at(2.0, se=0.0), at(-0.25, se=0.0)  # 1 + x = 3.0 and 0.75
    assert moments.moment_z(f, doubled) == pytest.approx(-moments.moment_z(f, halved))


def test_direction_only_and_one_sided_findings_are_hinges():
    f = one(value=None, **{"model.size": False})
    assert loss([f], {"probe": at(0.05)}) == 0.0
    assert loss([f], {"probe": at(-0.02, se=0.01)}) == pytest.approx(4.0)
    floor = level(value=None, low=1.0)
    assert loss([floor], {"probe": at(1.3)}) == 0.0
    assert loss([floor], {"probe": at(0.8)}) > loss([floor], {"probe": at(0.9)}) > 0


# -- the space --------------------------------------------------------------------------------


def test_the_shipped_space_loads_and_starts_at_the_defaults_inside_it():
    space = load_space()
    assert "rep.effort_cost" in {d.name for d in space}
    start = start_point(space)
    assert all(d.lo <= start[d.name] <= d.hi for d in space)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "rep.no_such", "lo": 0, "hi": 1}, "rep.no_such: name: not a parameter"),
        ({"name": "run.tables", "lo": 0, "hi": 1}, "run.tables: name: not a numeric parameter"),
        ({"name": "rep.effort_cost", "lo": 2, "hi": 1}, "lo must be below hi"),
        ({"name": "rep.quit_pay_elasticity", "lo": 0, "hi": 4, "log": True}, "needs lo > 0"),
        ({"name": "rep.effort_cost", "lo": 0.001, "hi": 1}, "leaves the parameter's range"),
        ({"name": "rep.effort_cost", "lo": 0.2, "hi": "x"}, "hi = 'x': must be a finite"),
        ({"name": "rep.effort_cost", "lo": 0.2, "hi": 2, "step": 1}, "step: unknown field"),
    ],
)
def test_the_space_refuses_unknown_names_and_bad_ranges(entry, message):
    with pytest.raises(SpaceError, match=message.replace("(", r"\(")):
        parse_space([entry])


def test_the_space_refuses_a_name_listed_twice():
    entry = {"name": "rep.effort_cost", "lo": 0.2, "hi": 2}
    with pytest.raises(SpaceError, match="listed twice"):
        parse_space([entry, entry])


# -- simulation and the estimator -------------------------------------------------------------


def test_an_override_of_an_arm_is_refused():
    with pytest.raises(ValueError, match="plan is an arm of experiment 'spike'"):
        moments.simulate([one()], ("plan=linear",), 2, 0, 1)


def test_the_model_hash_ignores_experiment_bundles_the_study_never_runs(monkeypatch, tmp_path):
    from experiments.estimation import study as st

    for rel, text in (("simulator/a.py", "x = 1"), ("conf/experiment/caps.yaml", "a: 1")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.setattr(st, "ROOT", tmp_path)
    before = st.model_hash({"caps"}), st.model_hash()
    (tmp_path / "conf/experiment/alignment.yaml").write_text("b: 2")  # a new test bundle
    assert st.model_hash({"caps"}) == before[0]
    assert st.model_hash() != before[1]
    (tmp_path / "conf/experiment/caps.yaml").write_text("a: 2")  # a bundle the study runs
    assert st.model_hash({"caps"}) != before[0]
    (tmp_path / "simulator/a.py").write_text("x = 2")  # the engine always counts
    changed = st.model_hash({"caps"})
    (tmp_path / "simulator/a.py").write_text("x = 1")
    assert changed != st.model_hash({"caps"})


def test_the_estimator_recovers_a_known_parameter(tmp_path):
    """Moments generated at effort_cost = 1.2 lead the fit back to it within 25%."""

    def hours(value):
        return parse(
            {
                "findings": [
                    {
                        "id": "hours",
                        "claim": "c",
                        "source": "s",
                        "split": "train",
                        "value": value,
                        "model": {
                            "experiment": "default",
                            "metric": "selling_hours_mean",
                            "kind": "level",
                        },
                    }
                ]
            }
        )

    truth = 1.2
    est, _ = moments.evaluate(hours(1.0), (*TINY, f"rep.effort_cost={truth}"), 2, 0, 1)
    findings = hours(est["hours"].mean)
    space = parse_space([{"name": "rep.effort_cost", "lo": 0.3, "hi": 3.0, "log": True}])
    study = open_study(tmp_path / "c.db", "recover", settings_of(findings, space, TINY, 2, 0))
    fit(study, findings, space, 12, TINY, 2, 0, 1, 0, progress=False)
    assert study.trials[0].params == start_point(space)  # the defaults come first
    assert study.best_value <= study.trials[0].value
    assert study.best_params["rep.effort_cost"] == pytest.approx(truth, rel=0.25)


def run_cli(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    space = tmp_path / "space.yaml"
    if not space.exists():
        space.write_text(
            yaml.safe_dump(
                [
                    {"name": "rep.effort_cost", "lo": 0.2, "hi": 2.0, "log": True},
                    {"name": "rep.quit_per_year", "lo": 0.08, "hi": 0.35, "log": True},
                ]
            )
        )
    args = [
        "--replications=2",
        "--final-replications=2",
        f"--evidence={FIXTURE}",
        f"--space={space}",
        f"--out-dir={tmp_path / 'results'}",
        f"--fitted-path={tmp_path / 'fitted.json'}",
        f"--report-path={tmp_path / 'calibration.md'}",
        "--no-progress",
        *(f"--set={o}" for o in TINY),
        *(() if any(e.startswith("--drift-seeds") for e in extra) else ("--drift-seeds=0",)),
        *extra,
    ]
    return subprocess.run(
        [sys.executable, "-m", "experiments.estimate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_fits_resumes_and_reports(tmp_path):
    done = run_cli(tmp_path, "--trials=2", "--recheck-top=1")
    assert done.returncode == 0, done.stderr
    fitted = json.loads((tmp_path / "fitted.json").read_text())
    assert set(fitted["parameters"]) >= {"rep.effort_cost", "rep.quit_per_year"}
    assert {"loss_train", "trials", "replications", "seed", "date"} <= set(fitted["fit"])
    assert (
        fitted["fit"]["trials"] == 2
        and fitted["fit"]["loss_train_search"] <= (fitted["fit"]["loss_start"])
    )
    value = fitted["parameters"]["rep.effort_cost"]
    assert value == float(f"{value:.4g}")
    report = (tmp_path / "calibration.md").read_text()
    for f in load(FIXTURE):
        assert f"`{f.id}`" in report
    assert "| train | 3 | 3 |" in report and "| test | 2 |" in report
    assert "rep.effort_cost" in done.stdout and "->" in done.stdout
    assert (tmp_path / "results" / "calibration.db").exists()
    again = run_cli(tmp_path, "--report-only", "--recheck-top=1")
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "fitted.json").read_text())["parameters"] == fitted["parameters"]


def test_the_recheck_keeps_the_best_of_the_top_trials_on_fresh_replications(tmp_path):
    """The search's top trials re-run on seed + 1; the lowest rechecked loss wins."""
    import optuna

    done = run_cli(tmp_path, "--trials=3", "--recheck-top=2", "--recheck-replications=2")
    assert done.returncode == 0, done.stderr
    fitted = json.loads((tmp_path / "fitted.json").read_text())
    (stage,) = fitted["fit"]["stage_losses"]
    storage = f"sqlite:///{tmp_path / 'results' / 'calibration.db'}"
    (name,) = optuna.get_all_study_names(storage)
    study = optuna.load_study(study_name=name, storage=storage)
    rechecked = study.user_attrs["recheck:2:1"]
    assert len(rechecked) == 2 and stage["recheck"] == min(rechecked.values())
    top = sorted(study.trials, key=lambda t: t.value)[:2]
    chosen = next(t for t in top if rechecked[str(t.number)] == stage["recheck"])
    assert stage["best"] == chosen.value
    for key, value in chosen.params.items():
        assert fitted["parameters"][key] == pytest.approx(value, rel=1e-3)


def test_the_recheck_adds_each_points_drift_terms(tmp_path):
    """With --drift-seeds, a rechecked loss is the moments' loss plus the point's drift terms."""
    import optuna

    done = run_cli(
        tmp_path,
        "--trials=2",
        "--recheck-top=2",
        "--recheck-replications=2",
        "--drift-seeds=2",
        "--final-drift-seeds=3",
        "--drift-years=3",
    )
    assert done.returncode == 0, done.stderr
    fitted = json.loads((tmp_path / "fitted.json").read_text())["fit"]
    assert set(fitted["drift_terms"]) == set(LEVELS)
    assert fitted["loss_drift"] == pytest.approx(sum(fitted["drift_terms"].values()))
    report = (tmp_path / "calibration.md").read_text()
    assert "Drift terms of the fitted point" in report and "3-year runs of 3 seeds" in report
    assert fitted["final_drift_seeds"] == 3
    storage = f"sqlite:///{tmp_path / 'results' / 'calibration.db'}"
    (name,) = optuna.get_all_study_names(storage)
    study = optuna.load_study(study_name=name, storage=storage)
    rechecked = study.user_attrs["recheck:2:1:drift2x3"]
    for number in rechecked:
        terms = study.user_attrs[f"drift:{number}"]
        assert set(terms) == set(LEVELS) and all(v >= 0 for v in terms.values())
    # the final check: a choice other than the start is scored against the start as the
    # report scores points, and the lower total of moments and drift is kept
    start = next(t for t in study.trials if t.user_attrs.get("start"))
    chosen = min(rechecked, key=rechecked.get)
    check = fitted.get("final_check")
    if int(chosen) == start.number:
        assert check is None
    else:
        scores = check["scores"]
        totals = {k: v["loss_train"] + v["loss_drift"] for k, v in scores.items()}
        assert len(scores) == 2 and check["kept"] == min(totals, key=totals.get)
        assert fitted["loss_train"] == scores[check["kept"]]["loss_train"]
        assert "Final check" in (tmp_path / "calibration.md").read_text()


def _levels(slope: float, noise: float, seeds: int = 6, years: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frames = []
    for seed in range(seeds):
        year = np.arange(1, years + 1)
        values = {
            level: 0.5 + slope * year + rng.normal(0, noise, years) for level in LEVELS.values()
        }
        frames.append(pd.DataFrame({**values, "seed": seed}, index=year))
    return pd.concat(frames)


def test_drift_terms_are_small_for_a_steady_level_and_large_for_a_drifting_one():
    from experiments.estimation.drift import drift_terms_of

    tol = MATERIAL * 0.5 / 9  # the slope at the threshold make validate calls material
    steady = drift_terms_of(_levels(0.0, 0.01), years=10)
    at_threshold = drift_terms_of(_levels(tol, 0.0), years=10)
    drifting = drift_terms_of(_levels(4 * tol, 0.01), years=10)
    assert set(steady) == set(LEVELS)
    assert all(v < 0.5 for v in steady.values())
    # with no noise the term is z**2 at the level's mean over the years left
    assert all(0.5 < v < 1.5 for v in at_threshold.values())
    assert all(v > 8 for v in drifting.values())
    # noise the seeds cannot pin down makes a slope cost less
    noisy = drift_terms_of(_levels(4 * tol, 0.3), years=10)
    assert all(n < d for n, d in zip(noisy.values(), drifting.values(), strict=True))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trials=-1"], "--trials = -1: must be at least 0"),
        (["--drift-years=1"], "--drift-years = 1: must be at least 2"),
        (["--final-replications=1"], "--final-replications = 1: must be at least 2"),
        (["--recheck-top=0"], "--recheck-top = 0: must be at least 1"),
        (["--final-drift-seeds=1"], "--final-drift-seeds = 1: must be at least 2"),
        (["--set=rep.no_such=1"], "--set: rep.no_such"),
        (["--set=rep.effort_cost=1"], "rep.effort_cost is set by the fit"),
        (["--set=oops"], "must be KEY=VALUE"),
        (["--space=/no/such.yaml"], "cannot read"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_are_one_line_errors(args, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        cli.main([f"--evidence={FIXTURE}", f"--out-dir={tmp_path}", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("python -m experiments.estimate: error: ") and "\n" not in err
    assert message in err


def test_report_only_without_a_study_is_refused(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main([f"--evidence={FIXTURE}", f"--out-dir={tmp_path}", "--report-only"])
    assert "run without --report-only first" in capsys.readouterr().err


def test_the_final_check_scores_the_start_from_the_base_its_stage_began_from():
    """The start keeps the earlier stages' values, its own stage's old ones and that stage's base.

    Re-deriving the start's base from the choice's moved its initial conditions:
    the defaults of 2026-12-05 score drift terms 6.6 from their own base and 13.2
    from one re-derived by an 8-year run (18 seeds, 10 years).
    """
    best = {
        "org.quota_per_rep": 1.0e6,  # an earlier stage's value
        "rep.incentive_response": 0.9,  # the last stage's choice
        "territory.customer_share": 0.51,  # the base the choice settles at
        "org.initial_tenure_years": 4.3,
    }
    start = {"rep.incentive_response": 0.4}
    before = {"territory.customer_share": 0.56, "org.initial_tenure_years": 3.8}
    point = cli._stage_start_point(best, start, before)
    assert point == {
        "org.quota_per_rep": 1.0e6,
        "rep.incentive_response": 0.4,
        "territory.customer_share": 0.56,
        "org.initial_tenure_years": 3.8,
    }


def test_a_single_stage_starts_from_the_defaults_own_base():
    from simulator.params import SimParams

    base = cli._base_of(())
    assert base["territory.customer_share"] == SimParams().territory.customer_share
    assert base["org.initial_tenure_years"] == SimParams().org.initial_tenure_years
    assert {k.rsplit(".", 1)[-1] for k in base} >= {"customer_share_ratio", "initial_trust"}
    assert cli._base_of(("territory.customer_share=0.3",))["territory.customer_share"] == 0.3


def test_drift_terms_without_rebase_run_from_the_base_given(monkeypatch):
    """``rebase=False`` measures a point as written: no steady base is re-derived."""
    from experiments.estimation import drift

    seen = {}

    def no_rebase(*args, **kwargs):
        raise AssertionError("the base was re-derived")

    def levels(seeds, years, workers, overrides):
        seen["overrides"] = overrides
        return None, _levels(0.0, 0.01, seeds=seeds, years=years)

    monkeypatch.setattr(drift, "steady_installed_base", no_rebase)
    monkeypatch.setattr(drift, "yearly_levels", levels)
    given = ("rep.incentive_response=0.5", "territory.customer_share=0.4")
    terms = drift.drift_terms(given, seeds=3, years=5, rebase=False)
    assert seen["overrides"] == given and set(terms) == set(LEVELS)
    with pytest.raises(AssertionError, match="re-derived"):
        drift.drift_terms(given, seeds=3, years=5)


def test_the_loss_spread_matches_the_variance_of_a_squared_normal():
    # one level finding in the quadratic part of the loss: z ~ N(mu, sigma^2) when the mean
    # is drawn with its se, so the term z^2 has variance 2 sigma^4 + 4 mu^2 sigma^2
    f = level(value=0.57, low=0.5, high=0.6)  # target 0.55
    base = (0.1 / 3.92) ** 2 + (0.25 * 0.55) ** 2
    sigma, mu = 0.2, 0.5
    scale = math.sqrt(base / (1 - sigma**2))  # the scale includes the se itself
    est = {"probe": at(0.55 + mu * scale, se=sigma * scale)}
    assert moments.moment_z(f, est["probe"]) == pytest.approx(mu)
    draws = 4000
    got = moments.loss_spread([f], est, "train", draws=draws)
    expected = math.sqrt(2 * sigma**4 + 4 * mu**2 * sigma**2)
    # the sd of a sample sd is about sd * sqrt((kurtosis - 1) / (4 n)); z^2's kurtosis here is
    # under 4, so 4 of those standard errors is within 3.5% of the value
    assert got == pytest.approx(expected, rel=4 * math.sqrt(3 / (4 * draws)))
    assert moments.loss_spread([f], est, "train", draws=draws) == got  # fixed draws
    assert moments.loss_spread([f], est, "test") == 0.0  # no test findings


def test_the_loss_spread_is_zero_without_noise_and_reads_one_split():
    trained = level(value=0.57, low=0.5, high=0.6)
    held_out = one(id="held_out", value=0.1, split="test")
    exact = {"probe": at(0.7, se=0.0), "held_out": at(0.3, se=0.0)}
    assert moments.loss_spread([trained, held_out], exact, "train") == 0.0
    noisy_test = {"probe": at(0.7, se=0.0), "held_out": at(0.3, se=0.05)}
    assert moments.loss_spread([trained, held_out], noisy_test, "train") == 0.0
    assert moments.loss_spread([trained, held_out], noisy_test, "test") > 0.0
    unknown = {"probe": Estimate(reason="no"), "held_out": at(0.3, se=float("nan"))}
    assert moments.loss_spread([trained, held_out], unknown, "train") == 0.0


def test_findings_that_read_one_number_share_its_noise_in_the_loss_spread():
    # one simulated share read against a published value below it and one above it: a draw
    # that brings it nearer one takes it away from the other, so their terms offset
    below = level(id="below", value=0.45, low=None, high=None)
    above = level(id="above", value=0.55, low=None, high=None)
    elsewhere = level(
        id="above", value=0.55, low=None, high=None, **{"model.metric": "turnover_total"}
    )
    est = {"below": at(0.5, se=0.02), "above": at(0.5, se=0.02)}
    shared = moments.loss_spread([below, above], est, "train", draws=2000)
    apart = moments.loss_spread([below, elsewhere], est, "train", draws=2000)
    assert moments.measure_key(below) == moments.measure_key(above)
    assert moments.measure_key(below) != moments.measure_key(elsewhere)
    assert shared < apart / 2


def test_quota_moments_hold_the_quota_out_of_the_search_and_refuse_a_quota_only_stage():
    from experiments.estimation.space import Stage

    both = parse_space(
        [
            {"name": "org.quota_per_rep", "lo": 3e5, "hi": 2e6, "log": True},
            {"name": "rep.effort_cost", "lo": 0.5, "hi": 3.0, "log": True},
        ]
    )
    (held,) = cli._without_quota([Stage("organisation", both, ("default",), 5)])
    assert [d.name for d in held.space] == ["rep.effort_cost"]
    assert (held.name, held.experiments, held.trials) == ("organisation", ("default",), 5)
    with pytest.raises(SystemExit):
        cli._without_quota([Stage("quota", both[:1])])


def test_quota_moments_write_the_settled_quota_and_its_base_into_the_point(monkeypatch):
    """The fitted point takes plan (ad)'s second estimate and the base found before it."""
    from experiments.validation.derived import QuotaEstimate, SettledQuota

    calls = []

    def fake_settled(overrides, workers, findings):
        calls.append(overrides)
        return SettledQuota(
            QuotaEstimate("org.quota_per_rep", 480_000.0, ()),
            {"org.initial_tenure_years": 3.7},
            QuotaEstimate("org.quota_per_rep", 483_300.0, ()),
        )

    monkeypatch.setattr(cli, "settled_org_quota", fake_settled)
    best = {"org.quota_per_rep": 508_000.0, "rep.effort_cost": 1.04}
    assert cli._moments_quota(("seed=1",), best, [], 1) == (480_000.0, 483_300.0)
    assert best == {
        "org.quota_per_rep": 483_300.0,
        "rep.effort_cost": 1.04,
        "org.initial_tenure_years": 3.7,
    }
    # the procedure runs at the fitted point, not handed the quota it estimates
    (given,) = calls
    assert "rep.effort_cost=1.04" in given
    assert not any(o.startswith("org.quota_per_rep=") for o in given)


def test_quota_moments_and_the_quota_rule_are_refused_together(capsys, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(
            [f"--evidence={FIXTURE}", f"--out-dir={tmp_path}", "--quota-moments", "--quota-rule"]
        )
    assert "--quota-moments and --quota-rule both set the quota" in capsys.readouterr().err
