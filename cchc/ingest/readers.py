"""Readers of a unit's own exports: a file in, a clean table of the product's columns out, with
row-level messages in Vietnamese. Nothing here writes to the data folder: the loader (upsert, undo,
the import page and the CLI, issue 15) builds on ``read_file`` / ``read_bytes``.

    res = read_file(Path("so-theo-doi-ho-so.xlsx"))                # kind detected from the headers
    res = read_file(p, "dossiers", sheet="Sổ", mapping={"Cột X": "received_at"}, )
    res.kind, res.frame, res.matches, res.unmatched, res.issues
    res.ok                 # no file issue: rows can be loaded
    res.valid()            # the rows without a row issue (product columns, product types)
    res.rejected()         # the rejected rows as the file wrote them, with the reason ("Lý do")

What is read
------------
* **CSV**: UTF-8 with or without BOM, UTF-16 LE/BE with BOM (or without, told by its zero bytes),
  else Windows-1258 when the bytes show Vietnamese written the Windows way (a vowel followed by a
  combining tone mark, or đ/Đ), else cp1252; NFC afterwards (Windows-1258 writes tones as combining
  marks). Delimiter comma, semicolon or tab: the one whose parse of the first rows finds the most
  known headers (then the most regular field count). Read as a stream (csv module), CHUNK_ROWS rows
  at a time; a column of text cells is parsed with polars where the answer is plain and each
  distinct other cell once in Python (a 1 M-row, 12-column dossier CSV, 161 MB: ≈ 14 s and ≈ 300 MB
  above the file's bytes on the development machine, 12/2026).
* **XLSX** (openpyxl, read-only, formulas read as written and never evaluated nor taken from the
  cache, as cchc.ingest.results does): the first sheet, or the one named (case/accent-insensitive).
* **JSON**: a list of records, or an object holding one list of records (several lists: the one
  under "data", "items", "records", "result" or "hoSo", else a message). Row numbers are record
  numbers ("bản ghi số n").
* Files over MAX_FILE_BYTES, empty files, old .xls workbooks, zip bombs and JSON nested deeper than
  MAX_JSON_DEPTH are refused with a file issue.

Headers
-------
A header matches a product column when ``normalise`` of both are equal (NFD, combining marks
dropped, đ→d, lower case, only [a-z0-9] kept), against the aliases of cchc/ingest/aliases.toml (plus
each column's own name and its Vietnamese term in cchc/schema.py); failing that, with a trailing
"(…)" removed ("Ngày nhận hồ sơ (dd/mm/yyyy)"). A manual mapping {file header: column} is applied
first (its headers are matched the same way; a target of "" or None ignores the header). Title rows
above the header are skipped: the header row is the first of the first HEADER_SCAN_ROWS rows with at
least MIN_HEADER_MATCHES recognised cells. A second header row under it (the tracking book's
"Ngày, tháng, năm" over "Nhận hồ sơ | Hẹn trả kết quả | Trả kết quả") fills the cells the first one
leaves unrecognised, and a row of column numbers (1, 2, 3 … as printed in the forms) is skipped.
The kind, when not given, is the one whose required columns all match (the most matched columns if
several; a tie is a file issue asking for --kind).

Values
------
Dates: dd/mm/yyyy or d/m/yyyy (also with - or .), optionally followed by hh:mm[:ss]; hh:mm[:ss]
before the date; ISO yyyy-mm-dd[ T]hh:mm[:ss][.fff][Z|±hh:mm] (an offset is converted to Vietnam
time, UTC+7, and dropped: the product's timestamps are Vietnam wall-clock time); yyyymmdd and
yyyymmddhhmmss; Excel serial numbers, from numeric cells and from numeric text, only within
YEARS; datetime cells. The day always comes first: 05/03/2023 is 5 March. Dates outside YEARS are
refused. Times are kept to the second.
Numbers: plain or Vietnamese ("1.234,5"; "2.000" is two thousand; cchc.ingest.facts_entry
.parse_number), an "đ", "đồng" or "VNĐ" suffix allowed. Booleans: Có/Không, x, ✓, 1/0, true/false,
yes/no, đúng/sai (empty: unknown). Coded columns (dossiers' channel and status, ratings' level and
channel, feedback's kind, channel and outcome, finances' item, index results' period kind and level)
take the code itself, its label in cchc/schema.py and the words of aliases.toml, accent-insensitive;
an empty channel of a dossier is "truc_tiep" (the portal: KenhThucHien 1 or null). A cell holding
only dashes ("-", "–") is empty. Text is NFC with control characters dropped and spaces collapsed;
a text cell beginning like a spreadsheet formula (= + - @) is refused (cchc.ingest.results' rule).

Decisions where the issue is silent
-----------------------------------
* "Ngày trả kết quả" / "Trả kết quả" (the tracking book's column 9) is ``returned_at``; when the
  file has no ``finished_at`` column, ``finished_at`` is taken from it (how = "copy"): the tracking
  book records the hand-over only, and the result was ready by then.
* The procedure's name (Tên TTHC) is read as the extra column ``procedure_name`` (not in the
  dossiers table): the tracking book has no procedure code, and the loader adds unknown procedures
  from the name and field. Dossiers need the code or the name.
* Ratings need dossier_id, rated_at and level (rating_id may be absent: the loader derives one).
* Partition columns (year, province_code of dossiers and ratings) are not read: the loader derives
  them. Unit codes are read as text as written (a numeric xlsx cell loses leading zeros; the loader
  checks codes against the units table). The portal's "MaCoQuan" (mã định danh) is not a GSO code
  and is not an alias of unit_code: map it by hand if the loader learns to translate it.
* Issues have three severities: "file" (the file cannot be read: nothing loads), "row" (the row is
  rejected) and "warning" (nothing rejected: a second header for an already matched column, a
  manual mapping whose header is not in the file). Unparseable cells are null in ``frame``; their
  text is in the issue.
* Rows whose recognised cells are all empty (blank lines) are skipped without a message. A row
  whose first cell begins with a footer word of aliases.toml ("Tổng cộng", "Người lập biểu" …) ends
  the table: it and the rows after it are not read (a warning says where).
* Within a file a header matches at most one column and a column takes the first header that
  matches it; a later one is listed as unmatched with a warning.

The cross-row checks (``check_rows``: duplicate keys in the file, finished or due before received,
negative amounts, levels and months out of range) are a separate function the loader calls.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from .. import fmt, schema

ALIASES_TOML = Path(__file__).with_name("aliases.toml")

MAX_FILE_BYTES = 200 * 1024 * 1024             # a 1 M-dossier CSV is ~150 MB
MAX_XLSX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
MAX_JSON_DEPTH = 32
MAX_COLUMNS = 200                               # cells further right are not read
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 2
CHUNK_ROWS = 100_000
YEARS = (2000, 2100)                            # a date outside is a typo
TEXT_MAX = 1000
EXCEL_EPOCH = datetime(1899, 12, 30)            # Excel's 1900 date system, as serials ≥ 61 count
VN_TIME = timezone(timedelta(hours=7))
ROW, FILE, WARNING = "row", "file", "warning"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REASON = "Lý do"
ROW_LABEL = "Dòng"


class ReadError(ValueError):
    """A file that cannot be read at all (message in Vietnamese); read_* turn it into a file issue."""


# --- helpers shared with cchc.ingest.results ------------------------------------------------------

def cell_text(v: Any) -> str:
    """A cell as text: None -> '', 12.0 -> '12', stripped."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def shown(v: Any, limit: int = 40) -> str:
    """A cell as quoted in a message: control characters made visible, cut to ``limit`` characters."""
    s = "".join(repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in str(v))
    return s if len(s) <= limit else s[:limit] + "…"


