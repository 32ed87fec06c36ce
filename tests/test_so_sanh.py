"""So sánh đơn vị: the view's choice of units, periods and KPI table on the sample, and the page in
AppTest (deep link, refused links, the trend's traces, an old unit after its end)."""
from __future__ import annotations

import json

import pytest

from cchc import fmt, kpis, metrics, params, periods, units
from cchc.views import so_sanh as ss

THREE = ["10621", "10618", "cu-10606"]  # old communes of district 291 (Nam Sách; 10606 is also a new commune)
YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


# --- the view ------------------------------------------------------------------------------------
def test_choose_refuses_counts_levels_and_unknown_units(db):
    assert [u.key for u in ss.choose(db, THREE).units] == THREE
    for keys in ([THREE[0]], THREE * 0, ["10621", "10618", "10606", "10601", "10603", "10609", "10612"]):
        got = ss.choose(db, keys)
        assert not got.units and "từ 2 đến 6" in got.problem
    mixed = ss.choose(db, ["10621", "291"])
    assert not mixed.units and "cùng cấp" in mixed.problem
    unknown = ss.choose(db, ["10621", "99999"])
    assert not unknown.units and "99999" in unknown.problem
    assert [u.code for u in ss.choose(db, ["10621", "10621", "10618"]).units] == ["10621", "10618"]


def test_kpi_table_equals_kpis_for_each_unit(db):
    period = periods.official_year(2023, 10)
    cols = ss.columns(db, ss.choose(db, THREE).units, period)
    table = ss.kpi_table(cols, [ss.values(db, c) for c in cols])
    assert table["Chỉ tiêu"] == [metrics.label(k) for k in metrics.catalogue().cards]
    for c in cols:
        v = metrics.values(kpis.kpis(db, c.unit, c.period))
        assert table[c.name] == [fmt.percent(v[k]) if metrics.get(k).is_rate else fmt.number(v[k])
                                 for k in metrics.catalogue().cards]


def test_an_old_unit_after_its_end_has_no_period(db):
    p = periods.official_year(2026, 10)
    if db.run("data_range").row(0)[1] < p.start:
        pytest.skip("the sample ends before 2026")
    cols = ss.columns(db, ss.choose(db, THREE[:2]).units, p)
    assert all(c.gone for c in cols) and ss.period_note(cols) == [c.unit.gone_message() for c in cols]
    assert ss.kpi_table(cols, [None, None])[cols[0].name] == [ss.GONE_CELL] * len(metrics.catalogue().cards)
    assert ss.trends(db, cols) == []


def test_the_url_parameter_is_bounded():
    p = params.PARAMS["ss"]
    assert params.parse_one(p, "10621,10618")[:2] == ("10621,10618", True)
    assert params.parse_one(p, "cu-10633,10621,291,30,10606,10618")[1]
    for bad in ("10621", ",".join(["10621"] * 7), "10621;10618", "10621,abc", "**x**,10621", "10621,10618,"):
        v, given, warning = params.parse_one(p, bad)
        assert v is None and not given and warning.startswith("Tham số “ss”")


# --- the page ------------------------------------------------------------------------------------
def test_deep_link_with_three_communes(app, db):
    at = app(page="pages/so_sanh.py", ss=",".join(THREE), **YEAR_2023)
    assert at.title[0].value == "So sánh đơn vị" and not at.warning
    frame = at.dataframe[0].value
    units = ss.choose(db, THREE).units
    assert list(frame.columns) == ["Chỉ tiêu"] + [ss.column_name(u) for u in units]
    period = periods.official_year(2023, 10)
    for u in units:
        v = metrics.values(kpis.kpis(db, u, period))
        assert frame[ss.column_name(u)].tolist() == [
            fmt.percent(v[k]) if metrics.get(k).is_rate else fmt.number(v[k]) for k in metrics.catalogue().cards]
    fig = figures(at)[0]
    names = [t["name"] for t in fig["data"]]
    assert len(fig["data"]) == 2 * len(units) and names[::2] == [u.name for u in units]
    assert at.query_params["ss"] == [",".join(THREE)] or at.query_params["ss"] == ",".join(THREE)
    assert len(at.tabs) == 3


@pytest.mark.parametrize("value,message", [
    ("10621,291", "cùng cấp"),
    ("10621", "Tham số “ss”"),
    (",".join(["10621", "10618", "10606", "10601", "10603", "10609", "10612"]), "Tham số “ss”"),
    ("<b>x</b>,**y**", "Tham số “ss”"),
    ("10621,99999", "99999"),
])
def test_refused_links_warn_in_vietnamese_and_the_page_renders(app, value, message):
    at = app(page="pages/so_sanh.py", ss=value, **YEAR_2023)
    assert at.title[0].value == "So sánh đơn vị"
    assert any(message in w for w in texts(at.warning)), texts(at.warning)
    assert at.get("multiselect")


