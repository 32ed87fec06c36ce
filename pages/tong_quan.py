"""Tổng quan (overview): the unit's KPI cards for the period."""
import streamlit as st

from cchc import fmt, kpis
from cchc.ui import state, widgets

db = state.get_db()
sel = state.current()
st.title("Tổng quan")
st.caption(sel.title_suffix)
k = kpis.dossier_kpis(db, sel.unit, sel.period)
if k["received_total"] == 0:
    widgets.empty()
    st.stop()
c = st.columns(4)
widgets.kpi(c[0], "Hồ sơ tiếp nhận", fmt.number(k["received_total"]))
widgets.kpi(c[1], "Đã giải quyết", fmt.number(k["resolved_total"]))
widgets.kpi(c[2], "Tỷ lệ giải quyết đúng hạn", fmt.percent(k["on_time_rate"]))
widgets.kpi(c[3], "Đang giải quyết", fmt.number(k["pending_total"]))
