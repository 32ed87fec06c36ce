"""Kiểm tra dữ liệu (data quality): for the selected unit and period, the findings of
cchc.views.kiem_tra worst first, each with its severity, count, explanation and first rows (a link
per dossier to the list of "Hồ sơ TTHC", per silent commune to its month on "Tổng quan") and a CSV
of them.

Queries used (through cchc.views.kiem_tra): quality_form, quality_dossiers, quality_statutory,
quality_quiet_days, quality_silent_units, quality_ratings. No page parameters of its own.
"""
import streamlit as st

from cchc import fmt
from cchc.views import kiem_tra as kt
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period
st.title("Kiểm tra dữ liệu")
st.caption(sel.caption)
widgets.partial_note(sel)  # a period the data do not cover to its end
st.caption("Các kiểm tra trên dữ liệu hồ sơ và phiếu đánh giá của đơn vị trong kỳ: các đẳng thức của Biểu 06, "
           "ngày tháng, thời hạn giải quyết, mã trùng, ngày và tháng không có hồ sơ, phiếu đánh giá không có hồ sơ.")

if kt.form_counts(db, unit, period)["received_total"] == 0:
    first, last = state.data_range(db)
    widgets.empty(f"Không có hồ sơ nào của {fmt.md(unit.full_name)} trong kỳ {period.label} để kiểm tra. Dữ liệu "
                  f"hiện có từ {fmt.day(first)} đến {fmt.day(last)}: hãy chọn kỳ khác hoặc đơn vị khác.")
    state.write_url()
    st.stop()
findings = kt.findings(db, unit, period, sel.params())
st.subheader(f"Kết quả: {kt.summary(findings)}")
ICON = {kt.ERROR: ":material/error:", kt.WARNING: ":material/warning:", kt.INFO: ":material/info:",
        kt.OK: ":material/check_circle:"}
tables.show({"Mức": [f.severity_label for f in findings], "Kiểm tra": [f.title for f in findings],
             "Số lượng": [fmt.number(f.count) for f in findings]}, "Kiểm tra dữ liệu", sel, key="kt_summary")

for f in findings:
    label = f"{f.severity_label}: {f.title}" + (f" ({fmt.number(f.count)})" if f.severity != kt.OK else "")
    with st.expander(fmt.md(label), icon=ICON[f.severity], expanded=f.severity == kt.ERROR):
        box = {kt.ERROR: st.error, kt.WARNING: st.warning, kt.INFO: st.info, kt.OK: st.success}[f.severity]
        box(fmt.md(f.text))
        if f.shown:
            if f.shown < f.count:
                st.caption(f"{fmt.number(f.shown)} dòng đầu trên tổng số {fmt.number(f.count)}.")
            config = {kt.LINK: st.column_config.LinkColumn(kt.LINK, display_text="Mở")} if kt.LINK in f.rows.columns else None
            tables.show(f.rows, f"Kiểm tra {f.key}", sel, key=f"kt_rows_{f.key}", column_config=config)
state.write_url()
