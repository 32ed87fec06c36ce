"""The yardstick of bench/app_speed.py --browser: a bare Streamlit page with as many st.metric as the
deep-linked overview shows (BENCH_METRICS, default 13), four to a row as the overview lays them out.
Nothing else: no data, no sidebar. With BENCH_CHART=1 it also draws one Plotly chart of the
overview's kind (two bar series and a line over 24 months, made here, no data read), to tell
Plotly's share of the overview's cost from the rest. Served by the same Streamlit
(bench/timed_serve.py) as the dashboard, on another port, opened with the same Chromium flags."""
import os

import streamlit as st

st.set_page_config(page_title="Bare", layout="wide")
n = int(os.environ.get("BENCH_METRICS", "13"))
for i in range(0, n, 4):
    for j, col in enumerate(st.columns(4)):
        if i + j < n:
            col.metric(f"Chỉ tiêu {i + j + 1}", f"{1000 + i + j}", delta=f"{i + j} %")
if os.environ.get("BENCH_CHART") == "1":
    import plotly.graph_objects as go

    months = [f"{m:02d}/{2022 + (m - 1) // 12}" for m in range(1, 25)]
    fig = go.Figure([go.Bar(x=months, y=[200 + 7 * i for i in range(24)], name="A"),
                     go.Bar(x=months, y=[190 + 7 * i for i in range(24)], name="B"),
                     go.Scatter(x=months, y=[0.99 + i / 5000 for i in range(24)], name="C", yaxis="y2")])
    fig.update_layout(template="plotly_white", height=420, yaxis2=dict(overlaying="y", side="right"))
    st.plotly_chart(fig)
