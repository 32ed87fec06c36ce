"""A corpus of bad files for the loader (issue 15 item 8): each is refused with its own Vietnamese
message naming the file (and, for a row, the row and the column), and the data folder is left byte
for byte as it was (checksums of every file)."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from cchc import access
from cchc.ingest import load, readers
from tests.fixtures import UNITS_BOTH_MAPS, write_dataset

HEAD = ["Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Tên thủ tục hành chính", "Lĩnh vực", "Kênh nộp hồ sơ",
        "Ngày nhận hồ sơ", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Trạng thái"]
GOOD = ["QT-1", "10621", "P1", "Đăng ký khai sinh", "Hộ tịch", "Trực tiếp", "02/05/2023 08:00", "04/05/2023 17:00",
        "03/05/2023 10:00", "Đã trả kết quả"]


def csv_bytes(rows: list[list[str]], head: list[str] = HEAD, sep: str = ";") -> bytes:
    return ("\ufeff" + "\n".join(sep.join(r) for r in [head, *rows]) + "\n").encode("utf-8")


def dossiers(**change) -> bytes:
    """One good row and one row with the named columns changed (by header)."""
    bad = list(GOOD)
    bad[0] = "QT-2"
    for col, value in change.items():
        bad[HEAD.index(col.replace("_", " "))] = value
    return csv_bytes([GOOD, bad])


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def without(col: str) -> bytes:
    i = HEAD.index(col)
    return csv_bytes([[v for j, v in enumerate(GOOD) if j != i]], [h for j, h in enumerate(HEAD) if j != i])


RATING_HEAD = ["Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Lĩnh vực", "Ngày đánh giá", "Mức độ hài lòng"]
FIN_HEAD = ["Mã đơn vị", "Năm", "Tháng", "Khoản mục", "Dự toán", "Thực hiện"]

# (file name, bytes, a few words of the expected message). Each message is different.
CASES = [
    ("rong.csv", b"", "rỗng"),
    ("chi-tieu-de.csv", csv_bytes([]), "không có dòng"),
    ("nhi-phan.csv", bytes(range(256)) * 8, "Tệp nhi-phan.csv"),
    ("khong-phai-zip.xlsx", b"PK\x03\x04 not really a zip", "khong-phai-zip.xlsx"),
    ("hong.json", b'[{"MaHoSo": "1",', "JSON"),
    ("sau.json", b"[" * 200 + b"]" * 200, "lồng nhau"),
    ("doi-tuong.json", json.dumps({"a": 1}).encode(), "doi-tuong.json"),
    ("thieu-ma-ho-so.csv", without("Mã hồ sơ"), "Mã hồ sơ"),
    ("thieu-ngay-nhan.csv", without("Ngày nhận hồ sơ"), "nhận"),
    ("ngay-sai.csv", dossiers(Ngày_nhận_hồ_sơ="32/13/2023"), "32/13/2023"),
    ("nam-1900.csv", dossiers(Ngày_nhận_hồ_sơ="02/05/1900 08:00"), "1900"),
    ("hen-truoc-nhan.csv", dossiers(Ngày_hẹn_trả="01/05/2023 17:00"), "hẹn trả"),
    ("xong-truoc-nhan.csv", dossiers(Ngày_kết_thúc_xử_lý="01/05/2023 10:00"), "trước ngày nhận"),
    ("don-vi-la.csv", dossiers(Mã_đơn_vị="99999"), "99999"),
    ("don-vi-chu.csv", dossiers(Mã_đơn_vị="1062A"), "1062A"),
    ("don-vi-cu-sau-2025.csv", dossiers(Ngày_nhận_hồ_sơ="04/08/2025 08:00", Ngày_hẹn_trả="06/08/2025 17:00",
                                        Ngày_kết_thúc_xử_lý="05/08/2025 10:00"), "kế thừa"),
    ("don-vi-moi-truoc-2025.csv", dossiers(Mã_đơn_vị="11948"), "Bạch Long Vĩ"),
    ("trung-ma.csv", csv_bytes([GOOD, GOOD]), "QT-1"),
    ("kenh-la.csv", dossiers(Kênh_nộp_hồ_sơ="fax"), "fax"),
    ("ma-ho-so-trong.csv", dossiers(Mã_hồ_sơ=""), "Mã hồ sơ"),
    ("cong-thuc.xlsx", xlsx_bytes([HEAD, GOOD, ["=1+1", *GOOD[1:]]]), "công thức"),
    ("khong-co-tieu-de.xlsx", xlsx_bytes([["a", "b", "c"], [1, 2, 3]]), "khong-co-tieu-de.xlsx"),
    ("danh-gia-muc-7.csv", csv_bytes([["QT-1", "10621", "P1", "Hộ tịch", "03/05/2023 11:00", "7"]], RATING_HEAD),
     "7"),
    ("danh-gia-ngay-sai.csv", csv_bytes([["QT-1", "10621", "P1", "Hộ tịch", "hôm qua", "4"]], RATING_HEAD), "hôm qua"),
    ("tai-chinh-am.csv", csv_bytes([["10621", "2023", "5", "thu_ngan_sach", "1000", "-5"]], FIN_HEAD), "-5"),
    ("tai-chinh-thang-13.csv", csv_bytes([["10621", "2023", "13", "thu_ngan_sach", "1000", "5"]], FIN_HEAD), "13"),
    ("tai-chinh-so-chu.csv", csv_bytes([["10621", "2023", "5", "thu_ngan_sach", "một nghìn", "5"]], FIN_HEAD),
     "một nghìn"),
    ("so-cot-le.csv", csv_bytes([GOOD, GOOD[:3]]), "so-cot-le.csv"),
    ("ngay-nhan-trong.csv", dossiers(Ngày_nhận_hồ_sơ=""), "Ngày nhận hồ sơ"),
    ("xls-cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    ("khong-ro-loai.csv", csv_bytes([["1", "Hải Phòng", "10", "20"]], ["ID", "TEN", "TDGQ", "TONG"]),
     "Không nhận ra loại dữ liệu"),
]


# a unit of the new map only (no old unit has its code): Đặc khu Bạch Long Vĩ, Hải Phòng
BACH_LONG_VI = dict(code="11948", name="Đặc khu Bạch Long Vĩ", type="Đặc khu", level="commune", parent_code="31",
                    province_code="31", district_code=None, map="new", valid_from=date(2025, 7, 1))


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("bad"), units=UNITS_BOTH_MAPS + [BACH_LONG_VI])


def checksums(root: Path) -> dict[str, str]:
    """Every file of the data folder but the write path's lock files (empty; flock needs them)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def refusal(root: Path, name: str, data: bytes) -> str:
    """The loader's message for a file (policy REJECT), checking nothing changed."""
    before = checksums(root)
    with pytest.raises(load.LoadError) as e:
        load.load(data, name, root, who="kiểm thử", by=access.operator())
    assert checksums(root) == before, f"{name}: the data changed"
    return "\n".join(e.value.messages)


def test_the_corpus_is_large_enough_and_its_names_unique():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("name, data, words", CASES, ids=[c[0] for c in CASES])
def test_each_bad_file_is_refused_in_vietnamese_and_changes_nothing(root, name, data, words):
    msg = refusal(root, name, data)
    assert name in msg, msg                     # the file is named
    assert words in msg, msg                    # the reason, in the user's words
    assert "Traceback" not in msg and "Error" not in msg


def test_every_message_is_its_own(root):
    seen: dict[str, str] = {}
    for name, data, _ in CASES:
        msg = refusal(root, name, data).replace(name, "<tệp>")
        assert msg not in seen, f"{name} and {seen.get(msg)} give the same message: {msg}"
        seen[msg] = name


def test_row_messages_name_the_row_and_the_column(root):
    msg = refusal(root, "ngay-sai.csv", dossiers(Ngày_nhận_hồ_sơ="32/13/2023"))
    assert "dòng 3" in msg and "cột \"Ngày nhận hồ sơ\"" in msg, msg


def test_a_file_over_the_size_cap_is_refused(root, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    msg = refusal(root, "to-qua.csv", csv_bytes([GOOD] * 50))
    assert "to-qua.csv" in msg and "quá lớn" in msg, msg
