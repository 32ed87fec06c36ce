"""The loader: a unit's export (read by cchc.ingest.readers) checked against the data folder,
previewed, and upserted through the one write path, with a load log and an undo of the last load.

    plan = preview(data, "so-theo-doi.csv", root, unit="10621")      # nothing written
    plan.counts, plan.periods, plan.procedures_added, plan.summary(), plan.rejected()
    rep = load(data, "so-theo-doi.csv", root, unit="10621", policy=VALID_ONLY, who="Nguyễn Văn A",
               progress=lambda fraction, text: ...)
    rep.load_id, rep.plan, rep.summary()
    undo(root)                                                        # the last load, table by table
    load_file(path, root, ...), preview_file(path, root, ...)         # the same from a path (the CLI)

``data`` is the file's bytes (an upload); ``progress(fraction 0–1, Vietnamese text)`` is called as
the work goes on. Errors a user can act on raise LoadError, whose ``messages`` are Vietnamese (file,
row, column, value, why) and nothing is changed then.

Validation (besides the readers' own and readers.check_rows): each row's unit must exist in the units
table on the map in force on the row's day (dossier: received_at; rating: rated_at; feedback:
received_at; finances: the 1st of its month; facts: 31/12 of its year), within its valid_from/valid_to;
an old code after 30/06/2025 is refused naming its successor, a new code before 01/07/2025 likewise.
A file without a unit column takes ``unit=`` (a key of cchc.units: "10621", "10633", "cu-10633"); a
plain code names the unit of the map of each row's day. Derived columns: year and province_code
(partitions), district_code (the unit's district on the old map; null on the new), defaults for
absent optional columns, a deterministic rating_id ("R-<dossier>-<yyyymmddhhmmss>") when missing. A
procedure code missing from the catalogue is added (its name and field from the file) and listed,
never rejected. Policies: REJECT (any row issue refuses the whole file) or VALID_ONLY (the valid
rows load; ``plan.rejected()`` are the others with a "Lý do" column; ``write_rejected``).

Writing: an upsert on each table's natural key (schema.Table.key; facts as cchc.ingest.facts_entry
keys them). A column the file does not have keeps an existing row's value (defaults only for new
rows). A row equal to the stored one is "unchanged"; a load where nothing changes writes no table.
A partitioned table is rebuilt beside itself (store.link_copy: hard links for the untouched
partitions, one new file for each touched one) and swapped in (store.swap_dir); a one-file table
through store.write_table. Before the first swap the previous version of every table to be written
is kept in ``loads/<load id>/`` (hard links again) and a journal written there; the load commits
when its entry is appended to ``loads/log.jsonl``. A run killed before that is rolled back (the
journal's tables restored) by the next load or undo; killed after, it stands. The rollups of the
touched provinces are rebuilt after the commit (a crash before leaves them stale, and a stale rollup
is never read: cchc.rollup.fresh, cchc.db.Database.routed); every load also rebuilds the stale
rollups of the provinces its file covers, so a rerun completes them.
"""
from __future__ import annotations

import csv
import gc
import getpass
import glob
import hashlib
import io
import json
import os
import secrets
import time
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .. import facts as factsmod
from .. import access, audit, fmt, rollup, schema, store, units, workdays
from . import readers
from .readers import FILE, ROW, WARNING, Issue, ReadResult

KINDS = ("dossiers", "ratings", "feedback", "finances", "facts")
REJECT, VALID_ONLY = "reject", "valid_only"
LOADS = "loads"                      # folder in the data folder: log.jsonl and the last load's previous versions
LOG = "log.jsonl"
JOURNAL = "journal.json"
MAPPINGS = "import_mappings.json"    # remembered manual mappings, keyed by the file's header set
MAX_MAPPINGS = 200
MAX_MESSAGES = 30                    # row messages printed before "… và n lỗi khác"
MAX_PERIODS_SHOWN = 24
VN_TIME = timezone(timedelta(hours=7))
FEEDBACK_DAYS = 15                   # QĐ 766 5.2: feedback answered within 15 working days
ROW_GROUP = 65_536
UNKNOWN_FIELD = "Chưa phân loại"
DAY_COLUMN = {"dossiers": "received_at", "ratings": "rated_at", "feedback": "received_at"}
SORT = {"dossiers": ["unit_code", "received_at", "dossier_id"], "ratings": ["unit_code", "rated_at", "rating_id"]}
STATUS_NEW, STATUS_UPDATED, STATUS_UNCHANGED = "new", "updated", "unchanged"

Progress = Callable[[float, str], None]


class LoadError(Exception):
    """A load refused or impossible; ``messages`` in Vietnamese; nothing was changed."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


def _pl_schema(t: schema.Table) -> dict[str, pl.DataType]:
    return {c.name: pl.from_arrow(pa.array([], c.type)).dtype for c in t.columns}


def _file_schema(t: schema.Table) -> pa.Schema:
    return pa.schema([t.arrow_schema.field(c) for c in t.file_columns])


def _now() -> datetime:
    return datetime.now(VN_TIME).replace(microsecond=0, tzinfo=None)


def _who(who: str | None) -> str:
    if who is not None and str(who).strip():
        return readers.clean(str(who))[:100]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this system
        return "không rõ"


# --- the plan (what a load would change) -------------------------------------------------------------
@dataclass
class TableChange:
    table: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    provinces: set[str] = field(default_factory=set)      # partitions touched (partitioned tables)
    # partitioned: the changed rows (with their partition "_part") and the partitions to rewrite (those
    # they go to and, in ``left``, those their stored versions leave); each is built when written
    rows: pl.DataFrame | None = field(default=None, repr=False)
    touched: list[str] = field(default_factory=list)
    left: set[str] = field(default_factory=set)
    whole: pl.DataFrame | None = field(default=None, repr=False)               # one-file table: new content

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated)

    def counts(self) -> dict:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected}


@dataclass
class Plan:
    file: str
    sha256: str
    kind: str
    read: ReadResult
    policy: str
    tables: dict[str, TableChange]
    periods: list[tuple[str, str]]                  # (unit code, "MM/YYYY") whose figures move
    procedures_added: list[dict]
    provinces: set[str]                             # provinces the file's rows are in
    remembered_mapping: dict[str, str] | None = None

    rows_read: int = -1                             # rows read from the file (set in __post_init__)

    def __post_init__(self) -> None:
        if self.rows_read < 0:
            self.rows_read = self.read.frame.height

    @property
    def rejected_count(self) -> int:
        return len(self.read.rejected_rows())

    @property
    def changed(self) -> bool:
        return any(t.changed for t in self.tables.values())

    @property
    def counts(self) -> dict[str, dict]:
        return {name: t.counts() for name, t in self.tables.items()}

    def row_messages(self) -> list[str]:
        return _row_messages(self.read)

    def warnings(self) -> list[str]:
        return self.read.messages((WARNING,))

    def rejected(self) -> pl.DataFrame:
        """The rejected rows as the file wrote them, with "Dòng" and "Lý do" (readers.ReadResult.rejected)."""
        return self.read.rejected()

    def summary(self) -> str:
        k = readers.kinds()[self.kind]
        lines = [f"Tệp {self.file} ({k.vi.lower()}): {fmt.number(self.rows_read)} dòng đọc được, "
                 f"{fmt.number(self.rejected_count)} dòng bị loại."]
        if self.remembered_mapping:
            lines.append("Dùng cách ghép cột đã nhớ cho nguồn này: " +
                         "; ".join(f"{h} → {c}" for h, c in self.remembered_mapping.items()) + ".")
        for name, t in self.tables.items():
            lines.append(f"{schema.TABLES[name].vi}: {fmt.number(t.new)} mới, {fmt.number(t.updated)} cập nhật, "
                         f"{fmt.number(t.unchanged)} không đổi" + (f", {fmt.number(t.rejected)} bị loại" if name == k.table.name else "") + ".")
        if self.procedures_added:
            lines.append("Thêm vào danh mục TTHC (mã chưa có): " + "; ".join(
                f"{p['code']} — {p['name']} ({p['field']})" for p in self.procedures_added) + ".")
        if self.periods:
            shown = ", ".join(f"{u} tháng {m}" for u, m in self.periods[:MAX_PERIODS_SHOWN])
            more = len(self.periods) - MAX_PERIODS_SHOWN
            lines.append(f"Đơn vị và tháng có số liệu thay đổi ({fmt.number(len(self.periods))}): {shown}"
                         + (f" và {fmt.number(more)} khác" if more > 0 else "") + ".")
        elif not self.changed:
            lines.append("Không có gì thay đổi: dữ liệu đã có đúng như tệp.")
        return "\n".join(lines)


@dataclass
class LoadReport:
    load_id: str | None                 # None when nothing changed (nothing written; still logged)
    plan: Plan
    seconds: float
    rollups: list[str] = field(default_factory=list)

    def summary(self) -> str:
        head = (f"Đã nạp (lần nạp {self.load_id}; hoàn tác: python -m cchc undo-import)." if self.load_id
                else "Không ghi gì: dữ liệu đã có đúng như tệp.")
        return f"{self.plan.summary()}\n{head} ({fmt.number(self.seconds, 1)} giây)"


@dataclass
class UndoReport:
    load_id: str
    file: str
    tables: list[str]
    seconds: float

    def summary(self) -> str:
        names = ", ".join(schema.TABLES[t].vi.lower() for t in self.tables)
        return (f"Đã hoàn tác lần nạp {self.load_id} (tệp {self.file}): {names} trở lại như trước lần nạp "
                f"({fmt.number(self.seconds, 1)} giây).")


def _row_messages(res: ReadResult) -> list[str]:
    """The row issues' messages in the order of the rows."""
    rows = [i for i in res.issues if i.severity == ROW]
    return [i.message for i in sorted(rows, key=lambda i: (i.row is None, i.row or 0))]


