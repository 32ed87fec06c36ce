"""Published index results (the national 766 index as the National Public Service Portal serves it)
into the ``index_results`` table.

    report = import_file(Path("chi-so-766-2025-thang-10.xlsx"), data_dir)
    report.rows, report.replaced, report.mismatches      # rows written; group sums ≠ total

Two file shapes are read:

* **xlsx** as exported by the public dashboard of github.com/truongquangphuc/new-766 (the real copy
  ships as cchc/reference/chi-so-766-2025-thang-10.xlsx): sheets "Điểm năm" (provinces, year to
  date), "Điểm tháng" (provinces, one month), "Sở Ban" (departments of one province, that month),
  "Xã Phường" (communes of that province, year to date), each with the portal's columns ID, TEN,
  TEN_COQUAN, MA_COQUAN, LOAI_COQUAN, CAPDONVIID, ID_COQUAN, TDGQ, MDHL, MDSH, TTTT, CLGQ, CKMB,
  TONG_SCORE, ROW_STT, every cell text; and "Xu hướng tháng" / "Xu hướng quý" (one province's total
  per month / quarter, rounded to 0,1). The year and month are not in the sheets: they are taken
  from the arguments, else from the file name (``..._T10_2025``, ``...-2025-thang-10``), else from
  the last row of "Xu hướng tháng".
* **JSON**: either one portal response (a list of records with those field names; the period must
  then be given: ``year`` and ``month`` or ``quarter``), or an envelope holding several responses
  with the request that produced each: ``{"responses": [{"name", "request": {"p_nam", "p_thang",
  "p_quy", ...}, "data": [records]}]}`` (the shipped cchc/reference/chi-so-766-2025-thang-10.json).

Checks: every score cell parses as a number within 0..the group's maximum (cells are text; a comma
decimal is accepted), ranks are whole numbers, each unit appears once per period, every province row
(LOAI_COQUAN 1) names one of the 34 provinces (provinces-2025.csv), and no text cell of a name or
code column (TEXT_COLUMNS) begins like a spreadsheet formula (= + - @, a tab or a carriage return:
it would run as one when the table is exported and opened). One unreadable cell and nothing is
written (ResultsImportError lists the problems with sheet, row and column).

Hostile files are refused before they are read in full: a file over MAX_FILE_BYTES; a workbook that
is not a ZIP with xl/workbook.xml, whose members unpack to more than MAX_XLSX_UNPACKED_BYTES (a zip
bomb) or whose sheet has more than MAX_SHEET_ROWS rows (openpyxl read-only, formulas read as written,
never evaluated); a JSON nested deeper than MAX_JSON_DEPTH (checked on the text, before json.loads).
Rows whose six group scores do not add up to TONG_SCORE within 0,01 are imported but reported.
The table is rewritten atomically (a temporary file, then a rename); rows of other files are kept,
rows with the same key (index, period, unit level, unit, group) are replaced.
"""
from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from .. import access, audit, fmt, schema, scoring, store
from .readers import FORMULA_START, check_xlsx_container, text_problem  # noqa: F401 - FORMULA_START: kept importable
from .readers import cell_text as _text
from .readers import json_depth as _json_depth
from .readers import mb as _mb
from .readers import shown as _shown

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
BUNDLED_XLSX = REFERENCE / "chi-so-766-2025-thang-10.xlsx"
BUNDLED_JSON = REFERENCE / "chi-so-766-2025-thang-10.json"
PROVINCES_CSV = REFERENCE / "provinces-2025.csv"