def text_problem(v: Any, max_len: int = 300) -> str | None:
    """Why a cell of a text column is refused, or None. Numbers (an xlsx number cell, a JSON number)
    are not text and pass: only text can be a formula."""
    if v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
        return None
    if not isinstance(v, str):
        return f"không phải một giá trị văn bản ({'danh sách' if isinstance(v, list) else 'đối tượng' if isinstance(v, dict) else shown(v)})"
    if v[:1] in FORMULA_START or v.strip()[:1] in FORMULA_START:
        first = v[:1] if v[:1] in FORMULA_START else v.strip()[:1]
        return (f"\"{shown(v)}\" bắt đầu bằng \"{shown(first)}\" như một công thức bảng tính: không nhận (ô văn bản "
                "không được bắt đầu bằng = + - @, dấu tab hay xuống dòng)")
    if any(unicodedata.category(ch) == "Cc" for ch in v):
        return f"\"{shown(v)}\" chứa ký tự điều khiển"
    if len(v) > max_len:
        return f"dài {len(v)} ký tự (tối đa {max_len})"
    return None


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth(text: str, limit: int) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped), counted up to limit + 1."""
    depth = top = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > top:
                top = depth
                if top > limit:
                    break
        elif c in "]}":
            depth -= 1
    return top


def mb(n: int) -> str:
    return f"{fmt.number(n / 1024 / 1024, 1)} MB"


def check_xlsx_container(source: Any, name: str, error: type[Exception] = ReadError,
                         max_members: int = MAX_XLSX_MEMBERS, max_unpacked: int = MAX_XLSX_UNPACKED_BYTES) -> None:
    """Refuse what is not a workbook, or would unpack to too much, before openpyxl reads it (``source``:
    a path or a binary file object). The sizes are those the ZIP declares; Python's zipfile never
    unpacks a member beyond its declared size."""
    not_xlsx = f"Không mở được tệp {name} như một tệp Excel (.xlsx)"
    try:
        with zipfile.ZipFile(source) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise error(f"{not_xlsx}: tệp bị cắt cụt, bị hỏng hoặc không phải tệp .xlsx.") from None
    if len(infos) > max_members:
        raise error(f"{not_xlsx}: tệp nén có {fmt.number(len(infos))} thành phần (tối đa {fmt.number(max_members)}).")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked:
        raise error(f"{not_xlsx}: khi giải nén tệp lớn tới {mb(unpacked)} (tối đa {mb(max_unpacked)}), có thể là một "
                    "\"bom nén\" (zip bomb): không đọc.")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise error(f"{not_xlsx}: đây là một tệp nén nhưng không phải bảng tính Excel (thiếu xl/workbook.xml).")


# --- normalisation ----------------------------------------------------------------------------------

_KEEP = re.compile(r"[^a-z0-9]+")
_PARENS = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def normalise(text: Any) -> str:
    """A header or a word as compared: NFD, combining marks dropped, đ→d, lower case, only [a-z0-9]."""
    s = unicodedata.normalize("NFD", cell_text(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
    return _KEEP.sub("", s.lower())


def clean(v: Any) -> str:
    """Text as stored: NFC, control and format characters dropped, spaces collapsed (facts_entry.clean_text)."""
    from .facts_entry import clean_text
    return clean_text(cell_text(v))


_DASHES = frozenset("-–—")
_EDGE = frozenset(" \t\r\n\u00a0-–—")


def _is_empty(v: Any) -> bool:
    """None, blank text, or text of dashes only ("-", "–": how exports often write "nothing")."""
    if v is None:
        return True
    if isinstance(v, str):
        if not v:
            return True
        if v[0] not in _EDGE and v[-1] not in _EDGE:
            return False
        s = v.strip()
        return s == "" or set(s) <= _DASHES
    return False


# --- kinds and aliases --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSpec:
    name: str
    vi: str
    type: pa.DataType
    extra: bool = False          # not a column of the table (read for the loader)


@dataclass(frozen=True)
class Kind:
    name: str                               # dossiers, ratings, ...
    table: schema.Table
    required: tuple[tuple[str, ...], ...]   # each: one of these columns
    columns: dict[str, ColumnSpec]
    aliases: dict[str, tuple[str, ...]]     # column -> names a file may give it (as written)
    index: dict[str, str]                   # normalised name -> column
    values: dict[str, dict[str, Any]]       # column -> normalised word -> product value
    labels: dict[str, dict[Any, str]]       # column -> product value -> label (for messages)
    bool_true: dict[str, frozenset[str]]    # bool column -> extra words meaning true

    @property
    def vi(self) -> str:
        return self.table.vi

    def required_columns(self) -> set[str]:
        return {c for group in self.required for c in group}

    def column_label(self, col: str) -> str:
        return f"{self.columns[col].vi} ({col})"


_SCHEMA_VOCABS = {
    ("dossiers", "channel"): schema.CHANNELS, ("dossiers", "status"): schema.STATUSES,
    ("ratings", "level"): schema.RATING_LEVELS, ("feedback", "kind"): schema.FEEDBACK_KINDS,
    ("feedback", "channel"): schema.FEEDBACK_CHANNELS, ("feedback", "outcome"): schema.FEEDBACK_OUTCOMES,
    ("finances", "item"): schema.FINANCE_ITEMS,
}
_INT_TYPES = {pa.int16(): (-(2 ** 15), 2 ** 15 - 1), pa.int32(): (-(2 ** 31), 2 ** 31 - 1),
              pa.int64(): (-(2 ** 63), 2 ** 63 - 1)}


@lru_cache(maxsize=1)
def _config() -> tuple[dict[str, Kind], frozenset[str], tuple[str, ...]]:
    with ALIASES_TOML.open("rb") as f:
        cfg = tomllib.load(f)
    ignore = frozenset(normalise(h) for h in cfg.get("ignore", {}).get("headers", []))
    footer = tuple(normalise(h) for h in cfg.get("footer", {}).get("starts", []))
    kinds: dict[str, Kind] = {}
    for name, k in cfg.items():
        if name in ("ignore", "footer"):
            continue
        table = schema.TABLES[k["table"]]
        cols: dict[str, ColumnSpec] = {}
        aliases: dict[str, tuple[str, ...]] = {}
        for c in table.columns:
            if c.name in table.partition_by:
                continue
            cols[c.name] = ColumnSpec(c.name, c.vi, c.type)
            aliases[c.name] = (*k.get("columns", {}).get(c.name, []), c.vi, c.name)
        for c, names in k.get("extra", {}).items():
            cols[c] = ColumnSpec(c, names[0], pa.string(), extra=True)
            aliases[c] = (*names, c)
        unknown = set(k.get("columns", {})) - set(cols)
        if unknown:
            raise ValueError(f"aliases.toml [{name}.columns]: {sorted(unknown)} are not columns of {table.name}")
        index: dict[str, str] = {}
        for c, names in aliases.items():
            for n in names:
                key = normalise(n)
                if index.get(key, c) != c:
                    raise ValueError(f"aliases.toml [{name}]: '{n}' names both {index[key]} and {c}")
                index[key] = c
        values: dict[str, dict[str, Any]] = {}
        labels: dict[str, dict[Any, str]] = {}
        bool_true: dict[str, frozenset[str]] = {}
        for c, words in k.get("values", {}).items():
            if cols[c].type == pa.bool_():
                bool_true[c] = frozenset(normalise(w) for w in words.get("true", []))
        vocab_cols = {c for (kn, c) in _SCHEMA_VOCABS if kn == name} | {
            c for c in k.get("values", {}) if cols[c].type != pa.bool_()}
        for c in vocab_cols:
            is_int = pa.types.is_integer(cols[c].type)
            conv = (lambda v: int(v)) if is_int else (lambda v: v)
            lab = {conv(code): str(label) for code, label in _SCHEMA_VOCABS.get((name, c), {}).items()}
            extra = {conv(code): ws for code, ws in k.get("values", {}).get(c, {}).items()}
            for code in extra:
                lab.setdefault(code, next((w for w in extra[code] if w), str(code)))
            words: dict[str, Any] = {}
            for code in lab:
                for w in (str(code), lab[code], *extra.get(code, [])):
                    key = normalise(w) if w != "" else ""
                    if words.get(key, code) != code:
                        raise ValueError(f"aliases.toml [{name}.values.{c}]: '{w}' means both {words[key]} and {code}")
                    words[key] = code
            values[c], labels[c] = words, lab
        req = tuple(tuple(g) for g in k["required"])
        kinds[name] = Kind(name, table, req, cols, aliases, index, values, labels, bool_true)
    return kinds, ignore, footer


def kinds() -> dict[str, Kind]:
    """The kinds of file a unit loads (dossiers, ratings, feedback, finances, facts, results)."""
    return _config()[0]


def match_header(header: str, kind: str) -> str | None:
    """The product column a file header names for a kind (alias match), or None."""
    k = kinds()[kind]
    key = normalise(header)
    col = k.index.get(key)
    if col is None:
        stripped = normalise(_PARENS.sub("", cell_text(header)))
        col = k.index.get(stripped) if stripped else None
    return col


# --- values ---------------------------------------------------------------------------------------------

def _serial_of(d: datetime) -> float:
    delta = d - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


SERIAL_MIN = _serial_of(datetime(YEARS[0], 1, 1))
SERIAL_MAX = _serial_of(datetime(YEARS[1] + 1, 1, 1))
_DATE_HELP = "cần dạng dd/mm/yyyy, dd/mm/yyyy hh:mm, yyyy-mm-dd hoặc số ngày kiểu Excel"


def excel_serial(d: date | datetime) -> float:
    """The Excel serial number (1900 date system) of a date or a date and time."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    return _serial_of(d)


