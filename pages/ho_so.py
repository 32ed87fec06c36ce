"""Hồ sơ TTHC: drill-down from fields to a field's procedures to a paged dossier list, with the
channel mix, monthly trend and processing-time distribution of the current selection.

Where the user is lives in the URL (field=, proc=, q=, pg=; see cchc.views.ho_so), so a copied link
reproduces the view (and ct=<766 indicator> the indicator trend). Queries: dossier_kpis, processing_times,
dossier_list, drill_procedure, channel_mix, monthly_trend, drill_processing_days, index_page_dossier_metrics.
"""

import streamlit as st

from cchc import fmt, kpis, metrics, params, scoring
from cchc.views import chi_so as index_views
from cchc.views import ho_so as drill
from cchc.views.ho_so import ALL, Drill
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
# the 766 indicators computed from dossiers (drawn month by month below; ct= names one)
inds = {x.code: x for x in index_views.dossier_indicators("766")}


def go(target: Drill) -> None:
    """Move the drill-down: the URL changes, the rerun draws the new level."""
    state.write_url(extra=target.params())


def on_widget(key: str, to_target) -> None:
    value = st.session_state.get(key)
    target = to_target(value) if value is not None else None
    if target is not None:
        go(target)


st.title("Hồ sơ TTHC")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history
url = state.page_values(*params.PAGES["pages/ho_so.py"], allowed={"ct": list(inds)})
d = Drill.from_parsed(url)
state.write_url(extra=d.params())
k = kpis.dossier_kpis(db, sel.unit, sel.period)
if k["received_total"] == 0:
    widgets.empty()
    st.stop()

info = drill.procedure_info(db, d.sql_procedure)
proc_name = info["name"] if info else None
crumbs = drill.breadcrumb(d, proc_name)
with st.container(horizontal=True, vertical_alignment="center", gap="small", key="hs_breadcrumb"):
    for i, (label, target) in enumerate(crumbs):
        if i:
            st.markdown("›")
        if target is None:  # a field or procedure from the link or the data: escaped
            st.markdown(f"**{fmt.md(label)}**")
        else:
            st.button(fmt.md(label), key=f"hs_crumb_{i}", type="tertiary", on_click=go, args=(target,),
                      icon=":material/arrow_back:" if i == len(crumbs) - 2 else None)


def late_notice(n: int, target: Drill) -> None:
    if n:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.warning(f"Có {fmt.number(n)} hồ sơ quá hạn (giải quyết quá hạn hoặc đang giải quyết quá hạn) "
                   "trong lựa chọn này.", icon=":material/warning:")
        c2.button("Xem các hồ sơ quá hạn", key="hs_late", on_click=go, args=(target,))


if d.level == 0:
    rows = drill.field_rows(k)
    widgets.chart(drill.fields_figure(rows, sel.title_suffix), "Hồ sơ theo lĩnh vực", sel, key="hs_fields",
                  on_select=lambda: on_widget("chart_hs_fields", lambda e: (f := drill.clicked_field(e)) and Drill(f)))
    st.session_state["hs_field"] = None
    st.pills("Chọn lĩnh vực", [r["field"] for r in rows], key="hs_field",
             format_func=lambda f: f"{fmt.md(f)} ({fmt.number(next(r['received_total'] for r in rows if r['field'] == f))})",
             on_change=lambda: on_widget("hs_field", lambda f: Drill(f)),
             help="Bấm vào một cột của biểu đồ hoặc một lĩnh vực ở đây để xem các thủ tục của lĩnh vực đó.")
    tables.show(drill.field_table(rows), "Hồ sơ theo lĩnh vực", sel, key="hs_field_table")
    late_notice(k["resolved_late"] + k["pending_overdue"], Drill(ALL, ALL))
    st.button("Xem danh sách tất cả hồ sơ", key="hs_all", on_click=go, args=(Drill(ALL, ALL),),
              icon=":material/list:")

elif d.level == 1:
    rows = drill.procedure_rows(db, sel.unit, sel.period, d.field)
    if not rows:
        widgets.empty(f"Lĩnh vực “{fmt.md(d.field)}” không có hồ sơ nào của {fmt.md(sel.unit.full_name)} trong kỳ "
                      "đã chọn. Bấm “Tất cả lĩnh vực” để chọn lĩnh vực khác.")
        st.stop()
    codes = [r["procedure_code"] for r in rows]
    names = {r["procedure_code"]: r["procedure_name"] or r["procedure_code"] for r in rows}
    st.subheader(f"Các thủ tục lĩnh vực {fmt.md(d.field)}")
    received = sum(r["received_total"] for r in rows)
    st.caption(f"{fmt.number(len(rows))} thủ tục, {fmt.number(received)} hồ sơ tiếp nhận. "
               "Thời gian xử lý tính bằng ngày làm việc (trung vị và mức 90 % của hồ sơ giải quyết trong kỳ), so với "
               "thời hạn quy định. Bấm vào một dòng để xem hồ sơ của thủ tục.")
    tables.show(drill.procedure_table(rows), f"Thủ tục {d.field}", sel, key="hs_procs", on_select=lambda: on_widget(
        "hs_procs", lambda e: Drill(d.field, codes[e["selection"]["rows"][0]]) if e["selection"]["rows"] else None),
        selection_mode="single-row", name_col="Thủ tục", keys=[metrics.short("on_time_rate")], wrap=True,
        height=min(38 + 35 * len(rows), 600))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox("Chọn thủ tục để xem hồ sơ", codes, index=None, key="hs_proc_pick", format_func=names.get,
                 placeholder="Chọn một thủ tục",
                 on_change=lambda: on_widget("hs_proc_pick", lambda c: Drill(d.field, c)))
    c2.button("Xem tất cả hồ sơ của lĩnh vực", key="hs_field_all", on_click=go, args=(d.open_list(ALL),))
    late_notice(sum(r["late"] for r in rows), d.open_list(ALL))

