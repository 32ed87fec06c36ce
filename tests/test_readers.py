"""The readers of a unit's own exports (cchc/ingest/readers.py): header matching, values, the three
formats, the hand-made tracking book (tests/files/readers, written by make_fixtures.py there) and a
corpus of bad files, each with its own Vietnamese message naming the file, the row and the column."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cchc.ingest import readers as r

FILES = Path(__file__).resolve().parent / "files" / "readers"
_spec = importlib.util.spec_from_file_location("make_fixtures", FILES / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐĂÂÊÔƠƯ"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêàâçüöäñÉÀ"


def _strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")


def _all_aliases() -> list[tuple[str, str, str]]:
    return [(k.name, col, a) for k in r.kinds().values() for col, names in k.aliases.items() for a in names]


# --- header matching ---------------------------------------------------------------------------------

def test_aliases_are_data_and_unambiguous():
    ks = r.kinds()
    assert set(ks) == {"dossiers", "ratings", "feedback", "finances", "facts", "results"}
    for k in ks.values():
        # every required column has names a file may use, and no name means two columns (checked on load)
        for group in k.required:
            for c in group:
                assert c in k.columns and len(k.aliases[c]) >= 2
        assert all(r.normalise(a) for names in k.aliases.values() for a in names)
    d = ks["dossiers"]
    for header, col in [("Mã hồ sơ", "dossier_id"), ("MaHoSo", "dossier_id"), ("Số hồ sơ", "dossier_id"),
                        ("Mã TTHC", "procedure_code"), ("MaTTHC", "procedure_code"), ("Ngày nhận hồ sơ", "received_at"),
                        ("Nhận hồ sơ", "received_at"), ("NgayTiepNhan", "received_at"), ("Ngày hẹn trả", "due_at"),
                        ("Hẹn trả kết quả", "due_at"), ("NgayHenTra", "due_at"), ("Ngày kết thúc xử lý", "finished_at"),
                        ("NgayKetThucXuLy", "finished_at"), ("Ngày trả kết quả", "returned_at"),
                        ("Kênh nộp hồ sơ", "channel"), ("KenhThucHien", "channel"), ("Lĩnh vực", "field"),
                        ("Trạng thái", "status"), ("Mã đơn vị", "unit_code"), ("Tên TTHC", "procedure_name"),
                        ("Ngày nhận hồ sơ (dd/mm/yyyy)", "received_at"), ("Phí, lệ phí (đồng)", "fee_vnd")]:
        assert r.match_header(header, d.name) == col, header
    assert r.match_header("Năm (phân vùng)", "dossiers") is None      # partition columns are derived


@st.composite
def _garbled(draw, text: str) -> str:
    """The same name as another export might write it: any case, accents dropped or not, spaces,
    punctuation and underscores added around and between the words."""
    if draw(st.booleans()):
        text = _strip_accents(text)
    text = "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in text)
    seps = st.text(alphabet=" _-.,:/\t", min_size=0, max_size=3)
    words = text.split()
    out = draw(seps)
    for w in words:
        out += w + draw(seps) + (" " if draw(st.booleans()) else "")
    return out


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_spelling_of_an_alias_matches(data):
    kind, col, alias = data.draw(st.sampled_from(_all_aliases()))
    written = data.draw(_garbled(alias))
    assert r.match_header(written, kind) == col
    # NFD text (macOS, Windows-1258) is the same name
    assert r.match_header(unicodedata.normalize("NFD", written), kind) == col


@settings(max_examples=300)
@given(data=st.data(), extra=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6))
def test_a_longer_or_different_name_does_not_match(data, extra):
    kind, col, alias = data.draw(st.sampled_from(_all_aliases()))
    index = r.kinds()[kind].index
    assume(r.normalise(alias) + extra not in index)
    assert r.match_header(f"{alias} {extra}", kind) is None
    # nor does text that shares no alias at all
    other = data.draw(st.text(alphabet=VI_LETTERS + " ", min_size=1, max_size=20))
    assume(r.normalise(other) not in index and r.normalise(other))
    assume(r.normalise(r._PARENS.sub("", other)) not in index)
    assert r.match_header(other, kind) is None


def test_normalise():
    assert r.normalise("Ngày nhận hồ sơ") == r.normalise("NGAY_NHAN_HO_SO") == r.normalise(" ngày  nhận-hồ.sơ ") == "ngaynhanhoso"
    assert r.normalise("Đơn vị") == "donvi" and r.normalise("MaHoSo") == "mahoso" and r.normalise(None) == ""


# --- values ------------------------------------------------------------------------------------------

_DT = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=0))


@settings(max_examples=300)
@given(d=_DT)
def test_dates_round_trip(d):
    assert r.parse_datetime(d.strftime("%d/%m/%Y %H:%M:%S")) == d
    assert r.parse_datetime(d.strftime("%d/%m/%Y %H:%M")) == d.replace(second=0)
    assert r.parse_datetime(f"{d.day}/{d.month}/{d.year}") == datetime(d.year, d.month, d.day)
    assert r.parse_datetime(d.strftime("%d-%m-%Y")) == datetime(d.year, d.month, d.day)
    assert r.parse_datetime(d.isoformat()) == d
    assert r.parse_datetime(d.isoformat(sep=" ")) == d
    assert r.parse_datetime(d.strftime("%Y%m%d%H%M%S")) == d
    assert r.parse_datetime(d.strftime("%H:%M:%S %d/%m/%Y")) == d
    assert r.parse_datetime(d) == d and r.parse_datetime(d.date()) == datetime(d.year, d.month, d.day)
    # Excel serial numbers, both ways (a numeric cell, and numeric text for whole days)
    s = r.excel_serial(d)
    assert r.from_excel_serial(s) == d and r.parse_datetime(s) == d
    day = datetime(d.year, d.month, d.day)
    assert r.parse_datetime(str(int(r.excel_serial(day)))) == day
    # a time zone is converted to Vietnam time
    assert r.parse_datetime(d.isoformat() + "+07:00") == d
    assert r.parse_datetime((d - timedelta(hours=7)).isoformat() + "Z") == d if d.year > 2000 or d.hour >= 7 else True


@settings(max_examples=200)
@given(d=_DT, fmt=st.sampled_from(["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S",
                                   "%Y-%m-%d %H:%M", "%Y-%m-%d", "%-d/%-m/%Y", "%d.%m.%Y"]))
def test_the_fast_path_agrees_with_parse_datetime(d, fmt):
    text = d.strftime(fmt)
    fast = r._fast_dates([text, None, "x"])
    assert fast[1] is None and fast[2] is None
    assert fast[0] is None or fast[0] == r.parse_datetime(text)


def test_dates_refused():
    for bad, why in [("31/02/2023", "không có ngày giờ này"), ("15/03/1999", "năm 1999 nằm ngoài"),
                     ("2023-13-01", "không có ngày giờ này"), ("hôm qua", "không đọc được ngày giờ"),
                     (123, "không phải một ngày kiểu Excel"), ("15/03/23", "không đọc được ngày giờ"),
                     (True, "không đọc được")]:
        with pytest.raises(ValueError) as e:
            r.parse_datetime(bad)
        assert why in str(e.value), bad


def test_numbers_and_booleans():
    assert r.parse_number("1.234,5") == 1234.5 and r.parse_number("2.000") == 2000 and r.parse_number("2,5") == 2.5
    assert r.parse_number("1234.5") == 1234.5 and r.parse_number(7) == 7 and r.parse_number("15.000 đ") == 15000
    assert r.parse_number("10.000 VNĐ") == 10000
    with pytest.raises(ValueError):
        r.parse_number("hai nghìn")
    for v, b in [("Có", True), ("co", True), ("x", True), ("X", True), ("1", True), (1, True), ("true", True),
                 ("✓", True), ("Không", False), ("khong", False), ("0", False), (0, False), ("false", False),
                 ("", None), (None, None), ("-", None)]:
        assert r.parse_bool(v) is b, v
    with pytest.raises(ValueError):
        r.parse_bool("có lẽ")


def _dossier_csv(rows: list[list], header=("Mã hồ sơ", "Tên TTHC", "Ngày nhận hồ sơ", "Ngày hẹn trả", "Kênh nộp hồ sơ",
                                           "Trạng thái")) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_channel_and_status_words():
    words = {"Trực tuyến": "truc_tuyen", "truc tuyen": "truc_tuyen", "2": "truc_tuyen", "TRỰC TUYẾN": "truc_tuyen",
             "Trực tiếp": "truc_tiep", "1": "truc_tiep", "": "truc_tiep", "Bưu chính công ích": "buu_chinh",
             "3": "buu_chinh", "buu chinh cong ich": "buu_chinh", "truc_tuyen": "truc_tuyen"}
    rows = [[f"H-{i}", "Khai sinh", "01/03/2025", "02/03/2025", w, "Đã trả kết quả"] for i, w in enumerate(words)]
    res = r.read_bytes(_dossier_csv(rows), "kenh.csv")
    assert res.ok and not res.issues
    assert res.frame["channel"].to_list() == list(words.values())
    statuses = {"Đang xử lý": "dang_xu_ly", "dang xu ly": "dang_xu_ly", "Tạm dừng": "tam_dung", "Chờ bổ sung": "bo_sung",
                "Yêu cầu bổ sung hồ sơ": "bo_sung", "Đã xử lý xong": "da_xu_ly", "da tra ket qua": "da_tra",
                "Từ chối": "tu_choi", "Công dân rút hồ sơ": "rut", "Công dân yêu cầu rút hồ sơ": "rut", "da_tra": "da_tra"}
    rows = [[f"H-{i}", "Khai sinh", "01/03/2025", "02/03/2025", "", w] for i, w in enumerate(statuses)]
    res = r.read_bytes(_dossier_csv(rows), "trang-thai.csv")
    assert res.ok and not res.issues and res.frame["status"].to_list() == list(statuses.values())
    # the product's vocabulary is cchc.schema's
    from cchc import schema
    assert set(r.kinds()["dossiers"].labels["channel"]) == set(schema.CHANNELS)
    assert set(r.kinds()["dossiers"].labels["status"]) == set(schema.STATUSES)


# --- CSV encodings and delimiters ----------------------------------------------------------------------

def _cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: a precomposed letter where the code page has one, else the
    base letter (with its circumflex, breve or horn) and a combining tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        nfd = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in nfd if c in "\u0300\u0301\u0303\u0309\u0323")
        letter = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
        out += letter.encode("cp1258") + tones.encode("cp1258")
    return out


ENCODINGS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-sig": lambda s: s.encode("utf-8-sig"),
    "utf-16-le": lambda s: b"\xff\xfe" + s.encode("utf-16-le"),
    "utf-16-be": lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda s: s.encode("utf-16-le"),
    "cp1258": _cp1258,
    "cp1252": lambda s: s.encode("cp1252"),
}


def _words(alphabet: str):
    word = st.text(alphabet=alphabet, min_size=1, max_size=8)
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


@st.composite
def _frames(draw, alphabet: str):
    n = draw(st.integers(1, 8))
    rows = []
    for i in range(n):
        rec = draw(_DT)
        rows.append({"dossier_id": f"10621-{i:04d}-{draw(st.integers(0, 9999)):04d}",
                     "procedure_name": draw(_words(alphabet)), "field": draw(_words(alphabet)),
                     "received_at": rec, "due_at": min(rec + timedelta(days=draw(st.integers(0, 30))), datetime(2100, 12, 31)),
                     "fee_vnd": draw(st.integers(0, 10_000_000)), "paid_online": draw(st.booleans())})
    return rows


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_csv_round_trip(encoding, delimiter, data):
    latin = encoding == "cp1252"
    rows = data.draw(_frames(LATIN_LETTERS if latin else VI_LETTERS))
    header = (["Ma ho so", "Ten TTHC", "Linh vuc", "Ngay nhan ho so", "Ngay hen tra", "Phi le phi", "Thanh toan truc tuyen"]
              if latin else ["Mã hồ sơ", "Tên TTHC", "Lĩnh vực", "Ngày nhận hồ sơ", "Ngày hẹn trả", "Phí, lệ phí",
                             "Thanh toán trực tuyến"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for x in rows:
        w.writerow([x["dossier_id"], x["procedure_name"], x["field"], x["received_at"].strftime("%d/%m/%Y %H:%M:%S"),
                    x["due_at"].strftime("%d/%m/%Y %H:%M:%S"), f"{x['fee_vnd']:,}".replace(",", "."),
                    "Có" if x["paid_online"] else "Không"])
    res = r.read_bytes(ENCODINGS[encoding](buf.getvalue()), "round-trip.csv", "dossiers")
    assert res.ok and not res.issues, res.messages()
    assert res.delimiter == delimiter
    expected = pl.DataFrame(rows).with_columns(pl.col("fee_vnd").cast(pl.Int64))
    got = res.frame.select(expected.columns).with_columns(pl.col("received_at", "due_at").cast(pl.Datetime("us")))
    assert got.to_dicts() == expected.to_dicts()


_TRICKY = st.text(alphabet="ab Đđ=+-@–\u00a0\t\x01\u200b\u0301e0123456789/:.,", max_size=12)


@settings(max_examples=300)
@given(cells=st.lists(st.one_of(st.none(), _TRICKY, st.sampled_from(["03/03/2025", "3/3/2025 8:05", "2025-03-03T08:05:00",
                                                                     "45000", "Trực tuyến", "2", "-", "Có", "1.234,5"])),
                      min_size=1, max_size=12),
       col=st.sampled_from([("dossiers", "dossier_id"), ("dossiers", "field"), ("dossiers", "received_at"),
                            ("dossiers", "channel"), ("dossiers", "status"), ("dossiers", "fee_vnd"),
                            ("dossiers", "digitised_input"), ("ratings", "level"), ("facts", "value")]))
def test_columns_of_text_read_as_cell_by_cell(cells, col):
    """The polars path for columns of text cells (CSV) gives what parsing each cell gives (xlsx)."""
    k = r.kinds()[col[0]]
    dtype = r._pl_type(k.columns[col[1]].type)
    got, errs = r._parse_values(r._Column(k, col[1]), cells, dtype)
    one = [r._Column(k, col[1]).parse(v) for v in cells]
    assert got.to_list() == [v for v, _ in one]
    assert sorted(errs) == [(i, why) for i, (_, why) in enumerate(one) if why]


def test_encoding_detection():
    text = "Mã hồ sơ;Ngày nhận hồ sơ\n"
    assert r.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert r.detect_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert r.detect_encoding(text.encode("utf-16")) == "utf-16"
    assert r.detect_encoding(text.encode("utf-16-le")) == "utf-16-le"
    assert r.detect_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert r.detect_encoding(_cp1258(text)) == "cp1258"
    assert r.detect_encoding("Café;Zürich\n".encode("cp1252")) == "cp1252"


# --- the hand-made exports --------------------------------------------------------------------------------

def _expected() -> pl.DataFrame:
    dt = fixtures.dt
    rows = [{"dossier_id": d, "procedure_code": c, "field": f, "channel": ch, "received_at": dt(rec), "due_at": dt(due),
             "finished_at": dt(fin), "status": s, "procedure_name": n}
            for d, c, n, f, ch, rec, due, fin, s in fixtures.DOSSIERS]
    return pl.DataFrame(rows, schema={"dossier_id": pl.Utf8, "procedure_code": pl.Utf8, "field": pl.Utf8, "channel": pl.Utf8,
                                      "received_at": pl.Datetime("ms"), "due_at": pl.Datetime("ms"),
                                      "finished_at": pl.Datetime("ms"), "status": pl.Utf8, "procedure_name": pl.Utf8})


@pytest.mark.parametrize("name", ["so-theo-doi-ho-so.xlsx", "so-theo-doi-ho-so.csv", "dvcqg-ho-so.json"])
def test_hand_made_exports_read_to_the_same_table(name):
    res = r.read_file(FILES / name)
    assert res.ok and res.kind == "dossiers"
    assert [i for i in res.issues if i.severity != r.WARNING] == []
    assert all(m.how == "alias" for m in res.matches)
    exp = _expected()
    assert res.frame.columns == exp.columns
    assert res.frame.equals(exp), (res.frame, exp)
    assert res.valid().equals(exp) and res.rejected().height == 0
    if name.endswith(".xlsx"):
        # two title rows, the header on row 3 with "Nhận hồ sơ / Hẹn trả kết quả / …" under it, the
        # column numbers on row 5: the first dossier is row 6, the signature block is not read
        assert res.header_row == 3 and res.rows[0] == 6 and res.rows[-1] == 25 and res.sheet == "Sổ theo dõi"
        assert res.mapping["Nhận hồ sơ"] == "received_at" and res.ignored == ["STT"]
        assert [i.severity for i in res.issues] == [r.WARNING] and "dòng 27" in res.issues[0].message
    elif name.endswith(".csv"):
        assert (res.encoding, res.delimiter, res.header_row, res.rows[0]) == ("utf-8-sig", ";", 3, 4)
    else:
        assert res.unmatched == ["MaCoQuan"] and res.rows[0] == 1


def test_named_sheet_and_manual_mapping(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Ghi chú"
    wb.active.append(["Trang này không phải dữ liệu"])
    ws = wb.create_sheet("Hồ sơ tháng 3")
    ws.append(["Mã hồ sơ", "Thủ tục", "Cột X", "Hạn", "Kênh"])
    ws.append(["H-1", "Khai sinh", "03/03/2025 08:00", "04/03/2025", "Trực tuyến"])
    p = tmp_path / "tu-ghep.xlsx"
    wb.save(p)
    res = r.read_file(p, "dossiers", sheet="ho so thang 3", mapping={"cột x": "received_at", "Hạn": "due_at",
                                                                        "Kênh": "channel"})
    assert res.ok and res.sheet == "Hồ sơ tháng 3" and not [i for i in res.issues if i.severity != r.WARNING]
    assert {m.header: m.how for m in res.matches} == {"Mã hồ sơ": "alias", "Thủ tục": "alias", "Cột X": "manual",
                                                      "Hạn": "manual", "Kênh": "manual"}
    assert res.frame.row(0, named=True)["received_at"] == datetime(2025, 3, 3, 8) and res.frame["channel"][0] == "truc_tuyen"
    # a manual "" ignores a header an alias would take
    res = r.read_file(p, "dossiers", sheet="Hồ sơ tháng 3", mapping={"Cột X": "received_at", "Hạn": "due_at", "Kênh": ""})
    assert "channel" not in res.frame.columns and res.ignored == ["Kênh"]


def test_each_kind_is_detected_from_its_headers():
    files = {
        "ratings": "Mã phiếu,Mã hồ sơ,Ngày đánh giá,Mức độ hài lòng,Hình thức đánh giá\nR-1,H-1,05/03/2025 10:00,Rất hài lòng,Tại quầy\n",
        "feedback": "Mã PAKN,Mã đơn vị,Phân loại,Ngày tiếp nhận,Hạn xử lý,Kết quả\nPA-1,10621,Thái độ,02/04/2025,24/04/2025,Giải trình\n",
        "finances": "Mã đơn vị;Năm;Tháng;Chỉ tiêu;Dự toán;Thực hiện\n10621;2025;3;Thu ngân sách;1.031.666.667;1.012.000.000\n",
        "facts": "Mã đơn vị,Năm,Mã chỉ tiêu,Giá trị,Ghi chú\n10621,2024,staff_quota,20,Báo cáo CCHC\n",
        "results": "Năm,Tháng,Tên đơn vị,Nhóm chỉ số,Điểm,Xếp hạng\n2025,10,Tỉnh An Giang,TONG,\"88,5\",1\n",
        "dossiers": "MaHoSo,TenTTHC,NgayTiepNhan,NgayHenTra,KenhThucHien\nH-1,Khai sinh,2025-03-03T08:00:00,2025-03-04,2\n",
    }
    for kind, text in files.items():
        res = r.read_bytes(text.encode("utf-8"), f"{kind}.csv")
        assert res.ok and res.kind == kind and not res.issues, (kind, res.messages())
    assert r.read_bytes(files["ratings"].encode(), "x.csv").frame["level"].to_list() == [4]
    fin = r.read_bytes(files["finances"].encode(), "x.csv").frame
    assert fin.row(0) == ("10621", 2025, 3, "thu_ngan_sach", 1031666667, 1012000000)
    assert r.read_bytes(files["results"].encode(), "x.csv").frame["score"].to_list() == [88.5]


def test_rejected_rows_come_back_with_their_reason():
    rows = [["H-1", "Khai sinh", "03/03/2025", "04/03/2025", "Trực tuyến", "Đã trả kết quả"],
            ["H-2", "Khai sinh", "31/02/2025", "04/03/2025", "fax", "Đã trả kết quả"],
            ["H-3", "Khai tử", "03/03/2025", "05/03/2025", "", "Đang xử lý"]]
    res = r.read_bytes(_dossier_csv(rows), "mot-dong-loi.csv")
    assert res.ok and res.rejected_rows() == {3} and res.valid()["dossier_id"].to_list() == ["H-1", "H-3"]
    rej = res.rejected()
    assert rej.columns[0] == "Dòng" and rej.columns[-1] == "Lý do" and rej.height == 1
    row = rej.row(0, named=True)
    assert row["Dòng"] == "3" and row["Ngày nhận hồ sơ"] == "31/02/2025" and row["Kênh nộp hồ sơ"] == "fax"
    assert row["Trạng thái"] == "Đã trả kết quả" and "Ngày nhận hồ sơ: không có ngày giờ này" in row["Lý do"]


def test_check_rows():
    rows = [["H-1", "Khai sinh", "03/03/2025 08:00", "04/03/2025", "03/03/2025 07:00"],
            ["H-1", "Khai sinh", "03/03/2025 09:00", "02/03/2025", ""],
            ["H-2", "Khai sinh", "03/03/2025", "04/03/2025", ""]]
    res = r.read_bytes(_dossier_csv(rows, ("Mã hồ sơ", "Tên TTHC", "Nhận hồ sơ", "Hẹn trả", "Ngày kết thúc xử lý")), "kiem-tra.csv")
    found = r.check_rows(res)
    msgs = [i.message for i in found]
    assert 'Tệp kiem-tra.csv, dòng 3, cột "Mã hồ sơ": "H-1": trùng Mã hồ sơ với dòng 2.' in msgs
    assert 'Tệp kiem-tra.csv, dòng 2, cột "Ngày kết thúc xử lý": "03/03/2025 07:00:00": ngày kết thúc xử lý trước ngày nhận hồ sơ.' in msgs
    assert any("dòng 3" in m and "ngày hẹn trả trước ngày nhận hồ sơ" in m for m in msgs)
    res.issues += found
    assert res.valid()["dossier_id"].to_list() == ["H-2"]
    fin = r.read_bytes("Năm;Tháng;Chỉ tiêu;Thực hiện\n2025;13;Chi ngân sách;-5\n".encode(), "tc.csv")
    assert {i.reason for i in r.check_rows(fin)} == {"ngoài khoảng 1–12", "số âm"}


# --- bad files: each its own message ------------------------------------------------------------------------

def _xlsx(rows: list[list], title: str = "Sheet") -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEAD = ["Mã hồ sơ", "Tên TTHC", "Ngày nhận hồ sơ", "Ngày hẹn trả", "Kênh nộp hồ sơ", "Trạng thái"]
OK = ["H-1", "Khai sinh", "03/03/2025", "04/03/2025", "Trực tuyến", "Đã trả kết quả"]


def _with(i: int, v) -> list:
    row = list(OK)
    row[i] = v
    return row


BAD = [
    # name, content, kind, options, every fragment the one message must hold
    ("ngay-khong-co.csv", lambda: _dossier_csv([OK, _with(2, "31/02/2025")]), None, {},
     ['Tệp ngay-khong-co.csv, dòng 3, cột "Ngày nhận hồ sơ": "31/02/2025": không có ngày giờ này']),
    ("nam-sai.csv", lambda: _dossier_csv([_with(3, "04/03/1925")]), None, {},
     ['dòng 2, cột "Ngày hẹn trả": "04/03/1925": năm 1925 nằm ngoài 2000–2100']),
    ("kenh-la.csv", lambda: _dossier_csv([OK, OK, _with(4, "Fax")]), None, {},
     ['Tệp kenh-la.csv, dòng 4, cột "Kênh nộp hồ sơ": "Fax": không phải một giá trị đã biết của Kênh nộp', "Trực tuyến"]),
    ("trang-thai-la.xlsx", lambda: _xlsx([["Sổ theo dõi"], HEAD, _with(5, "Đã bay")]), None, {},
     ['Tệp trang-thai-la.xlsx, trang "Sheet", dòng 3, cột "Trạng thái": "Đã bay": không phải một giá trị đã biết']),
    ("thieu-ma.xlsx", lambda: _xlsx([HEAD, OK, _with(0, None)]), None, {},
     ['dòng 3, cột "Mã hồ sơ": thiếu Mã hồ sơ (bắt buộc)']),
    ("phi-chu.csv", lambda: _dossier_csv([OK + ["hai nghìn"]], HEAD + ["Phí, lệ phí"]), None, {},
     ['Tệp phi-chu.csv, dòng 2, cột "Phí, lệ phí": "hai nghìn": không phải là số']),
    ("so-hoa-sai.csv", lambda: _dossier_csv([OK + ["có lẽ"]], HEAD + ["Số hóa thành phần hồ sơ"]), None, {},
     ['dòng 2, cột "Số hóa thành phần hồ sơ": "có lẽ": không phải Có/Không']),
    ("cong-thuc.xlsx", lambda: _xlsx([HEAD, _with(0, "=HYPERLINK(\"http://x\")")]), None, {},
     ['trang "Sheet", dòng 2, cột "Mã hồ sơ"', "như một công thức bảng tính"]),
    ("serial-la.xlsx", lambda: _xlsx([HEAD, _with(2, 123)]), None, {},
     ['dòng 2, cột "Ngày nhận hồ sơ": "123": số 123 không phải một ngày kiểu Excel']),
    ("thieu-cot.csv", lambda: _dossier_csv([OK[:3]], HEAD[:3]), "dossiers", {},
     ["Tệp thieu-cot.csv (hồ sơ thủ tục hành chính) thiếu cột Ngày hẹn trả (due_at", "Hẹn trả kết quả"]),
    ("la-gi.csv", lambda: "Họ tên,Quê quán,Ngày sinh\nA,B,C\n".encode(), None, {},
     ["Không tìm thấy dòng tiêu đề", "tệp la-gi.csv"]),
    ("gan-giong.csv", lambda: "Mã hồ sơ,Tên TTHC,Lĩnh vực\nH-1,Khai sinh,Hộ tịch\n".encode(), None, {},
     ["Không nhận ra loại dữ liệu của tệp gan-giong.csv", "thiếu cột", "Ngày tiếp nhận (received_at"]),
    ("qua-lon.csv", lambda: _dossier_csv([OK] * 50), None, {"cap": 1000},
     ["Tệp qua-lon.csv quá lớn", "tối đa"]),
    ("cu.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, None, {},
     ["Tệp cu.xls là bảng tính Excel cũ (.xls)", ".xlsx"]),
    ("hai-danh-sach.json", lambda: json.dumps({"a": [{"MaHoSo": 1}], "b": [{"MaHoSo": 2}]}).encode(), None, {},
     ["Tệp hai-danh-sach.json: cần một danh sách bản ghi", "tệp có 2: a, b"]),
    ("truong-long.json", lambda: json.dumps([{"MaHoSo": "H-1", "TenTTHC": "Khai sinh", "NgayTiepNhan": {"ngay": 3},
                                             "NgayHenTra": "2025-03-04"}]).encode(), None, {},
     ['Tệp truong-long.json, bản ghi số 1, trường "NgayTiepNhan"', "không phải một giá trị đơn (đối tượng)"]),
    ("json-hong.json", lambda: b'[{"MaHoSo": "H-1",', None, {}, ["Tệp json-hong.json không phải JSON hợp lệ"]),
    ("ghep-sai.csv", lambda: _dossier_csv([OK]), "dossiers", {"mapping": {"Cột X": "ngay_nhan"}},
     ['Ghép cột bằng tay "Cột X=ngay_nhan": ngay_nhan không phải một cột của bảng hồ sơ thủ tục hành chính']),
    ("khong-trang.xlsx", lambda: _xlsx([HEAD, OK]), None, {"sheet": "Tháng 3"},
     ['Tệp khong-trang.xlsx không có trang "Tháng 3"', "'Sheet'"]),
    ("chi-tieu-de.csv", lambda: _dossier_csv([], HEAD), None, {}, ["không có dòng dữ liệu nào dưới dòng tiêu đề"]),
    ("muc-danh-gia.csv", lambda: "Mã hồ sơ,Ngày đánh giá,Mức độ hài lòng\nH-1,05/03/2025,Tuyệt vời\n".encode(), None, {},
     ['dòng 2, cột "Mức độ hài lòng": "Tuyệt vời": không phải một giá trị đã biết của Mức đánh giá', "Rất hài lòng (4)"]),
    ("zip-khong-phai.xlsx", lambda: b"PK\x03\x04" + b"\0" * 100, None, {}, ["Không mở được tệp zip-khong-phai.xlsx như một tệp Excel"]),
    ("loai-la.csv", lambda: _dossier_csv([OK]), "hoso", {}, ['Loại dữ liệu "hoso" không có', "dossiers"]),
    ("diem-766.json", lambda: json.dumps([{"ID": "398126", "TEN": "Tỉnh An Giang", "LOAI_COQUAN": "1", "TDGQ": "19",
                                           "MDHL": "17", "TONG_SCORE": "88"}]).encode(), None, {},
     ["Tệp diem-766.json là bảng điểm Bộ chỉ số 766", "import-results"]),
    ("cong-thuc-ngay.xlsx", lambda: _xlsx([HEAD, _with(3, "=C2+3")]), None, {},
     ['dòng 2, cột "Ngày hẹn trả": "=C2+3": là một công thức bảng tính, không phải giá trị']),
    ("thieu-o.csv", lambda: _dossier_csv([OK, OK[:3]]), None, {}, ['dòng 3, cột "Ngày hẹn trả": thiếu Ngày hẹn trả (bắt buộc)']),
]


@pytest.mark.parametrize("name,content,kind,opts,fragments", BAD, ids=[b[0] for b in BAD])
def test_bad_file_gets_its_own_message(name, content, kind, opts, fragments, monkeypatch, tmp_path):
    if "cap" in opts:
        monkeypatch.setattr(r, "MAX_FILE_BYTES", opts["cap"])
    p = tmp_path / name
    p.write_bytes(content())
    res = r.read_file(p, kind, sheet=opts.get("sheet"), mapping=opts.get("mapping"))
    problems = [i for i in res.issues if i.severity != r.WARNING]
    assert len(problems) == 1, res.messages()
    msg = problems[0].message
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert name in msg
    if problems[0].severity == r.FILE:
        assert not res.ok and res.valid().height == 0
    else:
        assert res.ok and problems[0].row is not None and problems[0].column is not None
        assert problems[0].row in res.rejected_rows()


def test_bad_corpus_messages_are_distinct():
    assert len(BAD) >= 10 and len({b[4][0] for b in BAD}) == len(BAD)


def test_row_numbers_are_the_spreadsheet_rows():
    """Empty rows above, a title, the table starting in column B and a gap: messages name the rows
    the user sees."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B3"] = "SỔ THEO DÕI HỒ SƠ"
    for j, h in enumerate(["Mã hồ sơ", "Tên TTHC", "Ngày nhận hồ sơ", "Ngày hẹn trả"], start=2):
        ws.cell(5, j, h)
    for j, v in enumerate(["H-1", "Khai sinh", "03/03/2025", "ngày mai"], start=2):
        ws.cell(8, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    res = r.read_bytes(buf.getvalue(), "lech.xlsx")
    assert res.header_row == 5 and res.rows == [8]
    assert res.messages()[0].startswith('Tệp lech.xlsx, trang "Sheet", dòng 8, cột "Ngày hẹn trả": "ngày mai": ')


def test_rows_under_the_table_are_not_read():
    text = _dossier_csv([OK, OK, [], ["Tổng cộng", "", "", "", "", ""], ["", "Người lập biểu"]]).decode()
    res = r.read_bytes(text.encode(), "tong-cong.csv")
    assert res.ok and res.frame.height == 2 and res.rows == [2, 3]
    assert [i.message for i in res.issues] == ['Tệp tong-cong.csv: bảng kết thúc ở dòng 5 ("Tổng cộng"): không đọc dòng này '
                                               "và các dòng sau."]


def test_read_bytes_is_read_file(tmp_path):
    p = FILES / "so-theo-doi-ho-so.csv"
    assert r.read_bytes(p.read_bytes(), p.name).frame.equals(r.read_file(p).frame)
    assert not r.read_file(tmp_path / "khong-co.csv").ok
