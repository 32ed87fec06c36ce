"""Hài lòng, phản ánh: the rating survey and the 766 indicator 5.4 side by side (trend, levels, by
field, by procedure, child units ranked) and feedback (phản ánh, kiến nghị) of the unit and period.
Queries: satisfaction_ratings, satisfaction_766, satisfaction_trend, feedback_summary,
feedback_list, units_all (through cchc.views.hai_long)."""
import streamlit as st

from cchc import fmt
from cchc.views import hai_long as sat
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period, sub = sel.unit, sel.period, sel.title_suffix
st.title("Hài lòng, phản ánh")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history

options = list(sat.RANK_BY)
url_rank = state.page_value("xep")
rank_by = st.radio("Sắp xếp, xếp hạng theo", options, format_func=sat.RANK_BY.get, horizontal=True, key="hl_rank",
                   index=options.index(url_rank))
state.write_url({"xep": None if rank_by == sat.SURVEY else rank_by})

o = sat.overview(db, unit, period, rank_by)
fb = sat.feedback(db, unit, period)
prev = sat.overview(db, unit, sel.previous) if sel.compare else None
prev_fb = sat.feedback(db, unit, sel.previous) if sel.compare else None


# --- KPI cards, 4 per row: the catalogue's (label, help, formula, direction) and the points of 5.4 ------
cards = sat.cards(o, fb, prev, prev_fb)
for i in range(0, len(cards), 4):
    for col, k in zip(st.columns(4), cards[i:i + 4]):
        if k.kind == "points":
            delta = None if k.value is None or k.previous is None else \
                f"{fmt.signed_number(k.value - k.previous, 2)} điểm so với cùng kỳ"
            text = fmt.number(k.value, 2)
        else:
            delta = (widgets.delta_rate if k.kind == "rate" else widgets.delta_count)(k.value, k.previous)
            text = fmt.percent(k.value) if k.kind == "rate" else fmt.number(k.value)
        widgets.kpi(col, k.label, text, delta, k.higher_is_better, help=k.help)

# --- trend -------------------------------------------------------------------------------------------
st.subheader("Xu hướng theo tháng")
rows = sat.trend(db, unit, period)
if any(r["ratings_total"] or r["resolved_total"] for r in rows):
    widgets.chart(sat.fig_trend(rows, sub), "Xu hướng hài lòng", sel, "hl_trend")
else:
    widgets.empty("Không có phiếu đánh giá hay hồ sơ đã giải quyết nào trong 24 tháng đến cuối kỳ.")

# --- rating levels -----------------------------------------------------------------------------------
st.subheader("Mức độ hài lòng")
if o["ratings_total"]:
    widgets.chart(sat.fig_levels(o, sub), "Mức độ hài lòng", sel, "hl_levels")
else:
    widgets.empty(sat.EMPTY_RATINGS)
if not o["resolved_total"]:
    widgets.empty(sat.EMPTY_RESOLVED)

# --- by field, by procedure --------------------------------------------------------------------------
order = f"thấp nhất trước theo {sat.RANK_BY[rank_by].lower()}"
for key, kind, label, title in (("by_field", "field", "field", "Theo lĩnh vực"),
                                ("by_procedure", "procedure", "procedure_name", "Theo thủ tục hành chính")):
    st.subheader(title)
    if not o[key]:
        widgets.empty("Không có phiếu đánh giá hay hồ sơ đã giải quyết nào trong kỳ.")
        continue
    st.caption(f"Sắp xếp {order}.")
    rate_col = sat.SURVEY_RATE.label if rank_by == sat.SURVEY else sat.RATE_766.short  # the ranked rate, kept in view
    tables.show(sat.group_table(o[key], kind), f"Hài lòng {title.lower()}", sel, key=f"hl_tbl_{kind}", width="stretch",
                name_col="Lĩnh vực" if kind == "field" else "Thủ tục", keys=[rate_col], wrap=True,
                labels={sat.SURVEY_RATE.label: sat.SURVEY_RATE.short})
    n = min(15, len(o[key]))
    widgets.chart(sat.fig_groups(o[key], label, f"{title}: {n} nhóm thấp nhất" if len(o[key]) > n else title, sub),
                  title, sel, f"hl_{kind}")

# --- child units ranked --------------------------------------------------------------------------------
if unit.level != "commune":
    level_name = "các huyện" if unit.level == "province" else "các xã"
    st.subheader(f"Xếp hạng {level_name}")
    if any(ch["ratings_total"] or ch["resolved_total"] for ch in o["children"]):
        widgets.chart(sat.fig_ranking(o["children"], rank_by, sub, level_name), f"Xếp hạng {level_name}", sel,
                      "hl_rank_chart")
        tables.show(sat.group_table(o["children"], "child", fb["children"]), f"Xếp hạng {level_name}", sel,
                    key="hl_tbl_child", width="stretch", lead=["Hạng (từ thấp)"], name_col="Đơn vị",
                    keys=[sat.SURVEY_RATE.label if rank_by == sat.SURVEY else sat.RATE_766.short],
                    labels={"Hạng (từ thấp)": "Hạng", sat.SURVEY_RATE.label: sat.SURVEY_RATE.short})
    else:
        widgets.empty(f"Không có số liệu của {level_name} trong kỳ.")

# --- feedback -------------------------------------------------------------------------------------------
st.subheader("Phản ánh, kiến nghị")
if not fb["feedback_total"]:
    widgets.empty(sat.EMPTY_FEEDBACK)
else:
    widgets.chart(sat.fig_counts(fb["by_kind"], "PAKN theo phân loại", sub), "PAKN theo phân loại", sel, "hl_fb_kind")
    widgets.chart(sat.fig_counts(fb["by_status"], "Xử lý PAKN theo hạn 15 ngày làm việc (tính đến cuối kỳ)", sub,
                                 sat.STATUS_COLORS), "Xử lý PAKN", sel, "hl_fb_status")
    widgets.chart(sat.fig_counts(fb["by_outcome"], "Kết quả xử lý PAKN", sub), "Kết quả xử lý PAKN", sel,
                  "hl_fb_outcome")
    open_n = fb["open_within"] + fb["open_overdue"]
    st.markdown(f"**Danh sách phản ánh, kiến nghị** — đang xử lý {fmt.number(open_n)} "
                f"(quá hạn {fmt.number(fb['open_overdue'])}), xếp trước.")
    tables.show(sat.feedback_list(db, unit, period), "Phản ánh, kiến nghị", sel, key="hl_tbl_fb", width="stretch")
