"""Tự đánh giá: entering and correcting a commune's self-reported facts (cchc/ingest/facts_entry.py,
queries/facts_history.sql, pages/tu_danh_gia.py).

Every test works on its own copy of the sample (never the shared one). The figures come from the
sample's calibration: Quốc Tuấn (10621) reported 20 staff in its quota, 14 present and 3 vacancies
for 2023, entered by "sample" on 15/12/2023 08:00.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from cchc import access, fmt
from cchc.db import Database
from cchc.ingest import facts_entry as fe

UNIT, YEAR = "10621", 2023
NOTE = "QĐ số 12/QĐ-UBND ngày 05/01/2024 về biên chế"
PAGE = "pages/tu_danh_gia.py"
PERIOD = {"from": "2022-12-10", "to": "2023-12-09"}


def _copy(src: str, dst: str) -> None:
    """Copy facts.parquet (the one table these tests write); hard-link the read-only rest of the
    141 MB sample when the file system allows it (the writer replaces facts.parquet with a new
    file, it never writes into an existing one), else copy it."""
    if Path(src).name != "facts.parquet":
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


@pytest.fixture()
def data_copy(sample_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample, which CCHC_DATA_DIR points at."""
    root = tmp_path / "data"
    shutil.copytree(sample_dir, root, copy_function=_copy)
    assert os.stat(root / "facts.parquet").st_ino != os.stat(sample_dir / "facts.parquet").st_ino
    monkeypatch.setenv("CCHC_DATA_DIR", str(root))
    return root


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def facts_file(root: Path) -> Path:
    return root / "facts.parquet"


def rows_of(root: Path, unit=UNIT, year=YEAR, indicator="staff_vacancies") -> pl.DataFrame:
    df = pl.from_arrow(pq.read_table(facts_file(root)))
    return df.filter((pl.col("unit_code") == unit) & (pl.col("year") == year) & (pl.col("indicator") == indicator))


class _Opened:
    """Database as a context manager (closed afterwards)."""

    def __init__(self, root):
        self.db = Database(root)

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        self.db.close()


# --- the module --------------------------------------------------------------------------------------
def test_correction_appends_one_row_and_keeps_the_old_one(data_copy):
    before_rows = pq.read_metadata(facts_file(data_copy)).num_rows
    with _Opened(data_copy) as db:
        fp_before = db.fingerprint()
        current = {r["indicator"]: r["value"] for r in db.run("facts_year", unit=UNIT, year=YEAR).to_dicts()}
        assert current["staff_vacancies"] == 3 and current["staff_quota"] == 20 and current["staff_present"] == 14
        # the whole form as submitted: every current value unchanged, one corrected
        entries = [{"indicator": k, "value": v, "note": ""} for k, v in current.items() if k != "staff_vacancies"]
        entries.append({"indicator": "staff_vacancies", "value": 6, "note": NOTE})
        assert fe.validate(entries, UNIT, YEAR, entered_by="Nguyễn Văn A") == []
        t0 = datetime.now(fe.VN_TIME).replace(tzinfo=None, microsecond=0)
        assert fe.save(data_copy, UNIT, YEAR, entries, "Nguyễn Văn A", by=access.operator()) == 1

        assert pq.read_metadata(facts_file(data_copy)).num_rows == before_rows + 1  # still a readable Parquet file
        now = db.run("facts_year", unit=UNIT, year=YEAR)
        vac = now.filter(pl.col("indicator") == "staff_vacancies").row(0, named=True)
        assert vac["value"] == 6 and vac["note"] == NOTE and vac["entered_by"] == "Nguyễn Văn A"
        assert t0 <= vac["entered_at"] <= t0 + timedelta(seconds=5)  # Vietnam time, to the second
        assert vac["entered_at"].microsecond == 0
        others = {r["indicator"]: r["value"] for r in now.to_dicts() if r["indicator"] != "staff_vacancies"}
        assert others == {k: v for k, v in current.items() if k != "staff_vacancies"}

        hist = db.run("facts_history", unit=UNIT, year=YEAR).filter(pl.col("indicator") == "staff_vacancies")
        assert hist["value"].to_list() == [6.0, 3.0]  # newest first
        assert hist["previous_value"].to_list() == [3.0, None]
        assert hist["entered_by"].to_list() == ["Nguyễn Văn A", "sample"]
        assert hist["is_current"].to_list() == [True, False]
        assert hist["entered_at"][1] == datetime(2023, 12, 15, 8, 0)
        # the whole history of the year: the sample's 33 rows plus the correction
        assert db.run("facts_history", unit=UNIT, year=YEAR).height == len(fe.definitions()) + 1
        assert db.fingerprint() != fp_before  # the app's cache key changes
        shown = fe.history(db, UNIT, YEAR).row(0, named=True)
    assert shown["Giá trị"] == "6 người" and shown["Giá trị trước đó"] == "3 người" and shown["Đang dùng"] == "✓"
    assert list(data_copy.glob(".facts.*.tmp")) == []