INDEX_CODE = "766"
# Group codes of the portal (the columns of its records) with their maxima and names, in the order of
# the definition: read from cchc/indexes/766.toml, the one place they are written (domain.md §2;
# data/real/README.md). The group codes of the definition are the portal's column names.
_INDEX = scoring.load_index(INDEX_CODE)
GROUPS = {g.code: float(g.max) for g in _INDEX.groups}
TOTAL = "TONG"
GROUP_NAMES = {**{g.code: g.name for g in _INDEX.groups}, TOTAL: "Tổng điểm"}
MAX_TOTAL = float(_INDEX.max_total)
REQUIRED = ["ID", "TEN", "LOAI_COQUAN", *GROUPS, "TONG_SCORE"]
LEVELS = {"1": "province", "2": "department", "3": "commune"}
SUM_TOLERANCE = 0.01
# Text columns of the portal's records: codes and names, stored or shown; a cell here must not look
# like a spreadsheet formula (FORMULA_START) nor hold control characters, and is at most MAX_TEXT long.
TEXT_COLUMNS = ("ID", "TEN", "TEN_COQUAN", "MA_COQUAN", "LOAI_COQUAN", "CAPDONVIID", "ID_COQUAN")
MAX_TEXT = 300
# Limits on an imported file (the real files: 24 KB xlsx, 79 KB JSON; the national commune list
# would be ~1,5 MB). The server's upload limit (.streamlit/config.toml, 50 MB) is above these so that
# an oversize upload gets this module's Vietnamese message.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024   # the members of the workbook, unpacked (zip bombs)
MAX_XLSX_MEMBERS = 1000
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 64                         # the portal's sheets have 15; cells further right are not read
MAX_JSON_DEPTH = 32                            # the portal's envelope nests 5 deep
YEARS = (2000, 2100)                           # a year outside is a typo (and would not fit the table)
MAX_RANK = 100_000
# Sheets of the exported workbook: period kind (the month comes from the file) and what they hold.
SHEETS = {
    "Điểm năm": ("cal_year", "tỉnh, thành phố, năm"),
    "Điểm tháng": ("cal_month", "tỉnh, thành phố, tháng"),
    "Sở Ban": ("cal_month", "sở, ban, ngành của tỉnh, tháng"),
    "Xã Phường": ("cal_year", "xã, phường của tỉnh, năm"),
}
TREND_SHEETS = {"Xu hướng tháng": ("month", "cal_month"), "Xu hướng quý": ("quarter", "cal_quarter")}


class ResultsImportError(ValueError):
    """A file that cannot be imported (message in Vietnamese, naming sheet, row and column)."""


@dataclass
class ImportReport:
    path: Path
    rows: int = 0                     # rows written from this file
    replaced: int = 0                 # of which replaced rows already in the table
    total_rows: int = 0               # rows in the table afterwards
    units: dict[str, int] = field(default_factory=dict)   # sheet / response -> units read
    mismatches: list[str] = field(default_factory=list)   # group sums ≠ total
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = ", ".join(f"{k}: {v} đơn vị" for k, v in self.units.items())
        return (f"Đã nạp {self.rows} dòng kết quả chỉ số từ {self.path.name} ({parts}); thay thế {self.replaced} dòng "
                f"đã có; bảng index_results có {self.total_rows} dòng.")


@dataclass
class _Batch:
    """Records of one sheet / response with the period they belong to."""
    name: str                 # sheet or response name (for messages)
    where: str                # "trang" (sheet) or "phản hồi" (response)
    records: list[dict]
    row_numbers: list[int]    # row number of each record as the user sees it
    period_kind: str
    year: int
    period_index: int | None
    source: str


# --- Parsing -------------------------------------------------------------------------------------

