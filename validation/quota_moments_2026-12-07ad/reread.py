"""Plan (ad)'s rule for verdicts at an edge: each read's edge verdicts read once more.

    PYTHONPATH=. python validation/quota_moments_2026-12-07ad/reread.py

For the shipped read (``validation/``) and the candidate's (``validate/`` here):
every test verdict counted in rule 3 whose 95% interval holds its threshold
(a size not settled; a direction open), and every level band of rule 4 whose
interval holds an edge, is read at four times its replications or seeds, on
new seeds (from 1,000). Writes ``reread.json`` and prints both reads' counts.
"""
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from experiments.calibration import BANDS, calibrate
from experiments.estimation.moments import estimate, judge, simulate
from experiments.evidence import load

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEED = 1000
READS = {
    "shipped": (ROOT / "validation", ()),
    "candidate": (HERE / "validate", None),
}


def candidate_overrides() -> tuple[str, ...]:
    cand = json.loads((HERE / "candidate.json").read_text())["parameters"]
    shipped = json.loads((ROOT / "simulator/fitted_defaults.json").read_text())["parameters"]
    return tuple(f"{k}={v!r}" for k, v in cand.items() if shipped.get(k) != v)


def band_table(report: Path) -> dict[str, tuple[float, float, float]]:
    """metric -> (mean, ci low, ci high) from a validation report's calibration table."""
    out = {}
    for line in report.read_text().splitlines():
        m = re.match(r"\| (\w+) \| [\d.]+-[\d.]+ \| ([\d.]+) \| \[([\d.]+), ([\d.]+)\] \|", line)
        if m and m.group(1) in BANDS:
            out[m.group(1)] = tuple(float(m.group(i)) for i in (2, 3, 4))
    return out


def edge_bands(table) -> list[str]:
    return [k for k, (_, lo, hi) in table.items()
            if any(lo <= e <= hi for e in BANDS[k] if e > 0)]


if __name__ == "__main__":
    np.seterr(all="ignore")
    findings = {f.id: f for f in load()}
    out = {}
    for name, (folder, ov) in READS.items():
        ov = candidate_overrides() if ov is None else ov
        results = json.loads((folder / "evidence_results.json").read_text())
        edges = [fid for fid, v in results.items() if findings[fid].split == "test"
                 and (v["size_settled"] is False or v["direction_reading"] == "open")]
        groups = defaultdict(list)
        for fid in edges:
            groups[(findings[fid].model.experiment, results[fid]["n"])].append(findings[fid])
        reread = {}
        for (experiment, n), fs in sorted(groups.items()):
            tables = simulate(fs, ov, 4 * n, SEED, 2)
            for v in judge(fs, estimate(fs, tables)):
                e = v.estimate
                reread[v.finding.id] = {
                    "n": e.n, "mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high,
                    "before": {k: results[v.finding.id][k] for k in ("size_ok", "direction_ok")},
                    "size_ok": v.size_ok, "direction_ok": v.direction_ok,
                    "size_settled": v.size_settled, "direction_reading": v.direction_reading,
                }
                print(name, v.finding.id, reread[v.finding.id], flush=True)
        bands_before = band_table(folder / "report.md")
        bands = {}
        edge = edge_bands(bands_before)
        if edge:
            table = calibrate(range(SEED, SEED + 80), 2, ov)
            for metric in edge:
                r = table.loc[metric]
                lo, hi = BANDS[metric]
                bands[metric] = {"before": bands_before[metric], "mean": float(r["mean"]),
                                 "ci_low": float(r.ci_lo), "ci_high": float(r.ci_hi),
                                 "inside": bool(lo <= r["mean"] <= hi)}
                print(name, metric, bands[metric], flush=True)
        # the counts after the re-read
        tests = {fid: dict(v) for fid, v in results.items() if findings[fid].split == "test"}
        for fid, r in reread.items():
            tests[fid].update(size_ok=r["size_ok"], direction_ok=r["direction_ok"],
                              direction_reading=r["direction_reading"])
        dirs = [v["direction_ok"] for v in tests.values() if v["direction_ok"] is not None]
        sizes = [v["size_ok"] for v in tests.values() if v["size_ok"] is not None]
        opp = sum(v["direction_reading"] == "opposite" for v in tests.values())
        inside = {k: BANDS[k][0] <= m <= BANDS[k][1] for k, (m, _, _) in bands_before.items()}
        inside.update({k: b["inside"] for k, b in bands.items()})
        counts = {"directions": f"{sum(dirs)} of {len(dirs)}", "opposite": opp,
                  "sizes": f"{sum(sizes)} of {len(sizes)}",
                  "bands": f"{sum(inside.values())} of {len(inside)}"}
        print(name, counts, flush=True)
        out[name] = {"overrides": list(ov), "findings": reread, "bands": bands, "counts": counts}
    (HERE / "reread.json").write_text(json.dumps(out, indent=2) + "\n")
