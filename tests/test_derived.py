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


# the share's elasticity to the quota measured at fit (s)'s defaults: about 1.4 (508,000 ->
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


# -- the default organisation's quota from its level moments (plan (ad), adopted) -------------

PLAN_AD = Path(__file__).resolve().parents[1] / "validation" / "quota_moments_2026-12-07ad"


def _linear_runs(lines: dict[str, tuple[float, float]], quotas) -> list:
    """Runs whose measures lie exactly on ``a + b * log(quota)``."""
    return [(q, {m: a + b * math.log(q) for m, (a, b) in lines.items()}) for q in quotas]


def test_the_quota_estimate_is_the_weighted_minimum_of_the_moments_lines():
    from experiments.validation.derived import min_distance_quota

    quotas = [400_000.0, 450_000.0, 500_000.0, 550_000.0]
    # two moments that want different quotas: 460,000 and 520,000
    lines = {
        "share": (0.5 + 1.2 * math.log(460_000), -1.2),
        "median": (1.0 - 0.8 * math.log(520_000), 0.8),
    }
    targets = {"share": (0.5, 0.02), "median": (1.0, 0.04)}
    runs = _linear_runs(lines, quotas)
    got = min_distance_quota(runs, targets, grain=1.0)
    # the closed form: z = (b / s) (x - x_m); minimum at sum(w x_m) / sum(w), w = (b / s) ** 2
    w = {"share": (1.2 / 0.02) ** 2, "median": (0.8 / 0.04) ** 2}
    x = (w["share"] * math.log(460_000) + w["median"] * math.log(520_000)) / sum(w.values())
    assert got == pytest.approx(math.exp(x), abs=1.0)
    assert 460_000 < got < 520_000
    # one moment alone is matched exactly
    assert min_distance_quota(runs, {"share": (0.5, 0.02)}, grain=1.0) == pytest.approx(460_000)
    # a tighter band pulls the estimate toward its moment
    tight = min_distance_quota(runs, {**targets, "median": (1.0, 0.004)}, grain=1.0)
    assert abs(tight - 520_000) < abs(got - 520_000)


def test_moments_that_do_not_move_with_the_quota_cannot_place_it():
    from experiments.validation.derived import min_distance_quota

    runs = _linear_runs({"share": (0.5, 0.0)}, [400_000.0, 500_000.0])
    with pytest.raises(ValueError, match="no moment moves with the quota"):
        min_distance_quota(runs, {"share": (0.5, 0.02)})


def test_the_quota_moments_read_their_bands_from_the_evidence():
    from experiments.validation.derived import QUOTA_MOMENTS, moment_targets

    targets = moment_targets(ev.load(ev.EVIDENCE))
    assert set(targets) == {m for _, m in QUOTA_MOMENTS.findings}
    assert targets["share_at_quota"] == pytest.approx((0.54, 0.10 / 3.92))
    assert targets["attainment_median"] == pytest.approx((1.025, 0.05 / 3.92))
    missing = [f for f in ev.load(ev.EVIDENCE) if f.id != "derived_attainment_median"]
    with pytest.raises(ValueError, match="derived_attainment_median"):
        moment_targets(missing)


def test_plan_ad_recorded_grid_gives_the_shipped_quota():
    """The estimator on plan (ad)'s recorded runs gives both of its estimates, the last shipped."""
    import json

    from experiments.validation.derived import min_distance_quota, moment_targets

    record = json.loads((PLAN_AD / "grid.json").read_text())
    targets = moment_targets(ev.load(ev.EVIDENCE))
    got = [
        min_distance_quota([(r["quota"], r) for r in p["grid"]], targets) for p in record["passes"]
    ]
    assert got == [p["quota"] for p in record["passes"]] == [486_500, 483_300]
    assert DEFAULT_QUOTA == got[-1]


def test_estimate_org_quota_runs_its_grid_without_the_quota_in_force(monkeypatch):
    import pandas as pd

    from experiments import calibration
    from experiments.validation.derived import QUOTA_MOMENTS, estimate_org_quota

    seen = []

    def fake_calibrate(seeds, workers, overrides):
        seen.append(overrides)
        quota = float(overrides[-1].split("=")[1])
        values = {
            "share_at_quota": 0.54 * (500_000 / quota) ** 1.4,
            "attainment_median": 1.025 * (500_000 / quota),
            "revenue_vs_target": 0.8645 * (500_000 / quota),
        }
        return pd.DataFrame({"mean": values})

    monkeypatch.setattr(calibration, "calibrate", fake_calibrate)
    est = estimate_org_quota(("org.quota_per_rep=1", "rep.effort_cost=1.0"), 1)
    assert len(seen) == len(QUOTA_MOMENTS.grid)
    assert all(o[0] == "rep.effort_cost=1.0" and len(o) == 2 for o in seen)
    assert est.value == pytest.approx(500_000, rel=0.01)
    assert est.override == f"org.quota_per_rep={est.value:.10g}"
    assert [q for q, _ in est.runs] == list(QUOTA_MOMENTS.grid)


def test_settled_quota_estimates_refinds_the_base_and_estimates_again(monkeypatch):
    """Plan (ad)'s order: estimate at the point, re-find its base there, estimate from it."""
    from experiments.validation import steady
    from experiments.validation.derived import QUOTA_MOMENTS, QuotaEstimate, settled_org_quota

    calls = []

    def fake_estimate(overrides, workers, findings, estimator):
        calls.append(overrides)
        value = 480_000.0 if len(calls) == 1 else 483_300.0
        return QuotaEstimate("org.quota_per_rep", value, ())

    def fake_base(overrides, seeds, workers, passes):
        calls.append(("base", overrides, seeds, passes))
        return {"org.initial_tenure_years": 3.70001}

    monkeypatch.setattr(derived, "estimate_org_quota", fake_estimate)
    monkeypatch.setattr(steady, "steady_installed_base", fake_base)
    settled = settled_org_quota(("seed=1", "org.initial_tenure_years=3.3"), 1, [])
    assert (settled.first.value, settled.second.value) == (480_000.0, 483_300.0)
    assert settled.base == {"org.initial_tenure_years": 3.7}  # 4 significant digits
    first, (_, at, seeds, passes), second = calls
    # the base is re-found at the first estimate, as every adoption re-finds it
    assert at[-1] == "org.quota_per_rep=480000"
    assert (seeds, passes) == (QUOTA_MOMENTS.base_seeds, QUOTA_MOMENTS.base_passes) == (10, 3)
    # the second estimate runs from the re-found base, with no quota handed to it
    assert "org.initial_tenure_years=3.7" in second and "org.initial_tenure_years=3.3" not in second
    assert "org.initial_tenure_years=3.3" in first and "seed=1" in second
    assert not any(o.startswith("org.quota_per_rep=") for o in second)
