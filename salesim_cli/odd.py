"""Parameter tables of the ODD description (docs/ODD.md), generated from simulator.params.

``docs/ODD.md`` describes the model to the ODD protocol (Grimm et al. 2020).
Its submodel sections hold a parameter table each, between markers
``<!-- odd:NAME:start -->`` and ``<!-- odd:NAME:end -->``; this module fills
them from the dataclasses' metadata (default, unit, meaning) plus the source
each default comes from (:data:`SOURCES`), so the document cannot drift from
the code:

    python -m salesim_cli.odd docs/ODD.md     # rewrite the tables in place
    python -m salesim_cli.odd --check docs/ODD.md   # exit 1 when they are stale

Every parameter belongs to exactly one submodel (:data:`SUBMODELS`) and has a
source; a new parameter without either fails the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from salesim_cli.docs import _cell, param_fields

#: submodel marker -> dotted-name prefixes of its parameters (first match wins)
SUBMODELS: dict[str, tuple[str, ...]] = {
    "organisation": ("run.", "org."),
    "territory": ("territory.",),
    "buyers": ("buyer.", "market."),
    "reps": ("rep.",),
    "managers": ("manager.",),
    "hiring": ("hiring.", "performance."),
    "quota": ("quota.",),
    "plan": ("plan.",),
}

CALIB_ATTAIN = "calibrated: share of reps at annual quota 50-60% (MODEL.md 4; CSO Insights)"
CALIB_TURNOVER = "calibrated: annual turnover 25-35% (MODEL.md 4; DePaul, CSO Insights, Kumar 2017)"
CALIB_RAMP = "calibrated: median ramp about 5 months (MODEL.md 4; Bridge Group 2024)"
CALIB_SKEW = "calibrated: top 20% of reps book about half of revenue (MODEL.md 4; CSO Insights)"
ASSUMED = "modelling assumption (no field estimate); switchable for experiments"

#: dotted name or prefix -> where its default comes from (longest match wins)
SOURCES: dict[str, str] = {
    "run.": "MODEL.md: 3 evaluated years after a 1-year warm-up",
    "run.replications": "run control, not a model parameter",
    "run.tables": "output control, not a model parameter",
    "org.": "illustrative mid-size organisation (assumption)",
    "org.span_of_control": "MODEL.md 1: span of control default 8",
    "org.initial_selling_share": (
        "initial condition: the share of a normal selling week the default organisation's "
        "reps sell in its steady state"
    ),
    "org.initial_tenure_years": (
        "initial condition: the mean tenure of the reps in seat in the default "
        "organisation's steady state"
    ),
    "org.initial_tenure_aptitude_elasticity": (
        "initial condition: the default organisation's steady-state selection of its reps "
        "on aptitude"
    ),
    "org.target_basis": (
        "planning practice: next year's target is this year's result plus a growth rate "
        "(practitioner guides describe it as what most companies do)"
    ),
    "territory.": CALIB_SKEW,
    "territory.overlap": ASSUMED,
    "territory.specialisation": (
        "estimated by make calibrate: territories cut by segment, as firms staff SMB, "
        "mid-market and enterprise roles"
    ),
    "territory.customer_share": "initial condition: the default organisation's steady state",
    "territory.customer_penetration": (
        "initial condition: the default organisation's steady state"
    ),
    "territory.former_customer_share": (
        "initial condition: the default organisation's steady state (churned customers "
        "fill the non-customers over a decade)"
    ),
    "territory.initial_base_by_size": (
        "initial condition: prospecting finds accounts by the square root of potential "
        "(the model's own rule), so the steady state's landed accounts are the larger"
    ),
    "territory.smb.": "assumption: SMB small and fast (MODEL.md 1 segments)",
    "territory.mid.": "assumption: mid-market between SMB and enterprise (MODEL.md 1)",
    "territory.ent.": "assumption: enterprise larger and slower (MODEL.md 1)",
    **{
        f"territory.{seg}.win_prob": (
            "estimated by make calibrate: a new logo's odds (Griffin and Lowenstein 2001: "
            "5-20% of attempts)"
        )
        for seg in ("smb", "mid", "ent")
    },
    "buyer.": CALIB_ATTAIN,
    "buyer.rush_": "assumption; end-of-quarter discounts as in Larkin 2014",
    "buyer.hold_discount": (
        "estimated with the plan responses (Larkin 2014: lower prices to buyers who go "
        "along with the rep's timing)"
    ),
    "buyer.hold_loss_per_week": ASSUMED,
    "buyer.hold_patience_in_stages": ASSUMED,
    "buyer.bargaining_share": (
        "mechanism, off (0) until estimated: identified by Larkin's (2014) cost of timing "
        "(a training finding), checked by the quarter-end spike (test)"
    ),
    "buyer.customer_win_logit": (
        "estimated by make calibrate: a customer's odds of buying against a new logo's "
        "(Griffin and Lowenstein 2001: 60-70% against 5-20% of attempts)"
    ),
    "buyer.former_customer_win_logit": (
        "not fitted (0): a former customer's odds come from the trust it kept; the "
        "win-back rate (Griffin and Lowenstein 2001: 20-40%) is a test finding"
    ),
    "buyer.min_pace": ASSUMED,
    "buyer.pace_noise": ASSUMED,
    "buyer.attention_rate": ASSUMED,
    "buyer.care_": ASSUMED,
    "buyer.churn_": (
        "assumption: B2B logo churn about 10-15% a year at par; care, trust and a change "
        "of rep move it (switchable)"
    ),
    "buyer.rep_change_": "assumption: customers of a territory whose rep changed are at risk",
    "buyer.trust_recovery_per_year": ASSUMED,
    "buyer.land_fraction": "assumption: land small, expand larger (MODEL.md 1)",
    "buyer.expansion_": "assumption: land small, expand larger (MODEL.md 1)",
    "buyer.expansion_headroom": (
        "mechanism: expansion into white space saturates, so upsells are a minority of new "
        "contract value (28% at the largest SaaS firms, KBCM 2013; validation/evidence.yaml)"
    ),
    "market.": ASSUMED,
    "hiring.prorated_target": (
        "pay practice: a new hire's partial or ramped period carries the seat's commission "
        "rate (its target prorated with its quota); off, a bug fixed on 2026-12-06"
    ),
    "rep.": CALIB_ATTAIN,
    "rep.timing_projected": ASSUMED,
    "rep.hours_per_week": "assumption: a 45-hour selling week",
    "rep.max_hours_per_week": "assumption: the hardest sustainable week",
    "rep.admin_hours": ASSUMED,
    "rep.quit_": CALIB_TURNOVER,
    "rep.leave_per_year": (
        "estimated by make calibrate: about a quarter of quits are for reasons the employer "
        "does not control (Work Institute 2025 Retention Report; validation/evidence.yaml)"
    ),
    "rep.outside_option_premium": CALIB_TURNOVER,
    "rep.market_pay": (
        "assumption: the labour market pays what the default plan pays on target (150,000); "
        "set it to the market a team recruits from"
    ),
    "rep.quit_pay_elasticity": (
        "declared at 2.5, kept by the 2026-12-05 (f) fit: quit elasticities of 2-3 in "
        "experiments and quasi-experiments (Naidu and Carr 2022; validation/evidence.yaml)"
    ),
    "rep.morale_": CALIB_TURNOVER,
    "rep.helping_": ASSUMED,
    "rep.rank_cutoff_uncertainty": (
        "calibrated: rank pay raises mean effort (fact 5; Lazear and Rosen 1981); "
        "overconfidence in tournaments, Park and Santos-Pinto 2010"
    ),
    "rep.exploring_": ASSUMED,
    "rep.care_priority": ASSUMED,
    "rep.peer_pressure": "Kandel and Lazear 1992: mutual monitoring under team pay",
    "rep.discount_per_year": ASSUMED,
    "rep.pipeline_weight": ASSUMED,
    "rep.min_effort": ASSUMED,
    "rep.max_effort": ASSUMED,
    "rep.typical_deal_rate": ASSUMED,
    "rep.max_care_lag_years": ASSUMED,
    "rep.quit_promotion_effect": "Sunder et al. 2017: strong performers quit less (inverted U)",
    "rep.quit_security_effect": "Sunder et al. 2017: weak performers quit less (inverted U)",
    "rep.quit_contagion_effect": "Sunder et al. 2017; Felps et al. 2009: peers' quits spread",
    "rep.quit_manager_effect": "Lazear, Shaw and Stanton 2015: better bosses keep workers",
    "rep.colleague_loss_morale": ASSUMED,
    "rep.deal_timing_strength": ASSUMED,
    "manager.": ASSUMED,
    "manager.coaching_half_hours": "Gartner 2019: returns diminish from 3-5 h/seller/month",
    "manager.coaching_effect": "calibrated: CEB 2011, up to +19% for the middle 60% (fact 7)",
    "manager.quality_": (
        "assumption: leadership quality acts through hiring, morale and admin time "
        "(Lazear, Shaw and Stanton 2015; Vantage Point)"
    ),
    "manager.coaching_fit": (
        "CEB 2011: coaching moves the middle 60%, little the low performers (fact 7)"
    ),
    "hiring.": CALIB_RAMP,
    "hiring.aptitude_": ASSUMED,
    "performance.": "assumption: common performance-management practice",
    "quota.": "MODEL.md 1 quota setting; default top-down",
    "quota.installed_base_weight": "assumption: territories rich in customers carry more quota",
    "quota.history_weight": "assumption: historic quotas are the commonest practice (SalesGlobe, "
    "'From History to Opportunity'); the weight awaits a refit",
    "quota.ratchet_": "assumption: asymmetric ratchet (Weitzman 1980; Leone and Rock 2002)",
    "quota.ratchet_delay_weight": "assumption: a later quota rise weighs half (fact 4)",
    "plan.": "default plan quota_bonus: 50/50 pay mix, 70% commission, 30% bonus at 100%",
    "plan.rank.": "off by default; conf/plan/ranking.yaml sets a stack-ranking plan",
    "plan.team.": "off by default; conf/plan/team.yaml and hybrid.yaml set team pay",
    "plan.campaign.": "off by default (a short campaign is a plan option)",
}


def submodel_of(name: str) -> str | None:
    """The submodel whose table lists parameter ``name`` (None when no prefix matches)."""
    for submodel, prefixes in SUBMODELS.items():
        if name.startswith(prefixes):
            return submodel
    return None


def source_of(name: str) -> str | None:
    """Where the default of ``name`` comes from: the longest matching entry of :data:`SOURCES`."""
    keys = [k for k in SOURCES if name == k or (k.endswith((".", "_")) and name.startswith(k))]
    return SOURCES[max(keys, key=len)] if keys else None


def submodel_table(submodel: str) -> str:
    """The Markdown table of one submodel's parameters: name, default, unit, meaning, source."""
    lines = [
        "| parameter | default | unit | meaning | source of the default |",
        "|---|---|---|---|---|",
    ]
    for name, (value, f) in param_fields().items():
        if submodel_of(name) != submodel:
            continue
        meta = dict(f.metadata)
        cells = [f"`{name}`", _cell(value), _cell(meta.get("unit", "")), _cell(meta.get("doc", ""))]
        source = source_of(name) or ""
        if meta.get("fitted"):
            prior = meta["prior"]
            source = f"fitted (make calibrate; validation/calibration.md); declared {prior:g}"
        cells.append(_cell(source))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render(text: str) -> str:
    """Replace every ``<!-- odd:NAME:start -->...<!-- odd:NAME:end -->`` block with its table."""
    for submodel in SUBMODELS:
        start, end = f"<!-- odd:{submodel}:start -->", f"<!-- odd:{submodel}:end -->"
        head, sep, rest = text.partition(start)
        if not sep:
            raise ValueError(f"ODD document has no {start}")
        _, sep2, tail = rest.partition(end)
        if not sep2:
            raise ValueError(f"ODD document has {start} without {end}")
        text = f"{head}{start}\n{submodel_table(submodel)}{end}{tail}"
    return text


def main(argv: list[str] | None = None) -> int:
    """``[--check] PATH``: rewrite the tables of PATH, or with --check exit 1 when stale."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    if len(paths) != 1:
        print("usage: python -m salesim_cli.odd [--check] docs/ODD.md", file=sys.stderr)
        return 2
    path = Path(paths[0])
    old = path.read_text(encoding="utf-8")
    try:
        new = render(old)
    except ValueError as err:
        print(f"{path}: {err}", file=sys.stderr)
        return 2
    if check:
        if new != old:
            print(f"{path}: stale; run python -m salesim_cli.odd {path}", file=sys.stderr)
            return 1
        print(f"{path}: current")
        return 0
    path.write_text(new, encoding="utf-8")
    print(f"{path}: {'updated' if new != old else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