# --- reading ---------------------------------------------------------------------------------------------
def header_key(res: ReadResult) -> str | None:
    """The key of a file's source: its set of headers (normalised), or None when no header was found."""
    heads = [m.header for m in res.matches if m.how != "copy"] + list(res.unmatched) + list(res.ignored)
    names = sorted({readers.normalise(h) for h in heads if readers.normalise(h)})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:20] if names else None


def remembered_mappings(root: Path) -> dict[str, dict]:
    p = Path(root) / MAPPINGS
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember_mapping(root: Path, res: ReadResult, mapping: Mapping[str, str | None]) -> None:
    """Keep a manual mapping for the next file from the same source (same header set)."""
    key = header_key(res)
    if not key or not mapping:
        return
    root = Path(root)
    path = root / MAPPINGS
    with store.writing(root, MAPPINGS, what="cách ghép cột đã nhớ"):
        data = remembered_mappings(root)
        data[key] = {"kind": res.kind, "mapping": {str(h): (c or "") for h, c in mapping.items()},
                     "file": res.file, "at": _now().isoformat(sep=" ")}
        if len(data) > MAX_MAPPINGS:  # the oldest go
            for k in sorted(data, key=lambda k: data[k].get("at", ""))[:len(data) - MAX_MAPPINGS]:
                del data[k]
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        store.replace_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"),
                           lambda tmp: json.loads(tmp.read_text(encoding="utf-8")))


def read(data: bytes, name: str, root: Path, kind: str | None = None, *, sheet: str | None = None,
         mapping: Mapping[str, str | None] | None = None) -> tuple[ReadResult, dict | None]:
    """The file read by the readers; without ``mapping``, a mapping remembered for the file's header set
    is applied (returned as the second value)."""
    if kind is not None and kind not in KINDS:
        raise LoadError(f"Loại dữ liệu \"{readers.shown(kind)}\" không nạp được bằng lệnh này: cần một trong "
                        f"{', '.join(KINDS)} (kết quả chỉ số công bố: python -m cchc import-results).")
    res = readers.read_bytes(data, name, kind, sheet=sheet, mapping=mapping)
    used = None
    if mapping is None:
        saved = remembered_mappings(root)
        key = header_key(res) if res.ok else None
        tries = [saved[key]] if key in saved else [] if res.ok and not res.unmatched else sorted(
            saved.values(), key=lambda v: v.get("at", ""), reverse=True)[:20]
        for entry in tries:
            m = entry.get("mapping") or {}
            if kind is not None and entry.get("kind") not in (None, kind):
                continue
            again = readers.read_bytes(data, name, kind or entry.get("kind"), sheet=sheet, mapping=m)
            if again.ok and (key in saved or header_key(again) in saved):
                res, used = again, {h: c for h, c in m.items()}
                break
    if not res.ok:
        raise LoadError(res.messages((FILE,)))
    if res.kind not in KINDS:
        raise LoadError(f"Tệp {name} là {readers.kinds()[res.kind].vi.lower()}: dùng python -m cchc import-results "
                        "(hoặc trang Kết quả công bố).")
    return res, used


# --- units -----------------------------------------------------------------------------------------------
def _units(root: Path) -> pl.DataFrame:
    return pl.read_parquet(schema.UNITS.path(root)).cast(_pl_schema(schema.UNITS))


def _norm_code(expr: pl.Expr) -> pl.Expr:
    """A unit code as text: an xlsx number loses leading zeros (1 -> 01, 4 digits -> 5)."""
    s = expr.cast(pl.Utf8).str.strip_chars()
    return (pl.when(s.str.contains(r"^\d$")).then(s.str.zfill(2))
            .when(s.str.contains(r"^\d{4}$")).then(s.str.zfill(5)).otherwise(s))


def _day_expr(kind: str) -> pl.Expr:
    if kind in DAY_COLUMN:
        return pl.col(DAY_COLUMN[kind]).dt.date()
    if kind == "finances":
        return pl.date(pl.col("year"), pl.col("month").clip(1, 12), 1)
    return pl.date(pl.col("year"), 12, 31)


def _issue(res: ReadResult, row: int, column: str | None, reason: str, value: Any = None) -> Issue:
    return Issue(res.file, reason, ROW, row, column, None if value is None else str(value), res.sheet,
                 res.format == "json")


def _header(res: ReadResult, col: str) -> str:
    return next((m.header for m in res.matches if m.column == col and m.how != "copy"), col)


def _unit_reason(code: str, day: date, forced_old: bool, by_code: dict[str, dict[str, dict]]) -> str:
    """Why (code, day) names no unit in force."""
    maps = by_code.get(code, {})
    want = units.OLD if forced_old else units.map_on(day)
    d = fmt.day(day)
    if not maps:
        return f"không có đơn vị mã {code} trong danh mục đơn vị hành chính"
    u = maps.get(want)
    if u is None:
        other = next(iter(maps.values()))
        if other["map"] == units.OLD:
            succ = by_code.get(other.get("successor_code") or "", {}).get(units.NEW)
            to = f"; đơn vị kế thừa: {succ['name']} (mã {succ['code']})" if succ else ""
            return (f"mã {code} ({other['name']}) là đơn vị cũ, chỉ có hiệu lực đến "
                    f"{fmt.day(other['valid_to'] or units.OLD_END)}; ngày {d} thuộc bản đồ hành chính mới{to}")
        return (f"mã {code} ({other['name']}) là đơn vị mới, có hiệu lực từ "
                f"{fmt.day(other['valid_from'] or units.MAP_CHANGE)}; ngày {d} thuộc bản đồ hành chính cũ "
                "(trước 01/07/2025): dùng mã đơn vị cũ")
    span = (f"từ {fmt.day(u['valid_from'])}" if u["valid_from"] else "") + (
        f" đến {fmt.day(u['valid_to'])}" if u["valid_to"] else "")
    succ = by_code.get(u.get("successor_code") or "", {}).get(units.NEW) if u["map"] == units.OLD else None
    to = f"; đơn vị kế thừa: {succ['name']} (mã {succ['code']})" if succ and u["valid_to"] and day > u["valid_to"] else ""
    return f"đơn vị {code} ({u['name']}) chỉ có hiệu lực {span.strip()}, không có vào ngày {d}{to}"


