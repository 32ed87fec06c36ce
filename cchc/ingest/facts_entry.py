"""Entering and correcting a commune's self-reported facts (số liệu tự báo cáo) for a year: the
"manual criteria" of the annual CCHC report that no transaction table holds.

    msgs = validate(entries, "10621", 2023, entered_by="Nguyễn Văn A")   # [] when they can be saved
    n = save(data_dir, "10621", 2023, entries, "Nguyễn Văn A")           # rows appended
    n = save(data_dir, "10621", 2023, touched, "Nguyễn Văn A", base=opened)  # a form's save (checked)

An entry is ``{"indicator": "staff_vacancies", "value": 6, "note": "QĐ 12/QĐ-UBND ngày 05/01/2024"}``;
a value may also be Vietnamese text ("2,5", "1.000"). A blank value means "nothing entered" (a fact
is never deleted). Only changed entries are written: a value different from the one in use, or the
same value with a new evidence note. Every changed entry needs its evidence note. "Người nhập" and
notes are stored as typed, less control characters (clean_text), within WHO_MAX / NOTE_MAX characters.

No lost updates: a form remembers, per indicator, the version of the value in use when it was drawn
(``version(current)``: when it was entered and the value; None when there was none) and sends only the
entries its user touched; ``save(..., base={indicator: version})`` compares, under the table's lock,
each entry's indicator with the version the form saw, and when another save changed one since, writes
nothing and raises ConflictError, which says who changed what, to what and when. Of two saves of the
same indicator from the same form version, one lands and the other gets that message. Without ``base``
(the CLI, scripts) there is no such check.

Storage: facts.parquet is one file (cchc/schema.py FACTS). A save appends rows and never rewrites
old ones, so the previous values stay as history; the newest ``entered_at`` of an indicator wins
(queries/facts_year.sql). The read-modify-write goes through the one write path (cchc/store.py, docs/writes.md):
the table's lock held throughout, the new table written to a unique temporary file, fsynced, read
back and renamed over facts.parquet, so a crash or a validation failure leaves the old file intact
and readers see either the old or the new file, never half of one. ``entered_at`` is the time in Vietnam
(UTC+7, no daylight saving) to the second, and always later than the entry it corrects, so the key
(unit, year, indicator, entered_at) stays unique even for two saves within one second.

Reads go through named queries (unit_lookup, facts_year, facts_years, data_range, facts_history,
facts_units, units_all); only the rewrite reads the Parquet file directly, under the lock.
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .. import access, audit, facts, fmt, schema, store, units
from ..db import Database

FACTS_CSV = facts.FACTS_CSV
VN_TIME = timezone(timedelta(hours=7), "ICT")
LOCK_TIMEOUT_S = 30.0
NOTE_MAX = 500
WHO_MAX = 100

# Groups and indicators of facts.csv: one definition, in cchc.facts.
GROUPS = facts.GROUPS
FRACTIONAL_UNITS = facts.FRACTIONAL_UNITS
Definition = facts.Indicator
LEVEL_NAMES = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


class EntryError(ValueError):
    """The entries cannot be saved; ``messages`` says why, in Vietnamese, one line per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


class ConflictError(EntryError):
    """Another save changed an indicator the entries change after the form was opened; nothing was
    written. ``conflicts`` are the indicators concerned (structured), ``messages`` say it in Vietnamese."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__([c.message for c in conflicts])
        self.conflicts = conflicts


def definitions(path: Path = FACTS_CSV) -> dict[str, Definition]:
    """The indicators of facts.csv, in file order."""
    return facts.indicators(path)


def group_name(group: str) -> str:
    return GROUPS.get(group, group)


# --- numbers ---------------------------------------------------------------------------------------
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


SAMPLE_AUTHOR = "sample"  # what cchc/sample.py writes as the author of the generated facts


def author_text(entered_by: str | None) -> str:
    """Who entered a value, as a page shows it; the generated sample's values say so in Vietnamese."""
    return "dữ liệu mẫu" if entered_by == SAMPLE_AUTHOR else clean_text(entered_by)


