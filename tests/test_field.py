"""The report's published figures: picked from the evidence base, set beside the baseline."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from experiments.evidence import EvidenceError, parse
from salesim_cli import field, report
from salesim_cli.field import FieldCheck, FieldError, Published, field_checks, parse_published
from salesim_cli.report import METRIC_FORMATS, field_section, render_report
from salesim_cli.scenariocli import compose_variants, field_summary_lines
from simulator.scenario import comparison_table, load_scenario, run_scenario

TINY = ["org.n_reps=8", "org.span_of_control=4", "run.years=1", "run.warmup_years=0"]


def level(name: str, metric: str, **numbers) -> dict:
    return {
        "id": name,
        "claim": "c",
        "source": "s",
        "split": "test",
        "model": {"experiment": "default", "metric": metric, "kind": "level"},
        **numbers,
    }


def test_only_levels_of_the_default_organisation_with_a_number_are_picked():
    data = {
        "findings": [
            {**level("a", "share_at_quota", value=0.57, low=0.49, high=0.59), "cite": "A 2013"},
            level("b", "share_at_quota", value=0.44),
            level("c", "turnover_total", low=0.1),  # one bound: a number all the same
            level("d", "attainment_mean_minus_median"),  # a direction only: nothing to show
            {
                **level("e", "share_at_quota", value=0.5),
                "model": {
                    "experiment": "caps",
                    "metric": "share_at_quota",
                    "kind": "level",
                    "at": {},
                },
            },  # fmt: skip
            {
                **level("f", "revenue", value=0.1),
                "model": {"experiment": "team", "metric": "revenue", "kind": "relative"},
            },  # fmt: skip
        ]
    }
    published = parse_published(data)
    assert sorted(published) == ["share_at_quota", "turnover_total"]
    a, b = published["share_at_quota"]
    assert (a.cite, a.span, b.cite, b.span) == ("A 2013", (0.49, 0.59), "b", (0.44, 0.44))
    assert published["turnover_total"][0].span == (0.1, 0.1)


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "top-level list 'findings:'"),
        ({"findings": [{"id": "x", "model": "level"}]}, "finding x: model: must be a mapping"),
        (
            {"findings": [level("x", "share_at_quota", value="half")]},
            "finding x: value = 'half': must be a number or null",
        ),
    ],
)
def test_a_bad_evidence_file_is_named(data, message):
    with pytest.raises(FieldError, match=message):
        parse_published(data)


def test_the_verdict_reads_the_span_of_every_figure():
    figures = (
        Published("a", "A", "train", 0.57, 0.49, 0.59),
        Published("b", "B", "test", 0.44, None, None),
    )

    def check(mean: float) -> FieldCheck:
        return FieldCheck("share_at_quota", mean, mean - 0.02, mean + 0.02, figures)

    assert check(0.5).span == (0.44, 0.59)
    assert [check(m).verdict for m in (0.43, 0.44, 0.59, 0.60, math.nan)] == [
        "below", "inside", "inside", "above", "n/a",
    ]  # fmt: skip


def comparison(means: dict[str, float]) -> pd.DataFrame:
    rows = [
        {"variant": v, "metric": m, "mean": x, "ci_low": x - 0.01, "ci_high": x + 0.01}
        for m, x in means.items()
        for v in ("today", "other")
    ]
    return pd.DataFrame(rows)


def test_checks_cover_the_asked_metrics_that_have_published_levels():
    published = {"share_at_quota": [Published("a", "A", "test", 0.5, None, None)]}
    table = comparison({"share_at_quota": 0.465, "revenue": 3e7})
    asked = ["revenue", "share_at_quota", "turnover_total"]
    checks = field_checks(table, "today", asked, published)
    assert [(c.metric, c.mean, c.verdict) for c in checks] == [("share_at_quota", 0.465, "below")]


def test_every_figure_a_report_can_show_has_a_citation():
    """The shipped base: what a report may show cites its source, not a finding's id."""
    published = field.load_published()
    shown = {m: figures for m, figures in published.items() if m in METRIC_FORMATS}
    assert {"share_at_quota", "attainment_median", "turnover_total", "cost_of_sales"} <= set(shown)
    for figures in shown.values():
        for f in figures:
            assert f.cite != f.id, f"{f.id}: give it a cite: in validation/evidence.yaml"
    cso = next(f for f in published["share_at_quota"] if f.id.startswith("csoinsights2013"))
    assert (cso.split, cso.span) == ("train", (0.49, 0.59))


def test_the_evidence_loader_takes_a_cite_and_refuses_a_bad_one():
    good = level("x", "share_at_quota", value=0.5)
    assert parse({"findings": [{**good, "cite": "X 2020"}]})[0].text["cite"] == "X 2020"
    with pytest.raises(EvidenceError, match="cite = 3: must be text or null"):
        parse({"findings": [{**good, "cite": 3}]})


@pytest.fixture(scope="module")
def tiny_run():
    scenario = load_scenario("micromanagement")
    params = compose_variants(scenario, TINY, 2)
    result = run_scenario(scenario, params, seed=1, replications=2)
    return result, comparison_table(result.replications(), scenario.baseline)


def test_the_report_sets_the_baseline_beside_the_published_figures(tiny_run):
    result, table = tiny_run
    text = render_report(result, table, "tiny")
    assert "Against published figures" in text and "Reps at or above annual quota" in text
    assert "CSO Insights surveys, 2004-2015: 57.0 (49.0-59.0) (fitted)" in text
    lines = field_summary_lines(table, result.scenario.baseline, list(result.scenario.headline))
    assert lines[0].startswith("Against published figures")
    assert any("published 44.0 to 59.0 (4 figures)" in line for line in lines)


def test_an_unreadable_evidence_base_still_gives_the_report(tiny_run, monkeypatch):
    """A finished run's report is never lost to the evidence base: it says why it has none."""

    def broken():
        raise FieldError("evidence.yaml: not valid YAML: mapping values are not allowed here")

    monkeypatch.setattr(report, "load_published", broken)
    result, table = tiny_run
    text = render_report(result, table, "tiny")
    assert "Published figures unavailable: evidence.yaml: not valid YAML" in text
    assert "<h2>Figures</h2>" in text
    lines = field_summary_lines(table, result.scenario.baseline, list(result.scenario.headline))
    assert lines == ["Published figures unavailable: " + str(FieldError("evidence.yaml: not "
                     "valid YAML: mapping values are not allowed here"))]  # fmt: skip


def test_no_published_level_says_so():
    assert "No headline metric" in field_section([], "today")
