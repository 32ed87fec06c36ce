"""The pages of the dashboard: file, Vietnamese title, stable URL path, menu group. A page whose
file is not there (yet) is left out of the menu."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HOME_URL = "trang-chu"  # the root's hidden page (app.py), which opens the first page under its own path

PAGES = [
    # file, title, url path, group, icon
    ("pages/tong_quan.py", "Tổng quan", "tong-quan", "Điều hành", ":material/dashboard:"),
    ("pages/ho_so.py", "Hồ sơ TTHC", "ho-so", "Điều hành", ":material/folder_open:"),
    ("pages/bieu_06.py", "Biểu 06", "bieu-06", "Điều hành", ":material/table:"),
    ("pages/hai_long.py", "Hài lòng, phản ánh", "hai-long", "Điều hành", ":material/sentiment_satisfied:"),
    ("pages/tai_chinh.py", "Tài chính công", "tai-chinh", "Điều hành", ":material/payments:"),
    ("pages/so_sanh.py", "So sánh đơn vị", "so-sanh", "Điều hành", ":material/compare_arrows:"),
    ("pages/tai_lieu_hop.py", "Tài liệu họp", "tai-lieu-hop", "Điều hành", ":material/slideshow:"),
    ("pages/so_lieu.py", "Số liệu tự báo cáo", "so-lieu", "Điều hành", ":material/fact_check:"),
    ("pages/chi_so.py", "Chỉ số", "chi-so", "Chỉ số", ":material/leaderboard:"),
    ("pages/ket_qua_cong_bo.py", "Kết quả công bố", "ket-qua-cong-bo", "Chỉ số", ":material/public:"),
    ("pages/tu_danh_gia.py", "Tự đánh giá", "tu-danh-gia", "Chỉ số", ":material/edit_note:"),
    ("pages/nhap_du_lieu.py", "Nhập dữ liệu", "nhap-du-lieu", "Dữ liệu", ":material/upload_file:"),
    ("pages/kiem_tra.py", "Kiểm tra dữ liệu", "kiem-tra", "Dữ liệu", ":material/rule:"),
    ("pages/doi_chieu.py", "Đối chiếu báo cáo", "doi-chieu", "Dữ liệu", ":material/difference:"),
    ("pages/nhat_ky.py", "Nhật ký thay đổi", "nhat-ky", "Quản trị", ":material/history_edu:"),
    ("pages/tai_khoan.py", "Tài khoản", "tai-khoan", "Quản trị", ":material/manage_accounts:"),
]


def available() -> list[tuple[str, str, str, str, str]]:
    return [p for p in PAGES if (ROOT / p[0]).exists()]
