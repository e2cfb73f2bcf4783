"""The Hydra config tree in conf/ against the parameter dataclasses."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir, initialize_config_module
from hydra.core.config_store import ConfigStore
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from salesim_cli.config import GLOBAL_GROUPS, Config, to_params
from simulator.params import ParamError, PlanParams, SimParams, iter_fields, validate

REPO = Path(__file__).resolve().parents[1]
CONF = resources.files("simulator.conf")


def group_configs() -> list[tuple[str, str]]:
    """``(group, name)`` of every YAML file in a parameter-group folder of conf/.

    Folders that are no parameter group (``experiment/``: bundles of global
    overrides, composed by tests/test_validation.py) are left out.
    """
    groups = {f.name for f in dataclasses.fields(SimParams)}
    return sorted(
        (folder.name, entry.name.removesuffix(".yaml"))
        for folder in CONF.iterdir()
        if folder.is_dir() and folder.name in groups
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    )


@pytest.fixture
def hydra_conf():
    with initialize_config_module(config_module="simulator.conf", version_base="1.3"):
        yield


def test_conf_ships_as_package_resources():
    assert CONF.joinpath("config.yaml").is_file()
    assert CONF.joinpath("plan", "quota_bonus.yaml").is_file()
    assert ("plan", "quota_bonus") in group_configs()


def test_composed_defaults_equal_code_defaults(hydra_conf):
    cfg = compose(config_name="config")
    assert to_params(cfg) == (SimParams(), 0)
    # The YAML adds no key and no value of its own to the schema's defaults.
    assert cfg == OmegaConf.structured(Config)


@pytest.mark.parametrize(("group", "name"), group_configs())
def test_every_group_config_composes_and_validates(hydra_conf, group, name):
    params, seed = to_params(compose(config_name="config", overrides=[f"{group}={name}"]))
    validate(params)
    assert seed == 0


@pytest.mark.parametrize(
    ("group", "name"), [gn for gn in group_configs() if gn[0] not in GLOBAL_GROUPS]
)
def test_group_configs_name_their_schema_first(group, name):
    defaults = yaml.safe_load(CONF.joinpath(group, f"{name}.yaml").read_text())["defaults"]
    assert defaults[0] == f"base_{group}"
    assert ConfigStore.instance().load(f"{group}/base_{group}.yaml") is not None


def test_quota_bonus_is_the_default_plan(hydra_conf):
    params, _ = to_params(compose(config_name="config", overrides=["plan=quota_bonus"]))
    assert params.plan == PlanParams()
    assert params.plan.name == "quota_bonus"
    assert params.plan.commission.weight == 0.7
    assert params.plan.bonus.thresholds == [1.0] and params.plan.bonus.amounts == [0.3]


def test_to_params_returns_plain_dataclasses(hydra_conf):
    cfg = compose(config_name="config", overrides=["seed=7", "plan.bonus.amounts=[0.5]"])
    params, seed = to_params(cfg)
    assert type(params) is SimParams and type(seed) is int and seed == 7
    for f in dataclasses.fields(SimParams):
        assert dataclasses.is_dataclass(getattr(params, f.name))
    for name, value, _ in iter_fields(params):
        assert type(value) in (int, float, str, bool, list), name
        if isinstance(value, list):
            assert all(type(v) is float for v in value), name
    assert params.plan.bonus.amounts == [0.5]


def test_overrides_reach_the_params(hydra_conf):
    cfg = compose(
        config_name="config",
        overrides=["run.years=1", "org.n_reps=16", "territory.mid.win_prob=0.5"],
    )
    params, _ = to_params(cfg)
    assert (params.run.years, params.org.n_reps, params.territory.mid.win_prob) == (1, 16, 0.5)


@pytest.mark.parametrize(
    "override", ["org.nreps=5", "org.n_reps=abc", "seed=1.5", "plan.commission=3", "plan=nope"]
)
def test_bad_overrides_fail_at_composition(hydra_conf, override):
    with pytest.raises(ConfigCompositionException):
        compose(config_name="config", overrides=[override])


@pytest.mark.parametrize("override", ["+org.nreps=5", "++foo=1"])
def test_added_keys_fail_at_conversion(hydra_conf, override):
    cfg = compose(config_name="config", overrides=[override])
    key = override.lstrip("+").split("=")[0]
    with pytest.raises(ParamError, match=rf"^{key}: unknown parameter"):
        to_params(cfg)


def test_missing_value_fails_at_conversion(hydra_conf):
    cfg = compose(config_name="config", overrides=["org.n_reps=???"])
    with pytest.raises(OmegaConfBaseException):
        to_params(cfg)


def test_plan_yaml_is_checked_against_plan_schema(tmp_path):
    (tmp_path / "plan").mkdir()
    (tmp_path / "config.yaml").write_text(
        "defaults:\n  - base_config\n  - plan: typo\n  - _self_\n"
    )
    (tmp_path / "plan" / "typo.yaml").write_text(
        "defaults:\n  - base_plan\n  - _self_\n\nname: typo\ncomission:\n  weight: 1.0\n"
    )
    with initialize_config_dir(config_dir=str(tmp_path), version_base="1.3"):
        with pytest.raises(ConfigCompositionException) as err:
            compose(config_name="config")
    assert "comission" in str(err.value)


def test_core_does_not_import_hydra():
    code = (
        "import pkgutil, importlib, sys, simulator\n"
        "front = {'simulator.conf'}\n"
        "for m in pkgutil.walk_packages(simulator.__path__, 'simulator.'):\n"
        "    if m.name not in front:\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('hydra', 'omegaconf'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _build_wheel(tmp_path: Path) -> Path:
    """Build salesim's wheel from a copy of the sources (keeps build/ out of the repo)."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("simulator", "salesim_cli", "conf", "scenarios", "salesim_app"):
        shutil.copytree(REPO / folder, src / folder, ignore=ignore)
    evidence = ("validation/__init__.py", "validation/evidence.yaml")
    for name in ("pyproject.toml", "README.md", *evidence):
        if (REPO / name).exists():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, src / name)
    errors = []
    # Without build isolation when setuptools and wheel are installed, else from
    # pip's configured index (a local mirror works offline); skip when neither can.
    for isolation in (["--no-build-isolation"], []):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                *isolation,
                "-w",
                str(tmp_path / "dist"),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if out.returncode == 0:
            (wheel,) = (tmp_path / "dist").glob("salesim-*.whl")
            return wheel
        errors.append(out.stderr.strip().splitlines()[-1:])
    pytest.skip(f"cannot build a wheel here: {errors}")


