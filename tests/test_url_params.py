"""Issue 12, "no link that crashes": every URL parameter goes through cchc.params (one table, one
parser), an unusable value becomes the default with a Vietnamese warning, a custom range is clamped
to the dates the picker offers, and text from the link is never rendered as markdown.

Regression tests replay the links that crashed (real AppTest runs of app.py over the sample); unit
tests pin the parser down; a Hypothesis fuzz test drives every page with arbitrary values of every
parameter it reads and checks that nothing breaks and the data directory is left as it was.
"""
from __future__ import annotations

import hashlib
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc import fmt, params, periods, scoring
from cchc.views import chi_so as iv
from cchc.views import hai_long as satisfaction
from cchc.views import ho_so as drill
from cchc.views import tong_quan as overview
from cchc.views.ho_so import ALL, Drill
from cchc.ui import pages as ui_pages

ROOT = Path(__file__).resolve().parent.parent
QT = {"unit": "10621", "from": "2022-12-10", "to": "2023-12-09"}
EVIL = "[Đăng nhập lại](https://evil.example)"
TITLES = {file: title for file, title, *_ in ui_pages.PAGES}


def qp(at, key: str) -> str | None:
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


def markdown_bodies(at) -> list[str]:
    """Everything on the page that Streamlit renders as markdown."""
    out = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title")
           for e in at.get(kind)]
    out += [b.label for b in at.button] + [m.label for m in at.metric]
    out += [h for m in at.metric if (h := m.help)]
    return out


