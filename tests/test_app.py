"""The workshop app without a browser: controls, parameters, side-by-side runs, views."""

from __future__ import annotations

import os

import numpy as np
import pytest

from salesim_app import controls, views
from salesim_app.controls import CONTROLS, build_params, control_meta, model_params, presets
from salesim_app.model import WorkshopModel
from salesim_cli.docs import param_fields
from simulator.model import SalesModel
from simulator.params import SimParams

SMALL = {"org.n_reps": 16}

# Solara lints every component's hooks when it is defined, and Mesa 3.3's ComponentsView
# trips the linter (a UserWarning on import, an error here); Solara's own switch turns the
# linter off for this process. Set before anything imports solara.
os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")


def get(params: SimParams, dotted: str):
    obj = params
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# -- controls come from the parameter dataclasses -------------------------------------


def test_every_control_is_generated_from_its_parameter_metadata():
    fields = param_fields()
    inputs = model_params()
    for control in CONTROLS:
        default, f = fields[control.name]
        meta = f.metadata
        spec = inputs[control.name]
        assert spec["value"] == default, control.name
        assert spec["label"].startswith(control.label)
        if meta["choices"]:
            assert spec["type"] == "Select"
            assert spec["values"] == list(meta["choices"])
            continue
        assert spec["type"] == ("SliderInt" if isinstance(default, int) else "SliderFloat")
        assert meta["unit"] in spec["label"]
        if control.lo is None and control.hi is None:
            assert (spec["min"], spec["max"]) == (meta["lo"], meta["hi"]), control.name
        else:  # a narrower range is inside the parameter's own, documented, and holds the default
            assert control.why, f"{control.name}: narrower range without a reason"
            assert meta["lo"] <= spec["min"] <= default <= spec["max"], control.name
            assert meta["hi"] is None or spec["max"] <= meta["hi"], control.name
        assert spec["step"] > 0
        assert meta["doc"] in controls.help_text(control)


def test_pickers_list_the_shipped_plans_and_presets():
    inputs = model_params()
    assert {"quota_bonus", "ranking", "team", "linear"} <= set(inputs["plan"]["values"])
    assert inputs["compare"]["values"][0] == controls.NO_COMPARE
    assert inputs["preset"]["values"] == list(presets())


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.name)
def test_every_control_reaches_the_parameters(control):
    m = control_meta(control)
    value = m["choices"][-1] if m["choices"] else m["hi"]
    params, _ = build_params("quota_bonus", **{control.name: value})
    got = get(params, control.name)
    if control.name == "manager.coaching_share":  # capped to what is left of the week
        assert got == pytest.approx(1 - 0.35 - 0.2 - 0.05)
    else:
        assert got == value
    assert got != get(build_params("quota_bonus")[0], control.name)


def test_team_weight_zero_keeps_each_plans_mix_and_above_zero_sets_it():
    assert build_params("team", **{"plan.team_weight": 0.0})[0].plan.team_weight == 1.0
    assert build_params("hybrid")[0].plan.team_weight == 0.5
    params, _ = build_params("quota_bonus", **{"plan.team_weight": 0.4})
    assert params.plan.team_weight == pytest.approx(0.4)
    assert params.plan.individual_weight == pytest.approx(0.6)
    # the quota-and-bonus plan has no team components: it borrows the team plan's
    assert params.plan.team == build_params("team")[0].plan.team
    model = WorkshopModel(**{"plan.team_weight": 0.4, **SMALL})
    assert {"team_pool", "team_bonus"} <= set(model.plan.components)


def test_manager_shares_are_capped_in_the_order_the_week_takes_them():
    params, notices = build_params("quota_bonus", **{"manager.admin_share": 0.9})
    m = params.manager
    assert (m.admin_share, m.deal_support_share) == (0.9, pytest.approx(0.1))
    assert (m.inspection_share, m.coaching_share) == (0.0, 0.0)
    assert len(notices) == 3 and "manager.coaching_share = 0.2" in notices[-1]
    assert build_params("quota_bonus")[1] == []


def test_presets_compose_and_never_set_a_controlled_parameter():
    standard = build_params("quota_bonus")[0]
    for name, preset in presets().items():
        keys = {o.split("=", 1)[0] for o in preset["overrides"]}
        assert not keys & controls.CONTROLLED, name
        assert "plan" not in keys
        assert preset["story"]
        params, _ = build_params("quota_bonus", name)
        if name != controls.DEFAULT_PRESET:
            assert params != standard, f"preset {name!r} changes nothing"


# -- bad input: one line naming the field, never a crash ------------------------------------


def test_bad_input_gives_one_line_and_a_running_model():
    model = WorkshopModel(seed="abc", **SMALL)
    assert model.notices == [
        "error: seed = 'abc': must be a whole number, at least 0; using seed 0"
    ]
    model = WorkshopModel(plan="nope")
    assert len(model.notices) == 1
    assert model.notices[0].startswith("error: plan = 'nope': must be one of ")
    assert "quota_bonus" in model.notices[0]
    model.step()
    assert views.shown_week(model) == 1
    with pytest.raises(controls.ParamError, match="org.n_reps = 0: must be between 1 and 20000"):
        build_params("quota_bonus", **{"org.n_reps": 0})


# -- the app runs the engine unchanged; side by side on one seed ----------------------------