def test_unchanged_values_are_not_rewritten(data_copy):
    digest = sha256(facts_file(data_copy))
    entries = [{"indicator": "staff_vacancies", "value": 3, "note": ""}, {"indicator": "staff_quota", "value": "20"},
               {"indicator": "population", "value": None, "note": "x"}]
    assert fe.save(data_copy, UNIT, YEAR, entries, "Nguyễn Văn A", by=access.operator()) == 0
    assert sha256(facts_file(data_copy)) == digest
    # the same value with new evidence is a correction of the evidence: one row
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_quota", "value": 20, "note": NOTE}], "B", by=access.operator()) == 1
    assert rows_of(data_copy, indicator="staff_quota")["note"].sort().to_list() == sorted(
        ["Báo cáo kết quả thực hiện nhiệm vụ CCHC năm 2023 của UBND xã Quốc Tuấn", NOTE])


INVALID = [
    ("negative count", [{"indicator": "staff_vacancies", "value": -1, "note": NOTE}], "X",
     ["Số lượng cán bộ công chức còn thiếu (staff_vacancies)", "âm"]),
    ("101 %", [{"indicator": "plan_tasks_done_pct", "value": 101, "note": NOTE}], "X",
     ["Tỷ lệ nhiệm vụ trong kế hoạch CCHC đã hoàn thành (plan_tasks_done_pct)", "0 đến 100 %", "101 %"]),
    ("2,5 people", [{"indicator": "staff_present", "value": "2,5", "note": NOTE}], "X",
     ["Số lượng cán bộ công chức hiện có (staff_present)", "số nguyên", "2,5"]),
    ("missing note", [{"indicator": "staff_vacancies", "value": 6, "note": "  "}], "X",
     ["Số lượng cán bộ công chức còn thiếu (staff_vacancies)", "tài liệu kiểm chứng"]),
    ("missing người nhập", [{"indicator": "staff_vacancies", "value": 6, "note": NOTE}], "  ", ["«Người nhập»"]),
    ("unknown indicator", [{"indicator": "staff_ghosts", "value": 1, "note": NOTE}], "X",
     ["staff_ghosts", "không có trong danh mục"]),
    ("not a number", [{"indicator": "villages", "value": "bốn", "note": NOTE}], "X",
     ["Số thôn, tổ dân phố (villages)", "không phải là một số"]),
    ("above the range", [{"indicator": "unit_class", "value": 4, "note": NOTE}], "X",
     ["(unit_class)", "từ 1 đến 3"]),
]


