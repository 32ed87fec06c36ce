"""Kiểm tra dữ liệu: each check provoked by hand-built rows whose counts are worked out by hand, and
the page over the sample (xã Quốc Tuấn 2023: one finding, the dossier processed beyond its statutory
time) and over the hand-built rows (the findings, their links and downloads)."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from cchc import fmt, periods, units
from cchc.db import Database
from cchc.export import tables
from cchc.views import kiem_tra as kt

from fixtures import dossier, write_dataset

MARCH = periods.custom(date(2023, 3, 1), date(2023, 3, 31))  # 23 working days (01/03 is a Wednesday)
SHARED = {"unit": "10621", "from": "2023-03-01", "to": "2023-03-31"}
# Procedure P1 (fixtures.PROCEDURES): statutory time 3 working days. Every row is xã Quốc Tuấn's.
ROWS = [
    # received Wed 01/03, finished Fri 03/03 (2 working days), due Mon 06/03 -> (8) trước hạn
    dossier("A", "2023-03-01 09:00", "2023-03-06 17:00", "2023-03-03 10:00"),
    # finished Wed 08/03, before its receipt on Fri 10/03 -> finished_before_received; due 15/03 -> (8)
    dossier("B", "2023-03-10 09:00", "2023-03-15 17:00", "2023-03-08 10:00"),
    # due Mon 13/03, before its receipt on Tue 14/03 -> due_before_received; finished 14/03 -> (10) quá hạn
    dossier("C", "2023-03-14 09:00", "2023-03-13 17:00", "2023-03-14 15:00"),
    # one code, two rows (received Thu 02/03 and Fri 03/03, both finished on their due day) -> 2 duplicate
    # rows, 2 copies each; (9) đúng hạn twice
    dossier("DUP", "2023-03-02 09:00", "2023-03-02 17:00", "2023-03-02 11:00", proc="P2", field="Chứng thực"),
    dossier("DUP", "2023-03-03 09:00", "2023-03-03 17:00", "2023-03-03 11:00", proc="P2", field="Chứng thực"),
    # received Thu 16/03, finished Mon 20/03 (2 working days), due 21/03 -> (8) trước hạn
    dossier("E", "2023-03-16 09:00", "2023-03-21 17:00", "2023-03-20 10:00"),
    # new with a channel the form does not know: neither (4) nor (5) -> (3) = (4)+(5)+(6) off by 1;
    # pending, due 05/04 -> (12)
    dossier("F", "2023-03-15 09:00", "2023-04-05 17:00", None, channel="khac"),
    # received Wed 15/03, finished Wed 22/03: 16, 17, 20, 21, 22 = 5 working days > 3 -> over_statutory,
    # 2 days over; due Fri 24/03 -> (8) trước hạn (Biểu 06 does not count it late)
    dossier("G", "2023-03-15 09:00", "2023-03-24 17:00", "2023-03-22 10:00"),
]
# By hand, over March: (3) = 8 rows; (4) = 0, (5) = 7 (F's channel is unknown), (6) = 0 -> 7 ≠ 8.
# (7) = 7 (all but F); (8) = A, B, E, G = 4; (9) = DUP ×2 = 2; (10) = C = 1 -> 7.
# (11) = F = 1 = (12) 1 + (13) 0; (3) = (7) + (11): 8 = 7 + 1.
# Receipt days: 01, 02, 03, 10, 14, 15, 16 March = 7 of the 23 working days -> 16 days without receipts:
# week of 06/03: 6, 7, 8, 9 (4); of 13/03: 13, 17 (2); of 20/03 and 27/03: all 5 each (2 whole weeks).


def rating(rid: str, dossier_id: str, day: str, unit: str = "10621") -> dict:
    t = datetime.fromisoformat(day)
    return dict(rating_id=rid, dossier_id=dossier_id, unit_code=unit, district_code="291", procedure_code="P1",
                field="Hộ tịch", rated_at=t, level=4, channel="tai_quay", year=t.year, province_code="30")


# One form rates dossier A; one names a dossier that does not exist -> 1 rating without a dossier.
RATINGS = [rating("R1", "A", "2023-03-03 10:05"), rating("R2", "KHONG-CO", "2023-03-20 10:00")]


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("kiem_tra"), dossiers=ROWS, ratings=RATINGS)
    d = Database(root)
    yield root, d
    d.close()


def by_key(fs):
    return {f.key: f for f in fs}


def test_each_check_on_hand_built_rows(hand):
    _, db = hand
    fs = kt.findings(db, units.resolve(db, "10621"), MARCH, SHARED)
    f = by_key(fs)
    got = {k: (x.severity, x.count) for k, x in f.items()}
    assert got == {
        "form_received_total_received_online": (kt.ERROR, 1),   # 8 vs 0 + 7 + 0
        "form_resolved_total_resolved_early": (kt.OK, 0),       # 7 = 4 + 2 + 1
        "form_pending_total_pending_within": (kt.OK, 0),        # 1 = 1 + 0
        "form_received_total_resolved_total": (kt.OK, 0),       # 8 = 7 + 1
        "due_before_received": (kt.ERROR, 1),                   # C
        "finished_before_received": (kt.ERROR, 1),              # B
        "duplicate_code": (kt.ERROR, 2),                        # the two rows of DUP
        "over_statutory": (kt.WARNING, 1),                      # G, 5 working days for 3
        "quiet_days": (kt.WARNING, 16),                         # two whole working weeks among them
        "silent_units": (kt.OK, 0),                             # the commune received in March
        "orphan_ratings": (kt.WARNING, 1),                      # R2
    }
    assert [x.severity for x in fs] == sorted((x.severity for x in fs), key=kt.ORDER.get)  # worst first
    assert "(3) = 8; (4) + (5) + (6) = 0 + 7 + 0 = 7" in f["form_received_total_received_online"].text
    assert "(7) = 7; (8) + (9) + (10) = 4 + 2 + 1 = 7" in f["form_resolved_total_resolved_early"].text
    assert f["due_before_received"].rows["Mã hồ sơ"].to_list() == ["C"]
    assert f["finished_before_received"].rows["Mã hồ sơ"].to_list() == ["B"]
    dup = f["duplicate_code"].rows
    assert dup["Mã hồ sơ"].to_list() == ["DUP", "DUP"] and dup["Số bản ghi cùng mã"].to_list() == ["2", "2"]
    g = f["over_statutory"].rows.row(0, named=True)
    assert (g["Mã hồ sơ"], g["Số ngày xử lý"], g["Thời hạn (ngày)"], g["Vượt (ngày)"]) == ("G", "5", "3", "2")
    assert "1 hồ sơ giải quyết quá hạn" in f["over_statutory"].text  # Biểu 06's (10) is C, not G
    quiet = f["quiet_days"]
    assert "2 tuần làm việc không tiếp nhận hồ sơ nào" in quiet.text and "20/03/2023, 27/03/2023" in quiet.text
    assert quiet.rows["Cả tuần không tiếp nhận"].to_list().count("có") == 10
    assert f["orphan_ratings"].rows["Mã phiếu"].to_list() == ["R2"]
    # every dossier row links to the dossier list of Hồ sơ TTHC, searched by its code, same unit and period
    url = urlsplit(f["due_before_received"].rows[kt.LINK][0])
    assert url.path == "ho-so" and parse_qs(url.query) == {"unit": ["10621"], "from": ["2023-03-01"],
                                                           "to": ["2023-03-31"], "field": ["*"], "q": ["C"]}
    assert kt.summary(fs) == "4 lỗi, 3 cảnh báo, 4 mục đạt"
    csv = tables.to_csv(f["duplicate_code"].rows).decode("utf-8")  # what the page's "Tải CSV" gives
    assert csv.startswith("\ufeffMã hồ sơ;")


def test_silent_commune_of_a_district(hand):
    """Huyện Nam Sách (fixtures: communes 10621 and 10606): 10606 received nothing in March, the one
    whole month of the period -> 1 silent commune-month, linked to its month on Tổng quan."""
    _, db = hand
    f = by_key(kt.findings(db, units.resolve(db, "291"), MARCH, {**SHARED, "unit": "291"}))["silent_units"]
    assert (f.severity, f.count) == (kt.WARNING, 1)
    row = f.rows.row(0, named=True)
    assert (row["Mã"], row["Tháng"]) == ("10606", "03/2023")
    assert parse_qs(urlsplit(row[kt.LINK]).query) == {"unit": ["10606"], "from": ["2023-03-01"], "to": ["2023-03-31"]}
    # a period without a whole month: nothing to check, nothing found
    short = periods.custom(date(2023, 3, 2), date(2023, 3, 31))
    assert by_key(kt.findings(db, units.resolve(db, "291"), short, SHARED))["silent_units"].count == 0


def test_page_over_the_sample(app):
    """xã Quốc Tuấn 2023: the form's identities hold, no bad dates, no duplicates, no silent day or month,
    every rating has its dossier; one dossier took longer than its procedure's statutory time (the one
    Biểu 06 counts late)."""
    at = app(page="pages/kiem_tra.py", unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    assert at.title[0].value == "Kiểm tra dữ liệu"
    assert at.subheader[0].value == "Kết quả: 1 cảnh báo, 10 mục đạt"
    summary = at.dataframe[0].value
    assert summary["Mức"].tolist()[0] == "Cảnh báo" and summary["Số lượng"].tolist() == ["1"] + ["0"] * 10
    rows = at.dataframe[1].value
    assert len(rows) == 1 and rows[kt.LINK][0].startswith("ho-so?unit=10621&from=2022-12-10&to=2023-12-09")
    assert any(fmt.md("Biểu 06 tính quá hạn theo ngày hẹn trả: 1 hồ sơ") in w.value for w in at.warning)  # escaped


def test_page_over_hand_built_rows(hand, monkeypatch):
    """The page on the hand-built rows: the findings above, the error expanders open, the rows shown."""
    from apptest_util import open_page
    root, _ = hand
    monkeypatch.setenv("CCHC_DATA_DIR", str(root))
    monkeypatch.setenv("CCHC_PUBLIC_READ", "1")  # hand-built data are real data: read as the public
    at = open_page("pages/kiem_tra.py", SHARED)
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "Kết quả: 4 lỗi, 3 cảnh báo, 4 mục đạt"
    tables = [d.value for d in at.dataframe]
    assert ["DUP", "DUP"] in [t["Mã hồ sơ"].tolist() for t in tables if "Số bản ghi cùng mã" in t.columns]
    assert ["R2"] in [t["Mã phiếu"].tolist() for t in tables if "Mã phiếu" in t.columns]
    assert len(at.error) == 4


def test_silent_communes_across_the_change_of_map(tmp_path):
    """The new xã Trần Phú (10633) over June–July 2025: June is the old map's month (its predecessors
    Quốc Tuấn 10621, Hiệp Cát 10618 and the old Trần Phú 10633), July the new map's (10633 itself).
    Dossiers: old Quốc Tuấn in June, new Trần Phú in July -> silent: Hiệp Cát and the old Trần Phú in
    June (the old one linked as cu-10633: its code is reused); nothing in July."""
    from fixtures import UNITS_BOTH_MAPS
    rows = [dossier("Q1", "2025-06-10 09:00", "2025-06-12 17:00", "2025-06-11 10:00"),
            dossier("T1", "2025-07-10 09:00", "2025-07-14 17:00", "2025-07-11 10:00", unit="10633",
                    district_code=None, province_code="31")]
    db = Database(write_dataset(tmp_path / "maps", dossiers=rows, units=UNITS_BOTH_MAPS))
    try:
        p = periods.custom(date(2025, 6, 1), date(2025, 7, 31))
        f = by_key(kt.findings(db, units.resolve(db, "10633"), p, {"unit": "10633"}))["silent_units"]
        assert [(r["Mã"], r["Tháng"]) for r in f.rows.iter_rows(named=True)] == [("10618", "06/2025"),
                                                                                 ("10633", "06/2025")]
        assert [parse_qs(urlsplit(u).query)["unit"] for u in f.rows[kt.LINK]] == [["10618"], ["cu-10633"]]
    finally:
        db.close()
