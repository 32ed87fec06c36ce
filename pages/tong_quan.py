"""Tổng quan (overview): the unit's KPI cards for the period with the change against a year
earlier and the targets, the 24-month trend, and the ranking of the units under it.

Queries used (through cchc.views.tong_quan): dossier_kpis, rating_kpis, feedback_kpis, finance_summary,
procedures_in_force (cchc.kpis.kpis), data_range, monthly_trend, unit_ranking.
Page parameters in the URL: by=<ranking metric>, all=1 (province: rank every commune).
"""
import streamlit as st

from cchc import fmt
from cchc.views import tong_quan as ov
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period
st.title("Tổng quan")
st.caption(sel.caption)
url = state.page_values("all", "by")

data = ov.overview(db, unit, period, sel.compare)
if data.empty:
    first, last = ov.data_range(db)
    widgets.empty(f"Không có hồ sơ nào của {fmt.md(unit.full_name)} trong kỳ {period.label}. Dữ liệu hiện có từ "
                  f"{fmt.day(first)} đến {fmt.day(last)}: hãy chọn kỳ báo cáo khác.")
    st.stop()

# --- KPI cards, 4 per row ----------------------------------------------------------------------
widgets.partial_note(sel)  # a period the data do not cover to its end
targets = ov.load_targets()
cards = ov.cards(data.now, data.prev, targets, unit)
for i in range(0, len(cards), 4):
    cols = st.columns(4)
    for col, c in zip(cols, cards[i:i + 4]):
        widgets.kpi(col, c.label, c.text, delta=c.delta, higher_is_better=c.colour, help=c.help)
span = ov.finance_span(data.now)
if span:
    st.caption(f"Ngân sách: {span} — thu {ov.money(data.now['revenue_actual'], unit)} / dự toán "
               f"{ov.money(data.now['revenue_plan'], unit)}; chi {ov.money(data.now['expenditure_actual'], unit)} / "
               f"dự toán {ov.money(data.now['expenditure_plan'], unit)}; giải ngân "
               f"{ov.money(data.now['disbursement_actual'], unit)} / kế hoạch "
               f"{ov.money(data.now['disbursement_plan'], unit)}."
               if data.now["revenue_plan"] is not None else f"Ngân sách: không có số liệu {span}.")
if sel.compare and data.prev is not None:
    st.caption(f"Thay đổi so với cùng kỳ năm trước: {sel.previous.label}.")
elif data.note:
    st.caption(data.note)

# --- trend -------------------------------------------------------------------------------------
st.subheader("Xu hướng 24 tháng")
trend, start, end = ov.trend(db, unit, period)
widgets.chart(ov.trend_figure(trend, unit, start, end, targets.get("on_time_rate")), "xu-huong-24-thang", sel,
              key="ov_trend")

# --- ranking of the units under this one -------------------------------------------------------
extra = {"by": None, "all": None}
if unit.level == "commune":
    note = ov.commune_note(db, unit, period, data.now)
    if note:
        st.subheader("So với huyện")
        st.info(fmt.md(note), icon=":material/compare_arrows:")  # unit names: escaped
else:
    all_communes = False
    if unit.level == "province":
        st.subheader("Xếp hạng các đơn vị trong tỉnh")
        if "ov_all" not in st.session_state:
            st.session_state["ov_all"] = url["all"] == "1"
        all_communes = st.toggle("Xếp hạng tất cả xã, phường, thị trấn của tỉnh", key="ov_all")
    else:
        st.subheader("Xếp hạng các xã, phường, thị trấn trong huyện")
    if "ov_by" not in st.session_state:
        st.session_state["ov_by"] = url["by"]
    by = st.radio("Xếp hạng theo", list(ov.RANK_METRICS), format_func=ov.RANK_METRICS.get, horizontal=True,
                  key="ov_by")
    level = ov.child_level(unit, all_communes)
    ranked = ov.ranking(db, unit, period, all_communes, by)
    fig = ov.ranking_figure(ranked, by, unit, period, data.now.get(by), targets.get(by), level)
    widgets.chart(fig, f"xep-hang-{by}", sel, key="ov_rank")
    st.caption(ov.ranking_caption(by, ranked.height))
    tables.show(ov.ranking_table(ranked, with_parent=level == "commune" and unit.level == "province"),
                f"Xếp hạng {ov.RANK_METRICS[by]}", sel, key="ov_rank_table", width="stretch",
                height=min(36 * (ranked.height + 1) + 2, 640), lead=[ov.RANK_COLUMNS[0][1]], name_col="Đơn vị",
                keys=[dict(ov.RANK_COLUMNS)[by]], labels={ov.RANK_COLUMNS[0][1]: "Hạng"})
    extra = {"by": by if by != "on_time_rate" else None, "all": "1" if all_communes else None}
state.write_url(extra)
