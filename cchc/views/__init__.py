"""What each page shows, computed without Streamlit: one module per page, named like the page and
like its test (pages/tong_quan.py ↔ cchc/views/tong_quan.py ↔ tests/test_tong_quan.py). A view
module runs the page's queries through cchc.db, turns rows into tables and KPI values with the
domain modules (metrics, kpis, periods, scoring) and builds the Plotly figures; the page only lays
them out. Pages whose content is a domain product read it directly: bieu_06 (cchc.export.bieu06),
so_lieu (cchc.facts), tu_danh_gia (cchc.ingest.facts_entry).
"""
