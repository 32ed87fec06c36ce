"""Drawing helpers shared by the pages: KPI cards, charts with their PNG download, empty states, the
partial-period note and the page of an old unit over a period after its end."""
from __future__ import annotations

from typing import Callable

import plotly.graph_objects as go
import streamlit as st

from cchc import charts, fmt, periods, units

from . import serve
from .state import CachedDatabase, Selection, current, resolve_unit, set_selection, with_unit


# The first view of a browser session draws its charts as SVG on the server (cchc.charts.screen_svg):
# the browser shows them as images, without Plotly's script (docs/performance-app.md). From the
# session's next run on, charts are Plotly's, interactive (hover values), by then fetched by the page
# (cchc/ui/serve.py). The SVG is drawn at the width of the page's main column, worked out from the
# browser's width (the cookie serve.VIEWPORT_COOKIE) and Streamlit's wide layout as measured in
# Chromium (360–2560 px): below SIDEBAR_BELOW px the sidebar is hidden and the column has 32 px of padding
# a side; above, the sidebar takes SIDEBAR_PX (style.css: min(24rem, 100vw)), and the padding is 80 px a
# side when more than WIDE_MAIN px remain. The image is stretched to the column, so an estimate a few
# px off only scales it.
SIDEBAR_BELOW, SIDEBAR_PX, WIDE_MAIN = 769, 384, 900
NARROW_PAD, WIDE_PAD = 32, 80
VIEWPORT_PX = (240, 7680)        # widths a cookie may give; anything else is ignored


def viewport_width(raw: str | None) -> int | None:
    """The browser's width from the cookie's text: digits only, within VIEWPORT_PX; else None."""
    if not raw or len(raw) > 4 or not raw.isascii() or not raw.isdigit():
        return None
    w = int(raw)
    return w if VIEWPORT_PX[0] <= w <= VIEWPORT_PX[1] else None


def main_width(viewport: int) -> int:
    """Width in CSS px of a full-width chart in the main column of a page `viewport` px wide."""
    if viewport < SIDEBAR_BELOW:
        return viewport - 2 * NARROW_PAD
    main = viewport - SIDEBAR_PX
    return main - 2 * (WIDE_PAD if main > WIDE_MAIN else NARROW_PAD)


def _first_view_width() -> int | None:
    """The width to draw this run's charts at on the server, or None for Plotly's interactive charts:
    only in the session's first run that draws a chart, for a browser that gave its width."""
    if not serve.server_charts():
        return None
    run = st.session_state.get("_run", 0)
    if st.session_state.setdefault("_first_chart_run", run) != run:
        return None
    try:
        raw = st.context.cookies.get(serve.VIEWPORT_COOKIE)
    except Exception:  # noqa: BLE001 - no browser request behind this run (AppTest, a bare script)
        return None
    w = viewport_width(raw)
    return max(VIEWPORT_PX[0], main_width(w)) if w else None


def chart(fig: go.Figure, name: str, sel: Selection, key: str, on_select: str | Callable = "ignore",
          selection_mode=("points",)):
    """Draw a figure (its own style, not Streamlit's theme) with one row of buttons saving it as a
    1920 × 1080 PNG, an SVG or a PDF (cchc.charts.to_image: the export's minimum font sizes), named
    after the chart, the unit and the period; each file is drawn only when its button is pressed.
    On a session's first view, as an SVG drawn on the server (above), unless it is clicked (on_select).
    Returns the selection state when on_select is set."""
    width = _first_view_width() if on_select == "ignore" else None
    svg = charts.screen_svg(fig, width) if width else None
    if svg is not None:
        with st.container(key=f"{serve.STATIC_KEY}{key}"):
            st.image(svg.decode("utf-8"), width="stretch", alt=charts.alt_text(fig))
        event = None
    else:
        event = st.plotly_chart(fig, theme=None, key=f"chart_{key}", on_select=on_select,
                                selection_mode=selection_mode if on_select != "ignore" else ("points", "box", "lasso"),
                                config={"displaylogo": False, "locale": "vi", "displayModeBar": False},
                                alt=charts.alt_text(fig))
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for kind, label in (("png", "Tải ảnh PNG"), ("svg", "Tải SVG"), ("pdf", "Tải PDF")):
            st.download_button(label, data=lambda kind=kind: charts.to_image(fig, kind), mime=charts.FORMATS[kind],
                               key=f"{kind}_{key}", on_click="ignore", icon=":material/download:", type="tertiary",
                               file_name=charts.file_name(name, sel.unit.name, sel.period.file_label, kind))
    return event