def from_excel_serial(x: float) -> datetime:
    """The date and time of an Excel serial number, to the second; ValueError outside YEARS."""
    if not SERIAL_MIN <= x < SERIAL_MAX:
        raise ValueError(f"số {shown(cell_text(x))} không phải một ngày kiểu Excel trong các năm {YEARS[0]}–{YEARS[1]}")
    return EXCEL_EPOCH + timedelta(seconds=round(x * 86400))


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:(?:\s+|\s*[T,]\s*|\s*-\s*)(\d{1,2})[:hg](\d{2})(?:[:p](\d{2}))?)?")
_TIME_DMY = re.compile(r"(\d{1,2})[:hg](\d{2})(?::(\d{2}))?(?:\s+|\s*,\s*|\s*ngày\s*)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?",
                  re.IGNORECASE)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?")
_SERIAL_TEXT = re.compile(r"\d{5}(?:[.,]\d+)?")


def _make(y: str, mo: str, d: str, h: str | None = None, mi: str | None = None, s: str | None = None) -> datetime:
    try:
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        raise ValueError(f"không có ngày giờ này (ngày {d}, tháng {mo}, năm {y}"
                         + (f", {h}:{mi}" if h is not None else "") + ")") from None
    return dt


def _in_years(dt: datetime) -> datetime:
    if not YEARS[0] <= dt.year <= YEARS[1]:
        raise ValueError(f"năm {dt.year} nằm ngoài {YEARS[0]}–{YEARS[1]}")
    return dt


def parse_datetime(v: Any) -> datetime:
    """A date or a date and time as a unit's file writes it (see the module's docstring), to the
    second, in Vietnam time. Raises ValueError with the reason in Vietnamese."""
    if isinstance(v, bool):
        raise ValueError(f"không đọc được ngày giờ ({_DATE_HELP})")
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(VN_TIME).replace(tzinfo=None)
        return _in_years(v.replace(microsecond=0) + timedelta(seconds=round(v.microsecond / 1e6)))
    if isinstance(v, date):
        return _in_years(datetime(v.year, v.month, v.day))
    if isinstance(v, (int, float)):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError(f"không đọc được ngày giờ ({_DATE_HELP})")
        return from_excel_serial(float(v))
    s = " ".join(str(v).split())
    m = _DMY.fullmatch(s)
    if m:
        d, mo, y, h, mi, sec = m.groups()
        return _in_years(_make(y, mo, d, h, mi, sec))
    m = _TIME_DMY.fullmatch(s)
    if m:
        h, mi, sec, d, mo, y = m.groups()
        return _in_years(_make(y, mo, d, h, mi, sec))
    m = _ISO.fullmatch(s)
    if m:
        y, mo, d, h, mi, sec, tz = m.groups()
        dt = _make(y, mo, d, h, mi, sec)
        if tz:
            if tz.upper() == "Z":
                off = timedelta(0)
            else:
                sign = -1 if tz[0] == "-" else 1
                digits = tz[1:].replace(":", "")
                off = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            dt = (dt.replace(tzinfo=timezone(off)).astimezone(VN_TIME)).replace(tzinfo=None)
        return _in_years(dt)
    m = _COMPACT.fullmatch(s)
    if m:
        return _in_years(_make(*m.groups()))
    if _SERIAL_TEXT.fullmatch(s):
        return from_excel_serial(float(s.replace(",", ".")))
    raise ValueError(f"không đọc được ngày giờ ({_DATE_HELP})")


_CURRENCY = re.compile(r"\s*(vnđ|vnd|đồng|đ)\s*$", re.IGNORECASE)


def parse_number(v: Any) -> float:
    """A number: plain or Vietnamese ("1.234,5", "2.000" = 2000), an "đ"/"đồng"/"VNĐ" suffix allowed.
    Raises ValueError."""
    from .facts_entry import parse_number as _pn
    if isinstance(v, str):
        v = _CURRENCY.sub("", unicodedata.normalize("NFC", v))
    try:
        return _pn(v)
    except (ValueError, OverflowError, TypeError):
        raise ValueError("không phải là số") from None


_TRUE = frozenset({"co", "x", "1", "true", "t", "yes", "y", "dung", "v", "ok", "da", "co1"})
_FALSE = frozenset({"khong", "0", "false", "f", "no", "n", "sai", "chua", "k", "ko"})
_TICKS = frozenset("✓✔☑✗✘")


def parse_bool(v: Any, extra_true: Iterable[str] = ()) -> bool | None:
    """Có/Không, x, ✓, 1/0, true/false, yes/no, đúng/sai; None for an empty cell. Raises ValueError."""
    if isinstance(v, bool):
        return v
    if _is_empty(v):
        return None
    if isinstance(v, (int, float)):
        if v in (0, 1):
            return bool(v)
        if normalise(v) in set(extra_true):
            return True
        raise ValueError("không phải Có/Không")
    s = str(v).strip()
    if s in _TICKS:
        return s in "✓✔☑"
    key = normalise(s)
    if key in _TRUE or key in set(extra_true):
        return True
    if key in _FALSE:
        return False
    raise ValueError("không phải Có/Không (nhận: Có, Không, x, 1, 0, true, false)")