def test_app_model_runs_exactly_the_engine():
    params, _ = build_params("quota_bonus", **SMALL)
    app, plain = WorkshopModel(seed="5", **SMALL), SalesModel(params, 5)
    assert app.week == app.warmup_weeks == 52  # the warm-up is simulated on Reset
    assert views.shown_week(app) == 0 and app.steps == 0
    for _ in range(30):
        app.step()
    for _ in range(app.week):
        plain.step()
    weeks = app.week
    np.testing.assert_array_equal(
        app.recorder.weekly_series("bookings", weeks),
        plain.recorder.weekly_series("bookings", weeks),
    )
    np.testing.assert_array_equal(app.seats.skill, plain.seats.skill)
    assert views.shown_week(app) == 30 and len(views.bookings(app)) == 30


def test_side_by_side_runs_two_plans_on_the_same_seed():
    same = WorkshopModel(compare="quota_bonus", seed=3, **SMALL)
    other = WorkshopModel(compare="ranking", seed=3, **SMALL)
    for _ in range(26):
        same.step()
        other.step()
    np.testing.assert_array_equal(views.bookings(same.twin), views.bookings(same))
    assert not np.array_equal(views.bookings(other.twin), views.bookings(other))
    assert [s.label for s in other.sides] == ["quota_bonus", "ranking"]
    # side B is the engine under plan B on the same seed: the same territories and
    # people at the start as side A, whatever the plan
    params_a, params_b = (
        build_params("quota_bonus", **SMALL)[0],
        build_params("ranking", **SMALL)[0],
    )
    start_a, plain_b = SalesModel(params_a, 3), SalesModel(params_b, 3)
    np.testing.assert_array_equal(start_a.seats.skill, plain_b.seats.skill)
    np.testing.assert_array_equal(start_a.accounts.potential, plain_b.accounts.potential)
    for _ in range(other.week):
        plain_b.step()
    np.testing.assert_array_equal(views.bookings(other.twin), views.bookings(plain_b))
    frame = other.datacollector.get_model_vars_dataframe()
    assert len(frame) == 27 and frame["Headcount B"].notna().all()
    assert frame["Exits to date A"].iloc[0] == 0  # counted from the end of the warm-up
    solo = WorkshopModel(**SMALL).datacollector.get_model_vars_dataframe()
    assert solo["Headcount B"].isna().all()


def test_run_stops_at_its_end():
    model = WorkshopModel(**{"org.n_reps": 8})
    while model.running:
        model.step()
    assert model.week == model.n_weeks == (controls.APP_YEARS + 1) * 52
    model.step()  # the controller may ask once more: nothing happens
    assert model.week == model.n_weeks


# -- views read the live arrays ----------------------------------------------------------


def test_views_read_this_weeks_state():
    model = WorkshopModel(seed=1, compare="team", **SMALL)
    # at the start the room sees the quarter the warm-up just closed
    held = model.seats.occupied
    np.testing.assert_array_equal(
        views.pace_attainment(model)[held], model.seats.last_attainment[held]
    )
    left = 0
    for _ in range(40):
        model.step()
        left += int(model.sides[0].left.sum())
        att = views.pace_attainment(model)
        assert np.isnan(att[~model.seats.occupied]).all()
        assert np.isfinite(att[model.seats.occupied]).all()
        coached = views.coached(model)
        assert (coached == (model.seats.occupied & (model.coach_hours > 0))).all()
    assert left == views.exits_to_date(model) > 0
    helping = views.helping(model)
    assert helping.any() and not helping[~model.seats.occupied].any()
    grid = views.tile_grid(model, np.arange(16.0))
    assert grid.shape == (2, 8) and grid[1, 0] == 8
    standings = views.team_standings(model)
    assert standings["attainment"].is_monotonic_decreasing
    assert standings["seats"].sum() == 16
    board = views.leaderboard(model, 3)
    assert len(board) == 3 and board["attainment"].is_monotonic_decreasing
    hours = views.manager_hours(model)
    assert hours.sum(axis=1).to_numpy() == pytest.approx(model.params.manager.hours_per_week)
    numbers = views.headline(model)
    assert numbers["week"] == 40 and numbers["exits to date"] == left
    assert numbers["bookings to date"] == pytest.approx(views.bookings(model).sum())


def test_quarter_close_shows_the_quarter_just_ended():
    model = WorkshopModel(seed=2, **SMALL)
    for _ in range(13):
        model.step()
    assert views.quarter_week(model) == 0
    assert 0 < np.nanmean(views.pace_attainment(model)) < 5
    held = model.seats.occupied
    att = views.pace_attainment(model)
    np.testing.assert_array_equal(att[held], model.seats.last_attainment[held])


def test_components_render_every_view_in_compare_mode():
    solara = pytest.importorskip("solara")
    from salesim_app.components import COMPONENTS, headline_markdown

    model = WorkshopModel(compare="ranking", **SMALL)
    for _ in range(15):
        model.step()
    table = headline_markdown(model)
    assert "A: quota_bonus" in table and "B: ranking" in table and "B - A" in table
    for component, _page in COMPONENTS:

        @solara.component
        def Page(component=component):
            return component(model)

        box, rc = solara.render(Page(), handle_error=False)
        rc.close()


def test_readme_table_of_controls_is_current():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert controls.README_START in readme
    assert controls.render_readme(readme) == readme, (
        "run: python -m salesim_app.controls --readme README.md"
    )
    for control in CONTROLS:
        assert f"`{control.name}`" in readme
