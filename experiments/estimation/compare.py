"""Two evidence reads side by side: each split's loss with its noise, and what moved.

``make validate`` writes every finding's estimate to ``evidence_results.json``;
this reads two of them (say, the shipped defaults and a candidate), and prints
each split's loss with its standard error from the simulation's noise alone
(:func:`experiments.estimation.moments.loss_spread`), the difference and the
noise it would show if the two points differed in nothing, and the findings
whose terms moved most. A difference inside about twice its noise is no
evidence either way: read more replications before deciding on it.

    python -m experiments.estimation.compare validation/evidence_results.json \\
        validation/quota_rule_2026-12-07t/evidence_results.json [--top 10]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from experiments.estimation.moments import Estimate, held_out_terms, loss_spread, loss_terms
from experiments.evidence import EvidenceError, Finding, load

#: each split and the terms of its loss
SPLITS = {"train": loss_terms, "test": held_out_terms}


def read_estimates(path: Path, findings: list[Finding]) -> dict[str, Estimate]:
    """The estimates an ``evidence_results.json`` holds, for every finding.

    A finding the file lacks, or holds without a number, is not estimated
    (its term is then the loss's penalty for a train finding, 0 for a test
    one). A file that is not such a table is refused naming the file.
    """
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"{path}: not a readable evidence_results.json ({exc})") from exc
    if not isinstance(payload, dict):
        raise EvidenceError(f"{path}: expected a mapping of finding id -> estimate")
    out = {}
    for f in findings:
        row = payload.get(f.id)
        try:
            mean, n = float(row["mean"]), int(row["n"])
            sd = float(row["sd"])
            lo, hi = float(row["ci_low"]), float(row["ci_high"])
        except (TypeError, KeyError, ValueError):
            out[f.id] = Estimate(reason=f"not in {path.name}")
            continue
        if not math.isfinite(mean) or n == 0:
            out[f.id] = Estimate(reason=f"no number in {path.name}")
            continue
        se = sd / math.sqrt(n) if n > 1 and math.isfinite(sd) else float("nan")
        out[f.id] = Estimate(mean, lo, hi, se, n)
    return out


def compare(
    findings: list[Finding], a: dict[str, Estimate], b: dict[str, Estimate], top: int = 10
) -> list[str]:
    """Markdown lines: the losses with their noise, and the ``top`` terms that moved most."""
    lines = [
        "| split | A | B | B - A | noise of B - A |",
        "|---|---:|---:|---:|---:|",
    ]
    moved: dict[str, tuple[str, float, float]] = {}
    for split, terms in SPLITS.items():
        ta, tb = terms(findings, a), terms(findings, b)
        la, lb = sum(ta.values()), sum(tb.values())
        sa, sb = loss_spread(findings, a, split), loss_spread(findings, b, split)
        name = "held out (test)" if split == "test" else "train"
        lines.append(
            f"| {name} | {la:.2f} +- {sa:.2f} | {lb:.2f} +- {sb:.2f} | {lb - la:+.2f} "
            f"| {math.hypot(sa, sb):.2f} |"
        )
        moved.update({k: (split, ta[k], tb[k]) for k in ta})
    order = sorted(moved, key=lambda k: -abs(moved[k][2] - moved[k][1]))[:top]
    lines += [
        "",
        "Noise: each loss's standard error from its findings' simulation noise alone; that "
        "of the difference assumes independent runs (runs on shared seeds differ by less).",
        "",
        "| finding | split | A: mean (term) | B: mean (term) | term B - A |",
        "|---|---|---:|---:|---:|",
    ]
    for k in order:
        split, ta, tb = moved[k]
        lines.append(
            f"| `{k}` | {split} | {a[k].mean:.4g} ({ta:.2f}) | {b[k].mean:.4g} ({tb:.2f}) "
            f"| {tb - ta:+.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="evidence_results.json of A (or its folder)")
    parser.add_argument("b", type=Path, help="evidence_results.json of B (or its folder)")
    parser.add_argument("--top", type=int, default=10, help="findings listed, by term moved")
    args = parser.parse_args(argv)
    findings = load()
    paths = [p / "evidence_results.json" if p.is_dir() else p for p in (args.a, args.b)]
    try:
        a, b = (read_estimates(p, findings) for p in paths)
    except EvidenceError as exc:
        parser.exit(2, f"compare: {exc}\n")
    print(f"A: {paths[0]}\nB: {paths[1]}\n")
    print("\n".join(compare(findings, a, b, args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
