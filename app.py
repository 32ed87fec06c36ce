"""Entry point: `streamlit run app.py`. Page config, navigation, the shared filter bar, the URL."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from cchc import access, coverage, fmt
from cchc.db import DataError
from cchc.ui import auth, pages, state, widgets
from cchc.ui.filters import filter_bar

UI = Path(__file__).parent / "cchc" / "ui"

st.set_page_config(page_title="CCHC — Bảng điều khiển cải cách hành chính", page_icon="📊", layout="wide")
st.html(UI / "style.css")  # a fixed file of the product: cards, sidebar, print
st.session_state["_kpi_long"] = 0  # widgets.kpi numbers the cards with a long value, from 0 each run
st.session_state["_run"] = st.session_state.get("_run", 0) + 1  # widgets.chart: the first view's charts

groups: dict[str, list] = {}
for file, title, url, group, icon in pages.available():
    groups.setdefault(group, []).append(st.Page(file, title=title, url_path=url, icon=icon))
first = next(iter(groups.values()))[0]


def _home() -> None:
    """The root URL opens the first page under its own path, keeping the link's parameters.
    (Streamlit serves the default page at "/" only, so /tong-quan would not resolve if the overview
    itself were the default page.)"""
    st.switch_page(first, query_params=dict(st.query_params))


home = st.Page(_home, title="Trang chủ", url_path=pages.HOME_URL, default=True, visibility="hidden")
nav = st.navigation({"": [home], **groups}, position="top")  # first, so a deep link's page is known early
try:
    root = state.get_db().root  # a missing or unreadable data folder is said here
    ident = auth.gate(root)     # who reads: a signed-in account, the sample's demo, or the sign-in form
    db = state.get_db()         # seen by that identity: a query outside its scope is refused (cchc.access)
    auth.badge(ident, db.root)
    state.sync_from_url(db)   # reads units and dossiers only (the filter bar too)
    filter_bar(db)
    warn = st.session_state.pop("_url_warning", None) if nav.title != home.title else None
    if warn:  # shown on the page itself, not on the root's switch to it
        st.warning(warn)
    state.write_url()
    sel = state.current()
    if nav.title != home.title:  # shown in print only (style.css), at the top of every sheet
        with st.container(key="print_header"):
            st.markdown(f"**{fmt.md(sel.unit.label())}** — {fmt.md(sel.period.label)} — "
                        f"{coverage.data_label(coverage.data_end(db))}")
    if sel.gone and nav.title != home.title:  # an old unit after its end: its message, no figures
        widgets.gone(db, sel, nav.title)
    elif not ident.covers(db, sel.unit) and nav.title != home.title:  # a link to a unit outside the scope
        auth.outside(ident, sel.unit, nav.title)
    else:
        nav.run()
except access.AccessError as e:  # a figure of a unit outside the scope asked for (rankings over a wider area)
    st.warning(fmt.md(str(e)), icon=":material/lock:")
except DataError as e:  # e.g. a damaged table (cchc.db.DamagedTableError): what reads it says so, the rest works
    st.error(fmt.md(str(e)), icon=":material/error:")
