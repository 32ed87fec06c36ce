"""Nhập dữ liệu: a one-stop export (or a portal file, ratings, feedback, finances, facts) uploaded,
its columns matched, previewed, loaded through the one write path, and the last load undone.
Everything is done by cchc.views.nhap_du_lieu over cchc.ingest.load (docs/loading.md)."""
from __future__ import annotations

import streamlit as st

from cchc import fmt
from cchc.ingest.load import LoadError
from cchc.ui import auth, state, tables
from cchc.views import nhap_du_lieu as nd

st.title("Nhập dữ liệu")
st.caption("Tệp xuất từ phần mềm một cửa (sổ theo dõi hồ sơ), hồ sơ đồng bộ của Cổng DVCQG, phiếu đánh giá, phản "
           "ánh kiến nghị, tài chính hoặc số liệu tự báo cáo: CSV, XLSX hoặc JSON. Tên cột được nhận theo sổ theo dõi "
           "hồ sơ và Cổng DVCQG; cột lạ thì ghép tay. Xem trước rồi mới nạp; lần nạp gần nhất hoàn tác được.")
ident = auth.current()
if not ident.may("load"):
    st.warning("Nạp và hoàn tác dữ liệu dành cho tài khoản quản lý dữ liệu: hãy đăng nhập bằng tài khoản có vai trò "
               "đó.", icon=":material/lock:")
    st.stop()
root = state.writable_root()


def show_errors(messages: list[str]) -> None:
    for m in messages[:30]:
        st.error(fmt.md(m))   # quotes the file's cells: shown as written, never as markdown
    if len(messages) > 30:
        st.error(f"… và {fmt.number(len(messages) - 30)} lỗi khác.")


def done(summary: str) -> None:
    """After a load or an undo (which bumped the data version every query reads): the page says what was done."""
    st.session_state["nd_done"] = summary
    st.rerun()


def undo_section() -> None:
    st.divider()
    st.subheader("Hoàn tác")
    last = nd.last_load(root)
    if last is None:
        st.caption("Chưa có lần nạp nào hoàn tác được.")
        return
    st.caption(fmt.md(nd.last_load_text(last)))
    if st.button("Hoàn tác lần nạp này", icon=":material/undo:", key="nd_undo"):
        try:
            rep = nd.undo_last(root, ident)
        except (nd.InputError, LoadError) as e:
            show_errors(getattr(e, "messages", [str(e)]))
        else:
            done(rep.summary())


if st.session_state.get("nd_done"):
    st.success(fmt.md(st.session_state.pop("nd_done")))

up = st.file_uploader("Chọn tệp (.csv, .xlsx, .json)", type=["csv", "xlsx", "json"], key="nd_file")
c1, c2 = st.columns(2)
kind = c1.selectbox("Loại dữ liệu", list(nd.KIND_NAMES), format_func=nd.KIND_NAMES.get, key="nd_kind")
policy = c2.radio("Khi có dòng lỗi", list(nd.POLICIES), format_func=nd.POLICIES.get, key="nd_policy")
unit_text = c1.text_input("Mã đơn vị (khi tệp không có cột mã đơn vị)", max_chars=nd.MAX_UNIT_KEY, key="nd_unit",
                          placeholder="ví dụ 10633, hoặc cu-10633 cho đơn vị cũ")
sheet = c2.text_input("Trang tính (tệp .xlsx; để trống: trang đầu)", max_chars=60, key="nd_sheet")
st.caption(fmt.md(f"Người nạp: {ident.display_name or ident.username} (tài khoản đăng nhập, ghi vào nhật ký thay đổi)"))

if up is None:
    st.info("Chọn một tệp để xem trước những gì sẽ thay đổi.")
    undo_section()
    st.stop()

try:
    unit = nd.clean_unit(unit_text)
except nd.InputError as e:
    show_errors([str(e)])
    st.stop()

data = up.getvalue()
manual = {h: c for h, c in st.session_state.get("nd_map", {}).items() if c is not None}
try:
    plan = nd.preview(data, up.name, root, kind=kind, unit=unit, mapping=manual or None, sheet=sheet)
except LoadError as e:
    show_errors(e.messages)
    undo_section()
    st.stop()

st.subheader("Xem trước")
st.text(plan.summary())
tables.show(nd.counts_table(plan), "Xem trước", None, key="nd_counts", width="stretch")

with st.expander(f"Cách ghép cột ({fmt.number(len(plan.read.matches))} cột nhận được, "
                 f"{fmt.number(len(plan.read.unmatched))} chưa ghép)", expanded=bool(plan.read.unmatched)):
    tables.show(nd.mapping_table(plan), "Cách ghép cột", None, key="nd_mapping", width="stretch")
    choices = [nd.IGNORE] + nd.columns_of(plan.kind)
    chosen = {}
    for i, h in enumerate(list(plan.read.unmatched)[:30]):
        chosen[h] = st.selectbox(f"Cột «{h}» của tệp là", choices, key=f"nd_col_{i}",
                                 format_func=lambda c: nd.column_label(plan.kind, c))
    if plan.read.unmatched and st.button("Áp dụng cách ghép", key="nd_apply"):
        st.session_state["nd_map"] = {**manual, **{h: c for h, c in chosen.items() if c != nd.IGNORE}}
        st.rerun()

messages = plan.row_messages()
if messages:
    with st.expander(f"Dòng bị loại ({fmt.number(plan.rejected_count)})"):
        st.text("\n".join(messages[:200]) + (f"\n… và {fmt.number(len(messages) - 200)} dòng khác" if len(messages) > 200
                                            else ""))
        f = nd.rejected_file(plan)
        if f:
            st.download_button("Tải các dòng bị loại (có cột lý do)", f[1], file_name=f[0], mime="text/csv",
                               key="nd_rejected")
for w in plan.warnings()[:10]:
    st.warning(fmt.md(w))
if plan.procedures_added:
    st.caption("Thủ tục chưa có trong danh mục sẽ được thêm:")
    tables.show(nd.procedures_table(plan), "Thủ tục thêm mới", None, key="nd_procs", width="stretch")
if plan.periods:
    with st.expander(f"Đơn vị và tháng có số liệu thay đổi ({fmt.number(len(plan.periods))})"):
        tables.show(nd.periods_table(plan), "Đơn vị và tháng thay đổi", None, key="nd_periods", width="stretch")

blocked = policy == nd.load.REJECT and plan.rejected_count > 0
if blocked:
    st.warning("Tệp có dòng lỗi: theo lựa chọn «Có dòng lỗi thì không nạp gì cả», tệp sẽ không được nạp. Sửa tệp, "
               "hoặc chọn «Nạp các dòng đúng, trả lại các dòng lỗi».")
if st.button("Nạp dữ liệu", type="primary", icon=":material/upload:", key="nd_load",
             disabled=blocked or not plan.changed):
    try:
        bar = st.progress(0.0, text="Bắt đầu")
        rep = nd.run(data, up.name, root, kind=kind, unit=unit, policy=policy, mapping=manual or None, sheet=sheet,
                     by=ident, progress=lambda f, t: bar.progress(min(max(float(f), 0.0), 1.0), text=t))
    except (nd.InputError, LoadError) as e:
        show_errors(getattr(e, "messages", [str(e)]))
    else:
        done(rep.summary())
undo_section()
