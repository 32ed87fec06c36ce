"""The single source of truth for the Parquet tables under the data directory.

Every table is described once here: its columns (name, Arrow type, Vietnamese term, meaning,
example), how it is laid out on disk, and which columns are its key. The sample generator, the
importers, the DuckDB views (queries/views) and the tests all read this module; the data-model
document (docs/data-model.md) is generated from it by ``python -m cchc schema-doc``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from . import storage


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    vi: str  # Vietnamese term as users say it
    meaning: str
    example: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    vi: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Hive partition columns (directories), in order. Empty: one file ``<name>.parquet``.
    partition_by: tuple[str, ...] = field(default=())
    # Derived from other tables by the product (cchc.rollup), not loaded: may be absent, and is
    # only used while it matches its sources.
    derived: bool = False

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def file_columns(self) -> list[str]:
        """Columns stored inside the Parquet files (partition columns live in the path)."""
        return [c.name for c in self.columns if c.name not in self.partition_by]

    def path(self, data_dir: Path) -> Path:
        """The table's folder or file under the data root (a Path, or a cchc.storage.Remote in a bucket)."""
        return data_dir / (self.name if self.partition_by else f"{self.name}.parquet")

    def province_files(self, data_dir: Path, province: str) -> list[str]:
        """The paths of the Parquet files of one province in a table partitioned by (year,
        province_code), every year, in path order ([] if it has none). Listed with os.listdir on
        strings: every query of a province asks (twice for a rollup twin), and pathlib's glob took
        twice as long (≈ 95 µs against 50 for five years). A root in a bucket is answered from its
        kept listing (cchc.storage)."""
        if self.partition_by != ("year", "province_code"):
            return []
        if storage.is_remote(data_dir):
            return self._province_files_listed(data_dir, province)
        folder = os.path.join(data_dir, self.name)
        try:
            years = sorted(y for y in os.listdir(folder) if y.startswith("year="))
        except (FileNotFoundError, NotADirectoryError):
            return []
        out: list[str] = []
        for y in years:
            d = os.path.join(folder, y, f"province_code={province}")
            try:
                out += sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".parquet"))
            except (FileNotFoundError, NotADirectoryError):
                continue
        return out

    def _province_files_listed(self, data_dir, province: str) -> list[str]:
        folder = storage.join(data_dir, self.name)
        try:
            years = sorted(y for y in storage.listdir(folder) if y.startswith("year="))
        except FileNotFoundError:
            return []
        out: list[str] = []
        for y in years:
            d = storage.join(folder, y, f"province_code={province}")
            try:
                out += sorted(storage.join(d, n) for n in storage.listdir(d) if n.endswith(".parquet"))
            except FileNotFoundError:
                continue
        return out

    def glob(self, data_dir: Path) -> str:
        if storage.is_remote(data_dir):
            return storage.join(data_dir, self.name, *(["*"] * len(self.partition_by)), "*.parquet") \
                if self.partition_by else storage.join(data_dir, f"{self.name}.parquet")
        if self.partition_by:
            return str(data_dir / self.name / ("*/" * len(self.partition_by)) / "*.parquet").replace("//", "/")
        return str(data_dir / f"{self.name}.parquet")


S, I16, I32, I64, F64, B, D, TS = (pa.string(), pa.int16(), pa.int32(), pa.int64(), pa.float64(),
                                   pa.bool_(), pa.date32(), pa.timestamp("s"))
C = Column

