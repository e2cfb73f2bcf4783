"""Plan (ab)'s read on its split (CSO's time to fill in train): losses and counts of both reads.

    PYTHONPATH=. python validation/vacancy_cost_2026-12-07ab/judge.py \
        validation/vacancy_cost_2026-12-07ab/evidence.yaml \
        validation/evidence_results.json validation/vacancy_cost_2026-12-07ab/evidence_results.json
"""
import json
import sys
from pathlib import Path

from experiments.estimation.compare import _estimates, _payload, compare
from experiments.evidence import load

if __name__ == "__main__":
    findings = load(Path(sys.argv[1]))
    paths = [Path(p) for p in sys.argv[2:4]]
    payloads = [_payload(p) for p in paths]
    a, b = (_estimates(d, findings, p.name) for d, p in zip(payloads, paths, strict=True))
    print("\n".join(compare(findings, a, b, 16)))
    split = {f.id: f.split for f in findings}
    for name, d in zip(("A", "B"), payloads, strict=True):
        for s in ("train", "test"):
            rows = [v for k, v in d.items() if split[k] == s]
            dirs = [v["direction_ok"] for v in rows if v["direction_ok"] is not None]
            opp = sum(1 for v in rows if v.get("direction_reading") == "opposite")
            sizes = [v["size_ok"] for v in rows if v["size_ok"] is not None]
            print(f"{name} {s}: direction {sum(dirs)} of {len(dirs)} (opposite {opp}), "
                  f"size {sum(sizes)} of {len(sizes)}")
