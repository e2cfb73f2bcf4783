"""The app's controls, generated from the parameter dataclasses, and the parameters they build.

Every slider takes its label, unit, range, default and help text from the
field metadata of :mod:`simulator.params` (through
:func:`salesim_cli.docs.param_fields`); where a control offers a narrower range
than the parameter allows, :data:`CONTROLS` says so and why, and the README's
table of controls is generated from the same list.

:func:`build_params` turns the values a room picked (plan, scenario preset,
sliders) into validated :class:`~simulator.params.SimParams`: the plan and the
preset are composed once each through :func:`salesim_cli.config.compose_config`
and cached; the sliders are applied last with
:func:`simulator.run.with_overrides`.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from salesim_cli.config import compose_config, config_names
from salesim_cli.docs import param_fields, range_text
from simulator.params import ParamError, SimParams, validate
from simulator.run import with_overrides

#: simulated years of an app run after its warm-up (run.warmup_years, simulated on Reset, so
#: the room starts from a settled organisation rather than an empty pipeline)
APP_YEARS = 10
DEFAULT_PLAN = "quota_bonus"
NO_COMPARE = "none"
#: manager time shares in the order the model takes them from a manager's week
MANAGER_SHARES = ("admin_share", "deal_support_share", "inspection_share", "coaching_share")


@dataclass(frozen=True)
class Control:
    """One control of the app: a parameter, and where the app narrows its range.

    Attributes:
        name: dotted parameter name (``"manager.coaching_share"``).
        label: short label shown beside the slider.
        step: slider increment (ignored for choices).
        lo: lowest value offered, when narrower than the parameter's own range.
        hi: highest value offered, when narrower than the parameter's own range.
        why: the reason for a narrower range (shown in the help and README).
    """

    name: str
    label: str
    step: float = 1
    lo: float | None = None
    hi: float | None = None
    why: str = ""


CONTROLS: tuple[Control, ...] = (
    Control("manager.coaching_share", "Coaching share", step=0.05),
    Control("manager.admin_share", "Admin load", step=0.05),
    Control("manager.coaching_policy", "Who is coached first"),
    Control("plan.team_weight", "Team weight", step=0.1),
    Control(
        "plan.base_salary",
        "Base salary",
        step=5_000,
        lo=40_000,
        hi=120_000,
        why="the labour market pays 150,000 on target (rep.market_pay); this range pays the "
        "default plan from 77% to 130% of it",
    ),
    Control(
        "quota.aggressiveness",
        "Quota aggressiveness",
        step=0.05,
        lo=0.5,
        hi=2.0,
        why="below half the target or above twice it no plan is worth discussing",
    ),
    Control(
        "org.span_of_control",
        "Team size",
        lo=2,
        hi=20,
        why="a team of 1 has no peers to help; above 20 a manager has no time to coach",
    ),
    Control(
        "org.n_reps",
        "Rep seats",
        step=4,
        lo=8,
        hi=240,
        why="keeps a week well under 100 ms and the team view readable",
    ),
)

CONTROLLED = frozenset(c.name for c in CONTROLS)


def control_meta(control: Control) -> dict[str, Any]:
    """Default, range, unit and help of a control, from its parameter's field metadata."""
    default, f = param_fields()[control.name]
    meta = dict(f.metadata)
    lo = meta["lo"] if control.lo is None else control.lo
    hi = meta["hi"] if control.hi is None else control.hi
    return {
        "default": default,
        "lo": lo,
        "hi": hi,
        "unit": meta.get("unit", ""),
        "doc": meta.get("doc", ""),
        "choices": meta.get("choices"),
        "range": range_text({"lo": lo, "hi": hi, "choices": meta.get("choices")}),
    }


def help_text(control: Control) -> str:
    """One line of help: the parameter, its doc, unit and the range offered."""
    m = control_meta(control)
    unit = f" ({m['unit']})" if m["unit"] else ""
    note = f"; narrowed: {control.why}" if control.why else ""
    extra = TEAM_WEIGHT_NOTE if control.name == "plan.team_weight" else ""
    return f"`{control.name}`{unit}: {m['doc']}; {m['range']}{note}{extra}"


TEAM_WEIGHT_NOTE = (
    ". At 0 each plan keeps its own mix (team 1, hybrid 0.5, others 0); above 0 it sets "
    "the team share, and a plan without team components borrows the team plan's"
)


def plan_names() -> list[str]:
    """Names of the plans shipped in ``conf/plan/`` (the plan picker's choices)."""
    return config_names("plan")


@functools.cache
def presets() -> dict[str, dict[str, Any]]:
    """Scenario presets: ``{name: {"story": str, "overrides": [str, ...]}}``."""
    text = resources.files(__package__).joinpath("presets.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        name: {"story": p["story"], "overrides": list(p["overrides"])} for name, p in data.items()
    }


DEFAULT_PRESET = "standard organisation"