LONG_VALUE = 12  # characters: longer card values are drawn smaller (.st-key-kpi_long_<n> in style.css)


def kpi(col, label: str, value: str, delta: str | None = None, higher_is_better: bool | None = True,
        help: str | None = None) -> None:
    """A KPI card: value, change against the same period a year earlier (coloured by whether
    higher is better), and an optional note (target, threshold); for a clipped period the note ends
    with where the figures stop ("Kỳ chưa trọn: dữ liệu đến 30/11/2026.")."""
    color = "normal" if higher_is_better is True else "inverse" if higher_is_better is False else "off"
    sel = st.session_state.get("selection")
    if sel is not None and sel.period.partial:  # every card of a clipped period says where it stops
        note = f"Kỳ chưa trọn: {sel.period.coverage_note}."
        help = f"{help}\n\n{note}" if help else note
    unchanged = bool(delta) and delta.lstrip().startswith(("±", "+0 ", "0 "))
    if len(value) > LONG_VALUE:  # a text value (a band "Nhóm C (70 – dưới 80 %)"): style.css sets it smaller
        n = st.session_state.get("_kpi_long", 0) + 1
        st.session_state["_kpi_long"] = n  # app.py starts each run at 0
        col = col.container(key=f"kpi_long_{n}")
    col.metric(label, value, delta=delta, delta_color="off" if unchanged else color,
               delta_arrow="off" if unchanged else "auto", help=help, border=True)


def empty(message: str = "Không có hồ sơ nào cho đơn vị và kỳ đã chọn.") -> None:
    st.info(message, icon=":material/info:")


def _metric_sign(text: str) -> str:
    """st.metric reads the direction from a leading ASCII '-': use it instead of the typographic minus."""
    return "-" + text[1:] if text.startswith("−") else text


def delta_count(now: int | None, before: int | None) -> str | None:
    if now is None or before is None:
        return None
    return _metric_sign(fmt.signed_number(now - before)) + " so với cùng kỳ"


def delta_rate(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    return _metric_sign(fmt.signed_percent_points(now - before)) + " so với cùng kỳ"


def partial_text(p: periods.Period) -> str | None:
    """The note of a clipped period (plain text), None for a whole one."""
    if not p.partial:
        return None
    why = ("ngày cuối có dữ liệu" if p.clip_reason == "data" else
           "ngày cuối đơn vị tồn tại, trước sắp xếp đơn vị hành chính 01/07/2025")
    return (f"Kỳ {p.short_label} ({periods.fmt_date(p.start)} – {periods.fmt_date(p.nominal_end)}) chưa trọn: "
            f"số liệu tính đến ngày {periods.fmt_date(p.end)} ({why}); hồ sơ chưa giải quyết được xét quá hạn "
            f"tại ngày này.")


def partial_note(sel: Selection) -> None:
    """Say on the page that the figures stop before the period's end, and that a new unit's figures
    before 01/07/2025 are approximate where a divided old commune is involved (docs/units.md)."""
    text = partial_text(sel.period)
    if text:
        st.info(text, icon=":material/hourglass_bottom:")
    approx = sel.unit.approximate_note
    if approx and sel.period.start < units.MAP_CHANGE:
        st.info(approx, icon=":material/call_split:")


def _to_successor(db: CachedDatabase, key: str) -> None:
    set_selection(with_unit(db, current(), resolve_unit(db, key)))


def gone(db: CachedDatabase, sel: Selection, title: str) -> None:
    """An old unit over a period starting after its end: the page's title, the unit's message and
    a button to its successor (?unit=<successor> with the other parameters kept); no figures."""
    st.title(title)
    st.caption(fmt.md(sel.unit.label()) + " — " + sel.period.label)
    st.warning(fmt.md(sel.unit.gone_message()), icon=":material/history:")
    if sel.unit.successor_code:
        st.button(fmt.md(f"Xem {sel.unit.successor_name or sel.unit.successor_code} (mã {sel.unit.successor_code})"),
                  key="to_successor", icon=":material/arrow_forward:", on_click=_to_successor,
                  args=(db, sel.unit.successor_code))
    else:
        st.info("Hãy chọn một kỳ trước ngày đơn vị ngừng tồn tại hoặc một đơn vị đang tồn tại.")