UNITS = Table(
    "units", "Đơn vị hành chính",
    "Every administrative unit of both maps: the 63 provinces, their districts and communes in force "
    "until 30/06/2025 (map 'old') and the 34 provinces and 3.321 communes in force from 01/07/2025 "
    "(map 'new', no district level; Nghị quyết 202/2025/QH15). A unit is (map, code): a new commune "
    "often keeps a predecessor's code (new 10633 Xã Trần Phú is not old 10633 Xã Trần Phú), so a code "
    "alone names no unit. A row of another table belongs to the map in force on its day (a dossier's "
    "receipt, a rating's day, a month, a year's 31/12); an old unit's history is attributed to its "
    "successor_code (docs/units.md).",
    (
        C("map", S, "Bản đồ hành chính", "old: until 30/06/2025 (63 provinces, districts); new: from 01/07/2025 "
          "(34 provinces, communes)", "old"),
        C("code", S, "Mã đơn vị (mã TCTK)", "GSO code: province 2 digits, district 3, commune 5", "10621"),
        C("name", S, "Tên đơn vị", "Official name with its type", "Xã Quốc Tuấn"),
        C("type", S, "Loại đơn vị", "Tỉnh, Thành phố Trung ương, Huyện, Thị xã, Thành phố, Quận, Xã, Phường, Thị trấn, "
          "Đặc khu", "Xã"),
        C("level", S, "Cấp", "province | district | commune", "commune"),
        C("parent_code", S, "Mã đơn vị cấp trên", "Code of the unit one level up (same map); null for a province",
          "291", True),
        C("province_code", S, "Mã tỉnh", "Code of the province the unit belongs to (itself for a province)", "30"),
        C("district_code", S, "Mã huyện", "Code of the district (itself for a district; null for a province and "
          "for every unit of the new map)", "291", True),
        C("valid_from", D, "Hiệu lực từ", "First day the unit exists in this form; null when not known", "", True),
        C("valid_to", D, "Hiệu lực đến", "Last day (inclusive) it exists; null while in force", "2025-06-30", True),
        C("successor_code", S, "Mã đơn vị kế thừa", "Old map only: the new unit its history is attributed to "
          "(a commune: the new commune of the official mapping; a district or province: the new province)",
          "10633", True),
        C("divided_into", S, "Chia cho các đơn vị mới", "Old communes divided among several new ones: every new "
          "commune that received a part, ';'-separated (the history goes wholly to successor_code)", "", True),
    ),
    key=("map", "code"),
)

PROCEDURES = Table(
    "procedures", "Thủ tục hành chính",
    "The catalogue of administrative procedures (TTHC) a unit level handles, with their statutory time "
    "and online level; a procedure is in force from valid_from to valid_to.",
    (
        C("code", S, "Mã TTHC", "Procedure code (sample data uses codes of its own, not the national ones)", "XA.HT.001"),
        C("name", S, "Tên TTHC", "Procedure name", "Đăng ký khai sinh"),
        C("field", S, "Lĩnh vực", "Field the procedure belongs to", "Hộ tịch"),
        C("level", S, "Cấp thực hiện", "province | district | commune", "commune"),
        C("agency", S, "Cơ quan thực hiện", "ubnd (People's Committee) | cong_an (police) | quan_su (military)", "ubnd"),
        C("statutory_days", I16, "Thời hạn giải quyết (ngày làm việc)", "Statutory processing time in working days; 0 = same day", "3"),
        C("online_level", S, "Mức độ DVC trực tuyến", "toan_trinh (full online, old level 4) | mot_phan (partial, level 3) | khong", "toan_trinh"),
        C("fee_vnd", I64, "Phí, lệ phí (đồng)", "Fee per dossier in đồng; 0 = free", "10000"),
        C("paper_result", B, "Kết quả bằng giấy", "True if the result is a paper document (766 indicator 4.1 applies)", "true"),
        C("valid_from", D, "Hiệu lực từ", "First day in force", "2020-01-01"),
        C("valid_to", D, "Hiệu lực đến", "Last day in force (inclusive); null while in force", "", True),
    ),
    key=("code",),
)

