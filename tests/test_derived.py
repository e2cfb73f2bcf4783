"""The experiment parameters a written rule sets at every point (validation/derived.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from experiments import evidence as ev
from experiments.estimation import moments
from experiments.validation import derived
from experiments.validation.derived import RULES, MedianQuotaRule, derive, derived_overrides

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
    monkeypatch.setattr(derived, "_median", _fake_median(WRITTEN * 0.975, 1.0, calls))
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

    monkeypatch.setattr(derived, "_median", _fake_median(WRITTEN * 0.975, 1.0, []))
    findings = [f for f in ev.load(ev.EVIDENCE) if f.model.experiment == "timing_vendor"]
    lines = derived_section(findings, (), 0, 1)
    assert any(f"quota.target_per_rep={WRITTEN:.10g}" in line for line in lines)
    assert derived_section(findings, ("quota.target_per_rep=400000",), 0, 1) == []
