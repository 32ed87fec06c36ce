"""Writes the hand-made exports of tests/test_load.py (run from the repository root:
``.venv/bin/python tests/files/load/make_files.py``).

* so-ho-so-quoc-tuan-2023-05.csv — xã Quốc Tuấn's (10621, old map) one-stop desk, May 2023: 30
  dossiers as its software exports them (UTF-8 with BOM, semicolons, a title row, Vietnamese
  headers, dd/mm/yyyy hh:mm dates, the unit's code in a column). The figures it gives are worked out
  by hand in tests/test_load.py.
* so-ho-so-sai.csv — the same layout with four bad rows (unknown unit, finished before received,
  an old code after 30/06/2025, a new-map code before 01/07/2025) among four good ones.
* so-ho-so-quoc-tuan-2025-08.csv — two dossiers of the old xã Quốc Tuấn received in August 2025,
  after it ceased to exist (its successor: xã Trần Phú, 10633).
* ho-so-sua.csv — a correction of two dossiers of the first file (one finished later, one whose
  pending dossier is now returned).
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAD = ["STT", "Mã hồ sơ", "Mã đơn vị", "Mã TTHC", "Tên thủ tục hành chính", "Lĩnh vực", "Kênh nộp hồ sơ",
        "Ngày nhận hồ sơ", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Ngày trả kết quả", "Trạng thái"]
P1 = ("P1", "Đăng ký khai sinh", "Hộ tịch")
P2 = ("P2", "Chứng thực bản sao", "Chứng thực")
DD = ("XA.DD.001", "Hòa giải tranh chấp đất đai", "Đất đai")   # not in the catalogue: added by the load


def rows_may() -> list[list[str]]:
    out = []
    n = 0

    def add(proc, channel, recv, due, fin, status, unit="10621"):
        nonlocal n
        n += 1
        out.append([str(n), f"QT-2305-{n:03d}", unit, *proc, channel, recv, due, fin or "", fin or "", status])

    for i in range(12):   # A: Hộ tịch, online, finished the day before the due day (early)
        d = 2 + i
        add(P1, "Trực tuyến", f"{d:02d}/05/2023 08:00", f"{d + 2:02d}/05/2023 17:00", f"{d + 1:02d}/05/2023 10:00",
            "Đã trả kết quả")
    for i in range(8):    # B: Chứng thực, at the desk, finished on the due day
        d = 3 + i
        add(P2, "Trực tiếp", f"{d:02d}/05/2023 09:00", f"{d:02d}/05/2023 17:00", f"{d:02d}/05/2023 15:00",
            "Đã trả kết quả")
    for i in range(4):    # C: Hộ tịch, at the desk, finished two days after the due day (late)
        d = 8 + i
        add(P1, "Trực tiếp", f"{d:02d}/05/2023 08:30", f"{d + 1:02d}/05/2023 17:00", f"{d + 3:02d}/05/2023 09:00",
            "Đã trả kết quả")
    for i in range(3):    # D: Đất đai (new code), by post, pending, due 30/06 (within the deadline at 31/05)
        add(DD, "Bưu chính công ích", f"{15 + i:02d}/05/2023 10:00", "30/06/2023 17:00", None, "Đang xử lý")
    for i in range(3):    # E: Chứng thực, at the desk, pending, due 10/05 (overdue at 31/05)
        add(P2, "Trực tiếp", f"{4 + i:02d}/05/2023 14:00", "10/05/2023 17:00", None, "Đang xử lý")
    return out


def write(name: str, rows: list[list[str]], title: str) -> None:
    lines = [title, ";".join(HEAD)] + [";".join(r) for r in rows]
    (HERE / name).write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))


def main() -> None:
    may = rows_may()
    write("so-ho-so-quoc-tuan-2023-05.csv", may, "SỔ THEO DÕI HỒ SƠ THÁNG 5/2023")
    bad = [
        ["1", "SAI-001", "10621", *P1, "Trực tiếp", "02/05/2023 08:00", "04/05/2023 17:00", "03/05/2023 10:00",
         "03/05/2023 10:00", "Đã trả kết quả"],
        ["2", "SAI-002", "99999", *P1, "Trực tiếp", "02/05/2023 08:00", "04/05/2023 17:00", "03/05/2023 10:00",
         "03/05/2023 10:00", "Đã trả kết quả"],                                   # no such unit
        ["3", "SAI-003", "10621", *P2, "Trực tiếp", "03/05/2023 08:00", "03/05/2023 17:00", "03/05/2023 11:00",
         "03/05/2023 11:00", "Đã trả kết quả"],
        ["4", "SAI-004", "10606", *P2, "Trực tiếp", "04/05/2023 08:00", "04/05/2023 17:00", "02/05/2023 11:00",
         "04/05/2023 11:00", "Đã trả kết quả"],                                   # finished before received
        ["5", "SAI-005", "10621", *P1, "Trực tuyến", "05/05/2023 08:00", "08/05/2023 17:00", "", "", "Đang xử lý"],
        ["6", "SAI-006", "10621", *P1, "Trực tuyến", "05/05/2023 09:00", "08/05/2023 17:00", "", "", "Đang xử lý"],
    ]
    bad.append(["7", "SAI-007", "10621", *P2, "Trực tiếp", "02/07/2025 08:00", "02/07/2025 17:00",
                "02/07/2025 10:00", "02/07/2025 10:00", "Đã trả kết quả"])      # old code after 30/06/2025
    bad.append(["8", "SAI-008", "10650", *P2, "Trực tiếp", "05/05/2023 08:00", "05/05/2023 17:00",
                "05/05/2023 10:00", "05/05/2023 10:00", "Đã trả kết quả"])      # new-map code (tests' 10650) in 2023
    write("so-ho-so-sai.csv", bad, "SỔ THEO DÕI HỒ SƠ")
    late = [
        ["1", "QT-2508-001", "10621", *P1, "Trực tiếp", "04/08/2025 08:00", "06/08/2025 17:00", "05/08/2025 10:00",
         "05/08/2025 10:00", "Đã trả kết quả"],
        ["2", "QT-2508-002", "10621", *P2, "Trực tiếp", "05/08/2025 08:00", "05/08/2025 17:00", "05/08/2025 09:00",
         "05/08/2025 09:00", "Đã trả kết quả"],
    ]
    write("so-ho-so-quoc-tuan-2025-08.csv", late, "SỔ THEO DÕI HỒ SƠ THÁNG 8/2025")
    fix = [r[:] for r in may if r[1] in ("QT-2305-001", "QT-2305-025")]
    fix[0][9] = fix[0][10] = "06/05/2023 10:00"        # QT-2305-001: finished 06/05, after its due day 04/05: late
    fix[1][9] = fix[1][10] = "20/05/2023 10:00"        # QT-2305-025 (Đất đai, pending): returned 20/05, early
    fix[1][11] = "Đã trả kết quả"
    write("ho-so-sua.csv", fix, "SỔ THEO DÕI HỒ SƠ (ĐÃ SỬA)")


if __name__ == "__main__":
    main()