DOSSIERS = Table(
    "dossiers", "Hồ sơ thủ tục hành chính",
    "One row per dossier received at a one-stop desk (Bộ phận Một cửa), as in the tracking book "
    "(Mẫu số 06, TT 01/2018/TT-VPCP) and the national sync fields. Partitioned by year of receipt "
    "and province, so a province-year reads only its own files.",
    (
        C("dossier_id", S, "Mã hồ sơ", "<unit>-<yymmdd>-<seq>, unique", "10621-230315-0007"),
        C("unit_code", S, "Mã đơn vị tiếp nhận", "Commune (or district/province agency) that received it", "10621"),
        C("district_code", S, "Mã huyện", "District of the receiving unit (null for a unit of the new map, "
          "which has no districts)", "291", True),
        C("procedure_code", S, "Mã TTHC", "Procedure (joins procedures.code)", "XA.CT.001"),
        C("field", S, "Lĩnh vực", "Field, denormalised from the procedure at receipt", "Chứng thực"),
        C("channel", S, "Kênh nộp", "truc_tiep (counter) | truc_tuyen (online) | buu_chinh (public postal service)", "truc_tiep"),
        C("received_at", TS, "Ngày tiếp nhận", "Timestamp of receipt", "2023-03-15 08:42:00"),
        C("due_at", TS, "Ngày hẹn trả",
          "Appointment date for the result (statutory working days after receipt, extended by supplement and pause time)",
          "2023-03-20 17:00:00"),
        C("finished_at", TS, "Ngày kết thúc xử lý", "When processing finished (result ready); null while pending", "2023-03-17 10:05:00", True),
        C("returned_at", TS, "Ngày trả kết quả", "When the result was handed over; null if not yet", "2023-03-17 15:30:00", True),
        C("status", S, "Trạng thái",
          "dang_xu_ly (processing) | tam_dung (paused) | bo_sung (waiting for supplement) | da_xu_ly (finished) | "
          "da_tra (returned) | tu_choi (refused) | rut (withdrawn)",
          "da_tra"),
        C("supplement_count", I16, "Số lần yêu cầu bổ sung", "Times the citizen was asked to complete the dossier", "0"),
        C("supplement_days", I16, "Số ngày chờ bổ sung", "Working days spent waiting for supplements (not counted against the deadline)", "0"),
        C("digitised_input", B, "Số hóa thành phần hồ sơ", "All input components digitised at receipt", "true"),
        C("e_result", B, "Số hóa kết quả / kết quả điện tử", "Result digitised / issued electronically", "true"),
        C("reused_data", B, "Tái sử dụng dữ liệu số hóa", "At least one component reused from digitised data", "false"),
        C("paid_online", B, "Thanh toán trực tuyến", "Fee paid online", "false"),
        C("fee_vnd", I64, "Phí, lệ phí (đồng)", "Fee charged for this dossier", "2000"),
        C("year", I16, "Năm (phân vùng)", "Partition: year of received_at", "2023"),
        C("province_code", S, "Mã tỉnh (phân vùng)", "Partition: province of the receiving unit", "30"),
    ),
    key=("dossier_id",),
    partition_by=("year", "province_code"),
)

RATINGS = Table(
    "ratings", "Đánh giá mức độ hài lòng",
    "One rating form (phiếu đánh giá) per rated dossier, given when the result is returned.",
    (
        C("rating_id", S, "Mã phiếu", "Unique", "R-10621-230317-0007"),
        C("dossier_id", S, "Mã hồ sơ", "The dossier rated", "10621-230315-0007"),
        C("unit_code", S, "Mã đơn vị", "Unit rated", "10621"),
        C("district_code", S, "Mã huyện", "District of the unit (null on the new map)", "291", True),
        C("procedure_code", S, "Mã TTHC", "Procedure of the dossier", "XA.CT.001"),
        C("field", S, "Lĩnh vực", "Field of the dossier", "Chứng thực"),
        C("rated_at", TS, "Ngày đánh giá", "When the form was filled", "2023-03-17 15:31:00"),
        C("level", I16, "Mức đánh giá", "4 rất hài lòng, 3 hài lòng, 2 bình thường, 1 không hài lòng; satisfied = 3 or 4", "4"),
        C("channel", S, "Hình thức đánh giá", "tai_quay (tablet at the desk) | truc_tuyen | phieu_giay", "tai_quay"),
        C("year", I16, "Năm (phân vùng)", "Partition: year of rated_at", "2023"),
        C("province_code", S, "Mã tỉnh (phân vùng)", "Partition: province", "30"),
    ),
    key=("rating_id",),
    partition_by=("year", "province_code"),
)

FEEDBACK = Table(
    "feedback", "Phản ánh, kiến nghị",
    "Feedback and petitions (PAKN) about administrative regulations and procedures; to be handled "
    "within 15 working days (QĐ 766, indicator 5.2).",
    (
        C("feedback_id", S, "Mã PAKN", "Unique", "PA-10621-230402-01"),
        C("unit_code", S, "Mã đơn vị", "Unit concerned", "10606"),
        C("district_code", S, "Mã huyện", "District (null on the new map)", "291", True),
        C("province_code", S, "Mã tỉnh", "Province", "30"),
        C("dossier_id", S, "Mã hồ sơ", "The dossier it is about, if any", "", True),
        C("field", S, "Lĩnh vực", "Field concerned, if known", "Đất đai", True),
        C("kind", S, "Phân loại",
          "quy_dinh (about a regulation) | giai_quyet (about handling a dossier) | thai_do (staff behaviour) | khac",
          "giai_quyet"),
        C("channel", S, "Kênh tiếp nhận", "cong_dvc (portal) | truc_tiep | duong_day_nong (hotline) | van_ban", "cong_dvc"),
        C("received_at", TS, "Ngày tiếp nhận", "When it was received", "2023-04-02 09:00:00"),
        C("due_at", TS, "Hạn xử lý", "15 working days after receipt", "2023-04-24 17:00:00"),
        C("handled_at", TS, "Ngày xử lý xong", "When the answer was published; null while open", "", True),
        C("outcome", S, "Kết quả",
          "giai_trinh (explained) | tiep_thu (accepted, fixed) | tu_choi (refused: out of scope) | null while open",
          "giai_trinh", True),
        C("citizen_satisfied", B, "Người dân hài lòng", "Citizen's reaction to the answer; null if none", "true", True),
    ),
    key=("feedback_id",),
)