def _with_units(res: ReadResult, f: pl.DataFrame, kind: str, unit: str | None, ufr: pl.DataFrame) -> pl.DataFrame:
    """Adds _prov, _dist, _level of each row's unit on the map of its day; row issues for the others."""
    forced_old = False
    ucode = None
    if unit is not None:
        m, ucode = units.parse_key(str(unit))
        if not ucode.isdigit() or len(ucode) not in (2, 3, 5):
            raise LoadError(f"Mã đơn vị --unit không hợp lệ: \"{readers.shown(unit)}\" (tỉnh 2 chữ số, huyện 3, xã 5; "
                            "đơn vị cũ trùng mã với đơn vị mới: thêm «cu-», ví dụ cu-10633).")
        if ufr.filter(pl.col("code") == ucode).is_empty() or (m == units.OLD and ufr.filter(
                (pl.col("code") == ucode) & (pl.col("map") == units.OLD)).is_empty()):
            raise LoadError(f"Không có đơn vị mã {unit} (--unit) trong danh mục đơn vị hành chính.")
        forced_old = m == units.OLD
    if "unit_code" in f.columns:
        f = f.with_columns(_norm_code(pl.col("unit_code")).alias("unit_code"))
        col = _header(res, "unit_code")
        if ucode is not None:
            f = f.with_columns(pl.col("unit_code").is_null().alias("_from_arg"),
                               pl.col("unit_code").fill_null(ucode))
        else:
            f = f.with_columns(pl.lit(False).alias("_from_arg"))
    elif ucode is not None:
        f = f.with_columns(pl.lit(ucode).alias("unit_code"), pl.lit(True).alias("_from_arg"))
        col = "--unit"
    else:
        raise LoadError(f"Tệp {res.file} không có cột mã đơn vị: hãy cho biết đơn vị của tệp bằng --unit MÃ "
                        "(ví dụ --unit 10621; đơn vị cũ trùng mã với đơn vị mới: --unit cu-10633).")
    f = f.with_columns(_day_expr(kind).alias("_day"))
    f = f.with_columns(pl.when(pl.col("_from_arg") & pl.lit(forced_old)).then(pl.lit(units.OLD))
                       .when(pl.col("_day") < units.MAP_CHANGE).then(pl.lit(units.OLD)).otherwise(pl.lit(units.NEW))
                       .alias("_map"))
    # a lookup per column (the units table is small), not a join: a join would copy the file's columns
    ukey = pl.col("map") + pl.lit("|") + pl.col("code")
    fkey = pl.col("_map") + pl.lit("|") + pl.col("unit_code")
    keys = ufr.select(ukey.alias("k"))["k"]
    f = f.with_columns([fkey.replace_strict(keys, ufr[src], default=None, return_dtype=ufr.schema[src]).alias(dst)
                        for src, dst in (("province_code", "_prov"), ("district_code", "_dist"), ("level", "_level"),
                                         ("valid_from", "_vf"), ("valid_to", "_vt"))])
    ok = (pl.col("_prov").is_not_null() & (pl.col("_vf").is_null() | (pl.col("_day") >= pl.col("_vf")))
          & (pl.col("_vt").is_null() | (pl.col("_day") <= pl.col("_vt"))))
    if forced_old:  # cu-<code>: an old unit; a row of the new map's days cannot be it
        ok = ok & ~(pl.col("_from_arg") & (pl.col("_day") >= units.MAP_CHANGE))
    bad = f.filter(pl.col("_day").is_not_null() & pl.col("unit_code").is_not_null() & ~ok)
    missing = f.filter(pl.col("unit_code").is_null() & pl.col("_day").is_not_null())
    if bad.height or missing.height:
        by_code: dict[str, dict[str, dict]] = {}
        for r in ufr.to_dicts():
            by_code.setdefault(r["code"], {})[r["map"]] = r
        for r in bad.select("_row", "unit_code", "_day", "_from_arg").iter_rows():
            reason = _unit_reason(r[1], r[2], forced_old and r[3], by_code)
            res.issues.append(_issue(res, r[0], "--unit" if r[3] else col, reason, r[1]))
        for (r,) in missing.select("_row").iter_rows():
            res.issues.append(_issue(res, r, col, "thiếu mã đơn vị"))
    return f.drop("_from_arg", "_vf", "_vt")


# --- kind by kind: the table's rows from a file's rows -------------------------------------------------------
def _fill(f: pl.DataFrame, t: schema.Table, defaults: Mapping[str, Any]) -> pl.DataFrame:
    """Every column of the table: an absent one takes its default (or null), then cast to the table's types."""
    add = [pl.lit(defaults.get(c.name)).alias(c.name) for c in t.columns if c.name not in f.columns]
    return f.with_columns(add).with_columns([pl.col(c).cast(dt) for c, dt in _pl_schema(t).items()])


def _procedures(res: ReadResult, f: pl.DataFrame, root: Path) -> tuple[pl.DataFrame, list[dict]]:
    """Codes for rows with only a name, fields from the catalogue, and the procedures to add."""
    cat = pl.read_parquet(schema.PROCEDURES.path(root)).cast(_pl_schema(schema.PROCEDURES))
    if "procedure_code" not in f.columns:
        f = f.with_columns(pl.lit(None, pl.Utf8).alias("procedure_code"))
    if "procedure_name" not in f.columns:
        f = f.with_columns(pl.lit(None, pl.Utf8).alias("procedure_name"))
    if "field" not in f.columns:
        f = f.with_columns(pl.lit(None, pl.Utf8).alias("field"))
    f = f.with_columns(pl.col("procedure_code").str.strip_chars().alias("procedure_code"))
    need = f.filter(pl.col("procedure_code").is_null() & pl.col("procedure_name").is_not_null())
    if need.height:
        by_name: dict[str, str | None] = {}
        for code, name in cat.select("code", "name").iter_rows():
            k = readers.normalise(name)
            by_name[k] = code if k not in by_name else None  # a name two codes share names neither
        names = need["procedure_name"].unique().to_list()
        code_of = {n: by_name.get(readers.normalise(n)) or
                   "TTHC-" + hashlib.sha256(readers.normalise(n).encode()).hexdigest()[:8].upper() for n in names}
        f = f.with_columns(pl.coalesce(pl.col("procedure_code"), pl.col("procedure_name").replace_strict(
            code_of, default=None, return_dtype=pl.Utf8)).alias("procedure_code"))
    f = f.with_columns(pl.col("procedure_code").replace_strict(cat["code"], cat["field"], default=None,
                                                               return_dtype=pl.Utf8).alias("_cat_field"))
    f = f.with_columns(pl.coalesce(pl.col("field"), pl.col("_cat_field"), pl.lit(UNKNOWN_FIELD)).alias("field"))
    new = f.filter(pl.col("_cat_field").is_null() & pl.col("procedure_code").is_not_null())
    added: list[dict] = []
    if new.height:
        g = (new.with_columns(pl.col("received_at").dt.date().alias("_d"), pl.col("due_at").dt.date().alias("_due"))
             .group_by("procedure_code").agg(
                 pl.col("procedure_name").drop_nulls().first(), pl.col("field").first(), pl.col("_level").first(),
                 pl.col("_d").min().alias("valid_from"), (pl.col("channel") == "truc_tuyen").any().alias("_online"),
                 (pl.col("fee_vnd").max() if "fee_vnd" in new.columns else pl.lit(0)).alias("_fee"),
                 pl.col("_d"), pl.col("_due")).sort("procedure_code"))
        for r in g.iter_rows(named=True):
            days = [(a, b) for a, b in zip(r["_d"], r["_due"]) if a and b and workdays.FIRST <= a <= b <= workdays.LAST]
            stat = 0
            if days:
                a = workdays.offsets(np.array([x for x, _ in days], dtype="datetime64[D]"))
                b = workdays.offsets(np.array([y for _, y in days], dtype="datetime64[D]"))
                stat = int(np.median(workdays.working_days_between(a, b)))
            added.append(dict(code=r["procedure_code"], name=r["procedure_name"] or r["procedure_code"],
                              field=r["field"], level=r["_level"] or "commune", agency="ubnd",
                              statutory_days=min(stat, 32_000), online_level="mot_phan" if r["_online"] else "khong",
                              fee_vnd=int(r["_fee"] or 0), paper_result=True, valid_from=r["valid_from"], valid_to=None))
    return f.drop("_cat_field"), added


