"""Tài liệu họp: the view (choices, labels, the built file's summary) and the page in AppTest
(default choice, building a PPTX and a PDF with the progress bar, the downloads, a change of
period dropping a file built for another)."""
from __future__ import annotations

import io
from datetime import date

from pptx import Presentation

from cchc import fmt, kpis
from cchc.export import pack
from cchc.views import tai_lieu_hop as th

YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}


# --- the view ------------------------------------------------------------------------------------
def test_choices_and_labels():
    assert th.KEYS == [i.key for i in pack.PACK_ITEMS] and th.default_keys() == pack.default_keys()
    assert th.label("tong-quan-xu-huong") == "Tổng quan: Xu hướng 24 tháng"
    assert th.label("tong-quan-chi-tieu") == "Tổng quan: Các chỉ tiêu chính (bảng)"
    assert th.chosen(["ho-so-kenh-nop", "x", "tong-quan-xu-huong"]) == ["tong-quan-xu-huong", "ho-so-kenh-nop"]


def test_signature_follows_unit_period_and_choice(db):
    unit = kpis.resolve_unit(db, "10621")
    a = kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))
    b = kpis.period_for(unit, date(2021, 12, 10), date(2022, 12, 9))
    keys = th.default_keys()
    assert th.signature(unit, a, keys) == th.signature(unit, a, list(reversed(keys)))
    assert th.signature(unit, a, keys) != th.signature(unit, b, keys)
    assert th.signature(unit, a, keys) != th.signature(unit, a, keys[:1])


def test_build_summary_names_what_was_left_out(db):
    unit = kpis.resolve_unit(db, "10621")
    period = kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))
    built = th.build(db, unit, period, th.default_keys(), "pptx")
    assert built.file_name == "tai-lieu-hop_xa-quoc-tuan_nam-2023.pptx" and built.mime == pack.FORMATS["pptx"]
    assert "3 trang chiếu" in built.summary and "đã bỏ qua: Xếp hạng các đơn vị trực thuộc" in built.summary
    assert len(Presentation(io.BytesIO(built.data)).slides) == 3


# --- the page ------------------------------------------------------------------------------------
def _downloads(at) -> dict[str, object]:
    return {b.proto.label: b for b in at.get("download_button")}


def test_page_builds_a_pack_and_offers_it(app):
    at = app(page="pages/tai_lieu_hop.py", unit="291", **YEAR_2023)
    assert at.title[0].value == "Tài liệu họp"
    assert at.multiselect(key="th_items").value == pack.default_keys()
    assert "Tải dự thảo báo cáo CCHC (DOCX)" in _downloads(at)
    assert "Tải tài liệu họp (PPTX)" not in _downloads(at)  # nothing built yet
    at.button(key="th_build_pptx").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert "Tải tài liệu họp (PPTX)" in _downloads(at)
    summary = [c.value for c in at.caption if "trang chiếu" in c.value]
    assert summary and "Xếp hạng các đơn vị trực thuộc" in summary[0]  # a district ranks its communes
    # another choice: the PPTX built for the first one is no longer offered; the PDF of this one is
    at.multiselect(key="th_items").set_value(["tong-quan-xu-huong"]).run()
    assert "Tải tài liệu họp (PPTX)" not in _downloads(at)  # built for another choice
    at.button(key="th_build_pdf").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    assert "Tải tài liệu họp (PDF)" in _downloads(at)
    assert any(fmt.md("PDF: 2 trang (trang tiêu đề, Xu hướng 24 tháng).") == c.value for c in at.caption)


def test_page_with_nothing_chosen_cannot_build(app):
    at = app(page="pages/tai_lieu_hop.py", unit="10621", **YEAR_2023)
    at.multiselect(key="th_items").set_value([]).run()
    assert at.button(key="th_build_pptx").disabled and at.button(key="th_build_pdf").disabled


def test_page_says_when_no_chart_can_be_drawn(app):
    at = app(page="pages/tai_lieu_hop.py", unit="10621", **YEAR_2023)
    at.multiselect(key="th_items").set_value(["tong-quan-xep-hang"]).run()  # a commune has nothing to rank
    at.button(key="th_build_pptx").click().run(timeout=180)
    assert not at.exception
    assert any("Không có biểu đồ nào" in e.value for e in at.error)
    assert "Tải tài liệu họp (PPTX)" not in _downloads(at)


def test_an_old_unit_after_its_end_gets_no_pack(app, db):
    unit = kpis.resolve_unit(db, "10621")  # xã Quốc Tuấn, gone since 01/07/2025
    at = app(page="pages/tai_lieu_hop.py", unit="10621", **{"from": "2025-12-15", "to": "2026-06-14"})
    assert at.title[0].value == "Tài liệu họp"
    assert any(unit.gone_message()[:40] in w.value.replace("\\", "") for w in at.warning)
    assert not [b for b in at.button if b.key and b.key.startswith("th_build")]


def test_a_partial_period_is_said_on_the_page_and_in_the_pack(app, db):
    from cchc import coverage
    unit = kpis.resolve_unit(db, "10633")  # the new xã Trần Phú; the sample ends on 30/11/2026
    end = coverage.data_end(db)
    period = coverage.clip(kpis.period_for(unit, date(2025, 12, 15), date(2026, 12, 14)), end, unit.valid_to)
    assert period.partial
    at = app(page="pages/tai_lieu_hop.py", unit="10633", **{"from": "2025-12-15", "to": "2026-12-14"})
    assert any("chưa trọn" in i.value for i in at.info)
    p = pack.plan(db, unit, period, ["tong-quan-xu-huong"])
    assert f"Kỳ báo cáo: {period.label}" in p.title_lines() and period.coverage_note in period.label
