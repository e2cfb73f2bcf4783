"""What the fit writes: the fitted defaults (JSON) and the report of fit per moment (Markdown)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from experiments.estimation import moments
from experiments.estimation.moments import Verdict
from experiments.estimation.space import Dimension, priors, round4
from experiments.evidence import ROOT, SPLITS, Finding

PROG = "python -m experiments.estimate"


def write_fitted(path: Path, fitted: dict, info: dict) -> None:
    """``fitted_defaults.json``: the fitted parameters, and how they were fitted.

    Parameters fitted before and not in this space keep their values: the fit
    was made with them as defaults.
    """
    from simulator.params import FITTED as previous

    parameters = {**previous, **{k: round4(v) for k, v in fitted.items()}}
    payload = {"parameters": dict(sorted(parameters.items())), "fit": info}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def num(value: float | None) -> str:
    """A number to 4 significant digits, or ``-`` for None/NaN (for reports)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.4g}"


def _published(f: Finding) -> str:
    band = f"[{num(f.low)}, {num(f.high)}]" if f.low is not None or f.high is not None else ""
    if f.value is None and not band:
        return "direction only"
    return " ".join(s for s in (num(f.value) if f.value is not None else "", band) if s)


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "**no**")


def _size(v: Verdict) -> str:
    """The size cell: yes or **no**, and ``(edge)`` when the interval straddles an edge."""
    return _yes(v.size_ok) + (" (edge)" if v.size_settled is False else "")


def _direction(v: Verdict) -> str:
    """The direction cell: yes, **no** (opposite) or **no** (open: the interval spans 0)."""
    reading = v.direction_reading
    if reading in (None, "right"):
        return _yes(v.direction_ok)
    return f"**no** ({reading})"


def counts(verdicts: list[Verdict], split: str) -> dict[str, int]:
    """Findings, estimated, and judged/passed on direction and on size, of one split."""
    vs = [v for v in verdicts if v.finding.split == split]
    return {
        "findings": len(vs),
        "estimated": sum(v.estimate.ok for v in vs),
        "direction_judged": sum(v.direction_ok is not None for v in vs),
        "direction_ok": sum(bool(v.direction_ok) for v in vs),
        "direction_opposite": sum(v.direction_reading == "opposite" for v in vs),
        "size_judged": sum(v.size_ok is not None for v in vs),
        "size_ok": sum(bool(v.size_ok) for v in vs),
        "size_edge": sum(v.size_settled is False for v in vs),
    }


def relative_path(path: Path) -> str:
    """``path`` relative to the repository when inside it, else absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def headline_rows(verdicts: list[Verdict]) -> list[str]:
    """The headline table: per split, findings estimated and passing on direction and size."""
    lines = [
        "| split | findings | estimated | direction right | direction opposite | size right |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for split in SPLITS:
        c = counts(verdicts, split)
        lines.append(
            f"| {split} | {c['findings']} | {c['estimated']} | "
            f"{c['direction_ok']} of {c['direction_judged']} | "
            f"{c['direction_opposite']} of {c['direction_judged']} | "
            f"{c['size_ok']} of {c['size_judged']} |"
        )
    return lines


def finding_rows(
    verdicts: list[Verdict], terms: dict[str, float] | None = None, replications: int | None = None
) -> list[str]:
    """One table row per finding: published, simulated with its interval, ratio, verdicts.

    An estimate over other than ``replications`` replications says how many.
    """
    terms = terms or {}
    lines = [
        "| finding | split | experiment: measure (kind) | published [low, high] | "
        "simulated [95% CI] | ratio | direction | size | loss term |",
        "|---|---|---|---|---|---:|---|---|---:|",
    ]
    for v in verdicts:
        f, e, m = v.finding, v.estimate, v.finding.model
        sim = f"{num(e.mean)} [{num(e.ci_low)}, {num(e.ci_high)}]" if e.ok else v.status
        if e.ok and replications is not None and e.n != replications:
            sim += f", n {e.n}"
        term = num(terms[f.id]) if f.id in terms else "-"
        lines.append(
            f"| `{f.id}` | {f.split} | {m.experiment}: {m.metric} ({m.kind}) | {_published(f)} | "
            f"{sim} | {num(v.ratio)} | {_direction(v)} | {_size(v)} | {term} |"
        )
    return lines


def _drift_lines(info: dict) -> list[str]:
    """The steady-state paragraph: the fitted point's drift terms, when they were measured."""
    terms = info.get("drift_terms") or {}
    if not terms:
        return []
    cells = ", ".join(f"{name.removeprefix('drift_')} {num(v)}" for name, v in terms.items())
    return [
        "",
        f"Drift terms of the fitted point (`experiments/estimation/drift.py`: slopes per year "
        f"over {info.get('drift_years', 10)}-year runs of {info.get('final_drift_seeds', 10)} "
        f"seeds from the installed base the point is written with): {cells}; total "
        f"{num(info['loss_drift'])} (about 1 per level is a drift at the threshold "
        "`make validate` calls material). The recheck chose each stage's point on its moments "
        "plus such terms (over the recheck's own seeds).",
        *_final_check_lines(info),
    ]


