"""Tài chính công (public finance): budget revenue and expenditure against the estimate, public-
investment disbursement against the capital plan and the province's milestones, and (for a district
or the province) the child units ranked. KPI names, help, directions and targets: the metric
catalogue's finance KPIs (through cchc.views.tai_chinh).

Queries: finance_summary, finance_monthly, finance_ranking (through cchc.views.tai_chinh)."""
import streamlit as st

from cchc import fmt, metrics
from cchc.views import tai_chinh as finance
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
st.title("Tài chính công")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history

s = finance.summary(db, sel.unit, sel.period)
if not s["items"]:
    widgets.empty("Không có số liệu tài chính, ngân sách cho đơn vị và kỳ đã chọn.")
    st.stop()

scale = finance.scale_for(sel.unit)
months, prev = s["months"], s["previous_months"]
note = f"Số liệu {finance.months_label(*months)} (năm ngân sách là năm dương lịch)"
if s["partial"]:
    note += f"; chưa có số liệu sau tháng {months[1].month}/{months[1].year}"
if sel.compare:
    note += f"; so sánh với cùng kỳ {finance.months_label(*prev)}"
if sel.unit.level != "commune":
    note += f"; cộng số liệu của {fmt.number(max(it['units'] for it in s['items']))} xã, phường, thị trấn"
st.caption(note + f". Đơn vị tiền: {scale.label}.")

# --- KPI cards: actual (change against the same months last year) and % of plan ------------------
cols = st.columns(len(s["items"]))
for col, (amount, share) in zip(cols, finance.cards(s, scale, metrics.load_targets())):
    widgets.kpi(col, amount.label, amount.text, delta=finance.change_delta(amount.change) if sel.compare else None,
                higher_is_better=amount.higher_is_better, help=amount.help)
    widgets.kpi(col, share.label, share.text,
                delta=widgets.delta_rate(share.value, share.previous) if sel.compare else None,
                higher_is_better=share.higher_is_better, help=share.help)

tables.show(finance.summary_table(s, scale, sel.compare), "Tài chính công", sel, key="fin_summary", width="stretch",
            name_col="Chỉ tiêu", keys=["% dự toán / kế hoạch"])

# --- cumulative by month against the plan line -----------------------------------------------------
cum = finance.cumulative(db, sel.unit, sel.period)
st.subheader("Lũy kế theo tháng so với dự toán")
budget = [i for i in (finance.REVENUE, finance.EXPENDITURE) if i in set(cum["item"].to_list())]
if budget:
    item = st.radio("Chỉ tiêu", budget, format_func=finance.ITEMS.get, horizontal=True, key="fin_item")
    fig = finance.cumulative_figure(cum, item, scale, sel.title_suffix)
    widgets.chart(fig, f"luy ke {finance.ITEMS[item]}", sel, key=f"fin_cum_{item}")
    short = cum.filter(cum["item"] == item)["plan_months"].min()
    if short is not None and short < 12:
        st.caption("Có năm ngân sách mới có số liệu dự toán của một số tháng: đường dự toán chỉ tới tháng cuối có số liệu.")
else:
    widgets.empty("Không có số liệu thu, chi ngân sách theo tháng.")

# --- disbursement progress against the plan and the milestones -----------------------------------
st.subheader("Tiến độ giải ngân vốn đầu tư công")
if finance.DISBURSEMENT in set(cum["item"].to_list()):
    try:
        milestones = finance.load_milestones()
    except (OSError, ValueError) as e:
        st.warning(f"Không đọc được các mốc tiến độ giải ngân: {fmt.md(e)}")
        milestones = []
    fig = finance.disbursement_figure(cum, milestones, sel.title_suffix)
    widgets.chart(fig, "tien do giai ngan", sel, key="fin_disb")
    if milestones:
        status = finance.milestone_status(cum, milestones, months[1])
        tables.show(finance.milestone_table(status), "Mốc giải ngân", sel, key="fin_milestones", width="stretch")
        if any(m.placeholder for m in milestones):
            st.caption("Các mốc tiến độ (tỷ lệ giải ngân phải đạt tại 30/6, 30/9, 31/12, 31/1 năm sau) lấy từ tệp cấu hình "
                       "cchc/reference/milestones.csv; các giá trị hiện tại là giả định, chưa theo văn bản của UBND tỉnh. "
                       "Số liệu giải ngân được ghi theo tháng của năm ngân sách nên mốc 31/1 năm sau chưa đánh giá được.")
else:
    widgets.empty("Không có số liệu giải ngân vốn đầu tư công.")

# --- ranking of the child units ---------------------------------------------------------------------
levels = finance.child_levels(sel.unit)
if levels:
    st.subheader("Xếp hạng các đơn vị trực thuộc")
    by = st.radio("Đơn vị", levels, format_func=finance.CHILD_LEVELS.get, horizontal=True, key="fin_by") \
        if len(levels) > 1 else levels[0]
    sort_item = st.radio("Xếp theo", list(finance.RANK_ITEMS), horizontal=True, key="fin_sort",
                         format_func=lambda i: finance.KPIS[i].label)
    rows = finance.ranking(db, sel.unit, sel.period, by=by, sort_item=sort_item)
    if rows:
        fig = finance.ranking_figure(rows, sort_item, by, sel.title_suffix)
        widgets.chart(fig, f"xep hang {finance.ITEMS[sort_item]}", sel, key=f"fin_rank_{by}_{sort_item}")
        st.caption("Thấp nhất ở trên; đường nét đứt: 100 %. Tỷ lệ so với dự toán / kế hoạch vốn của cùng các tháng.")
        tables.show(finance.ranking_table(rows, scale, by), f"Xếp hạng {finance.ITEMS[sort_item]}", sel,
                    key=f"fin_rank_table_{by}", width="stretch", lead=["Thứ tự"], name_col="Đơn vị",
                    keys=[finance.KPIS[sort_item].label],
                    labels={finance.KPIS[sort_item].label: finance.KPIS[sort_item].short})
    else:
        widgets.empty("Không có số liệu tài chính của các đơn vị trực thuộc trong kỳ đã chọn.")