FINANCES = Table(
    "finances", "Tài chính công",
    "Monthly public-finance figures of a unit: the month's share of the annual plan (dự toán / kế "
    "hoạch vốn) and the month's actual, in đồng. The year's plan is the sum of its months.",
    (
        C("unit_code", S, "Mã đơn vị", "Unit", "10621"),
        C("year", I16, "Năm ngân sách", "Budget year (calendar year)", "2023"),
        C("month", I16, "Tháng", "1..12", "6"),
        C("item", S, "Chỉ tiêu",
          "thu_ngan_sach (revenue) | chi_ngan_sach (expenditure) | giai_ngan_dtc (public-investment disbursement)",
          "thu_ngan_sach"),
        C("plan_vnd", I64, "Dự toán / kế hoạch (đồng)", "This month's share of the annual plan", "1031666667"),
        C("actual_vnd", I64, "Thực hiện (đồng)", "Actual in the month", "1012000000"),
    ),
    key=("unit_code", "year", "month", "item"),
)

FACTS = Table(
    "facts", "Số liệu tự báo cáo",
    "Self-reported annual indicators of a unit (the figures of the annual CCHC report that are not "
    "transactions). A correction appends a new row; the newest entered_at wins, older rows are kept.",
    (
        C("unit_code", S, "Mã đơn vị", "Unit", "10621"),
        C("year", I16, "Năm", "Reporting year", "2023"),
        C("indicator", S, "Mã chỉ tiêu", "Indicator code (see cchc/reference/facts.csv)", "staff_quota"),
        C("value", F64, "Giá trị", "Numeric value", "20"),
        C("note", S, "Ghi chú / tài liệu kiểm chứng", "Evidence (document number, date)", "Báo cáo CCHC năm 2023", True),
        C("entered_by", S, "Người nhập", "Who entered it", "sample"),
        C("entered_at", TS, "Thời điểm nhập", "When it was entered", "2023-12-10 08:00:00"),
    ),
    key=("unit_code", "year", "indicator", "entered_at"),
)

INDEX_RESULTS = Table(
    "index_results", "Kết quả chỉ số công bố",
    "Published index scores (e.g. the national 766 index as served by the National Public Service "
    "Portal): one row per unit, period and group; group 'TONG' is the total.",
    (
        C("index_code", S, "Bộ chỉ số", "766 | par | sipas | cchc_xa", "766"),
        C("period_kind", S, "Loại kỳ", "cal_year | cal_month | cal_quarter", "cal_year"),
        C("year", I16, "Năm", "Year", "2025"),
        C("period_index", I16, "Kỳ", "Month or quarter number; null for a year", "10", True),
        C("unit_level", S, "Cấp đơn vị", "province | department | commune", "province"),
        C("unit_ref", S, "Mã đơn vị (nguồn)", "Unit id in the source (portal id or agency code)", "398126"),
        C("unit_code", S, "Mã đơn vị (TCTK)", "GSO code if known", "89", True),
        C("unit_name", S, "Tên đơn vị", "Name as published", "Tỉnh An Giang"),
        C("group_code", S, "Nhóm chỉ số", "CKMB | TDGQ | CLGQ | TTTT | MDHL | MDSH | TONG", "TDGQ"),
        C("score", F64, "Điểm", "Points as published", "19.05"),
        C("rank", I32, "Xếp hạng", "Rank as published (on TONG rows)", "1", True),
        C("source", S, "Nguồn", "Where the figures come from", "Cổng DVCQG, 10/2025"),
        C("imported_at", TS, "Thời điểm nhập", "When it was loaded", "2026-11-26 10:00:00"),
    ),
    key=("index_code", "period_kind", "year", "period_index", "unit_level", "unit_ref", "group_code"),
)

