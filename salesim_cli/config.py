"""Hydra's view of the parameters: the structured config schema and its conversion.

:class:`Config` is :class:`~simulator.params.SimParams` plus the run's seed; it
reuses the parameter dataclasses, so every default, type and key is declared
once, in :mod:`simulator.params`.  :func:`register_schemas` puts it in Hydra's
ConfigStore as ``base_config`` and each parameter group that has a folder in
``conf/`` as ``<group>/base_<group>`` (``plan/base_plan``), so YAML in ``conf/``
only overrides values: an unknown key or a wrong type fails at composition.

:func:`compose_config` composes ``conf/`` with override strings, as the command
line does, for code that builds many configurations in one process (designs of
experiments, scenarios, the app) without paying for a Hydra job each.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from simulator.params import ParamError, SimParams

SCHEMA_NAME = "base_config"
CONF_PACKAGE = "simulator.conf"
#: Groups whose files are ``# @package _global_`` bundles (conf/org/), not one group's values.
GLOBAL_GROUPS = ("org",)


@dataclass
class Config(SimParams):
    """The composed configuration: every parameter group of SimParams plus the seed."""

    seed: int = 0
    #: ``scenario=NAME`` runs the named scenario of ``scenarios/`` instead of one configuration.
    scenario: str = ""


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
        if group in folders and group not in GLOBAL_GROUPS:
            store.store(group=group, name=f"base_{group}", node=schema)


def config_names(group: str) -> list[str]:
    """Names of the configs shipped in ``conf/<group>/`` (``"plan"``: the plans), sorted."""
    folder = resources.files(CONF_PACKAGE).joinpath(group)
    return sorted(
        e.name.removesuffix(".yaml") for e in folder.iterdir() if e.name.endswith(".yaml")
    )


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
        elif isinstance(value, list) and isinstance(known[key], list):  # plan.components
            for i, (item, known_item) in enumerate(zip(value, known[key], strict=False)):
                if isinstance(item, dict) and isinstance(known_item, dict):
                    yield from _unknown_keys(item, known_item, f"{prefix}{key}[{i}].")


#: config groups whose chosen file must say something (an empty one would silently
#: give the schema's defaults under the chosen name); an org file may be empty: the
#: standard organisation, conf/org/default.yaml, is every default
CHECKED_GROUPS = ("plan", "quota")


def check_chosen_files(choices: Mapping[str, Any], sources: Iterable[Any]) -> None:
    """Refuse an empty file chosen for a config group (``plan=NAME`` naming an empty file).

    ``choices`` and ``sources`` are Hydra's ``runtime.choices`` and
    ``runtime.config_sources``. A file holding nothing but comments and blank
    lines composes to the group's schema defaults, so a user's mistake (an
    unsaved or truncated plan) would run as if it were a plan.

    Raises:
        ParamError: naming the group, the choice and the file.
    """
    for group in CHECKED_GROUPS:
        choice = choices.get(group)
        if not choice:
            continue
        for source in sources:
            path = _source_file(source, f"{group}/{choice}.yaml")
            if path is None or not path.is_file():
                continue
            if yaml.safe_load(path.read_text(encoding="utf-8")) is None:
                raise ParamError(
                    f"{group}={choice}: the file {path} is empty; a {group} file sets at "
                    f"least one field (see conf/{group}/ for examples)"
                )
            break  # the first source that has the file is the one Hydra composed


def _source_file(source: Any, relative: str):
    """The file ``relative`` in a Hydra config source (a folder or a package), or None."""
    schema, path = str(source.schema), str(source.path)
    if schema == "file":
        return Path(path) / relative
    if schema == "pkg":
        try:
            return resources.files(path) / relative
        except ModuleNotFoundError:
            return None
    return None


def to_params(cfg: DictConfig) -> tuple[SimParams, int]:
    """Convert a composed config, once, into plain dataclasses: ``(params, seed)``.

    Keys added with Hydra's ``+key=value`` bypass the schema at composition and
    would be dropped silently here, so they raise :class:`ParamError` instead, as
    does a negative seed (numpy's seed sequences take non-negative integers).
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
    if config.seed < 0:
        raise ParamError(
            f"seed = {config.seed}: must be a non-negative integer (0 is a seed like any other)"
        )
    groups = {f.name: getattr(config, f.name) for f in dataclasses.fields(SimParams)}
    return SimParams(**groups), config.seed


def override_key(override: str) -> str:
    """The key a Hydra override string sets: ``"+rep.effort_cost=1"`` -> ``"rep.effort_cost"``."""
    return override.split("=", 1)[0].lstrip("+~")


def compose_config(overrides: Iterable[str] = ()) -> tuple[SimParams, int]:
    """Compose ``conf/config.yaml`` with Hydra override strings; return ``(params, seed)``.

    The same composition as ``salesim OVERRIDES`` (``"plan=ranking"``,
    ``"manager.coaching_share=0.3"``).  Inside a running Hydra application it
    uses that application's config search path (so a user's
    ``hydra.searchpath`` applies); elsewhere it initialises Hydra on the
    shipped ``simulator.conf`` for the call.  Parameters are converted but not
    validated (call :func:`simulator.params.validate`); composition errors
    (unknown keys, wrong types, unknown config names) propagate as Hydra and
    OmegaConf exceptions, which :func:`salesim_cli.cli.error_message` turns into
    one line.  About 60 ms a call.
    """
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    overrides = list(overrides)
    if GlobalHydra.instance().is_initialized():
        return to_params(compose(config_name="config", overrides=overrides))
    with initialize_config_module(config_module=CONF_PACKAGE, version_base="1.3"):
        return to_params(compose(config_name="config", overrides=overrides))


register_schemas()
