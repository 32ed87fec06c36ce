"""Biểu 06 (Biểu số 06/VPCP/KSTT, TT 01/2020/TT-VPCP): the official form for the selected unit and
period as on paper, its derived rates, and the XLSX in the official layout.
Queries: dossier_kpis (through cchc.export.bieu06), data_range (empty-period message)."""
import streamlit as st

from cchc import fmt, metrics
from cchc.export import bieu06, report
from cchc.ui import state, tables, widgets

db = state.get_db()
sel = state.current()
unit, period = sel.unit, sel.period

st.title("Biểu 06 — Tình hình, kết quả giải quyết TTHC")
st.caption(sel.caption)

table = bieu06.build_table(db, unit, period)
if bieu06.is_empty(table):
    first, last = state.data_range(db)
    outside = period.end < first or period.start > last
    widgets.empty(f"{fmt.md(unit.full_name)} không có hồ sơ TTHC nào cần báo cáo trong kỳ {period.label}, nên Biểu 06 "
                  "không có số liệu. "
                  + (f"Dữ liệu hiện có từ {fmt.day(first)} đến {fmt.day(last)}: hãy chọn một kỳ trong khoảng này."
                     if outside else "Hãy chọn kỳ khác hoặc đơn vị khác."))
    st.stop()

widgets.partial_note(sel)  # a period the data do not cover to its end
st.download_button("Tải Biểu 06 (XLSX, đúng mẫu)", data=lambda: bieu06.to_xlsx(table, unit, period),
                   file_name=bieu06.file_name(unit, period), on_click="ignore", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="bieu06_xlsx")
st.download_button("Tải dự thảo báo cáo CCHC (DOCX)", data=lambda: report.report_docx(db, unit, period), key="report_docx",
                   file_name=report.file_name(unit, period), on_click="ignore", icon=":material/description:", mime=report.MIME)
st.html(bieu06.to_html(table, unit, period))
for note in bieu06.notes(unit):
    st.caption(note)

# --- derived rates ---------------------------------------------------------------------------------
st.subheader("Các tỷ lệ tính từ biểu")
now = bieu06.rates(table)
before = bieu06.rates(bieu06.build_table(db, unit, sel.previous)) if sel.compare else {}
rates = metrics.catalogue().bieu06_rates  # labels, help and formulas: cchc/metrics.toml
for col, key in zip(st.columns(len(rates)), rates):
    m = metrics.get(key)
    widgets.kpi(col, m.label, fmt.percent(now[key]), widgets.delta_rate(now[key], before.get(key)),
                help=m.help_text)

by_line = bieu06.rates_table(table)
shown = {"Lĩnh vực": by_line["Lĩnh vực"].to_list()}
config = {}
for column, key in bieu06.rate_columns():
    m = metrics.get(key)
    shown[m.short] = [(fmt.percent if m.is_rate else fmt.number)(v) for v in by_line[column]]
    config[m.short] = st.column_config.TextColumn(m.short, alignment="right", help=f"{m.label}: {m.formula_text}")
tables.show(shown, "Tỷ lệ theo lĩnh vực", sel, key="bieu06_rates", column_config=config)