@pytest.mark.parametrize("entries,who,expected", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_input_is_refused_and_the_file_is_untouched(data_copy, entries, who, expected):
    digest = sha256(facts_file(data_copy))
    # a valid change travelling with the invalid one must not be written either (all or nothing)
    batch = entries + [{"indicator": "villages", "value": 5, "note": NOTE}] if entries[0]["indicator"] != "villages" \
        else entries
    msgs = fe.validate(batch, UNIT, YEAR, entered_by=who)
    assert len(msgs) == 1, msgs
    assert all(part in msgs[0] for part in expected), msgs
    with pytest.raises(fe.EntryError) as e:
        fe.save(data_copy, UNIT, YEAR, batch, who, by=access.operator())
    assert e.value.messages == msgs
    assert sha256(facts_file(data_copy)) == digest
    assert list(data_copy.glob(".facts.*.tmp")) == []


@pytest.mark.parametrize("unit,year,expected", [
    ("291", YEAR, "Huyện Nam Sách (291) là đơn vị cấp huyện"),
    ("30", YEAR, "cấp tỉnh"),
    ("99999", YEAR, "Không có đơn vị mã «99999»"),
    (UNIT, 2030, "Năm 2030 nằm ngoài khoảng năm của dữ liệu (2020–2027)"),
    (UNIT, "năm ngoái", "Năm báo cáo «năm ngoái» không hợp lệ"),
    # a year's facts belong to the map of its 31/12: 2025 is reported by the new xã Trần Phú
    (UNIT, 2025, "Xã Quốc Tuấn (10621) không còn tồn tại sau 30/06/2025; số liệu năm 2025 do Xã Trần Phú (mã 10633)"),
    ("11948", 2024, "Đặc khu Bạch Long Vĩ (11948) được thành lập từ 01/07/2025"),
])
def test_unit_must_be_a_commune_and_year_within_the_data(data_copy, unit, year, expected):
    # the sample: dossiers 2021–11/2026, facts 2021–2026, so years 2020–2027 may be entered
    digest = sha256(facts_file(data_copy))
    entries = [{"indicator": "villages", "value": 5, "note": NOTE}]
    msgs = fe.validate(entries, unit, year, entered_by="X")
    assert any(expected in m for m in msgs), msgs
    with pytest.raises(fe.EntryError):
        fe.save(data_copy, unit, year, entries, "X", by=access.operator())
    assert sha256(facts_file(data_copy)) == digest


def test_a_crash_while_writing_leaves_the_old_file(data_copy, monkeypatch):
    digest = sha256(facts_file(data_copy))
    real = pq.write_table

    def half_written(table, where, **kw):
        real(table.slice(0, 10), where, **kw)
        raise OSError("disk full")

    monkeypatch.setattr(fe.pq, "write_table", half_written)
    with pytest.raises(OSError):
        fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 6, "note": NOTE}], "X", by=access.operator())
    assert sha256(facts_file(data_copy)) == digest
    assert list(data_copy.glob(".facts.*.tmp")) == []


def test_concurrent_writers_both_land(data_copy):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def write(indicator, value):
        try:
            barrier.wait()
            results.append(fe.save(data_copy, UNIT, YEAR, [{"indicator": indicator, "value": value, "note": NOTE}], "X", by=access.operator()))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=a) for a in (("staff_vacancies", 6), ("villages", 5))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [1, 1]
    assert rows_of(data_copy)["value"].sort().to_list() == [3.0, 6.0]
    assert rows_of(data_copy, indicator="villages")["value"].sort().to_list() == [4.0, 5.0]


def test_two_corrections_in_one_second_keep_their_order(data_copy):
    fixed = datetime(2024, 1, 5, 9, 30, 0)
    for v in (6, 5):
        fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": v, "note": NOTE}], "X", now=fixed, by=access.operator())
    r = rows_of(data_copy).sort("entered_at")
    assert r["value"].to_list() == [3.0, 6.0, 5.0]
    assert r["entered_at"].to_list() == [datetime(2023, 12, 15, 8, 0), fixed, fixed + timedelta(seconds=1)]
    with _Opened(data_copy) as db:
        assert db.run("facts_year", unit=UNIT, year=YEAR).filter(pl.col("indicator") == "staff_vacancies")["value"][0] == 5


@pytest.mark.parametrize("text,value", [("2,5", 2.5), ("1.000", 1000), ("1.234,5", 1234.5), ("2.5", 2.5),
                                        (" 14 ", 14), ("−3", -3), (7, 7)])
def test_numbers_as_vietnamese_write_them(text, value):
    assert fe.parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "nan", "inf", True])
def test_not_numbers(text):
    with pytest.raises(ValueError):
        fe.parse_number(text)


# --- the page ------------------------------------------------------------------------------------------
def _widget(items, suffix):
    found = [w for w in items if (w.key or "").endswith(suffix)]
    assert len(found) == 1, [w.key for w in items]
    return found[0]


