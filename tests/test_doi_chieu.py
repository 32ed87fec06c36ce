"""Đối chiếu báo cáo: the seed report's figures (../shared/seed-figures.md), typed as a user would
type them, reconciled against the sample (which reproduces xã Quốc Tuấn 2023): each of the report's
contradictions is flagged, the rest confirmed; the reading of Vietnamese numbers and labels; hostile
text gets Vietnamese messages and is shown as text."""
from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from cchc import fmt, kpis, reconcile as rc, units
from cchc.views import doi_chieu as dc

QT = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}
# The seed report's figures, one per line, in its own words and number formats (99.04% with a point,
# "01" late dossier, money in tỷ and triệu). Lines 2, 3 and 4 are the report's slips.
SEED = """Từ ngày 10/12/2022 đến ngày 09/12/2023 tổng số hồ sơ tiếp nhận: 3.262
Tổng số hồ sơ tiếp nhận trong kỳ: 3.241
Số hồ sơ đã giải quyết đúng và trước hạn: 3.258
Tỷ lệ giải quyết đúng và trước hạn: 100%
Hồ sơ đang trong thời gian giải quyết: 4
Hồ sơ trễ hẹn: 01
Số hóa thành phần hồ sơ khi tiếp nhận: 3210
Tỷ lệ số hóa thành phần hồ sơ: 99.04%
Số hồ sơ đã giải quyết: 3258
Số hóa kết quả giải quyết: 3244
Tỷ lệ số hóa kết quả: 99.57%
Dịch vụ công trực tuyến mức độ 3 và 4: 100%
Số phiếu đánh giá: 3.258
Phiếu đánh giá mức độ tốt: 3.258
Phản ánh, kiến nghị: 0
Thu ngân sách: 12 tỷ 951 triệu đồng
Tỷ lệ thu ngân sách: 104.61%
Chi ngân sách: 9 tỷ 630 triệu đồng
Tỷ lệ chi ngân sách: 91,28%
Kế hoạch giải ngân vốn đầu tư công: 4 tỷ 164 triệu đồng
Đã giải ngân: 4 tỷ 112 triệu đồng
Tỷ lệ giải ngân: 98.75%
Số lượng người làm việc được giao: 20
Số lượng người làm việc hiện có: 14
Cán bộ: 8
Công chức: 6
Số lượng người làm việc thiếu: 3
+ Hộ tịch: 719 hồ sơ
+ Chứng thực: 2412 hồ sơ
+ Bảo trợ xã hội: 103 hồ sơ (03 hồ sơ đang giải quyết)
+ Người có công: 28 hồ sơ (1 hồ sơ đang tạm dừng)"""
FIELDS = ["Bảo trợ xã hội", "Chứng thực", "Hộ tịch", "Người có công"]  # the sample's fields in 2023
KEYS = ["received_total", "received_total", "resolved_in_time", "on_time_rate", "pending_total", "resolved_late",
        "digitised_input", "digitised_input_rate", "resolved_total", "digitised_result", "digitised_result_rate",
        rc.ONLINE_CAPABLE, "ratings_total", "ratings_satisfied", "feedback_total", "revenue_actual", "revenue_rate",
        "expenditure_actual", "expenditure_rate", "disbursement_plan", "disbursement_actual", "disbursement_rate",
        "staff_quota", "staff_present", "staff_officials", "staff_civil_servants", "staff_vacancies",
        "field:Hộ tịch", "field:Chứng thực", "field:Bảo trợ xã hội", "field:Người có công"]
# Against the data: 3.241 is the new dossiers (4)+(5), not the 3.262 received (3) (21 carried over);
# 3.258 is every resolved dossier, of which 3.257 in time; "100 %" on time with 1 late: 99,97 %.
CONTRADICTED = {"dòng 2": "Báo cáo ghi 3.241 hồ sơ, dữ liệu cho 3.262 hồ sơ (dữ liệu nhiều hơn 21); 3.241 là số mới "
                          "tiếp nhận trong dữ liệu; chênh lệch bằng số từ kỳ trước chuyển sang (21).",
                "dòng 3": "Báo cáo ghi 3.258 hồ sơ, dữ liệu cho 3.257 hồ sơ (dữ liệu ít hơn 1); 3.258 là số đã giải "
                          "quyết trong dữ liệu; chênh lệch bằng số giải quyết quá hạn (1).",
                "dòng 4": "Báo cáo ghi 100 %, dữ liệu cho 99,97 % (3.257 / 3.258): 1 hồ sơ giải quyết quá hạn."}