def assert_page_ok(at, page: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1 and at.title[0].value.startswith(TITLES[page]), [t.value for t in at.title]


def assert_no_live_link(at) -> None:
    """No link in any markdown body: no '](' and no '<a' that a backslash does not make literal."""
    for body in markdown_bodies(at):
        assert not re.search(r"(?<!\\)\]\(|(?<!\\)<a\b", body), body


# --- the links that crashed -----------------------------------------------------------------------
def test_range_starting_before_2020_is_clamped_and_follows_to_every_page(app, db):
    at = app(page="pages/tong_quan.py", unit="10621", **{"from": "2019-12-31", "to": "2023-12-09"})
    assert_page_ok(at, "pages/tong_quan.py")
    assert "nằm ngoài khoảng ngày có thể chọn" in warnings(at)
    hi = params.date_window(*db.run("data_range").row(0))[1]          # 31/12 of the year after the data end
    assert f"01/01/2020 – {periods.fmt_date(hi)}" in warnings(at)
    assert at.date_input(key="f_range").value == (date(2020, 1, 1), date(2023, 12, 9))
    assert (qp(at, "from"), qp(at, "to")) == ("2020-01-01", "2023-12-09")  # the link names what is shown
    for page in TITLES:  # the clamped range follows the user: every page draws its picker inside min/max
        at.switch_page(page).run()
        assert_page_ok(at, page)
        assert at.date_input(key="f_range").value == (date(2020, 1, 1), date(2023, 12, 9))


def test_range_ending_after_the_window_is_clamped_then_clipped_to_the_data_end(app, db):
    first, last = db.run("data_range").row(0)
    hi = params.date_window(first, last)[1]
    at = app(page="pages/ho_so.py", unit="10621", **{"from": "2025-01-01", "to": (hi + timedelta(days=60)).isoformat()})
    assert_page_ok(at, "pages/ho_so.py")
    assert f"đang hiển thị từ 01/01/2025 đến {periods.fmt_date(hi)}" in warnings(at).replace("\\", "")
    # the figures stop on the data end (or on 30/06/2025, the old commune's last day): the picker shows so
    end = min(last, date(2025, 6, 30))
    assert at.date_input(key="f_range").value == (date(2025, 1, 1), end)
    assert (qp(at, "from"), qp(at, "to")) == ("2025-01-01", hi.isoformat())  # the link keeps the range asked


def test_range_wholly_outside_becomes_one_day_at_the_edge(app):
    at = app(page="pages/bieu_06.py", unit="10621", **{"from": "1800-01-01", "to": "1800-02-01"})
    assert_page_ok(at, "pages/bieu_06.py")
    assert at.date_input(key="f_range").value == (date(2020, 1, 1), date(2020, 1, 1))
    assert any("Dữ liệu hiện có từ" in i.value for i in at.info)


def test_named_period_outside_the_window_then_custom_stays_inside(app):
    at = app(page="pages/tong_quan.py", unit="10621", kind="cal_year", y="1950")
    assert_page_ok(at, "pages/tong_quan.py")
    at.selectbox(key="f_kind").set_value("custom").run()
    assert not at.exception
    assert at.date_input(key="f_range").value == (date(2020, 1, 1), date(2020, 1, 1))


def test_page_number_past_bigint(app):
    at = app(page="pages/ho_so.py", **QT, field=ALL, proc=ALL, pg="1000000000000000000")
    assert_page_ok(at, "pages/ho_so.py")
    assert "Tham số “pg”" in warnings(at)
    assert any("Trang 1 /" in c.value for c in at.caption)


@pytest.mark.parametrize("page, extra", [
    ("pages/so_lieu.py", {"nam": "²"}),
    ("pages/tu_danh_gia.py", {"nam": "²"}),
    ("pages/ho_so.py", {"field": ALL, "proc": ALL, "pg": "²"}),
    ("pages/chi_so.py", {"ind": "2.1", "pg": "²"}),
    ("pages/so_lieu.py", {"nam": "١٢"}),
])
def test_unicode_digits(app, page, extra):
    at = app(page=page, **QT, **extra)
    assert_page_ok(at, page)
    name = next(k for k, v in extra.items() if v in ("²", "١٢"))
    assert f"Tham số “{name}”" in warnings(at)
    assert "chữ số 0–9" in warnings(at)


@pytest.mark.parametrize("page, extra", [
    ("pages/tong_quan.py", {"kind": "year", "y": "9" * 5000}),
    ("pages/tong_quan.py", {"unit": "9" * 5000}),
    ("pages/so_lieu.py", {"nam": "9" * 5000}),
    ("pages/tu_danh_gia.py", {"nam": "1" + "0" * 4999}),
    ("pages/ho_so.py", {"field": ALL, "proc": ALL, "pg": "9" * 5000}),
    ("pages/chi_so.py", {"ind": "2.1", "pg": "9" * 5000}),
])
def test_huge_digit_strings(app, page, extra):
    at = app(page=page, **{**QT, **extra})
    assert_page_ok(at, page)
    name = next(k for k, v in extra.items() if len(v) > 100)
    assert f"Tham số “{name}”" in warnings(at)


def test_markdown_in_field_is_shown_as_text(app):
    at = app(page="pages/ho_so.py", **QT, field=EVIL)
    assert_page_ok(at, "pages/ho_so.py")
    crumb = next(m.value for m in at.markdown if "Đăng nhập lại" in m.value)
    assert crumb == "**" + fmt.md(EVIL) + "**" and "\\[" in crumb
    info = next(i.value for i in at.info if "Đăng nhập lại" in i.value)
    assert fmt.md(EVIL) in info
    assert_no_live_link(at)


def test_markdown_in_field_of_a_list_and_html_in_chart_titles(app):
    at = app(page="pages/ho_so.py", **QT, field='<a href="https://evil.example">x</a>', proc=ALL)
    assert_page_ok(at, "pages/ho_so.py")
    assert_no_live_link(at)
    for chart in at.get("plotly_chart"):  # plotly titles read <a href>: the field is escaped there
        assert "<a href" not in chart.proto.spec


def test_markdown_in_search_and_procedure(app):
    at = app(page="pages/ho_so.py", **QT, field=ALL, proc=ALL, q="[x](https://evil.example)")
    assert_page_ok(at, "pages/ho_so.py")
    assert any("\\[x\\]\\(https\\://evil\\.example\\)" in i.value for i in at.info)
    assert_no_live_link(at)
    at = app(page="pages/ho_so.py", **QT, proc=EVIL)
    assert_page_ok(at, "pages/ho_so.py")
    assert any(m.value == "**" + fmt.md(EVIL) + "**" for m in at.markdown)
    assert_no_live_link(at)


def test_markdown_in_warnings_is_escaped(app):
    at = app(page="pages/hai_long.py", **{**QT, "unit": EVIL, "xep": EVIL})
    assert_page_ok(at, "pages/hai_long.py")
    assert "Đường dẫn không dùng được" in warnings(at) and "Tham số “xep”" in warnings(at)
    assert fmt.md(EVIL) in warnings(at)
    assert_no_live_link(at)


def test_bad_page_choices_fall_back_with_a_warning(app):
    at = app(page="pages/tong_quan.py", **{**QT, "unit": "30"}, by="x", all="2")
    assert_page_ok(at, "pages/tong_quan.py")
    assert "Tham số “by”" in warnings(at) and "Tham số “all”" in warnings(at)
    assert at.radio(key="ov_by").value == "on_time_rate" and at.toggle(key="ov_all").value is False
    assert qp(at, "by") is None and qp(at, "all") is None  # the link no longer carries them
    at = app(page="pages/chi_so.py", **QT, idx="khong-co", xu="tuan", ind="9.9")
    assert_page_ok(at, "pages/chi_so.py")
    for name in ("idx", "xu", "ind"):
        assert f"Tham số “{name}”" in warnings(at)


def test_good_page_parameters_still_work(app):
    at = app(page="pages/so_lieu.py", **QT, nam="2022")
    assert_page_ok(at, "pages/so_lieu.py")
    assert "Tham số" not in warnings(at)
    assert next(s for s in at.selectbox if s.label == "Năm báo cáo").value == 2022 and qp(at, "nam") == "2022"
    at = app(page="pages/hai_long.py", **QT, xep=satisfaction.M766)
    assert at.radio(key="hl_rank").value == satisfaction.M766 and "Tham số" not in warnings(at)
    at = app(page="pages/ho_so.py", **QT, field="Hộ tịch", proc=ALL, q="23", pg="2", ct="2.1")
    assert_page_ok(at, "pages/ho_so.py")
    assert "Tham số" not in warnings(at)
    assert at.selectbox(key="hs_766").value == "2.1" and at.text_input(key="hs_q").value == "23"
    assert (qp(at, "field"), qp(at, "proc"), qp(at, "q"), qp(at, "ct")) == ("Hộ tịch", ALL, "23", "2.1")


# --- cchc.params without Streamlit ------------------------------------------------------------------
def one(name: str, raw, allowed=None):
    return params.parse_one(params.PARAMS[name], raw, allowed)


def test_int_bounds():
    assert one("pg", "7") == (7, True, None) and one("pg", " 7 ") == (7, True, None)
    assert one("pg", None) == (1, False, None) and one("pg", "") == (1, False, None)
    for bad in ("0", "-4", "+3", "1000001", "3.0", "1e3", "0x10", "7 7"):
        v, given, w = one("pg", bad)
        assert (v, given) == (1, False) and w.startswith("Tham số “pg” (trang)"), bad
    assert one("pg", str(params.MAX_PAGE))[0] == params.MAX_PAGE
    assert one("cut", "28")[0] == 28 and one("cut", "29")[2] and one("cut", "1")[2]
    assert one("y", "2023")[0] == 2023 and one("y", "1899")[2] and one("y", "2101")[2]
    assert one("i", "12")[0] == 12 and one("i", "13")[2]
    assert one("nam", "2022", allowed=[2021, 2022]) == (2022, True, None)
    assert one("nam", "2020", allowed=[2021, 2022])[:2] == (None, False)


@pytest.mark.parametrize("digits", ["²", "²³", "١٢", "１２", "𝟗", "৩", "Ⅻ", "½"])
def test_unicode_digits_are_refused(digits):
    assert digits.isdigit() or digits.isnumeric()  # what str.isdigit() let through before
    for name in ("pg", "nam", "y", "i", "cut"):
        v, given, w = one(name, digits)
        assert not given and v == params.PARAMS[name].default and "chữ số 0–9" in w
    assert not one("unit", digits * 2)[1] and one("from", "２０２３-01-01")[1] is False


def test_huge_digit_strings_never_reach_int():
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)  # the smallest limit Python allows: int() of 641 digits raises
    try:
        for s in ("9" * 641, "9" * 1999, "9" * 5000, "1" + "0" * 100_000):
            for name in ("pg", "y", "nam"):
                v, given, w = one(name, s)
                assert not given and w
        assert one("pg", "0" * 1500 + "7")[0] == 7  # leading zeros do not count as digits
        assert periods.from_params({"kind": "year", "y": "2023"}).year == 2023
        with pytest.raises(periods.PeriodError):
            periods.from_params({"kind": "year", "y": "9" * 5000})
    finally:
        sys.set_int_max_str_digits(old)


