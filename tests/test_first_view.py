"""The first view's charts drawn on the server (issue 16 item 9; cchc.charts.screen_svg,
cchc.ui.widgets.chart, the script cchc/ui/serve.py adds to index.html). The browser side, where the
first view shows them as images and the next run draws Plotly's charts, is in
tests/test_browser_first_view.py."""
from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from cchc import charts
from cchc.ui import serve, widgets


def test_the_index_script_is_in_the_served_copy(tmp_path):
    out = serve.translated_static(tmp_path)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count(f'document.cookie = "{serve.VIEWPORT_COOKIE}="') == 1
    [chunk] = re.findall(r'import\("\./(static/js/PlotlyChart\.[\w-]+\.js)"\)', html)
    assert (out / chunk).is_file()                      # the chunk Streamlit's frontend loads for a chart
    assert "BACKEND_BASE_URL" in html and '"tong-quan"' in html and '"trang-chu"' in html
    assert "beforeprint" in html                        # print.js, once
    assert html.index("BACKEND_BASE_URL") < html.index("</head>")


def test_a_streamlit_without_its_plotly_chunk_stops_the_start(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    with pytest.raises(serve.TranslationError, match="PlotlyChart"):
        serve.index_script(tmp_path)
    for name in ("PlotlyChart.a1.js", "PlotlyChart.b2.js"):
        (tmp_path / "static" / "js" / name).write_text("", encoding="utf-8")
    with pytest.raises(serve.TranslationError, match="có 2"):
        serve.index_script(tmp_path)
    with pytest.raises(serve.TranslationError, match="</head>"):
        serve.with_index_script("<html><body></body></html>", "<script></script>")


@pytest.mark.parametrize("raw,expected", [("1024", 1024), ("390", 390), ("7680", 7680), (None, None), ("", None),
                                          ("239", None), ("7681", None), ("99999", None), ("-500", None),
                                          ("1e3", None), ("１０２４", None), ("1024; x=1", None), ("abc", None)])
def test_the_width_cookie_is_digits_within_bounds(raw, expected):
    assert widgets.viewport_width(raw) == expected


# The width of a full-width chart in the main column, measured in Chromium (Streamlit 1.67, style.css's
# sidebar) on 05/12/2026 for these window widths.
MEASURED = {360: 296, 390: 326, 640: 576, 767: 703, 768: 704, 800: 352, 1024: 576, 1100: 652, 1280: 832,
            1290: 746, 1440: 896, 1600: 1056, 1920: 1376, 2560: 2016}


def test_the_main_column_width_follows_streamlits_layout():
    assert {w: widgets.main_width(w) for w in MEASURED} == MEASURED


def _figure(title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=["Hộ tịch", "Chứng thực"], y=[3, 5]))
    return charts.finish(charts.style(fig, title, subtitle="Xã Quốc Tuấn — Năm 2023", height=320))


def test_a_chart_is_drawn_once_per_figure_and_width_and_never_waits_for_a_busy_renderer():
    charts._ensure_server()
    fig = _figure("Hồ sơ theo lĩnh vực")
    before = charts.screen_renders
    svg = charts.screen_svg(fig, 576)
    assert svg is not None and charts.screen_renders == before + 1
    text = svg.decode("utf-8")
    assert text.startswith("<svg") and 'width="576"' in text and 'height="320"' in text
    assert "Hồ sơ theo lĩnh vực" in text and "Chứng thực" in text       # Vietnamese text as text
    assert charts.screen_svg(_figure("Hồ sơ theo lĩnh vực"), 576) == svg  # the same figure: kept
    assert charts.screen_renders == before + 1
    assert charts.screen_svg(fig, 832) != svg and charts.screen_renders == before + 2  # another width
    with charts._render_lock:  # the renderer busy (an export): the interactive chart is drawn instead
        assert charts.screen_svg(_figure("Khác"), 576, wait=0.05) is None
    assert charts.screen_renders == before + 2


def test_a_memo_builder_keeps_its_figure_per_arguments_and_builds_again_for_other_rows():
    import polars as pl

    built = []

    @charts.memo
    def bars(df: pl.DataFrame, title: str) -> go.Figure:
        built.append(title)
        return _figure(title)

    a = pl.DataFrame({"field": ["Hộ tịch", "Chứng thực"], "n": [3, 5]})
    first = bars(a, "Hồ sơ")
    assert bars(pl.DataFrame({"field": ["Hộ tịch", "Chứng thực"], "n": [3, 5]}), "Hồ sơ") is first  # equal rows
    assert bars(a.with_columns(n=pl.Series([3, 6])), "Hồ sơ") is not first                      # one value differs
    assert bars(a, "Hồ sơ khác") is not first
    assert bars(a.cast({"n": pl.Float64}), "Hồ sơ") is not first                                # another type
    assert built == ["Hồ sơ", "Hồ sơ", "Hồ sơ khác", "Hồ sơ"]
