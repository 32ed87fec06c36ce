"""Exports in official or office formats (no Streamlit): each module builds its table from the
query layer (cchc.kpis) and writes it out, so the page and the file show the same numbers.

    bieu06   Biểu số 06/VPCP/KSTT (TT 01/2020/TT-VPCP): build_table, to_html, to_xlsx
"""
from ..fmt import SOURCE, file_name, slug  # noqa: F401 - what the exports use, without Plotly