def test_text_lengths_and_control_characters():
    assert one("field", "Hộ tịch") == ("Hộ tịch", True, None)
    assert one("field", "x" * 200)[1] and not one("field", "x" * 201)[1]
    assert one("proc", "x" * 61)[0] is None
    q, given, w = one("q", "a" * 50)
    assert q == "a" * params.MAX_SEARCH == "a" * drill.MAX_SEARCH and given and "dài quá 40 ký tự" in w
    assert one("q", " 2307 ") == ("2307", True, None) and one("q", None) == ("", False, None)
    for bad in ("a\x00b", "a\nb", "x\x1b[31m"):
        assert one("field", bad)[:2] == (None, False)
    assert not one("field", "x" * (params.MAX_RAW + 1))[1]
    assert params.shown("x" * 100) == "x" * (params.SHOWN - 1) + "…" and params.shown("a\x00b") == "a b"
    assert params.raw_text(["1", "2"]) == "2" and params.raw_text([]) is None and params.raw_text("  ") is None


def test_unit_codes():
    for good in ("30", "291", "10621", "cu-10633", "CU-31", "cu-291"):   # cu-: an old unit a new one reuses
        assert one("unit", good) == (good, True, None)
    for bad in ("1", "1062", "106210", "1062a", "²²", "10 621", EVIL, "cu-", "cu-1", "cu10633", "moi-10633",
                "cu-106330"):
        assert one("unit", bad)[:2] == (None, False), bad