def _dossier_rows(res: ReadResult, f: pl.DataFrame, root: Path) -> tuple[pl.DataFrame, list[dict]]:
    if "channel" not in f.columns:
        f = f.with_columns(pl.lit("truc_tiep").alias("channel"))
    f = f.with_columns(pl.col("channel").fill_null("truc_tiep"))
    f, added = _procedures(res, f, root)
    if "status" not in f.columns:
        fin = pl.col("finished_at") if "finished_at" in f.columns else pl.lit(None)
        ret = pl.col("returned_at") if "returned_at" in f.columns else pl.lit(None)
        f = f.with_columns(pl.when(ret.is_not_null()).then(pl.lit("da_tra")).when(fin.is_not_null())
                           .then(pl.lit("da_xu_ly")).otherwise(pl.lit("dang_xu_ly")).alias("status"))
    f = f.with_columns(pl.col("received_at").dt.year().cast(pl.Int16).alias("year"),
                       pl.col("_prov").alias("province_code"), pl.col("_dist").alias("district_code"))
    defaults = dict(supplement_count=0, supplement_days=0, digitised_input=False, e_result=False, reused_data=False,
                    paid_online=False, fee_vnd=0)
    f = f.with_columns([pl.col(c).fill_null(v) for c, v in defaults.items() if c in f.columns]
                       + [pl.col("status").fill_null("dang_xu_ly")])
    return _fill(f, schema.DOSSIERS, defaults), added


def _existing_dossiers(root: Path, ids: pl.Series) -> pl.DataFrame:
    files = sorted(glob.glob(schema.DOSSIERS.glob(root)))
    cols = ["dossier_id", "unit_code", "procedure_code", "field"]
    if not files:
        return pl.DataFrame(schema={c: pl.Utf8 for c in cols})
    return (pl.scan_parquet(files, hive_partitioning=False).select(cols)
            .join(pl.LazyFrame({"dossier_id": ids.unique()}), on="dossier_id", how="semi").collect()
            .unique("dossier_id", keep="first"))


def _rating_prepare(f: pl.DataFrame, root: Path) -> pl.DataFrame:
    """Unit, procedure and field of a rating from its dossier when the file does not give them."""
    lacks = [c for c in ("unit_code", "procedure_code", "field") if c not in f.columns]
    for c in lacks:
        f = f.with_columns(pl.lit(None, pl.Utf8).alias(c))
    if f.select(pl.any_horizontal(pl.col("unit_code", "procedure_code", "field").is_null()).any()).item():
        d = _existing_dossiers(root, f["dossier_id"].drop_nulls()).rename(
            {"unit_code": "_du", "procedure_code": "_dp", "field": "_df"})
        f = f.join(d, on="dossier_id", how="left").with_columns(
            pl.coalesce("unit_code", "_du").alias("unit_code"), pl.coalesce("procedure_code", "_dp").alias("procedure_code"),
            pl.coalesce("field", "_df").alias("field")).drop("_du", "_dp", "_df")
    return f


def _rating_rows(f: pl.DataFrame) -> pl.DataFrame:
    rid = pl.lit("R-") + pl.col("dossier_id") + pl.lit("-") + pl.col("rated_at").dt.strftime("%Y%m%d%H%M%S")
    f = f.with_columns((pl.coalesce(pl.col("rating_id"), rid) if "rating_id" in f.columns else rid).alias("rating_id"))
    f = f.with_columns(pl.col("rated_at").dt.year().cast(pl.Int16).alias("year"), pl.col("_prov").alias("province_code"),
                       pl.col("_dist").alias("district_code"), pl.col("procedure_code").fill_null(""),
                       pl.col("field").fill_null(""))
    if "channel" in f.columns:
        f = f.with_columns(pl.col("channel").fill_null("tai_quay"))
    return _fill(f, schema.RATINGS, {"channel": "tai_quay"})


def _feedback_rows(f: pl.DataFrame) -> pl.DataFrame:
    days = f["received_at"].dt.date().to_numpy().astype("datetime64[D]")
    inside = (days >= np.datetime64(workdays.FIRST)) & (days <= np.datetime64(workdays.LAST - timedelta(days=60)))
    due = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
    if inside.any():
        off = workdays.add_working_days(workdays.offsets(days[inside]), np.full(int(inside.sum()), FEEDBACK_DAYS))
        due[inside] = workdays.EPOCH + off
    default_due = pl.Series("_due", due).cast(pl.Datetime("ms")) + pl.duration(hours=17)
    f = f.with_columns(default_due.alias("_due")) if len(days) else f.with_columns(pl.lit(None, pl.Datetime("ms")).alias("_due"))
    f = f.with_columns((pl.coalesce("due_at", "_due") if "due_at" in f.columns else pl.col("_due")).alias("due_at"),
                       pl.col("_prov").alias("province_code"), pl.col("_dist").alias("district_code"))
    for c, v in (("kind", "khac"), ("channel", "cong_dvc")):
        if c in f.columns:
            f = f.with_columns(pl.col(c).fill_null(v))
    return _fill(f.drop("_due"), schema.FEEDBACK, {"kind": "khac", "channel": "cong_dvc"})


def _finance_rows(f: pl.DataFrame) -> pl.DataFrame:
    f = f.with_columns([pl.col(c).fill_null(0) for c in ("plan_vnd", "actual_vnd") if c in f.columns])
    return _fill(f, schema.FINANCES, {"plan_vnd": 0, "actual_vnd": 0})


def _fact_rows(res: ReadResult, f: pl.DataFrame, who: str) -> pl.DataFrame:
    defs = factsmod.indicators()
    col = _header(res, "indicator")
    for r, code, v in f.select("_row", "indicator", "value").iter_rows():
        if code is None:
            continue
        d = defs.get(code)
        if d is None:
            res.issues.append(_issue(res, r, col, "không phải mã chỉ tiêu tự báo cáo nào (cchc/reference/facts.csv)", code))
        elif v is not None and not (d.min <= v <= d.max):
            res.issues.append(_issue(res, r, _header(res, "value"),
                                     f"ngoài khoảng {fmt.number(d.min)}–{fmt.number(d.max)} của {d.name}", v))
    if "entered_by" in f.columns:
        f = f.with_columns(pl.col("entered_by").fill_null(who))
    return _fill(f, schema.FACTS, {"entered_by": who})


# --- comparing with what is stored ------------------------------------------------------------------------
def _compare(incoming: pl.DataFrame, existing: pl.DataFrame, t: schema.Table,
             provided: set[str]) -> tuple[pl.DataFrame, dict[str, int]]:
    """The incoming rows that change the table (new, or different from the stored row of their key:
    a column the file lacks keeps the stored value), and the counts new / updated / unchanged.
    ``existing`` holds the stored rows of the incoming keys (keys are unique on both sides). Rows are
    compared column by column on both sides sorted by key, not joined (a join would hold both
    sides' columns at once: a 1 M-row reload)."""
    key = list(t.key)
    cols = [c.name for c in t.columns]
    if not existing.height:
        return incoming.select(cols), {STATUS_NEW: incoming.height, STATUS_UPDATED: 0, STATUS_UNCHANGED: 0}
    stored = existing.select(key)
    fresh = incoming.join(stored, on=key, how="anti").select(cols)
    a = incoming.join(stored, on=key, how="semi").select(cols).sort(key)
    b = existing.select(cols).sort(key)
    keep = [c for c in cols if c not in key and c not in provided]
    if keep:
        a = a.with_columns([b[c] for c in keep])
    same = pl.Series([True] * a.height)
    for c in cols:
        if c not in key and c not in keep:
            same = same & a[c].eq_missing(b[c]).fill_null(False)
    del b
    updated = a.filter(~same)
    counts = {STATUS_NEW: fresh.height, STATUS_UPDATED: updated.height, STATUS_UNCHANGED: a.height - updated.height}
    del a
    return pl.concat([fresh, updated], how="vertical_relaxed") if updated.height else fresh, counts


