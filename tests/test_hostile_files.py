"""A corpus of damaged and hostile files: each gets its own Vietnamese message, exit code 2 on the
command line, never a traceback nor DuckDB's English text, and leaves the data directory byte for
byte as it was.

Two families:
- files given to the published-results import (``python -m cchc import-results``, the upload of the
  Kết quả công bố page): broken or hostile workbooks and JSON files, built here in tmp_path;
- damaged tables in a copy of the sample data directory: a damaged table breaks only what reads it
  (the CLI command and the page that read it say which file and what to do; the others work).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cchc import access, cli, schema, units
from cchc.ingest import results
from cchc.ingest.results import ResultsImportError

ROOT = Path(__file__).resolve().parent.parent
XLSX = results.BUNDLED_XLSX
NAME = "bao_cao_T10_2025.xlsx"          # the name gives the period (October 2025)
# What must never reach the user: a traceback, an exception's class, DuckDB's or Python's English.
ENGLISH = ("Traceback", "Error", "Exception", "duckdb", "LINE 1", "No magic bytes", "codec", "Expecting")


def checksums(d: Path) -> dict[str, str]:
    """sha256 of every file under d, by relative path (a new file, e.g. a lock or a temporary, shows)."""
    return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file()}


def english_free(text: str) -> None:
    for w in ENGLISH:
        assert w not in text, f"{w!r} in {text!r}"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    return subprocess.run([sys.executable, "-m", "cchc", *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=300)


# --- the results import ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def results_base(tmp_path_factory) -> Path:
    """A data directory holding index_results.parquet (the real file imported), copied for each case."""
    d = tmp_path_factory.mktemp("results") / "data"
    d.mkdir()
    results.import_file(XLSX, d, by=access.operator())
    return d


@pytest.fixture()
def data_dir(results_base, tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(results_base, d)
    return d


def _xlsx(tmp: Path, cells: dict | None = None, name: str = NAME, drop: tuple[str, str] | None = None) -> Path:
    """The real workbook with some cells changed ({(sheet, row, column name): value}) or a column dropped."""
    dst = tmp / name
    shutil.copy(XLSX, dst)
    wb = openpyxl.load_workbook(dst)
    for (sheet, row, col), value in (cells or {}).items():
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        ws.cell(row=row, column=header.index(col) + 1).value = value
    if drop:
        ws = wb[drop[0]]
        ws.delete_cols([c.value for c in ws[1]].index(drop[1]) + 1)
    wb.save(dst)
    return dst


def _bytes(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


def _sparse(tmp: Path, name: str, size: int, head: bytes) -> Path:
    """A file of ``size`` bytes that costs no disk (a hole after ``head``)."""
    p = tmp / name
    with open(p, "wb") as f:
        f.write(head)
        f.truncate(size)
    return p


def _json(tmp: Path, data, name: str = "ket-qua.json") -> Path:
    p = tmp / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def _portal() -> dict:
    return json.loads(results.BUNDLED_JSON.read_text(encoding="utf-8"))


def _portal_with(response: str, index: int, field: str, value) -> dict:
    env = _portal()
    next(r for r in env["responses"] if r["name"] == response)["data"][index][field] = value
    return env


def _truncated_xlsx(tmp: Path) -> Path:
    data = XLSX.read_bytes()
    return _bytes(tmp, NAME, data[: len(data) * 2 // 3])


def _zip_not_xlsx(tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("doc/readme.txt", "không phải bảng tính")
    return _bytes(tmp, NAME, buf.getvalue())


def _zip_bomb(tmp: Path) -> Path:
    """A workbook-shaped ZIP whose one sheet unpacks to 120 MB of zeros (about 120 KB packed)."""
    p = tmp / NAME
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        src = zipfile.ZipFile(XLSX)
        for i in src.infolist():
            if i.filename != "xl/worksheets/sheet1.xml":
                z.writestr(i, src.read(i.filename))
        chunk = b"\0" * (1 << 20)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(120):
                f.write(chunk)
    return p


def _billion_laughs(tmp: Path) -> Path:
    """The real workbook whose first sheet defines an entity that expands to 10^10 characters."""
    src = zipfile.ZipFile(XLSX)
    p = tmp / NAME
    dtd = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {chr(98 + k)} "' + f"&{chr(97 + k)};" * 10 + '">' for k in range(9)) + "]>")
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            data = src.read(i.filename)
            if i.filename == "xl/worksheets/sheet1.xml":
                data = (dtd + data.decode("utf-8").replace("<t>", "<t>&j;", 1)).encode("utf-8")
            z.writestr(i, data)
    return p


# (case id, build(tmp) -> file, import_file keyword arguments, what the message must say)
IMPORT_CASES = [
    ("xlsx-truncated", _truncated_xlsx, {}, "bị cắt cụt, bị hỏng hoặc không phải tệp .xlsx"),
    ("xlsx-garbage", lambda t: _bytes(t, NAME, random.Random(766).randbytes(50_000)), {},
     "bị cắt cụt, bị hỏng hoặc không phải tệp .xlsx"),
    ("xlsx-empty", lambda t: _bytes(t, NAME, b""), {}, f"Tệp {NAME} rỗng (0 byte)"),
    ("xlsx-zip-not-workbook", _zip_not_xlsx, {}, "không phải bảng tính Excel (thiếu xl/workbook.xml)"),
    ("xlsx-zip-bomb", _zip_bomb, {}, "có thể là một \"bom nén\" (zip bomb)"),
    ("xlsx-entity-expansion", _billion_laughs, {}, "nội dung bảng tính bị hỏng"),
    ("xlsx-over-size-cap", lambda t: _sparse(t, NAME, results.MAX_FILE_BYTES + (1 << 20), b"PK\x03\x04"), {},
     "quá lớn (21,0 MB; tối đa 20,0 MB)"),
    ("xlsx-missing-column", lambda t: _xlsx(t, drop=("Điểm tháng", "TDGQ")), {}, "Trang \"Điểm tháng\" của tệp "
     f"{NAME} thiếu cột TDGQ"),
    ("xlsx-score-as-text", lambda t: _xlsx(t, {("Điểm năm", 5, "TDGQ"): "mười chín"}), {},
     'trang "Điểm năm", dòng 5, cột TDGQ: "mười chín" không phải là số'),
    ("xlsx-score-out-of-range", lambda t: _xlsx(t, {("Sở Ban", 3, "CKMB"): "19"}), {},
     'trang "Sở Ban", dòng 3, cột CKMB: điểm 19 nằm ngoài 0–18'),
    ("xlsx-negative-score", lambda t: _xlsx(t, {("Điểm năm", 4, "MDSH"): "-3"}), {},
     'trang "Điểm năm", dòng 4, cột MDSH: điểm -3 nằm ngoài 0–22'),
    ("xlsx-formula-equals-in-ID", lambda t: _xlsx(t, {("Điểm năm", 5, "ID"): "=cmd|' /C calc'!A0"}), {},
     'trang "Điểm năm", dòng 5, cột ID: "=cmd|\' /C calc\'!A0" bắt đầu bằng "=" như một công thức bảng tính'),
    ("xlsx-formula-at-in-TEN", lambda t: _xlsx(t, {("Xã Phường", 7, "TEN"): "@SUM(A1)"}), {},
     'trang "Xã Phường", dòng 7, cột TEN: "@SUM(A1)" bắt đầu bằng "@"'),
    ("xlsx-formula-plus-in-TEN", lambda t: _xlsx(t, {("Sở Ban", 4, "TEN"): "+1+cmd|' /C calc'!A0"}), {},
     'trang "Sở Ban", dòng 4, cột TEN: "+1+cmd|\' /C calc\'!A0" bắt đầu bằng "+"'),
    ("xlsx-formula-minus-in-ID", lambda t: _xlsx(t, {("Điểm tháng", 6, "ID"): "-2+3"}), {},
     'trang "Điểm tháng", dòng 6, cột ID: "-2+3" bắt đầu bằng "-"'),
    ("xlsx-formula-tab-in-TEN", lambda t: _xlsx(t, {("Điểm năm", 8, "TEN"): "\t=1+1"}), {},
     'trang "Điểm năm", dòng 8, cột TEN: "\\t=1+1" bắt đầu bằng "\\t"'),
    ("xlsx-formula-behind-spaces", lambda t: _xlsx(t, {("Điểm năm", 9, "MA_COQUAN"): "  =HYPERLINK(\"x\")"}), {},
     'trang "Điểm năm", dòng 9, cột MA_COQUAN: "  =HYPERLINK("x")" bắt đầu bằng "="'),
    ("xlsx-control-character", lambda t: _xlsx(t, {("Điểm năm", 10, "TEN"): "UBND tỉnh\rLạng Sơn"}), {},
     # the carriage return as written (openpyxl with lxml, a dependency of python-docx, keeps it)
     'trang "Điểm năm", dòng 10, cột TEN: "UBND tỉnh\\rLạng Sơn" chứa ký tự điều khiển'),
    ("xlsx-unknown-province", lambda t: _xlsx(t, {("Điểm năm", 3, "TEN"): "UBND tỉnh Không Tồn Tại"}), {},
     'trang "Điểm năm", dòng 3, cột TEN: "UBND tỉnh Không Tồn Tại" không phải tên một trong 34 tỉnh, thành phố'),
    ("xlsx-duplicate-unit", lambda t: _xlsx(t, {("Xã Phường", 4, "ID"): "470705"}), {},
     'trang "Xã Phường", dòng 4, cột ID: đơn vị 470705 đã có ở dòng 2'),
    ("xlsx-bad-month-in-name", lambda t: _xlsx(t, name="bao_cao_T13_2025.xlsx"), {},
     "Tháng không hợp lệ (13) cho tệp bao_cao_T13_2025.xlsx"),
    ("xlsx-bad-month-argument", lambda t: _xlsx(t), {"month": 13}, "Tháng không hợp lệ: 13."),
    ("xlsx-year-out-of-range", lambda t: _xlsx(t), {"year": 20255}, "--year: năm 20255 không hợp lệ"),
    ("xlsx-trend-sheet-garbage", lambda t: _xlsx(t, {("Xu hướng tháng", 2, "month"): "tháng tám",
                                                     ("Xu hướng quý", 3, "year"): "=YEAR(NOW())"}), {},
     'trang "Xu hướng tháng", dòng 2, cột month: "tháng tám" không hợp lệ'),
    ("xlsx-huge-rank", lambda t: _xlsx(t, {("Điểm năm", 2, "ROW_STT"): "99999999999"}), {},
     'trang "Điểm năm", dòng 2, cột ROW_STT: thứ hạng "99999999999" không phải số nguyên dương'),
    ("json-empty", lambda t: _bytes(t, "ket-qua.json", b""), {}, "Tệp ket-qua.json rỗng (0 byte)"),
    ("json-deep", lambda t: _bytes(t, "ket-qua.json", b"[" * 100_000 + b"]" * 100_000), {"year": 2025},
     "JSON lồng nhau quá 32 cấp"),
    ("json-deep-object", lambda t: _bytes(t, "ket-qua.json", b'{"a":' * 5_000 + b"1" + b"}" * 5_000), {},
     "JSON lồng nhau quá 32 cấp"),
    ("json-over-size-cap", lambda t: _sparse(t, "ket-qua.json", 25 << 20, b'{"responses": ['), {},
     "quá lớn (25,0 MB; tối đa 20,0 MB)"),
    ("json-not-utf8", lambda t: _bytes(t, "ket-qua.json", '[{"TEN": "UBND Hà Giang"}]'.encode("latin-1")),
     {"year": 2025}, "không phải văn bản UTF-8 (byte không hợp lệ ở vị trí"),
    ("json-syntax", lambda t: _bytes(t, "ket-qua.json", b'{"responses": [{"name": "x",'), {},
     "không phải JSON hợp lệ (lỗi cú pháp ở dòng 1"),
    ("json-wrong-shape", lambda t: _json(t, {"data": []}), {},
     'cần một danh sách bản ghi hoặc một đối tượng có khóa "responses"'),
    ("json-no-responses", lambda t: _json(t, {"responses": []}), {}, 'danh sách "responses" rỗng'),
    ("json-request-not-object", lambda t: _json(t, {"responses": [{"name": "x", "request": "2025", "data": []}]}), {},
     'phản hồi "x": "request" phải là một đối tượng'),
    ("json-records-not-objects", lambda t: _json(t, [1, 2, 3]), {"year": 2025}, "bản ghi số 1: không phải một đối tượng"),
    ("json-list-without-year", lambda t: _json(t, _portal()["responses"][1]["data"]), {},
     "hãy cho biết --year (và --month hoặc --quarter)"),
    ("json-bad-month", lambda t: _json(t, {"responses": [{**_portal()["responses"][1],
                                                         "request": {"p_nam": "2025", "p_thang": 13}}]}), {},
     'phản hồi "Điểm tháng": tháng/quý không hợp lệ'),
    ("json-year-out-of-range", lambda t: _json(t, {"responses": [{**_portal()["responses"][0],
                                                                 "request": {"p_nam": "99999"}}]}), {},
     'phản hồi "Điểm năm": năm 99999 không hợp lệ'),
    ("json-name-is-object", lambda t: _json(t, _portal_with("Điểm năm", 0, "TEN", {"=": "cmd"})), {},
     'phản hồi "Điểm năm", bản ghi số 1, cột TEN: không phải một giá trị văn bản (đối tượng)'),
    ("json-formula-cr-in-ID", lambda t: _json(t, _portal_with("Sở Ban", 2, "ID", "\r=1+1")), {},
     'phản hồi "Sở Ban", bản ghi số 3, cột ID: "\\r=1+1" bắt đầu bằng "\\r"'),
    ("json-formula-minus-in-TEN", lambda t: _json(t, _portal_with("Xã Phường", 0, "TEN", "-1+cmd|' /C calc'!A0")), {},
     'phản hồi "Xã Phường", bản ghi số 1, cột TEN: "-1+cmd|\' /C calc\'!A0" bắt đầu bằng "-"'),
    ("json-score-huge-integer", lambda t: _json(t, _portal_with("Điểm năm", 1, "TDGQ", 10 ** 400)), {},
     'phản hồi "Điểm năm", bản ghi số 2, cột TDGQ:'),
]


@pytest.mark.parametrize("case,build,kwargs,expected", IMPORT_CASES, ids=[c[0] for c in IMPORT_CASES])
def test_hostile_import_file_is_refused(tmp_path, data_dir, case, build, kwargs, expected):
    f = build(tmp_path)
    before = checksums(data_dir)
    with pytest.raises(ResultsImportError) as e:
        results.import_file(f, data_dir, **kwargs, by=access.operator())
    msg = str(e.value)
    assert expected in msg, msg
    english_free(msg)
    assert checksums(data_dir) == before


def test_the_corpus_is_large_enough():
    assert len(IMPORT_CASES) + len(DAMAGE_CASES) >= 30
    assert len({c[3] for c in IMPORT_CASES}) >= 35      # each its own message (a few share the reason)


def test_a_negative_zero_score_is_a_number_not_a_formula(tmp_path, data_dir):
    """Only text cells of name and code columns are held to the formula rule: a score "-0" is 0."""
    f = _xlsx(tmp_path, {("Sở Ban", 16, "MDSH"): "-0"})
    rep = results.import_file(f, data_dir, by=access.operator())
    assert rep.units["Sở Ban"] == 15 and rep.mismatches == []
    assert results._text_problem(-5) is None and results._text_problem(-0.0) is None


def test_damaged_existing_table_refuses_the_import(tmp_path, data_dir):
    """An index_results.parquet that cannot be read is not merged into (it would be lost)."""
    path = schema.INDEX_RESULTS.path(data_dir)
    path.write_bytes(path.read_bytes()[:-200])
    before = checksums(data_dir)
    with pytest.raises(ResultsImportError) as e:
        results.import_file(results.BUNDLED_JSON, data_dir, by=access.operator())
    msg = str(e.value)
    assert msg.startswith("Không nạp được (không thay đổi dữ liệu): Không đọc được bảng index_results"), msg
    assert "tệp index_results.parquet" in msg and "đổi tên tệp hỏng rồi nạp lại" in msg
    assert checksums(data_dir) == before


CLI_CASES = ["json-deep", "xlsx-garbage", "xlsx-formula-equals-in-ID", "json-over-size-cap", "xlsx-bad-month-argument",
             "xlsx-zip-bomb"]


@pytest.mark.parametrize("case", CLI_CASES)
def test_hostile_file_on_the_command_line(tmp_path, data_dir, case):
    """The same through `python -m cchc import-results`: one Vietnamese line, exit 2 (a JSON nested
    100 000 deep ended in RecursionError, exit 1), nothing written."""
    _, build, kwargs, expected = next(c for c in IMPORT_CASES if c[0] == case)
    f = build(tmp_path)
    extra = [a for k, v in kwargs.items() for a in (f"--{k}", str(v))]
    before = checksums(data_dir)
    r = run_cli("--data-dir", str(data_dir), "import-results", str(f), *extra)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("Lỗi: ") and r.stderr.count("\n") == 1, r.stderr
    assert expected in r.stderr, r.stderr
    english_free(r.stderr)
    assert r.stdout == ""
    assert checksums(data_dir) == before


def test_upload_over_the_cap_is_refused_on_the_page(tmp_path, data_env, monkeypatch):
    """The page's upload says its limit, and a file over the importer's cap gets its Vietnamese message."""
    from streamlit.testing.v1 import AppTest
    data = tmp_path / "data"
    shutil.copytree(data_env, data)
    monkeypatch.setenv("CCHC_DATA_DIR", str(data))
    from apptest_util import sign_in
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    sign_in(at, "data_manager", "*")
    before = checksums(data)
    at.run()
    at.switch_page("pages/ket_qua_cong_bo.py")
    at.run()
    up = at.file_uploader(key="kq_upload")
    assert "tối đa 20 MB" in up.label and "20 MB" in up.help
    up.upload("ket-qua.json", b"[" + b" " * (21 << 20) + b"]", "application/json")
    at.run()
    at.button(key="kq_import").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("Tệp ket-qua.json quá lớn (21,0 MB; tối đa 20,0 MB)" in e for e in errors), errors
    assert checksums(data) == before


# --- damaged tables ----------------------------------------------------------------------------------

def _truncate(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _garbage(p: Path) -> None:
    p.write_bytes(random.Random(30).randbytes(p.stat().st_size))


def _scramble_pages(p: Path) -> None:
    """Bytes in the middle changed, the footer intact: the file opens, its pages do not decode."""
    data = bytearray(p.read_bytes())
    for i in range(200, len(data) // 2):
        data[i] = (data[i] * 7 + 13) & 0xFF
    p.write_bytes(bytes(data))


def _drop(col: str):
    def damage(p: Path) -> None:
        t = pq.read_table(p)
        pq.write_table(t.drop([col]), p)
    return damage


def _as_text(col: str, value: str | None = None):
    """The column stored as text (its values, or ``value`` in every row)."""
    def damage(p: Path) -> None:
        t = pq.read_table(p)
        i = t.schema.get_field_index(col)
        new = pa.array([value] * t.num_rows, pa.string()) if value is not None else pc.cast(t[col], pa.string())
        pq.write_table(t.set_column(i, col, new), p)
    return damage


D23 = "dossiers/year=2023/province_code=30/part-0000.parquet"
D21 = "dossiers/year=2021/province_code=30/part-0000.parquet"
R23 = "ratings/year=2023/province_code=30/part-0000.parquet"
DAILY = "dossier_daily/year=2023/province_code=30/part-0000.parquet"
KPIS = ["kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31"]
KPIS_PROVINCE = ["kpis", "--unit", "30", "--from", "2023-01-01", "--to", "2023-12-31"]
INDEX = ["index", "--index", "766", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31"]
COMMANDS = {"kpis": KPIS, "index": INDEX, "kpis-province": KPIS_PROVINCE}
# (case id, file, damage, what is wrong (message), the commands that read it (exit 2, the others 0),
#  a page that does not read it (renders as usual), a page that reads it (shows the message))
SCHEMA = "không đúng cấu trúc của bảng: "
# Every command: a changed dossier or rating file also makes the province's rollup stale (cchc.rollup.fresh),
# so the province-wide figures read the files instead.
ALL = {"kpis", "index", "kpis-province"}
DAMAGE_CASES = [
    ("index-results-truncated", "index_results.parquet", _truncate, "bị cắt cụt hoặc không phải tệp Parquet",
     set(), "pages/tong_quan.py", "pages/ket_qua_cong_bo.py"),
    ("index-results-garbage", "index_results.parquet", _garbage, "bị cắt cụt hoặc không phải tệp Parquet",
     set(), None, None),
    ("index-results-column-missing", "index_results.parquet", _drop("score"), SCHEMA + "thiếu cột score",
     set(), None, "pages/ket_qua_cong_bo.py"),
    ("index-results-column-type", "index_results.parquet", _as_text("score"), SCHEMA + "cột score là chuỗi, cần số thực",
     set(), None, None),
    ("facts-truncated", "facts.parquet", _truncate, "bị cắt cụt hoặc không phải tệp Parquet",
     {"index"}, "pages/tong_quan.py", "pages/so_lieu.py"),
    ("facts-column-missing", "facts.parquet", _drop("value"), SCHEMA + "thiếu cột value", {"index"}, None, None),
    ("facts-column-type", "facts.parquet", _as_text("entered_at"), SCHEMA + "cột entered_at là chuỗi, cần ngày giờ",
     {"index"}, None, "pages/tu_danh_gia.py"),
    ("facts-pages-damaged", "facts.parquet", _scramble_pages, "có dữ liệu bị hỏng bên trong", {"index"}, None, None),
    ("finances-column-type", "finances.parquet", _as_text("plan_vnd", "nhiều"), SCHEMA + "cột plan_vnd là chuỗi, cần số nguyên",
     {"kpis", "kpis-province"}, "pages/ho_so.py", "pages/tai_chinh.py"),
    ("units-truncated", "units.parquet", _truncate, "bị cắt cụt hoặc không phải tệp Parquet",
     {"kpis", "index", "kpis-province"}, None, "pages/tong_quan.py"),
    ("dossiers-partition-truncated", D23, _truncate, "bị cắt cụt hoặc không phải tệp Parquet",
     ALL, None, "pages/ho_so.py"),
    ("dossiers-first-partition-garbage", D21, _garbage, "bị cắt cụt hoặc không phải tệp Parquet",
     ALL, None, None),
    ("dossiers-partition-column-missing", D23, _drop("received_at"), SCHEMA + "thiếu cột received_at",
     ALL, None, None),
    ("dossiers-partition-column-type", D23, _as_text("received_at", "hôm qua"), SCHEMA + "cột received_at là chuỗi, cần ngày giờ",
     ALL, None, None),
    ("dossiers-partition-pages-damaged", D23, _scramble_pages, "có dữ liệu bị hỏng bên trong", ALL, None,
     None),
    ("ratings-partition-truncated", R23, _truncate, "bị cắt cụt hoặc không phải tệp Parquet",
     ALL, "pages/ho_so.py", "pages/hai_long.py"),
    ("rollup-truncated", DAILY, _truncate, "bị cắt cụt hoặc không phải tệp Parquet", {"kpis-province"}, None, None),
]


def _app(page: str):
    """app.py opened on a page (as the conftest ``app`` fixture does), for the unit and period of the seed report."""
    from apptest_util import open_page
    return open_page(page, {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"})


@pytest.mark.parametrize("case,rel,damage,problem,fails,ok_page,bad_page", DAMAGE_CASES, ids=[c[0] for c in DAMAGE_CASES])
def test_damaged_table_breaks_only_what_reads_it(sample_dir, tmp_path, monkeypatch, capsys, case, rel, damage, problem,
                                                fails, ok_page, bad_page):
    data = tmp_path / "data"           # a fresh folder per case: the app caches a Database per data folder
    shutil.copytree(sample_dir, data)
    damage(data / rel)
    before = checksums(data)
    table = schema.TABLES[rel.split("/")[0].removesuffix(".parquet")]
    said = f"Không đọc được bảng {table.name} ({table.vi}): tệp {rel} trong thư mục dữ liệu {problem}"

    # the command line: the commands that read the table fail with the message, the others work
    for name, args in COMMANDS.items():
        code = cli.main(["--data-dir", str(data), *args])
        out, err = capsys.readouterr()
        if name in fails:
            assert code == 2, (name, err)
            assert err.startswith(f"Lỗi: {said}") and err.count("\n") == 1, (name, err)
            assert ("python -m cchc rollup" if table.derived else "python -m cchc sample") in err
            english_free(err)
        else:
            assert code == 0 and err == "", (name, err)

    # the app: the page that reads the table shows the message, one that does not works as usual
    monkeypatch.setenv("CCHC_DATA_DIR", str(data))
    if ok_page:
        at = _app(ok_page)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert at.title, ok_page
    if bad_page:
        at = _app(bad_page)
        assert not at.exception, [e.value for e in at.exception]
        errors = [e.value.replace("\\", "") for e in at.error]
        assert any(said in e for e in errors), errors
        english_free(" ".join(errors))
    assert checksums(data) == before


def test_damaged_table_on_the_command_line(sample_dir, tmp_path):
    """As a user runs it (a subprocess): a truncated facts.parquet fails `index` with exit 2 and the
    Vietnamese line, where it used to print DuckDB's English and exit 1; `import-results` refuses to
    merge into a damaged index_results.parquet."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    _truncate(data / "facts.parquet")
    _garbage(data / "index_results.parquet")
    before = checksums(data)
    r = run_cli("--data-dir", str(data), *INDEX)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi: Không đọc được bảng facts (Số liệu tự báo cáo): tệp "
                                                     "facts.parquet trong thư mục dữ liệu bị cắt cụt"), r.stderr
    assert "python -m cchc sample --data-dir <thư mục mới>" in r.stderr
    english_free(r.stderr)
    r = run_cli("--data-dir", str(data), *KPIS, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["received_total"] > 0, r.stderr
    r = run_cli("--data-dir", str(data), "import-results", str(results.BUNDLED_JSON))
    assert r.returncode == 2 and "Không đọc được bảng index_results" in r.stderr and "tệp index_results.parquet" in r.stderr
    english_free(r.stderr)
    assert checksums(data) == before


def test_a_restored_file_is_read_again_without_a_restart(sample_dir, tmp_path):
    """The app keeps its Database: once the damaged file is put back, the next query reads it."""
    from cchc.db import Database, DamagedTableError
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    good = (data / "facts.parquet").read_bytes()
    _truncate(data / "facts.parquet")
    db = Database(data)
    with pytest.raises(DamagedTableError) as e:
        db.run("facts_years", **units.get(db, "old", "10621").scope)
    assert e.value.file == "facts.parquet" and e.value.table == "facts"
    (data / "facts.parquet").write_bytes(good)
    assert db.run("facts_years", **units.get(db, "old", "10621").scope).height > 0
    db.close()