# --- issue 14: a period the data do not reach -------------------------------------------------------
def test_custom_range_after_the_data_end_is_refused(app, db):
    last = db.run("data_range").row(0)[1]
    start = last + timedelta(days=1)
    at = app(page="pages/bieu_06.py", unit="10621", **{"from": start.isoformat(), "to": (start + timedelta(days=9)).isoformat()})
    assert_page_ok(at, "pages/bieu_06.py")
    text = warnings(at).replace("\\", "")
    assert "bắt đầu sau ngày cuối có dữ liệu" in text and f"dữ liệu chỉ có đến {periods.fmt_date(last)}" in text
    assert qp(at, "from") != start.isoformat()            # the link now names the default period
    assert periods.parse_date(qp(at, "to")) <= last


def test_period_picker_offers_nothing_after_the_data_end(app, db):
    last = db.run("data_range").row(0)[1]
    at = app(page="pages/tong_quan.py", unit="10621", kind="month", y=str(last.year), i=str(last.month))
    assert_page_ok(at, "pages/tong_quan.py")
    labels = at.selectbox(key="f_period").options
    starts = [periods.parse_date(re.search(r"\((\d\d/\d\d/\d{4}) – ", t).group(1)) for t in labels]
    assert labels and max(starts) <= last
    # the newest month reaches past the data end (cut-off 10: it ends on the 9th): labelled so
    assert "dữ liệu đến" in labels[0] or "đơn vị tồn tại đến" in labels[0] or starts[0] <= last
    at.selectbox(key="f_kind").set_value("custom").run()
    assert not at.exception and at.date_input(key="f_range").value[1] <= last