def _moved_rows(kind: str, changed: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """The columns that say which unit-periods a change moves, of the new and the stored versions."""
    cols = ["unit_code", DAY_COLUMN[kind]] if kind in DAY_COLUMN else ["unit_code", "year"] + (
        ["month"] if kind == "finances" else [])
    return pl.concat([changed.select(cols), before.select(cols)], how="vertical_relaxed")


def _part_of(year: Any, province: Any) -> str:
    return f"year={year}/province_code={province}"


def _read_part(folder: Path, rel: str, t: schema.Table) -> pl.DataFrame:
    files = sorted(glob.glob(str(folder / rel / "*.parquet")))
    y, p = (s.split("=", 1)[1] for s in rel.split("/"))
    frames = [pl.read_parquet(f) for f in files]
    df = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()
    df = df.with_columns(pl.lit(int(y)).alias("year"), pl.lit(p).alias("province_code")) if df.width else df
    return df.select([c.name for c in t.columns]).cast(_pl_schema(t)) if df.width else pl.DataFrame(schema=_pl_schema(t))


def _diff_partitioned(root: Path, t: schema.Table, incoming: pl.DataFrame, provided: set[str]) -> tuple[TableChange, pl.DataFrame]:
    folder = t.path(root)
    key = list(t.key)
    # where the incoming keys are stored now: the key column of each partition, one at a time
    found = []
    inc_keys = incoming.select(key)
    for d in sorted(glob.glob(str(folder / "year=*" / "province_code=*"))) if folder.is_dir() else []:
        files = sorted(glob.glob(os.path.join(d, "*.parquet")))
        if not files:
            continue
        k = pl.read_parquet(files, columns=key).join(inc_keys, on=key, how="semi")
        if k.height:
            found.append(k.with_columns(pl.lit(os.path.relpath(d, folder).replace(os.sep, "/")).alias("_part")))
    idx = pl.concat(found) if found else pl.DataFrame(schema={**{k: pl.Utf8 for k in key}, "_part": pl.Utf8})
    del found, inc_keys
    old_parts = sorted(idx["_part"].unique().to_list())
    # rows not stored yet are new; the others are compared partition by partition (memory for one
    # partition's stored rows at a time: a reload of a 1 M-row file)
    fresh = incoming.join(idx.select(key), on=key, how="anti") if idx.height else incoming
    counts = {STATUS_NEW: fresh.height, STATUS_UPDATED: 0, STATUS_UNCHANGED: 0}
    changed_parts, moved_parts = [fresh.select([c.name for c in t.columns])], [_moved_rows(t.name, fresh, fresh.clear())]
    for rel in old_parts:
        ex = _read_part(folder, rel, t).join(idx.filter(pl.col("_part") == rel).select(key), on=key, how="semi")
        chg, cnt = _compare(incoming.join(ex.select(key), on=key, how="semi"), ex, t, provided)
        counts[STATUS_UPDATED] += cnt[STATUS_UPDATED]
        counts[STATUS_UNCHANGED] += cnt[STATUS_UNCHANGED]
        if chg.height:
            changed_parts.append(chg)
            moved_parts.append(_moved_rows(t.name, chg, ex.join(chg.select(key), on=key, how="semi")))
        del ex, chg
    changed = pl.concat(changed_parts, how="vertical_relaxed") if len(changed_parts) > 1 else changed_parts[0]
    moved = pl.concat(moved_parts, how="vertical_relaxed") if len(moved_parts) > 1 else moved_parts[0]
    del changed_parts, moved_parts, fresh
    ch = TableChange(t.name, **counts)
    if changed.height:
        changed = changed.with_columns(pl.format("year={}/province_code={}", "year", "province_code").alias("_part"))
        left = idx.join(changed.select(key), on=key, how="semi")["_part"].unique().to_list()
        touched = sorted(set(changed["_part"].unique().to_list()) | set(left))
        ch.rows, ch.touched, ch.left = changed, touched, set(left)
        ch.provinces = {rel.split("province_code=", 1)[1] for rel in touched}
    return ch, moved


def _partition(root: Path, t: schema.Table, ch: TableChange, rel: str) -> pl.DataFrame:
    """The new content of one touched partition: its stored rows less the changed keys, plus the changed
    rows that go to it, sorted as the files are (unit, day, key)."""
    assert ch.rows is not None
    key = list(t.key)
    folder = t.path(root)
    cur = _read_part(folder, rel, t) if (folder / rel).is_dir() else pl.DataFrame(schema=_pl_schema(t))
    if cur.height and rel in ch.left:
        cur = cur.join(ch.rows.select(key), on=key, how="anti")
    new = ch.rows.filter(pl.col("_part") == rel).select([c.name for c in t.columns])
    return (pl.concat([cur, new], how="vertical_relaxed") if cur.height else new).sort(SORT[t.name])


def _diff_file(root: Path, t: schema.Table, incoming: pl.DataFrame, provided: set[str]) -> tuple[TableChange, pl.DataFrame]:
    path = t.path(root)
    existing = (pl.read_parquet(path).select([c.name for c in t.columns]).cast(_pl_schema(t)) if path.exists()
                else pl.DataFrame(schema=_pl_schema(t)))
    key = list(t.key)
    changed, counts = _compare(incoming, existing.join(incoming.select(key), on=key, how="semi"), t, provided)
    ch = TableChange(t.name, **counts)
    before = existing.join(changed.select(key), on=key, how="semi") if changed.height else existing.clear()
    if changed.height:
        ch.whole = pl.concat([existing.join(changed.select(key), on=key, how="anti"), changed],
                             how="vertical_relaxed").sort(key)
    moved = _moved_rows(t.name, changed, before) if t.name in KINDS else changed
    return ch, moved


def _facts_keys(incoming: pl.DataFrame, root: Path, provided: set[str]) -> pl.DataFrame:
    """Facts without an entry time: a value equal (with its note) to the one in use is that entry
    (unchanged); another is a new entry now, later than the one in use (facts_entry's rule)."""
    if "entered_at" in provided:
        return incoming
    path = schema.FACTS.path(root)
    cur = (pl.read_parquet(path).cast(_pl_schema(schema.FACTS)) if path.exists() else pl.DataFrame(schema=_pl_schema(schema.FACTS)))
    cur = (cur.sort("entered_at", descending=True).unique(["unit_code", "year", "indicator"], keep="first")
           .select("unit_code", "year", "indicator", pl.col("value").alias("_v"), pl.col("note").alias("_n"),
                   pl.col("entered_at").alias("_at"), pl.col("entered_by").alias("_by")))
    now = pl.lit(_now()).cast(pl.Datetime("ms"))
    j = incoming.drop("entered_at").join(cur, on=["unit_code", "year", "indicator"], how="left")
    same = pl.col("_at").is_not_null() & pl.col("value").eq_missing(pl.col("_v")) & (
        pl.col("note").eq_missing(pl.col("_n")) if "note" in provided else pl.lit(True))
    later = pl.when(pl.col("_at").is_not_null() & (pl.col("_at") >= now)).then(pl.col("_at") + pl.duration(seconds=1)).otherwise(now)
    j = j.with_columns(pl.when(same).then(pl.col("_at")).otherwise(later).alias("entered_at"),
                       pl.when(same).then(pl.col("_by")).otherwise(pl.col("entered_by")).alias("entered_by"),
                       pl.when(same & pl.lit("note" not in provided)).then(pl.col("_n")).otherwise(pl.col("note")).alias("note"))
    return j.drop("_v", "_n", "_at", "_by").cast(_pl_schema(schema.FACTS))


def _periods(kind: str, rows: pl.DataFrame) -> list[tuple[str, str]]:
    if not rows.height:
        return []
    if kind in DAY_COLUMN:
        m = rows.select("unit_code", pl.col(DAY_COLUMN[kind]).dt.truncate("1mo").alias("d")).unique()
        m = m.select("unit_code", pl.col("d").dt.strftime("%m/%Y").alias("m"), pl.col("d").dt.strftime("%Y%m").alias("s"))
    elif kind == "finances":
        m = rows.select("unit_code", pl.format("{}/{}", pl.col("month").cast(pl.Utf8).str.zfill(2), "year").alias("m"),
                        pl.format("{}{}", "year", pl.col("month").cast(pl.Utf8).str.zfill(2)).alias("s"))
    else:
        m = rows.select("unit_code", pl.format("năm {}", "year").alias("m"), pl.col("year").cast(pl.Utf8).alias("s"))
    m = m.unique().sort("s", "unit_code")
    return [(u, p) for u, p, _ in m.iter_rows()]


# --- the plan --------------------------------------------------------------------------------------------
def plan(res: ReadResult, root: Path, *, sha256: str = "", unit: str | None = None, policy: str = REJECT,
         who: str | None = None, remembered: dict | None = None, progress: Progress | None = None) -> Plan:
    """What loading ``res`` into ``root`` would change (nothing written). Adds the loader's row issues
    to ``res.issues``."""
    say = progress or (lambda f, t: None)
    root = Path(root)
    kind = res.kind
    t = schema.TABLES[kind]
    res.issues += readers.check_rows(res)
    # the file row of each frame row, as an array (a list of 1 M Python ints is ≈ 100 MB more)
    res.rows = np.asarray(res.rows, dtype=np.int64)
    f = res.frame.with_columns(pl.Series("_row", res.rows, dtype=pl.Int64))
    provided = {m.column for m in res.matches} - {"year", "province_code", "district_code"}
    if kind == "ratings":
        f = _rating_prepare(f, root)
        provided |= {"unit_code", "procedure_code", "field"} & set(f.columns)
    say(0.45, "Kiểm tra mã đơn vị theo bản đồ hành chính của từng ngày")
    f = _with_units(res, f, kind, unit, _units(root))
    added: list[dict] = []
    whoami = _who(who)
    if kind == "dossiers":
        f, added = _dossier_rows(res, f, root)
        provided |= {"procedure_code", "field", "status", "channel"} & {c for c in f.columns}
    elif kind == "ratings":
        f = _rating_rows(f)
        provided |= {"rating_id"}
    elif kind == "feedback":
        f = _feedback_rows(f)
    elif kind == "finances":
        f = _finance_rows(f)
    else:
        f = _fact_rows(res, f, whoami)
    provided |= {"year", "province_code", "district_code"} & {c.name for c in t.columns}
    # a safety net: a required column still empty in a row not rejected yet (e.g. a feedback's due day
    # outside the working-day calendar) rejects the row rather than writing a null
    bad = res.rejected_rows()
    for c in t.columns:
        if not c.nullable and c.name in f.columns and not (kind == "facts" and c.name == "entered_at"):
            for (r,) in f.filter(pl.col(c.name).is_null() & ~pl.col("_row").is_in(list(bad))).select("_row").iter_rows():
                res.issues.append(_issue(res, r, _header(res, c.name), f"thiếu {c.vi.lower()} (không suy ra được)"))
    bad = res.rejected_rows()
    if policy == REJECT and bad:
        msgs = _row_messages(res)
        more = len(msgs) - MAX_MESSAGES
        raise LoadError([f"Tệp {res.file}: {fmt.number(len(bad))} dòng có lỗi; không nạp gì (dùng --valid-only hoặc "
                         "--reject-file TỆP để nạp các dòng đúng và nhận lại các dòng bị loại)."]
                        + msgs[:MAX_MESSAGES] + ([f"… và {fmt.number(more)} lỗi khác."] if more > 0 else []))
    valid = f.filter(~pl.col("_row").is_in(list(bad))) if bad else f
    cols = [c.name for c in t.columns]
    incoming = valid.select(cols)
    provinces = set(valid["_prov"].drop_nulls().unique().to_list())
    used = set(incoming["procedure_code"].unique().to_list()) if kind == "dossiers" else set()
    del f, valid  # the file's other columns: memory for the comparison (a 1 M-row file)
    if kind == "facts":
        incoming = _facts_keys(incoming, root, provided)
        provided |= {"entered_at", "entered_by", "note"}
    say(0.6, f"So sánh với dữ liệu đã có ({schema.TABLES[kind].vi.lower()})")
    if t.partition_by:
        ch, moved = _diff_partitioned(root, t, incoming, provided)
    else:
        ch, moved = _diff_file(root, t, incoming, provided)
    ch.rejected = len(bad)
    tables = {t.name: ch}
    del incoming
    added = [p for p in added if p["code"] in used]
    if kind == "dossiers":
        pt = schema.PROCEDURES
        padd = pl.DataFrame(added, schema=_pl_schema(pt), orient="row") if added else pl.DataFrame(schema=_pl_schema(pt))
        pch, _ = _diff_file(root, pt, padd, {c.name for c in pt.columns})
        tables[pt.name] = pch
    return Plan(res.file, sha256, kind, res, policy, tables, _periods(kind, moved), added,
                provinces, remembered)


def preview(data: bytes, name: str, root: str | os.PathLike, kind: str | None = None, *, unit: str | None = None,
            mapping: Mapping[str, str | None] | None = None, sheet: str | None = None, policy: str = VALID_ONLY,
            progress: Progress | None = None) -> Plan:
    """The dry run: what a load of this file would change, rejected rows included (policy VALID_ONLY by
    default, so the preview lists them instead of refusing). Nothing is written."""
    say = progress or (lambda f, t: None)
    root = Path(root)
    _check_root(root)
    say(0.05, f"Đọc tệp {name}")
    res, used = read(data, name, root, kind, sheet=sheet, mapping=mapping)
    sha = hashlib.sha256(data).hexdigest()
    del data
    return plan(res, root, sha256=sha, unit=unit, policy=policy, remembered=used, progress=progress)


def preview_file(path: str | os.PathLike, root: str | os.PathLike, kind: str | None = None, **kw) -> Plan:
    return preview(_file_bytes(path), Path(path).name, root, kind, **kw)


def _file_bytes(path: str | os.PathLike) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        raise LoadError(f"Không tìm thấy tệp {p}.") from None
    if size > readers.MAX_FILE_BYTES:
        raise LoadError(readers._too_big(p.name, size) + ".")
    return p.read_bytes()


def _check_root(root: Path) -> None:
    if not root.is_dir() or not schema.UNITS.path(root).exists() or not schema.PROCEDURES.path(root).exists():
        raise LoadError(f"Thư mục dữ liệu {root} chưa có danh mục đơn vị và thủ tục (units.parquet, procedures.parquet): "
                        "hãy tạo dữ liệu (python -m cchc sample) hoặc chọn đúng --data-dir.")


# --- the state of a table, keeping and restoring versions --------------------------------------------------
def _sig(root: Path, t: schema.Table) -> str | None:
    """A fingerprint of a table as it is on disk (file names, sizes, modification times)."""
    p = t.path(root)
    if not p.exists():
        return None
    if p.is_dir():
        items = []
        for d, _dirs, files in os.walk(p):
            for f in files:
                st = os.stat(os.path.join(d, f))
                items.append([os.path.relpath(os.path.join(d, f), p), st.st_size, st.st_mtime_ns])
        items.sort()
    else:
        st = p.stat()
        items = [st.st_size, st.st_mtime_ns, st.st_ino]
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:24]


