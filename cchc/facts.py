"""Self-reported annual facts (số liệu tự báo cáo) of a unit: the figures of the annual CCHC report
that are not transactions (plans issued, communication, legal education, staffing against the quota,
qualifications, documents, website views …), the previous year beside them, and the consistency
checks a reviewer does by hand.

Indicator codes, Vietnamese names, groups and units: cchc/reference/facts.csv. Rows: queries/
facts_year.sql (one commune: newest entry per indicator, with its evidence) and facts_units.sql (the
communes of a district or province). Only communes report facts; a district or the province shows
its communes added up where a sum means something (counts of plans, news, staff …), the average of
the communes for percentages, and nothing for indicators that do not add up (the commune's class,
the number of procedures in force, which is the same catalogue in every commune); the checks are run
commune by commune.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from . import coverage, fmt, kpis, periods, units
from .db import Database
from .kpis import Unit

FACTS_CSV = Path(__file__).resolve().parent / "reference" / "facts.csv"

# Groups of facts.csv, in the order of the annual report (the PAR index's fields).
GROUPS = {
    "chi_dao": "Công tác chỉ đạo, điều hành cải cách hành chính",
    "the_che": "Xây dựng và tổ chức thực hiện thể chế",
    "tthc": "Cải cách thủ tục hành chính",
    "to_chuc": "Cải cách tổ chức bộ máy",
    "cong_vu": "Cải cách chế độ công vụ",
    "tai_chinh": "Cải cách tài chính công",
    "chinh_quyen_so": "Xây dựng chính quyền điện tử, chính quyền số",
}
# Units of measure whose values may have decimals; every other indicator must be a whole number.
FRACTIONAL_UNITS = {"%", "m²"}
# How a district or province adds up its communes' values: sum | mean | none.
# code -> (short Vietnamese name, why it does not add up)
NOT_ADDITIVE = {"unit_class": ("phân loại đơn vị hành chính", "mỗi xã một loại"),
                "procedures_in_force": ("số TTHC cấp xã đang thực hiện", "cùng một danh mục TTHC cấp xã cho mọi xã")}
AGGREGATION_LABEL = {"sum": "Cộng các xã", "mean": "Bình quân các xã", "none": "Không cộng dồn"}


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    unit: str
    min: float
    max: float

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def is_integer(self) -> bool:
        """Counts (people, documents, plans, the class 1–3 …) are whole numbers; % and m² are not."""
        return self.unit not in FRACTIONAL_UNITS

    @property
    def label(self) -> str:
        """How a message names it: Vietnamese name and code."""
        return f"{self.name} ({self.code})"

    @property
    def aggregation(self) -> str:
        if self.code in NOT_ADDITIVE:
            return "none"
        return "mean" if self.is_percent else "sum"


@lru_cache(maxsize=4)
def indicators(path: Path = FACTS_CSV) -> dict[str, Indicator]:
    with open(path, encoding="utf-8", newline="") as f:
        return {r["code"]: Indicator(r["code"], r["group"], r["name"], r["unit"], float(r["min"]), float(r["max"]))
                for r in csv.DictReader(f)}


def value_text(v: float | None, percent: bool = False) -> str:
    """A fact as Vietnamese write it: 537 -> '537'; 96.37 -> '96,37'; None -> '–'."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.DASH
    text = fmt.number(v, 0 if float(v).is_integer() else 2)
    return f"{text} %" if percent else text


def change_text(now: float | None, before: float | None, percent: bool = False) -> str:
    if now is None or before is None:
        return fmt.DASH
    d = now - before
    text = fmt.signed_number(d, 0 if float(d).is_integer() else 2)
    return f"{text} điểm %" if percent else text


# --- consistency checks ------------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    check: str  # short Vietnamese name of the check
    severity: str  # "error" (cannot both be right) | "warning" (worth a look)
    message: str  # what is wrong, with the figures, in Vietnamese
    indicators: tuple[str, ...]


def _n(v: float) -> str:
    return value_text(v)