def test_choices():
    assert one("kind", "cal_month")[0] == "cal_month" and one("kind", "bogus")[:2] == (None, False)
    assert one("cmp", "0")[0] == "0" and one("cmp", "2")[:2] == ("1", False)
    assert one("xu", "quy")[0] == "quy" and one("xu", "tuan")[0] == "thang"
    assert one("ct", "2.1", allowed=["2.1", "3.3"])[0] == "2.1" and one("ct", "9.9", allowed=["2.1"])[0] is None
    assert one("idx", "766", allowed=scoring.list_indexes())[0] == "766"
    # the fixed lists are the modules' own
    assert params.PARAMS["kind"].choices == tuple(periods.KINDS)
    assert params.PARAMS["xu"].choices == tuple(iv.TREND_KINDS)
    assert params.PARAMS["xep"].choices == tuple(satisfaction.RANK_BY)
    assert params.PARAMS["by"].choices == tuple(overview.RANK_METRICS)


def test_dates():
    assert one("from", "2019-12-31")[0] == date(2019, 12, 31) == one("from", "31/12/2019")[0]
    for bad in ("2023-02-30", "2023-13-01", "hôm qua", "2023-1-1x", "20231-01-01", "0000-01-01", "2023-01-01T00"):
        assert one("from", bad)[:2] == (None, False), bad


def test_window_and_clamp():
    lo, hi = params.date_window(date(2021, 1, 2), date(2025, 6, 30))
    assert (lo, hi) == (date(2020, 1, 1), date(2026, 12, 31))
    assert params.clamp_range(date(2022, 1, 1), date(2022, 2, 1), lo, hi) == (date(2022, 1, 1), date(2022, 2, 1), None)
    s, e, note = params.clamp_range(date(2019, 12, 31), date(2023, 12, 9), lo, hi)
    assert (s, e) == (date(2020, 1, 1), date(2023, 12, 9)) and "31/12/2019" in note and "01/01/2020" in note
    assert params.clamp_range(date(2024, 1, 1), date(2030, 1, 1), lo, hi)[:2] == (date(2024, 1, 1), hi)
    assert params.clamp_range(date(1, 1, 1), date(1, 1, 2), lo, hi)[:2] == (lo, lo)
    assert params.clamp_range(date(9999, 1, 1), date(9999, 12, 31), lo, hi)[:2] == (hi, hi)
    assert params.date_window(date(1, 1, 1), date(9999, 12, 31)) == (date(1, 1, 1), date(9999, 12, 31))


def test_period_from_parsed_values():
    v = params.parse(params.SHARED, {"kind": "year", "y": "2023", "cut": "10"})
    assert params.period(v) == periods.official_year(2023, 10)
    v = params.parse(params.SHARED, {**QT, "kind": "bogus", "y": "²"})
    assert params.period(v) == periods.custom(date(2022, 12, 10), date(2023, 12, 9)) and len(v.warnings) == 2
    with pytest.raises(periods.PeriodError):
        params.period(params.parse(params.SHARED, {"from": "2023-12-09", "to": "2022-12-10"}))
    with pytest.raises(periods.PeriodError):
        params.period(params.parse(params.SHARED, {"from": "2023-02-30", "to": "2023-12-09"}))


def test_drill_from_hostile_params():
    d = Drill.from_params({"field": EVIL, "pg": "1000000000000000000", "q": "x" * 99}.get)
    assert (d.field, d.page, d.q) == (EVIL, 1, "x" * drill.MAX_SEARCH)
    assert Drill.from_params({"pg": "²"}.get).page == 1 and Drill.from_params({"pg": "9" * 5000}.get).page == 1
    assert Drill.from_params({"field": "a\x00"}.get).level == 0


