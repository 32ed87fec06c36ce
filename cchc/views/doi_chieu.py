"""Đối chiếu báo cáo (reconcile a written report): the page's data and tables. The logic is
cchc.reconcile; this module gathers what the user typed (pasted lines and the form's fields) into
one outcome, once per submission, and lays the outcome out as tables of text:

    out = outcome(db, unit, period, text, fields)   # fields: item key -> text typed in its box
    results_table(out) / issues_table(out)          # Vietnamese headers, every cell plain text

No Streamlit here: pages/doi_chieu.py only draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .. import reconcile as rc
from ..db import Database
from ..kpis import Unit
from ..periods import Period

SECTIONS = [rc.DOSSIERS, rc.DIGITAL, rc.SATISFACTION, rc.BUDGET, rc.STAFF]
MAX_FIELD = 40  # characters of a form field read


def items(section: str) -> list[rc.Item]:
    return [i for i in rc.ITEMS if i.section == section]


def field_label(item: rc.Item) -> str:
    """A form field's label: the item's label and the unit to type it in."""
    return f"{item.label} ({item.unit})"


@dataclass
class Outcome:
    statements: list[rc.Statement] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # lines or fields not read, plain text
    results: list[rc.Result] = field(default_factory=list)
    issues: list[rc.Issue] = field(default_factory=list)
    facts_year: int | None = None

    @property
    def empty(self) -> bool:
        return not self.statements

    @property
    def contradicted(self) -> list[rc.Result]:
        return [r for r in self.results if r.verdict == rc.CONTRADICTED]

    @property
    def inconsistent(self) -> list[rc.Issue]:
        return [i for i in self.issues if not i.ok]

    @property
    def summary(self) -> str:
        return rc.summary(self.results, self.issues)


def read_fields(fields: dict[str, str | None]) -> tuple[list[rc.Statement], list[str]]:
    """The form's fields (item key → text) as statements; a field that is not a number gets a message."""
    out, msgs = [], []
    for item in rc.ITEMS:
        raw = (fields.get(item.key) or "").strip()
        if not raw:
            continue
        try:
            out.append(rc.statement(item.key, raw[:MAX_FIELD], "ô nhập"))
        except rc.NumberError as e:
            msgs.append(f"Ô “{item.label}”: {e}, bỏ qua.")
    return out, msgs


def outcome(db: Database, unit: Unit, p: Period, text: str | None, fields: dict[str, str | None]) -> Outcome:
    """Everything the page shows after a submission: the pasted lines then the form's fields read,
    each figure compared with the data, the report checked against itself."""
    data = rc.data_values(db, unit, p)
    stated, msgs = rc.parse_text(text or "", data["_fields"])
    more, msgs2 = read_fields(fields)
    stated += more
    msgs += msgs2
    if not stated:
        return Outcome(messages=msgs)
    return Outcome(stated, msgs, rc.compare(stated, data), rc.consistency(stated), data.get("_facts_year"))


RESULT_COLUMNS = ["Nguồn", "Chỉ tiêu", "Báo cáo ghi", "Dữ liệu", "Kết quả", "Giải thích"]


def results_table(out: Outcome) -> pl.DataFrame:
    """One row per figure typed, contradicted ones first, then as typed."""
    order = {rc.CONTRADICTED: 0, rc.NO_DATA: 1, rc.CONFIRMED: 2}
    rows = sorted(out.results, key=lambda r: order[r.verdict])
    cols = {
        "Nguồn": [r.statement.source for r in rows],
        "Chỉ tiêu": [r.statement.item.label for r in rows],
        "Báo cáo ghi": [r.statement.written for r in rows],
        "Dữ liệu": [rc.shown_value(r.statement.key, r.data) for r in rows],
        "Kết quả": [r.verdict_label for r in rows],
        "Giải thích": [r.text for r in rows],
    }
    return pl.DataFrame(cols, schema={c: pl.String for c in RESULT_COLUMNS})


def issues_table(out: Outcome) -> pl.DataFrame:
    cols = {"Kết quả": ["Mâu thuẫn" if not i.ok else "Khớp" for i in out.issues],
            "Kiểm tra": [i.text for i in out.issues]}
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


EXAMPLE = """Tổng số hồ sơ tiếp nhận: 3.262
Tỷ lệ giải quyết trước hạn, đúng hạn: 99,97 %
Thu ngân sách: 12 tỷ 951 triệu đồng
Số lượng người làm việc hiện có: 14"""
