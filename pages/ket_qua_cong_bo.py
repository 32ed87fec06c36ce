"""Kết quả công bố: the real 766 scores the National Public Service Portal published (34 provinces
ranked for the year and the month, the distribution of one province's communes) with the selected
unit's score computed from the dashboard's data placed against them, each clearly labelled; and the
import of a new file of published scores.

Queries (through cchc.views.ket_qua_cong_bo, cchc.views.chi_so, cchc.units and cchc.scoring): index_page_published,
unit_lookup, data_range and the 766 metric queries. Like with like (same period, level, unit of the new
map and groups): cchc/views/ket_qua_cong_bo.py. Writes: index_results.parquet (cchc.ingest.results).
"""
import polars as pl
import streamlit as st

from cchc import fmt, scoring, units
from cchc.views import chi_so as iv
from cchc.views import ket_qua_cong_bo as kq
from cchc.ingest.results import ResultsImportError
from cchc.ui import auth, state, tables, widgets

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
        st.info("Bảng kết quả công bố đang trống nên đã nạp bản có sẵn. " + rep.summary(), icon=":material/info:")
        df = kq.published(db)

if df.is_empty():
    widgets.empty("Chưa có điểm công bố nào. Hãy nạp tệp điểm công bố ở cuối trang.")
else:
    label = kq.published_label(df)
    last = iv.data_range(db)[1]
    ix = scoring.load_index("766")
    target, via = kq.comparison_unit(db, unit)
    if via:
        st.info(fmt.md(via), icon=":material/history:")
    bds = kq.boards(df)
    note = kq.selected_note(period, bds)
    if note:
        st.caption(fmt.md(note))
    if target is not None and not any(b.level == target.level for b in bds):
        st.info(f"Không có bảng điểm công bố cấp {units.LEVEL_NAMES.get(target.level, target.level)} để so sánh với "
                f"{fmt.md(target.full_name)}.", icon=":material/info:")

    for b in bds:
        st.subheader(fmt.md(b.title))
        where = f"{label} — {b.label}"
        with st.spinner("Đang tính…"):
            pl_ = kq.place(db, ix, target, b, last) if target is not None else None
        if pl_ is not None and pl_.refusal and pl_.other_level:
            st.caption(fmt.md(pl_.refusal))
        elif pl_ is not None and pl_.refusal:
            st.warning(fmt.md(pl_.refusal), icon=":material/block:")
        if pl_ is not None and pl_.result is not None and not pl_.other_level:
            r = pl_.result
            c = st.columns(4)
            widgets.kpi(c[0], f"Điểm tính trên cùng cơ sở ({b.short})",
                        f"{fmt.number(pl_.computed, 2)}/{iv.mx(pl_.base_max)}" if pl_.base else fmt.DASH, None, None,
                        help=f"{iv.COMPUTED_LABEL}: {fmt.md(target.full_name)}. {fmt.md(kq.period_line(pl_))}")
            widgets.kpi(c[1], f"Vị trí trong {fmt.number(b.size)} {kq.LEVEL_PLURAL[b.level]} ({b.short})",
                        pl_.position, None, None,
                        help="Hạng khi thay điểm công bố của đơn vị bằng điểm tính, mọi đơn vị cùng các nhóm so sánh."
                        if pl_.own else "Đơn vị không có trong bảng: chỉ nói điểm tính cao hơn bao nhiêu đơn vị "
                                        "trong bảng, không xếp hạng.")
            widgets.kpi(c[2], f"Chỉ tiêu tính được ({b.short})", f"{r.indicators_covered}/{r.indicators_total}", None, None,
                        help=fmt.md(pl_.total_text))
            if pl_.own:
                widgets.kpi(c[3], f"Điểm công bố cùng cơ sở ({b.short})", f"{fmt.number(pl_.own['base'], 2)}/{iv.mx(pl_.base_max)}",
                            None, None, help=f"{fmt.md(pl_.own['unit_name'])}, {b.label}, cùng các nhóm {', '.join(pl_.base)}; "
                                             f"tổng điểm công bố {fmt.number(pl_.own['TONG'], 2)}"
                                 f"/100, hạng công bố {pl_.own['rank']}/{b.size}.")
            st.caption(" ".join(fmt.md(t) for t in (f"Điểm tính cho {target.full_name}: {pl_.coverage_text}.",
                                                       kq.period_line(pl_), pl_.base_text, pl_.left_out_text,
                                                       pl_.total_text) if t))
        placed = pl_ is not None and pl_.base and not pl_.refusal
        key = f"kq_{b.kind}_{b.level}"
        if b.level == "province":
            if placed:
                widgets.chart(kq.base_figure(pl_, f"Điểm 766 {b.label}, cùng cơ sở với điểm tính: "
                                                  f"{fmt.number(b.size)} tỉnh, thành phố", where, label, target.name),
                              f"diem-766-cung-co-so-{b.kind}", sel, key=f"{key}_base")
            elif b.kind == "cal_year":
                widgets.chart(kq.province_figure(b.rows, f"Điểm Bộ chỉ số 766 {b.label}: {fmt.number(b.size)} tỉnh, "
                                                         "thành phố", where, label), "diem-766-cac-tinh", sel, key=key)
        else:
            vals = pl_.published if placed else b.rows.with_columns(base=pl.col("TONG"))
            sub = f"{b.label}, cùng các nhóm {', '.join(pl_.base)}" if placed else b.label
            widgets.chart(kq.histogram_figure(
                vals["base"].to_list(), vals["unit_name"].to_list(), f"Phân bố điểm 766 của {fmt.number(b.size)} "
                f"xã, phường — {sub}", where, label, pl_.computed if placed else None,
                kq.marker_text(pl_, target.name) if placed else "", pl_.base_max if placed else 100,
                f"Điểm các nhóm {', '.join(pl_.base)} (tối đa {iv.mx(pl_.base_max)})" if placed else
                "Tổng điểm (thang 100)"), "phan-bo-diem-xa", sel, key=key)
        tables.show(kq.board_table(b.rows, target.code if target is not None and b.level == target.level else None),
                    f"Kết quả công bố {b.label}", sel, key=f"{key}_table", width="stretch")
        st.caption(f"Bảng: điểm và hạng như {iv.PORTAL} công bố, {b.label}; tổng điểm công bố tính đủ "
                   f"{kq.indicator_count(ix)} chỉ tiêu.")

