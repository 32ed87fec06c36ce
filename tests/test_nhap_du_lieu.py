"""Nhập dữ liệu (pages/nhap_du_lieu.py, cchc/views/nhap_du_lieu.py): an export uploaded on the page,
previewed, loaded, and undone, over a hand-built dataset (tests/fixtures.py) with the hand-made
exports of tests/files/load/ (their figures are worked out in tests/test_load.py and
tests/files/load/make_files.py)."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from cchc import audit, kpis, periods, rollup, units
from cchc.db import Database
from cchc.views import nhap_du_lieu as nd
from tests.fixtures import UNITS_BOTH_MAPS, write_dataset

FILES = Path(__file__).resolve().parent / "files" / "load"
PAGE = "pages/nhap_du_lieu.py"
MAY_2023 = periods.calendar_month(2023, 5)


@pytest.fixture()
def root(tmp_path, monkeypatch) -> Path:
    r = write_dataset(tmp_path / "data", units=UNITS_BOTH_MAPS)
    rollup.build(r)
    monkeypatch.setenv("CCHC_DATA_DIR", str(r))
    return r


def checksums(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.parquet"))}


def received_may(root: Path) -> int:
    db = Database(root)
    try:
        return kpis.dossier_kpis(db, units.get(db, "old", "10621"), MAY_2023)["received_new"]
    finally:
        db.close()


def page(root: Path, **params):
    from apptest_util import open_page
    at = open_page(PAGE, {"unit": "10621", **params}, user=("data_manager", "*", "quan.ly", "Nguyễn Văn A"))
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_preview_load_and_undo(root):
    before = checksums(root)
    at = page(root)
    assert any("Chọn một tệp" in i.value for i in at.info)
    at.file_uploader(key="nd_file").upload("so-ho-so-quoc-tuan-2023-05.csv",
                                           (FILES / "so-ho-so-quoc-tuan-2023-05.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the preview: 30 new dossiers (the file's 30 rows), the unknown procedure added, nothing written yet
    counts = at.dataframe[0].value
    row = counts[counts["Bảng"] == "Hồ sơ TTHC"].iloc[0] if "Hồ sơ TTHC" in counts["Bảng"].tolist() else counts.iloc[0]
    assert row["Mới"] == "30"
    assert any("XA.DD.001" in d.value.to_string() for d in at.dataframe)
    assert checksums(root) == before and received_may(root) == 0
    # load: the figures move as worked out for the file (30 new dossiers in May 2023)
    at.button(key="nd_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã nạp" in s.value for s in at.success), [s.value for s in at.success]
    assert received_may(root) == 30
    assert "Nguyễn Văn A" in nd.last_load_text(nd.last_load(root))
    # undo from the page: the data are as before, byte for byte
    at.button(key="nd_undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Đã hoàn tác" in s.value for s in at.success)
    assert received_may(root) == 0
    assert checksums(root) == before
    # both writes are in the audit trail under the signed-in account, with the file's SHA-256
    trail = audit.entries(root)
    assert [(e["action"], e["who"]) for e in trail[-2:]] == [("load", "local:quan.ly"), ("undo", "local:quan.ly")]
    raw = (FILES / "so-ho-so-quoc-tuan-2023-05.csv").read_bytes()
    assert trail[-2]["sha256"] == audit.file_hash(raw) and trail[-2]["unit"] == "10621"


def test_loading_needs_the_role_and_the_scope(root):
    from apptest_util import open_page
    at = open_page(PAGE, {"unit": "10621"})   # real data, nobody signed in: the sign-in form, nothing else
    assert not at.exception and not at.file_uploader and [h.value for h in at.subheader] == ["Đăng nhập"]
    assert {t.label for t in at.text_input} == {"Tên đăng nhập", "Mật khẩu"} and not at.metric
    at = open_page(PAGE, {"unit": "10621"}, user=("officer", "*"))
    assert not at.exception and not at.file_uploader
    assert any("dành cho tài khoản quản lý dữ liệu" in w.value for w in at.warning), [w.value for w in at.warning]
    # a data manager of another commune: the file's rows (xã Quốc Tuấn) are outside its scope, nothing is written
    before = checksums(root)
    at = open_page(PAGE, {"unit": "10606"}, user=("data_manager", "10606", "ql.xa.khac"))
    at.file_uploader(key="nd_file").upload("so-ho-so-quoc-tuan-2023-05.csv",
                                           (FILES / "so-ho-so-quoc-tuan-2023-05.csv").read_bytes(), "text/csv")
    at.run()
    at.button(key="nd_load").click().run()
    assert not at.exception and any("ngoài phạm vi" in e.value for e in at.error), [e.value for e in at.error]
    assert checksums(root) == before and received_may(root) == 0


def test_a_file_with_bad_rows_is_not_loaded_under_the_reject_policy(root):
    before = checksums(root)
    at = page(root)
    at.file_uploader(key="nd_file").upload("so-ho-so-sai.csv", (FILES / "so-ho-so-sai.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    assert any("không được nạp" in w.value for w in at.warning)
    assert at.button(key="nd_load").disabled
    # the rejected rows, with their reasons, can be downloaded
    assert any("Dòng bị loại (4)" in e.label for e in at.expander), [e.label for e in at.expander]
    assert any("không có đơn vị mã 99999" in str(t.value) for t in at.text)
    assert checksums(root) == before


def test_an_old_unit_after_its_end_is_refused_naming_its_successor(root):
    at = page(root)
    at.file_uploader(key="nd_file").upload("so-ho-so-quoc-tuan-2025-08.csv",
                                           (FILES / "so-ho-so-quoc-tuan-2025-08.csv").read_bytes(), "text/csv")
    at.run()
    assert not at.exception
    text = " ".join(str(t.value) for t in at.text)
    assert "đơn vị kế thừa: Xã Trần Phú (mã 10633)" in text, text
    assert at.button(key="nd_load").disabled


@pytest.mark.parametrize("typed, expected", [
    ("abc", "Mã đơn vị «abc» không hợp lệ"),
    ("**10621**<script>", "không hợp lệ"),
])
def test_a_hostile_unit_key_gets_a_vietnamese_message(root, typed, expected):
    at = page(root)
    at.file_uploader(key="nd_file").upload("so-ho-so-quoc-tuan-2023-05.csv",
                                           (FILES / "so-ho-so-quoc-tuan-2023-05.csv").read_bytes(), "text/csv")
    at.text_input(key="nd_unit").input(typed[:nd.MAX_UNIT_KEY])
    at.run()
    assert not at.exception
    assert any(expected in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]


def test_inputs_are_parsed_once_and_bounded():
    assert nd.clean_unit("") is None and nd.clean_unit(" cu-10633 ") == "cu-10633"
    with pytest.raises(nd.InputError):
        nd.clean_unit("1062")
    assert nd.last_load(Path("/nonexistent")) is None
    assert date(2025, 7, 1) == units.MAP_CHANGE


def test_every_page_renders_on_a_folder_without_data_yet(root):
    """A real unit's folder before its first load: every page renders and the sidebar says so."""
    from apptest_util import open_page
    from cchc.ui.pages import available
    for file, *_ in available():   # real data ask for sign-in: an admin sees every page
        at = open_page(file, {}, user=("admin", "*"))
        assert not at.exception, (file, [e.value for e in at.exception])
        assert any("Chưa có dữ liệu" in c.value for c in at.sidebar.caption), file