# --- issues and result ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    file: str
    reason: str                      # Vietnamese, without the location
    severity: str = ROW              # "file" | "row" | "warning"
    row: int | None = None           # as the user sees it (spreadsheet row / record number)
    column: str | None = None        # as named in the file
    value: str | None = None         # the cell as text
    sheet: str | None = None
    record: bool = False             # JSON: the row is a record number

    @property
    def message(self) -> str:
        if self.row is None and self.column is None and self.file in self.reason:
            return self.reason + "."
        where = [f"Tệp {self.file}"]
        if self.sheet:
            where.append(f"trang \"{self.sheet}\"")
        if self.row is not None:
            where.append(f"bản ghi số {self.row}" if self.record else f"dòng {self.row}")
        if self.column is not None:
            where.append(f"{'trường' if self.record else 'cột'} \"{self.column}\"")
        val = f"\"{shown(self.value)}\": " if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {val}{self.reason}."


@dataclass(frozen=True)
class Match:
    header: str          # as written in the file ("" for a copied column)
    column: str          # product column
    how: str             # "alias" | "manual" | "copy" (finished_at from returned_at)


@dataclass
class ReadResult:
    file: str
    kind: str | None = None
    format: str | None = None                    # csv | xlsx | json
    frame: pl.DataFrame = field(default_factory=pl.DataFrame)
    rows: list[int] = field(default_factory=list)   # the file row of each frame row
    matches: list[Match] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def ok(self) -> bool:
        """No file issue: the file was read (its rows may still have issues)."""
        return not any(i.severity == FILE for i in self.issues)

    @property
    def mapping(self) -> dict[str, str]:
        """File header -> product column (the copied finished_at not included)."""
        return {m.header: m.column for m in self.matches if m.how != "copy"}

    def rejected_rows(self) -> set[int]:
        return {i.row for i in self.issues if i.severity == ROW and i.row is not None}

    def messages(self, severities: Iterable[str] = (FILE, ROW, WARNING)) -> list[str]:
        sev = set(severities)
        return [i.message for i in self.issues if i.severity in sev]

    def valid(self) -> pl.DataFrame:
        """The rows without a row issue (all rows' columns in the product's names and types)."""
        if not self.ok:
            return self.frame.clear()
        bad = self.rejected_rows()
        if not bad:
            return self.frame
        return self.frame.filter(~pl.Series(self.rows).is_in(list(bad)))

    def rejected(self) -> pl.DataFrame:
        """The rejected rows, one per file row, in the file's headers as text (a bad cell as the file
        wrote it), with the row number ("Dòng") and the reasons ("Lý do"), to give back to the user."""
        bad = self.rejected_rows()
        by_row: dict[int, list[Issue]] = {}
        for i in self.issues:
            if i.severity == ROW and i.row is not None:
                by_row.setdefault(i.row, []).append(i)
        headers = [m for m in self.matches if m.how != "copy"]
        cols = [ROW_LABEL, *(m.header for m in headers), REASON]
        if not bad:
            return pl.DataFrame(schema={c: pl.Utf8 for c in cols})
        pos = {r: k for k, r in enumerate(self.rows)}
        labels = kinds()[self.kind].labels if self.kind in kinds() else {}
        order = sorted(bad)
        in_frame = [pos[r] for r in order if r in pos]
        values = dict(zip((r for r in order if r in pos), self.frame[in_frame].to_dicts())) if in_frame else {}
        out = []
        for r in order:
            rec = {ROW_LABEL: str(r)}
            got = values.get(r, {})
            for m in headers:
                v = got.get(m.column)
                rec[m.header] = labels[m.column].get(v, _as_text(v)) if m.column in labels and v is not None else _as_text(v)
            for i in by_row[r]:
                if i.column is not None and i.column in rec and i.value is not None:
                    rec[i.column] = i.value
            rec[REASON] = "; ".join(f"{i.column}: {i.reason}" if i.column else i.reason for i in by_row[r])
            out.append(rec)
        return pl.DataFrame(out, schema={c: pl.Utf8 for c in cols}, orient="row")


def _as_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%d/%m/%Y %H:%M:%S") if (v.hour, v.minute, v.second) != (0, 0, 0) else v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "Có" if v else "Không"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v).replace(".", ",")
    return str(v)


# --- decoding CSV ----------------------------------------------------------------------------------------

_CP1258_SIGNS = re.compile(rb"[AEIOUYaeiouy\xc2\xc3\xca\xd4\xd5\xdd\xe2\xe3\xea\xf4\xf5\xfd][\xcc\xec\xd2\xde\xf2]|[\xd0\xf0]")


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes: utf-8-sig, utf-16 (with its BOM; utf-16-le/-be without one),
    utf-8, cp1258 or cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    head = data[:4096]
    if head.count(0) > len(head) // 4:        # UTF-16 saved without its BOM: every other byte of ASCII is 0
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        step = 1 << 20
        for i in range(0, len(data), step):
            dec.decode(data[i:i + step], final=i + step >= len(data))
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return "cp1258" if _CP1258_SIGNS.search(data) else "cp1252"


_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "dấu tab"}


def _sniff(prefix: str, kind: str | None, manual: set[str]) -> str:
    """The delimiter whose parse of the first rows finds the most recognised headers, then the most
    regular field count (most rows sharing one count above 1), then the most fields."""
    lines = prefix.splitlines()[:HEADER_SCAN_ROWS + 5]
    best, best_score = ",", (-1, -1, -1)
    for d in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=d))
        except csv.Error:
            continue
        known = max((_recognised(r, kind, manual) for r in rows[:HEADER_SCAN_ROWS]), default=0)
        counts: dict[int, int] = {}
        for r in rows:
            if len(r) > 1:
                counts[len(r)] = counts.get(len(r), 0) + 1
        regular = max(counts.values(), default=0)
        width = max(counts, key=lambda n: (counts[n], n), default=0)
        score = (known, regular, width)
        if score > best_score:
            best, best_score = d, score
    return best


# --- header ------------------------------------------------------------------------------------------

def _candidate_kinds(kind: str | None) -> list[Kind]:
    ks = kinds()
    return [ks[kind]] if kind in ks else list(ks.values())


def _cell_known(cell: Any, kind: str | None, manual: set[str], with_ignore: bool = True) -> bool:
    key = normalise(cell)
    if not key:
        return False
    if key in manual or with_ignore and key in _config()[1]:
        return True
    return any(match_header(cell, k.name) for k in _candidate_kinds(kind))


def _recognised(row: Iterable[Any], kind: str | None, manual: set[str]) -> int:
    return sum(1 for c in row if isinstance(c, str) and _cell_known(c, kind, manual))


def _numbering_row(row: list[Any]) -> bool:
    """A row of column numbers as the forms print under their header: 1, 2, 3 … (or (1), (2) …)."""
    nums = []
    for c in row:
        if _is_empty(c):
            continue
        t = cell_text(c).strip("()")
        if not t.isdigit():
            return False
        nums.append(int(t))
    return len(nums) >= 2 and nums == list(range(nums[0], nums[0] + len(nums)))