def _keep(root: Path, t: schema.Table, folder: Path) -> bool:
    """The table as it is now, kept (hard links) in the load's folder; False if it does not exist."""
    p = t.path(root)
    if not p.exists():
        return False
    if p.is_dir():
        (folder / t.name).mkdir()
        store.link_copy(p, folder / t.name)
    else:
        os.link(p, folder / p.name)
    return True


def _restore(root: Path, t: schema.Table, folder: Path) -> None:
    """Put back the version of ``t`` kept in ``folder`` (the caller holds the table's lock)."""
    p = t.path(root)
    kept = folder / (t.name if t.partition_by else p.name)
    if not kept.exists():
        return
    if t.partition_by:
        tmp = store.temp_dir(root, t.name)
        try:
            store.link_copy(kept, tmp)
            store.swap_dir(tmp, p)
        except BaseException:
            store.discard(tmp)
            raise
    else:
        store.replace_file(p, lambda tmp: os.link(kept, tmp), lambda tmp: pq.read_metadata(tmp))


def _write_table(root: Path, ch: TableChange) -> None:
    t = schema.TABLES[ch.table]
    if t.partition_by:
        folder = t.path(root)
        tmp = store.temp_dir(root, t.name)
        try:
            touched = set(ch.touched)
            if folder.is_dir():
                store.link_copy(folder, tmp, skip=lambda rel: rel in touched)
            fs = _file_schema(t)
            for rel in ch.touched:
                df = _partition(root, t, ch, rel)   # one at a time: memory for one partition, not all
                if not df.height:
                    continue
                d = tmp / rel
                d.mkdir(parents=True, exist_ok=True)
                pq.write_table(df.select(t.file_columns).to_arrow().cast(fs), d / "part-0000.parquet",
                               row_group_size=ROW_GROUP)
            store.swap_dir(tmp, folder)
        except BaseException:
            store.discard(tmp)
            raise
    else:
        assert ch.whole is not None
        store.write_table(t.path(root), ch.whole.to_arrow().cast(t.arrow_schema))