# Against itself: two totals received; 3.258 in time + 1 late ≠ 3.258 resolved; 14 + 3 ≠ 20 staff.
INCONSISTENT = [
    "Hồ sơ tiếp nhận: báo cáo ghi hai số khác nhau (3.262 hồ sơ ở dòng 1 và 3.241 hồ sơ ở dòng 2).",
    "Đã giải quyết = số hồ sơ giải quyết trước hạn, đúng hạn + giải quyết quá hạn: báo cáo ghi 3.258 hồ sơ nhưng "
    "3.258 + 1 = 3.259 (thừa 1 so với 3.258).",
    "Số lượng cán bộ công chức được giao = số lượng cán bộ công chức hiện có + số lượng cán bộ công chức còn thiếu: "
    "báo cáo ghi 20 người nhưng 14 + 3 = 17 (thiếu 3 so với 20).",
]


def test_the_seed_figures_are_read_as_typed():
    stated, msgs = rc.parse_text(SEED, FIELDS)
    assert msgs == []
    assert [s.key for s in stated] == KEYS
    v = {s.source: s.value for s in stated}
    assert (v["dòng 1"], v["dòng 6"], v["dòng 8"], v["dòng 19"]) == (3262, 1, 99.04, 91.28)
    assert v["dòng 16"] == 12_951_000_000 and v["dòng 21"] == 4_112_000_000


def test_the_seed_report_against_the_sample(db):
    unit = units.resolve(db, "10621")
    period = kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))
    data = rc.data_values(db, unit, period)
    assert data["_fields"] == FIELDS
    stated, _ = rc.parse_text(SEED, data["_fields"])
    results = rc.compare(stated, data)
    bad = {r.statement.source: r.text for r in results if r.verdict == rc.CONTRADICTED}
    assert bad == CONTRADICTED
    assert all(r.verdict == rc.CONFIRMED for r in results if r.statement.source not in CONTRADICTED)
    issues = rc.consistency(stated)
    assert [i.text for i in issues if not i.ok] == INCONSISTENT
    # what does hold: 3.262 = 3.258 + 4; 14 = 8 + 6; 719 + 2.412 + 103 + 28 = 3.262; 100 % = 3.258/3.258;
    # 99,57 % = 3.244/3.258; 98,75 % = 4.112/4.164 (the other rates lack their denominator in the report)
    assert sum(i.ok for i in issues) == 6
    assert ("Hồ sơ tiếp nhận theo lĩnh vực (Hộ tịch, Chứng thực, Bảo trợ xã hội, Người có công): "
            "719 + 2.412 + 103 + 28 = 3.262, khớp với tổng 3.262.") in [i.text for i in issues]
    assert rc.summary(results, issues) == "28 số khớp, 3 số không khớp với dữ liệu; 3 chỗ báo cáo tự mâu thuẫn."


def test_the_seed_report_on_the_page(app):
    """The user pastes the seed's lines, types nothing else, and presses Đối chiếu."""
    at = app(page="pages/doi_chieu.py", **QT)
    assert at.title[0].value == "Đối chiếu báo cáo" and not at.dataframe
    at.text_area(key="dc_text").input(SEED)
    next(b for b in at.button if b.label == "Đối chiếu").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "Kết quả: 28 số khớp, 3 số không khớp với dữ liệu; 3 chỗ báo cáo tự mâu thuẫn."
    errors = [e.value for e in at.error]
    assert fmt.md("Tỷ lệ giải quyết trước hạn, đúng hạn: " + CONTRADICTED["dòng 4"]) in errors
    assert all(fmt.md(t) in errors for t in INCONSISTENT)
    table = at.dataframe[0].value
    assert table["Kết quả"].tolist() == ["Không khớp"] * 3 + ["Khớp"] * 28
    assert table["Báo cáo ghi"].tolist()[:3] == ["3.241", "3.258", "100%"]  # as written
    # another period: the same figures against its data, without typing them again
    at.query_params["from"], at.query_params["to"] = "2023-12-10", "2024-12-09"
    at.run()
    assert not at.exception and "Khớp" not in at.dataframe[0].value["Kết quả"].tolist()[:3]


