"""Entry point: `streamlit run app.py`. Page config, navigation, the shared filter bar, the URL."""
from __future__ import annotations

import streamlit as st

from cchc.ui import state
from cchc.ui.filters import filter_bar

st.set_page_config(page_title="CCHC — Bảng điều khiển cải cách hành chính", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/tong_quan.py", title="Tổng quan", url_path="tong-quan", default=True),
    st.Page("pages/ho_so.py", title="Hồ sơ TTHC", url_path="ho-so"),
    st.Page("pages/bieu_06.py", title="Biểu 06", url_path="bieu-06"),
]

db = state.get_db()
nav = st.navigation(PAGES)
state.sync_from_url(db)
sel = filter_bar(db)
warn = st.session_state.pop("_url_warning", None)
if warn:
    st.warning(warn)
state.write_url()
nav.run()
