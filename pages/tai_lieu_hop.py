"""Tài liệu họp (meeting pack): pick charts and KPI sets (default: the overview set), build them as
a 16:9 PPTX or one PDF with a progress bar, download; the report draft (DOCX) beside it.

Queries used (through cchc.views.tai_lieu_hop → cchc.export.pack): those of the pages whose charts it
draws (Tổng quan, Hồ sơ TTHC, Hài lòng, Tài chính công, Chỉ số). No page parameters of its own.
"""
import streamlit as st

from cchc import fmt
from cchc.export import report
from cchc.views import tai_lieu_hop as th
from cchc.ui import state, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period
st.title("Tài liệu họp")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end; approximate history
st.markdown(th.INTRO)
th.warm_up()  # Chromium starts while the user chooses, not when the first file is asked for

keys = st.multiselect("Biểu đồ và bảng chỉ tiêu", th.KEYS, default=th.default_keys(), format_func=th.label,
                      key="th_items", placeholder="Chọn biểu đồ, bảng chỉ tiêu")
sig = th.signature(unit, period, keys)

with st.container(horizontal=True, gap="small", key="th_buttons"):
    wanted = [kind for kind in th.FORMATS
              if st.button(f"Tạo {th.FORMATS[kind]}", key=f"th_build_{kind}", disabled=not keys, type="primary",
                           icon=":material/slideshow:" if kind == "pptx" else ":material/picture_as_pdf:")]
for kind in wanted:
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    try:
        built = th.build(db, unit, period, keys, kind,
                         progress=lambda f, text, bar=bar: bar.progress(min(max(f, 0.0), 1.0), text=text))
    except th.PackError as e:
        st.error(fmt.md(e), icon=":material/error:")
    else:
        st.session_state[f"th_file_{kind}"] = built
    bar.empty()

for kind in th.FORMATS:
    built = st.session_state.get(f"th_file_{kind}")
    if built is not None and built.signature == sig:
        st.download_button(f"Tải tài liệu họp ({kind.upper()})", data=built.data, file_name=built.file_name,
                           mime=built.mime, key=f"th_dl_{kind}", on_click="ignore", icon=":material/download:")
        st.caption(fmt.md(built.summary))

st.subheader("Dự thảo báo cáo")
st.download_button("Tải dự thảo báo cáo CCHC (DOCX)", data=lambda: report.report_docx(db, unit, period),
                   key="th_report", file_name=report.file_name(unit, period), on_click="ignore",
                   icon=":material/description:", mime=report.MIME)
st.caption("Phần kết quả của báo cáo định kỳ về CCHC, câu chữ điền từ số liệu của đơn vị và kỳ đã chọn, "
           "kèm Biểu 06 làm phụ lục.")
state.write_url()