def _find_header(rows: list[list[Any]], kind: str | None, manual: set[str]) -> tuple[int, list[str], int] | None:
    """(index of the header row, the header cells, index of the first data row) in rows, or None."""
    for i, r in enumerate(rows[:HEADER_SCAN_ROWS]):
        if _recognised(r, kind, manual) < MIN_HEADER_MATCHES:
            continue
        header = [clean(c) for c in r]
        start = i + 1
        if start < len(rows):
            sub = rows[start]
            filled = 0
            merged = list(header)
            for j, c in enumerate(sub):
                if isinstance(c, str) and _cell_known(c, kind, manual, with_ignore=False):
                    if j >= len(merged):
                        merged += [""] * (j + 1 - len(merged))
                    if not merged[j] or not _cell_known(merged[j], kind, manual, with_ignore=False):
                        merged[j] = clean(c)
                        filled += 1
            if filled >= 2:
                header, start = merged, start + 1
        if start < len(rows) and _numbering_row(rows[start]):
            start += 1
        return i, header, start
    return None


# --- the mapping ---------------------------------------------------------------------------------------

def _choose_kind(header: list[str], kind: str | None, manual: dict[str, str | None], file: str) -> Kind:
    ks = kinds()
    if kind is not None:
        if kind not in ks:
            raise ReadError(f"Loại dữ liệu \"{shown(kind)}\" không có: cần một trong {', '.join(ks)}.")
        return ks[kind]
    scores = []
    for k in ks.values():
        found = set()
        for h in header:
            t = manual.get(normalise(h), "") if normalise(h) in manual else match_header(h, k.name)
            if t and t in k.columns:
                found.add(t)
        missing = [g for g in k.required if not set(g) & found]
        scores.append((k, found, missing))
    if {"tongscore", "tdgq", "mdhl"} <= {normalise(h) for h in header}:
        raise ReadError(f"Tệp {file} là bảng điểm Bộ chỉ số 766 của Cổng DVCQG (các cột TDGQ, MDHL, …, TONG_SCORE): "
                        "hãy nạp bằng lệnh python -m cchc import-results (trang Kết quả công bố).")
    full = [(k, f) for k, f, miss in scores if not miss]
    if full:
        top = max(len(f) for _, f in full)
        best = [k for k, f in full if len(f) == top]
        if len(best) > 1:
            raise ReadError(f"Không xác định được loại dữ liệu của tệp {file}: có thể là "
                            f"{' hoặc '.join(k.vi.lower() for k in best)}; hãy chọn loại (--kind).")
        return best[0]
    k, found, missing = max(scores, key=lambda s: (len(s[1]) - 3 * len(s[2]), len(s[1])))
    raise ReadError(f"Không nhận ra loại dữ liệu của tệp {file}: gần nhất là \"{k.vi}\" ({k.name}) nhưng thiếu "
                    + _missing_text(k, missing) + ". Hãy đặt lại tên cột, hoặc ghép cột bằng tay (--map \"Tên cột=cột\").")


def _missing_text(k: Kind, missing: list[tuple[str, ...]]) -> str:
    parts = []
    for g in missing:
        names = " hoặc ".join(f"{k.columns[c].vi} ({c}; ví dụ {', '.join(repr(a) for a in k.aliases[c][:3])})" for c in g)
        parts.append(names)
    return f"cột {'; '.join(parts)}"


def _mapping(header: list[str], k: Kind, manual: dict[str, str | None], file: str,
             issues: list[Issue], sheet: str | None,
             originals: dict[str, str] | None = None) -> tuple[dict[int, Match], list[str], list[str]]:
    """Column position -> Match; unmatched headers; ignored headers."""
    originals = originals or {}
    taken: dict[str, str] = {}
    out: dict[int, Match] = {}
    unmatched: list[str] = []
    ignored: list[str] = []
    seen_manual = set()
    for j, h in enumerate(header):           # manual first: it wins over an alias elsewhere
        key = normalise(h)
        if key and key in manual:
            seen_manual.add(key)
            t = manual[key]
            if not t:
                ignored.append(h)
                continue
            if t in taken:
                issues.append(Issue(file, f"cột {t} đã được ghép với cột \"{taken[t]}\": bỏ qua cột này", WARNING,
                                    column=h, sheet=sheet))
                unmatched.append(h)
                continue
            taken[t] = h
            out[j] = Match(h, t, "manual")
    for key, t in manual.items():
        if key not in seen_manual:
            issues.append(Issue(file, f"ghép cột bằng tay: không có cột nào tên \"{shown(originals.get(key, key))}\" "
                                f"(để ghép với {t or 'bỏ qua'})", WARNING, sheet=sheet))
    for j, h in enumerate(header):
        key = normalise(h)
        if j in out or not key or key in manual:
            continue
        t = match_header(h, k.name)
        if t is None:
            (ignored if key in _config()[1] else unmatched).append(h)
            continue
        if t in taken:
            issues.append(Issue(file, f"cũng là {k.column_label(t)}, đã lấy từ cột \"{taken[t]}\": bỏ qua cột này",
                                WARNING, column=h, sheet=sheet))
            unmatched.append(h)
            continue
        taken[t] = h
        out[j] = Match(h, t, "alias")
    missing = [g for g in k.required if not set(g) & set(taken)]
    if missing:
        raise ReadError(f"Tệp {file} ({k.vi.lower()}) thiếu {_missing_text(k, missing)}.")
    return out, unmatched, ignored


def _manual(mapping: Mapping[str, str | None] | None, k_all: dict[str, Kind], kind: str | None,
            file: str) -> dict[str, str | None]:
    """The manual mapping with its headers normalised; an unknown target column is a file issue."""
    if not mapping:
        return {}
    cols = set().union(*(k.columns for k in (k_all.values() if kind not in k_all else [k_all[kind]])))
    out = {}
    for h, t in mapping.items():
        t = (t or "").strip() or None
        if t is not None and t not in cols:
            scope = f"bảng {k_all[kind].vi.lower()}" if kind in k_all else "các bảng dữ liệu"
            raise ReadError(f"Ghép cột bằng tay \"{shown(h)}={shown(t)}\": {shown(t)} không phải một cột của {scope} "
                            f"(các cột: {', '.join(sorted(cols))}).")
        out[normalise(h)] = t
    return out


# --- values of a column --------------------------------------------------------------------------------

def _pl_type(t: pa.DataType) -> pl.DataType:
    return pl.from_arrow(pa.array([], t)).dtype


_FAST_DMY = r"^\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?$"
_FAST_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$"
_FAST_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def _fast_dates(values: list[Any]) -> list[Any] | None:
    """Text dates in the common forms parsed by polars (the same results as parse_datetime, which
    handles the rest); None if the column is not all text."""
    if not all(v is None or isinstance(v, str) for v in values):
        return None
    return _fast_dates_series(pl.Series(values, dtype=pl.Utf8)).to_list()


def _fast_dates_series(s: pl.Series) -> pl.Series:
    s = s.str.strip_chars()
    ok = s.str.contains(_FAST_DMY) | s.str.contains(_FAST_ISO)
    parsed = pl.coalesce([s.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in _FAST_FORMATS])
    good = ok & parsed.is_not_null() & parsed.dt.year().is_between(*YEARS)
    return pl.select(pl.when(good).then(parsed).otherwise(None)).to_series()


# Text that needs more than the fast path: a formula-like start, spaces at an end or doubled, other
# white space, control or format characters, or only dashes (an empty cell).
_NOT_PLAIN = r"^[=+\-@ ]|[ ]$|  |[^\S ]|[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|^[-–—]+$"