def _submit(at):
    [b for b in at.button if b.label == "Lưu số liệu"][0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_page_saves_a_correction_for_quoc_tuan(app, data_copy, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))  # the app fixture pointed it at the shared sample
    digest = sha256(facts_file(data_copy))
    # the sample opens for reading without sign-in; entering facts needs an officer's account
    demo = app(page=PAGE, unit=UNIT, **PERIOD)
    assert any("Cần đăng nhập để nhập số liệu" in w.value for w in demo.warning), [w.value for w in demo.warning]
    assert not [b for b in demo.button if b.label == "Lưu số liệu"]
    viewer = app(page=PAGE, unit=UNIT, user=("viewer", "*"), **PERIOD)
    assert any("không có quyền nhập số liệu" in w.value for w in viewer.warning)
    outside = app(page=PAGE, unit=UNIT, user=("officer", "tinh:cu-31", "can.bo.khac"), **PERIOD)  # old Hải Phòng
    assert any("ngoài phạm vi" in w.value for w in outside.warning), [w.value for w in outside.warning]
    at = app(page=PAGE, unit=UNIT, user=_officer("can.bo", "Nguyễn Văn A"), **PERIOD)
    assert at.selectbox(key=f"te_year_{UNIT}_{YEAR}").value == YEAR  # the year the period ends in
    assert _widget(at.number_input, "_v_staff_vacancies").value == 3
    assert any("14 + 3 ≠ 20" in e.value for e in at.error) or not _has_checks()

    # the author is the signed-in account, not a box to type in
    assert any(fmt.md("Người nhập: Nguyễn Văn A") in c.value for c in at.caption), [c.value for c in at.caption]
    assert not [w for w in at.text_input if (w.key or "").endswith("_who")]
    assert sha256(facts_file(data_copy)) == digest
    _widget(at.number_input, "_v_staff_vacancies").set_value(6)
    _widget(at.text_input, "_n_staff_vacancies").input(NOTE)
    _submit(at)
    assert any("Đã lưu 1 giá trị" in s.value for s in at.success), [s.value for s in at.success]
    assert _widget(at.number_input, "_v_staff_vacancies").value == 6  # the new value in use, from the file
    assert _widget(at.text_input, "_n_staff_vacancies").value == ""  # a fresh form
    hist = at.dataframe[-1].value
    vac = hist[hist["Chỉ tiêu"] == "Số lượng cán bộ công chức còn thiếu"]
    assert vac["Giá trị"].tolist() == ["6 người", "3 người"]
    assert vac["Người nhập"].tolist() == ["Nguyễn Văn A", "sample"]
    assert not any("14 + 3 ≠ 20" in e.value for e in at.error)
    assert rows_of(data_copy)["value"].sort().to_list() == [3.0, 6.0]


def _has_checks() -> bool:
    return fe.consistency({}) is not None


@pytest.mark.parametrize("unit,column", [("291", "district_code"), ("30", "province_code")])
def test_page_for_a_district_or_province_lists_its_communes(app, data_copy, monkeypatch, unit, column):
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))
    at = app(page=PAGE, unit=unit, **PERIOD)
    assert any("theo từng xã" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.number_input and not any(b.label == "Lưu số liệu" for b in at.button)
    with _Opened(data_copy) as db:
        communes = db.sql(f"SELECT code FROM raw_units WHERE level = 'commune' AND {column} = $u", u=unit)["code"]
    table = at.dataframe[0].value
    assert len(communes) > 1 and sorted(table["Mã xã"]) == sorted(communes.to_list())
    assert table.loc[table["Mã xã"] == UNIT, "Số chỉ tiêu đã nhập"].item() == f"{len(fe.definitions())}/33"


def test_page_for_a_year_without_facts(app, data_copy, monkeypatch):
    # the sample's facts stop at 2024; 2025 can be entered (the data run to 06/2025) but has nothing yet
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))
    at = app(page=PAGE, unit=UNIT, nam="2025", user=_officer("can.bo", "Nguyễn Văn A"), **PERIOD)
    assert at.selectbox(key=f"te_year_{UNIT}_{YEAR}").value == 2025
    decimals = [w for w in at.text_input if "_v_" in w.key]  # decimal values: text boxes ("99,5")
    assert len(at.number_input) + len(decimals) == len(fe.definitions()) and all(w.value is None for w in at.number_input)
    assert all(not w.value for w in decimals)
    assert any("chưa có số liệu tự báo cáo năm 2025" in i.value for i in at.info), [i.value for i in at.info]


