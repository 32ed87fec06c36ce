"""So sánh đơn vị: two to six units of one level (either map) over the filter bar's period: the
card KPIs side by side, the monthly trends overlaid, Biểu 06 per unit.

Queries used (through cchc.views.so_sanh): dossier_kpis, rating_kpis, feedback_kpis, finance_summary,
procedures_in_force (cchc.kpis.kpis), monthly_trend, units_all; Biểu 06 through cchc.export.bieu06.
Page parameters in the URL: ss=<key>,<key>[,…] (2 to 6 unit keys of one level, as ``unit``).
"""
import streamlit as st

from cchc import fmt
from cchc.export import bieu06
from cchc.views import so_sanh as ss
from cchc.ui import state, tables, widgets
from cchc.ui.filters import search_results, typed_search, unit_labels

db = state.get_db()
sel = state.current()
period = sel.period.full()
st.title("So sánh đơn vị")
st.caption(f"Cùng một kỳ cho mọi đơn vị: {fmt.md(period.label)}. Chọn kỳ ở thanh bộ lọc.")
url = state.page_values("ss")

frame = state.units_frame(db)
labels = unit_labels(db)

# --- the units: from the link once, then the picker ---------------------------------------------
if "ss_level" not in st.session_state:
    keys: list[str] = []
    if url["ss"]:
        chosen = ss.choose(db, url["ss"].split(","))
        if chosen.problem:
            st.warning(fmt.md(f"Đường dẫn so sánh không dùng được: {chosen.problem} Đang dùng lựa chọn mặc định."),
                       icon=":material/link_off:")
        keys = [u.key for u in chosen.units]
    if not keys:
        keys = ss.default_keys(frame, sel.unit)
    level = ss.level_of(frame, keys[0]) or sel.unit.level
    st.session_state["ss_level"] = level
    st.session_state[f"ss_units_{level}"] = [k for k in keys if k in labels][:ss.MAX_UNITS]

level = st.radio("Cấp đơn vị", list(ss.LEVELS), format_func=ss.LEVELS.get, horizontal=True, key="ss_level")
kind = ss.levels(frame)
picker = f"ss_units_{level}"
if picker in st.session_state:  # only units of this level can stay picked
    st.session_state[picker] = [k for k in st.session_state[picker] if kind.get(k) == level]
# listed: the level's units of the selected unit's province (both maps) and those picked; any other by
# typed text and Enter, searched on the server (as the unit search of the filter bar)
near = ss.options(frame, labels, level, around=sel.unit.key)
opts = near + [k for k in st.session_state.get(picker, []) if k not in near]


def on_pick() -> None:
    typed = [v for v in st.session_state[picker] if v not in labels]
    kept = [v for v in st.session_state[picker] if v in labels]
    st.session_state.pop("ss_hits", None)
    for text in typed:
        key = typed_search(db, text, "ss_hits", keep=lambda k: kind.get(k) == level and k not in kept)
        if key and len(kept) < ss.MAX_UNITS:
            kept.append(key)
    st.session_state[picker] = kept


picked = st.multiselect(f"Đơn vị so sánh (từ {ss.MIN_UNITS} đến {ss.MAX_UNITS})", opts,
                        format_func=lambda k: labels.get(k, k), max_selections=ss.MAX_UNITS, key=picker,
                        accept_new_options=True, on_change=on_pick, placeholder="Gõ tên hoặc mã đơn vị rồi Enter",
                        help="Danh sách: đơn vị cùng cấp thuộc tỉnh đang chọn (bản đồ mới và cũ); đơn vị khác: gõ tên "
                             "hoặc mã rồi Enter.")


def add(key: str) -> None:
    if key not in st.session_state[picker] and len(st.session_state[picker]) < ss.MAX_UNITS:
        st.session_state[picker] = [*st.session_state[picker], key]


search_results("ss_hits", "ss_hit", labels, add, none=f"Không tìm thấy đơn vị nào ở cấp {fmt.md(ss.LEVELS[level])} khớp")
state.write_url({"ss": ",".join(picked) if picked else None})
if len(picked) < ss.MIN_UNITS:
    widgets.empty(f"Chọn thêm đơn vị: cần từ {ss.MIN_UNITS} đến {ss.MAX_UNITS} đơn vị cùng cấp để so sánh.")
    st.stop()
chosen = ss.choose(db, picked)
if chosen.problem:
    st.error(fmt.md(chosen.problem), icon=":material/error:")
    st.stop()

cols = ss.columns(db, chosen.units, period)
for note in ss.period_note(cols):
    st.info(fmt.md(note), icon=":material/info:")

# --- the KPI set side by side --------------------------------------------------------------------
st.subheader("Các chỉ tiêu chính")
with st.spinner("Đang tính các chỉ tiêu…"):
    vals = [ss.values(db, c) for c in cols]
table = ss.kpi_table(cols, vals)
config = {name: st.column_config.TextColumn(name, alignment="right") for name in table if name != "Chỉ tiêu"}
tables.show(table, "So sánh chỉ tiêu", sel, key="ss_kpis", width="stretch", column_config=config, name_col="Chỉ tiêu")

# --- the trends overlaid --------------------------------------------------------------------------
st.subheader("Xu hướng theo tháng")
series = ss.trends(db, cols)
if series:
    widgets.chart(ss.trend_figure(series, ss.trend_subtitle(period, len(series))), "so-sanh-xu-huong", sel,
                  key="ss_trend")
else:
    widgets.empty("Không đơn vị nào được chọn còn tồn tại trong kỳ này.")

# --- Biểu 06 per unit ----------------------------------------------------------------------------
st.subheader("Biểu 06 của từng đơn vị")
for tab, c in zip(st.tabs([fmt.md(c.name) for c in cols]), cols):
    with tab:
        if c.gone:
            st.info(fmt.md(c.unit.gone_message()), icon=":material/info:")
            continue
        form = bieu06.build_table(db, c.unit, c.period)
        if bieu06.is_empty(form):
            widgets.empty(f"{fmt.md(c.unit.full_name)} không có hồ sơ TTHC nào cần báo cáo trong kỳ {c.period.label}.")
            continue
        st.html(bieu06.to_html(form, c.unit, c.period))
