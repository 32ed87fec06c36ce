"""Chỉ số: the unit's score on a scoring index for the period (total and band, groups against their
maxima, every indicator), its trend by month / quarter / year with the band lines, its ranking among
sibling units, and one indicator in detail: its monthly trend against the full-points threshold, the
points lost and the dossiers that lost them.

Queries (through cchc.scoring and cchc.views.chi_so): the index's index_* metric queries, index_facts,
index_page_dossier_metrics, index_page_feedback_metrics, index_page_rating_metrics,
index_page_finance_metrics, index_page_facts, index_page_lost_dossiers, units_all, unit_lookup, data_range.
Page parameters in the URL: idx=<index code>, xu=thang|quy|nam, ind=<indicator code>, pg=<page>.
"""
import streamlit as st

from cchc import fmt, scoring
from cchc.views import chi_so as iv
from cchc.ui import auth, state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period, sub = sel.unit, sel.period, sel.title_suffix
st.title("Chỉ số")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history

codes = scoring.list_indexes()
try:
    defs = {c: scoring.load_index(c) for c in codes}
except scoring.IndexDefinitionError as e:
    st.error(str(e))
    st.stop()
url = state.page_values("idx", "xu", "pg", allowed={"idx": codes})
default = url["idx"] or ("766" if "766" in codes else codes[0])
# ind= is one of the indicators of the link's index (not of one chosen since)
url_ind = state.page_value("ind", allowed=[d.code for _, d in defs[default].indicators()])
code = st.selectbox("Bộ chỉ số", codes, index=codes.index(default), format_func=lambda c: defs[c].title, key="cs_idx")
ix = defs[code]
kinds = list(iv.TREND_KINDS)
kind = url["xu"]
codes_ind = [d.code for _, d in ix.indicators()]
ind = url_ind if code == default else None
first, last = iv.data_range(db)
res = None

if not iv.applies(ix, unit):
    widgets.empty(fmt.md(iv.not_applicable_text(ix, unit)) + " Hãy chọn một xã ở thanh lọc để xem điểm của xã đó.")
else:
    with st.spinner("Đang tính…"):
        res = scoring.score(db, ix, unit, period)
    # --- score cards ----------------------------------------------------------------------------
    c = st.columns(4)
    no_data = [i for i in res.indicators() if i.status == "no_data"]
    widgets.kpi(c[0], f"Tổng điểm (thang {iv.mx(ix.max_total)})", iv.pts(res.total), None, None,
                help="Điểm đạt của các chỉ tiêu có dữ liệu, quy đổi về thang điểm của bộ chỉ số.")
    widgets.kpi(c[1], "Xếp loại", res.band.name if res.band else iv.NO_DATA, None, None,
                help="; ".join(f"{b.name}: từ {fmt.number(b.min_percent)} % tổng điểm" for b in ix.bands))
    widgets.kpi(c[2], "Điểm đạt / tối đa có dữ liệu", f"{iv.pts(res.raw_total)}/{iv.mx(res.available_max)}", None,
                None, help=f"Tổng điểm tối đa của bộ chỉ số: {iv.mx(ix.max_total)}.")
    widgets.kpi(c[3], "Chỉ tiêu không đủ dữ liệu", f"{fmt.number(len(no_data))}/{fmt.number(len(codes_ind))}",
                None, None, help="Chỉ tiêu " + iv.NO_DATA + " được loại ra khi quy đổi tổng điểm.")
    for note in res.notes:
        st.caption(note)

    # --- groups and indicators ------------------------------------------------------------------
    st.subheader("Điểm theo nhóm chỉ số")
    widgets.chart(iv.groups_figure(res, sub), "diem-theo-nhom", sel, key="cs_groups")
    tables.show(iv.group_table(res), "Điểm theo nhóm chỉ số", sel, key="cs_group_table", width="stretch")
    st.subheader("Các chỉ tiêu")
    st.caption("Bấm vào một dòng (hoặc chọn ở ô bên dưới) để xem xu hướng của chỉ tiêu, điểm bị mất và các hồ sơ "
               "làm mất điểm.")

    def pick_row() -> None:
        rows = st.session_state["cs_ind_table"]["selection"]["rows"]
        if rows:
            st.session_state[f"cs_ind_{code}"] = codes_ind[rows[0]]

    tables.show(iv.indicator_table(res), "Các chỉ tiêu", sel, key="cs_ind_table", width="stretch",
                on_select=pick_row, selection_mode="single-row", lead=["Mã"], name_col="Chỉ tiêu",
                keys=["Điểm bị mất"], wrap=True)

    # --- trend ----------------------------------------------------------------------------------
    st.subheader("Xu hướng điểm")
    kind = st.radio("Theo", kinds, index=kinds.index(kind), horizontal=True, key="cs_kind",
                    format_func=lambda k: iv.TREND_KINDS[k][0])
    buckets = iv.trend_periods(ix, unit, period, kind, first, last)
    if buckets:
        with st.spinner("Đang tính…"):
            trend = iv.score_periods(db, ix, unit, buckets)
        widgets.chart(iv.trend_figure(trend, iv.TREND_KINDS[kind][0], unit.full_name), f"xu-huong-{kind}", sel,
                      key="cs_trend")
        st.caption(f"Các kỳ {'dương lịch' if ix.period == 'calendar' else 'báo cáo'} gần nhất bắt đầu trước ngày "
                   f"cuối kỳ đang chọn ({fmt.day(period.end)}) và đã trọn vẹn trong dữ liệu (đến {fmt.day(last)}); "
                   "đường ngang: các mức xếp loại.")
    else:
        widgets.empty("Chưa có kỳ nào trọn vẹn trong dữ liệu để vẽ xu hướng.")