# --- no lost updates (issue 12) --------------------------------------------------------------------------
A_NAME = "Nguyễn Văn A"


def _base(root: Path) -> dict:
    """What a form opened now would pass as its base: the version of every indicator's value in use."""
    with _Opened(root) as db:
        return {f.code: f.version for _, fields in fe.form_groups(db, UNIT, YEAR) for f in fields}


def _current(root: Path, indicator: str = "staff_vacancies") -> float:
    return rows_of(root, indicator=indicator).sort("entered_at")["value"][-1]


def test_a_stale_form_cannot_overwrite_a_newer_value(data_copy):
    # the case found on main: 52 in use; A and B open the form; A saves 77; B's stale form must not revert it
    fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 52, "note": NOTE}], "sample",
            now=datetime(2026, 12, 4, 9, 0, 0), by=access.operator())
    opened_a, opened_b = _base(data_copy), _base(data_copy)
    assert opened_b["staff_vacancies"] == fe.Version(datetime(2026, 12, 4, 9, 0, 0), 52.0)
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 77, "note": NOTE}], A_NAME,
                   base=opened_a, now=datetime(2026, 12, 4, 10, 5, 12), by=access.operator()) == 1
    digest = sha256(facts_file(data_copy))

    expected = ("Số lượng cán bộ công chức còn thiếu: Nguyễn Văn A đã sửa thành 77 người lúc 10:05:12 ngày 04/12/2026, "
                "sau khi biểu mẫu của bạn được mở (giá trị khi mở: 52 người).")
    # B corrects the same indicator: refused, naming A, 77 and when
    with pytest.raises(fe.ConflictError) as e:
        fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 60, "note": "QĐ 2"}], "B",
                base=opened_b, by=access.operator())
    assert e.value.messages == [expected]
    (c,) = e.value.conflicts
    assert (c.indicator, c.seen.value, c.now.value, c.now.entered_by) == ("staff_vacancies", 52.0, 77.0, A_NAME)
    # B's whole stale form, every field sent as the old code did, with a note for the first: still refused,
    # and the message names only the indicator that changed, never one B's form still shows rightly
    with _Opened(data_copy) as db:
        stale = [{"indicator": r["indicator"], "value": 52 if r["indicator"] == "staff_vacancies" else r["value"],
                  "note": "QĐ 3" if r["indicator"] == "staff_vacancies" else ""}
                 for r in db.run("facts_year", unit=UNIT, year=YEAR).to_dicts()]
    with pytest.raises(fe.ConflictError) as e:
        fe.save(data_copy, UNIT, YEAR, stale, "B", base=opened_b, by=access.operator())
    assert e.value.messages == [expected]
    assert sha256(facts_file(data_copy)) == digest and _current(data_copy) == 77
    assert list(data_copy.glob(".facts.*.tmp*")) == []

    # B touching only another indicator: saved, nothing said about the first, A's 77 still in use
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "villages", "value": 5, "note": NOTE}], "B",
                   base=opened_b, by=access.operator()) == 1
    assert _current(data_copy) == 77 and _current(data_copy, "villages") == 5
    # a form opened now is current again
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 60, "note": "QĐ 2"}], "B",
                   base=_base(data_copy), by=access.operator()) == 1
    assert _current(data_copy) == 60
    # without base (CLI, scripts) nothing is compared, as before
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 61, "note": "QĐ 4"}], "C", by=access.operator()) == 1