def parse_number(raw: Any) -> float:
    """A value as typed: a number, or text as Vietnamese write it ('2,5' = 2.5; '1.000' = 1000;
    '1.234,5'; '2.5' is read as 2.5). Raises ValueError for anything else (text, NaN, infinity)."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, (int, float)):
        v = float(raw)
    else:
        s = str(raw).strip().replace(" ", "").replace("\u00a0", "").replace("−", "-")
        if "," in s:
            s = s.replace(".", "").replace(",", ".")
        elif _THOUSANDS_DOT.match(s):
            s = s.replace(".", "")
        v = float(s)
    if not math.isfinite(v):
        raise ValueError(raw)
    return v


def number_text(v: float | None) -> str:
    """6 -> '6'; 2.5 -> '2,5'; 1234.56 -> '1.234,56'; None -> '–'."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.DASH
    if float(v).is_integer():
        return fmt.number(v)
    text = fmt.number(v, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def value_text(v: float | None, d: Definition | None) -> str:
    if v is None:
        return fmt.DASH
    return f"{number_text(v)} {d.unit}" if d else number_text(v)


# Control and format characters (line breaks, tabs, NUL, bidi overrides, zero-width marks): never stored.
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp"))


def clean_text(raw: Any) -> str:
    """A name or note as stored: Unicode NFC, control and format characters (line breaks, bidi
    overrides, zero-width marks …) dropped, runs of white space made one space, trimmed. The text is
    otherwise kept as typed (markdown included); whoever shows it escapes it (cchc.fmt.md)."""
    s = unicodedata.normalize("NFC", "" if raw is None else str(raw))
    s = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in s)
    return " ".join(s.split())


# --- what the checks need to know --------------------------------------------------------------------
@dataclass(frozen=True)
class Current:
    value: float
    note: str | None
    entered_by: str | None
    entered_at: datetime


@dataclass(frozen=True)
class Version:
    """The value in use of an indicator as a form saw it: when it was entered, and what it was."""
    entered_at: datetime
    value: float


def version(current: Current | Version | None) -> Version | None:
    """The version of a value in use (None: there was none), what a form passes back as its base."""
    if current is None:
        return None
    return Version(current.entered_at, float(current.value))


def _same_version(seen: Version | None, now: Current | None) -> bool:
    if seen is None or now is None:
        return seen is None and now is None
    return seen.entered_at == now.entered_at and abs(float(seen.value) - float(now.value)) < 1e-9


@dataclass(frozen=True)
class Conflict:
    """An indicator another save changed after the form was opened on version ``seen``."""
    indicator: str
    definition: Definition
    seen: Version | None  # what the form was opened on (None: no value then)
    now: Current | None  # the value in use now

    @property
    def message(self) -> str:
        d, seen, now = self.definition, self.seen, self.now
        opened = "sau khi biểu mẫu của bạn được mở"
        if now is None:  # the file was replaced by one without it (nothing here deletes a fact)
            return (f"{d.name}: giá trị {value_text(seen.value, d)} đang dùng khi biểu mẫu của bạn được mở "
                    "không còn trong dữ liệu (tệp số liệu đã được thay).")
        who = clean_text(now.entered_by) or "Một người khác (không ghi tên)"
        when = now.entered_at.strftime("%H:%M:%S ngày %d/%m/%Y")
        if seen is None:
            return (f"{d.name}: {who} đã nhập {value_text(now.value, d)} lúc {when}, {opened} "
                    "(khi mở: chưa có số liệu).")
        if abs(float(seen.value) - float(now.value)) < 1e-9:
            return (f"{d.name}: {who} đã sửa tài liệu kiểm chứng (giá trị vẫn là {value_text(now.value, d)}) "
                    f"lúc {when}, {opened}.")
        return (f"{d.name}: {who} đã sửa thành {value_text(now.value, d)} lúc {when}, {opened} "
                f"(giá trị khi mở: {value_text(seen.value, d)}).")


@dataclass(frozen=True)
class Context:
    unit: dict | None  # unit_lookup row, None when the code is unknown
    years: tuple[int, int]  # allowed years, inclusive
    current: dict[str, Current] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    indicator: str
    value: float
    note: str
    previous: float | None