def _num(v: Any) -> float | None:
    """A number from a cell: 19.05, '19.05', '19,05', '10'. None if it is not one."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        try:
            return float(v)
        except OverflowError:  # a JSON integer of hundreds of digits
            return None
    if not isinstance(v, str):
        return None
    s = v.strip().replace("\u00a0", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", s):
        return float(s)
    if re.fullmatch(r"-?\d+,\d+", s):
        return float(s.replace(",", "."))
    return None


def _int(v: Any) -> int | None:
    x = _num(v)
    return int(x) if x is not None and float(x).is_integer() else None


def _text_problem(v: Any) -> str | None:
    """Why a cell of a text column (TEXT_COLUMNS) is refused, or None (cchc.ingest.readers.text_problem
    within MAX_TEXT characters)."""
    return text_problem(v, MAX_TEXT)


def _check_xlsx_container(path: Path) -> None:
    """Refuse what is not a workbook, or would unpack to too much, before openpyxl reads it
    (cchc.ingest.readers.check_xlsx_container with this module's limits)."""
    check_xlsx_container(path, path.name, ResultsImportError, MAX_XLSX_MEMBERS, MAX_XLSX_UNPACKED_BYTES)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise ResultsImportError(f"Tệp {path.name} rỗng (0 byte).")
    if size > MAX_FILE_BYTES:
        raise ResultsImportError(f"Tệp {path.name} quá lớn ({_mb(size)}; tối đa {_mb(MAX_FILE_BYTES)}): không đọc. "
                                 "Tệp điểm công bố thật chỉ vài chục KB.")


def _check_year(y: int | None, where: str) -> None:
    if y is not None and not YEARS[0] <= y <= YEARS[1]:
        raise ResultsImportError(f"{where}: năm {y} không hợp lệ (cần từ {YEARS[0]} đến {YEARS[1]}).")


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFC", name).casefold().strip()
    s = re.sub(r"^ubnd\s+", "", s)
    s = re.sub(r"^(tỉnh|thành phố|tp\.?)\s+", "", s)
    return re.sub(r"\s+", " ", s)


def province_codes() -> dict[str, str]:
    """Normalised province name (2025, 34 provinces) -> GSO code, from cchc/reference/provinces-2025.csv."""
    with PROVINCES_CSV.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {_norm(r["name"]): r["code"] for r in rows}


def _period_from_name(path: Path) -> tuple[int | None, int | None]:
    n = path.stem
    m = re.search(r"T(\d{1,2})[_-](\d{4})", n) or None
    if m:
        return int(m.group(2)), int(m.group(1))
    y = re.search(r"(20\d{2})", n)
    mo = re.search(r"th[aá]ng[_-]?(\d{1,2})", n, re.IGNORECASE)
    return (int(y.group(1)) if y else None), (int(mo.group(1)) if mo else None)


def _read_xlsx(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's rows (at most MAX_SHEET_COLUMNS cells each). Formulas are read as written (a text
    beginning with "="), never evaluated nor taken from the cache: the portal's export has none."""
    import openpyxl
    _check_size(path)
    _check_xlsx_container(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any reason the workbook cannot be opened
        raise ResultsImportError(f"Không mở được tệp {path.name} như một tệp Excel (.xlsx): tệp bị hỏng hoặc không "
                                 "đúng định dạng.") from None
    try:
        out = {}
        for ws in wb.worksheets:
            rows = []
            for r in ws.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS):
                if len(rows) >= MAX_SHEET_ROWS:
                    raise ResultsImportError(f"Trang \"{ws.title}\" của tệp {path.name} có hơn {fmt.number(MAX_SHEET_ROWS)} "
                                             "dòng: không phải trang điểm chỉ số, không đọc.")
                rows.append(tuple(r))
            out[ws.title] = rows
        return out
    except ResultsImportError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet (bad XML, a member that does not unpack)
        raise ResultsImportError(f"Không đọc được tệp {path.name}: nội dung bảng tính bị hỏng (XML hoặc dữ liệu nén "
                                 "không hợp lệ).") from None
    finally:
        wb.close()


def _records(rows: list[tuple]) -> tuple[list[str], list[dict], list[int]]:
    """Header and records of a sheet; empty rows are skipped; row numbers as Excel shows them."""
    if not rows:
        return [], [], []
    header = [_text(h) for h in rows[0]]
    recs, nums = [], []
    for i, r in enumerate(rows[1:], start=2):
        if all(v is None or _text(v) == "" for v in r):
            continue
        recs.append(dict(zip(header, r)))
        nums.append(i)
    return header, recs, nums


def _xlsx_batches(path: Path, year: int | None, month: int | None, notes: list[str]) -> tuple[list[_Batch], dict]:
    sheets = _read_xlsx(path)
    fy, fm = _period_from_name(path)
    year = year or fy
    month = month or fm
    trend_rows = sheets.get("Xu hướng tháng")
    if (year is None or month is None) and trend_rows:
        _, recs, _ = _records(trend_rows)
        last = [r for r in recs if _int(r.get("month")) and _int(r.get("year"))]
        if last:
            year = year or _int(last[-1]["year"])
            month = month or _int(last[-1]["month"])
    if month is not None and not 1 <= month <= 12:
        raise ResultsImportError(f"Tháng không hợp lệ ({month}) cho tệp {path.name}: hãy cho biết --month.")
    _check_year(year, f"Tệp {path.name}")
    known = set(SHEETS) | set(TREND_SHEETS)
    for name in sheets:
        if name not in known:
            notes.append(f"Bỏ qua trang \"{name}\" (không phải trang điểm chỉ số đã biết).")
    batches = []
    for name, (kind, what) in SHEETS.items():
        if name not in sheets:
            continue
        if year is None or (kind == "cal_month" and month is None):
            raise ResultsImportError(
                f"Không xác định được kỳ của tệp {path.name} (tên tệp không có năm/tháng, ví dụ ..._T10_2025.xlsx): "
                "hãy cho biết --year và --month.")
        header, recs, nums = _records(sheets[name])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ResultsImportError(f"Trang \"{name}\" của tệp {path.name} thiếu cột {', '.join(missing)} "
                                     f"(cần các cột {', '.join(REQUIRED)}).")
        label = f"năm {year}" if kind == "cal_year" else f"tháng {month}/{year}"
        batches.append(_Batch(name, "trang", recs, nums, kind, year, month if kind == "cal_month" else None,
                              f"Cổng DVCQG (report_tinh_766_service), {what} — {label}; tệp {path.name}, trang \"{name}\""))
    trends = {n: sheets[n] for n in TREND_SHEETS if n in sheets}
    return batches, trends


def _load_json(path: Path) -> Any:
    """The JSON of a file, refused (Vietnamese) before json.loads when too big or too deeply nested."""
    _check_size(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ResultsImportError(f"Tệp {path.name} không phải văn bản UTF-8 (byte không hợp lệ ở vị trí "
                                 f"{fmt.number(e.start)}): hãy lưu tệp JSON với bảng mã UTF-8.") from None
    if _json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ResultsImportError(f"Tệp {path.name} không được nạp: JSON lồng nhau quá {MAX_JSON_DEPTH} cấp (phản hồi của "
                                 "Cổng DVCQG chỉ lồng 5 cấp).")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ResultsImportError(f"Tệp {path.name} không phải JSON hợp lệ (lỗi cú pháp ở dòng {e.lineno}, cột "
                                 f"{e.colno}).") from None
    except RecursionError:  # guarded above; kept in case the limit is raised
        raise ResultsImportError(f"Tệp {path.name} không được nạp: JSON lồng nhau quá sâu.") from None


def _json_batches(path: Path, year: int | None, month: int | None, quarter: int | None) -> list[_Batch]:
    data = _load_json(path)
    if isinstance(data, list):
        if year is None:
            raise ResultsImportError(f"Tệp {path.name} là một danh sách bản ghi của Cổng DVCQG nhưng không ghi kỳ: "
                                     "hãy cho biết --year (và --month hoặc --quarter).")
        responses = [{"name": path.stem, "request": {"p_nam": year, "p_thang": month or 0, "p_quy": quarter or 0},
                      "data": data}]
    elif isinstance(data, dict) and isinstance(data.get("responses"), list):
        responses = data["responses"]
        if not responses:
            raise ResultsImportError(f"Tệp {path.name}: danh sách \"responses\" rỗng.")
    else:
        raise ResultsImportError(f"Tệp {path.name}: cần một danh sách bản ghi hoặc một đối tượng có khóa \"responses\".")
    out = []
    for k, resp in enumerate(responses, start=1):
        name = _text(resp.get("name")) if isinstance(resp, dict) else ""
        name = name or f"phản hồi {k}"
        if not isinstance(resp, dict) or not isinstance(resp.get("data"), list):
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": thiếu danh sách bản ghi \"data\".")
        req = resp.get("request") or {}
        if not isinstance(req, dict):
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": \"request\" phải là một đối tượng.")
        y, mo, q, h = (_int(req.get("p_nam")), _int(req.get("p_thang")) or 0, _int(req.get("p_quy")) or 0,
                       _int(req.get("p_6thang")) or 0)
        if y is None:
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": thiếu năm (request.p_nam).")
        _check_year(y, f"Tệp {path.name}, phản hồi \"{name}\"")
        if h:
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": kỳ 6 tháng chưa được hỗ trợ.")
        if mo and not 1 <= mo <= 12 or q and not 1 <= q <= 4:
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": tháng/quý không hợp lệ.")
        kind, idx, label = (("cal_month", mo, f"tháng {mo}/{y}") if mo else
                            ("cal_quarter", q, f"quý {q}/{y}") if q else ("cal_year", None, f"năm {y}"))
        recs = resp["data"]
        bad = next((i for i, r in enumerate(recs, start=1) if not isinstance(r, dict)), None)
        if bad:
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\", bản ghi số {bad}: không phải một đối tượng.")
        header = set().union(*(r.keys() for r in recs)) if recs else set()
        missing = [c for c in REQUIRED if recs and c not in header]
        if missing:
            raise ResultsImportError(f"Tệp {path.name}, phản hồi \"{name}\": thiếu trường {', '.join(missing)}.")
        out.append(_Batch(name, "phản hồi", recs, list(range(1, len(recs) + 1)), kind, y, idx,
                          f"Cổng DVCQG (report_tinh_766_service), {label}; tệp {path.name}, \"{name}\""))
    return out


