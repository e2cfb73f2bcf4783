"""Two evidence reads compared: the losses with their noise, and the refusal of a bad file."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from experiments.estimation import compare
from experiments.estimation.moments import Estimate, held_out_loss, loss
from experiments.evidence import EvidenceError, load

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "validation" / "evidence_results.json"


def test_the_shipped_read_round_trips_to_the_losses_its_report_states():
    findings = load()
    estimates = compare.read_estimates(SHIPPED, findings)
    report = (ROOT / "validation" / "report.md").read_text()
    # the report writes each loss to two decimals, from the same estimates
    assert f"train {loss(findings, estimates):.2f}" in report
    assert f"held out of every fit, {held_out_loss(findings, estimates):.2f}" in report


def test_a_read_against_itself_moves_nothing_and_a_moved_finding_leads(tmp_path):
    findings = load()
    payload = json.loads(SHIPPED.read_text())
    moved = next(f for f in findings if f.split == "test" and f.model.kind == "level")
    payload[moved.id]["mean"] *= 3.0
    other = tmp_path / "evidence_results.json"
    other.write_text(json.dumps(payload))
    a = compare.read_estimates(SHIPPED, findings)
    lines = compare.compare(findings, a, a)
    assert "| +0.00 |" in lines[2] and "| +0.00 |" in lines[3]
    b = compare.read_estimates(other, findings)
    lines = compare.compare(findings, a, b, top=1)
    assert lines[-1].startswith(f"| `{moved.id}` | test |")
    assert math.isclose(b[moved.id].mean, 3.0 * a[moved.id].mean)


def test_a_missing_finding_is_not_estimated_and_a_corrupt_file_is_refused(tmp_path, capsys):
    findings = load()
    sparse = tmp_path / "sparse.json"
    sparse.write_text(json.dumps({}))
    estimates = compare.read_estimates(sparse, findings)
    assert not any(e.ok for e in estimates.values())
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    with pytest.raises(EvidenceError, match="corrupt.json"):
        compare.read_estimates(corrupt, findings)
    with pytest.raises(SystemExit) as info:
        compare.main([str(SHIPPED), str(corrupt)])
    assert info.value.code == 2
    assert "corrupt.json" in capsys.readouterr().err


def _with_values(values) -> Estimate:
    v = np.asarray(values, float)
    se = v.std(ddof=1) / math.sqrt(v.size)
    return Estimate(v.mean(), v.mean() - 2 * se, v.mean() + 2 * se, se, v.size, values=tuple(v))


def test_a_difference_on_shared_seeds_cancels_the_noise_the_pair_shares():
    findings = load()
    level = next(f for f in findings if f.id == "csoinsights2013_quota_attainment")
    others = {f.id: Estimate(reason="not read") for f in findings if f is not level}
    rng = np.random.default_rng(1)
    shared = rng.normal(0.5, 0.05, 20)  # what the seeds give both points alike
    a = {**others, level.id: _with_values(shared)}
    b = {**others, level.id: _with_values(shared + 0.01 + rng.normal(0, 0.005, 20))}
    paired = compare.difference_spread(findings, a, b, "train")
    # the same reads without their values: drawn apart, each from its own standard error
    apart = {
        k: {**others, level.id: Estimate(*dataclasses.astuple(e[level.id])[:5])}
        for k, e in (("a", a), ("b", b))
    }
    unpaired = compare.difference_spread(findings, apart["a"], apart["b"], "train")
    # not all of it cancels: a term is a square, so the shared noise still scales the shift
    assert 0 < paired < unpaired / 2
    assert compare.difference_spread(findings, a, a, "train") == 0.0
    assert compare.difference_spread(findings, a, b, "test") == 0.0  # nothing read there


def test_a_finding_one_read_lacks_is_left_out_of_both_losses_and_named(tmp_path, capsys):
    payload = json.loads(SHIPPED.read_text())
    dropped = next(f for f in load() if f.split == "test")
    del payload[dropped.id]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(payload))
    assert compare.main([str(older), str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert f"Left out, held by one read only: {dropped.id}" in out
    # the same estimates on every finding both hold: no loss moves
    held_out_row = next(line for line in out.splitlines() if line.startswith("| held out"))
    assert "| +0.00 |" in held_out_row