def model_params() -> dict[str, Any]:
    """Mesa ``SolaraViz`` model parameters: pickers, the seed, and one input per control."""
    out: dict[str, Any] = {
        "plan": {"type": "Select", "value": DEFAULT_PLAN, "values": plan_names(), "label": "Plan"},
        "compare": {
            "type": "Select",
            "value": NO_COMPARE,
            "values": [NO_COMPARE, *plan_names()],
            "label": "Compare with plan (same seed)",
        },
        "preset": {
            "type": "Select",
            "value": DEFAULT_PRESET,
            "values": list(presets()),
            "label": "Scenario preset",
        },
        "seed": {"type": "InputText", "value": "0", "label": "Seed"},
    }
    for control in CONTROLS:
        m = control_meta(control)
        unit = f" ({m['unit']})" if m["unit"] else ""
        if m["choices"]:
            out[control.name] = {
                "type": "Select",
                "value": m["default"],
                "values": list(m["choices"]),
                "label": control.label,
            }
        else:
            kind = "SliderInt" if isinstance(m["default"], int) else "SliderFloat"
            out[control.name] = {
                "type": kind,
                "value": m["default"],
                "min": m["lo"],
                "max": m["hi"],
                "step": control.step,
                "label": control.label + unit,
            }
    return out


@functools.cache
def composed(plan: str, preset: str) -> SimParams:
    """The plan composed with a preset's overrides (cached: about 60 ms a composition)."""
    if preset not in presets():
        raise ParamError(f"preset = {preset!r}: must be one of {', '.join(presets())}")
    params, _ = compose_config([f"plan={plan}", *presets()[preset]["overrides"]])
    return with_overrides(params, **{"run.years": APP_YEARS})


def parse_seed(text: object) -> int:
    """The seed typed in the seed box: a whole number of at least 0."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ParamError(f"seed = {text!r}: must be a whole number, at least 0") from None
    if seed < 0:
        raise ParamError(f"seed = {seed}: must be a whole number, at least 0")
    return seed


def build_params(
    plan: str, preset: str = DEFAULT_PRESET, **controls: Any
) -> tuple[SimParams, list[str]]:
    """Validated parameters for a plan, a preset and control values; and notices for the room.

    Controls are dotted parameter names (``**{"manager.coaching_share": 0.3}``).
    Manager time shares are capped in the order a manager's week takes them
    (admin, deal support, inspection, coaching), so a share that would not fit
    gets what is left of the week, as the model itself would give it; each
    cap is reported in the notices.

    Raises:
        ParamError: an unknown plan, preset or control, or a value out of range.
    """
    if plan not in plan_names():
        raise ParamError(f"plan = {plan!r}: must be one of {', '.join(plan_names())}")
    unknown = sorted(set(controls) - CONTROLLED)
    if unknown:
        raise ParamError(f"{unknown[0]}: not a control; controls: {', '.join(sorted(CONTROLLED))}")
    base = composed(plan, preset)
    changes = dict(controls)
    notices: list[str] = []
    team_weight = changes.pop("plan.team_weight", 0.0)
    params = with_overrides(base, **changes)
    if team_weight > 0:
        params = _with_team_weight(params, float(team_weight))
    params, capped = _fit_manager_week(params)
    notices += capped
    return validate(params), notices


def _with_team_weight(params: SimParams, team_weight: float) -> SimParams:
    """Set the plan's team share; borrow the team plan's components if it has none."""
    plan = params.plan
    if plan.team.pool_weight <= 0 and plan.team.quota_bonus <= 0:
        plan = dataclasses.replace(plan, team=composed("team", DEFAULT_PRESET).plan.team)
    plan = dataclasses.replace(
        plan, team_weight=team_weight, individual_weight=round(1.0 - team_weight, 12)
    )
    return dataclasses.replace(params, plan=plan)


def _fit_manager_week(params: SimParams) -> tuple[SimParams, list[str]]:
    """Cap manager time shares, in the order the week takes them, to fit one week."""
    m = params.manager
    left = 1.0
    changes: dict[str, float] = {}
    notices = []
    for name in MANAGER_SHARES:
        share = getattr(m, name)
        if share > left + 1e-9:
            changes[name] = round(left, 12)
            notices.append(
                f"manager.{name} = {share:g} does not fit in the week: it gets what is left, "
                f"{left:.2f}"
            )
            share = left
        left = max(left - share, 0.0)
    if changes:
        params = dataclasses.replace(params, manager=dataclasses.replace(m, **changes))
    return params, notices


README_START, README_END = "<!-- app-controls:start -->", "<!-- app-controls:end -->"


def controls_table_markdown() -> str:
    """README's table of the app's sliders and pickers, generated from :data:`CONTROLS`."""
    lines = [
        "| control | parameter | offered | unit | what it does |",
        "|---|---|---|---|---|",
    ]
    for control in CONTROLS:
        m = control_meta(control)
        doc = m["doc"] + (f" (range narrowed: {control.why})" if control.why else "")
        if control.name == "plan.team_weight":
            doc += TEAM_WEIGHT_NOTE
        cells = [control.label, f"`{control.name}`", m["range"], m["unit"], doc]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def render_readme(text: str) -> str:
    """``text`` with the block between the app-controls markers regenerated."""
    head, sep, rest = text.partition(README_START)
    if not sep:
        return text
    _, sep, tail = rest.partition(README_END)
    if not sep:
        raise ValueError(f"README has {README_START} without {README_END}")
    return f"{head}{README_START}\n{controls_table_markdown()}{README_END}{tail}"


if __name__ == "__main__":  # python -m salesim_app.controls --readme README.md
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "--readme":
        with open(sys.argv[2], encoding="utf-8") as fh:
            old = fh.read()
        new = render_readme(old)
        with open(sys.argv[2], "w", encoding="utf-8") as fh:
            fh.write(new)
        print(f"{sys.argv[2]}: {'updated' if new != old else 'already current'}")
    else:
        print(controls_table_markdown(), end="")