# --- Validation and rows ------------------------------------------------------------------------

def _rows_of(batch: _Batch, provinces: dict[str, str], imported_at: datetime, errors: list[str],
             mismatches: list[str]) -> list[dict]:
    rows = []
    seen: dict[str, int] = {}
    where = lambda n, col: f"{batch.where} \"{batch.name}\", " + (  # noqa: E731
        f"dòng {n}" if batch.where == "trang" else f"bản ghi số {n}") + (f", cột {col}" if col else "")
    for rec, n in zip(batch.records, batch.row_numbers):
        bad = [(col, why) for col in TEXT_COLUMNS for why in [_text_problem(rec.get(col))] if why]
        if bad:
            errors += [f"{where(n, col)}: {why}." for col, why in bad]
            continue
        ref = _text(rec.get("ID"))
        name = _text(rec.get("TEN"))
        if not ref:
            errors.append(f"{where(n, 'ID')}: thiếu mã đơn vị.")
            continue
        if ref in seen:
            errors.append(f"{where(n, 'ID')}: đơn vị {ref} đã có ở {'dòng' if batch.where == 'trang' else 'bản ghi'} "
                          f"{seen[ref]}.")
            continue
        seen[ref] = n
        level = LEVELS.get(_text(rec.get("LOAI_COQUAN")))
        if level is None:
            errors.append(f"{where(n, 'LOAI_COQUAN')}: \"{_shown(_text(rec.get('LOAI_COQUAN')))}\" không phải 1 (tỉnh), "
                          "2 (sở, ngành) hay 3 (xã, phường).")
            continue
        scores = {}
        for g, mx in [*GROUPS.items(), ("TONG_SCORE", MAX_TOTAL)]:
            raw = rec.get(g)
            v = _num(raw)
            if v is None:
                errors.append(f"{where(n, g)}: \"{_shown(_text(raw))}\" không phải là số.")
            elif not -0.005 <= v <= mx + 0.005:
                errors.append(f"{where(n, g)}: điểm {_shown(_text(raw))} nằm ngoài 0–{mx:g}.")
            else:
                scores[g] = v
        rank = None
        if _text(rec.get("ROW_STT")):
            rank = _int(rec.get("ROW_STT"))
            if rank is None or not 1 <= rank <= MAX_RANK:
                errors.append(f"{where(n, 'ROW_STT')}: thứ hạng \"{_shown(_text(rec.get('ROW_STT')))}\" không phải số nguyên "
                              f"dương (tối đa {fmt.number(MAX_RANK)}).")
        if len(scores) != len(GROUPS) + 1:
            continue
        s = sum(scores[g] for g in GROUPS)
        if abs(s - scores["TONG_SCORE"]) > SUM_TOLERANCE + 1e-9:
            diff = s - scores["TONG_SCORE"]
            mismatches.append(f"{where(n, 'TONG_SCORE')} ({name}): tổng điểm các nhóm {fmt.number(s, 2)} khác "
                              f"TONG_SCORE {fmt.number(scores['TONG_SCORE'], 2)} (lệch {'+' if diff > 0 else '−'}"
                              f"{fmt.number(abs(diff), 2)})")
        code = provinces.get(_norm(name)) if level == "province" else None
        if level == "province" and code is None:
            errors.append(f"{where(n, 'TEN')}: \"{_shown(name)}\" không phải tên một trong {len(set(provinces.values()))} "
                          "tỉnh, thành phố (cchc/reference/provinces-2025.csv), nên không biết mã TCTK của nó.")
            continue
        for g in [*GROUPS, TOTAL]:
            rows.append({"index_code": INDEX_CODE, "period_kind": batch.period_kind, "year": batch.year,
                         "period_index": batch.period_index, "unit_level": level, "unit_ref": ref, "unit_code": code,
                         "unit_name": name, "group_code": g,
                         "score": scores["TONG_SCORE" if g == TOTAL else g],
                         "rank": rank if g == TOTAL else None, "source": batch.source, "imported_at": imported_at})
    return rows


