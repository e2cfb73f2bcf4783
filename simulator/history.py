"""A sales organisation's own history: read and check a rep x quarter export, and summarise it.

The file is the shape a CRM or incentive-compensation system exports: a CSV
with a header row and one row per rep and quarter the rep held a seat.

Required columns: ``rep_id`` (text), ``team`` (text: a team or manager name),
``period`` (the quarter: a label like ``2024Q1``, or the ISO date of its first
day, ``2024-01-01``), ``quota`` (the row's quota, a number above 0: a row is a
quarter the rep held a quota) and ``credited_sales`` (a number, 0 or more: net
claw-backs into the quarter they reverse). Optional: ``hire_date`` and
``exit_date`` (ISO dates, ``2023-09-15``, or blank), ``exit_kind``
(``voluntary``, ``involuntary`` or blank), ``segment`` (text), ``deals_won``
(a whole number, 0 or more) and ``pay_total`` (a number, 0 or more). A rep's
dates and exit kind may sit on every row or on some (the export's choice) but
must agree where given. Column names are matched without case or surrounding
spaces; other columns are ignored; quarters may have gaps; a monthly history
must be summed to quarters first.

:func:`read_history` raises :class:`HistoryError`, one line naming the file,
the row (as a spreadsheet counts it: the header is row 1) and the column, for
the first problem in the file; :func:`summarise_history` returns the moments
the model's own tables give (:mod:`simulator.metrics`), by the same names
where the definitions agree.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("rep_id", "team", "period", "quota", "credited_sales")
OPTIONAL = ("hire_date", "exit_date", "exit_kind", "segment", "deals_won", "pay_total")
EXIT_KINDS = ("voluntary", "involuntary")
#: numeric columns: (smallest allowed value, whether the smallest is excluded, whole numbers)
NUMERIC = {
    "quota": (0.0, True, False),
    "credited_sales": (0.0, False, False),
    "deals_won": (0.0, False, True),
    "pay_total": (0.0, False, False),
}
#: what an out-of-range value is told, beyond the range
RANGE_HINTS = {
    "quota": " (a row is a quarter the rep held a quota; leave out quarters without one)",
    "credited_sales": " (net a claw-back into the quarter it reverses)",
}
#: a number as an export may format it, told to write plain digits
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
PLAIN = " (plain digits: no thousands separators, currency signs or units)"
NAMES = {"rep_id": "empty; expected the rep's id", "team": "empty; expected a team or manager"}
DATES = ("hire_date", "exit_date")
#: a rep's columns: one value per rep, given on any of its rows
REP_COLUMNS = ("hire_date", "exit_date", "exit_kind")
QUARTER_LABEL = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
QUARTER_START_MONTHS = (1, 4, 7, 10)
QUARTERS_PER_YEAR = 4
MONTHS_PER_QUARTER = 3
#: reporting: days in a year and in a month, for tenure and ramp in years and months
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
#: reporting: tenure bands of the turnover table, in years (the last is open)
TENURE_BANDS = {"lt1y": (0.0, 1.0), "1to2y": (1.0, 2.0), "2yplus": (2.0, np.inf)}
TERCILES = ("low", "mid", "high")
#: reporting: a new hire has ramped in the first quarter selling this share of the median
#: seasoned rep's sales that quarter; seasoned means at least this many years in seat
RAMP_SHARE = 0.8
SEASONED_YEARS = 1.0
#: reporting: fewest pairs of years for the year-on-year correlation
MIN_PAIRS = 3


class HistoryError(ValueError):
    """A history file that cannot be read or checked; the message is one line naming where."""


def schema_text() -> str:
    """The columns, for error messages and help: required, then optional."""
    return f"required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)}"


# ---------------------------------------------------------------- reading and checking


def read_history(path: Path | str) -> pd.DataFrame:
    """Read and check a history CSV.

    Returns:
        One row per rep and quarter, in file order: ``row`` (the file's row
        number), the required columns (``period`` as a label like ``2024Q1``),
        ``year``, ``quarter`` (1-4), ``period_index`` (``4 * year + quarter - 1``),
        ``attainment`` and the optional columns the file has (dates as
        datetimes, NaT when blank; ``exit_kind`` lower case, ``""`` when blank;
        blank numbers NaN).

    Raises:
        HistoryError: the file's first problem, in one line naming the file, the
            row and the column, and what is expected there.
    """
    path = Path(path)
    rows, header_row, header = _records(path)
    where = f"{path}, row {header_row}"
    columns = [name.strip().lower() for name in header]
    for i, name in enumerate(columns):
        if name in (*REQUIRED, *OPTIONAL) and name in columns[:i]:
            raise HistoryError(f"{where}, column {name!r}: repeated; each column once")
    for name in REQUIRED:
        if name not in columns:
            found = ", ".join(c for c in columns if c) or "none"
            hint = ""
            if len(columns) == 1 and any(sep in columns[0] for sep in ";\t|"):
                hint = "; the columns must be separated by commas"
            raise HistoryError(
                f"{where} (the header): missing column {name!r}; {schema_text()} "
                f"(found: {found}){hint}"
            )
    if not rows:
        raise HistoryError(
            f"{path}, row {header_row + 1}: no data rows after the header; "
            "expected one row per rep and quarter"
        )
    width = len(columns)
    for number, fields in rows:
        extra = [f for f in fields[width:] if f.strip()]
        if extra:
            raise HistoryError(
                f"{path}, row {number}: {len(fields)} fields where the header names {width}; "
                f"{extra[0].strip()!r} has no column"
            )
    keep = [c for c in (*REQUIRED, *OPTIONAL) if c in columns]
    text = pd.DataFrame(
        {
            c: [(f[columns.index(c)] if columns.index(c) < len(f) else "").strip() for _, f in rows]
            for c in keep
        }
    )
    numbers = np.array([n for n, _ in rows])
    out, problems = _parse_cells(text)
    if problems:
        index, column, message = min(problems, key=lambda p: (p[0], columns.index(p[1])))
        raise HistoryError(f"{path}, row {numbers[index]}, column {column!r}: {message}")
    out.insert(0, "row", numbers)
    _check_reps(out, path)
    out["attainment"] = out["credited_sales"] / out["quota"]
    order = ["row", *REQUIRED, "year", "quarter", "period_index", *OPTIONAL, "attainment"]
    return out[[c for c in order if c in out]]


def _records(path: Path) -> tuple[list[tuple[int, list[str]]], int, list[str]]:
    """The non-blank records with their row numbers, the header's row number, the header."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            records = list(csv.reader(file))
    except FileNotFoundError:
        raise HistoryError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise HistoryError(f"{path}: a folder, not a history file (CSV)") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        reason = " ".join(str(err).split())
        raise HistoryError(f"{path}: cannot read as a UTF-8 CSV file ({reason})") from None
    filled = [(i + 1, r) for i, r in enumerate(records) if "".join(r).strip()]
    if not filled:
        raise HistoryError(
            f"{path}, row 1: the file is empty; expected a header row naming the columns "
            f"({schema_text()}) and one row per rep and quarter"
        )
    (header_row, header), *rows = filled
    return rows, header_row, header