def test_figures_typed_in_the_boxes(app):
    """The staff table typed box by box (a decimal in a head count refused in Vietnamese)."""
    at = app(page="pages/doi_chieu.py", **QT)
    for key, value in {"staff_quota": "20", "staff_present": "14", "staff_vacancies": "3", "staff_officials": "8,5",
                       "on_time_rate": "99,97"}.items():
        at.text_input(key=f"dc_{key}").input(value)
    next(b for b in at.button if b.label == "Đối chiếu").click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == [fmt.md("Ô “Cán bộ”: phải là số nguyên, bỏ qua.")]
    assert at.subheader[0].value == "Kết quả: 4 số khớp, 0 số không khớp với dữ liệu; 1 chỗ báo cáo tự mâu thuẫn."


# --- reading numbers and labels -------------------------------------------------------------------
@pytest.mark.parametrize("text, rate, value, decimals", [
    ("3.262", False, 3262, 0), ("3262", False, 3262, 0), ("1.234.567", False, 1234567, 0), ("99,97", True, 99.97, 2),
    ("99.04", True, 99.04, 2), ("99.04", False, 99.04, 2), ("1.234,5", False, 1234.5, 1), ("1,234.5", False, 1234.5, 1),
    ("100", True, 100, 0), ("0", False, 0, 0), ("104.610", True, 104.61, 3), ("12.951", False, 12951, 0),
])
def test_vietnamese_numbers(text, rate, value, decimals):
    assert rc.read_number(text, decimal_point=rate) == (pytest.approx(value), decimals)


@pytest.mark.parametrize("text", ["1.23.4", "12,34,5", "", ".", "1.2345.678", "9" * 40, "1..2"])
def test_numbers_refused_in_vietnamese(text):
    with pytest.raises(rc.NumberError):
        rc.read_number(text)


def test_money_and_precision():
    s = rc.statement("revenue_actual", "12 tỷ 951 triệu đồng")
    assert (s.value, s.tolerance) == (12_951_000_000, 500_000)
    assert rc.statement("revenue_actual", "12.951").value == 12_951_000_000  # triệu đồng by default
    assert rc.statement("revenue_actual", "12,95 tỷ đồng").value == pytest.approx(12_950_000_000)
    # a rate agrees to the decimals written; 100 % and 0 % only with exactly all and none
    assert rc.agrees(rc.statement("on_time_rate", "99,97"), 99.969) and not rc.agrees(rc.statement("on_time_rate", "99,97"), 99.96)
    assert rc.agrees(rc.statement("on_time_rate", "100%"), 100.0) and not rc.agrees(rc.statement("on_time_rate", "100%"), 99.97)
    assert rc.agrees(rc.statement("on_time_rate", "99,9"), 99.94)


def test_labels():
    assert rc.match("Số hồ sơ giải quyết đúng hạn và trước hạn").key == "resolved_in_time"
    assert rc.match("Tỷ lệ đúng hạn", percent=True).key == "on_time_rate"
    assert rc.match("TỔNG SỐ HỒ SƠ TIẾP NHẬN").key == "received_total"
    assert rc.match("tong so ho so tiep nhan").key == "received_total"  # typed without accents
    assert rc.match("(4)+(5)").key == "received_new" and rc.match("(6)").key == "carried_over"
    assert rc.match("Thời tiết hôm nay") is None
    # a '%' says a rate; a count written only as a percentage is refused, one with its count is read
    assert rc.parse_text("Hồ sơ tiếp nhận: 99%")[1] == [
        "Dòng 1 (Hồ sơ tiếp nhận): chỉ tiêu này là một số, không phải tỷ lệ phần trăm, bỏ qua."]
    assert [(x.key, x.value) for x in rc.parse_text("Cán bộ: 8 (57%)")[0]] == [("staff_officials", 8)]
    # a field's line needs the data's fields; without them it is not recognised
    assert rc.parse_text("+ Hộ tịch: 719 hồ sơ", ["Hộ tịch"])[0][0].key == "field:Hộ tịch"
    assert rc.parse_text("+ Hộ tịch: 719 hồ sơ")[0] == []
    # the labels are the catalogue's and the facts'
    assert rc.BY_KEY["on_time_rate"].label == "Tỷ lệ giải quyết trước hạn, đúng hạn"
    assert rc.BY_KEY["staff_quota"].label == "Số lượng cán bộ công chức được giao"