# --- ranking among siblings -------------------------------------------------------------------------
scope = iv.ranking_scope(db, ix, unit)
if scope is not None and not auth.current().covers(db, scope.parent):  # docs/access.md: no wider ranking
    st.caption(fmt.md(f"{scope.title}: không hiển thị, vì {scope.parent.name} nằm ngoài phạm vi của tài khoản."))
    scope = None
if scope is not None:
    st.subheader(fmt.md(scope.title))  # titles and notes carry unit names
    if scope.note:
        st.caption(fmt.md(scope.note))
    with st.spinner("Đang tính…"):
        ranked = iv.score_children(db, ix, scope.parent, scope.child, period)
    if any(r.total is not None for r in ranked):
        n = iv.rank_of(ranked, unit.code)
        if n:
            st.markdown(f"**{fmt.md(unit.full_name)}: hạng {n}/{sum(r.total is not None for r in ranked)}**")
        widgets.chart(iv.ranking_figure(ranked, unit.code, scope.title, sub), "xep-hang", sel, key="cs_rank")
        tables.show(iv.ranking_table(ranked, unit.code), "Xếp hạng chỉ số", sel, key="cs_rank_table", width="stretch",
                    lead=["Hạng"], name_col="Đơn vị", keys=["Điểm xếp hạng (cùng cơ sở)"],
                    labels={"Điểm xếp hạng (cùng cơ sở)": "Điểm xếp hạng"})
    else:
        widgets.empty("Không đơn vị nào có dữ liệu để tính điểm trong kỳ.")

# --- one indicator in detail ----------------------------------------------------------------------
page_no = None
if res is not None:
    st.divider()
    key = f"cs_ind_{code}"
    if key not in st.session_state:
        st.session_state[key] = ind
    ind = st.selectbox("Xem chi tiết chỉ tiêu", codes_ind, key=key, placeholder="Chọn một chỉ tiêu",
                       format_func=lambda x: f"{x} — {next(d.name for _, d in ix.indicators() if d.code == x)}")
    if ind:
        d = next(d for _, d in ix.indicators() if d.code == ind)
        i = next(x for x in res.indicators() if x.code == ind)
        st.subheader(f"Chỉ tiêu {d.code}: {d.name}")
        lost = iv.lost_points(i)
        c = st.columns(4)
        widgets.kpi(c[0], "Giá trị", scoring.value_text(i) or iv.NO_DATA, None, None, help=d.note or None)
        widgets.kpi(c[1], "Điểm", f"{iv.pts(i.points) if i.status != 'no_data' else iv.NO_DATA}/{iv.mx(i.max)}",
                    None, None, help=i.rule_text)
        widgets.kpi(c[2], "Điểm bị mất", fmt.number(lost, 2) if lost is not None else iv.NO_DATA, None, None)
        widgets.kpi(c[3], "Ngưỡng điểm tối đa", iv.threshold_text(i, d) or fmt.DASH, None, None, help=d.source or None)
        if i.status == "no_data":
            st.info(f"Chỉ tiêu {iv.NO_DATA}: {i.reason}", icon=":material/info:")
        months = iv.months_for(ix, unit, period, first, last)
        if d.kind == "metric" and months:
            with st.spinner("Đang tính…"):
                series = iv.indicator_series(iv.score_periods(db, ix, unit, months), ind)
            widgets.chart(iv.indicator_figure(series, d, unit.full_name), f"chi-tieu-{ind}", sel, key="cs_ind_trend")
        if d.kind == "metric" and d.metric in iv.LOST_WHAT and i.status != "no_data":
            lp = iv.lost_dossiers(db, unit, period, d.metric, url["pg"] if url_ind == ind else 1)
            st.markdown(f"**{iv.LOST_WHAT[d.metric]}: {fmt.number(lp.total)} hồ sơ** (trạng thái tính đến "
                        f"{fmt.day(period.end)}).")
            if lp.total:
                tables.show(iv.lost_table(lp), f"Hồ sơ làm mất điểm {ind}", sel, key="cs_lost", width="stretch",
                            lead=["Mã hồ sơ"], name_col="Thủ tục", keys=["Lý do mất điểm"], wrap=True)
                if lp.pages > 1:
                    st.pagination(lp.pages, default=lp.page, key=f"cs_pg_{ind}_{lp.page}",
                                  on_change=lambda: state.write_url({"pg": st.session_state[f"cs_pg_{ind}_{lp.page}"]}))
                page_no = lp.page if lp.page > 1 else None
        elif d.kind == "metric" and d.metric.startswith("feedback"):
            st.caption("Danh sách phản ánh, kiến nghị: trang Hài lòng, phản ánh.")
        elif d.kind in ("fact", "manual"):
            st.caption("Số liệu tự báo cáo và điểm nhập: trang Tự đánh giá.")
state.write_url({"idx": code if code != "766" else None, "xu": kind if kind != "thang" else None, "ind": ind,
                 "pg": page_no})
