"""Kết quả công bố: the real 766 scores the National Public Service Portal published (34 provinces
ranked for the year and the month, the distribution of one province's communes) with the selected
unit's score computed from the dashboard's data placed against them, each clearly labelled; and the
import of a new file of published scores.

Queries (through cchc.views.ket_qua_cong_bo, cchc.views.chi_so and cchc.scoring): index_page_published, index_page_successor,
data_range and the 766 metric queries. Writes: index_results.parquet (cchc.ingest.results).
"""
import streamlit as st

from cchc import fmt, scoring
from cchc.views import chi_so as iv
from cchc.views import ket_qua_cong_bo as kq
from cchc.ingest.results import ResultsImportError
from cchc.ui import state, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period
st.title("Kết quả công bố")
st.caption("Bộ chỉ số 766: điểm do Cổng Dịch vụ công quốc gia công bố, và điểm tính từ dữ liệu của đơn vị đang chọn")

for kind, text in st.session_state.pop("kq_messages", []):
    (st.success if kind == "ok" else st.warning if kind == "warn" else st.error)(text)

df = kq.published(db)
if df.is_empty():
    with st.spinner("Bảng kết quả công bố đang trống: đang nạp bản có sẵn…"):
        try:
            rep = kq.ensure_published(db, state.data_root())
        except ResultsImportError as e:
            rep = None
            st.error(str(e))
    if rep is not None:
        state.refresh_data()
        st.info("Bảng kết quả công bố đang trống nên đã nạp bản có sẵn. " + rep.summary(), icon=":material/info:")
        df = kq.published(db)

if df.is_empty():
    widgets.empty("Chưa có điểm công bố nào. Hãy nạp tệp điểm công bố ở cuối trang.")
else:
    label = kq.published_label(df)
    first, last = iv.data_range(db)
    cp, cp_label = kq.comparison_period(period, last)
    with st.spinner("Đang tính…"):
        res = scoring.score(db, "766", unit, cp)
    computed = res.total
    ctext = f"{iv.COMPUTED_LABEL}: {unit.name} {iv.pts(computed)}"
    year_board, at_year = kq.score_board(df, "cal_year", "province")
    succ = kq.successor_code(db, unit)
    succ_row = next((r for r in year_board.to_dicts() if r["unit_code"] == succ), None) if succ else None

    c = st.columns(4)
    widgets.kpi(c[0], iv.COMPUTED_LABEL, iv.pts(computed), None, None,
                help=f"{fmt.md(unit.full_name)}, {cp_label}; tính được {iv.mx(res.available_max)}/100 điểm tối đa, phần còn lại "
                     "không đủ dữ liệu và được quy đổi (trang Chỉ số).")
    place = kq.place_of(year_board, computed)
    widgets.kpi(c[1], f"Vị trí của điểm tính trong {fmt.number(year_board.height)} tỉnh (tham khảo)",
                f"{place}/{year_board.height + 1}" if place else fmt.DASH, None, None,
                help="Nếu đặt điểm tính từ dữ liệu vào bảng điểm công bố năm của các tỉnh, thành phố.")
    if succ_row:
        widgets.kpi(c[2], f"Điểm công bố năm {at_year[0]}: {fmt.md(succ_row['unit_name'])}", fmt.number(succ_row["TONG"], 2),
                    None, None, help=f"{fmt.md(label)}. {fmt.md(unit.province_name or unit.name)} nay thuộc "
                                     f"{fmt.md(succ_row['unit_name'])} "
                                     "(NQ 202/2025/QH15).")
        widgets.kpi(c[3], "Hạng công bố", f"{succ_row['rank']}/{year_board.height}", None, None)
    st.caption(f"Điểm tính cho {fmt.md(unit.full_name)}, {cp_label}. " + " ".join(res.notes))

    # --- the provinces, year and month -----------------------------------------------------------
    if at_year:
        st.subheader(f"{fmt.number(year_board.height)} tỉnh, thành phố — năm {at_year[0]}")
        title = f"Điểm Bộ chỉ số 766 năm {at_year[0]}: {fmt.number(year_board.height)} tỉnh, thành phố"
        widgets.chart(kq.province_figure(year_board, title, label, label, computed, ctext, succ),
                      "diem-766-cac-tinh", sel, key="kq_year")
        st.dataframe(kq.board_table(year_board, succ), hide_index=True, width="stretch", key="kq_year_table")
    month_board, at_month = kq.score_board(df, "cal_month", "province")
    if at_month and month_board.height > 1:
        st.subheader(f"Điểm tháng {at_month[1]}/{at_month[0]}")
        st.dataframe(kq.board_table(month_board, succ), hide_index=True, width="stretch", key="kq_month_table")

    # --- the communes of one province ----------------------------------------------------------------
    communes, at_c = kq.score_board(df, "cal_year", "commune")
    if at_c:
        where = kq.common_province(communes)
        st.subheader(f"Các xã, phường{' của ' + fmt.md(where) if where else ''} — năm {at_c[0]}")
        c = st.columns(4)
        widgets.kpi(c[0], "Số xã, phường có điểm công bố", fmt.number(communes.height), None, None)
        widgets.kpi(c[1], "Trung vị", fmt.number(communes["TONG"].median(), 2), None, None)
        widgets.kpi(c[2], "Thấp nhất – cao nhất",
                    f"{fmt.number(communes['TONG'].min(), 2)} – {fmt.number(communes['TONG'].max(), 2)}", None, None)
        cplace = kq.place_of(communes, computed)
        widgets.kpi(c[3], "Vị trí của điểm tính (tham khảo)", f"{cplace}/{communes.height + 1}" if cplace else fmt.DASH,
                    None, None)
        widgets.chart(kq.histogram_figure(communes, f"Phân bố điểm 766 năm {at_c[0]} của {fmt.number(communes.height)} "
                                          f"xã, phường{' ' + where if where else ''}", label, label, computed, ctext),
                      "phan-bo-diem-xa", sel, key="kq_communes")