def test_every_page_declares_its_parameters():
    assert set(params.PAGES) == {file for file, *_ in ui_pages.PAGES}
    declared = set(params.SHARED).union(*params.PAGES.values())
    assert declared == set(params.PARAMS)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(params.PARAMS)),
       raw=st.one_of(st.none(), st.text(max_size=60), st.integers().map(str), st.lists(st.text(max_size=5))))
def test_parse_never_raises(name, raw):
    p = params.PARAMS[name]
    v, given, w = params.parse_one(p, raw)
    assert given or v == p.default
    assert w is None or (isinstance(w, str) and w.startswith("Tham số") and len(w) < 400)
    if given and p.kind == "int":
        assert type(v) is int and p.lo <= v <= p.hi
    if given and p.kind == "text":
        assert len(v) <= p.max_len


# --- fuzz: every page, every parameter it reads ---------------------------------------------------
HOSTILE = ["", " ", "²", "١٢", "𝟗", "-1", "0", "1", "2", "13", "1000000000000000000", "9" * 5000, "0" * 3000 + "1",
           EVIL, "<a href='https://evil.example'>x</a>", "**x**", "*", "\\", "%", "_", "$x$", ":red[x]",
           "2019-12-31", "2027-01-01", "0001-01-01", "9999-12-31", "31/12/2019", "2023-02-30",
           "year", "custom", "cal_month", "quarter", "10621", "291", "30", "99999",
           "2.1", "766", "thang", "nam", "m766", "digitised_input_rate", "Hộ tịch", "XA.HT.002", "2022", "2023"]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers(-10**25, 10**25).map(str),
                   st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str))
BASES = [{}, QT, {**QT, "unit": "291"}, {"unit": "30", "kind": "year", "y": "2023"}]


def _signature(root: Path) -> tuple:
    return tuple(sorted((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in root.rglob("*") if p.is_file()))


def _checksum(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(root)).encode())
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


@pytest.mark.parametrize("page", [file for file, *_ in ui_pages.available()])
def test_fuzz_every_page(data_env, page):
    from apptest_util import open_page

    names = params.SHARED + params.PAGES[page]
    before, signature = _checksum(data_env), _signature(data_env)

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(base=st.sampled_from(BASES), link=st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)))
    def run(base, link):
        query = {**base, **link}
        at = open_page(page, query)
        assert not at.exception, (query, [e.value for e in at.exception])
        for node in at._tree:
            assert "Traceback" not in str(getattr(node, "proto", "")), query
        assert at.title and at.title[0].value.startswith(TITLES[page]), query
        assert _signature(data_env) == signature, query

    run()
    assert _checksum(data_env) == before


def test_a_link_to_an_old_unit_by_key_and_alone(app, db):
    """?unit=cu-<code> names the old unit whose code a new one reuses; a link naming only an old unit
    opens its default period: the latest complete official year before its end."""
    from cchc import units
    old = units.resolve(db, "10621")
    at = app(page="pages/tong_quan.py", unit="10621")
    assert_page_ok(at, "pages/tong_quan.py")
    end = periods.parse_date(qp(at, "to"))
    assert qp(at, "kind") == "year" and end <= min(old.valid_to or end, db.run("data_range").row(0)[1])
    assert at.metric and not warnings(at)
    reused = db.run("units_all")
    if "reused" in reused.columns and reused.filter(reused["reused"]).height:
        code = reused.filter(reused["reused"] & (reused["level"] == "commune"))["code"][0]
        at = app(page="pages/tong_quan.py", unit=f"cu-{code}")
        assert_page_ok(at, "pages/tong_quan.py")
        assert qp(at, "unit") == f"cu-{code}" and not warnings(at)
