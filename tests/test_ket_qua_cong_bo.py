"""Kết quả công bố (pages/ket_qua_cong_bo.py): the real published 766 scores (34 provinces, An Giang's
communes) with the selected unit's computed score beside them like with like (same period, level,
unit of the new map, groups; old units through their successor; no rank beyond a board's size); the
bundled file imported once into an empty table; a corrupted upload changing nothing; the Chỉ số
page's rankings on one base. The figures are read from the sample (old Hải Dương to 30/06/2025, or the
new Thành phố Hải Phòng to 30/11/2026) and the published table. Anything that writes works on a copy
of the sample."""
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

from cchc import access, fmt, kpis, periods, schema, scoring, units
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


def _unescape(text: str) -> str:
    return text.replace("\\", "")


def _published_base(sample_dir: Path, kind: str, level: str, groups: tuple[str, ...]) -> dict[str, float]:
    """Each unit's published scores of ``groups`` added up, read from the table the bundled file was
    imported into (unit_ref -> total), for the newest period of that kind and level."""
    t = results.read_table(sample_dir).filter((pl.col("period_kind") == kind) & (pl.col("unit_level") == level))
    newest = t.sort(["year", "period_index"]).row(-1, named=True)
    t = t.filter((pl.col("year") == newest["year"]) & (pl.col("period_index").eq_missing(newest["period_index"])))
    return {r["unit_ref"]: round(r["s"], 2) for r in
            t.filter(pl.col("group_code").is_in(groups)).group_by("unit_ref").agg(s=pl.col("score").sum()).to_dicts()}


def _boards(db) -> dict[tuple[str, str], kq.Board]:
    return {(b.kind, b.level): b for b in kq.boards(kq.published(db))}


def test_new_province_beside_the_boards_of_34_on_one_base(app, db, sample_dir):
    """The new Thành phố Hải Phòng (31): its score for October 2025 beside the 34 provinces' published
    October scores, and for 2025 to the end of October (or of the data) beside the year's board, on the
    groups it has every indicator of; the rank is at most 34 (its own published row is replaced)."""
    at = app(page=PAGE, unit="31")
    assert not at.exception
    unit = units.resolve(db, "31")
    last = iv.data_range(db)[1]
    bds = _boards(db)
    for kind in ("cal_month", "cal_year"):
        b = bds[(kind, "province")]
        assert b.size == 34
        if kind == "cal_month" and last < date(2025, 10, 31):      # the data do not reach October 2025
            assert any("chưa trọn tháng 10/2025" in _unescape(w.value) for w in at.warning)
            assert not any(m.label.endswith(f"({b.short})") for m in at.metric)
            continue
        period = b.period if last >= b.period.end else periods.custom(b.period.start, last)
        res = scoring.score(db, "766", unit, period)               # the engine, independently of the page
        groups = tuple(g.code for g in res.groups if all(i.status != "no_data" for i in g.indicators))
        computed = round(sum(g.score for g in res.groups if g.code in groups), 2)
        board = _published_base(sample_dir, kind, "province", groups)
        own = b.rows.filter(pl.col("unit_code") == "31")["unit_ref"][0]
        rank = 1 + sum(v > computed for ref, v in board.items() if ref != own)
        assert 1 <= rank <= 34
        assert _metric(at, f"Vị trí trong 34 tỉnh, thành phố ({b.short})") == f"{rank}/34"
        maxima = sum(g.max for g in res.groups if g.code in groups)
        assert _metric(at, f"Điểm tính trên cùng cơ sở ({b.short})") == f"{fmt.number(computed, 2)}/{fmt.number(maxima)}"
        assert _metric(at, f"Điểm công bố cùng cơ sở ({b.short})") == f"{fmt.number(board[own], 2)}/{fmt.number(maxima)}"
        covered = sum(i.status != "no_data" for i in res.indicators())
        assert _metric(at, f"Chỉ tiêu tính được ({b.short})") == f"{covered}/19"
        assert any(f"tính được {covered}/19 chỉ tiêu" in _unescape(c.value) for c in at.caption)
        # the chart compares on the same groups: the board's sums, the marker at the computed points
        chart = next(c for c in _charts(at) if "cùng cơ sở" in c["layout"]["title"]["text"]
                     and b.short in c["layout"]["title"]["text"])
        assert sorted(chart["data"][0]["x"]) == sorted(board.values())
        assert any(sh.get("x0") == computed for sh in chart["layout"]["shapes"])
    # never a position beyond the board's size
    for m in at.metric:
        if m.label.startswith("Vị trí trong"):
            n, size = m.value.split(" ")[-1].split("/")
            assert int(n) <= int(size) == int(m.label.split(" ")[3])