def test_conflict_messages_for_a_new_value_and_for_new_evidence(data_copy):
    opened = _base(data_copy)
    fixed = datetime(2026, 12, 4, 10, 5, 12)
    # an indicator the year did not have when the form was opened (the sample's facts start in 2021;
    # 2020 is within the years that may be entered, and the commune existed then)
    empty = {code: None for code in opened}
    fe.save(data_copy, UNIT, 2020, [{"indicator": "villages", "value": 5, "note": NOTE}], A_NAME, base=empty, now=fixed, by=access.operator())
    with pytest.raises(fe.ConflictError) as e:
        fe.save(data_copy, UNIT, 2020, [{"indicator": "villages", "value": 6, "note": NOTE}], "B", base=empty, by=access.operator())
    assert e.value.messages == ["Số thôn, tổ dân phố: Nguyễn Văn A đã nhập 5 thôn lúc 10:05:12 ngày 04/12/2026, "
                                "sau khi biểu mẫu của bạn được mở (khi mở: chưa có số liệu)."]
    # the same value with new evidence is a change too
    fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_quota", "value": 20, "note": NOTE}], A_NAME, base=opened, now=fixed, by=access.operator())
    with pytest.raises(fe.ConflictError) as e:
        fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_quota", "value": 21, "note": NOTE}], "B", base=opened, by=access.operator())
    assert e.value.messages == ["Số lượng cán bộ công chức được giao: Nguyễn Văn A đã sửa tài liệu kiểm chứng (giá "
                                "trị vẫn là 20 người) lúc 10:05:12 ngày 04/12/2026, sau khi biểu mẫu của bạn được mở."]
    # a blank entry writes nothing, so it is not compared
    assert fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_quota", "value": None, "note": ""}], "B", base=opened, by=access.operator()) == 0


def test_names_and_notes_are_stored_without_control_characters(data_copy):
    link = "[x](https://evil.example)"
    n = fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 6,
                                         "note": "QĐ 12\n\t\u202e ngày\x00 05/01/2024 \u200b"}],
                "  Nguyễn\r\nVăn\x1b[31m A\u2028 " + link, by=access.operator())
    assert n == 1
    row = rows_of(data_copy).sort("entered_at").row(-1, named=True)
    assert row["note"] == "QĐ 12 ngày 05/01/2024"
    assert row["entered_by"] == "Nguyễn Văn [31m A " + link  # as typed, less the control characters
    # NFD (decomposed) Vietnamese is stored composed
    assert fe.clean_text(unicodedata.normalize("NFD", "Nguyễn Văn A")) == "Nguyễn Văn A"
    # a name or note made only of control characters is a missing one; longer than the cap is refused
    msgs = fe.validate([{"indicator": "villages", "value": 5, "note": "\x00\n"}], UNIT, YEAR, entered_by="\u200b\t")
    assert any("«Người nhập»" in m for m in msgs) and any("tài liệu kiểm chứng" in m for m in msgs), msgs
    msgs = fe.validate([{"indicator": "villages", "value": 5, "note": "x" * (fe.NOTE_MAX + 1)}], UNIT, YEAR,
                       entered_by="y" * (fe.WHO_MAX + 1))
    assert any(f"dài quá {fe.WHO_MAX}" in m for m in msgs) and any(f"dài quá {fe.NOTE_MAX}" in m for m in msgs), msgs


def _save_worker(root: str, indicator: str, value: float, base: dict, barrier, out) -> None:
    """One writer of the concurrency tests (a thread, or a spawned process): waits for the others, saves,
    reports ("ok", value, rows) or ("conflict", value, messages) or ("error", value, repr)."""
    try:
        barrier.wait(timeout=120)
        n = fe.save(root, UNIT, YEAR, [{"indicator": indicator, "value": value, "note": NOTE}], f"W{value:g}",
                    base=base, by=access.operator())
        out.put(("ok", value, n))
    except fe.ConflictError as e:
        out.put(("conflict", value, e.messages))
    except BaseException as e:  # reported by the test
        out.put(("error", value, repr(e)))


N_WRITERS = 6