def _sum_equals(values: dict, parts: tuple[str, str], total: str, check: str, what: str,
                shortfall_is_warning: bool = False, shortfall_note: str = "") -> Issue | None:
    """parts[0] + parts[1] must equal total (skipped when a figure is missing)."""
    if any(values.get(k) is None for k in (*parts, total)):
        return None
    a, b, t = values[parts[0]], values[parts[1]], values[total]
    if abs(a + b - t) < 1e-9:
        return None
    diff = a + b - t
    severity = "warning" if shortfall_is_warning and diff < 0 else "error"
    msg = (f"{what}: {_n(a)} + {_n(b)} ≠ {_n(t)} (tổng {_n(a + b)}, "
           f"{'thừa' if diff > 0 else 'thiếu'} {_n(abs(diff))} so với {_n(t)}).")
    if severity == "warning" and shortfall_note:
        msg += " " + shortfall_note
    return Issue(check, severity, msg, (*parts, total))


def check(values: dict[str, float | None], catalogue_count: int | None = None,
          catalogue_day: date | None = None, defs: dict[str, Indicator] | None = None) -> list[Issue]:
    """The consistency checks of one unit's year, on a dict indicator -> value (missing = None).

    - staffing: present + vacancies = quota; officials + civil servants = present;
    - qualifications: university + college = present; political training intermediate + elementary
      = present (fewer is a warning: some staff may have neither);
    - every percentage within 0–100 %, every value within the plausible range of facts.csv, counts
      whole numbers;
    - the number of procedures in force equals the catalogue on the report's closing day.
    Documents issued electronically are not compared with documents reviewed: they count different
    things (documents the commune sends vs. legal documents it checks), so neither bounds the other.
    """
    defs = defs or indicators()
    out: list[Issue] = []
    for issue in (
        _sum_equals(values, ("staff_present", "staff_vacancies"), "staff_quota", "Biên chế",
                    "Số CBCC hiện có + số còn thiếu phải bằng số được giao"),
        _sum_equals(values, ("staff_officials", "staff_civil_servants"), "staff_present", "Cơ cấu CBCC",
                    "Số cán bộ + số công chức phải bằng số CBCC hiện có"),
        _sum_equals(values, ("staff_university", "staff_college"), "staff_present", "Trình độ chuyên môn",
                    "Số CBCC có trình độ đại học trở lên + cao đẳng, trung cấp phải bằng số CBCC hiện có",
                    shortfall_is_warning=True, shortfall_note="Nếu có CBCC trình độ khác, cần ghi rõ trong báo cáo."),
        _sum_equals(values, ("staff_politics_intermediate", "staff_politics_elementary"), "staff_present",
                    "Lý luận chính trị",
                    "Số CBCC có trình độ lý luận chính trị trung cấp trở lên + sơ cấp phải bằng số CBCC hiện có",
                    shortfall_is_warning=True,
                    shortfall_note="Nếu có CBCC chưa qua đào tạo lý luận chính trị, cần ghi rõ trong báo cáo."),
    ):
        if issue:
            out.append(issue)
    for code, v in values.items():
        d = defs.get(code)
        if d is None or v is None:
            continue
        if d.is_percent and not 0 <= v <= 100:
            out.append(Issue("Tỷ lệ", "error", f"{d.name} = {value_text(v, True)}: tỷ lệ phải trong khoảng 0–100 %.",
                             (code,)))
        elif not d.min <= v <= d.max:
            out.append(Issue("Khoảng giá trị", "error" if v < 0 else "warning",
                             f"{d.name} = {_n(v)} {d.unit}: ngoài khoảng hợp lý {_n(d.min)}–{_n(d.max)}.", (code,)))
        if not d.is_percent and not float(v).is_integer():
            out.append(Issue("Số nguyên", "warning", f"{d.name} = {value_text(v)}: phải là số nguyên ({d.unit}).",
                             (code,)))
    v = values.get("procedures_in_force")
    if v is not None and catalogue_count is not None and v != catalogue_count:
        day = f" ngày {fmt.day(catalogue_day)}" if catalogue_day else ""
        out.append(Issue("Số TTHC", "warning",
                         f"Số TTHC cấp xã đang thực hiện báo cáo là {_n(v)}, danh mục TTHC cấp xã còn hiệu lực{day} có "
                         f"{_n(catalogue_count)} thủ tục (chênh {fmt.signed_number(v - catalogue_count)}).",
                         ("procedures_in_force",)))
    return out


