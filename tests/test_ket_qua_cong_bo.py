"""Kết quả công bố (pages/ket_qua_cong_bo.py): the real published 766 scores (34 provinces, An Giang's
communes) with the selected unit's computed score against them, each labelled; the bundled file
imported once into an empty table; a corrupted upload changing nothing. Anything that writes works on
a copy of the sample."""
from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from cchc import fmt, kpis, periods, schema, scoring
from cchc.views import chi_so as iv
from cchc.views import ket_qua_cong_bo as kq
from cchc.ingest import results

PAGE = "pages/ket_qua_cong_bo.py"
LABEL = "Điểm công bố — Cổng DVCQG, 10/2025"


def _table(at, first_column: str, second: str) -> pl.DataFrame:
    return next(pl.from_pandas(d.value) for d in at.dataframe
                if list(d.value.columns)[:2] == [first_column, second])


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture()
def copy_dir(sample_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample (the page and the import write index_results.parquet)."""
    d = tmp_path / "data"
    shutil.copytree(sample_dir, d)
    monkeypatch.setenv("CCHC_DATA_DIR", str(d))
    return d


def _empty_results(data_dir: Path) -> None:
    pq.write_table(schema.INDEX_RESULTS.arrow_schema.empty_table(), schema.INDEX_RESULTS.path(data_dir))


def test_published_ranking_distribution_and_computed_score(app, db):
    at = app(page=PAGE, unit="10621", **{"from": "2025-01-01", "to": "2025-06-30"})
    years = _table(at, "Hạng", "Đơn vị")
    assert years.height == 34
    assert (years["Đơn vị"][0], years["Tổng điểm"][0]) == ("UBND tỉnh Bắc Ninh", "91,70")
    assert years.filter(pl.col("Đơn vị").str.starts_with("UBND Thành phố Hải Phòng"))["Hạng"][0] == "22"
    assert _metric(at, "Số xã, phường có điểm công bố") == "102"
    assert any("Các xã, phường của tỉnh An Giang" in s.value for s in at.subheader)
    # the computed score: 766 for the calendar months of 2025 the data hold, from the engine
    res = scoring.score(db, "766", kpis.resolve_unit(db, "10621"), periods.custom(date(2025, 1, 1), date(2025, 6, 30)))
    assert _metric(at, iv.COMPUTED_LABEL) == fmt.number(res.total, 2)
    charts = _charts(at)
    prov = next(c for c in charts if "tỉnh, thành phố" in c["layout"]["title"]["text"])
    hist = next(c for c in charts if "Phân bố điểm 766" in c["layout"]["title"]["text"])
    assert len(hist["data"][0]["x"]) == 102
    for c in (prov, hist):
        texts = [a["text"] for a in c["layout"]["annotations"]]
        assert LABEL in texts                                         # published, with its source and date
        marker = next(t for t in texts if t.startswith(iv.COMPUTED_LABEL))
        assert marker.endswith(fmt.number(res.total, 2))
        assert any(s.get("x0") == res.total for s in c["layout"]["shapes"])
    # the six published groups of Bắc Ninh stacked: TDGQ 19,05 MDHL 17,86 MDSH 20,79 TTTT 10 CLGQ 8,36 CKMB 15,64
    bn = [t["x"][-1] for t in prov["data"][:6]]
    assert bn == [19.05, 17.86, 20.79, 10.0, 8.36, 15.64] and round(sum(bn), 2) == 91.70
    assert _metric(at, "Hạng công bố") == "22/34"


def test_empty_table_imports_the_bundled_scores_once(app, copy_dir, sample_dir):
    _empty_results(copy_dir)
    assert results.read_table(copy_dir).is_empty()
    at = app(page=PAGE, unit="291", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert any("đã nạp bản có sẵn" in i.value for i in at.info)
    assert _table(at, "Hạng", "Đơn vị").height == 34
    table = results.read_table(copy_dir)
    key = list(schema.INDEX_RESULTS.key)
    # the same rows as the bundled file gives (the sample generator imports it too)
    assert table.sort(key).select(*key, "score").equals(results.read_table(sample_dir).sort(key).select(*key, "score"))
    assert table.filter((pl.col("group_code") == "TONG") & (pl.col("unit_level") == "commune")).height == 102
    at.run()                                    # second run: nothing to import
    assert not any("đã nạp bản có sẵn" in i.value for i in at.info)
    assert results.read_table(copy_dir).height == table.height


def _corrupted_xlsx() -> bytes:
    wb = openpyxl.load_workbook(results.BUNDLED_XLSX)
    ws = wb["Điểm năm"]
    col = [c.value for c in ws[1]].index("TDGQ") + 1
    ws.cell(row=5, column=col).value = "abc"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_corrupted_upload_changes_nothing(copy_dir):
    path = schema.INDEX_RESULTS.path(copy_dir)
    before, before_bytes = results.read_table(copy_dir), path.read_bytes()
    with pytest.raises(results.ResultsImportError) as e:
        kq.import_upload("bao_cao_T10_2025.xlsx", _corrupted_xlsx(), copy_dir)
    assert 'trang "Điểm năm", dòng 5, cột TDGQ: "abc" không phải là số' in str(e.value)
    assert path.read_bytes() == before_bytes and results.read_table(copy_dir).equals(before)
    with pytest.raises(results.ResultsImportError, match="chỉ nhận .xlsx hoặc .json"):
        kq.import_upload("diem.csv", b"a,b\n1,2\n", copy_dir)
    assert path.read_bytes() == before_bytes


def test_good_upload_replaces_the_same_rows(copy_dir):
    before = results.read_table(copy_dir)
    rep = kq.import_upload("chi-so-766-2025-thang-10.json", results.BUNDLED_JSON.read_bytes(), copy_dir)
    assert rep.rows == rep.replaced > 0 and not rep.mismatches
    after = results.read_table(copy_dir)
    key = list(schema.INDEX_RESULTS.key)
    assert after.height == before.height
    assert after.sort(key).select(*key, "score", "rank").equals(before.sort(key).select(*key, "score", "rank"))


def test_boards_and_labels(db):
    df = kq.published(db)
    assert kq.published_label(df) == LABEL
    month, at = kq.score_board(df, "cal_month", "province")
    assert at == (2025, 10) and month.height == 34
    communes, at_c = kq.score_board(df, "cal_year", "commune")
    assert at_c == (2025, None) and kq.common_province(communes) == "tỉnh An Giang"
    assert communes["TONG"].max() == pytest.approx(93.21)
    assert kq.place_of(communes, 100.0) == 1 and kq.place_of(communes, 0.0) == 103
    assert kq.successor_code(db, kpis.resolve_unit(db, "10621")) == "31"     # Hải Dương -> Hải Phòng