def _trend_rows(trends: dict[str, list[tuple]], rows: list[dict], path: Path, imported_at: datetime,
                errors: list[str], notes: list[str]) -> list[dict]:
    """The trend sheets hold one province's total per month / quarter, rounded to 0,1, without saying
    which province. It is identified as the only province whose total in "Điểm tháng" rounds to the
    trend's value for that month; without exactly one such province the trend sheets are skipped."""
    if not trends:
        return []
    monthly = [r for r in rows if r["group_code"] == TOTAL and r["unit_level"] == "province"
               and r["period_kind"] == "cal_month"]
    parsed: dict[str, list[tuple[int, int, float, int]]] = {}
    for sheet, (col, _kind) in TREND_SHEETS.items():
        if sheet not in trends:
            continue
        header, recs, nums = _records(trends[sheet])
        missing = [c for c in (col, "year", "score") if c not in header]
        if missing:
            errors.append(f"trang \"{sheet}\": thiếu cột {', '.join(missing)}.")
            continue
        out = []
        for rec, n in zip(recs, nums):
            i, y, s = _int(rec.get(col)), _int(rec.get("year")), _num(rec.get("score"))
            top = 12 if col == "month" else 4
            for c, v, ok in ((col, rec.get(col), i is not None and 1 <= i <= top),
                             ("year", rec.get("year"), y is not None and YEARS[0] <= y <= YEARS[1]),
                             ("score", rec.get("score"),
                                                                       s is not None and 0 <= s <= 100)):
                if not ok:
                    errors.append(f"trang \"{sheet}\", dòng {n}, cột {c}: \"{_shown(_text(v))}\" không hợp lệ.")
            if i is not None and y is not None and s is not None:
                out.append((i, y, s, n))
        parsed[sheet] = out
    candidates = None
    for i, y, s, _n in parsed.get("Xu hướng tháng", []):
        match = {r["unit_ref"] for r in monthly if r["year"] == y and r["period_index"] == i
                 and abs(round(r["score"], 1) - s) < 0.051}
        same = {r["unit_ref"] for r in monthly if r["year"] == y and r["period_index"] == i}
        if same:
            candidates = match if candidates is None else candidates & match
    if not candidates or len(candidates) != 1:
        notes.append("Bỏ qua các trang \"Xu hướng tháng\", \"Xu hướng quý\": không xác định được tỉnh của chúng "
                     "(cần đúng một tỉnh có tổng điểm tháng khớp giá trị xu hướng).")
        return []
    ref = next(iter(candidates))
    unit = next(r for r in monthly if r["unit_ref"] == ref)
    have = {(r["period_kind"], r["year"], r["period_index"]) for r in rows if r["unit_ref"] == ref and r["group_code"] == TOTAL}
    out = []
    for sheet, (_col, kind) in TREND_SHEETS.items():
        for i, y, s, _n in parsed.get(sheet, []):
            if (kind, y, i) in have:
                continue  # the same total with full precision comes from "Điểm tháng"
            out.append({"index_code": INDEX_CODE, "period_kind": kind, "year": y, "period_index": i,
                        "unit_level": "province", "unit_ref": ref, "unit_code": unit["unit_code"],
                        "unit_name": unit["unit_name"], "group_code": TOTAL, "score": s, "rank": None,
                        "source": f"Cổng DVCQG, tổng điểm {'tháng' if kind == 'cal_month' else 'quý'} {i}/{y} (làm tròn "
                                  f"0,1; quý hiện tại tính đến thời điểm xuất); tệp {path.name}, trang \"{sheet}\"",
                        "imported_at": imported_at})
    notes.append(f"Các trang xu hướng thuộc {unit['unit_name']} (mã {ref}): nạp {len(out)} dòng tổng điểm "
                 "(tháng/quý chưa có trong các trang điểm).")
    return out