def test_published_boards_as_published(app, db):
    at = app(page=PAGE, unit="31")
    years = _table(at, "Hạng", "Đơn vị")                 # the first board: the month
    assert years.height == 34
    assert years.filter(pl.col("Đơn vị").str.starts_with("UBND Thành phố Hải Phòng"))["Hạng"][0] == "9"
    tables = [pl.from_pandas(d.value) for d in at.dataframe if list(d.value.columns)[:2] == ["Hạng", "Đơn vị"]]
    year = tables[1]
    assert (year["Đơn vị"][0], year["Tổng điểm"][0]) == ("UBND tỉnh Bắc Ninh", "91,70")
    assert year.filter(pl.col("Đơn vị").str.starts_with("UBND Thành phố Hải Phòng"))["Hạng"][0] == "22"
    assert tables[2].height == 102
    assert any("102 xã, phường của tỉnh An Giang" in _unescape(s.value) for s in at.subheader)
    # a province is not placed among communes: said, no marker on their distribution
    assert any("Bảng này là điểm cấp xã" in _unescape(c.value) for c in at.caption)
    hist = next(c for c in _charts(at) if "Phân bố điểm 766" in c["layout"]["title"]["text"])
    assert len(hist["data"][0]["x"]) == 102 and not hist["layout"].get("shapes")
    assert LABEL in [a["text"] for a in hist["layout"]["annotations"]][0]


@pytest.mark.parametrize("key,old,new", [("30", "Tỉnh Hải Dương", "Thành phố Hải Phòng"),
                                         ("10621", "Xã Quốc Tuấn, Huyện Nam Sách", "Xã Trần Phú, Thành phố Hải Phòng")])
def test_old_unit_is_placed_through_its_successor(app, db, key, old, new):
    at = app(page=PAGE, unit=key, **{"from": "2023-01-01", "to": "2023-12-31"})
    assert not at.exception
    line = next(_unescape(i.value) for i in at.info if "(cũ) nay thuộc" in _unescape(i.value))
    assert line.startswith(f"{old} (cũ) nay thuộc {new} (sắp xếp đơn vị hành chính 01/07/2025)")
    # the selected period (2023) is not a published one: the page says which periods it scores
    assert any("không theo kỳ đang chọn (Năm 2023" in _unescape(c.value) for c in at.caption)
    succ = units.get(db, units.NEW, units.resolve(db, key).successor_code)
    b = _boards(db)[("cal_year", succ.level)]
    p = kq.place(db, scoring.load_index("766"), succ, b, iv.data_range(db)[1])
    assert p.result is not None and p.result.unit_code == succ.code
    label = f"Vị trí trong {fmt.number(b.size)} {kq.LEVEL_PLURAL[succ.level]} ({b.short})"
    assert _metric(at, label) == p.position
    if succ.level == "commune":   # An Giang's communes: Trần Phú is not on the board, so no rank
        assert p.rank is None and p.position.startswith("cao hơn ") and p.position.endswith("/102")
        hist = next(c for c in _charts(at) if "Phân bố điểm 766" in c["layout"]["title"]["text"])
        assert any(sh.get("x0") == p.computed for sh in hist["layout"]["shapes"])
        assert sorted(hist["data"][0]["x"]) == sorted(p.published["base"].to_list())


def test_period_and_level_mismatch_refused(db):
    bds = _boards(db)
    month, year = bds[("cal_month", "province")], bds[("cal_year", "province")]
    hp = units.resolve(db, "31")
    r2023 = scoring.score(db, "766", hp, periods.calendar_year(2023))
    p = kq.compare(month, r2023)
    assert p.refusal == ("Không so sánh: điểm tính là của kỳ Năm 2023 (01/01/2023 – 31/12/2023), điểm công bố là của "
                         "tháng 10/2025 (01/10/2025 – 31/10/2025); chỉ so sánh điểm cùng kỳ.")
    assert p.rank is None and p.above is None and p.position == fmt.DASH
    # the year's board is year to date to the end of the month published (10/2025)
    assert (year.period.start, year.period.end) == (date(2025, 1, 1), date(2025, 10, 31))
    assert year.label == "năm 2025 (lũy kế đến hết tháng 10/2025)"
    h1 = scoring.score(db, "766", hp, periods.custom(date(2025, 1, 1), date(2025, 6, 30)))
    assert kq.compare(year, h1, last=date(2025, 6, 30)).refusal is None      # the data stop there: said, compared
    assert kq.compare(year, h1, last=date(2026, 11, 30)).refusal.startswith("Không so sánh: điểm tính là của kỳ Từ")
    # data ending before October 2025: the month is refused with its message
    p = kq.place(db, scoring.load_index("766"), hp, month, date(2025, 6, 30))
    assert p.result is None and p.refusal == ("Không so sánh: dữ liệu chỉ đến 30/06/2025, chưa trọn tháng 10/2025 "
                                              "(01/10/2025 – 31/10/2025) nên không tính được điểm cùng kỳ.")
    # level: a commune's score is never set among provinces
    tp = scoring.score(db, "766", units.resolve(db, "10633"), month.period)
    p = kq.compare(month, tp)
    assert p.other_level and p.rank is None and p.refusal.startswith("Không so sánh: bảng này là điểm cấp tỉnh")


