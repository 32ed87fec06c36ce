"""Đối chiếu báo cáo (reconcile a written report): the user pastes the "label: number" lines of a
report and/or types its figures in the form; each figure is confirmed or contradicted by the data of
the selected unit and period (the difference in words), and the report's figures are checked
against each other. Logic in cchc.reconcile, tables in cchc.views.doi_chieu. What was typed is read
once, when the form is submitted; every message and cell is shown as text (escaped).

Queries used (through cchc.kpis and cchc.facts): dossier_kpis, rating_kpis, feedback_kpis,
finance_summary, procedures_in_force, facts_year / facts_units. No page parameters of its own.
"""
import streamlit as st

from cchc import fmt, reconcile
from cchc.views import doi_chieu as dc
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period
st.title("Đối chiếu báo cáo")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end
st.caption("Dán các dòng của một báo cáo viết tay (mỗi dòng “tên chỉ tiêu: con số”) hoặc nhập từng số vào ô: mỗi "
           "số được đối chiếu với dữ liệu của đơn vị trong kỳ đã chọn, và các số của báo cáo được đối chiếu với nhau. "
           "Số viết kiểu Việt Nam (3.262; 99,97 %); tiền: triệu đồng, hoặc “12 tỷ 951 triệu đồng”.")

with st.form("dc_form"):
    text = st.text_area("Các dòng của báo cáo", key="dc_text", height=220, max_chars=reconcile.MAX_CHARS,
                        placeholder=dc.EXAMPLE)
    with st.expander("Nhập từng số", icon=":material/edit:"):
        for section in dc.SECTIONS:
            st.markdown(f"**{section}**")
            its = dc.items(section)
            cols = st.columns(3)
            for n, item in enumerate(its):
                cols[n % 3].text_input(dc.field_label(item), key=f"dc_{item.key}", max_chars=dc.MAX_FIELD)
    submitted = st.form_submit_button("Đối chiếu", type="primary", icon=":material/difference:")

where = (unit.key, period.start, period.end)
if submitted:
    fields = {i.key: st.session_state.get(f"dc_{i.key}") for i in reconcile.ITEMS}
    st.session_state["dc_inputs"] = (text, fields)
    st.session_state["dc_outcome"] = (where, dc.outcome(db, unit, period, text, fields))
elif "dc_outcome" in st.session_state and st.session_state["dc_outcome"][0] != where:
    text, fields = st.session_state["dc_inputs"]  # another unit or period: the same figures against its data
    st.session_state["dc_outcome"] = (where, dc.outcome(db, unit, period, text, fields))

if "dc_outcome" not in st.session_state:
    st.info("Dán hoặc nhập các số của báo cáo rồi bấm “Đối chiếu”.", icon=":material/info:")
    state.write_url()
    st.stop()

out = st.session_state["dc_outcome"][1]
for m in out.messages:
    st.warning(fmt.md(m), icon=":material/warning:")
if out.empty:
    st.info("Không đọc được số nào để đối chiếu.", icon=":material/info:")
    state.write_url()
    st.stop()

st.subheader(f"Kết quả: {out.summary}")
for r in out.contradicted:
    st.error(fmt.md(f"{r.statement.item.label}: {r.text}"), icon=":material/close:")
tables.show(dc.results_table(out), "Đối chiếu báo cáo", sel, key="dc_results")
if out.facts_year is not None and any(s.item.kind == reconcile.PEOPLE for s in out.statements):
    st.caption(f"Biên chế: số liệu tự báo cáo năm {out.facts_year} của đơn vị (trang Số liệu tự báo cáo).")

st.subheader("Báo cáo tự đối chiếu")
if not out.issues:
    st.caption("Chưa đủ số để đối chiếu các số của báo cáo với nhau (ví dụ: tổng số hồ sơ cùng với số mới tiếp nhận "
               "và từ kỳ trước; biên chế được giao cùng với số hiện có và số còn thiếu).")
for i in out.issues:
    (st.success if i.ok else st.error)(fmt.md(i.text), icon=":material/check:" if i.ok else ":material/error:")
state.write_url()
