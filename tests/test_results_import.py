"""Import of the real published 766 scores (xlsx and the portal's JSON) into index_results."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from cchc import access, schema
from cchc.ingest import results
from cchc.ingest.results import ResultsImportError

ROOT = Path(__file__).resolve().parent.parent
XLSX = results.BUNDLED_XLSX
GROUPS = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]


@pytest.fixture()
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


def _group_sums(df: pl.DataFrame) -> pl.DataFrame:
    key = ["period_kind", "year", "period_index", "unit_level", "unit_ref"]
    parts = df.filter(pl.col("group_code") != "TONG").group_by(key).agg(pl.col("score").sum().alias("groups"),
                                                                       pl.len().alias("n"))
    tot = df.filter(pl.col("group_code") == "TONG").select(*key, pl.col("score").alias("total"))
    return parts.join(tot, on=key, how="inner", nulls_equal=True)


def test_bundled_copies_are_the_real_file():
    assert [p.name for p in results.bundled_files()] == ["chi-so-766-2025-thang-10.xlsx", "chi-so-766-2025-thang-10.json"]
    real = ROOT.parent / "shared" / "data" / "real" / XLSX.name
    if real.exists():
        assert real.read_bytes() == XLSX.read_bytes()
    # the JSON is the xlsx's four score sheets as portal responses, regenerated identically
    assert json.loads(results.BUNDLED_JSON.read_text(encoding="utf-8")) == results.xlsx_to_portal_json(XLSX)


def test_real_xlsx_imports(data_dir):
    rep = results.import_file(XLSX, data_dir, by=access.operator())
    df = results.read_table(data_dir)
    assert rep.mismatches == [] and rep.replaced == 0 and rep.rows == df.height == rep.total_rows
    assert rep.units == {"Điểm năm": 34, "Điểm tháng": 34, "Sở Ban": 15, "Xã Phường": 102}
    year = df.filter((pl.col("period_kind") == "cal_year") & (pl.col("unit_level") == "province"))
    assert year["unit_ref"].n_unique() == 34 and year.height == 34 * 7
    # every one of the 34 provinces got its 2025 GSO code
    with open(results.PROVINCES_CSV, encoding="utf-8") as f:
        codes = {line.split(",")[0] for line in f if line[:1].isdigit()}
    assert len(codes) == 34 and set(year["unit_code"]) == codes
    # figures as published (domain.md §5)
    tot = year.filter(pl.col("group_code") == "TONG").sort("rank")
    assert tot.row(0, named=True)["unit_name"] == "UBND tỉnh Bắc Ninh" and tot["score"][0] == 91.7
    hp = year.filter(pl.col("unit_code") == "31")
    assert dict(zip(hp["group_code"], hp["score"])) == {"TONG": 85.96, "TDGQ": 16.06, "MDHL": 17.04, "MDSH": 19.22,
                                                        "TTTT": 10.0, "CLGQ": 8.2, "CKMB": 15.44}
    assert hp.filter(pl.col("group_code") == "TONG")["rank"][0] == 22
    assert tot["rank"].to_list() == list(range(1, 35))
    # the six groups add up to the total, in every row of every sheet
    sums = _group_sums(df)
    assert sums.height == 34 + 34 + 15 + 102 and set(sums["n"]) == {6}
    assert (sums["groups"] - sums["total"]).abs().max() < 0.01
    # periods: provinces year 2025 and October 2025, departments October, communes the year
    kinds = df.filter(pl.col("group_code") == "TONG").group_by("period_kind", "period_index", "unit_level").len()
    got = {(r["period_kind"], r["period_index"], r["unit_level"]): r["len"] for r in kinds.to_dicts()}
    assert got[("cal_year", None, "commune")] == 102 and got[("cal_month", 10, "department")] == 15
    assert got[("cal_month", 10, "province")] == 34
    # trend sheets: An Giang (identified by its October total 86,74 ≈ 86,7), months 8–9 and quarters 1–4
    ag = df.filter((pl.col("unit_ref") == "398126") & (pl.col("group_code") == "TONG"))
    got = {(r["period_kind"], r["period_index"]): r["score"] for r in ag.to_dicts()}
    assert got == {("cal_year", None): 87.86, ("cal_month", 10): 86.74, ("cal_month", 8): 86.2,
                   ("cal_month", 9): 80.8, ("cal_quarter", 1): 37.2, ("cal_quarter", 2): 52.0,
                   ("cal_quarter", 3): 84.2, ("cal_quarter", 4): 86.7}
    assert set(ag["unit_code"]) == {"91"}
    assert df.schema == pl.read_parquet(schema.INDEX_RESULTS.path(data_dir)).schema


def test_json_gives_the_same_rows_and_reimport_replaces(data_dir):
    results.import_file(XLSX, data_dir, by=access.operator())
    before = results.read_table(data_dir)
    rep = results.import_file(results.BUNDLED_JSON, data_dir, by=access.operator())
    after = results.read_table(data_dir)
    # the JSON holds the four score sheets (no derived trend rows): every row replaces its xlsx twin
    assert rep.rows == before.height - 6 and rep.replaced == rep.rows and after.height == before.height
    cols = [c for c in after.columns if c not in ("source", "imported_at")]
    assert after.select(cols).sort(cols, nulls_last=True).equals(before.select(cols).sort(cols, nulls_last=True))


def test_rows_of_other_sources_are_kept(data_dir):
    par = pl.DataFrame([dict(index_code="par", period_kind="cal_year", year=2023, period_index=None,
                             unit_level="province", unit_ref="30", unit_code="30", unit_name="Tỉnh Hải Dương",
                             group_code="TONG", score=87.84, rank=22, source="Bộ Nội vụ, PAR Index 2023",
                             imported_at=datetime(2026, 1, 1))], schema=results._frame([]).schema)
    import pyarrow.parquet as pq
    pq.write_table(par.to_arrow().cast(schema.INDEX_RESULTS.arrow_schema), schema.INDEX_RESULTS.path(data_dir))
    results.import_file(XLSX, data_dir, by=access.operator())
    df = results.read_table(data_dir)
    assert df.filter(pl.col("index_code") == "par").to_dicts()[0]["score"] == 87.84
    assert df.filter(pl.col("index_code") == "766").height > 1000


def _copy_with(tmp_path: Path, sheet: str, row: int, col: str, value) -> Path:
    dst = tmp_path / "bao_cao_T10_2025.xlsx"
    shutil.copy(XLSX, dst)
    wb = openpyxl.load_workbook(dst)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(col) + 1).value = value
    wb.save(dst)
    return dst


def test_corrupted_copy_is_rejected_and_changes_nothing(tmp_path, data_dir):
    results.import_file(XLSX, data_dir, by=access.operator())
    path = schema.INDEX_RESULTS.path(data_dir)
    before_bytes = path.read_bytes()
    bad = _copy_with(tmp_path, "Điểm năm", 5, "TDGQ", "abc")
    with pytest.raises(ResultsImportError) as e:
        results.import_file(bad, data_dir, by=access.operator())
    msg = str(e.value)
    assert 'trang "Điểm năm", dòng 5, cột TDGQ: "abc" không phải là số' in msg, msg
    assert "không thay đổi dữ liệu" in msg
    assert path.read_bytes() == before_bytes                      # all or nothing
    assert not list(data_dir.glob(".*tmp"))
    # the CLI says the same in one line, exit code 2, no traceback
    r = subprocess.run([sys.executable, "-m", "cchc", "import-results", str(bad), "--data-dir", str(data_dir)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi: ") and "cột TDGQ" in r.stderr and "Traceback" not in r.stderr
    assert path.read_bytes() == before_bytes


def test_out_of_range_and_duplicates_are_errors(tmp_path, data_dir):
    bad = _copy_with(tmp_path, "Sở Ban", 3, "CKMB", "19")        # CKMB is out of 18
    with pytest.raises(ResultsImportError, match=r'trang "Sở Ban", dòng 3, cột CKMB: điểm 19 nằm ngoài 0–18'):
        results.import_file(bad, data_dir, by=access.operator())
    bad = _copy_with(tmp_path, "Xã Phường", 4, "ID", "470705")   # the ID of row 2 again
    with pytest.raises(ResultsImportError, match="dòng 4, cột ID: đơn vị 470705 đã có ở dòng 2"):
        results.import_file(bad, data_dir, by=access.operator())
    assert not schema.INDEX_RESULTS.path(data_dir).exists()


def test_sum_mismatch_is_reported_not_fatal(tmp_path, data_dir):
    bad = _copy_with(tmp_path, "Điểm tháng", 3, "TONG_SCORE", "95,57")   # a comma decimal parses
    rep = results.import_file(bad, data_dir, by=access.operator())
    assert len(rep.mismatches) == 1
    m = rep.mismatches[0]
    assert 'trang "Điểm tháng", dòng 3, cột TONG_SCORE (UBND tỉnh Quảng Ninh)' in m and "90,57" in m and "95,57" in m
    r = subprocess.run([sys.executable, "-m", "cchc", "import-results", str(bad), "--data-dir", str(data_dir)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "Cảnh báo:" in r.stdout and "TONG_SCORE" in r.stdout
    assert "Đã nạp 1301 dòng" in r.stdout


def test_bare_portal_list_needs_its_period(tmp_path, data_dir):
    env = json.loads(results.BUNDLED_JSON.read_text(encoding="utf-8"))
    month = next(r for r in env["responses"] if r["name"] == "Điểm tháng")["data"]
    p = tmp_path / "response.json"
    p.write_text(json.dumps(month, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ResultsImportError, match="--year"):
        results.import_file(p, data_dir, by=access.operator())
    rep = results.import_file(p, data_dir, year=2025, month=10, by=access.operator())
    df = results.read_table(data_dir)
    assert rep.rows == 34 * 7 and set(df["period_kind"]) == {"cal_month"} and set(df["period_index"]) == {10}
    month[0]["MDHL"] = None
    p.write_text(json.dumps(month, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ResultsImportError, match=r'phản hồi "response", bản ghi số 1, cột MDHL: "" không phải là số'):
        results.import_file(p, data_dir, year=2025, month=10, by=access.operator())


def test_bad_inputs(tmp_path, data_dir):
    with pytest.raises(ResultsImportError, match="Không tìm thấy tệp"):
        results.import_file(tmp_path / "khong-co.xlsx", data_dir, by=access.operator())
    with pytest.raises(ResultsImportError, match="Không tìm thấy thư mục dữ liệu"):
        results.import_file(XLSX, tmp_path / "khong-co", by=access.operator())
    txt = tmp_path / "a.csv"
    txt.write_text("x", encoding="utf-8")
    with pytest.raises(ResultsImportError, match="chỉ nhận .xlsx hoặc .json"):
        results.import_file(txt, data_dir, by=access.operator())
    fake = tmp_path / "b.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ResultsImportError, match="Không mở được tệp b.xlsx"):
        results.import_file(fake, data_dir, by=access.operator())
    # a workbook whose name does not say the month, without the trend sheet to tell it
    noname = tmp_path / "ket-qua.xlsx"
    shutil.copy(XLSX, noname)
    wb = openpyxl.load_workbook(noname)
    del wb["Xu hướng tháng"]
    wb.save(noname)
    with pytest.raises(ResultsImportError, match="--year và --month"):
        results.import_file(noname, data_dir, by=access.operator())
    rep = results.import_file(noname, data_dir, year=2025, month=10, by=access.operator())
    assert rep.units["Điểm tháng"] == 34