# --- import a new file ----------------------------------------------------------------------------
st.divider()
st.subheader("Nạp tệp điểm công bố")
st.caption("Tệp .xlsx xuất từ bảng điều khiển 766 (các trang Điểm năm, Điểm tháng, Sở Ban, Xã Phường) hoặc tệp .json "
           "của Cổng DVCQG. Tệp có ô lỗi thì không nạp gì cả; dòng trùng kỳ và đơn vị được thay thế.")
from cchc.ingest.results import MAX_FILE_BYTES  # noqa: E402 - the limits belong to this section only

max_mb = MAX_FILE_BYTES // (1024 * 1024)
ident = auth.current()
if not (ident.may("upload_results") and ident.scope.kind == "country"):
    st.info("Tải lên kết quả công bố (bảng điểm của cả nước) dành cho tài khoản quản lý dữ liệu phạm vi cả nước: "
            "hãy đăng nhập bằng tài khoản đó.", icon=":material/lock:")
    st.stop()
up = st.file_uploader(f"Chọn tệp (.xlsx hoặc .json, tối đa {max_mb} MB)", type=["xlsx", "json"], key="kq_upload",
                      help=f"Tệp tối đa {max_mb} MB (tệp điểm công bố thật dưới 100 KB). Không nạp tệp .xlsx "
                           "hỏng, giải nén ra quá lớn hoặc có ô bắt đầu bằng = + - @ (công thức bảng tính), hay tệp "
                           ".json lồng nhau quá sâu.")
if up is not None and st.button("Nạp tệp", type="primary", icon=":material/upload:", key="kq_import"):
    with st.spinner("Đang kiểm tra và nạp…"):
        try:
            rep = kq.import_upload(up.name, up.getvalue(), state.writable_root(), ident)
        except ResultsImportError as e:
            st.error(fmt.md(str(e)))   # quotes cells of the file: shown as typed
        else:
            msgs = [("ok", rep.summary())] + [("warn", "Cảnh báo: " + m) for m in rep.mismatches]
            st.session_state["kq_messages"] = msgs + [("warn", n) for n in rep.notes]
            st.rerun()
