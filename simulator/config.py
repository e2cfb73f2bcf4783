"""Hydra's view of the parameters: the structured config schema and its conversion.

:class:`Config` is :class:`~simulator.params.SimParams` plus the run's seed; it
reuses the parameter dataclasses, so every default, type and key is declared
once, in :mod:`simulator.params`.  :func:`register_schemas` puts it in Hydra's
ConfigStore as ``base_config`` and each parameter group that has a folder in
``conf/`` as ``<group>/base_<group>`` (``plan/base_plan``), so YAML in ``conf/``
only overrides values: an unknown key or a wrong type fails at composition.

Only this module and :mod:`simulator.cli` import Hydra or OmegaConf.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from simulator.params import ParamError, SimParams

SCHEMA_NAME = "base_config"
CONF_PACKAGE = "simulator.conf"


@dataclass
class Config(SimParams):
    """The composed configuration: every parameter group of SimParams plus the seed."""

    seed: int = 0


def register_schemas(store: ConfigStore | None = None) -> None:
    """Register ``base_config``, and ``<group>/base_<group>`` for every group folder in conf/.

    A YAML file in ``conf/<group>/`` names ``base_<group>`` first in its defaults
    list, so it is checked against that group's dataclass.  Only groups with a
    folder are registered, so that ``--help`` lists only real choices.
    """
    store = store if store is not None else ConfigStore.instance()
    store.store(name=SCHEMA_NAME, node=Config)
    folders = {entry.name for entry in resources.files(CONF_PACKAGE).iterdir() if entry.is_dir()}
    for group, schema in typing.get_type_hints(SimParams).items():
        if group in folders:
            store.store(group=group, name=f"base_{group}", node=schema)


def unknown_key_message(full_key: str, allowed: Iterable[str]) -> str:
    """One line saying ``full_key`` is no parameter, with the closest and the allowed names."""
    allowed = list(allowed)
    leaf = full_key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(leaf, allowed, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{full_key}: unknown parameter; {hint}allowed here: {', '.join(allowed)}"


def _unknown_keys(given: dict, known: dict, prefix: str = "") -> Iterable[tuple[str, dict]]:
    """Yield ``(dotted_key, known_siblings)`` for keys of ``given`` absent from ``known``."""
    for key, value in given.items():
        if key not in known:
            yield f"{prefix}{key}", known
        elif isinstance(value, dict) and isinstance(known[key], dict):
            yield from _unknown_keys(value, known[key], f"{prefix}{key}.")


def to_params(cfg: DictConfig) -> tuple[SimParams, int]:
    """Convert a composed config, once, into plain dataclasses: ``(params, seed)``.

    Keys added with Hydra's ``+key=value`` bypass the schema at composition and
    would be dropped silently here, so they raise :class:`ParamError` instead.
    """
    config: Any = OmegaConf.to_object(cfg)
    if not isinstance(config, Config):
        raise TypeError(
            f"expected a config composed on the {SCHEMA_NAME!r} schema, got {type(config).__name__}"
        )
    given = OmegaConf.to_container(cfg, resolve=False, throw_on_missing=False)
    unknown = next(_unknown_keys(given, dataclasses.asdict(config)), None)
    if unknown is not None:
        raise ParamError(unknown_key_message(*unknown))
    groups = {f.name: getattr(config, f.name) for f in dataclasses.fields(SimParams)}
    return SimParams(**groups), config.seed


register_schemas()