def _parse_values(p: _Column, raw: list[Any], dtype: pl.DataType) -> tuple[pl.Series, list[tuple[int, str]]]:
    """The cells of one column parsed: (values, [(position, reason)]). Columns of text cells (CSV,
    most JSON) are parsed with polars where the answer is plain, each distinct other cell once in
    Python; mixed cells (xlsx) one by one."""
    errs: list[tuple[int, str]] = []
    t = p.spec.type
    if raw and all(v is None or isinstance(v, str) for v in raw):
        s = pl.Series(raw, dtype=pl.Utf8)
        if pa.types.is_timestamp(t):
            out = _fast_dates_series(s).cast(dtype)
            rest = (out.is_null() & s.is_not_null()).arg_true().to_list()
        elif p.vocab is None and pa.types.is_string(t):
            plain = (~s.str.contains(_NOT_PLAIN) & s.str.len_chars().is_between(1, TEXT_MAX)
                     & (s == s.str.normalize("NFC"))).fill_null(False)
            out = pl.select(pl.when(plain).then(s).otherwise(None)).to_series()
            rest = (~plain & s.is_not_null()).arg_true().to_list()
        else:
            filled = s.fill_null("")
            uniq = filled.unique().to_list()
            parsed = {u: p.parse(u) for u in uniq}
            out = filled.replace_strict(uniq, [parsed[u][0] for u in uniq], default=None, return_dtype=dtype)
            for u, (_, why) in parsed.items():
                if why:
                    errs += [(i, why) for i in (filled == u).arg_true().to_list()]
            return out, sorted(errs)
        if rest:
            vals = []
            for i in rest:
                val, why = p.parse(raw[i])
                if why:
                    errs.append((i, why))
                vals.append(val)
            out = out.scatter(rest, pl.Series(vals, dtype=dtype))
        return out, errs
    vals = []
    for i, v in enumerate(raw):
        val, why = p.parse(v)
        if why:
            errs.append((i, why))
        vals.append(val)
    return pl.Series(vals, dtype=dtype), errs


class _Column:
    """Parses the cells of one product column, remembering the answer per distinct cell."""

    def __init__(self, k: Kind, col: str):
        self.k, self.col = k, col
        self.spec = k.columns[col]
        self.memo: dict[Any, tuple[Any, str | None]] = {}
        self.vocab = k.values.get(col)

    def parse(self, v: Any) -> tuple[Any, str | None]:
        """(value, reason it could not be read)."""
        try:
            key = (type(v), v)
            hit = self.memo.get(key)
        except TypeError:       # a list or dict from JSON
            return None, f"không phải một giá trị đơn ({'danh sách' if isinstance(v, list) else 'đối tượng'})"
        if hit is None:
            hit = self._parse(v)
            if len(self.memo) < 200_000:
                self.memo[key] = hit
        return hit

    def _parse(self, v: Any) -> tuple[Any, str | None]:
        t = self.spec.type
        if self.vocab is not None:
            if _is_empty(v):
                return self.vocab.get(""), None
            key = normalise(v)
            if key in self.vocab:
                return self.vocab[key], None
            if pa.types.is_integer(t):
                try:
                    n = parse_number(v)
                    if n.is_integer() and int(n) in self.k.labels[self.col]:
                        return int(n), None
                except ValueError:
                    pass
            labels = self.k.labels[self.col]
            accepted = "; ".join(f"{labels[c]} ({c})" for c in labels)
            return None, f"không phải một giá trị đã biết của {self.spec.vi} (nhận: {accepted})"
        if _is_empty(v):
            return None, None
        if isinstance(v, str) and v.lstrip().startswith("=") and not pa.types.is_string(t):
            return None, ("là một công thức bảng tính, không phải giá trị: hãy chép cột và dán giá trị "
                          "(Dán đặc biệt → Giá trị) trước khi nạp")
        try:
            if pa.types.is_timestamp(t) or pa.types.is_date(t):
                dt = parse_datetime(v)
                return (dt.date() if pa.types.is_date(t) else dt), None
            if pa.types.is_boolean(t):
                return parse_bool(v, self.k.bool_true.get(self.col, ())), None
            if pa.types.is_integer(t):
                n = parse_number(v)
                if not n.is_integer():
                    return None, "không phải số nguyên"
                lo, hi = _INT_TYPES[t]
                if not lo <= n <= hi:
                    return None, f"số quá lớn (tối đa {fmt.number(hi)})"
                return int(n), None
            if pa.types.is_floating(t):
                return parse_number(v), None
        except ValueError as e:
            return None, str(e)
        if (isinstance(v, str) and v.isprintable() and v[:1] not in FORMULA_START and v == v.strip() and "  " not in v
                and len(v) <= TEXT_MAX and unicodedata.is_normalized("NFC", v)):
            return v, None          # already clean (most cells): skip the character-by-character checks
        why = text_problem(v, TEXT_MAX)
        if why:
            return None, why
        return clean(v), None


# --- rows into a frame ----------------------------------------------------------------------------------

@dataclass
class _Source:
    """Rows of a file after its header: (row number, cells) pairs, with how to name places."""
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    record: bool = False
    sheet: str | None = None


def _build(src: _Source, res: ReadResult, k: Kind, manual: dict[str, str | None],
           mapping: Mapping[str, str | None] | None = None) -> None:
    issues = res.issues
    originals = {normalise(h): h for h in (mapping or {})}
    pos_map, res.unmatched, res.ignored = _mapping(src.header, k, manual, res.file, issues, src.sheet, originals)
    order = [c for c in k.columns if c in {m.column for m in pos_map.values()}]
    by_col = {m.column: (j, m) for j, m in pos_map.items()}
    res.matches = [by_col[c][1] for c in order]
    parsers = {c: _Column(k, c) for c in order}
    dtypes = {c: _pl_type(k.columns[c].type) for c in order}
    frames: list[pl.DataFrame] = []
    numbers: list[int] = []

    def flush(chunk: list[tuple[int, list[Any]]]) -> None:
        cols: dict[str, pl.Series] = {}
        bad: dict[str, set[int]] = {}
        by_position = list(zip_longest(*(r for _, r in chunk)))
        for c in order:
            j, m = by_col[c]
            raw = list(by_position[j]) if j < len(by_position) else [None] * len(chunk)
            cols[c], errs = _parse_values(parsers[c], raw, dtypes[c])
            cols[c] = cols[c].rename(c)
            bad[c] = {i for i, _ in errs}
            issues.extend(Issue(res.file, why, ROW, chunk[i][0], m.header, _raw_text(raw[i]), src.sheet, src.record)
                          for i, why in errs)
        for group in k.required:
            present = [c for c in group if c in cols]
            if not present or not chunk:
                continue
            missing = pl.select(pl.all_horizontal([cols[c].is_null() for c in present])).to_series()
            what = " hoặc ".join(k.columns[o].vi for o in present)
            for i in missing.arg_true().to_list():
                if not any(i in bad[c] for c in present):
                    issues.append(Issue(res.file, f"thiếu {what} (bắt buộc)", ROW, chunk[i][0], by_col[present[0]][1].header,
                                        "", src.sheet, src.record))
        frames.append(pl.DataFrame([cols[c] for c in order]) if order else pl.DataFrame())
        numbers.extend(n for n, _ in chunk)

    chunk: list[tuple[int, list[Any]]] = []
    positions = [by_col[c][0] for c in order]
    footer = _config()[2]
    for n, r in src.rows:
        if all(j >= len(r) or _is_empty(r[j]) for j in positions):
            continue
        lead = next((c for c in r if not _is_empty(c)), None)
        if isinstance(lead, str) and lead.lstrip()[:1].isalpha() and normalise(lead[:60]).startswith(footer):
            issues.append(Issue(res.file, f"bảng kết thúc ở dòng {n} (\"{shown(clean(lead))}\"): không đọc dòng này và "
                                "các dòng sau", WARNING, sheet=src.sheet))
            break
        chunk.append((n, r))
        if len(chunk) >= CHUNK_ROWS:
            flush(chunk)
            chunk = []
    if chunk or not frames:
        flush(chunk)
    first = next((n for n, i in enumerate(issues) if i.severity == ROW), len(issues))
    col_pos = {m.header: j for j, m in pos_map.items()}
    rows_issues = sorted(issues[first:], key=lambda i: (i.row or 0, col_pos.get(i.column or "", 0)))
    issues[first:] = rows_issues
    frame = pl.concat(frames) if len(frames) > 1 else frames[0]
    if k.name == "dossiers" and "finished_at" not in frame.columns and "returned_at" in frame.columns:
        frame = frame.with_columns(pl.col("returned_at").alias("finished_at"))
        frame = frame.select([c for c in k.columns if c in frame.columns])
        res.matches.append(Match(by_col["returned_at"][1].header, "finished_at", "copy"))
    res.frame, res.rows = frame, numbers