else:
    page = drill.dossier_page(db, sel.unit, sel.period, d)
    if page.page != d.page:  # a link to a page past the end: the URL names the page shown
        go(d.go_page(page.page))
    what = proc_name or (f"lĩnh vực {d.field}" if d.field != ALL else "tất cả lĩnh vực")
    st.subheader(f"Hồ sơ: {fmt.md(what)}")
    st.session_state["hs_q"] = d.q
    st.text_input("Tìm theo mã hồ sơ", key="hs_q", placeholder="Gõ một phần mã hồ sơ, ví dụ 230729",
                  on_change=lambda: go(d.search(st.session_state.get("hs_q") or "")), max_chars=drill.MAX_SEARCH)
    if page.total == 0:
        widgets.empty(f"Không có hồ sơ nào có mã chứa “{fmt.md(d.q)}”." if d.q else
                      "Không có hồ sơ nào cho lựa chọn này trong kỳ đã chọn.")
    else:
        late = (f"; {fmt.number(page.late_total)} hồ sơ quá hạn được xếp đầu danh sách" if page.late_total else "")
        st.caption(f"{fmt.number(page.total)} hồ sơ{late}. Trang {fmt.number(page.page)} / {fmt.number(page.pages)}. "
                   f"Trạng thái tính đến ngày cuối kỳ {fmt.day(sel.period.end)}; số ngày xử lý là ngày làm việc.")
        table = drill.dossier_table(page)
        tables.show(table, "Danh sách hồ sơ", sel, key="hs_list", height=38 + 35 * table.height,
                    lead=["Mã hồ sơ"], name_col="Thủ tục", keys=["Số ngày xử lý"], wrap=True)
        if page.pages > 1:
            # keyed by the page shown, so the widget always starts from the URL's page
            st.pagination(page.pages, default=page.page, key=f"hs_pg_{page.page}",
                          on_change=lambda: go(d.go_page(st.session_state[f"hs_pg_{page.page}"])))

# --- the current selection: channel mix, monthly trend, processing time --------------------------
st.divider()
tail = drill.selection_label(d, proc_name)
st.subheader("Phân tích: " + (fmt.md(tail.removeprefix(" — ")) if tail else "tất cả lĩnh vực"))
widgets.chart(drill.trend_figure(drill.trend_rows(db, sel.unit, sel.period, d), tail, sel.title_suffix),
              "Hồ sơ theo tháng" + tail, sel, key="hs_trend")
# the 766 indicators computed from dossiers, month by month, against their full-points threshold
if "hs_766" not in st.session_state:
    st.session_state["hs_766"] = url["ct"]
ct = st.selectbox("Tỷ lệ theo tháng của chỉ tiêu Bộ chỉ số 766 (có ngưỡng điểm tối đa)", list(inds), key="hs_766",
                  format_func=lambda c: f"{c} — {inds[c].name}", placeholder="Chọn một chỉ tiêu để vẽ")
state.write_url({"ct": ct})
if ct:
    rows = index_views.metric_trend(db, sel.unit, sel.period, inds[ct].metric, d.sql_field, d.sql_procedure)
    widgets.chart(index_views.metric_trend_figure(rows, inds[ct], scoring.thresholds("766").get(inds[ct].metric), tail,
                                                  sel.title_suffix), f"Chỉ tiêu {ct} theo tháng" + tail, sel,
                  key="hs_766_trend")
channels = drill.channel_rows(db, sel.unit, sel.period, d)
if channels:
    widgets.chart(drill.channel_figure(channels, tail, sel.title_suffix), "Kênh nộp hồ sơ" + tail, sel,
                  key="hs_channels")
else:
    widgets.empty("Không có hồ sơ mới tiếp nhận trong kỳ cho lựa chọn này.")
hist = drill.processing_rows(db, sel.unit, sel.period, d)
if hist.height:
    mark = drill.statutory_mark(db, sel.unit, sel.period, d)
    widgets.chart(drill.processing_figure(hist, mark, tail, sel.title_suffix), "Thời gian giải quyết" + tail, sel,
                  key="hs_times")
else:
    widgets.empty("Không có hồ sơ giải quyết trong kỳ cho lựa chọn này.")
