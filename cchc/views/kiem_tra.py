"""Kiểm tra dữ liệu (data quality): what is wrong or doubtful in a unit's rows over a period, as
findings the page lists worst first:

    fs = findings(db, unit, period, sel.params())   # list[Finding], every check run once
    summary(fs)                                      # "2 lỗi, 1 cảnh báo, 5 mục đạt"

Each finding has a severity, a count, a short Vietnamese explanation and the first rows behind it
(a table with, where a row has one, a link to it: a dossier opens in the list of "Hồ sơ TTHC"
searched by its code, a silent commune opens its month on "Tổng quan"). The checks:

* Biểu 06's identities over columns counted one by one from the rows (queries/quality_form.sql):
  (3) = (4)+(5)+(6), (7) = (8)+(9)+(10), (11) = (12)+(13), (3) = (7)+(11);
* due day before the day of receipt, finishing day before it, a dossier code used twice
  (quality_dossiers.sql);
* processing time longer than the procedure's statutory time (quality_statutory.sql);
* working days without any receipt (quality_quiet_days.sql), a whole working week of them;
* communes of the scope silent for a whole calendar month (quality_silent_units.sql);
* rating forms naming no dossier (quality_ratings.sql).

No Streamlit here: pages/kiem_tra.py only draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

import polars as pl

from .. import fmt, metrics
from ..db import Database
from ..kpis import Unit
from ..periods import Period

ROWS = 200  # rows of a finding shown and offered for download (the count is always the whole)
ERROR, WARNING, INFO, OK = "error", "warning", "info", "ok"
SEVERITY = {ERROR: "Lỗi", WARNING: "Cảnh báo", INFO: "Lưu ý", OK: "Đạt"}
ORDER = {ERROR: 0, WARNING: 1, INFO: 2, OK: 3}
LINK = "Xem"  # the link column's header


@dataclass(frozen=True)
class Finding:
    key: str
    title: str
    severity: str  # error | warning | info | ok
    count: int  # rows (or, for an identity, the size of the gap) behind the finding
    text: str  # what it means, in Vietnamese (plain text: escape before markdown)
    rows: pl.DataFrame = field(default_factory=pl.DataFrame)  # the first ROWS rows as shown (strings)

    @property
    def severity_label(self) -> str:
        return SEVERITY[self.severity]

    @property
    def shown(self) -> int:
        return self.rows.height


# Biểu 06's identities: (whole, parts) over the columns of quality_form.
IDENTITIES = [
    ("received_total", ("received_online", "received_offline", "carried_over")),
    ("resolved_total", ("resolved_early", "resolved_on_time", "resolved_late")),
    ("pending_total", ("pending_within", "pending_overdue")),
    ("received_total", ("resolved_total", "pending_total")),
]
IDENTITY_CAUSE = {
    "received_online": "hồ sơ mới tiếp nhận có kênh nộp trống hoặc không phải trực tuyến, trực tiếp, bưu chính công ích",
    "resolved_early": "hồ sơ đã giải quyết không có ngày hẹn trả, nên không xếp được trước hạn, đúng hạn hay quá hạn",
    "pending_within": "hồ sơ đang giải quyết không có ngày hẹn trả",
    "resolved_total": "hồ sơ không xếp được là đã hay đang giải quyết",
}


def _bieu(key: str) -> str:
    m = next((x for x in metrics.catalogue().metrics if x.key == key), None)
    return m.bieu06 if m and m.bieu06 else key


def identity_findings(form: dict) -> list[Finding]:
    out = []
    for whole, parts in IDENTITIES:
        lhs, rhs = form[whole], sum(form[p] for p in parts)
        formula = f"{_bieu(whole)} = {' + '.join(_bieu(p) for p in parts)}"
        figures = (f"{_bieu(whole)} = {fmt.number(lhs)}; {' + '.join(_bieu(p) for p in parts)} = "
                   f"{' + '.join(fmt.number(form[p]) for p in parts)} = {fmt.number(rhs)}")
        title = f"Biểu 06: {formula}"
        if lhs == rhs:
            out.append(Finding(f"form_{whole}_{parts[0]}", title, OK, 0, f"Đúng: {figures}."))
            continue
        gap = abs(lhs - rhs)
        names = ", ".join(f"{_bieu(k)} {metrics.catalogue().count_label(k).lower()}" for k in (whole, *parts))
        cause = IDENTITY_CAUSE.get(parts[0], "hồ sơ thiếu thông tin")
        out.append(Finding(f"form_{whole}_{parts[0]}", title, ERROR, gap,
                           f"Không khớp: {figures}, lệch {fmt.number(gap)} hồ sơ ({names}). "
                           f"Nguyên nhân thường gặp: {cause}."))
    return out


# --- row tables -------------------------------------------------------------------------------
def _ts(x: datetime | date | None) -> str:
    if x is None:
        return fmt.DASH
    return x.strftime("%d/%m/%Y %H:%M") if isinstance(x, datetime) else fmt.day(x)


def link(page: str, shared: dict[str, str], **extra: str) -> str:
    """A relative link to another page of the app with the shared parameters and the page's own
    (e.g. ho-so?unit=10621&from=…&to=…&field=*&q=<code>)."""
    return f"{page}?{urlencode({**shared, **extra})}"


def dossier_link(shared: dict[str, str], dossier_id: str | None) -> str | None:
    """The dossier in the list of "Hồ sơ TTHC" (every field, searched by its code)."""
    return None if not dossier_id else link("ho-so", shared, field="*", q=dossier_id[:40])


def _dossier_table(df: pl.DataFrame, shared: dict[str, str], extra: dict[str, list[str]] | None = None) -> pl.DataFrame:
    cols = {
        "Mã hồ sơ": [str(x) for x in df["dossier_id"].to_list()],
        "Đơn vị": df["unit_code"].to_list(),
        "Lĩnh vực": df["field"].to_list(),
        "Mã TTHC": df["procedure_code"].to_list(),
        "Ngày nhận": [_ts(x) for x in df["received_at"].to_list()],
        "Ngày hẹn trả": [_ts(x) for x in df["due_at"].to_list()],
        "Ngày kết thúc": [_ts(x) for x in df["finished_at"].to_list()],
        **(extra or {}),
        LINK: [dossier_link(shared, x) for x in df["dossier_id"].to_list()],
    }
    return pl.DataFrame(cols, schema={k: pl.String for k in cols})


def _n(x: int) -> str:
    return fmt.number(x)


# --- the checks ---------------------------------------------------------------------------------
def dossier_findings(db: Database, unit: Unit, p: Period, shared: dict[str, str]) -> list[Finding]:
    df = db.run("quality_dossiers", **unit.scope, start=p.start, end=p.end, limit=ROWS)
    out = []
    for key, title, text in [
        ("due_before_received", "Ngày hẹn trả trước ngày nhận",
         "hồ sơ có ngày hẹn trả sớm hơn ngày tiếp nhận: ngày hẹn sai, nên trạng thái trước hạn, đúng hạn, "
         "quá hạn của hồ sơ không tin được."),
        ("finished_before_received", "Ngày kết thúc trước ngày nhận",
         "hồ sơ có ngày kết thúc xử lý sớm hơn ngày tiếp nhận: một trong hai ngày bị nhập sai."),
        ("duplicate_code", "Mã hồ sơ trùng",
         "hồ sơ có mã trùng với hồ sơ khác trong dữ liệu của tỉnh: hồ sơ có thể bị đếm hai lần."),
    ]:
        rows = df.filter(pl.col("problem") == key)
        n = int(rows["total"][0]) if rows.height else 0
        extra = {"Số bản ghi cùng mã": [_n(x) for x in rows["copies"].to_list()]} if key == "duplicate_code" else None
        out.append(Finding(key, title, ERROR if n else OK, n,
                           f"{_n(n)} {text}" if n else "Không có hồ sơ nào.",
                           _dossier_table(rows, shared, extra) if n else pl.DataFrame()))
    return out


def statutory_finding(db: Database, unit: Unit, p: Period, shared: dict[str, str], late: int | None = None) -> Finding:
    df = db.run("quality_statutory", **unit.scope, start=p.start, end=p.end, limit=ROWS)
    n = int(df["total"][0]) if df.height else 0
    title = "Thời gian xử lý vượt thời hạn theo quy định"
    if not n:
        return Finding("over_statutory", title, OK, 0,
                       "Mọi hồ sơ đã giải quyết trong kỳ có thời gian xử lý không quá thời hạn của thủ tục.")
    text = (f"{_n(n)} hồ sơ giải quyết trong kỳ có thời gian xử lý (ngày làm việc, không tính ngày nhận và "
            "ngày chờ bổ sung) dài hơn thời hạn giải quyết của thủ tục.")
    if late is not None:
        text += (f" Biểu 06 tính quá hạn theo ngày hẹn trả: {_n(late)} hồ sơ "
                 f"{metrics.label('resolved_late').lower()}")
        text += ("." if late == n else "; chênh lệch cho thấy ngày hẹn trả không khớp thời hạn của thủ tục, "
                 "hoặc thời hạn trong danh mục thủ tục cần xem lại.")
    extra = {"Số ngày xử lý": [_n(x) for x in df["processing_days"].to_list()],
             "Thời hạn (ngày)": [_n(x) for x in df["statutory_days"].to_list()],
             "Vượt (ngày)": [_n(x) for x in df["days_over"].to_list()]}
    return Finding("over_statutory", title, WARNING, n, text, _dossier_table(df, shared, extra))


def quiet_days_finding(db: Database, unit: Unit, p: Period) -> Finding:
    df = db.run("quality_quiet_days", **unit.scope, start=p.start, end=p.end)
    title = "Ngày làm việc không tiếp nhận hồ sơ nào"
    if not df.height:
        return Finding("quiet_days", title, OK, 0, "Ngày làm việc nào trong kỳ cũng có hồ sơ được tiếp nhận.")
    per_week = df.group_by("week").agg(pl.len().alias("n"), pl.first("working_days"))
    whole = per_week.filter(pl.col("n") == pl.col("working_days")).sort("week")["week"].to_list()
    text = f"{_n(df.height)} ngày làm việc trong kỳ không có hồ sơ nào được tiếp nhận"
    if whole:
        text += (f", trong đó {_n(len(whole))} tuần làm việc không tiếp nhận hồ sơ nào (tuần bắt đầu "
                 f"{', '.join(fmt.day(w) for w in whole[:5])}{', …' if len(whole) > 5 else ''})")
    text += ": có thể dữ liệu của những ngày này chưa được nhập hoặc đồng bộ."
    weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    head = df.head(ROWS)
    rows = pl.DataFrame({"Ngày": [fmt.day(d) for d in head["day"].to_list()],
                         "Thứ": [weekday[d.weekday()] for d in head["day"].to_list()],
                         "Tuần bắt đầu": [fmt.day(w) for w in head["week"].to_list()],
                         "Cả tuần không tiếp nhận": ["có" if w in whole else "" for w in head["week"].to_list()]})
    return Finding("quiet_days", title, WARNING if whole else INFO, df.height, text, rows)


def silent_units_finding(db: Database, unit: Unit, p: Period, shared: dict[str, str]) -> Finding:
    df = db.run("quality_silent_units", **unit.scope, start=p.start, end=p.end)
    title = "Xã, phường, thị trấn không tiếp nhận hồ sơ cả tháng"
    if not df.height:
        return Finding("silent_units", title, OK, 0,
                       "Mọi xã, phường, thị trấn đều có hồ sơ tiếp nhận trong từng tháng trọn của kỳ.")
    units = df["code"].n_unique()
    text = (f"{_n(df.height)} tháng của {_n(units)} xã, phường, thị trấn không có hồ sơ nào được tiếp nhận "
            "(chỉ xét các tháng trọn trong kỳ): đơn vị có thể chưa nhập hoặc chưa đồng bộ dữ liệu.")
    head = df.head(ROWS)
    base = {k: v for k, v in shared.items() if k not in ("unit", "from", "to", "kind", "y", "i", "cut")}
    rows = pl.DataFrame({
        "Mã": head["code"].to_list(), "Đơn vị": head["name"].to_list(),
        "Tháng": [f"{d.month:02d}/{d.year}" for d in head["month_start"].to_list()],
        LINK: [link("tong-quan", base, unit=f"cu-{c}" if reused else c, **{"from": a.isoformat(), "to": b.isoformat()})
               for c, reused, a, b in zip(head["code"].to_list(), head["reused"].to_list(),
                                          head["month_start"].to_list(), head["month_end"].to_list())],
    }, schema={k: pl.String for k in ("Mã", "Đơn vị", "Tháng", LINK)})
    return Finding("silent_units", title, WARNING, df.height, text, rows)


def ratings_finding(db: Database, unit: Unit, p: Period, shared: dict[str, str]) -> Finding:
    df = db.run("quality_ratings", **unit.scope, start=p.start, end=p.end, limit=ROWS)
    n = int(df["total"][0]) if df.height else 0
    title = "Phiếu đánh giá không có hồ sơ"
    if not n:
        return Finding("orphan_ratings", title, OK, 0, "Mọi phiếu đánh giá trong kỳ đều gắn với một hồ sơ có trong dữ liệu.")
    text = (f"{_n(n)} phiếu đánh giá trong kỳ ghi mã hồ sơ không có trong dữ liệu hồ sơ: phiếu được tính vào "
            f"{metrics.label('satisfaction_rate').lower()} nhưng không đối chiếu được với hồ sơ nào.")
    rows = pl.DataFrame({"Mã phiếu": df["rating_id"].to_list(),
                         "Mã hồ sơ ghi trên phiếu": [x if x is not None else fmt.DASH for x in df["dossier_id"].to_list()],
                         "Đơn vị": df["unit_code"].to_list(), "Lĩnh vực": df["field"].to_list(),
                         "Ngày đánh giá": [_ts(x) for x in df["rated_at"].to_list()],
                         "Mức đánh giá": [_n(x) for x in df["level"].to_list()]},
                        schema={k: pl.String for k in ("Mã phiếu", "Mã hồ sơ ghi trên phiếu", "Đơn vị", "Lĩnh vực",
                                                       "Ngày đánh giá", "Mức đánh giá")})
    return Finding("orphan_ratings", title, WARNING, n, text, rows)


def form_counts(db: Database, unit: Unit, p: Period) -> dict:
    return db.run("quality_form", **unit.scope, start=p.start, end=p.end).row(0, named=True)


def findings(db: Database, unit: Unit, p: Period, shared: dict[str, str]) -> list[Finding]:
    """Every check over the unit's rows of the period, worst first (errors, warnings, notes, passed),
    in the order of the checks within a severity."""
    form = form_counts(db, unit, p)
    out = identity_findings(form)
    out += dossier_findings(db, unit, p, shared)
    out.append(statutory_finding(db, unit, p, shared, form["resolved_late"]))
    out.append(quiet_days_finding(db, unit, p))
    out.append(silent_units_finding(db, unit, p, shared))
    out.append(ratings_finding(db, unit, p, shared))
    return sorted(out, key=lambda f: ORDER[f.severity])


def summary(fs: list[Finding]) -> str:
    """'1 lỗi, 2 cảnh báo, 1 lưu ý, 8 mục đạt' (the severities present)."""
    n = {s: sum(1 for f in fs if f.severity == s) for s in ORDER}
    parts = [f"{n[s]} {SEVERITY[s].lower()}" for s in (ERROR, WARNING, INFO) if n[s]]
    parts.append(f"{n[OK]} mục đạt")
    return ", ".join(parts)