# --- Writing --------------------------------------------------------------------------------------

def _frame(rows: list[dict]) -> pl.DataFrame:
    import pyarrow as pa
    sch = {c.name: pl.from_arrow(pa.array([], c.type)).dtype for c in schema.INDEX_RESULTS.columns}
    return pl.DataFrame(rows, schema=sch, orient="row") if rows else pl.DataFrame(schema=sch)


def read_table(data_dir: Path) -> pl.DataFrame:
    """The index_results table of a data directory (empty frame if there is none)."""
    path = schema.INDEX_RESULTS.path(Path(data_dir))
    if not path.exists():
        return _frame([])
    return pl.read_parquet(path).select([c.name for c in schema.INDEX_RESULTS.columns])


def _write(new: pl.DataFrame, data_dir: Path) -> tuple[int, int]:
    """Merge new rows into index_results.parquet through the one write path (cchc.store: the table's
    lock held across read-merge-write, a temporary file read back before the atomic rename), so two
    imports at once both land; returns (replaced, total rows)."""
    t = schema.INDEX_RESULTS
    key = list(t.key)
    counts = {}

    def merge(table):
        old = _frame([]) if table is None else pl.from_arrow(table).select([c.name for c in t.columns])
        kept = old.join(new.select(key).unique(), on=key, how="anti", nulls_equal=True)
        merged = pl.concat([kept, new.cast(old.schema)]).sort(
            ["index_code", "period_kind", "year", "period_index", "unit_level", "unit_ref", "group_code"], nulls_last=True)
        counts["replaced"], counts["total"] = old.height - kept.height, merged.height
        return merged.to_arrow().cast(t.arrow_schema)

    try:
        store.update_table(data_dir, t, merge, what="bảng kết quả chỉ số công bố")
    except store.WriteError as e:
        raise ResultsImportError(str(e)) from None
    return counts["replaced"], counts["total"]