def test_an_old_unit_over_2026_shows_its_gone_message(app, db):
    end = db.run("data_range").row(0)[1]
    if end.year < 2026:
        pytest.skip("the sample ends before 2026")
    at = app(page="pages/so_sanh.py", ss="10621,10618", kind="year", y="2026")
    old = units.resolve(db, "10621")
    assert any(fmt.md(old.gone_message()) in i for i in texts(at.info)), texts(at.info)
    assert set(at.dataframe[0].value[ss.column_name(old)]) == {ss.GONE_CELL}
    assert not at.get("plotly_chart")


def test_without_a_link_the_page_opens_with_the_unit_and_its_siblings_and_the_picker_works(app, db):
    at = app(page="pages/so_sanh.py", unit="291", **YEAR_2023)
    picked = at.multiselect[0].value
    assert picked[0] == "291" and 2 <= len(picked) <= 3 and at.dataframe
    assert at.query_params["ss"] in (",".join(picked), [",".join(picked)])
    at.multiselect[0].set_value(picked[:1]).run()
    assert not at.exception and not at.dataframe
    assert any("Chọn thêm đơn vị" in i for i in texts(at.info))
    at.radio[0].set_value("commune").run()
    assert not at.exception and at.multiselect[0].value == []
    at.multiselect[0].set_value(THREE[:2]).run()
    assert not at.exception and list(at.dataframe[0].value.columns)[1:] == [
        ss.column_name(u) for u in ss.choose(db, THREE[:2]).units]


def test_the_picker_lists_the_provinces_units_and_finds_any_other_by_typing(app, db):
    """The picker lists the level's units of the selected unit's province family (both maps), not every
    unit of the country; typed text and Enter adds the one unit of that level it names, lists several,
    says none, and is shown as text."""
    import polars as pl

    from cchc.ui.filters import search_labels
    from cchc.ui.state import units_frame

    rows = [dict(map="new", code="31", name="Thành phố Hải Phòng", level="province", parent_code=None, province_code="31",
                 district_code=None, successor_code=None, reused=False),
            dict(map="new", code="10633", name="Xã Trần Phú", level="commune", parent_code="31", province_code="31",
                 district_code=None, successor_code=None, reused=False),
            dict(map="new", code="00004", name="Phường Ba Đình", level="commune", parent_code="01", province_code="01",
                 district_code=None, successor_code=None, reused=False),
            dict(map="old", code="30", name="Tỉnh Hải Dương", level="province", parent_code=None, province_code="30",
                 district_code=None, successor_code="31", reused=False),
            dict(map="old", code="10621", name="Xã Quốc Tuấn", level="commune", parent_code="291", province_code="30",
                 district_code="291", successor_code="10633", reused=False)]
    frame = pl.DataFrame(rows)
    labels = {k: k for k in ("31", "10633", "00004", "30", "10621")}
    assert ss.options(frame, labels, "commune", around="10621") == ["10633", "10621"]   # Ba Đình is elsewhere
    assert ss.options(frame, labels, "commune") == ["00004", "10633", "10621"]
    assert ss.family(frame)["10621"] == ss.family(frame)["10633"] == "31"

    at = app(page="pages/so_sanh.py", unit="10621", **YEAR_2023)
    box = at.multiselect[0]
    listed = set(box.options)
    real = search_labels(units_frame(db))
    assert len(listed) == len(ss.options(units_frame(db), real, "commune", around="10621"))  # the page's list
    box.set_value([]).run()

    def typed(text: str):
        m = at.multiselect[0]
        m.options.append(text)            # what the browser sends for a typed entry (accept_new_options)
        return m.set_value([*m.value, text]).run()

    typed("quốc tuấn nam sách")           # one commune: added
    assert not at.exception and at.multiselect[0].value == ["10621"]
    typed("xa")                           # many: listed under the box, one picked from there
    hits = at.selectbox(key="ss_hit")
    assert hits.label.startswith("Kết quả tìm «xa»") and len(hits.options) > 1
    hits.set_value(hits.options[0]).run()
    assert not at.exception and len(at.multiselect[0].value) == 2 and at.dataframe
    typed("**zz** <b>x</b>")              # none: said, as text
    assert not at.exception
    said = [c.value for c in at.caption if "Không tìm thấy đơn vị nào ở cấp" in c.value]
    assert said and "**zz**" not in said[0] and len(at.multiselect[0].value) == 2