def _final_check_lines(info: dict) -> list[str]:
    """The final check: the last stage's choice against its start, both scored as reported."""
    check = info.get("final_check")
    if not check:
        return []
    cells = "; ".join(
        f"{name} {num(s['loss_train'])} + drift {num(s['loss_drift'])}"
        + (f" (held-out test loss {num(s['loss_test'])})" if "loss_test" in s else "")
        for name, s in check["scores"].items()
    )
    return [
        "",
        "Final check: the last stage's recheck chose among a few points on a few "
        "replications, so its choice and its start (the earlier stages' values with the "
        "last stage's old ones, from the installed base that stage began from) were both "
        f"scored on every finding as above, each with drift runs from its own base: {cells}. "
        f"Kept: the {check['kept']}.",
    ]


def report_markdown(
    verdicts: list[Verdict], space: list[Dimension], start: dict, fitted: dict, info: dict
) -> str:
    """``calibration.md``: headline counts, the parameters, and the fit per moment.

    ``start`` and ``fitted`` map each parameter of the space to its value at
    the first trial and at the best; ``info`` is the ``fit`` record of
    :func:`write_fitted`.
    """
    prior = priors(space)
    found = [v.finding for v in verdicts]
    estimates = {v.finding.id: v.estimate for v in verdicts}
    held_out = moments.held_out_terms(found, estimates)
    terms = {**moments.loss_terms(found, estimates), **held_out}
    lines = [
        "# Calibration: the model against the evidence base",
        "",
        f"Written by `{PROG}` ({info['date']}) from `{info['evidence']}` and `{info['space']}`: "
        f"{info['trials']} trial{'s' if info['trials'] != 1 else ''} of "
        f"{info['replications']} replications per arm (seed "
        f"{info['seed']}, study `{info['study']}`), the best point evaluated again with "
        f"{info['final_replications']} replications per arm on every finding. Overrides: "
        f"{', '.join(f'`{o}`' for o in info['overrides']) or 'none'}.",
        "",
        "Loss over the train findings (the method of simulated moments of "
        f"`experiments/estimation/moments.py`), by stage at {info['replications']} "
        "replications (each stage's loss reads the train findings of its experiments): "
        + "; ".join(
            f"{st['stage']} start {num(st['start'])}, best {num(st['best'])}"
            for st in info.get("stage_losses")
            or [{"stage": "fit", "start": info["loss_start"], "best": info["loss_train_search"]}]
        )
        + f". Every train finding at {info['final_replications']} replications: "
        f"{num(info['loss_train'])} (standard error "
        f"{num(moments.loss_spread(found, estimates, 'train'))} from the simulation's noise "
        "alone). Test findings never enter the loss; the same terms "
        f"over them, the held-out loss, are {num(sum(held_out.values()))} at the fitted point "
        f"(standard error {num(moments.loss_spread(found, estimates, 'test'))}; each "
        "finding's term is in the last column). A search loss "
        "well below the final one means the search fitted the noise of its few "
        "replications (common random numbers make that possible): read the final one.",
        *_drift_lines(info),
        "",
        "## Headline",
        "",
        *headline_rows(verdicts),
    ]
    lines += [
        "",
        "Direction: the 95% interval lies wholly on the published side of 0 (of 1 for ratios). "
        "Size: a level inside the published band (or within a factor 2 of the value); an "
        "effect within a factor 2 of the published one.",
        "",
        "## Parameters",
        "",
        "| parameter | range | scale | declared | start | fitted |",
        "|---|---|---|---:|---:|---:|",
    ]
    for d in space:
        lines.append(
            f"| `{d.name}` | [{d.lo:g}, {d.hi:g}] | {'log' if d.log else 'linear'} | "
            f"{num(prior[d.name])} | {num(start[d.name])} | {num(round4(fitted[d.name]))} |"
        )
    lines += ["", "## Fit per moment", "", *finding_rows(verdicts, terms)]
    return "\n".join(lines) + "\n"