def _check_existing(data_dir: Path) -> None:
    """Refuse to merge into an index_results.parquet that cannot be read (it would be lost, or the
    merge would fail halfway): the user restores it or moves it aside first."""
    from ..db import check_file, damage_message
    t = schema.INDEX_RESULTS
    path = t.path(data_dir)
    if path.exists():
        problem = check_file(t, path, full=True)
        if problem:
            raise ResultsImportError("Không nạp được (không thay đổi dữ liệu): " + damage_message(data_dir, t, path, problem))


def import_file(path: str | os.PathLike, data_dir: str | os.PathLike, year: int | None = None,
                month: int | None = None, quarter: int | None = None, *, by: access.Identity) -> ImportReport:
    """Check a file of published 766 results and merge it into data_dir/index_results.parquet.
    All or nothing: raises ResultsImportError (and writes nothing) if any value cannot be read, or
    when ``by`` may not upload them: the published results are the national portal's board of every
    province, so uploading them needs the data manager role with the whole country as scope."""
    try:
        by.require("upload_results")
    except access.AccessError as e:
        raise ResultsImportError(str(e)) from None
    if by.scope.kind != "country":
        raise ResultsImportError(f"Kết quả công bố là bảng điểm của cả nước: chỉ tài khoản quản lý dữ liệu phạm vi cả "
                                 f"nước được tải lên (tài khoản {by.username}: {by.scope.label()}).")
    path = Path(path)
    data_dir = Path(data_dir)
    if not path.exists():
        raise ResultsImportError(f"Không tìm thấy tệp {path}.")
    if not data_dir.is_dir():
        raise ResultsImportError(f"Không tìm thấy thư mục dữ liệu {data_dir}.")
    if month is not None and not 1 <= month <= 12:
        raise ResultsImportError(f"Tháng không hợp lệ: {month}.")
    if quarter is not None and not 1 <= quarter <= 4:
        raise ResultsImportError(f"Quý không hợp lệ: {quarter}.")
    _check_year(year, "--year")
    _check_existing(data_dir)
    rep = ImportReport(path=path)
    suffix = path.suffix.lower()
    trends: dict = {}
    if suffix == ".xlsx":
        batches, trends = _xlsx_batches(path, year, month, rep.notes)
    elif suffix == ".json":
        batches = _json_batches(path, year, month, quarter)
    else:
        raise ResultsImportError(f"Tệp {path.name}: chỉ nhận .xlsx hoặc .json.")
    if not batches:
        raise ResultsImportError(f"Tệp {path.name} không có trang/phản hồi điểm chỉ số nào (cần một trong các trang "
                                 f"{', '.join(SHEETS)}).")
    imported_at = datetime.now().replace(microsecond=0)
    provinces = province_codes()
    errors: list[str] = []
    rows: list[dict] = []
    for b in batches:
        got = _rows_of(b, provinces, imported_at, errors, rep.mismatches)
        rows += got
        rep.units[b.name] = len(got) // (len(GROUPS) + 1)
    rows += _trend_rows(trends, rows, path, imported_at, errors, rep.notes)
    if errors:
        shown = errors[:20]
        more = f" (và {len(errors) - len(shown)} lỗi khác)" if len(errors) > len(shown) else ""
        raise ResultsImportError(f"Tệp {path.name} không được nạp (không thay đổi dữ liệu) vì {len(errors)} lỗi{more}: "
                                 + "; ".join(shown))
    keys = [tuple(r[k] for k in schema.INDEX_RESULTS.key) for r in rows]
    if len(set(keys)) != len(keys):
        raise ResultsImportError(f"Tệp {path.name} không được nạp: có đơn vị xuất hiện hai lần trong cùng một kỳ.")
    rep.replaced, rep.total_rows = _write(_frame(rows), data_dir)
    rep.rows = len(rows)
    audit.record(data_dir, by, "results.upload", file=path.name, sha256=audit.file_hash(path),
                 after={"rows": rep.rows, "replaced": rep.replaced, "units": rep.units})
    return rep