def test_rank_is_within_the_board_on_one_base(db):
    """Whatever the computed points, the unit on the board ranks 1..34 (its published row replaced);
    a unit off the board gets no rank; both on the groups the computed score covers in full."""
    b = _boards(db)[("cal_year", "province")]
    res = scoring.score(db, "766", units.resolve(db, "31"), periods.custom(date(2025, 1, 1), date(2025, 6, 30)))
    p = kq.compare(b, res, last=date(2025, 6, 30))
    assert p.base == res.complete_groups() and "CKMB" not in p.base
    assert p.base_max == sum(g.max for g in res.groups if g.code in p.base) < 100
    assert 1 <= p.rank <= b.size == 34 and p.position == f"{p.rank}/34"
    assert p.published.height == 34 and p.own["unit_code"] == "31"
    others = p.published.filter(pl.col("unit_code") != "31")["base"]
    assert p.rank == 1 + int((others > p.computed).sum())
    assert f"tính được {res.indicators_covered}/19 chỉ tiêu" in p.coverage_text
    assert p.left_out_text.startswith("Không so sánh: CKMB (0/4 chỉ tiêu có dữ liệu)")
    tp = scoring.score(db, "766", units.resolve(db, "10633"), periods.custom(date(2025, 1, 1), date(2025, 6, 30)))
    c = kq.compare(_boards(db)[("cal_year", "commune")], tp, last=date(2025, 6, 30))
    assert c.rank is None and 0 <= c.above <= 102 and c.position == f"cao hơn {c.above}/102"


def test_chi_so_ranking_uses_one_base(db):
    """The Chỉ số page's ranking: every unit scored on the indicators all units with data have, in
    that order, even when some units are scored on more indicators of their own."""
    ix = scoring.load_index("766")
    period = periods.custom(date(2022, 12, 10), date(2023, 12, 9))
    ranked = iv.score_children(db, ix, units.resolve(db, "291"), "commune", period)
    common = frozenset.intersection(*(r.covered_codes() for r in ranked if r.total is not None))
    table = iv.ranking_table(ranked, "10621")
    score = {r.unit_name: sum(i.points for i in r.indicators() if i.code in common)
             / sum(i.max for i in r.indicators() if i.code in common) * 100 for r in ranked}
    shown = [score[n.replace(" (đang chọn)", "")] for n in table["Đơn vị"]]
    assert shown == sorted(shown, reverse=True)
    assert table["Điểm xếp hạng (cùng cơ sở)"].to_list() == [fmt.number(v, 2) for v in shown]
    assert table["Hạng"].to_list()[0] == "1" and iv.rank_of(ranked, "10621") == int(
        table.filter(pl.col("Đơn vị").str.contains("đang chọn"))["Hạng"][0])
    fig = iv.ranking_figure(ranked, "10621", "Xếp hạng", "Nam Sách")
    assert list(fig.data[0].x)[::-1] == shown
    assert f"cùng {len(common)}/19 chỉ tiêu" in fig.layout.title.text


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
        kq.import_upload("bao_cao_T10_2025.xlsx", _corrupted_xlsx(), copy_dir, access.operator())
    assert 'trang "Điểm năm", dòng 5, cột TDGQ: "abc" không phải là số' in str(e.value)
    assert path.read_bytes() == before_bytes and results.read_table(copy_dir).equals(before)
    with pytest.raises(results.ResultsImportError, match="chỉ nhận .xlsx hoặc .json"):
        kq.import_upload("diem.csv", b"a,b\n1,2\n", copy_dir, access.operator())
    assert path.read_bytes() == before_bytes


def test_good_upload_replaces_the_same_rows(copy_dir):
    before = results.read_table(copy_dir)
    rep = kq.import_upload("chi-so-766-2025-thang-10.json", results.BUNDLED_JSON.read_bytes(), copy_dir, access.operator())
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
    assert [(b.kind, b.level, b.size) for b in kq.boards(df)] == [
        ("cal_month", "province", 34), ("cal_year", "province", 34), ("cal_year", "commune", 102)]
    assert kq.successor_code(db, kpis.resolve_unit(db, "10621")) == "31"     # Hải Dương -> Hải Phòng
    assert kq.indicator_count(scoring.load_index("766")) == 19