def _raw_text(v: Any) -> str:
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)[:200]
    return cell_text(v)


# --- the formats -----------------------------------------------------------------------------------------

def _with_header(rows_iter: Iterator[list[Any]], kind: str | None, manual: set[str], file: str,
                 where: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]], int]:
    """Finds the header among the first rows of an iterator; returns the header, the data rows
    (numbered as the user sees them, from 1) and the header's row number."""
    head: list[list[Any]] = []
    for r in rows_iter:
        head.append(r)
        if len(head) >= HEADER_SCAN_ROWS + 2:
            break
    found = _find_header(head, kind, manual)
    if found is None:
        raise ReadError(f"Không tìm thấy dòng tiêu đề trong {HEADER_SCAN_ROWS} dòng đầu của {where}: cần một dòng có "
                        f"ít nhất {MIN_HEADER_MATCHES} tên cột đã biết (ví dụ Mã hồ sơ, Ngày nhận hồ sơ, Ngày hẹn trả)"
                        " — hoặc ghép cột bằng tay.")
    i, header, start = found

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, r in enumerate(head[start:], start=start + 1):
            yield n, r
        for n, r in enumerate(rows_iter, start=len(head) + 1):
            yield n, r

    return header, rows(), i + 1


def _csv_source(data: bytes, res: ReadResult, kind: str | None, manual: set[str]) -> _Source:
    enc = detect_encoding(data)
    res.encoding = enc
    prefix = codecs.getincrementaldecoder(enc)(errors="replace").decode(data[:1 << 16], final=len(data) <= 1 << 16)
    prefix = unicodedata.normalize("NFC", prefix)
    delim = _sniff(prefix, kind, manual)
    res.delimiter = delim
    text = io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline="")
    nfc = enc == "cp1258"

    def lines() -> Iterator[list[Any]]:
        reader = csv.reader(text, delimiter=delim)
        try:
            for r in reader:
                if len(r) > MAX_COLUMNS:
                    r = r[:MAX_COLUMNS]
                yield [unicodedata.normalize("NFC", c) for c in r] if nfc else r
        except csv.Error:
            raise ReadError(f"Tệp {res.file} không đọc được như CSV ở dòng {reader.line_num} (ký tự rỗng, dấu ngoặc kép "
                            "không khớp hoặc một ô quá dài).") from None
        except UnicodeDecodeError:
            raise ReadError(f"Tệp {res.file}: có byte không hợp lệ với bảng mã {enc}.") from None

    header, rows, hrow = _with_header(lines(), kind, manual, res.file, f"tệp {res.file}")
    res.header_row = hrow
    return _Source(header, rows)


def _xlsx_source(data: bytes, res: ReadResult, kind: str | None, manual: set[str], sheet: str | None,
                 holder: list) -> _Source:
    import openpyxl
    check_xlsx_container(io.BytesIO(data), res.file)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any reason the workbook cannot be opened
        raise ReadError(f"Không mở được tệp {res.file} như một tệp Excel (.xlsx): tệp bị hỏng hoặc không đúng định "
                        "dạng.") from None
    holder.append(wb)
    names = wb.sheetnames
    if sheet is None:
        if not names:
            raise ReadError(f"Tệp {res.file} không có trang tính nào.")
        ws = wb.worksheets[0]
    else:
        want = normalise(sheet)
        hit = [n for n in names if n == sheet] or [n for n in names if normalise(n) == want]
        if not hit:
            raise ReadError(f"Tệp {res.file} không có trang \"{shown(sheet)}\" (các trang: "
                            f"{', '.join(repr(n) for n in names)}).")
        ws = wb[hit[0]]
    res.sheet = ws.title

    def rows() -> Iterator[list[Any]]:
        try:
            for r in ws.iter_rows(min_row=1, values_only=True, max_col=MAX_COLUMNS):
                yield list(r)
        except Exception:  # noqa: BLE001 - a damaged sheet
            raise ReadError(f"Không đọc được tệp {res.file}: nội dung bảng tính bị hỏng.") from None

    header, body, hrow = _with_header(rows(), kind, manual, res.file, f"trang \"{ws.title}\" của tệp {res.file}")
    res.header_row = hrow
    return _Source(header, body, sheet=ws.title)


_JSON_LIST_KEYS = ("data", "items", "records", "result", "hoSo", "HoSo", "danhSach", "rows")


def _json_source(data: bytes, res: ReadResult) -> _Source:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"Tệp {res.file} không phải văn bản UTF-8 (byte không hợp lệ ở vị trí {fmt.number(e.start)}): "
                        "hãy lưu tệp JSON với bảng mã UTF-8.") from None
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ReadError(f"Tệp {res.file} không được đọc: JSON lồng nhau quá {MAX_JSON_DEPTH} cấp.")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReadError(f"Tệp {res.file} không phải JSON hợp lệ (lỗi cú pháp ở dòng {e.lineno}, cột {e.colno}).") from None
    except RecursionError:
        raise ReadError(f"Tệp {res.file} không được đọc: JSON lồng nhau quá sâu.") from None
    if isinstance(obj, dict):
        lists = {key: v for key, v in obj.items() if isinstance(v, list) and (not v or isinstance(v[0], dict))}
        if len(lists) == 1:
            obj = next(iter(lists.values()))
        elif lists and any(key in lists for key in _JSON_LIST_KEYS):
            obj = lists[next(key for key in _JSON_LIST_KEYS if key in lists)]
        else:
            raise ReadError(f"Tệp {res.file}: cần một danh sách bản ghi, hoặc một đối tượng chứa đúng một danh sách bản "
                            "ghi" + (f" (tệp có {len(lists)}: {', '.join(lists)})" if lists else "") + ".")
    if not isinstance(obj, list):
        raise ReadError(f"Tệp {res.file}: cần một danh sách bản ghi (JSON [ {{…}}, … ]).")
    bad = next((i for i, r in enumerate(obj, start=1) if not isinstance(r, dict)), None)
    if bad:
        raise ReadError(f"Tệp {res.file}, bản ghi số {bad}: không phải một đối tượng {{\"tên trường\": giá trị}}.")
    header: list[str] = []
    seen: set[str] = set()
    for r in obj:
        for key in r:
            if key not in seen:
                seen.add(key)
                header.append(key)
    header = header[:MAX_COLUMNS]
    rows = ((n, [r.get(h) for h in header]) for n, r in enumerate(obj, start=1))
    return _Source([clean(h) for h in header], rows, record=True)