def test_installed_wheel_finds_conf(tmp_path):
    """A built (non-editable) package carries conf/ as simulator/conf/ and composes from it.

    It carries the evidence base too (the report's published figures), as simulator/evidence/.
    """
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "simulator/conf/__init__.py",
        "simulator/params/__init__.py",
        "simulator/params/sim.py",
        "simulator/conf/config.yaml",
        "simulator/conf/plan/quota_bonus.yaml",
        "simulator/conf/org/example_saas.yaml",
        "simulator/scenarios/ranking_vs_team.yaml",
        "salesim_cli/config.py",
        "salesim_cli/cli.py",
        "salesim_app/presets.yaml",
        "simulator/evidence/evidence.yaml",
    } <= names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # a pure-Python wheel unpacks as installed
    code = (
        "import sys, simulator, salesim_cli.cli, simulator.scenario\n"
        "print(simulator.__file__)\n"
        "assert 'ranking_vs_team' in simulator.scenario.available()\n"
        "import salesim_cli.field\n"
        "assert len(salesim_cli.field.load_published()['share_at_quota']) >= 4\n"
        "sys.argv = ['salesim', '--cfg', 'job', 'seed=5']\n"
        "salesim_cli.cli.main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        check=True,
    )
    assert out.stdout.splitlines()[0].startswith(str(site))
    assert "name: quota_bonus" in out.stdout and "seed: 5" in out.stdout


def test_readme_tables_match_the_dataclasses():
    """docs/model.md's parameter and mechanism tables are generated; they must be current."""
    from pathlib import Path

    from salesim_cli.docs import render_readme

    readme = Path(__file__).resolve().parents[1] / "docs" / "model.md"
    text = readme.read_text(encoding="utf-8")
    assert "<!-- params:start -->" in text and "<!-- mechanisms:start -->" in text
    assert render_readme(text) == text, "run: python -m salesim_cli.docs --readme docs/model.md"
