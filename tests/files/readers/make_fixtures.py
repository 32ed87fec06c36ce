"""Writes the hand-made exports of tests/test_readers.py (run from the repository root:
``.venv/bin/python tests/files/readers/make_fixtures.py``): the same 20 dossiers of one commune's
one-stop desk as

* so-theo-doi-ho-so.xlsx — the tracking book (Mẫu số 06) as a one-stop software exports it: two
  title rows, a two-row header ("Ngày, tháng, năm" over Nhận hồ sơ / Hẹn trả kết quả / Ngày kết thúc
  xử lý), the row of column numbers, dates as date cells, as dd/mm/yyyy text and as Excel serial
  numbers, a blank row and a signature block under the table;
* so-theo-doi-ho-so.csv — the same table saved as CSV (UTF-8 with BOM, semicolons), words without
  accents in places;
* dvcqg-ho-so.json — the portal's sync fields (MaHoSo, MaTTHC, NgayTiepNhan yyyymmddHHMMSS,
  KenhThucHien 1/2/3 or null …) in an object {"data": [...]}.

DOSSIERS below is the table in the product's values; tests/test_readers.py expects each file to
read to exactly it.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

# dossier_id, procedure_code, procedure_name, field, channel, received_at, due_at, finished_at, status
DOSSIERS = [
    ("10621-250303-0001", "XA.HT.001", "Đăng ký khai sinh", "Hộ tịch",
     "truc_tuyen", "03/03/2025 08:05", "03/03/2025 17:00", "03/03/2025 10:40", "da_tra"),
    ("10621-250303-0002", "XA.CT.001", "Chứng thực bản sao từ bản chính", "Chứng thực",
     "truc_tiep", "03/03/2025 08:20", "03/03/2025 17:00", "03/03/2025 09:00", "da_tra"),
    ("10621-250303-0003", "XA.HT.002", "Đăng ký khai tử", "Hộ tịch",
     "truc_tiep", "03/03/2025 09:15", "04/03/2025 17:00", "04/03/2025 08:30", "da_tra"),
    ("10621-250304-0001", "XA.HT.003", "Đăng ký kết hôn", "Hộ tịch",
     "truc_tuyen", "04/03/2025 07:45", "07/03/2025 17:00", "06/03/2025 15:10", "da_tra"),
    ("10621-250304-0002", "XA.CT.002", "Chứng thực chữ ký", "Chứng thực",
     "truc_tiep", "04/03/2025 10:00", "04/03/2025 17:00", "04/03/2025 10:20", "da_tra"),
    ("10621-250305-0001", "XA.BTXH.001", "Trợ cấp xã hội hằng tháng", "Bảo trợ xã hội",
     "buu_chinh", "05/03/2025 08:00", "14/03/2025 17:00", "17/03/2025 09:00", "da_tra"),
    ("10621-250305-0002", "XA.HT.001", "Đăng ký khai sinh", "Hộ tịch",
     "truc_tuyen", "05/03/2025 14:30", "06/03/2025 17:00", "06/03/2025 11:00", "da_xu_ly"),
    ("10621-250306-0001", "XA.HT.004", "Cấp bản sao trích lục hộ tịch", "Hộ tịch",
     "truc_tuyen", "06/03/2025 08:10", "06/03/2025 17:00", "06/03/2025 08:50", "da_tra"),
    ("10621-250306-0002", "XA.CT.001", "Chứng thực bản sao từ bản chính", "Chứng thực",
     "truc_tiep", "06/03/2025 09:40", "06/03/2025 17:00", "06/03/2025 09:55", "da_tra"),
    ("10621-250307-0001", "XA.NCC.001", "Giải quyết chế độ người có công", "Người có công",
     "truc_tiep", "07/03/2025 08:30", "21/03/2025 17:00", None, "dang_xu_ly"),
    ("10621-250307-0002", "XA.HT.003", "Đăng ký kết hôn", "Hộ tịch", "truc_tiep", "07/03/2025 10:15", "12/03/2025 17:00", None, "bo_sung"),
    ("10621-250310-0001", "XA.HT.002", "Đăng ký khai tử", "Hộ tịch",
     "truc_tuyen", "10/03/2025 07:50", "11/03/2025 17:00", "10/03/2025 16:00", "da_tra"),
    ("10621-250310-0002", "XA.CT.002", "Chứng thực chữ ký", "Chứng thực", "truc_tiep", "10/03/2025 08:45", "10/03/2025 17:00", None, "tu_choi"),
    ("10621-250311-0001", "XA.BTXH.002", "Hỗ trợ chi phí mai táng", "Bảo trợ xã hội",
     "truc_tiep", "11/03/2025 09:00", "18/03/2025 17:00", "14/03/2025 10:00", "da_tra"),
    ("10621-250311-0002", "XA.HT.001", "Đăng ký khai sinh", "Hộ tịch",
     "truc_tuyen", "11/03/2025 13:30", "12/03/2025 17:00", "12/03/2025 09:15", "da_tra"),
    ("10621-250312-0001", "XA.DD.001", "Hòa giải tranh chấp đất đai", "Đất đai",
     "truc_tiep", "12/03/2025 08:00", "11/04/2025 17:00", None, "dang_xu_ly"),
    ("10621-250312-0002", "XA.CT.001", "Chứng thực bản sao từ bản chính", "Chứng thực",
     "buu_chinh", "12/03/2025 10:30", "13/03/2025 17:00", "13/03/2025 08:40", "da_tra"),
    ("10621-250313-0001", "XA.HT.004", "Cấp bản sao trích lục hộ tịch", "Hộ tịch",
     "truc_tuyen", "13/03/2025 08:25", "13/03/2025 17:00", "13/03/2025 09:05", "da_tra"),
    ("10621-250313-0002", "XA.HT.003", "Đăng ký kết hôn", "Hộ tịch", "truc_tiep", "13/03/2025 15:00", "18/03/2025 17:00", None, "rut"),
    ("10621-250314-0001", "XA.NCC.001", "Giải quyết chế độ người có công", "Người có công",
     "truc_tuyen", "14/03/2025 08:00", "28/03/2025 17:00", None, "tam_dung"),
]
CHANNEL_WORDS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "buu_chinh": "Bưu chính công ích"}
CHANNEL_PLAIN = {"truc_tiep": "truc tiep", "truc_tuyen": "TRUC TUYEN", "buu_chinh": "buu chinh"}
PORTAL_CHANNEL = {"truc_tiep": None, "truc_tuyen": 2, "buu_chinh": 3}
STATUS_WORDS = {"dang_xu_ly": "Đang giải quyết", "tam_dung": "Tạm dừng", "bo_sung": "Yêu cầu bổ sung hồ sơ",
                "da_xu_ly": "Đã xử lý xong", "da_tra": "Đã trả kết quả", "tu_choi": "Từ chối",
                "rut": "Công dân yêu cầu rút hồ sơ"}
STATUS_PLAIN = {k: v.lower().replace("đ", "d") for k, v in {
    "dang_xu_ly": "dang xu ly", "tam_dung": "tam dung", "bo_sung": "cho bo sung", "da_xu_ly": "da xu ly xong",
    "da_tra": "Da tra ket qua", "tu_choi": "tu choi", "rut": "rut ho so"}.items()}


def dt(s: str | None) -> datetime | None:
    return None if s is None else datetime.strptime(s, "%d/%m/%Y %H:%M")


def serial(d: datetime) -> float:
    delta = d - datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def write_xlsx(path: Path) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sổ theo dõi"
    ws.append(["UBND XÃ QUỐC TUẤN — BỘ PHẬN MỘT CỬA"])
    ws.append(["SỔ THEO DÕI HỒ SƠ (Mẫu số 06, Thông tư 01/2018/TT-VPCP)"])
    ws.append(["STT", "Mã hồ sơ", "Mã TTHC", "Tên TTHC", "Lĩnh vực", "Kênh nộp hồ sơ", "Ngày, tháng, năm", None, None,
               "Trạng thái"])
    ws.append([None] * 6 + ["Nhận hồ sơ", "Hẹn trả kết quả", "Ngày kết thúc xử lý", None])
    ws.append(list(range(1, 11)))
    for n, (did, code, name, fld, ch, rec, due, fin, st) in enumerate(DOSSIERS, start=1):
        # received: a date cell; due: dd/mm/yyyy hh:mm text; finished: an Excel serial number on even rows
        fin_cell = None if fin is None else (serial(dt(fin)) if n % 2 == 0 else dt(fin))
        ws.append([n, did, code, name, fld, CHANNEL_WORDS[ch] if ch != "truc_tiep" or n % 3 else None, dt(rec), due,
                   fin_cell, STATUS_WORDS[st]])
        ws.cell(ws.max_row, 7).number_format = "dd/mm/yyyy hh:mm"
    ws.append([])
    ws.append([None, "Người lập biểu", None, None, None, None, None, "Trưởng Bộ phận Một cửa"])
    wb.save(path)


def write_csv(path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["SỔ THEO DÕI HỒ SƠ"])
    w.writerow(["Từ ngày 01/03/2025 đến ngày 14/03/2025"])
    w.writerow(["STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục hành chính", "LĨNH VỰC", "Kênh nộp", "Ngày nhận hồ sơ",
                "Ngày hẹn trả", "Ngày kết thúc xử lý", "Trạng thái hồ sơ"])
    for n, (did, code, name, fld, ch, rec, due, fin, st) in enumerate(DOSSIERS, start=1):
        plain = n % 2 == 0
        w.writerow([n, did, code, name, fld, CHANNEL_PLAIN[ch] if plain else CHANNEL_WORDS[ch], rec, due[:10] + " 17:00:00",
                    fin or "", STATUS_PLAIN[st] if plain else STATUS_WORDS[st]])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_json(path: Path) -> None:
    def portal(s: str | None) -> str | None:
        return None if s is None else dt(s).strftime("%Y%m%d%H%M%S")
    data = [{"MaHoSo": did, "MaTTHC": code, "TenTTHC": name, "LinhVuc": fld, "KenhThucHien": PORTAL_CHANNEL[ch],
             "NgayTiepNhan": portal(rec), "NgayHenTra": dt(due).isoformat(), "NgayKetThucXuLy": portal(fin),
             "TrangThaiHoSo": STATUS_WORDS[st], "MaCoQuan": "000.00.21.H26"}
            for did, code, name, fld, ch, rec, due, fin, st in DOSSIERS]
    path.write_text(json.dumps({"total": len(data), "data": data}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    write_xlsx(HERE / "so-theo-doi-ho-so.xlsx")
    write_csv(HERE / "so-theo-doi-ho-so.csv")
    write_json(HERE / "dvcqg-ho-so.json")
