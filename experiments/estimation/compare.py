"""Two evidence reads side by side: each split's loss with its noise, and what moved.

``make validate`` writes every finding's estimate to ``evidence_results.json``;
this reads two of them (say, the shipped defaults and a candidate), and prints
each split's loss with its standard error from the simulation's noise alone
(:func:`experiments.estimation.moments.loss_spread`), the difference with its
own standard error, and the findings whose terms moved most. A difference
inside about twice its standard error is no evidence either way: read more
replications before deciding on it. A finding only one of the files holds (the
evidence base changed between the reads) is left out of both losses, and named.

The difference's standard error is a bootstrap over replications
(:func:`difference_spread`): where both reads hold a finding's values on the
same seeds (``make validate`` runs every point on the same seeds), the same
replications are drawn for both, so noise the two runs share cancels; a
finding read on different numbers of replications is drawn for each alone.

    python -m experiments.estimation.compare validation/evidence_results.json \\
        validation/quota_rule_2026-12-07t/evidence_results.json [--top 10]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from experiments.estimation.moments import (
    Estimate,
    held_out_terms,
    loss_spread,
    loss_terms,
    measure_key,
    moment_z,
    robust_square,
)
from experiments.evidence import EvidenceError, Finding, load
from experiments.validation.facts import finite

#: each split and the terms of its loss
SPLITS = {"train": loss_terms, "test": held_out_terms}
#: draws of the bootstrap of a difference
DRAWS = 1000


def _payload(path: Path) -> dict:
    """The table of an ``evidence_results.json``; a file that is not one is refused, named."""
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"{path}: not a readable evidence_results.json ({exc})") from exc
    if not isinstance(payload, dict):
        raise EvidenceError(f"{path}: expected a mapping of finding id -> estimate")
    return payload


def read_estimates(path: Path, findings: list[Finding]) -> dict[str, Estimate]:
    """The estimates an ``evidence_results.json`` holds, for every finding.

    A finding the file lacks, or holds without a number, is not estimated
    (its term is then the loss's penalty, :data:`~.moments.NOT_ESTIMATED_Z`).
    A file that is not such a table is refused naming the file.
    """
    return _estimates(_payload(path), findings, path.name)


def _estimates(payload: dict, findings: list[Finding], name: str) -> dict[str, Estimate]:
    """:func:`read_estimates` of a table already read (``name``: its file's, for reasons)."""
    out = {}
    for f in findings:
        row = payload.get(f.id)
        try:
            mean, n = float(row["mean"]), int(row["n"])
            sd = float(row["sd"])
            lo, hi = float(row["ci_low"]), float(row["ci_high"])
        except (TypeError, KeyError, ValueError):
            out[f.id] = Estimate(reason=f"not in {name}")
            continue
        if not math.isfinite(mean) or n == 0:
            out[f.id] = Estimate(reason=f"no number in {name}")
            continue
        se = sd / math.sqrt(n) if n > 1 and math.isfinite(sd) else float("nan")
        values = tuple(float(v) for v in row.get("values") or ())
        out[f.id] = Estimate(mean, lo, hi, se, n, values=values)
    return out


def _resampled(values: np.ndarray, idx: np.ndarray) -> Estimate:
    """The estimate of the replications ``idx`` of ``values`` (mean and se of the finite)."""
    v = finite(values[idx])
    if v.size == 0:
        return Estimate(reason="no finite value drawn")
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
    return Estimate(float(v.mean()), float("nan"), float("nan"), se, int(v.size))


def _draw(e: Estimate, idx: np.ndarray | None, shock: float) -> Estimate:
    """One bootstrap draw of an estimate: its replications ``idx``, else a normal ``shock``."""
    if not e.ok:
        return e
    if e.values and idx is not None:
        return _resampled(np.asarray(e.values), idx)
    if math.isfinite(e.se) and e.se > 0:
        return Estimate(e.mean + shock * e.se, e.ci_low, e.ci_high, e.se, e.n)
    return e


def _shares_seeds(a: Estimate, b: Estimate) -> bool:
    """Whether two reads of a finding hold values on the same seeds (as many of them)."""
    return bool(a.values) and len(a.values) == len(b.values)


def _once(cache: dict, key: tuple, make):
    """``cache[key]``, made by ``make()`` the first time it is asked for."""
    if key not in cache:
        cache[key] = make()
    return cache[key]


def difference_spread(
    findings: list[Finding],
    a: dict[str, Estimate],
    b: dict[str, Estimate],
    split: str,
    draws: int = DRAWS,
    seed: int = 0,
) -> float:
    """Standard error of one split's loss difference B - A, by a bootstrap over replications.

    Each draw picks, for every experiment, which of its replications count
    (with replacement): findings read off the same runs move together, and
    where A and B ran an experiment on the same seeds (as many values) the
    same replications serve both, so the noise the pair shares cancels. A
    finding without values is drawn from a normal with its standard error
    (one shock for the findings that read the same number,
    :func:`~experiments.estimation.moments.measure_key`; A's and B's apart,
    as for independent runs); one without that either is held fixed. Draws
    are fixed by ``seed``.
    """
    rng = np.random.default_rng(seed)
    chosen = [f for f in findings if f.split == split]
    keys = {f.id: measure_key(f) for f in chosen}
    diffs = np.empty(draws)
    for i in range(draws):
        picks: dict[tuple, np.ndarray] = {}
        shocks: dict[tuple, float] = {}
        total = 0.0
        for f in chosen:
            same = _shares_seeds(a[f.id], b[f.id])
            terms = []
            for side, e in (("a", a[f.id]), ("b", b[f.id])):
                n = len(e.values)
                tag = (f.model.experiment, "ab" if same else side, n)
                idx = _once(picks, tag, lambda n=n: rng.integers(n, size=n)) if n else None
                shock = _once(shocks, (keys[f.id], side), rng.standard_normal)
                terms.append(robust_square(moment_z(f, _draw(e, idx, shock))))
            total += f.weight * (terms[1] - terms[0])
        diffs[i] = total
    return float(diffs.std(ddof=1)) if draws > 1 else 0.0


def compare(
    findings: list[Finding], a: dict[str, Estimate], b: dict[str, Estimate], top: int = 10
) -> list[str]:
    """Markdown lines: the losses with their noise, and the ``top`` terms that moved most."""
    lines = [
        "| split | A | B | B - A | standard error of B - A |",
        "|---|---:|---:|---:|---:|",
    ]
    moved: dict[str, tuple[str, float, float]] = {}
    paired = sum(a[f.id].ok and b[f.id].ok and _shares_seeds(a[f.id], b[f.id]) for f in findings)
    for split, terms in SPLITS.items():
        ta, tb = terms(findings, a), terms(findings, b)
        la, lb = sum(ta.values()), sum(tb.values())
        sa, sb = loss_spread(findings, a, split), loss_spread(findings, b, split)
        name = "held out (test)" if split == "test" else "train"
        lines.append(
            f"| {name} | {la:.2f} +- {sa:.2f} | {lb:.2f} +- {sb:.2f} | {lb - la:+.2f} "
            f"| {difference_spread(findings, a, b, split):.2f} |"
        )
        moved.update({k: (split, ta[k], tb[k]) for k in ta})
    order = sorted(moved, key=lambda k: -abs(moved[k][2] - moved[k][1]))[:top]
    lines += [
        "",
        "Each loss +- its standard error from its findings' simulation noise alone; the "
        "difference's, by a bootstrap over replications drawn alike for both reads where "
        f"they share seeds ({paired} of {len(findings)} findings here).",
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
        payloads = [_payload(p) for p in paths]
    except EvidenceError as exc:
        parser.exit(2, f"compare: {exc}\n")
    a, b = (_estimates(d, findings, p.name) for d, p in zip(payloads, paths, strict=True))
    held = set(payloads[0]) & set(payloads[1])
    print(f"A: {paths[0]}\nB: {paths[1]}\n")
    # a finding added to (or dropped from) the evidence base between the two reads is
    # left out of both losses: a term only one read can have is no difference between them
    apart = [f.id for f in findings if f.id not in held]
    if apart:
        print(f"Left out, held by one read only: {', '.join(apart)}\n")
    print("\n".join(compare([f for f in findings if f.id in held], a, b, args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