# --- import a new file ----------------------------------------------------------------------------
st.divider()
st.subheader("Nạp tệp điểm công bố")
st.caption("Tệp .xlsx xuất từ bảng điều khiển 766 (các trang Điểm năm, Điểm tháng, Sở Ban, Xã Phường) hoặc tệp .json "
           "của Cổng DVCQG. Tệp có ô lỗi thì không nạp gì cả; dòng trùng kỳ và đơn vị được thay thế.")
from cchc.ingest.results import MAX_FILE_BYTES  # noqa: E402 - the limits belong to this section only

max_mb = MAX_FILE_BYTES // (1024 * 1024)
up = st.file_uploader(f"Chọn tệp (.xlsx hoặc .json, tối đa {max_mb} MB)", type=["xlsx", "json"], key="kq_upload",
                      help=f"Tệp tối đa {max_mb} MB (tệp điểm công bố thật dưới 100 KB). Không nạp tệp .xlsx "
                           "hỏng, giải nén ra quá lớn hoặc có ô bắt đầu bằng = + - @ (công thức bảng tính), hay tệp "
                           ".json lồng nhau quá sâu.")
if up is not None and st.button("Nạp tệp", type="primary", icon=":material/upload:", key="kq_import"):
    with st.spinner("Đang kiểm tra và nạp…"):
        try:
            rep = kq.import_upload(up.name, up.getvalue(), state.data_root())
        except ResultsImportError as e:
            st.error(fmt.md(str(e)))   # quotes cells of the file: shown as typed
        else:
            state.refresh_data()
            msgs = [("ok", rep.summary())] + [("warn", "Cảnh báo: " + m) for m in rep.mismatches]
            st.session_state["kq_messages"] = msgs + [("warn", n) for n in rep.notes]
            st.rerun()
