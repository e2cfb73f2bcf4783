"""The experiment parameters a written rule sets at every point (validation/derived.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from experiments import evidence as ev
from experiments.estimation import moments
from experiments.validation import derived
from experiments.validation.derived import (
    ORG_RULE,
    RULES,
    MedianQuotaRule,
    derive,
    derive_org_quota,
    derived_overrides,
    org_quota_overrides,
)

#: the vendor's quota as written in its experiment file (read here as plain YAML, not composed)
VENDOR = Path(__file__).resolve().parents[1] / "conf" / "experiment" / "timing_vendor.yaml"
WRITTEN = float(OmegaConf.load(VENDOR).quota.target_per_rep)


@pytest.fixture(autouse=True)
def _fresh_cache():
    derive.cache_clear()
    yield
    derive.cache_clear()


def _fake_median(scale: float, elasticity: float, calls: list):
    """A vendor whose median rep attains ``(scale / quota) ** elasticity``."""

    def median(name, rule, overrides, quota, seed, workers):
        calls.append(quota)
        return (scale / quota) ** elasticity

    return median


@pytest.mark.parametrize("elasticity", [0.8, 1.0, 1.33, 1.6])
def test_the_search_finds_the_quota_that_puts_the_median_rep_at_target(monkeypatch, elasticity):
    calls: list[float] = []
    monkeypatch.setattr(derived, "_median", _fake_median(600_000.0, elasticity, calls))
    d = derive("timing_vendor")
    rule = RULES["timing_vendor"]
    assert abs(d.median / rule.median - 1.0) <= rule.tolerance
    assert d.median == pytest.approx((600_000.0 / d.value) ** elasticity)
    assert d.value % rule.grain == 0
    assert len(calls) <= rule.max_steps
    # the start is the experiment file's own value
    assert calls[0] == pytest.approx(WRITTEN)
    assert d.override == f"quota.target_per_rep={d.value:.10g}"


def test_a_written_quota_already_at_target_is_kept(monkeypatch):
    calls: list[float] = []
    monkeypatch.setattr(
        derived, "_median", _fake_median(WRITTEN * RULES["timing_vendor"].median, 1.0, calls)
    )
    d = derive("timing_vendor")
    assert d.value == pytest.approx(WRITTEN)
    assert len(calls) == 1


def test_when_the_steps_run_out_the_closest_run_is_returned(monkeypatch):
    medians = iter([1.6, 0.7, 1.2, 0.9])
    monkeypatch.setattr(derived, "_median", lambda *a: next(medians))
    d = derive("timing_vendor")
    assert len(d.steps) == 4
    assert d.median == 0.9
    assert d.value == d.steps[3][0]


def test_the_rule_is_skipped_when_the_caller_sets_the_parameter_or_there_is_none(monkeypatch):
    monkeypatch.setattr(derived, "_median", lambda *a: pytest.fail("ran the search"))
    assert derived_overrides("timing_vendor", ("quota.target_per_rep=400000",)) == ()
    assert derived_overrides("caps", ("rep.effort_cost=1.0",)) == ()


def test_simulate_runs_the_ruled_experiment_with_its_derived_value(monkeypatch):
    seen: dict[str, tuple] = {}

    def fake_run(names, seed, extra, workers=1, only=None):
        for name in names:
            seen[name] = extra
        return {name: None for name in names}

    monkeypatch.setattr(moments, "run_experiments", fake_run)
    monkeypatch.setattr(
        moments,
        "derived_overrides",
        lambda name, *a: ("quota.target_per_rep=123450",) if name == "timing_vendor" else (),
    )
    findings = [f for f in ev.load(ev.EVIDENCE) if f.model.experiment in {"timing_vendor", "caps"}]
    moments.simulate(findings, ("rep.effort_cost=1.0",), 2)
    assert "quota.target_per_rep=123450" in seen["timing_vendor"]
    assert "quota.target_per_rep=123450" not in seen["caps"]
    assert "rep.effort_cost=1.0" in seen["timing_vendor"]


def test_a_rule_names_a_real_parameter_and_arm():
    for name, rule in RULES.items():
        assert isinstance(rule, MedianQuotaRule)
        start = derived._written(name, rule.parameter, ())
        assert math.isfinite(start) and start > 0
        assert set(rule.arm) <= set(moments.sweep_params(name))


def test_the_validation_report_says_which_value_the_rule_set(monkeypatch):
    from experiments.validation.__main__ import derived_section

    monkeypatch.setattr(
        derived, "_median", _fake_median(WRITTEN * RULES["timing_vendor"].median, 1.0, [])
    )
    findings = [f for f in ev.load(ev.EVIDENCE) if f.model.experiment == "timing_vendor"]
    lines = derived_section(findings, (), 0, 1)
    assert any(f"quota.target_per_rep={WRITTEN:.10g}" in line for line in lines)
    assert derived_section(findings, ("quota.target_per_rep=400000",), 0, 1) == []


# -- the default organisation's quota (plan (t)) ---------------------------------------------

DEFAULT_QUOTA = float(derived.compose_config([])[0].org.quota_per_rep)


@pytest.fixture(autouse=True)
def _fresh_org_cache():
    derived.derive_org_quota.cache_clear()
    yield
    derived.derive_org_quota.cache_clear()


def _fake_share(scale: float, elasticity: float, calls: list):
    """An organisation where the share at quota is ``0.54 * (scale / quota) ** elasticity``."""

    def share(overrides, quota, seeds, workers):
        calls.append(quota)
        return ORG_RULE.share * (scale / quota) ** elasticity

    return share


# the share's elasticity to the quota measured at the shipped defaults: about 1.4 (508,000 ->
# 0.49, 439,810 -> 0.59); the damped first step assumes 1/1.5
@pytest.mark.parametrize("elasticity", [0.8, 1.4, 3.0])
def test_the_org_rule_finds_the_quota_that_puts_its_share_of_reps_at_quota(monkeypatch, elasticity):
    calls: list[float] = []
    monkeypatch.setattr(derived, "_share", _fake_share(0.9 * DEFAULT_QUOTA, elasticity, calls))
    d = derive_org_quota()
    assert abs(d.median - ORG_RULE.share) <= ORG_RULE.tolerance
    assert d.value % ORG_RULE.grain == 0
    assert len(calls) <= ORG_RULE.max_steps
    assert calls[0] == pytest.approx(DEFAULT_QUOTA)  # the search starts at the value in force
    assert d.override == f"org.quota_per_rep={d.value:.10g}"


def test_the_org_rule_keeps_a_quota_already_at_its_share(monkeypatch):
    calls: list[float] = []
    monkeypatch.setattr(derived, "_share", _fake_share(DEFAULT_QUOTA, 2.0, calls))
    assert derive_org_quota().value == pytest.approx(DEFAULT_QUOTA)
    assert len(calls) == 1


def test_the_org_rule_steps_damped_where_noise_shows_no_slope():
    rule = ORG_RULE
    # the share rose with the quota between the two runs: a secant step would run away
    step = derived._next_quota([(500_000.0, 0.50), (480_000.0, 0.49)], rule)
    assert step == pytest.approx(480_000.0 * (0.49 / rule.share) ** rule.first_exponent)
    # a share falling with the quota: the secant through both runs reaches the target
    q = derived._next_quota([(500_000.0, 0.50), (480_000.0, 0.52)], rule)
    slope = (0.52 - 0.50) / math.log(480_000 / 500_000)
    assert math.log(q / 480_000) == pytest.approx((rule.share - 0.52) / slope)


def test_the_org_rule_returns_the_closest_run_when_the_steps_run_out(monkeypatch):
    shares = iter([0.40, 0.70, 0.45, 0.60, 0.58])
    monkeypatch.setattr(derived, "_share", lambda *a: next(shares))
    d = derive_org_quota()
    assert len(d.steps) == ORG_RULE.max_steps
    assert d.median == 0.58


def test_the_org_rule_is_skipped_where_the_caller_sets_the_quota(monkeypatch):
    from experiments.validation.__main__ import org_quota

    monkeypatch.setattr(derived, "_share", lambda *a: pytest.fail("ran the search"))
    assert org_quota_overrides(("org.quota_per_rep=400000",)) == ("org.quota_per_rep=400000",)
    assert org_quota(("org.quota_per_rep=400000",), False, 1) == (
        ("org.quota_per_rep=400000",),
        [],
    )
    assert org_quota(("rep.effort_cost=1.0",), True, 1) == (("rep.effort_cost=1.0",), [])


def test_make_validate_runs_everything_at_the_rules_quota_and_says_so(monkeypatch):
    from experiments.validation.__main__ import org_quota

    monkeypatch.setattr(derived, "_share", _fake_share(0.9 * DEFAULT_QUOTA, 1.5, []))
    sets, lines = org_quota(("rep.effort_cost=1.0",), False, 1)
    d = derive_org_quota(("rep.effort_cost=1.0",), 1)
    assert sets == ("rep.effort_cost=1.0", d.override)
    assert any(d.override in line for line in lines)


def test_a_fit_trial_runs_at_the_rules_quota_unless_it_searches_the_quota(monkeypatch):
    from experiments.estimation.space import parse_space
    from experiments.estimation.study import settings_of, trial_overrides

    monkeypatch.setattr(derived, "_share", _fake_share(0.9 * DEFAULT_QUOTA, 1.5, []))

    class Trial:
        params = {"rep.effort_cost": 1.0}

    space = parse_space([{"name": "rep.effort_cost", "lo": 0.3, "hi": 3.0, "log": True}])
    ruled = trial_overrides(Trial, space, (), True, 1)
    assert ruled[-1].startswith("org.quota_per_rep=")
    assert trial_overrides(Trial, space, (), False, 1) == ruled[:-1]
    # a study with the rule is a different setting from one without
    findings = ev.load(ev.EVIDENCE)
    assert settings_of(findings, space, (), 2, 0, True) != settings_of(findings, space, (), 2, 0)
