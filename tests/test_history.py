"""A leader's own history (issue 13, item 1): the checker refuses bad files in one line
naming row and column, the summary gives known answers on hand-built files and the
model's own numbers on a history the model wrote, and salesim-fit reads the shipped example.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesim_cli.fitcli import main as fit_main
from simulator.history import HistoryError, quarter_start, read_history
from simulator.history_summary import model_history, summarise_history
from simulator.params import SimParams
from simulator.run import run_one, with_overrides

ROOT = Path(__file__).resolve().parents[1]
HEADER = "rep_id,team,period,quota,credited_sales"
GOOD_ROW = "A,t1,2024Q1,100,120"
QUARTERS = 4


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(HistoryError) as caught:
        read_history(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}, row ")
    return message.removeprefix(f"{path}, ")


# ---------------------------------------------------------------- the checker


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "rep_id,team,period,credited_sales\nA,t1,2024Q1,120\n",
            "row 1 (the header): missing column 'quota'; required: rep_id, team, period, "
            "quota, credited_sales; optional: hire_date, exit_date, exit_kind, segment, "
            "deals_won, pay_total (found: rep_id, team, period, credited_sales)",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nB,t1,2024Q1,-100,50\n",
            "row 3, column 'quota': -100 is out of range; expected a number above 0 (a row is "
            "a quarter the rep held a quota; leave out quarters without one)",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nB,t1,2024Q1,0,50\n",
            "row 3, column 'quota': 0 is out of range; expected a number above 0 (a row is "
            "a quarter the rep held a quota; leave out quarters without one)",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nA,t1,2024Q2,100,-5\n",
            "row 3, column 'credited_sales': -5 is out of range; expected a number 0 or more "
            "(net a claw-back into the quarter it reverses)",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nB,t2,2024Q1,100,5\nA,t1,2024-01-01,100,6\n",
            "row 4, columns 'rep_id' and 'period': rep 'A' has a second row for 2024Q1 "
            "(the first is row 2); one row per rep and quarter",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nA,t1,2024Q2,1.2e5,12k\n",
            "row 3, column 'credited_sales': '12k' is not a number; expected a number 0 or more "
            "(plain digits: no thousands separators, currency signs or units)",
        ),
        (
            f'{HEADER}\nA,t1,2024Q1,"125,000",5\n',
            "row 2, column 'quota': '125,000' is not a number; expected a number above 0 "
            "(plain digits: no thousands separators, currency signs or units)",
        ),
        (
            HEADER.replace(",", ";") + "\nA;t1;2024Q1;100;5\n",
            "row 1 (the header): missing column 'rep_id'; required: rep_id, team, period, "
            "quota, credited_sales; optional: hire_date, exit_date, exit_kind, segment, "
            "deals_won, pay_total (found: rep_id;team;period;quota;credited_sales); the "
            "columns must be separated by commas",
        ),
        (
            "",
            "row 1: the file is empty; expected a header row naming the columns (required: "
            "rep_id, team, period, quota, credited_sales; optional: hire_date, exit_date, "
            "exit_kind, segment, deals_won, pay_total) and one row per rep and quarter",
        ),
        (
            f"{HEADER}\n",
            "row 2: no data rows after the header; expected one row per rep and quarter",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nA,t1,2024Q5,100,5\n",
            "row 3, column 'period': '2024Q5' is not a quarter; expected a quarter like 2024Q1 "
            "or the ISO date of its first day like 2024-01-01",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\nA,t1,2024-05-01,100,5\n",
            "row 3, column 'period': '2024-05-01' is not the first day of a quarter; expected "
            "a quarter like 2024Q1 or the ISO date of its first day like 2024-01-01 (-04-01, "
            "-07-01, -10-01); sum a monthly history to quarters first",
        ),
        (
            f"{HEADER},exit_kind\n{GOOD_ROW},\nA,t1,2024Q2,100,5,quit\n",
            "row 3, column 'exit_kind': 'quit' is not an exit kind; expected voluntary or "
            "involuntary, or blank",
        ),
        (
            f"{HEADER},hire_date\n{GOOD_ROW},2023-02-30\n",
            "row 2, column 'hire_date': '2023-02-30' is not a date; expected an ISO date "
            "like 2023-09-15, or blank",
        ),
        (
            f"{HEADER},hire_date\n{GOOD_ROW},2022-01-01\nA,t1,2024Q2,100,5,2022-01-02\n",
            "row 3, column 'hire_date': 2022-01-02 differs from 2022-01-01 on row 2 for rep "
            "'A'; a rep's hire_date is the same on every row that gives it",
        ),
        (
            f"{HEADER},hire_date\n{GOOD_ROW},2024-04-02\n",
            "row 2, column 'period': 2024Q1 ends before the rep's hire_date 2024-04-02; "
            "a rep's rows run from the quarter of hire to the quarter of exit",
        ),
        (
            f"{HEADER},exit_date\n{GOOD_ROW},\nA,t1,2024Q2,100,5,2024-03-31\n",
            "row 3, column 'period': 2024Q2 starts after the rep's exit_date 2024-03-31; "
            "a rep's rows run from the quarter of hire to the quarter of exit",
        ),
        (
            f"{HEADER}\n{GOOD_ROW}\n,t1,2024Q2,100,5\n",
            "row 3, column 'rep_id': empty; expected the rep's id",
        ),
        (
            f"{HEADER}\n{GOOD_ROW},7\n",
            "row 2: 6 fields where the header names 5; '7' has no column",
        ),
        (
            f"{HEADER},deals_won\n{GOOD_ROW},2.5\n",
            "row 2, column 'deals_won': 2.5 is out of range; expected a whole number 0 or more, "
            "or blank",
        ),
    ],
    ids=[
        "missing-column",
        "negative-quota",
        "zero-quota",
        "negative-sales",
        "duplicated-rep-period",
        "text-in-a-number",
        "thousands-separator",
        "semicolons",
        "empty-file",
        "header-only",
        "unparseable-period",
        "period-not-a-quarter-start",
        "unknown-exit-kind",
        "unparseable-date",
        "disagreeing-hire-dates",
        "row-before-hire",
        "row-after-exit",
        "blank-rep-id",
        "extra-field",
        "fractional-deals",
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_row_and_column(tmp_path, text, expected):
    assert refusal(tmp_path, text) == expected


def test_the_first_problem_in_file_order_is_named(tmp_path):
    text = f"{HEADER}\nA,t1,2024Q1,100,x\nB,t1,2024Q7,-1,5\n"
    assert refusal(tmp_path, text).startswith("row 2, column 'credited_sales': 'x'")
    text = "credited_sales,rep_id,team,period,quota\nx,A,t1,2024Q1,-1\n"
    assert refusal(tmp_path, text).startswith("row 2, column 'credited_sales': 'x'")


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(tmp_path):
    text = f"{HEADER}\n{GOOD_ROW}\n\nA,t1,2024Q2,100,oops\n"
    assert refusal(tmp_path, text).startswith("row 4, column 'credited_sales'")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(HistoryError, match=r"nope\.csv: no such file$"):
        read_history(tmp_path / "nope.csv")


def test_a_good_file_reads_into_typed_columns(tmp_path):
    text = (
        " Rep_ID ,TEAM,period,quota,credited_sales,hire_date,exit_kind,notes\n"
        "A,t1,2024Q1,100,120,2020-01-01,,anything\n"
        "A,t1,2024 q2,100,80,,,\n"
        "B,t2,2024-07-01,50,0,,Voluntary,\n"
    )
    h = read_history(write(tmp_path, text))
    assert list(h.columns) == [
        "row",
        *("rep_id", "team", "period", "quota", "credited_sales"),
        *("year", "quarter", "period_index", "hire_date", "exit_kind", "attainment"),
    ]
    assert h["row"].tolist() == [2, 3, 4]
    assert h["period"].tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    assert h["quarter"].tolist() == [1, 2, 3]
    assert h["attainment"].tolist() == [1.2, 0.8, 0.0]
    assert h["exit_kind"].tolist() == ["", "", "voluntary"]
    assert h["hire_date"].iloc[0] == pd.Timestamp("2020-01-01") and h["hire_date"].isna()[1:].all()


# ---------------------------------------------------------------- the summary: known answers

#: four seasoned reps' annual attainment, and the share of each year's sales per quarter
ATTAINMENT = {"A": 1.2, "B": 1.0, "C": 0.8, "D": 0.5}
SEASON = (0.1, 0.2, 0.3, 0.4)


def seasoned_rows(years=(2023,), extra: str = "") -> list[str]:
    """Reps A-D hired 2020-01-01, quota 100 a quarter, annual attainment as ATTAINMENT."""
    return [
        f"{rep},t{1 + i % 2},{year}Q{q + 1},100,{400 * att * SEASON[q]:g},2020-01-01{extra}"
        for year in years
        for i, (rep, att) in enumerate(ATTAINMENT.items())
        for q in range(4)
    ]


def summary_of(tmp_path: Path, header: str, rows: list[str]) -> dict:
    return summarise_history(read_history(write(tmp_path, "\n".join([header, *rows]) + "\n")))


def test_attainment_seasonality_and_concentration_of_a_known_year(tmp_path):
    s = summary_of(tmp_path, f"{HEADER},hire_date", seasoned_rows())
    assert (s["first_period"], s["last_period"], s["quarters"]) == ("2023Q1", "2023Q4", 4)
    assert (s["reps"], s["teams"], s["rows"], s["rep_years_full"]) == (4, 2, 16, 4)
    assert s["headcount_mean"] == pytest.approx(4.0)
    assert s["attainment_median"] == pytest.approx(0.9)
    assert s["attainment_mean"] == pytest.approx(0.875)
    assert s["share_at_quota"] == pytest.approx(0.5)
    assert s["attainment_p10"] == pytest.approx(np.quantile([0.5, 0.8, 1.0, 1.2], 0.1))
    assert s["attainment_p90"] == pytest.approx(np.quantile([0.5, 0.8, 1.0, 1.2], 0.9))
    assert s["top20_revenue_share"] == pytest.approx(480 / 1400)  # the top rep of four
    for q, share in enumerate(SEASON, 1):
        assert s[f"sales_share_q{q}"] == pytest.approx(share)
    assert s["exits"] == 0 and s["turnover_total"] == 0.0 and np.isnan(s["turnover_voluntary"])
    assert np.isnan(s["attainment_yoy_corr"]) and s["yoy_pairs"] == 0


def test_an_incomplete_year_gives_no_full_years_and_no_seasonality(tmp_path):
    s = summary_of(tmp_path, f"{HEADER},hire_date", seasoned_rows()[1:])  # A lacks 2023Q1
    assert s["rep_years_full"] == 3 and s["first_period"] == "2023Q1"
    late = [r for r in seasoned_rows() if "2023Q1" not in r]
    s = summary_of(tmp_path, f"{HEADER},hire_date", late)
    assert s["rep_years_full"] == 0 and np.isnan(s["attainment_median"])
    assert np.isnan(s["sales_share_q1"])


def test_turnover_by_kind_tenure_and_last_quarters_tercile(tmp_path):
    # E: hired mid-2021 (1.5-1.75 years in seat), the worst in 2023Q1 and Q2, leaves
    # voluntarily in Q2's last week (so Q2 counts as a full quarter in seat)
    rows = [r + ",," for r in seasoned_rows()] + [
        "E,t1,2023Q1,100,10,2021-07-01,,",
        "E,t1,2023Q2,100,10,2021-07-01,2023-06-30,voluntary",
    ]
    s = summary_of(tmp_path, f"{HEADER},hire_date,exit_date,exit_kind", rows)
    assert (s["exits"], s["exits_inferred"]) == (1, 0)
    # 18 rep-quarters in seat: 4.5 rep-years
    assert s["headcount_mean"] == pytest.approx(18 / 4)
    assert s["turnover_total"] == pytest.approx(1 / 4.5)
    assert s["turnover_voluntary"] == pytest.approx(1 / 4.5)
    assert s["turnover_involuntary"] == 0.0
    assert np.isnan(s["turnover_total_tenure_lt1y"])
    assert s["turnover_total_tenure_1to2y"] == pytest.approx(1 / (2 / 4))
    assert s["turnover_total_tenure_2yplus"] == 0.0
    # low tercile of the quarter before: E and D in Q2 (Q1 ranks 0, 1 of 5), D in Q3
    # (Q2: 0, 1 of 5 are E, D), D and C in Q4 (Q3: 0, 1 of 4): 5 quarters, 1 exit
    assert s["turnover_total_low_tercile"] == pytest.approx(1 / (5 / 4))
    assert s["turnover_voluntary_low_tercile"] == pytest.approx(1 / (5 / 4))
    assert s["turnover_total_high_tercile"] == 0.0


def test_an_exit_without_a_date_is_read_from_rows_that_stop(tmp_path):
    rows = seasoned_rows() + ["F,t2,2023Q1,100,10,"]
    s = summary_of(tmp_path, f"{HEADER},hire_date", rows)
    assert (s["exits"], s["exits_inferred"]) == (1, 1)
    assert s["turnover_total"] == pytest.approx(1 / (17 / 4))
    assert np.isnan(s["turnover_voluntary"]) and np.isnan(s["ramp_months_median"])


def test_ramp_is_months_to_the_end_of_the_first_quarter_at_80_percent_of_seasoned(tmp_path):
    # seasoned median in Q2: the median of 96, 80, 64, 40 is 72; 80% of it 57.6
    rows = seasoned_rows() + [
        "N,t1,2023Q1,50,5,2023-02-15",
        "N,t1,2023Q2,100,58,2023-02-15",
        "N,t1,2023Q3,100,1,2023-02-15",  # the first quarter there counts
        "M,t2,2023Q3,100,1,2023-08-01",  # never gets there: not in the median
    ]
    s = summary_of(tmp_path, f"{HEADER},hire_date", rows)
    days = (pd.Timestamp("2023-07-01") - pd.Timestamp("2023-02-15")).days
    assert s["ramp_months_median"] == pytest.approx(days / (365.25 / 12))
    assert (s["new_hires"], s["new_hires_ramped"]) == (2, 1)
    assert s["rep_years_full"] == 4  # N joined during 2023


def test_year_on_year_correlation_of_full_years(tmp_path):
    following = {"A": 1.9, "B": 1.5, "C": 1.1, "D": 0.5}  # 2x - 0.5: a perfect correlation
    rows = seasoned_rows() + [
        f"{rep},t1,2024Q{q + 1},100,{100 * att:g},2020-01-01"
        for rep, att in following.items()
        for q in range(4)
    ]
    s = summary_of(tmp_path, f"{HEADER},hire_date", rows)
    assert s["yoy_pairs"] == 4 and s["attainment_yoy_corr"] == pytest.approx(1.0)
    assert s["rep_years_full"] == 8


def test_pay_and_deals_when_given(tmp_path):
    rows = [f"{r},{2},{10:g}" for r in seasoned_rows()]
    s = summary_of(tmp_path, f"{HEADER},hire_date,deals_won,pay_total", rows)
    assert s["deals_won_per_rep_year"] == pytest.approx(8.0)
    assert s["cost_of_sales"] == pytest.approx(160 / 1400)


# ---------------------------------------------------------------- the model's own history


@pytest.fixture(scope="module")
def small_run():
    params = with_overrides(SimParams(), **{"org.n_reps": 24, "run.years": 3})
    return run_one(params, 11)


def test_a_history_the_model_wrote_passes_and_gives_the_models_own_numbers(small_run, tmp_path):
    path = tmp_path / "model.csv"
    model_history(small_run.tables, 2021).to_csv(path, index=False)
    s = summarise_history(read_history(path))
    m = small_run.summary
    assert (s["first_period"], s["quarters"]) == ("2021Q1", 12)
    for key in ("attainment_median", "attainment_mean", "share_at_quota", "top20_revenue_share"):
        assert s[key] == pytest.approx(m[key], rel=1e-6), key  # the file's cents
    for key in ("turnover_total", "turnover_voluntary", "headcount_mean"):
        assert s[key] == pytest.approx(m[key], rel=0.05), key
    # a leaver's exit date falls in the quarter of its last row, a hire's in its first
    history = read_history(path).sort_values("period_index")
    last = history.groupby("rep_id").tail(1)
    left = last[last["exit_date"].notna()]
    assert (
        len(left) and (left["exit_date"] < quarter_start(left["period_index"] + 1).to_numpy()).all()
    )
    first = history.groupby("rep_id").head(1)
    assert (first["hire_date"] < quarter_start(first["period_index"] + 1).to_numpy()).all()


# ---------------------------------------------------------------- the shipped example

EXAMPLE = ROOT / "scenarios" / "history" / "example_history.csv"
EXAMPLE_PARAMS = EXAMPLE.with_suffix(".params.json")


def test_the_shipped_example_passes_its_own_checker_and_is_summarised():
    assert EXAMPLE.stat().st_size < 300_000
    history = read_history(EXAMPLE)
    assert {"hire_date", "exit_date", "exit_kind", "deals_won", "pay_total"} <= set(history)
    meta = json.loads(EXAMPLE_PARAMS.read_text(encoding="utf-8"))
    assert {"seed", "first_year", "parameters", "model_summary"} <= set(meta)
    params = meta["parameters"]
    s = summarise_history(history)
    assert s["first_period"] == f"{meta['first_year']}Q1"
    assert s["quarters"] == QUARTERS * params["run.years"]
    assert s["teams"] == -(-params["org.n_reps"] // params["org.span_of_control"])
    assert s["headcount_mean"] <= params["org.n_reps"] and s["exits"] > 0
    assert s["new_hires_ramped"] > 0 and s["yoy_pairs"] > 0
    for key in ("attainment_median", "turnover_total", "turnover_voluntary", "ramp_months_median"):
        assert np.isfinite(s[key]), key
    assert sum(s[f"sales_share_q{q}"] for q in range(1, 5)) == pytest.approx(1.0)
    # the file is the model's own run: its attainment moments are the run's
    for key in ("attainment_median", "share_at_quota", "top20_revenue_share"):
        assert s[key] == pytest.approx(meta["model_summary"][key], rel=1e-6), key


# ---------------------------------------------------------------- salesim-fit

SUMMARY_KEYS = {
    "history",
    "first_period",
    "last_period",
    "reps",
    "attainment_median",
    "attainment_p10",
    "attainment_p90",
    "share_at_quota",
    "top20_revenue_share",
    "turnover_total",
    "turnover_voluntary",
    "turnover_total_tenure_lt1y",
    "turnover_voluntary_low_tercile",
    "ramp_months_median",
    "sales_share_q4",
    "attainment_yoy_corr",
}


def test_salesim_fit_end_to_end_on_the_shipped_example(tmp_path):
    script = Path(sys.executable).with_name("salesim-fit")
    out = tmp_path / "fit"
    done = subprocess.run(
        [str(script), str(EXAMPLE), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads((out / "history_summary.json").read_text(encoding="utf-8"))
    assert SUMMARY_KEYS <= set(saved) and saved["history"] == str(EXAMPLE)
    assert saved == {k: v for k, v in saved.items() if v is None or v == v}  # NaN as null
    assert "attainment of a full year" in done.stdout
    assert "--fit --name NAME fits the organisation" in done.stdout


def test_salesim_fit_json_prints_what_it_saves(tmp_path, capsys):
    fit_main([str(EXAMPLE), "--out", str(tmp_path), "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / "history_summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, where",
    [
        (f"{HEADER}\n{GOOD_ROW}\nB,t1,2024Q1,-100,50\n", "row 3, column 'quota': -100"),
        ("", "row 1: the file is empty"),
        (f"{HEADER}\n{GOOD_ROW}\nA,t1,2024Q1,100,5\n", "row 3, columns 'rep_id' and 'period'"),
    ],
)
def test_salesim_fit_refuses_a_bad_file_in_one_line_and_writes_nothing(
    tmp_path, capsys, text, where
):
    path = write(tmp_path, text)
    out = tmp_path / "fit"
    with pytest.raises(SystemExit) as caught:
        fit_main([str(path), "--out", str(out)])
    assert caught.value.code == 2
    printed, err = capsys.readouterr()
    assert printed == "" and err.count("\n") == 1
    assert err.startswith(f"salesim-fit: error: {path}, {where}")
    assert not out.exists()


def test_salesim_fit_help_names_the_fit_and_its_outputs(capsys):
    with pytest.raises(SystemExit):
        fit_main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--fit" in text and "org/NAME.yaml" in text and "fit_report.md" in text