# --- who may load ---------------------------------------------------------------------------------------------
def _require(by: access.Identity, action: str) -> None:
    try:
        by.require(action)
    except access.AccessError as e:
        raise LoadError(str(e)) from None


def _map_of(when: str) -> str:
    """The map of a changed period as Plan.periods names it ("05/2023" or "năm 2023")."""
    if when.startswith("năm "):
        return units.map_of_year(int(when[4:]))
    month, year = when.split("/")
    return units.map_on(date(int(year), int(month), 1))


def _check_scope(by: access.Identity, root: Path, periods: list[tuple[str, str]]) -> None:
    """Refuse (LoadError, nothing written) a file with rows of units outside ``by``'s scope."""
    if by.scope.kind == "country" or not periods:
        return
    from ..db import Database
    db = Database(root)
    try:
        outside: list[str] = []
        for m, code in sorted({(_map_of(when), code) for code, when in periods}):
            try:
                u = units.get(db, m, code)
            except units.UnitError:
                outside.append(code)
                continue
            if not by.covers(db, u):
                outside.append(f"{u.name} ({u.key})")
        if outside:
            more = f" và {fmt.number(len(outside) - 10)} đơn vị khác" if len(outside) > 10 else ""
            raise LoadError(f"Tệp có số liệu của đơn vị ngoài phạm vi của tài khoản {by.username} "
                            f"({by.scope.label(db)}): {', '.join(outside[:10])}{more}. Không nạp gì.")
    finally:
        db.close()


def _check_undo_scope(by: access.Identity, root: Path, target: dict) -> None:
    """A load may be undone by whoever made it, a national scope, or a province scope covering every
    province partition it changed."""
    if by.scope.kind == "country" or target.get("by") == by.who:
        return
    allowed = set()
    if by.scope.kind == "provinces":
        from ..db import Database
        db = Database(root)
        try:
            sets = access.allowed_sets(db, by.scope)
        finally:
            db.close()
        allowed = sets["new_provinces"] | sets["old_provinces"]
    if not set(target.get("provinces", [])) <= allowed or not allowed:
        raise LoadError(f"Lần nạp {target['id']} (tệp {target['file']}) có số liệu ngoài phạm vi của tài khoản "
                        f"{by.username}: chỉ người đã nạp hoặc người có phạm vi bao trùm mới hoàn tác được.")


# --- the log -----------------------------------------------------------------------------------------------
def log_entries(root: str | os.PathLike) -> list[dict]:
    """The load log, oldest first."""
    p = Path(root) / LOADS / LOG
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _append_log(root: Path, entry: dict) -> None:
    """Append one entry through the one write path (the caller holds the loads lock)."""
    p = root / LOADS / LOG
    p.parent.mkdir(exist_ok=True)
    store.clean_leftovers(p.parent, LOG)
    old = p.read_bytes() if p.exists() else b""
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")

    def check(tmp: Path) -> None:
        for ln in tmp.read_text(encoding="utf-8").splitlines():
            json.loads(ln)

    store.replace_file(p, lambda tmp: tmp.write_bytes(old + line), check)


def _new_id() -> str:
    return _now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def _recover(root: Path) -> list[str]:
    """Roll back a load killed before its commit (a journal without a log entry): the tables it may
    have written put back as they were. Returns the ids rolled back. Caller holds the loads lock."""
    folder = root / LOADS
    if not folder.is_dir():
        return []
    done = {e["id"] for e in log_entries(root)}
    out = []
    for d in sorted(folder.iterdir()):
        j = d / JOURNAL
        if not d.is_dir() or not j.exists():
            continue
        if d.name not in done:
            info = json.loads(j.read_text(encoding="utf-8"))
            provinces: set[str] = set()
            for name in info["tables"]:
                t = schema.TABLES[name]
                with store.writing(root, t.path(root).name, what=t.vi):
                    if t.partition_by:
                        store.recover(t.path(root))
                    _restore(root, t, d)
            provinces |= set(info.get("provinces", []))
            store.discard(d)
            _rollups(root, provinces)
            out.append(d.name)
        else:
            store.discard(j)
    return out


def recover(root: str | os.PathLike) -> list[str]:
    """Roll back a load killed before its commit (every load and undo does it first; a page may call it
    when it opens). Returns the load ids rolled back."""
    root = Path(root)
    if not (root / LOADS).is_dir():
        return []
    with store.writing(root, LOADS, what="dữ liệu (một lần nạp khác đang chạy)"):
        return _recover(root)


def _stale(root: Path, name: str, province: str) -> bool:
    """A rollup that does not match its source for the province (one with no source rows and none
    recorded is not stale: there is nothing to add up)."""
    if rollup.source_signature(root, rollup.ROLLUPS[name][0], province):
        return not rollup.fresh(root, name, province)
    return province in rollup.built(root, name).get("provinces", {})


def _rollups(root: Path, provinces: set[str], only_stale: bool = False) -> list[str]:
    todo = sorted(p for p in provinces if p)
    if only_stale:
        todo = [p for p in todo if any(_stale(root, n, p) for n in rollup.ROLLUPS)]
    if todo:
        rollup.build(root, todo)
    return todo


# --- load and undo -----------------------------------------------------------------------------------------
def load(data: bytes | Path, name: str, root: str | os.PathLike, kind: str | None = None, *, unit: str | None = None,
         mapping: Mapping[str, str | None] | None = None, sheet: str | None = None, policy: str = REJECT,
         who: str | None = None, progress: Progress | None = None, by: access.Identity) -> LoadReport:
    """Check and load a file's rows (see the module doc). Raises LoadError (nothing changed) when the
    file is refused: among others when ``by`` (the identity loading it) may not load, or the file has
    rows of a unit outside its scope. ``who`` is the name the log and the facts keep (default: ``by``'s)."""
    t0 = time.perf_counter()
    say = progress or (lambda f, t: None)
    root = Path(root)
    _check_root(root)
    try:  # Arrow's allocator gives freed memory back at once (as the CLI asks of polars'): a big file's peak
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowException, AttributeError):
        pass
    if policy not in (REJECT, VALID_ONLY):
        raise ValueError(policy)
    _require(by, "load")
    who = who if who is not None and str(who).strip() else (by.display_name or by.username)
    say(0.05, f"Đọc tệp {name}")
    if isinstance(data, Path):  # load_file: the bytes held here only, so freed once read
        data = _file_bytes(data)
    res, used = read(data, name, root, kind, sheet=sheet, mapping=mapping)
    sha = hashlib.sha256(data).hexdigest()
    del data  # the file's bytes are not needed any more (a 1 M-row CSV: 160 MB)
    k = schema.TABLES[res.kind]
    whoami = _who(who)
    try:
        with store.writing(root, LOADS, what="dữ liệu (một lần nạp khác đang chạy)"):
            _recover(root)
            with ExitStack() as stack:
                names = [k.name] + ([schema.PROCEDURES.name] if k.name == "dossiers" else [])
                for n in names:
                    t = schema.TABLES[n]
                    stack.enter_context(store.writing(root, t.path(root).name, what=t.vi))
                    if t.partition_by:
                        store.recover(t.path(root))
                pl_ = plan(res, root, sha256=sha, unit=unit, policy=policy, who=who, remembered=used, progress=progress)
                _check_scope(by, root, pl_.periods)
                # the catalogue first: killed between the two, a procedure is listed that no dossier uses yet
                changed = sorted((ch for ch in pl_.tables.values() if ch.changed),
                                 key=lambda ch: ch.table != schema.PROCEDURES.name)
                entry = {"id": None, "action": "load", "who": whoami, "by": by.who, "at": _now().isoformat(sep=" "), "file": name,
                         "sha256": pl_.sha256, "kind": pl_.kind, "counts": pl_.counts,
                         "procedures_added": [p["code"] for p in pl_.procedures_added], "tables": {},
                         "provinces": sorted(set().union(*(c.provinces for c in changed)) if changed else [])}
                load_id = None
                if changed:
                    load_id = entry["id"] = _new_id()
                    folder = root / LOADS / load_id
                    folder.mkdir(parents=True)
                    # the journal first: a run killed from here until the commit is rolled back next time
                    jtext = json.dumps({"id": load_id, "tables": [c.table for c in changed],
                                        "provinces": entry["provinces"]})
                    store.replace_file(folder / JOURNAL, lambda tmp: tmp.write_text(jtext, encoding="utf-8"))
                    for i, ch in enumerate(changed):
                        t = schema.TABLES[ch.table]
                        before = _sig(root, t)
                        existed = _keep(root, t, folder)
                        say(0.7 + 0.15 * i / len(changed), f"Ghi {t.vi.lower()}")
                        _write_table(root, ch)
                        entry["tables"][ch.table] = {"kept": existed, "before": before, "after": _sig(root, t)}
                else:
                    entry["id"] = _new_id()
                _append_log(root, entry)                      # the commit
                if load_id:
                    touched = sorted({u for u, _ in pl_.periods})
                    audit.record(root, by, "load", unit=touched[0] if len(touched) == 1 else None, file=name,
                                 sha256=pl_.sha256, note=f"Lần nạp {load_id}; tỉnh {', '.join(entry['provinces'])}",
                                 after={"kind": pl_.kind, "counts": pl_.counts, "units": touched[:50]})
                    store.discard(root / LOADS / load_id / JOURNAL)
                    for d in (root / LOADS).iterdir():        # only the last load can be undone
                        if d.is_dir() and d.name != load_id:
                            store.discard(d)
            _release(pl_)
            say(0.9, "Tổng hợp lại theo ngày các tỉnh có thay đổi")
            built = _rollups(root, set(entry["provinces"])) if load_id else []
            built += _rollups(root, pl_.provinces - set(built), only_stale=True)
            if mapping:
                remember_mapping(root, res, mapping)
    except store.Busy as e:
        raise LoadError(str(e)) from None
    say(1.0, "Xong")
    return LoadReport(load_id, pl_, round(time.perf_counter() - t0, 2), built)


