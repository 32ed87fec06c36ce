"""The shared filter bar: unit (province → district → commune, searchable by name or code),
period (kind, then period; or a custom range) and the year-on-year comparison switch."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from cchc import kpis, periods

from .state import (NONE_COMMUNE, NONE_DISTRICT, CachedDatabase, Selection, current, data_range, date_window,
                    set_selection, units_frame)


def _label(row: dict) -> str:
    return f"{row['name']} ({row['code']})"


def _set_unit(db: CachedDatabase, code: str) -> None:
    sel = current()
    unit = kpis.resolve_unit(db, code)
    p = sel.period
    if p.kind in ("year", "half", "nine_months", "quarter", "month") and unit.cutoff_day != p.cutoff_day:
        p = periods.make(p.kind, p.year, p.index, unit.cutoff_day)
    set_selection(Selection(unit, p, sel.compare))


def unit_picker(db: CachedDatabase) -> None:
    units = units_frame(db)
    sel = current()
    u = sel.unit
    provinces = units.filter(pl.col("level") == "province").to_dicts()
    by_code = {r["code"]: r for r in units.to_dicts()}
    codes = [r["code"] for r in units.filter(pl.col("level") != "province").to_dicts()]

    def on_search():
        code = st.session_state.get("f_search")
        if code:
            _set_unit(db, code)
        st.session_state["f_search"] = None

    st.selectbox("Tìm đơn vị (tên hoặc mã)", options=codes, index=None, key="f_search",
                 format_func=lambda c: f"{by_code[c]['name']} — {by_code[by_code[c]['parent_code']]['name']} ({c})"
                 if by_code[c]["parent_code"] in by_code else _label(by_code[c]),
                 placeholder="Gõ tên hoặc mã, ví dụ Quốc Tuấn hoặc 10621", on_change=on_search)

    pcodes = [r["code"] for r in provinces]
    st.selectbox("Tỉnh, thành phố", pcodes, index=pcodes.index(u.province) if u.province in pcodes else 0,
                 format_func=lambda c: by_code[c]["name"], key="f_province",
                 on_change=lambda: _set_unit(db, st.session_state["f_province"]))
    dist = units.filter((pl.col("level") == "district") & (pl.col("province_code") == u.province))
    dcodes = [NONE_DISTRICT] + dist["code"].to_list()
    dcur = u.district if u.level in ("district", "commune") else NONE_DISTRICT
    st.session_state["f_district"] = dcur
    st.selectbox("Quận, huyện, thị xã", dcodes, key="f_district",
                 format_func=lambda c: c if c == NONE_DISTRICT else by_code[c]["name"],
                 on_change=lambda: _set_unit(db, u.province if st.session_state["f_district"] == NONE_DISTRICT
                                             else st.session_state["f_district"]))
    if u.level in ("district", "commune"):
        com = units.filter((pl.col("level") == "commune") & (pl.col("district_code") == u.district))
        ccodes = [NONE_COMMUNE] + com["code"].to_list()
        st.session_state["f_commune"] = u.code if u.level == "commune" else NONE_COMMUNE
        st.selectbox("Xã, phường, thị trấn", ccodes, key="f_commune",
                     format_func=lambda c: c if c == NONE_COMMUNE else _label(by_code[c]),
                     on_change=lambda: _set_unit(db, u.district if st.session_state["f_commune"] == NONE_COMMUNE
                                                 else st.session_state["f_commune"]))


def _in_window(d: date, lo: date, hi: date) -> date:
    return min(max(d, lo), hi)


def period_picker(db: CachedDatabase) -> None:
    sel = current()
    first, last = data_range(db)
    lo, hi = date_window(db)  # the custom range's bounds, the same as a link's dates are clamped to
    cut = sel.unit.cutoff_day
    kinds = list(periods.KINDS)
    st.session_state["f_kind"] = sel.period.kind

    def on_kind():
        k = st.session_state["f_kind"]
        s = current()
        if k == "custom":  # a named period may reach outside the picker's bounds (e.g. Năm 2019)
            p = periods.custom(_in_window(s.period.start, lo, hi), _in_window(s.period.end, lo, hi))
        else:
            p = periods.latest_complete(k, last, cut)
        set_selection(Selection(s.unit, p, s.compare))

    st.selectbox("Loại kỳ báo cáo", kinds, key="f_kind", format_func=lambda k: periods.KINDS[k], on_change=on_kind)
    if sel.period.kind == "custom":
        def on_range():
            v = st.session_state.get("f_range")
            if isinstance(v, (tuple, list)) and len(v) == 2:
                s = current()
                set_selection(Selection(s.unit, kpis.period_for(s.unit, v[0], v[1]), s.compare))

        value = (_in_window(sel.period.start, lo, hi), _in_window(sel.period.end, lo, hi))  # inside already
        st.date_input("Từ ngày – đến ngày", value=value, min_value=lo, max_value=hi, format="DD/MM/YYYY",
                      key="f_range", on_change=on_range)
    else:
        options = periods.periods_of_kind(sel.period.kind, first, last, cut)
        if sel.period not in options:
            options = [sel.period] + options
        st.session_state["f_period"] = options.index(sel.period)

        def on_period():
            s = current()
            set_selection(Selection(s.unit, options[st.session_state["f_period"]], s.compare))

        st.selectbox("Kỳ", list(range(len(options))), key="f_period", format_func=lambda i: options[i].label,
                     on_change=on_period)

    def on_cmp():
        s = current()
        set_selection(Selection(s.unit, s.period, bool(st.session_state["f_cmp"])))

    st.session_state["f_cmp"] = sel.compare
    st.toggle("So sánh cùng kỳ năm trước", key="f_cmp", on_change=on_cmp)


def filter_bar(db: CachedDatabase) -> Selection:
    with st.sidebar:
        st.markdown("**Đơn vị và kỳ báo cáo**")
        unit_picker(db)
        period_picker(db)
    return current()