def catalogue_day(year: int, province: str) -> date:
    """The closing day of the official reporting year (09/12 in Hải Dương, cut-off day 10)."""
    return periods.make("year", year, None, coverage.cutoff_day(units.map_of_year(year), province)).end


def catalogue_count(db: Database, year: int, province: str) -> tuple[date, int]:
    day = catalogue_day(year, province)
    return day, kpis.procedures_in_force(db, day)["total"]


# --- one unit's year -----------------------------------------------------------------------------
def available_years(db: Database, unit: Unit) -> list[int]:
    return db.run("facts_years", **unit.scope)["year"].to_list()


def default_year(years: list[int], period: periods.Period) -> int | None:
    """The year the period ends in, if it has facts; else the latest year with facts before it; else
    the earliest."""
    if not years:
        return None
    if period.end.year in years:
        return period.end.year
    before = [y for y in years if y < period.end.year]
    return max(before) if before else min(years)


def own_year(unit: Unit, year: int) -> bool:
    """True when the unit itself reports the year's facts: a commune of the map in force on the year's
    31/12. A new commune's years before 2025 are its predecessors' facts, shown added up like a
    district's (scope_year); an old commune has none after 2024."""
    return unit.level == "commune" and units.map_of_year(year) == unit.map


def commune_year(db: Database, unit: Unit, year: int) -> dict:
    """One commune's facts for a year and the year before, and the checks of the year."""
    now = {r["indicator"]: r for r in db.run("facts_year", unit=unit.code, year=year).to_dicts()}
    before = {r["indicator"]: r for r in db.run("facts_year", unit=unit.code, year=year - 1).to_dicts()}
    values = {k: r["value"] for k, r in now.items()}
    day, count = catalogue_count(db, year, unit.province)
    return {"year": year, "values": values, "previous": {k: r["value"] for k, r in before.items()},
            "entries": now, "issues": check(values, count, day) if values else [], "catalogue": (day, count)}


def aggregate(rows: list[dict], defs: dict[str, Indicator] | None = None) -> dict[str, dict]:
    """Communes' values of one year -> per indicator: value (sum, mean or None), communes reporting."""
    defs = defs or indicators()
    by: dict[str, list[float]] = {}
    for r in rows:
        if r["value"] is not None:
            by.setdefault(r["indicator"], []).append(r["value"])
    out = {}
    for code, vs in by.items():
        how = defs[code].aggregation if code in defs else "none"
        value = sum(vs) if how == "sum" else (sum(vs) / len(vs) if how == "mean" else None)
        out[code] = {"value": value, "communes": len(vs), "how": how}
    return out


def scope_year(db: Database, unit: Unit, year: int) -> dict:
    """A district's or province's communes: the aggregated year and year before, and each commune's
    issues (a list of (commune code, name, Issue))."""
    df = db.run("facts_units", **unit.scope, year_from=year - 1, year_to=year)
    rows = df.to_dicts()
    now = [r for r in rows if r["year"] == year]
    day, count = catalogue_count(db, year, unit.province)
    per_unit: dict[str, dict] = {}
    for r in now:
        per_unit.setdefault(r["unit_code"], {"name": r["unit_name"], "values": {}})["values"][r["indicator"]] = r["value"]
    issues = [(code, u["name"], i) for code, u in sorted(per_unit.items()) for i in check(u["values"], count, day)]
    return {"year": year, "aggregate": aggregate(now), "previous": aggregate([r for r in rows if r["year"] == year - 1]),
            "communes": len(per_unit), "issues": issues, "catalogue": (day, count), "rows": now}


# --- tables ---------------------------------------------------------------------------------------
def _groups(defs: dict[str, Indicator]) -> dict[str, str]:
    """GROUPS, plus any group of facts.csv not named there (shown under its code)."""
    out = dict(GROUPS)
    for d in defs.values():
        out.setdefault(d.group, d.group)
    return out