def _release(p: Plan) -> None:
    """After the write: the plan keeps its counts and the rejected rows only (memory for the rollups;
    ``p.read.frame`` and ``p.read.rows`` then hold the rejected rows)."""
    for ch in p.tables.values():
        ch.rows = ch.whole = None
    res = p.read
    p.rows_read = res.frame.height
    bad = sorted(res.rejected_rows())
    keep = np.flatnonzero(np.isin(np.asarray(res.rows), np.asarray(bad, dtype=np.int64))) if bad else np.array([], np.int64)
    res.frame = res.frame[keep] if res.frame.width else res.frame
    res.rows = np.asarray(res.rows)[keep]
    gc.collect()


def load_file(path: str | os.PathLike, root: str | os.PathLike, kind: str | None = None, **kw) -> LoadReport:
    return load(Path(path), Path(path).name, root, kind, **kw)


def undo(root: str | os.PathLike, who: str | None = None, progress: Progress | None = None, *,
         by: access.Identity) -> UndoReport:
    """Put back every table the last load changed as it was before it, table by table atomically, and
    log the undo. Refuses (LoadError) when there is nothing to undo, when the last load was already
    undone, when a table changed since the load (another writer's changes would be lost), or when
    ``by`` may not undo it (the role; a load of provinces outside its scope that it did not make)."""
    _require(by, "undo_load")
    who = who if who is not None and str(who).strip() else (by.display_name or by.username)
    t0 = time.perf_counter()
    say = progress or (lambda f, t: None)
    root = Path(root)
    try:
        with store.writing(root, LOADS, what="dữ liệu (một lần nạp khác đang chạy)"):
            _recover(root)
            target = None
            for e in reversed(log_entries(root)):
                if e["action"] == "undo":
                    raise LoadError(f"Lần nạp gần nhất ({e['undoes']}, tệp {e['file']}) đã được hoàn tác lúc {e['at']}; "
                                    "không còn lần nạp nào hoàn tác được.")
                if e.get("tables"):
                    target = e
                    break
            if target is None:
                raise LoadError("Chưa có lần nạp nào thay đổi dữ liệu: không có gì để hoàn tác.")
            _check_undo_scope(by, root, target)
            folder = root / LOADS / target["id"]
            if not folder.is_dir():
                raise LoadError(f"Không còn bản dữ liệu trước lần nạp {target['id']}: không hoàn tác được.")
            with ExitStack() as stack:
                tabs = [schema.TABLES[n] for n in target["tables"]]
                for t in tabs:
                    stack.enter_context(store.writing(root, t.path(root).name, what=t.vi))
                    if t.partition_by:
                        store.recover(t.path(root))
                for t in tabs:
                    info = target["tables"][t.name]
                    if _sig(root, t) not in (info["after"], info["before"]):
                        raise LoadError(f"{t.vi} đã thay đổi sau lần nạp {target['id']} (tệp {target['file']}): không "
                                        "hoàn tác, để không làm mất các thay đổi sau đó.")
                for i, t in enumerate(tabs):
                    say(0.1 + 0.6 * i / len(tabs), f"Khôi phục {t.vi.lower()}")
                    _restore(root, t, folder)
                _append_log(root, {"id": _new_id(), "action": "undo", "undoes": target["id"], "file": target["file"],
                                   "who": _who(who), "by": by.who, "at": _now().isoformat(sep=" "), "tables": {},
                                   "provinces": target.get("provinces", [])})
                audit.record(root, by, "undo", file=target["file"], sha256=target.get("sha256"),
                             note=f"Hoàn tác lần nạp {target['id']}; tỉnh {', '.join(target.get('provinces', []))}",
                             before={"counts": target.get("counts")})
            store.discard(folder)
            say(0.8, "Tổng hợp lại theo ngày")
            _rollups(root, set(target.get("provinces", [])))
    except store.Busy as e:
        raise LoadError(str(e)) from None
    say(1.0, "Xong")
    return UndoReport(target["id"], target["file"], list(target["tables"]), round(time.perf_counter() - t0, 2))


# --- the rejected rows as a file ------------------------------------------------------------------------------
def rejected_bytes(p: Plan, name: str) -> bytes:
    """The rejected rows (with "Dòng" and "Lý do") as CSV (UTF-8 with BOM, for Excel) or XLSX by the name."""
    df = p.rejected()
    if name.lower().endswith(".xlsx"):
        from openpyxl import Workbook
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Dòng bị loại")
        ws.append(df.columns)
        for r in df.iter_rows():
            ws.append(["'" + v if isinstance(v, str) and v[:1] in readers.FORMULA_START else v for v in r])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(df.columns)
    w.writerows(df.iter_rows())
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_rejected(p: Plan, out: str | os.PathLike) -> int:
    """Write the rejected rows to ``out`` (outside the data folder: the user's file). Returns how many."""
    out = Path(out)
    out.write_bytes(rejected_bytes(p, out.name))
    return p.rejected_count


def parse_map(items: list[str] | None) -> dict[str, str] | None:
    """--map "Cột X=received_at" (several): {header: column}; an empty column ignores the header."""
    if not items:
        return None
    out: dict[str, str] = {}
    for it in items:
        if "=" not in it:
            raise LoadError(f"--map \"{readers.shown(it)}\": cần dạng \"Tên cột trong tệp=cột\" (ví dụ \"Ngày nộp=received_at\").")
        h, c = it.rsplit("=", 1)
        h = unicodedata.normalize("NFC", h.strip())
        if not h or len(h) > 200:
            raise LoadError(f"--map \"{readers.shown(it)}\": thiếu tên cột trong tệp.")
        out[h] = c.strip()
    return out


__all__ = ["KINDS", "REJECT", "VALID_ONLY", "LoadError", "Plan", "TableChange", "LoadReport", "UndoReport", "read",
           "plan", "preview", "preview_file", "load", "load_file", "undo", "recover", "log_entries", "rejected_bytes",
           "write_rejected", "parse_map", "header_key", "remembered_mappings", "remember_mapping"]