def _parse_cells(text: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Typed columns, and each column's first bad cell as (index, column, message)."""
    out = pd.DataFrame(index=text.index)
    problems: list[tuple[int, str, str]] = []

    def first(bad: np.ndarray, column: str, message) -> None:
        """Note the column's first bad cell, ``message(index, text)`` saying why."""
        if bad.any():
            i = int(np.argmax(bad))
            problems.append((i, column, message(i, text[column].iloc[i])))

    for column in ("rep_id", "team", "segment"):
        if column in text:
            out[column] = text[column]
    for column in ("rep_id", "team"):
        first((text[column] == "").to_numpy(), column, lambda i, v, c=column: NAMES[c])
    for column, (low, strict, whole) in NUMERIC.items():
        if column in text:
            out[column], why = _numbers(
                text[column], column in REQUIRED, low, strict, whole, RANGE_HINTS.get(column, "")
            )
            first(why != "", column, lambda i, v, why=why: why[i])
    year, quarter, bad_period = _periods(text["period"])
    first(bad_period, "period", lambda i, v: _period_message(v))
    out["period"] = [f"{y}Q{q}" for y, q in zip(year, quarter, strict=True)]
    out["year"], out["quarter"] = year, quarter
    out["period_index"] = QUARTERS_PER_YEAR * year + quarter - 1
    for column in DATES:
        if column in text:
            out[column] = pd.to_datetime(text[column], format="%Y-%m-%d", errors="coerce")
            first(
                ((text[column] != "") & out[column].isna()).to_numpy(),
                column,
                lambda i, v: f"{v!r} is not a date; expected an ISO date like 2023-09-15, or blank",
            )
    if "exit_kind" in text:
        out["exit_kind"] = text["exit_kind"].str.lower()
        first(
            (~out["exit_kind"].isin(("", *EXIT_KINDS))).to_numpy(),
            "exit_kind",
            lambda i, v: f"{v!r} is not an exit kind; expected {' or '.join(EXIT_KINDS)}, or blank",
        )
    return out, problems


def _numbers(
    text: pd.Series, required: bool, low: float, strict: bool, whole: bool, hint: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """A column's values (NaN when blank) and each cell's problem (``""`` when none)."""
    values = pd.to_numeric(text, errors="coerce").to_numpy(float)
    bound = f"above {low:g}" if strict else f"{low:g} or more"
    kind = "a whole number" if whole else "a number"
    expected = f"expected {kind} {bound}" + ("" if required else ", or blank")
    blank = (text == "").to_numpy()
    message = np.full(values.size, "", dtype=object)
    not_number = ~blank & ~np.isfinite(values)
    message[not_number] = [
        f"{v!r} is not a number; {expected}{PLAIN if not PLAIN_NUMBER.match(v) else ''}"
        for v in text[not_number]
    ]
    if required:
        message[blank] = f"empty; {expected}"
    finite = np.isfinite(values)
    low_bad = finite & ((values <= low) if strict else (values < low))
    if whole:
        low_bad |= finite & (values != np.round(values))
    message[low_bad] = [f"{v} is out of range; {expected}{hint}" for v in text[low_bad]]
    return values, message


def _periods(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year and quarter of each period cell (0 where bad), and which cells are bad."""
    year = np.zeros(len(text), dtype=int)
    quarter = np.zeros(len(text), dtype=int)
    labels = text.str.extract(QUARTER_LABEL)
    is_label = labels[0].notna().to_numpy()
    year[is_label] = labels[0][is_label].astype(int)
    quarter[is_label] = labels[1][is_label].astype(int)
    dates = pd.to_datetime(text.where(text.str.match(ISO_DATE)), format="%Y-%m-%d", errors="coerce")
    starts = (dates.dt.day == 1) & dates.dt.month.isin(QUARTER_START_MONTHS)
    is_start = (starts & ~is_label).to_numpy()
    year[is_start] = dates.dt.year[is_start]
    quarter[is_start] = (dates.dt.month[is_start] - 1) // MONTHS_PER_QUARTER + 1
    return year, quarter, ~(is_label | is_start)


def _period_message(value: str) -> str:
    """Why a period cell is not a quarter."""
    expected = "expected a quarter like 2024Q1 or the ISO date of its first day like 2024-01-01"
    if not value:
        return f"empty; {expected}"
    date = pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
    if ISO_DATE.match(value) and not pd.isna(date):
        return (
            f"{value!r} is not the first day of a quarter; {expected} (-04-01, -07-01, "
            "-10-01); sum a monthly history to quarters first"
        )
    return f"{value!r} is not a quarter; {expected}"


def _check_reps(out: pd.DataFrame, path: Path) -> None:
    """One row per rep and quarter; a rep's dates agree and bracket its rows."""
    dup = out.duplicated(["rep_id", "period_index"], keep="first").to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        rep, index = out["rep_id"].iloc[i], out["period_index"].iloc[i]
        first = out["row"][(out["rep_id"] == rep) & (out["period_index"] == index)].iloc[0]
        raise HistoryError(
            f"{path}, row {out['row'].iloc[i]}, columns 'rep_id' and 'period': rep {rep!r} "
            f"has a second row for {out['period'].iloc[i]} (the first is row {first}); "
            "one row per rep and quarter"
        )
    for column in REP_COLUMNS:
        if column not in out:
            continue
        given = out[column].notna() if column in DATES else out[column] != ""
        firsts = out[given].groupby("rep_id")[[column, "row"]].transform("first")
        differs = (out.loc[given, column] != firsts[column]).to_numpy()
        if differs.any():
            i = int(np.argmax(differs))
            row, value = out.loc[given, "row"].iloc[i], out.loc[given, column].iloc[i]
            rep, other = out.loc[given, "rep_id"].iloc[i], firsts.iloc[i]
            raise HistoryError(
                f"{path}, row {row}, column {column!r}: {_text(value)} differs from "
                f"{_text(other[column])} on row {other['row']} for rep {rep!r}; a rep's "
                f"{column} is the same on every row that gives it"
            )
    starts = quarter_start(out["period_index"])
    ends = quarter_start(out["period_index"] + 1)
    hire = _rep_value(out, "hire_date")
    exit_ = _rep_value(out, "exit_date")
    checks = (
        ("exit_date", exit_ < hire, lambda i: f"before the rep's hire_date {_text(hire[i])}"),
        ("period", ends <= hire, lambda i: f"ends before the rep's hire_date {_text(hire[i])}"),
        ("period", starts > exit_, lambda i: f"starts after the rep's exit_date {_text(exit_[i])}"),
    )
    for column, bad, why in checks:
        bad = np.asarray(bad)
        if bad.any():
            i = int(np.argmax(bad))
            value = out["period"].iloc[i] if column == "period" else _text(exit_[i])
            raise HistoryError(
                f"{path}, row {out['row'].iloc[i]}, column {column!r}: {value} {why(i)}; "
                "a rep's rows run from the quarter of hire to the quarter of exit"
            )


def _text(value: object) -> str:
    """A cell's value as the file would show it."""
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _rep_value(out: pd.DataFrame, column: str) -> pd.Series:
    """Each row's rep's value of a rep column (given on any of its rows; NaT when none)."""
    if column not in out:
        return pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    return out.groupby("rep_id")[column].transform("first")


def quarter_start(period_index: pd.Series | np.ndarray) -> pd.Series:
    """The first day of each quarter given as ``4 * year + quarter - 1``."""
    index = np.asarray(period_index, dtype=int)
    year, q = np.divmod(index, QUARTERS_PER_YEAR)
    return pd.Series(
        pd.to_datetime({"year": year, "month": MONTHS_PER_QUARTER * q + 1, "day": 1}).to_numpy()
    )
