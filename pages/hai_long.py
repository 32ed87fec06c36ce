"""Hài lòng, phản ánh: the rating survey and the 766 indicator 5.4 side by side (trend, levels, by
field, by procedure, child units ranked) and feedback (phản ánh, kiến nghị) of the unit and period.
Queries: satisfaction_ratings, satisfaction_766, satisfaction_trend, feedback_summary,
feedback_list, units_all (through cchc.views.hai_long)."""
import streamlit as st

from cchc import fmt, metrics
from cchc.views import hai_long as sat
from cchc.ui import state, widgets

db = state.get_db()
sel = state.current()
unit, period, sub = sel.unit, sel.period, sel.title_suffix
st.title("Hài lòng, phản ánh")
st.caption(sel.caption)

options = list(sat.RANK_BY)
url_rank = state.page_value("xep")
rank_by = st.radio("Sắp xếp, xếp hạng theo", options, format_func=sat.RANK_BY.get, horizontal=True, key="hl_rank",
                   index=options.index(url_rank))
state.write_url({"xep": None if rank_by == sat.SURVEY else rank_by})

o = sat.overview(db, unit, period, rank_by)
fb = sat.feedback(db, unit, period)
prev = sat.overview(db, unit, sel.previous) if sel.compare else None
prev_fb = sat.feedback(db, unit, sel.previous) if sel.compare else None


def before(d, key):
    return d[key] if d is not None else None


# --- KPI cards -------------------------------------------------------------------------------------
c = st.columns(4)
widgets.kpi(c[0], "Phiếu đánh giá", fmt.number(o["ratings_total"]),
            widgets.delta_count(o["ratings_total"], before(prev, "ratings_total")), None)
widgets.kpi(c[1], metrics.label("satisfaction_rate"), fmt.percent(o["survey_rate"]),
            widgets.delta_rate(o["survey_rate"], before(prev, "survey_rate")),
            help=metrics.get("satisfaction_rate").help_text)
widgets.kpi(c[2], "Chỉ tiêu 5.4 (Bộ chỉ số 766)", fmt.percent(o["rate_766"]),
            widgets.delta_rate(o["rate_766"], before(prev, "rate_766")),
            help="Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC = (hồ sơ đã giải quyết trong kỳ − hồ sơ quá hạn, "
                 "bị đánh giá Không hài lòng hoặc có phản ánh, kiến nghị) / hồ sơ đã giải quyết trong kỳ. "
                 f"Đạt điểm tối đa khi từ {fmt.percent(sat.THRESHOLD_766, 0)}.")
pts_prev = before(prev, "points_766")
widgets.kpi(c[3], f"Điểm chỉ tiêu 5.4 (tối đa {fmt.number(sat.POINTS_766)})", fmt.number(o["points_766"], 2),
            None if o["points_766"] is None or pts_prev is None else
            f"{fmt.signed_number(o['points_766'] - pts_prev, 2)} điểm so với cùng kỳ",
            help=f"{fmt.number(sat.POINTS_766)} × min(1; tỷ lệ / {fmt.percent(sat.THRESHOLD_766, 0)}) "
                 "(ngưỡng và điểm tối đa theo tệp định nghĩa cchc/indexes/766.toml).")
c = st.columns(4)
widgets.kpi(c[0], "Hồ sơ đã giải quyết", fmt.number(o["resolved"]),
            widgets.delta_count(o["resolved"], before(prev, "resolved")), None)
widgets.kpi(c[1], "Hồ sơ không hài lòng (766)", fmt.number(o["not_satisfied"]),
            widgets.delta_count(o["not_satisfied"], before(prev, "not_satisfied")), False,
            help=f"Quá hạn {fmt.number(o['late'])}; đánh giá Không hài lòng {fmt.number(o['disliked'])}; "
                 f"có phản ánh, kiến nghị {fmt.number(o['complained'])} (mỗi hồ sơ tính một lần).")
widgets.kpi(c[2], metrics.label("feedback_total"), fmt.number(fb["feedback_total"]),
            widgets.delta_count(fb["feedback_total"], before(prev_fb, "feedback_total")), False,
            help=metrics.get("feedback_total").help_text)
widgets.kpi(c[3], metrics.short("feedback_on_time_rate"), fmt.percent(fb["on_time_rate"]),
            widgets.delta_rate(fb["on_time_rate"], before(prev_fb, "on_time_rate")),
            help="(Đã xử lý đúng hạn 15 ngày làm việc + đang xử lý còn trong hạn) / tổng số PAKN tiếp nhận "
                 "trong kỳ, tính đến cuối kỳ (chỉ tiêu 5.2, Bộ chỉ số 766).")

# --- trend -------------------------------------------------------------------------------------------
st.subheader("Xu hướng theo tháng")
rows = sat.trend(db, unit, period)
if any(r["ratings_total"] or r["resolved"] for r in rows):
    widgets.chart(sat.fig_trend(rows, sub), "Xu hướng hài lòng", sel, "hl_trend")
else:
    widgets.empty("Không có phiếu đánh giá hay hồ sơ đã giải quyết nào trong 24 tháng đến cuối kỳ.")

# --- rating levels -----------------------------------------------------------------------------------
st.subheader("Mức độ hài lòng")
if o["ratings_total"]:
    widgets.chart(sat.fig_levels(o, sub), "Mức độ hài lòng", sel, "hl_levels")
else:
    widgets.empty(sat.EMPTY_RATINGS)
if not o["resolved"]:
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
    st.dataframe(sat.group_table(o[key], kind), hide_index=True, width="stretch", key=f"hl_tbl_{kind}")
    n = min(15, len(o[key]))
    widgets.chart(sat.fig_groups(o[key], label, f"{title}: {n} nhóm thấp nhất" if len(o[key]) > n else title, sub),
                  title, sel, f"hl_{kind}")

# --- child units ranked --------------------------------------------------------------------------------
if unit.level != "commune":
    level_name = "các huyện" if unit.level == "province" else "các xã"
    st.subheader(f"Xếp hạng {level_name}")
    if any(ch["ratings_total"] or ch["resolved"] for ch in o["children"]):
        widgets.chart(sat.fig_ranking(o["children"], rank_by, sub, level_name), f"Xếp hạng {level_name}", sel,
                      "hl_rank_chart")
        st.dataframe(sat.group_table(o["children"], "child", fb["children"]), hide_index=True, width="stretch",
                     key="hl_tbl_child")
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
    st.dataframe(sat.feedback_list(db, unit, period), hide_index=True, width="stretch", key="hl_tbl_fb")
