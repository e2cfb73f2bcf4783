"""Parameter reference generated from the dataclasses of :mod:`simulator.params`.

``python -m salesim_cli.docs`` prints the Markdown table of every parameter
(dotted name, type, default, allowed range, unit, doc) for docs/model.md, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from simulator.params import SimParams, iter_fields


def type_name(f: dataclasses.Field) -> str:
    """The declared type of a parameter field, as written in the code (``int``, ``list[float]``)."""
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def range_text(meta: dict[str, Any]) -> str:
    """The allowed values of a parameter in words: ``1 to 20000``, ``at least 0``, choices."""
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if choices:
        return "one of " + ", ".join(choices)
    if lo is not None and hi is not None:
        return f"{_num(lo)} to {_num(hi)}"
    if lo is not None:
        return f"at least {_num(lo)}"
    if hi is not None:
        return f"at most {_num(hi)}"
    return ""


def _num(value: float) -> str:
    return format(value, ".12g")


def param_fields(params: Any = None) -> dict[str, tuple[Any, dataclasses.Field]]:
    """``{dotted_name: (default, field)}`` for every leaf parameter of ``params``."""
    params = params if params is not None else SimParams()
    return {name: (value, f) for name, value, f in iter_fields(params)}


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = _num(value)
    else:
        text = str(value)
    return text.replace("|", "\\|")


def param_table_markdown(params: Any = None) -> str:
    """A Markdown table of every parameter: name, type, default, range, unit and doc."""
    lines = [
        "| parameter | type | default | range | unit | description |",
        "|---|---|---|---|---|---|",
    ]
    for name, (value, f) in param_fields(params).items():
        meta = dict(f.metadata)
        cells = [
            f"`{name}`",
            _cell(type_name(f)),
            _cell(value),
            _cell(range_text(meta)),
            _cell(meta.get("unit", "")),
            _cell(meta.get("doc", "")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def mechanisms_table_markdown() -> str:
    """A Markdown table of every MODEL.md mechanism and the parameter that switches it off."""
    from simulator.params import MECHANISMS

    fields = param_fields()
    lines = ["| mechanism | off when 0 | default |", "|---|---|---|"]
    for mechanism, name in MECHANISMS.items():
        lines.append(f"| {mechanism} | `{name}` | {_cell(fields[name][0])} |")
    return "\n".join(lines) + "\n"


#: README blocks regenerated from the dataclasses: marker name -> generator
README_BLOCKS = {"params": param_table_markdown, "mechanisms": mechanisms_table_markdown}


def render_readme(text: str) -> str:
    """Replace every ``<!-- NAME:start -->...<!-- NAME:end -->`` block with its generated table."""
    for name, make in README_BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, sep, rest = text.partition(start)
        if not sep:
            continue
        _, sep2, tail = rest.partition(end)
        if not sep2:
            raise ValueError(f"README has {start} without {end}")
        text = f"{head}{start}\n{make()}{end}{tail}"
    return text


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 2 and sys.argv[1] == "--readme":
        path = sys.argv[2]
        with open(path, encoding="utf-8") as fh:
            old = fh.read()
        new = render_readme(old)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
        print(f"{path}: {'updated' if new != old else 'already current'}")
    else:
        print(param_table_markdown(), end="")