def year_bounds(db, unit: dict | None) -> tuple[int, int]:
    """The years the data cover (facts of the unit's province's communes, dossiers), widened by one
    each way."""
    years: list[int] = []
    if unit:
        province = units.get(db, unit["map"], unit["province_code"])
        years += db.run("facts_years", **province.scope)["year"].to_list()
    first, last = db.run("data_range").row(0)
    years += [d.year for d in (first, last) if d is not None]
    if not years:
        today = datetime.now(VN_TIME).year
        return today - 1, today + 1
    return min(years) - 1, max(years) + 1


def _lookup_unit(db, unit_code: Any, year: int | None = None) -> dict | None:
    """The unit with this code in the map of the year's facts (its 31/12: a new commune's code may be
    an old one's too), else in either map."""
    code = str(unit_code or "").strip()
    if not code.isdigit() or len(code) > 10:
        return None
    rows = db.run("unit_lookup", code=code).to_dicts()
    want = units.map_of_year(year) if year is not None else units.NEW
    return next((r for r in rows if r["map"] == want), rows[0] if rows else None)


def _current_rows(rows: list[dict]) -> dict[str, Current]:
    return {r["indicator"]: Current(r["value"], r["note"], r["entered_by"], r["entered_at"]) for r in rows}


def context(db, unit_code: Any, year: Any, with_current: bool = True) -> Context:
    unit = _lookup_unit(db, unit_code, _as_year(year))
    bounds = year_bounds(db, unit)
    current: dict[str, Current] = {}
    if with_current and unit and _as_year(year) is not None:
        current = _current_rows(db.run("facts_year", unit=unit["code"], year=_as_year(year)).to_dicts())
    return Context(unit, bounds, current)


def _as_year(year: Any) -> int | None:
    if isinstance(year, bool):
        return None
    if isinstance(year, int):
        return year
    if isinstance(year, str) and year.strip().isdigit():
        return int(year.strip())
    return None


# --- the checks ----------------------------------------------------------------------------------------
_UNSET = object()


def check(entries: list[dict], unit_code: Any, year: Any, ctx: Context, entered_by: Any = _UNSET,
          defs: dict[str, Definition] | None = None) -> tuple[list[str], list[Change]]:
    """Vietnamese messages for everything wrong, and the changes to write when there is nothing wrong."""
    defs = defs or definitions()
    msgs: list[str] = []
    u = ctx.unit
    if u is None:
        msgs.append(f"Không có đơn vị mã «{unit_code}» trong danh mục đơn vị hành chính.")
    elif u["level"] != "commune":
        msgs.append(f"{u['name']} ({u['code']}) là đơn vị {LEVEL_NAMES.get(u['level'], u['level'])}: số liệu tự báo "
                    "cáo được nhập theo từng xã, phường, thị trấn.")
    y = _as_year(year)
    lo, hi = ctx.years
    if u is not None and y is not None and u.get("map") and u["map"] != units.map_of_year(y):
        # a year's facts belong to the map in force on its 31/12 (docs/units.md)
        if u["map"] == units.OLD:
            succ = f"; số liệu năm {y} do {u['successor_name']} (mã {u['successor_code']}) báo cáo" \
                if u.get("successor_code") else ""
            msgs.append(f"{u['name']} ({u['code']}) không còn tồn tại sau 30/06/2025{succ}.")
        else:
            msgs.append(f"{u['name']} ({u['code']}) được thành lập từ 01/07/2025: số liệu năm {y} do các đơn vị "
                        "cũ báo cáo.")
    if y is None:
        msgs.append(f"Năm báo cáo «{year}» không hợp lệ: phải là một năm, ví dụ 2023.")
    elif not lo <= y <= hi:
        msgs.append(f"Năm {y} nằm ngoài khoảng năm của dữ liệu ({lo}–{hi}).")
    if entered_by is not _UNSET:
        who = clean_text(entered_by)
        if not who:
            msgs.append("Chưa ghi «Người nhập»: hãy ghi họ tên người nhập số liệu.")
        elif len(who) > WHO_MAX:
            msgs.append(f"«Người nhập» dài quá {WHO_MAX} ký tự.")

    changes: list[Change] = []
    seen: set[str] = set()
    for e in entries:
        code = str(e.get("indicator") or "").strip()
        d = defs.get(code)
        if d is None:
            msgs.append(f"Chỉ tiêu «{code}» không có trong danh mục số liệu tự báo cáo (cchc/reference/facts.csv).")
            continue
        if code in seen:
            msgs.append(f"{d.label}: được nhập hai lần trong cùng một lần lưu.")
            continue
        seen.add(code)
        raw = e.get("value")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # left blank: nothing entered
        try:
            v = parse_number(raw)
        except (TypeError, ValueError):
            msgs.append(f"{d.label}: «{raw}» không phải là một số.")
            continue
        note = clean_text(e.get("note"))
        cur = ctx.current.get(code)
        if cur is not None and abs(cur.value - v) < 1e-9 and (not note or note == (cur.note or "")):
            continue  # unchanged
        problems = []
        if d.is_percent and not 0 <= v <= 100:
            problems.append(f"là tỷ lệ phần trăm, phải từ 0 đến 100 % (đã nhập {number_text(v)} %)")
        elif v < 0 <= d.min:
            problems.append(f"không được là số âm (đã nhập {number_text(v)})")
        elif not d.min <= v <= d.max:
            problems.append(f"phải từ {number_text(d.min)} đến {number_text(d.max)} {d.unit} (đã nhập {number_text(v)})")
        if d.is_integer and not v.is_integer():
            problems.append(f"phải là số nguyên ({d.unit}), không nhận {number_text(v)}")
        if not note:
            problems.append("thiếu ghi chú tài liệu kiểm chứng (số, ngày văn bản) cho giá trị mới")
        elif len(note) > NOTE_MAX:
            problems.append(f"ghi chú dài quá {NOTE_MAX} ký tự")
        if problems:
            msgs.append(f"{d.label}: " + "; ".join(problems) + ".")
        else:
            changes.append(Change(code, v, note, cur.value if cur else None))
    return msgs, changes