# --- hostile text ---------------------------------------------------------------------------------------
def test_hostile_text_gets_vietnamese_messages_and_stays_text():
    evil = "\n".join([
        "[bấm vào đây](https://evil.example): 5", "<script>alert(1)</script>: 3", "**Tổng số hồ sơ tiếp nhận**: 3.262",
        "Tổng số hồ sơ tiếp nhận: " + "9" * 5000, "Tỷ lệ đúng hạn: 1e309%", "Phản ánh: -3", "\x00\x1b[31mPhản ánh: 2",
        ":red[Tổng số hồ sơ tiếp nhận]: 3.262", "Tổng số hồ sơ tiếp nhận:", ": 5",
    ])
    stated, msgs = rc.parse_text(evil)
    assert [s.source for s in stated] == ["dòng 3", "dòng 8"]   # the labels read through the markup
    assert all(isinstance(m, str) and m.startswith(("Dòng", "Văn bản")) for m in msgs) and len(msgs) == 8
    assert "Dòng 6 (Phản ánh, kiến nghị): không thể là số âm, bỏ qua." in msgs
    t0 = time.perf_counter()
    stated, msgs = rc.parse_text(("Tổng số hồ sơ tiếp nhận: 1.2.3.4.5.6.7.8.9 " * 30 + "\n") * 1000)
    assert time.perf_counter() - t0 < 2
    assert msgs[0].startswith("Văn bản dài quá") and len(msgs) <= rc.MAX_LINES + 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parse_text_never_raises(text):
    stated, msgs = rc.parse_text(text)
    assert all(isinstance(m, str) for m in msgs)
    assert all(s.key in rc.BY_KEY for s in stated)


def test_view_tables_are_text():
    out = dc.Outcome()
    assert out.empty and dc.results_table(out).height == 0
    assert all(dc.items(s) for s in dc.SECTIONS)
    assert {i.key for s in dc.SECTIONS for i in dc.items(s)} == set(rc.BY_KEY)


def test_rates_written_as_counts(db):
    """"3210/3241 hồ sơ" is a rate of two counts, compared exactly; a '%' on the line is what is
    compared when there is one; a date is no fraction."""
    unit = units.resolve(db, "10621")
    period = kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))
    stated, msgs = rc.parse_text("Số hóa thành phần hồ sơ khi tiếp nhận: 3210/3241 hồ sơ\n"
                                 "Số hóa kết quả: 3244/3258 hồ sơ đạt 99.57%\n"
                                 "Dịch vụ công trực tuyến mức độ 3 và 4 là: 3258/3258 hồ sơ\n"
                                 "Tỷ lệ đúng hạn: 3258/3258\n"
                                 "Ngày báo cáo: 09/12/2023")
    assert [(s.key, s.fraction) for s in stated] == [("digitised_input_rate", (3210, 3241)),
                                                     ("digitised_result_rate", None),
                                                     (rc.ONLINE_CAPABLE, (3258, 3258)), ("on_time_rate", (3258, 3258))]
    assert msgs == ["Dòng 5: không nhận ra chỉ tiêu “Ngày báo cáo”, bỏ qua."]
    results = rc.compare(stated, rc.data_values(db, unit, period))
    assert [r.verdict for r in results] == [rc.CONFIRMED] * 3 + [rc.CONTRADICTED]
    assert results[3].text == ("Báo cáo ghi 3.258/3.258 (100,00 %), dữ liệu cho 99,97 % (3.257 / 3.258): "
                               "1 hồ sơ giải quyết quá hạn.")


def test_hostile_text_on_the_page_is_shown_as_text(app):
    """Markup pasted into the text area comes back escaped in a Vietnamese message: no link, no
    formatting, no HTML; nothing else is read, and the page says so."""
    at = app(page="pages/doi_chieu.py", **QT)
    at.text_area(key="dc_text").input("[bấm vào đây](https://evil.example): 5\n<img src=x onerror=alert(1)>\n**đậm**: 7")
    next(b for b in at.button if b.label == "Đối chiếu").click().run()
    assert not at.exception and not at.dataframe
    warnings = [w.value for w in at.warning]
    assert warnings == [fmt.md("Dòng 1: không nhận ra chỉ tiêu “[bấm vào đây](https://evil.example)”, bỏ qua."),
                        fmt.md("Dòng 2: không nhận ra chỉ tiêu “<img src=x onerror”, bỏ qua."),  # "label = number" too
                        fmt.md("Dòng 3: không nhận ra chỉ tiêu “đậm**”, bỏ qua.")]  # a leading bullet is dropped
    assert [i.value for i in at.info][-1] == "Không đọc được số nào để đối chiếu."
