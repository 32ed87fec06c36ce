"""Entry point: `streamlit run app.py`. Page config, navigation, the shared filter bar, the URL."""
from __future__ import annotations

import streamlit as st

from cchc.ui import pages, state
from cchc.ui.filters import filter_bar

st.set_page_config(page_title="CCHC — Bảng điều khiển cải cách hành chính", page_icon="📊", layout="wide")

groups: dict[str, list] = {}
for i, (file, title, url, group, icon) in enumerate(pages.available()):
    groups.setdefault(group, []).append(st.Page(file, title=title, url_path=url, icon=icon, default=i == 0))

nav = st.navigation(groups, position="top")  # first, so that a deep link's page is known before any slow work
db = state.get_db()
state.sync_from_url(db)
filter_bar(db)
warn = st.session_state.pop("_url_warning", None)
if warn:
    st.warning(warn)
state.write_url()
nav.run()
