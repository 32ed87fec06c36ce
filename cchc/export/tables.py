"""Any table the app shows, as a CSV or an XLSX file (issue 16 item 7), with every text cell made
inert for spreadsheets (CSV/formula injection).

    data = to_csv(df)                                  # bytes: UTF-8 with BOM, ';'-separated
    data = to_xlsx(df, ["Xếp hạng …", "Xã Quốc Tuấn — Năm 2023", "Dữ liệu đến 30/11/2026"])

``df`` is what the page shows (a polars DataFrame, or a dict of columns as st.dataframe takes): the
files hold the same rows and columns, numbers as numbers where the shown column is numeric and the
shown (Vietnamese-formatted) strings where it holds strings.

Decisions:

* **Separator ';' and decimal comma in the CSV.** The tables hold numbers written the Vietnamese
  way ("3.262", "99,97 %", dates dd/mm/yyyy). Those only read back as numbers in Excel set to the
  vi-VN locale, whose list separator is ';' and decimal separator ','. So the CSV is written for that
  one locale throughout: ';' between cells and ',' before decimals of numeric columns. Under another
  locale Excel puts a whole line into column A: a visible failure, where a ','-separated file
  would open and silently read "3.262" as three point two six two. The XLSX (the second button) is
  locale-independent and is the file for Excel; tools read the CSV with
  ``pandas.read_csv(sep=";", decimal=",")`` or ``polars.read_csv(separator=";", decimal_comma=True)``.
  The UTF-8 BOM makes Excel read the Vietnamese letters as UTF-8.
* **Injection (OWASP "CSV Injection").** One function, ``neutralise``, on every text cell and on the
  column names and title lines of both files: text starting with = + - @, a tab or a carriage
  return gets a leading apostrophe, so no spreadsheet evaluates it ("=HYPERLINK(…)" stays text).
  Numeric columns are never text: a negative number is written as a bare number ("-5", "-2,5"
  in the CSV; a numeric cell in the XLSX), which Excel reads as a number, never as a formula. The
  Vietnamese formats write a negative value with the typographic minus "−", which is not a
  formula sign; a shown "+1,25 điểm %" does begin with '+' and is written "'+1,25 điểm %".
  The XLSX is also written with xlsxwriter's string-to-formula/URL/number conversions off, so a
  text cell is only ever a string cell.
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime, time
from typing import Any, Iterable, Mapping

import polars as pl
import xlsxwriter

SEPARATOR = ";"
# What a spreadsheet takes as the start of a formula (OWASP: = + - @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would take as a formula, prefixed with an apostrophe; anything else
    (other text, numbers, dates, None) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame(df: pl.DataFrame | Mapping[str, Iterable] | Any) -> pl.DataFrame:
    """The table as a polars DataFrame (st.dataframe also takes a dict of columns or pandas)."""
    if isinstance(df, pl.DataFrame):
        return df
    if isinstance(df, Mapping):
        return pl.DataFrame({str(k): list(v) for k, v in df.items()}, strict=False)
    return pl.from_pandas(df)


def _kept(dtype: pl.DataType) -> bool:
    """A column written as it is: numbers, dates and booleans (never read as a formula)."""
    return dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean


def _text_columns(df: pl.DataFrame) -> pl.DataFrame:
    """Every other column as neutralised text, the column names neutralised too."""
    out = df.with_columns(
        (pl.col(c) if dtype == pl.String else pl.col(c).map_elements(str, return_dtype=pl.String))
        .map_elements(neutralise, return_dtype=pl.String)
        for c, dtype in df.schema.items() if not _kept(dtype))
    return out.rename({c: neutralise(c) for c in out.columns})


def to_csv(df) -> bytes:
    """The table as CSV bytes: UTF-8 with BOM, ';' between cells, CRLF lines, ',' before decimals
    of numeric columns, dates dd/mm/yyyy, an empty cell for a missing value; text cells neutralised."""
    safe = _text_columns(frame(df))
    text = safe.write_csv(separator=SEPARATOR, line_terminator="\r\n", decimal_comma=True,
                          date_format=DATE_FORMAT, datetime_format=DATETIME_FORMAT, null_value="",
                          quote_style="necessary")
    return (BOM + text).encode("utf-8")


def _width(values: list, header: str) -> float:
    longest = max([len(header)] + [len(str(v)) for v in values if v is not None])
    return min(max(8, longest + 2), 60)


def to_xlsx(df, title_lines: Iterable[str] = (), sheet: str = "Bảng") -> bytes:
    """The table as an XLSX workbook: the title lines (unit, period, data date …) above it, a bold
    header row with a filter, frozen under the header; numeric columns as numbers (thousands
    grouped), dates as dates (dd/mm/yyyy), text cells neutralised and written as strings."""
    d = frame(df)
    safe = _text_columns(d)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "nan_inf_to_errors": False})
    ws = wb.add_worksheet(sheet[:31])
    title = wb.add_format({"bold": True, "font_size": 13})
    note = wb.add_format({"italic": True, "font_color": "#555555"})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#EEF2F7"})
    integer = wb.add_format({"num_format": "#,##0"})
    decimal = wb.add_format({"num_format": "#,##0.####"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    moment = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})

    row = 0
    lines = [str(t) for t in title_lines]
    for i, line in enumerate(lines):
        ws.write_string(row, 0, neutralise(line), title if i == 0 else note)
        row += 1
    if lines:
        row += 1  # a blank line between the titles and the table
    header_row = row
    for j, name in enumerate(safe.columns):
        ws.write_string(header_row, j, name, head)
    for j, (name, dtype) in enumerate(safe.schema.items()):
        values = safe.get_column(name).to_list()
        fmt_ = integer if dtype.is_integer() else decimal if dtype.is_numeric() else \
            moment if dtype == pl.Datetime or isinstance(dtype, pl.Datetime) else day if dtype == pl.Date else None
        for i, v in enumerate(values, start=header_row + 1):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                if isinstance(v, float) and not math.isfinite(v):
                    continue  # NaN / inf: no number to write (shown as empty)
                ws.write_number(i, j, v, fmt_)
            elif isinstance(v, (datetime, date)):
                ws.write_datetime(i, j, v if isinstance(v, datetime) else datetime.combine(v, time()), fmt_)
            else:
                ws.write_string(i, j, str(v))
        shown = [v if not isinstance(v, (datetime, date)) else "00/00/0000 00:00" for v in values]
        ws.set_column(j, j, _width(shown, name))
    if safe.width:
        ws.freeze_panes(header_row + 1, 0)
        ws.autofilter(header_row, 0, header_row + max(safe.height, 1), safe.width - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    wb.close()
    return buf.getvalue()