def validate(entries: list[dict], unit_code: Any, year: Any, *, entered_by: Any = _UNSET, db=None,
             data_dir: str | os.PathLike | None = None) -> list[str]:
    """Vietnamese messages naming the indicator (name and code) and the problem; [] when the entries
    can be saved. Checks the unit (a commune), the year (the data's years ±1), each changed value
    (a number, whole for counts, 0–100 for percentages, within facts.csv's range, with its evidence
    note) and, when given, who enters them. ``db`` (anything with .run) defaults to the data directory
    (``data_dir``, else CCHC_DATA_DIR)."""
    own = db is None
    db = db or Database(data_dir)
    try:
        msgs, _ = check(entries, unit_code, year, context(db, unit_code, year), entered_by)
    finally:
        if own:
            db.close()
    return msgs


# --- the write -----------------------------------------------------------------------------------------
@contextmanager
def locked(root: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """The facts table's lock (cchc.store: the data directory shared, facts.parquet exclusive), held
    across the read-modify-write."""
    try:
        with store.writing(root, schema.FACTS.path(Path(root)).name, timeout=timeout, what="số liệu tự báo cáo"):
            yield
    except store.Busy:
        raise EntryError(["Có người khác đang lưu số liệu tự báo cáo; hãy thử lại sau ít phút."]) from None


def _current_in_table(table: pa.Table, unit_code: str, year: int) -> dict[str, Current]:
    df = (pl.from_arrow(table).filter((pl.col("unit_code") == unit_code) & (pl.col("year") == year))
          .sort("entered_at", descending=True).unique("indicator", keep="first", maintain_order=True))
    return _current_rows(df.to_dicts())


def _write_atomically(table: pa.Table, path: Path) -> None:
    """The new table through the one write path (temp file, fsync, read-back, atomic rename)."""
    store.write_table(path, table)


def entry_time(now: datetime | None, changed: list[Current]) -> datetime:
    """Now in Vietnam to the second, but later than every entry being corrected."""
    ts = (now or datetime.now(VN_TIME)).replace(microsecond=0)
    if ts.tzinfo is not None:
        ts = ts.astimezone(VN_TIME).replace(tzinfo=None)
    for c in changed:
        if c.entered_at is not None and ts <= c.entered_at:
            ts = c.entered_at + timedelta(seconds=1)
    return ts


def conflicts(entries: list[dict], base: Mapping[str, Current | Version | None], current: dict[str, Current],
              defs: dict[str, Definition] | None = None) -> list[Conflict]:
    """The entries' indicators whose value in use (``current``) is no longer the version the form saw
    (``base``; an indicator missing from it counts as "no value then"). Blank entries (nothing entered,
    nothing written) and unknown indicators (check() reports them) are not compared."""
    defs = defs or definitions()
    out: list[Conflict] = []
    seen_codes: set[str] = set()
    for e in entries:
        code = str(e.get("indicator") or "").strip()
        raw = e.get("value")
        if code not in defs or code in seen_codes or raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        seen_codes.add(code)
        seen = version(base.get(code))
        now = current.get(code)
        if not _same_version(seen, now):
            out.append(Conflict(code, defs[code], seen, now))
    return out


def save(data_dir: str | os.PathLike, unit_code: str, year: int, entries: list[dict], entered_by: str, *,
         by: access.Identity, db=None, now: datetime | None = None,
         base: Mapping[str, Current | Version | None] | None = None) -> int:
    """Append the changed entries to facts.parquet, all or nothing; returns the number of rows written
    (0 when nothing changed). Raises EntryError (Vietnamese messages) without touching the file when
    anything is wrong, and AccessError when ``by`` (the signed-in identity) may not enter facts for
    this unit. ``entered_by`` is the author's name the facts keep ("Người nhập"); the audit trail
    records ``by`` with the values before and after.

    ``base`` (a form's save: indicator -> ``version()`` of the value the form was opened with) makes
    the save refuse, with ConflictError and without writing anything, when another save changed any
    of the entries' indicators since; the comparison is made under the table's lock, so of two saves
    from the same version exactly one lands. Without ``base`` the values are not compared."""
    root = Path(data_dir)
    path = schema.FACTS.path(root)
    own = db is None
    db = db or Database(root)
    try:
        known = context(db, unit_code, year, with_current=False)
        unit = units.from_row(db, known.unit) if known.unit else None
        by.require("enter_facts", db, unit)
    finally:
        if own:
            db.close()
    target = schema.FACTS.arrow_schema
    with locked(root):
        table = pq.read_table(path).select(target.names).cast(target)
        y = _as_year(year)
        ctx = replace(known, current=_current_in_table(table, known.unit["code"], y) if known.unit and y else {})
        if base is not None and known.unit and known.unit["level"] == "commune" and y:
            stale = conflicts(entries, base, ctx.current)
            if stale:
                raise ConflictError(stale)
        msgs, changes = check(entries, unit_code, year, ctx, entered_by)
        if msgs:
            raise EntryError(msgs)
        if not changes:
            return 0
        ts = entry_time(now, [ctx.current[c.indicator] for c in changes if c.indicator in ctx.current])
        who = clean_text(entered_by)
        new = pa.table({"unit_code": [known.unit["code"]] * len(changes), "year": [y] * len(changes),
                        "indicator": [c.indicator for c in changes], "value": [c.value for c in changes],
                        "note": [c.note for c in changes], "entered_by": [who] * len(changes),
                        "entered_at": [ts] * len(changes)}, schema=target)
        _write_atomically(pa.concat_tables([table, new]), path)
    before = {c.indicator: ctx.current[c.indicator].value if c.indicator in ctx.current else None for c in changes}
    audit.record(root, by, "facts.save", unit=unit.key, note=f"Năm {y}", before=before,
                 after={c.indicator: c.value for c in changes})
    return len(changes)


# --- what the page shows ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    definition: Definition
    current: Current | None

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def current_text(self) -> str:
        c = self.current
        if c is None:
            return "Chưa có số liệu"
        return (f"Hiện tại: {value_text(c.value, self.definition)} — nhập {fmt.day(c.entered_at)} "
                f"({author_text(c.entered_by)})")

    @property
    def version(self) -> Version | None:
        """What a save from a form showing this field passes as its base for it."""
        return version(self.current)

    @property
    def whole_input(self) -> bool:
        """An integer input box: a count whose value in use (if any) is whole."""
        return self.definition.is_integer and (self.current is None or float(self.current.value).is_integer())

    @property
    def help(self) -> str:
        d = self.definition
        h = f"Khoảng hợp lệ: {number_text(d.min)}–{number_text(d.max)} {d.unit}"
        h += "; số nguyên." if d.is_integer else "."
        if self.current and self.current.note:
            h += f" Tài liệu kiểm chứng đang dùng: {clean_text(self.current.note)}"
        return h


def form_groups(db, unit_code: str, year: int) -> list[tuple[str, list[Field]]]:
    """The indicators by group (report order), each with the value in use for the unit's year."""
    current = _current_rows(db.run("facts_year", unit=unit_code, year=year).to_dicts())
    defs = definitions()
    order = list(GROUPS) + [g for g in dict.fromkeys(d.group for d in defs.values()) if g not in GROUPS]
    out = []
    for g in order:
        fields = [Field(d, current.get(d.code)) for d in defs.values() if d.group == g]
        if fields:
            out.append((group_name(g), fields))
    return out


def allowed_years(db, unit) -> list[int]:
    lo, hi = year_bounds(db, {"map": unit.map, "province_code": unit.province})
    return list(range(hi, lo - 1, -1))


def default_year(years: list[int], period_end: date) -> int:
    """The year the selected period ends in, when it can be entered; else the nearest allowed year."""
    return min(years, key=lambda y: (abs(y - period_end.year), -y))


HISTORY_COLUMNS = ["Thời điểm nhập", "Chỉ tiêu", "Giá trị", "Giá trị trước đó", "Ghi chú, tài liệu kiểm chứng",
                   "Người nhập", "Đang dùng"]


def history(db, unit_code: str, year: int) -> pl.DataFrame:
    """Every entry of the unit's year, newest first (queries/facts_history.sql), for the screen."""
    defs = definitions()
    rows = db.run("facts_history", unit=unit_code, year=year).to_dicts()
    return pl.DataFrame([{
        "Thời điểm nhập": r["entered_at"].strftime("%d/%m/%Y %H:%M:%S"),
        "Chỉ tiêu": defs[r["indicator"]].name if r["indicator"] in defs else r["indicator"],
        "Giá trị": value_text(r["value"], defs.get(r["indicator"])),
        "Giá trị trước đó": value_text(r["previous_value"], defs.get(r["indicator"])),
        "Ghi chú, tài liệu kiểm chứng": r["note"] or "",
        "Người nhập": r["entered_by"] or "",
        "Đang dùng": "✓" if r["is_current"] else "",
    } for r in rows], schema={c: pl.String for c in HISTORY_COLUMNS})


def completion(db, unit, year: int) -> tuple[pl.DataFrame, int, int]:
    """The communes of a district or province with how many indicators each has for the year (the
    fewest first) and when they last entered one; also how many communes have every indicator, and
    how many indicators there are."""
    total = len(definitions())
    units = db.run("units_all")
    names = dict(zip(units["code"].to_list(), units["name"].to_list()))
    communes = units.filter((pl.col("level") == "commune") & (pl.col("province_code") == unit.province))
    if unit.level in ("district", "commune"):
        communes = communes.filter(pl.col("district_code") == unit.district)
    facts = db.run("facts_units", **unit.scope, year_from=year, year_to=year)
    done = facts.group_by("unit_code").agg(pl.col("indicator").n_unique().alias("n"), pl.col("entered_at").max().alias("last"))
    df = (communes.join(done, left_on="code", right_on="unit_code", how="left")
          .with_columns(pl.col("n").fill_null(0)).sort(["n", "code"]))
    rows = []
    for r in df.to_dicts():
        row = {"Mã xã": r["code"], "Xã, phường, thị trấn": r["name"]}
        if unit.level == "province":
            row["Huyện"] = names.get(r["district_code"], "")
        row |= {"Số chỉ tiêu đã nhập": f"{r['n']}/{total}", "Tỷ lệ hoàn thành": fmt.percent(r["n"] / total, 0),
                "Lần nhập gần nhất": fmt.day(r["last"]) if r["last"] else fmt.DASH}
        rows.append(row)
    complete = int((df["n"] >= total).sum()) if df.height else 0
    return pl.DataFrame(rows), complete, total


def consistency(values: dict[str, float]) -> list[tuple[str, str]] | None:
    """(severity, message) of cchc.facts' consistency checks of one year, when that module is there."""
    try:
        from .. import facts
    except ImportError:
        return None
    return [(i.severity, f"{i.check}: {i.message}") for i in facts.check(values)]