def bundled_files() -> list[Path]:
    """The shipped copies of the real published scores (xlsx first; the JSON holds the same four
    portal responses, without the derived trend sheets). Importing either is enough."""
    return [p for p in (BUNDLED_XLSX, BUNDLED_JSON) if p.exists()]


def xlsx_to_portal_json(path: Path = BUNDLED_XLSX, year: int | None = None, month: int | None = None) -> dict:
    """The score sheets of an exported workbook as the portal serves them: one response per sheet,
    the records unchanged (all values text, as the portal sends them), with the request that gives
    them (report_tinh_766_service parameters). Used to write the bundled JSON copy."""
    sheets = _read_xlsx(path)
    fy, fm = _period_from_name(path)
    year, month = year or fy, month or fm
    if year is None or month is None:
        raise ResultsImportError(f"Không xác định được năm/tháng của {path.name}.")
    responses = []
    provinces_by_code: dict[str, str] = {}
    for name, (kind, _what) in SHEETS.items():
        if name not in sheets:
            continue
        header, recs, _ = _records(sheets[name])
        data = [{h: (None if r.get(h) is None else _text(r.get(h))) for h in header if h} for r in recs]
        if name == "Điểm năm":
            provinces_by_code = {d["MA_COQUAN"]: d["ID"] for d in data if d.get("MA_COQUAN")}
        req: dict[str, Any] = {"type": "ref", "service": "report_tinh_766_service", "p_nam": str(year), "p_6thang": 0,
                               "p_quy": 0, "p_thang": month if kind == "cal_month" else 0, "p_loaidonvi": 1,
                               "loaichitieu": 0, "p_tinh_id": 0}
        if name in ("Sở Ban", "Xã Phường") and data:
            prefix = (data[0].get("MA_COQUAN") or "").split(".")[0]
            req["p_tinh_id"] = provinces_by_code.get(prefix, 0)
            req["capdonviid"] = "1" if name == "Sở Ban" else "2"
        responses.append({"name": name, "request": req, "data": data})
    return {
        "source": "Cổng Dịch vụ công quốc gia, dichvucong.gov.vn/jsp/rest.jsp, service report_tinh_766_service "
                  "(Bộ chỉ số 766); records as exported in github.com/truongquangphuc/new-766, "
                  "reports/bao_cao_T10_2025.xlsx",
        "note": "Each response is the list of records the portal returns for its request, values as text. "
                "Sở Ban: p_thang = month, Xã Phường: p_thang = 0 (year), as in the exporter's code "
                "(zalo_report_custom.py). Generated by cchc.ingest.results.xlsx_to_portal_json.",
        "responses": responses,
    }


__all__ = ["import_file", "bundled_files", "read_table", "ImportReport", "ResultsImportError", "xlsx_to_portal_json",
           "province_codes", "GROUPS", "GROUP_NAMES"]