def _run_writers(kind: str, root: Path, jobs: list[tuple[str, float]], base: dict, monkeypatch) -> list[tuple]:
    import multiprocessing
    import queue
    import sys
    import types
    if kind == "threads":
        barrier, out = threading.Barrier(len(jobs)), queue.Queue()
        workers = [threading.Thread(target=_save_worker, args=(str(root), i, v, base, barrier, out)) for i, v in jobs]
    else:
        # A spawned child first re-runs the parent's __main__; after an AppTest run that is app.py (Streamlit
        # leaves its script module there), which would crash the child before it saves anything.
        monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
        ctx = multiprocessing.get_context("spawn")
        barrier, out = ctx.Barrier(len(jobs)), ctx.Queue()
        workers = [ctx.Process(target=_save_worker, args=(str(root), i, v, base, barrier, out)) for i, v in jobs]
    for w in workers:
        w.start()
    results = [out.get(timeout=180) for _ in jobs]
    for w in workers:
        w.join(timeout=60)
    return results


@pytest.mark.parametrize("kind", ["threads", pytest.param("processes", marks=pytest.mark.slow)])
def test_simultaneous_saves_of_one_indicator_from_one_version_one_wins(data_copy, kind, monkeypatch):
    before = pq.read_metadata(facts_file(data_copy)).num_rows
    base = _base(data_copy)
    values = [float(10 + i) for i in range(N_WRITERS)]
    results = _run_writers(kind, data_copy, [("staff_vacancies", v) for v in values], base, monkeypatch)
    assert not [r for r in results if r[0] == "error"], results
    won = [r for r in results if r[0] == "ok"]
    lost = [r for r in results if r[0] == "conflict"]
    assert len(won) == 1 and won[0][2] == 1 and len(lost) == N_WRITERS - 1, results
    winner = won[0][1]
    for _, _, messages in lost:  # each loser is told who won, with what
        assert len(messages) == 1 and f"W{winner:g} đã sửa thành {winner:g} người" in messages[0], messages
    # the file is readable and holds exactly one new row, the winner's
    assert pq.read_table(facts_file(data_copy)).num_rows == before + 1
    vac = rows_of(data_copy).sort("entered_at")
    assert vac["value"].to_list() == [3.0, winner]
    assert list(data_copy.glob(".facts.*.tmp*")) == []


@pytest.mark.parametrize("kind", ["threads", pytest.param("processes", marks=pytest.mark.slow)])
def test_simultaneous_saves_of_different_indicators_all_land(data_copy, kind, monkeypatch):
    before = pq.read_metadata(facts_file(data_copy)).num_rows
    base = _base(data_copy)
    codes = ["staff_vacancies", "villages", "staff_contract", "disciplinary_cases", "reform_initiatives",
             "communication_radio"][:N_WRITERS]
    jobs = [(code, float(40 + i)) for i, code in enumerate(codes)]
    results = _run_writers(kind, data_copy, jobs, base, monkeypatch)
    assert sorted(r[0] for r in results) == ["ok"] * len(jobs), results
    assert pq.read_table(facts_file(data_copy)).num_rows == before + len(jobs)
    with _Opened(data_copy) as db:
        now = {r["indicator"]: r for r in db.run("facts_year", unit=UNIT, year=YEAR).to_dicts()}
    for code, value in jobs:  # every acknowledged write is there and in use
        assert now[code]["value"] == value and now[code]["entered_by"] == f"W{value:g}", code


# --- the page: two officers on one commune -----------------------------------------------------------------
def _field(at, code):
    return _widget(at.number_input, f"_v_{code}")


def _enter(at, code, value, note):
    """The signed-in officer of ``at`` enters a value and its note and saves."""
    _field(at, code).set_value(value)
    _widget(at.text_input, f"_n_{code}").input(note)
    _submit(at)


def _officer(name: str, display: str) -> tuple[str, ...]:
    return ("officer", "*", name, display)


