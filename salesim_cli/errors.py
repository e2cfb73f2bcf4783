"""Bad input as one line: the field, the value and what is allowed.

Shared by every command line (``salesim``, ``salesim-pay``,
``salesim-sensitivity``, ``salesim-optimise``, the scenario runner):
:func:`error_message` turns Hydra's and OmegaConf's exceptions and the
engine's :class:`~simulator.params.ParamError` into one line, and :func:`fail`
prints it as ``PROG: error: MESSAGE`` and exits with status 2.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from dataclasses import fields, is_dataclass
from typing import NoReturn

from hydra.core.override_parser.types import Override
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException
from omegaconf.errors import ValidationError as OmegaConfValidationError

from salesim_cli.config import unknown_key_message
from salesim_cli.docs import param_fields, range_text, type_name


def fail(message: str, prog: str = "salesim") -> NoReturn:
    """Report bad input as one line, ``PROG: error: MESSAGE``, and exit with status 2.

    Shared by every command line.
    """
    print(f"{prog}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        """Report ``message`` through :func:`fail` under this parser's ``prog``."""
        fail(message, self.prog)


def error_message(err: BaseException) -> str:
    """One line describing a bad-input error: the field, the value and what is allowed."""
    if isinstance(err, MissingConfigException) and err.missing_cfg_file:
        group, _, name = err.missing_cfg_file.rpartition("/")
        text = f"{group} = {name!r}: no such config" if group else f"no config {name!r}"
        options = [o for o in (err.options or []) if not o.startswith("base_")]
        return text + (f"; available: {', '.join(options)}" if options else "")
    if isinstance(err, OverrideParseException):
        return f"cannot parse override {err.override!r}: {_one_line(err.message)}"
    if isinstance(err, HydraException) and isinstance(err.__cause__, OmegaConfBaseException):
        err = err.__cause__
    if isinstance(err, OmegaConfBaseException):
        return _omegaconf_message(err)
    override = _failed_override(err)
    return f"{override}: {_one_line(str(err))}" if override else _one_line(str(err))


def _failed_override(err: BaseException) -> str | None:
    """The command-line override Hydra was applying when ``err`` was raised, if any."""
    for frame, _ in reversed(list(traceback.walk_tb(err.__traceback__))):
        override = frame.f_locals.get("override")
        if isinstance(override, Override):
            return override.input_line
    return None


def _one_line(text: str) -> str:
    """``text`` on one line, without OmegaConf's type details and Hydra's web pointers."""
    noise = ("See https://", "reference_type=", "object_type=")
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if line and not line.startswith(noise):
            out += (" " if out.endswith(":") else "; " if out else "") + line
    return out


def _omegaconf_message(err: OmegaConfBaseException) -> str:
    key = err.full_key or str(err.key or "")
    first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
    schema = err.object_type
    if isinstance(err, ConfigAttributeError | ConfigKeyError) and is_dataclass(schema):
        return unknown_key_message(key, [f.name for f in fields(schema)])
    allowed = _allowed_text(key)
    if isinstance(err, OmegaConfValidationError) and allowed:
        return f"{key} = {err.value!r}: must be {allowed}"
    return f"{key}: {first_line}" + (f"; must be {allowed}" if allowed else "")


def _allowed_text(full_key: str) -> str:
    """What a parameter accepts, e.g. ``an int (1 to 20000)``; '' when not a parameter."""
    name = re.sub(r"\[\d+\]$", "", full_key)
    params = param_fields()
    if name == "seed":
        return "an int"
    if name not in params:
        return ""
    _, f = params[name]
    kind = type_name(f)
    if name != full_key:  # an element of a list parameter
        kind = kind.removeprefix("list[").removesuffix("]")
    article = "an" if kind[0] in "aeiou" else "a"
    limits = range_text(dict(f.metadata))
    return f"{article} {kind}" + (f" ({limits})" if limits else "")