def _format_of(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise ReadError(f"Tệp {name} là bảng tính Excel cũ (.xls): hãy mở bằng Excel hoặc LibreOffice và lưu lại dưới "
                        "dạng .xlsx (hoặc .csv).")
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    head = data[:64].lstrip(codecs.BOM_UTF8).lstrip()
    if head[:1] in (b"[", b"{"):
        return "json"
    if suffix in ("", ".dat"):
        return "csv"
    raise ReadError(f"Tệp {name}: chỉ đọc được tệp .csv, .xlsx hoặc .json.")


def _too_big(name: str, size: int) -> str:
    return (f"Tệp {name} quá lớn ({mb(size)}, {fmt.number(size)} byte; tối đa {mb(MAX_FILE_BYTES)}): không đọc. Hãy chia "
            "tệp theo tháng hoặc theo đơn vị")


def read_bytes(data: bytes, name: str, kind: str | None = None, *, sheet: str | None = None,
               mapping: Mapping[str, str | None] | None = None) -> ReadResult:
    """Read a file's content (an upload): see read_file."""
    res = ReadResult(file=name)
    holder: list = []
    try:
        if len(data) > MAX_FILE_BYTES:
            raise ReadError(_too_big(name, len(data)))
        if not data.strip():
            raise ReadError(f"Tệp {name} rỗng.")
        ks = kinds()
        if kind is not None and kind not in ks:
            raise ReadError(f"Loại dữ liệu \"{shown(kind)}\" không có: cần một trong {', '.join(ks)}.")
        manual = _manual(mapping, ks, kind, name)
        res.format = _format_of(data, name)
        manual_keys = set(manual)
        if res.format == "csv":
            src = _csv_source(data, res, kind, manual_keys)
        elif res.format == "xlsx":
            src = _xlsx_source(data, res, kind, manual_keys, sheet, holder)
        else:
            src = _json_source(data, res)
        if not any(normalise(h) for h in src.header):
            raise ReadError(f"Tệp {name} không có cột nào.")
        k = _choose_kind(src.header, kind, manual, name)
        for key, t in manual.items():
            if t and t not in k.columns:
                orig = next((h for h in (mapping or {}) if normalise(h) == key), key)
                raise ReadError(f"Ghép cột bằng tay \"{shown(orig)}={t}\": {t} không phải một cột của bảng {k.vi.lower()}.")
        res.kind = k.name
        _build(src, res, k, manual, mapping)
        if not res.frame.height:
            res.issues.append(Issue(name, "không có dòng dữ liệu nào dưới dòng tiêu đề", FILE, sheet=res.sheet))
    except ReadError as e:
        res.issues.append(Issue(name, str(e).rstrip("."), FILE))
        res.frame = pl.DataFrame()
        res.rows = []
    finally:
        for wb in holder:
            wb.close()
    return res


def read_file(path: str | Path, kind: str | None = None, *, sheet: str | None = None,
              mapping: Mapping[str, str | None] | None = None) -> ReadResult:
    """Read a CSV, XLSX or JSON export into the product's columns. ``kind``: dossiers, ratings,
    feedback, finances, facts or results (detected from the headers when None); ``sheet``: an xlsx
    sheet (the first when None); ``mapping``: {file header: product column} applied before the
    aliases. Never raises for a bad file: the problems are in ``issues``."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return ReadResult(file=path.name, issues=[Issue(path.name, f"không tìm thấy tệp {path}", FILE)])
    if size > MAX_FILE_BYTES:
        return ReadResult(file=path.name, issues=[Issue(path.name, _too_big(path.name, size), FILE)])
    return read_bytes(path.read_bytes(), path.name, kind, sheet=sheet, mapping=mapping)


# --- checks across rows ------------------------------------------------------------------------------------

def _row_issue(res: ReadResult, k: int, col: str, reason: str, value: Any = None) -> Issue:
    header = next((m.header for m in res.matches if m.column == col and m.how != "copy"), col)
    return Issue(res.file, reason, ROW, res.rows[k], header, None if value is None else _as_text(value), res.sheet,
                 res.format == "json")


def check_rows(res: ReadResult) -> list[Issue]:
    """What a file says against itself, row by row (not against the data folder): a key twice in the
    file, a dossier or feedback finished or due before it was received, a negative amount or count, a
    rating level outside 1–4, a month outside 1–12. Returns row issues; the caller adds them to
    ``res.issues`` (``res.issues += check_rows(res)``) to reject those rows."""
    if not res.ok or res.kind is None or not res.frame.height:
        return []
    k = kinds()[res.kind]
    f = res.frame.with_row_index("_k")
    out: list[Issue] = []
    key = [c for c in k.table.key if c in f.columns]
    if key and len(key) == len(k.table.key):
        dup = f.filter(pl.all_horizontal(pl.col(key).is_not_null()) & pl.struct(key).is_duplicated())
        first: dict[tuple, int] = {}
        for r in dup.select("_k", *key).iter_rows():
            kk, vals = r[0], r[1:]
            if vals in first:
                out.append(_row_issue(res, kk, key[0], f"trùng {', '.join(k.columns[c].vi for c in key)} với dòng "
                                      f"{res.rows[first[vals]]}", vals[0]))
            else:
                first[vals] = kk
    pairs = [("finished_at", "received_at", "ngày kết thúc xử lý trước ngày nhận hồ sơ"),
             ("returned_at", "received_at", "ngày trả kết quả trước ngày nhận hồ sơ"),
             ("due_at", "received_at", "ngày hẹn trả trước ngày nhận hồ sơ"),
             ("handled_at", "received_at", "ngày xử lý xong trước ngày tiếp nhận")]
    copied = {m.column for m in res.matches if m.how == "copy"}
    for late, early, why in pairs:
        if late in f.columns and early in f.columns and late not in copied:
            for kk, v in f.filter(pl.col(late) < pl.col(early)).select("_k", late).iter_rows():
                out.append(_row_issue(res, kk, late, why, v))
    for c, spec in k.columns.items():
        if c in f.columns and (pa.types.is_integer(spec.type) or pa.types.is_floating(spec.type)) and c not in (
                "year", "month", "period_index", "level", "rank", "value", "score"):
            for kk, v in f.filter(pl.col(c) < 0).select("_k", c).iter_rows():
                out.append(_row_issue(res, kk, c, "số âm", v))
    ranges = {"month": (1, 12), "level": (1, 4) if res.kind == "ratings" else None, "year": YEARS}
    for c, rng in ranges.items():
        if rng and c in f.columns and pa.types.is_integer(k.columns[c].type):
            for kk, v in f.filter(~pl.col(c).is_between(*rng)).select("_k", c).iter_rows():
                out.append(_row_issue(res, kk, c, f"ngoài khoảng {rng[0]}–{rng[1]}", v))
    return out


__all__ = ["read_file", "read_bytes", "check_rows", "ReadResult", "Issue", "Match", "Kind", "kinds", "normalise",
           "match_header", "parse_datetime", "parse_number", "parse_bool", "excel_serial", "from_excel_serial",
           "detect_encoding", "MAX_FILE_BYTES", "ROW", "FILE", "WARNING"]
