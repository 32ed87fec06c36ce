"""The shell: navigation, filter bar, and the URL carrying unit and period; what the data cover
(issue 14: "Dữ liệu đến …" on every page, the default period, a period past the data refused, a
partial period marked, an old unit after its end)."""
from __future__ import annotations

import pytest

from cchc import coverage, periods
from cchc.ui import pages as ui_pages


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_deep_link_opens_quoc_tuan_2023(app):
    at = app(unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    v = metric_values(at)
    assert v["Hồ sơ tiếp nhận"] == "3.262"
    assert v["Tỷ lệ giải quyết trước hạn, đúng hạn"] == "99,97 %"
    # the link names the period it recognised and keeps the three parameters
    assert at.query_params["unit"] == ["10621"] or at.query_params["unit"] == "10621"


def test_default_view_without_parameters(app):
    at = app()
    assert at.metric, "the overview shows KPI cards by default"
    assert not at.exception


def test_bad_link_gets_a_vietnamese_warning(app):
    at = app(unit="99999", **{"from": "2023-12-09", "to": "2022-12-10"})
    assert any("Đường dẫn không dùng được" in w.value for w in at.warning)
    assert not at.exception


# --- issue 14: honest coverage ------------------------------------------------------------------------
PAGE_FILES = [file for file, *_ in ui_pages.PAGES]


def _data_end(sample_dir):
    from cchc.db import Database
    d = Database(sample_dir)
    try:
        return coverage.data_end(d)
    finally:
        d.close()


def _texts(at) -> str:
    return "\n".join(e.value for kind in ("caption", "info", "warning", "markdown") for e in at.get(kind))


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_says_how_far_the_data_go(app, data_env, page):
    at = app(page=page, unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    assert f"Dữ liệu đến {periods.fmt_date(_data_end(data_env))}" in [c.value for c in at.sidebar.caption]


def test_default_view_is_the_latest_complete_official_year(app, data_env):
    at = app()
    end = _data_end(data_env)
    to = periods.parse_date(at.query_params["to"][0] if isinstance(at.query_params["to"], list)
                            else at.query_params["to"])
    kind = at.query_params["kind"]
    assert (kind[0] if isinstance(kind, list) else kind) == "year"
    assert to <= end < to.replace(year=to.year + 1)  # complete, and the latest one


def test_a_period_after_the_data_end_is_refused_with_a_vietnamese_warning(app, data_env):
    end = _data_end(data_env)
    at = app(unit="10621", kind="year", y=str(end.year + 2))
    text = "\n".join(w.value for w in at.warning)
    assert "bắt đầu sau ngày cuối có dữ liệu" in text and periods.fmt_date(end) in text
    assert "Phần không dùng được đã thay bằng lựa chọn mặc định" in text
    y = at.query_params["y"]
    assert int(y[0] if isinstance(y, list) else y) <= end.year   # fell back to the default period
    assert at.metric and not at.exception


def test_a_partial_period_is_marked_on_the_overview_and_biểu_06(app, data_env):
    end = min(_data_end(data_env), periods.parse_date("2025-06-30"))  # Quốc Tuấn ends on 30/06/2025
    year = next(p for p in periods.periods_of_kind("year", end, end, 10) if p.end > end)
    link = {"unit": "10621", "kind": "year", "y": str(year.year)}
    for page in ("pages/tong_quan.py", "pages/bieu_06.py"):
        at = app(page=page, **link)
        info = "\n".join(i.value for i in at.info)
        assert f"chưa trọn: số liệu tính đến ngày {periods.fmt_date(end)}" in info, page
        assert f"đến {periods.fmt_date(end)}" in at.caption[0].value   # the period's label says it
        assert at.metric and all("Kỳ chưa trọn: " in m.help and periods.fmt_date(end) in m.help for m in at.metric)
    assert "chưa trọn" in at.get("html")[0].value   # the form on screen: the note under its dates


def test_an_old_unit_after_its_end_says_so_and_offers_its_successor(app, data_env):
    end = _data_end(data_env)
    if end <= periods.parse_date("2025-07-01"):
        pytest.skip("the sample ends before the new map: no period after 30/06/2025 to show")
    at = app(page="pages/tong_quan.py", unit="10621", kind="cal_month", y=str(end.year), i=str(end.month), cmp="0")
    assert not at.metric, "no figures for a unit that no longer exists"
    assert any("không còn tồn tại sau 30/06/2025" in w.value for w in at.warning)
    button = at.button(key="to_successor")
    button.click().run()
    assert not at.exception and at.metric
    unit = at.query_params["unit"]
    assert (unit[0] if isinstance(unit, list) else unit) != "10621"
    cmp = at.query_params["cmp"]
    assert (cmp[0] if isinstance(cmp, list) else cmp) == "0"           # the other parameters kept


def test_an_old_unit_after_its_end_with_the_data_end_moved_to_november_2026(app, data_env, monkeypatch):
    """The same over today's sample, with the data end read as 30/11/2026 (the extended sample's):
    the page says the commune no longer exists, shows no figures, and its button opens the successor
    with the other parameters kept."""
    from datetime import date

    from cchc.ui import filters, state
    real = state.data_range
    monkeypatch.setattr(state, "data_range", lambda db: (real(db)[0], date(2026, 11, 30)))
    monkeypatch.setattr(filters, "data_range", state.data_range)
    at = app(page="pages/tong_quan.py", unit="10621", kind="cal_month", y="2025", i="8", cmp="0")
    assert not at.metric and len(at.title) == 1 and at.title[0].value == "Tổng quan"
    assert any("không còn tồn tại sau 30/06/2025" in w.value for w in at.warning)
    assert "Dữ liệu đến 30/11/2026" in [c.value for c in at.sidebar.caption]
    at.button(key="to_successor").click().run()
    assert not at.exception

    def qp(k):
        v = at.query_params[k]
        return v[0] if isinstance(v, list) else v
    assert qp("unit") == "10633" and (qp("kind"), qp("y"), qp("i"), qp("cmp")) == ("cal_month", "2025", "8", "0")


def test_search_finds_both_maps_and_names_old_units_as_old():
    """The search box's options (cchc.ui.filters.search_labels over units_all rows): keys of both maps,
    an old unit whose code a new one reuses as cu-<code>, old units with Unit.label()."""
    import polars as pl

    from cchc.ui import filters
    rows = [
        dict(map="new", code="31", name="Thành phố Hải Phòng", level="province", parent_code=None, province_code="31",
             district_code=None, valid_to=None, successor_code=None, successor_name=None, reused=False),
        dict(map="new", code="10633", name="Xã Trần Phú", level="commune", parent_code="31", province_code="31",
             district_code=None, valid_to=None, successor_code=None, successor_name=None, reused=False),
        dict(map="old", code="10633", name="Xã Trần Phú", level="commune", parent_code="291", province_code="30",
             district_code="291", valid_to=periods.parse_date("2025-06-30"), successor_code="10633",
             successor_name="Xã Trần Phú", reused=True),
        dict(map="old", code="10621", name="Xã Quốc Tuấn", level="commune", parent_code="291", province_code="30",
             district_code="291", valid_to=periods.parse_date("2025-06-30"), successor_code="10633",
             successor_name="Xã Trần Phú", reused=False),
    ]
    labels = filters.search_labels(pl.DataFrame(rows))
    assert list(labels) == ["31", "10633", "cu-10633", "10621"]
    assert labels["10633"] == "Xã Trần Phú — Thành phố Hải Phòng (10633)"
    assert labels["cu-10633"].startswith("Xã Trần Phú (cũ, nay thuộc Xã Trần Phú") and labels["cu-10633"].endswith("(cu-10633)")
    assert "Xã Quốc Tuấn" in labels["10621"] and "(cũ, nay thuộc Xã Trần Phú" in labels["10621"]
    # without the reused column, the key is found from the new map's codes
    assert list(filters.search_labels(pl.DataFrame(rows).drop("reused"))) == ["31", "10633", "cu-10633", "10621"]


def test_an_old_unit_picked_in_the_search_over_a_later_period_gets_its_own_default(app, data_env, monkeypatch):
    from datetime import date

    from cchc.ui import filters, state
    real = state.data_range
    monkeypatch.setattr(state, "data_range", lambda db: (real(db)[0], date(2026, 11, 30)))
    monkeypatch.setattr(filters, "data_range", state.data_range)
    at = app(page="pages/bieu_06.py", unit="10621", kind="year", y="2024")
    assert not at.exception and at.caption[0].value.startswith("Xã Quốc Tuấn")
    at.selectbox(key="f_kind").set_value("cal_year").run()      # its latest complete one: Năm 2024
    assert at.selectbox(key="f_period").value == 2 and not at.warning
    at.selectbox(key="f_period").set_value(0).run()              # Năm 2026: the commune is gone
    assert any("không còn tồn tại" in w.value for w in at.warning)
    _type(at, "f_search", "quốc tuấn nam sách")                 # picked again: its latest complete year
    assert not at.exception
    assert any("Đang hiển thị kỳ Năm 2024" in w.value.replace("\\", "") for w in at.warning)
    to = at.query_params["to"]
    assert periods.parse_date(to[0] if isinstance(to, list) else to) <= date(2025, 6, 30)
    assert "(cũ, nay thuộc" not in at.caption[0].value               # its own map's period: its plain name


# --- issue 16 item 9: speed of opening (docs/performance-app.md) -----------------------------------------
def test_a_deep_link_naming_unit_and_period_does_not_work_out_the_default_view(app, monkeypatch):
    """A new session's link with a unit and a period needs no default selection (the first province
    over its default period): it is worked out only for what the link leaves out."""
    from cchc.ui import state
    calls = []
    real = state._default_selection
    monkeypatch.setattr(state, "_default_selection", lambda db: calls.append(1) or real(db))
    at = app(unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    assert metric_values(at)["Hồ sơ tiếp nhận"] == "3.262" and not calls
    at = app(kind="year", y="2023")  # no unit: the default view's unit, over the link's period
    assert calls and at.caption[0].value.startswith("Thành phố Hải Phòng") and "Năm 2023" in at.caption[0].value


def test_query_cache_keeps_the_most_recent_results_until_they_expire(monkeypatch):
    import polars as pl

    from cchc.ui import state
    cache, made = state.QueryCache(size=2, ttl=100), []

    def make(n):
        return lambda: made.append(n) or pl.DataFrame({"n": [n]})
    assert cache.get(("a",), make(1))["n"][0] == 1
    assert cache.get(("a",), make(9))["n"][0] == 1          # kept: not computed again
    cache.get(("b",), make(2))
    cache.get(("a",), make(9))                               # a used again: b is now the oldest
    cache.get(("c",), make(3))                               # over size: b goes, a stays
    assert cache.get(("a",), make(9))["n"][0] == 1
    assert cache.get(("b",), make(4))["n"][0] == 4           # computed again (and c goes)
    clock = [0.0]
    monkeypatch.setattr(state.time, "monotonic", lambda: clock[0])
    cache = state.QueryCache(size=5, ttl=10)
    cache.get(("a",), make(5))
    clock[0] = 10.5                                          # past its time to live: computed again
    assert cache.get(("a",), make(6))["n"][0] == 6
    assert made == [1, 2, 3, 4, 5, 6]


def test_the_search_lists_the_provinces_and_finds_the_others_by_typing():
    """The search box lists every province of both maps; any unit is found by typed text, with or
    without Vietnamese marks (cchc.ui.filters.search_index). The list does not grow with the units
    under the provinces."""
    import polars as pl

    from cchc.ui import filters
    def row(map_, code, name, level, province, district=None, successor=None, reused=False):
        return dict(map=map_, code=code, name=name, level=level, parent_code=district or (None if level == "province" else province),
                    province_code=province, district_code=district, valid_to=None if map_ == "new" else periods.parse_date("2025-06-30"),
                    successor_code=successor, successor_name=None, reused=reused)
    rows = [row("new", "31", "Thành phố Hải Phòng", "province", "31"),
            row("new", "10633", "Xã Trần Phú", "commune", "31"),
            row("new", "01", "Thành phố Hà Nội", "province", "01"),
            row("new", "00004", "Phường Ba Đình", "commune", "01"),
            row("old", "30", "Tỉnh Hải Dương", "province", "30", successor="31"),
            row("old", "291", "Huyện Nam Sách", "district", "30", successor=None),
            row("old", "10621", "Xã Quốc Tuấn", "commune", "30", "291", successor="10633"),
            row("old", "01", "Thành phố Hà Nội", "province", "01", successor="01", reused=True)]
    s = filters.search_index(pl.DataFrame(rows))
    assert s.provinces == ["31", "01", "30", "cu-01"]               # both maps' provinces, nothing under them
    assert s.matches("quoc tuan") == ["10621"] and s.matches("QUỐC  Tuấn") == ["10621"]
    assert s.matches("ba dinh") == ["00004"] and s.matches("10621") == ["10621"]
    assert s.matches("") == [] and s.matches("zzqxw") == []
    assert filters.fold("Đình") == "dinh"


def _type(at, key: str, text: str):
    """Text typed into a select box that accepts new options, then Enter: the browser sends the text
    itself as the widget's value (AppTest's set_value takes only listed options, so the text is put
    among the element's options first, as the frontend's "Tìm: …" entry does)."""
    box = at.selectbox(key=key)
    box.options.append(text)
    return box.set_value(text).run()


def test_typed_search_selects_one_match_lists_several_and_says_none(app):
    """Enter in the search box with text that is not a listed option: one match is selected, several
    are listed under the box (picking one selects it), none is said; the text is cut and shown as text."""
    at = app(page="pages/tong_quan.py", unit="31")
    _type(at, "f_search", "quoc tuan")          # the old Quốc Tuấn of Nam Sách, and of An Lão
    assert not at.exception
    hits = at.selectbox(key="f_hit")
    assert hits.label.startswith("Kết quả tìm") and len(hits.options) >= 2
    assert any("Xã Quốc Tuấn" in o and "(10621)" in o for o in hits.options)
    hits.set_value("10621").run()
    assert not at.exception and at.query_params["unit"] in ("10621", ["10621"])
    _type(at, "f_search", "tran phu (10633)")    # one match (not the old Trần Phú, cu-10633): selected at once
    assert not at.exception and at.query_params["unit"] in ("10633", ["10633"])
    _type(at, "f_search", "zzqxw")
    assert any("Không tìm thấy đơn vị nào khớp" in c.value for c in at.caption)
    _type(at, "f_search", "**đậm** <b>x</b> " + "a" * 300)
    assert not at.exception
    said = [c.value for c in at.caption if "Không tìm thấy đơn vị nào khớp" in c.value]
    assert said and "**đậm**" not in said[0] and "a" * 81 not in said[0]