CALENDAR = Table(
    "calendar", "Lịch làm việc",
    "One row per day: whether public servants work that day (Monday–Friday except public holidays, "
    "plus Saturdays declared working days) and a running count of working days used to count "
    "processing time in working days.",
    (
        C("day", D, "Ngày", "Calendar day", "2023-04-28"),
        C("is_working_day", B, "Ngày làm việc", "True on working days", "true"),
        C("working_day_no", I32, "Số thứ tự ngày làm việc", "Working days since the calendar starts, counting this day if it is one", "840"),
        C("holiday_name", S, "Ngày nghỉ", "Name of the holiday, if any", "Giỗ Tổ Hùng Vương", True),
    ),
    key=("day",),
)

_COUNT = "number of dossiers"
DOSSIER_DAILY = Table(
    "dossier_daily", "Tổng hợp hồ sơ theo ngày",
    "Derived (cchc.rollup, `python -m cchc rollup`): the dossiers of one province added up per field, "
    "procedure and day, written with the data so that a province-wide Biểu 06 or trend reads a few "
    "thousand rows instead of every dossier. Flows count the dossiers received or finished that day; "
    "stocks count the dossiers still being handled at the end of that day. One row per field, procedure "
    "and day from the procedure's first dossier to the province's horizon (the last day anything changes: "
    "a receipt, a finish, or a pending dossier passing its due day) on which a flow or a stock is not "
    "zero, plus one row per procedure on the horizon; a missing row means zero, and after the horizon "
    "nothing changes. `_built.json` in the folder records, per province, the dossier files it was built "
    "from; the queries use the rollup only while those files are unchanged (docs/kpis.md).",
    (
        C("field", S, "Lĩnh vực", "Field of the dossiers (dossiers.field)", "Chứng thực"),
        C("procedure_code", S, "Mã TTHC", "Procedure (dossiers.procedure_code)", "XA.CT.001"),
        C("day", D, "Ngày", "The day", "2023-03-15"),
        C("received_new", I32, "Tiếp nhận mới", f"{_COUNT} received that day", "12"),
        C("received_online", I32, "Tiếp nhận trực tuyến", f"{_COUNT} received that day online (channel truc_tuyen)", "3"),
        C("received_offline", I32, "Tiếp nhận trực tiếp, bưu chính", f"{_COUNT} received that day by another channel", "9"),
        C("digitised_input", I32, "Số hóa hồ sơ đầu vào", f"{_COUNT} received that day with digitised_input", "12"),
        C("reused_data", I32, "Tái sử dụng dữ liệu", f"{_COUNT} received that day with reused_data", "1"),
        C("new_with_fee", I32, "Có phí, lệ phí", f"{_COUNT} received that day with fee_vnd > 0", "4"),
        C("new_paid_online", I32, "Thanh toán trực tuyến", f"{_COUNT} received that day with a fee paid online", "1"),
        C("resolved_total", I32, "Đã giải quyết", f"{_COUNT} finished that day", "11"),
        C("resolved_early", I32, "Giải quyết trước hạn", f"{_COUNT} finished that day before their due day", "9"),
        C("resolved_on_time", I32, "Giải quyết đúng hạn", f"{_COUNT} finished that day on their due day", "2"),
        C("resolved_late", I32, "Giải quyết quá hạn", f"{_COUNT} finished that day after their due day", "0"),
        C("digitised_result", I32, "Số hóa kết quả", f"{_COUNT} finished that day with e_result", "11"),
        C("resolved_with_supplement", I32, "Giải quyết có yêu cầu bổ sung", f"{_COUNT} finished that day after a supplement request", "0"),
        C("open_end", I32, "Đang giải quyết cuối ngày", "Stock: dossiers received on or before the day and not finished by its end", "5"),
        C("overdue_end", I32, "Quá hạn cuối ngày",
          "Stock: of those, the ones whose due day is before the day (quá hạn if a period ended that day)", "0"),
        C("year", I16, "Năm (phân vùng)", "Partition: year of day", "2023"),
        C("province_code", S, "Mã tỉnh (phân vùng)", "Partition: province", "30"),
    ),
    key=("province_code", "field", "procedure_code", "day"),
    partition_by=("year", "province_code"),
    derived=True,
)

