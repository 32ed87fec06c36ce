"""The yardstick of bench/app_speed.py --browser: a bare Streamlit page with as many st.metric as the
deep-linked overview shows (BENCH_METRICS, default 13), four to a row as the overview lays them out.
Nothing else: no data, no sidebar, no chart. Served by the same Streamlit (bench/timed_serve.py) as
the dashboard, on another port, opened with the same Chromium flags."""
import os

import streamlit as st

st.set_page_config(page_title="Bare", layout="wide")
n = int(os.environ.get("BENCH_METRICS", "13"))
for i in range(0, n, 4):
    for j, col in enumerate(st.columns(4)):
        if i + j < n:
            col.metric(f"Chỉ tiêu {i + j + 1}", f"{1000 + i + j}", delta=f"{i + j} %")