def _texts(at) -> list[str]:
    """Every markdown body the page shows (markdown, captions, titles, alerts) and every markdown help."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success"):
        for el in getattr(at, kind):
            out.append(el.value)
            if getattr(el.proto, "help", ""):
                out.append(el.proto.help)
    return out


def test_page_two_officers_on_one_commune(app, data_copy, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))
    a = app(page=PAGE, unit=UNIT, user=_officer("can.bo.a", A_NAME), **PERIOD)
    b = app(page=PAGE, unit=UNIT, user=_officer("can.bo.b", "Trần Thị B"), **PERIOD)  # B's form opened before A saves
    assert _field(a, "staff_vacancies").value == 3 and _field(b, "staff_vacancies").value == 3

    _enter(a, "staff_vacancies", 77, NOTE)
    assert any("Đã lưu 1 giá trị" in s.value for s in a.success), [s.value for s in a.success]

    # B corrects the same indicator from the stale form: refused, told who changed it to what
    _enter(b, "staff_vacancies", 60, "QĐ 2")
    assert not b.success
    errors = [e.value for e in b.error if "Chưa lưu" in e.value]
    assert len(errors) == 1, [e.value for e in b.error]
    assert "thiếu ghi chú" not in errors[0] and errors[0].count("\n- ") == 1  # only the indicator B touched
    assert fmt.md("Nguyễn Văn A đã sửa thành 77 người lúc") in errors[0], errors
    assert fmt.md("(giá trị khi mở: 3 người).") in errors[0], errors
    assert "Số lượng cán bộ công chức còn thiếu" in errors[0]
    assert _current(data_copy) == 77 and rows_of(data_copy)["value"].sort().to_list() == [3.0, 77.0]

    # "Tải lại biểu mẫu": the form redrawn with the values in use, nothing of B's stale form kept
    [r for r in b.button if r.label == "Tải lại biểu mẫu"][0].click()
    b.run()
    assert not b.exception and not [e.value for e in b.error if "Chưa lưu" in e.value]
    assert _field(b, "staff_vacancies").value == 77
    assert _widget(b.text_input, "_n_staff_vacancies").value == ""

    # A changes the indicator again, so B's form is stale once more; B changes only another indicator:
    # saved, and nothing is said about A's indicator (no missing note for a field B never touched)
    _enter(a, "staff_vacancies", 78, "QĐ 5")
    _enter(b, "villages", 5, NOTE)
    assert not [e.value for e in b.error if "Chưa lưu" in e.value], [e.value for e in b.error]
    assert any("Đã lưu 1 giá trị" in s.value for s in b.success), [s.value for s in b.success]
    assert not any("còn thiếu" in t or "Nguyễn Văn A" in t for t in _texts(b) if "Đã lưu" in t or "Chưa lưu" in t)
    assert _current(data_copy) == 78 and _current(data_copy, "villages") == 5
    assert _field(b, "staff_vacancies").value == 78  # the fresh form after the save


def test_page_shows_names_and_notes_as_text(app, data_copy, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(data_copy))
    link = "[x](https://evil.example)"
    fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 6, "note": "[QĐ 12](https://evil.example/qd)"}],
            link, by=access.operator())
    b = app(page=PAGE, unit=UNIT, user=_officer("can.bo.z", "[z](https://evil.example)"), **PERIOD)
    shown = _texts(b)
    assert not [t for t in shown if "](https://" in t], [t for t in shown if "](https://" in t]
    assert any(fmt.md(link) in t for t in shown)  # shown, escaped: "Hiện tại: 6 người — nhập … ([x](https://…))"
    assert any(fmt.md("[QĐ 12](https://evil.example/qd)") in t for t in shown)  # the note, in the help tooltip

    # a conflict naming a markdown-link "Người nhập", and a save by one: both shown escaped
    fe.save(data_copy, UNIT, YEAR, [{"indicator": "staff_vacancies", "value": 7, "note": NOTE}], "[y](https://evil.example)",
            base=_base(data_copy), by=access.operator())
    _enter(b, "staff_vacancies", 8, NOTE)
    errors = [e.value for e in b.error if "Chưa lưu" in e.value]
    assert len(errors) == 1 and fmt.md("[y](https://evil.example) đã sửa thành 7 người") in errors[0], errors
    [r for r in b.button if r.label == "Tải lại biểu mẫu"][0].click()
    b.run()
    _enter(b, "villages", 5, NOTE)
    assert any(fmt.md("[z](https://evil.example)") in s.value for s in b.success), [s.value for s in b.success]
    assert not [t for t in _texts(b) if "](https://" in t]
    assert _current(data_copy) == 7  # the conflict wrote nothing