RATING_DAILY = Table(
    "rating_daily", "Tổng hợp phiếu đánh giá theo ngày",
    "Derived (cchc.rollup, `python -m cchc rollup`): the rating forms of one province counted per field, "
    "day of rating and level, so that a province-wide satisfaction figure reads a few thousand rows "
    "instead of every form. `_built.json` records the rating files it was built from; it is used only "
    "while they are unchanged.",
    (
        C("field", S, "Lĩnh vực", "Field of the rated dossiers (ratings.field)", "Chứng thực"),
        C("day", D, "Ngày đánh giá", "Day the forms were filled (ratings.rated_at)", "2023-03-17"),
        C("level", I16, "Mức đánh giá", "4 rất hài lòng, 3 hài lòng, 2 bình thường, 1 không hài lòng", "4"),
        C("satisfied", B, "Hài lòng", "Whether the level counts as satisfied (3 or 4; stg_ratings)", "true"),
        C("ratings", I32, "Số phiếu", "Forms filled that day at that level; a level without a form has no row", "20"),
        C("year", I16, "Năm (phân vùng)", "Partition: year of day", "2023"),
        C("province_code", S, "Mã tỉnh (phân vùng)", "Partition: province", "30"),
    ),
    key=("province_code", "field", "day", "level"),
    partition_by=("year", "province_code"),
    derived=True,
)

TABLES: dict[str, Table] = {t.name: t for t in (UNITS, PROCEDURES, DOSSIERS, RATINGS, FEEDBACK, FINANCES, FACTS,
                                                INDEX_RESULTS, CALENDAR, DOSSIER_DAILY, RATING_DAILY)}

# Code lists used by the tables above, with their Vietnamese labels (the one place they are named).
CHANNELS = {"truc_tiep": "Trực tiếp", "truc_tuyen": "Trực tuyến", "buu_chinh": "Bưu chính công ích"}
STATUSES = {"dang_xu_ly": "Đang xử lý", "tam_dung": "Tạm dừng", "bo_sung": "Chờ bổ sung", "da_xu_ly": "Đã xử lý xong",
            "da_tra": "Đã trả kết quả", "tu_choi": "Từ chối", "rut": "Công dân rút hồ sơ"}
RATING_LEVELS = {4: "Rất hài lòng", 3: "Hài lòng", 2: "Bình thường", 1: "Không hài lòng"}
FEEDBACK_KINDS = {"quy_dinh": "Về quy định hành chính", "giai_quyet": "Về giải quyết TTHC",
                  "thai_do": "Về thái độ, hành vi CBCC", "khac": "Khác"}
FEEDBACK_CHANNELS = {"cong_dvc": "Cổng dịch vụ công", "truc_tiep": "Trực tiếp", "duong_day_nong": "Đường dây nóng",
                     "van_ban": "Văn bản"}
FEEDBACK_OUTCOMES = {"giai_trinh": "Đã giải trình", "tiep_thu": "Đã tiếp thu, khắc phục", "tu_choi": "Từ chối (không thuộc thẩm quyền)"}
FINANCE_ITEMS = {"thu_ngan_sach": "Thu ngân sách", "chi_ngan_sach": "Chi ngân sách",
                 "giai_ngan_dtc": "Giải ngân vốn đầu tư công"}
LEVELS = {"province": "Tỉnh", "district": "Huyện", "commune": "Xã"}
ONLINE_LEVELS = {"toan_trinh": "Toàn trình", "mot_phan": "Một phần", "khong": "Không"}
AGENCIES = {"ubnd": "UBND xã", "cong_an": "Công an xã", "quan_su": "Ban Chỉ huy quân sự xã"}
DEADLINE_STATUS = {"truoc_han": "Trước hạn", "dung_han": "Đúng hạn", "qua_han": "Quá hạn",
                   "trong_han": "Trong hạn", "qua_han_dang": "Quá hạn (đang giải quyết)"}


def data_model_markdown() -> str:
    """docs/data-model.md, generated from the definitions above."""
    out = ["# Data model", "",
           "Generated from `cchc/schema.py` by `python -m cchc schema-doc`; do not edit by hand.", "",
           "All tables are Parquet files under the data directory (`CCHC_DATA_DIR`, default `data/`). "
           "Partitioned tables are Hive-style directories (`dossiers/year=2023/province_code=30/*.parquet`).", ""]
    for t in TABLES.values():
        out += [f"## `{t.name}` — {t.vi}", "", t.meaning, "",
                f"Key: `{', '.join(t.key)}`." + (f" Partitioned by `{', '.join(t.partition_by)}`." if t.partition_by else
                                                  f" One file `{t.name}.parquet`."), "",
                "| column | Vietnamese | type | meaning | example |", "|---|---|---|---|---|"]
        for c in t.columns:
            typ = str(c.type) + ("" if not c.nullable else ", null allowed")
            out.append(f"| `{c.name}` | {c.vi} | {typ} | {c.meaning} | {c.example} |")
        out.append("")
    return "\n".join(out)