def _flags(issues: list[Issue]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in issues:
        for code in i.indicators:
            mark = "❌" if i.severity == "error" else "⚠️"
            if out.get(code) != "❌":
                out[code] = mark
    return out


def commune_tables(data: dict, defs: dict[str, Indicator] | None = None) -> list[tuple[str, pl.DataFrame]]:
    """(Vietnamese group name, table) per group: indicator, unit, the year, the year before, the
    change, the check mark and the evidence note."""
    defs = defs or indicators()
    y, flags = data["year"], _flags(data["issues"])
    out = []
    for g, gname in _groups(defs).items():
        rows = []
        for d in (d for d in defs.values() if d.group == g):
            now, before = data["values"].get(d.code), data["previous"].get(d.code)
            if now is None and before is None:
                continue
            e = data["entries"].get(d.code) or {}
            rows.append({"Chỉ tiêu": d.name, "Đơn vị tính": d.unit, f"Năm {y}": value_text(now, d.is_percent),
                         f"Năm {y - 1}": value_text(before, d.is_percent),
                         "Thay đổi": change_text(now, before, d.is_percent), "Kiểm tra": flags.get(d.code, ""),
                         "Ghi chú, tài liệu kiểm chứng": e.get("note") or ""})
        if rows:
            out.append((gname, pl.DataFrame(rows)))
    return out


def scope_tables(data: dict, defs: dict[str, Indicator] | None = None) -> list[tuple[str, pl.DataFrame]]:
    defs = defs or indicators()
    y = data["year"]
    flagged = {i.indicators for _, _, i in data["issues"]}
    flagged_codes = {c for t in flagged for c in t}
    out = []
    for g, gname in _groups(defs).items():
        rows = []
        for d in (d for d in defs.values() if d.group == g):
            now, before = data["aggregate"].get(d.code), data["previous"].get(d.code)
            if now is None and before is None:
                continue
            nv = now["value"] if now else None
            bv = before["value"] if before else None
            how = d.aggregation
            rows.append({"Chỉ tiêu": d.name, "Đơn vị tính": d.unit, "Cách tổng hợp": AGGREGATION_LABEL[how],
                         f"Năm {y}": value_text(nv, d.is_percent), f"Năm {y - 1}": value_text(bv, d.is_percent),
                         "Thay đổi": change_text(nv, bv, d.is_percent),
                         "Số xã báo cáo": fmt.number(now["communes"]) if now else fmt.DASH,
                         "Kiểm tra": "⚠️" if d.code in flagged_codes else ""})
        if rows:
            out.append((gname, pl.DataFrame(rows)))
    return out


def issues_table(issues: list) -> pl.DataFrame:
    """The issues of a district's or province's communes: commune, check, severity, message."""
    return pl.DataFrame([{"Mã xã": code, "Xã, phường, thị trấn": name, "Kiểm tra": i.check,
                          "Mức độ": "Sai lệch" if i.severity == "error" else "Cần xem lại", "Nội dung": i.message}
                         for code, name, i in issues],
                        schema={"Mã xã": pl.String, "Xã, phường, thị trấn": pl.String, "Kiểm tra": pl.String,
                                "Mức độ": pl.String, "Nội dung": pl.String})


def by_commune(data: dict, code: str) -> pl.DataFrame:
    """One indicator in each commune of the scope (for the indicators that do not add up)."""
    d = indicators().get(code)
    rows = sorted((r for r in data["rows"] if r["indicator"] == code), key=lambda r: r["unit_code"])
    return pl.DataFrame([{"Mã xã": r["unit_code"], "Xã, phường, thị trấn": r["unit_name"],
                          "Giá trị": value_text(r["value"], d.is_percent if d else False)} for r in rows],
                        schema={"Mã xã": pl.String, "Xã, phường, thị trấn": pl.String, "Giá trị": pl.String})


__all__ = ["GROUPS", "Indicator", "Issue", "indicators", "check", "commune_year", "own_year", "scope_year", "aggregate",
           "commune_tables", "scope_tables", "issues_table", "available_years", "default_year", "value_text"]
