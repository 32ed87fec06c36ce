"""The shared filter bar: the data end ("Dữ liệu đến dd/mm/yyyy", shown here once for every page),
the unit (by the structure of the map in force at the chosen period's end: province → district →
commune until 30/06/2025, province → commune from 01/07/2025; searchable by name or code over both
maps, an old unit shown with Unit.label(), "… (cũ, nay thuộc …)"), the period (kind, then period,
each offered one labelled with what the data cover; or a custom range ending at the latest on the
data end) and the year-on-year comparison switch.

A unit of the other map (given by a link or kept from an earlier choice) stays selected: the
boxes of the map in force then show no choice and a caption names the unit."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from typing import Callable

import polars as pl
import streamlit as st

from cchc import coverage, fmt, periods, units

from .state import (NONE_COMMUNE, NONE_DISTRICT, CachedDatabase, Selection, _fingerprint, current, cutoff_of,
                    data_range, date_window, default_period, new_codes, resolve_unit, select, set_selection,
                    unit_key_of, units_frame, with_unit)

NONE_PROVINCE_COMMUNE = "— Toàn tỉnh, thành phố —"
MAP_TEXT = {units.OLD: "trước 01/07/2025 (tỉnh → huyện → xã)", units.NEW: "từ 01/07/2025 (tỉnh → xã)"}
_UNIT_FIELDS = {f.name for f in fields(units.Unit)}


def _of_map(frame: pl.DataFrame, map_: str) -> pl.DataFrame:
    return frame.filter(pl.col("map") == map_) if "map" in frame.columns else frame


def _row_unit(r: dict) -> units.Unit:
    """A Unit made from a units_all row, for its label only (no query)."""
    kw = {"code": r["code"], "name": r["name"], "level": r["level"], "province": r["province_code"],
          "district": r["district_code"], "parent_name": r.get("parent_name"), "province_name": r.get("province_name"),
          "map": r.get("map", units.OLD), "valid_from": r.get("valid_from"), "valid_to": r.get("valid_to"),
          "successor_code": r.get("successor_code"), "successor_name": r.get("successor_name"),
          "successor_province_name": r.get("successor_province_name"), "reused": bool(r.get("reused"))}
    return units.Unit(**{k: v for k, v in kw.items() if k in _UNIT_FIELDS})


# The search box lists the provinces of both maps; any other unit is found by typing and Enter, searched
# here (the boxes under it list the selected province's districts and communes). Listing every unit
# sent 1,2 MB to every new session at national scale (14.161 units of both maps;
# docs/performance-national.md); listing the selected province's units too (612 for Hải Phòng) cost
# a new session's page ~0,1 s of the browser's CPU and 50 KB (docs/performance-app.md).
SEARCH_MAX_CHARS = 80   # a typed search is cut here (the longest label of a unit is shorter)
SEARCH_SHOWN = 30       # matches listed under the box


def fold(text: str) -> str:
    """Lower case without Vietnamese marks ("Quốc Tuấn", "quoc tuan" and "QUỐC TUẤN" fold alike)."""
    t = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in t if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Search:
    """Every unit's label (search_labels), folded for matching, and the keys listed in the box: the
    provinces of both maps."""
    labels: dict[str, str]
    folded: dict[str, str]
    provinces: list[str]

    def matches(self, text: str) -> list[str]:
        words = fold(text).split()
        return [k for k, f in self.folded.items() if all(w in f for w in words)] if words else []


_searches: dict[tuple, _Search] = {}


def search_index(frame: pl.DataFrame) -> _Search:
    """The _Search of a units_all frame."""
    labels = search_labels(frame)
    fresh = new_codes(frame)
    provinces = [unit_key_of(r, fresh) for r in frame.to_dicts() if r["level"] == "province"]
    return _Search(labels, {k: fold(v) for k, v in labels.items()}, provinces)


def search_results(hits: str, box: str, labels: dict[str, str], take: Callable[[str], None],
                   none: str = "Không tìm thấy đơn vị nào khớp") -> None:
    """Under a search box, what a typed search found (st.session_state[hits] = (text, keys shown, how
    many matched)): none is said; several are listed in a box (key `box`), whose pick goes to `take`."""
    got = st.session_state.get(hits)
    if not got:
        return
    text, found, total = got
    if not found:
        st.caption(f"{none} «{fmt.md(text)}».")
        return

    def on_hit():
        key = st.session_state.get(box)
        st.session_state.pop(hits, None)
        if key in labels:
            take(key)

    more = f", đây là {fmt.number(len(found))} đơn vị đầu" if total > len(found) else ""
    st.selectbox(f"Kết quả tìm «{fmt.md(text)}»: {fmt.number(total)} đơn vị{more}", options=found, index=None,
                 key=box, format_func=lambda k: labels.get(k, k), on_change=on_hit)


def typed_search(db: CachedDatabase, text: str, hits: str, keep: Callable[[str], bool] = lambda k: True) -> str | None:
    """Text typed in a search box (Enter), cut at SEARCH_MAX_CHARS, searched over every unit of both maps,
    Vietnamese marks optional (_Search.matches): the one match `keep` accepts, else None and what was
    found (none or several) left for search_results under st.session_state[hits]."""
    text = str(text)[:SEARCH_MAX_CHARS]
    found = [k for k in _search(db).matches(text) if keep(k)]
    if len(found) == 1:
        return found[0]
    st.session_state[hits] = (text, found[:SEARCH_SHOWN], len(found))
    return None


def unit_labels(db: CachedDatabase) -> dict[str, str]:
    """search_labels of the data's units, built once per data fingerprint (the search's)."""
    return _search(db).labels


def _search(db: CachedDatabase) -> _Search:
    """search_index of the data's units, built once per data fingerprint."""
    key = (db.root, _fingerprint(db.root))
    got = _searches.get(key)
    if got is None:
        got = search_index(units_frame(db))
        if len(_searches) >= _MAPS_KEPT:
            _searches.clear()
        _searches[key] = got
    return got


def search_labels(frame: pl.DataFrame) -> dict[str, str]:
    """key -> what the search box shows, for every unit of both maps (units_all rows): a new unit
    "Xã Trần Phú — Thành phố Hải Phòng (10633)", an old one with its Unit.label() "Xã Quốc Tuấn,
    Huyện Nam Sách (cũ, nay thuộc Xã Trần Phú, Thành phố Hải Phòng) (10621)"."""
    fresh = new_codes(frame)
    names = {(r.get("map", units.OLD), r["code"]): r["name"] for r in frame.to_dicts()}
    out: dict[str, str] = {}
    for r in frame.to_dicts():
        key = unit_key_of(r, fresh)
        if r.get("map") != units.OLD:
            parent = names.get((r.get("map", units.OLD), r["parent_code"])) if r["parent_code"] else None
            text = f"{r['name']} — {parent}" if parent else r["name"]
        else:
            text = _row_unit(r).label()
        out[key] = f"{text} ({key})"
    return out


def _set_unit(db: CachedDatabase, key: str) -> None:
    """Select a unit picked in the bar; an old unit picked over a period after its end gets its own
    default period (the latest complete official year before its end), and the page says so."""
    sel = with_unit(db, current(), resolve_unit(db, key))
    if sel.gone:
        sel = select(db, sel.unit, default_period(db, sel.unit), sel.compare)
        st.session_state["_url_warning"] = fmt.md(f"{sel.unit.gone_message()} Đang hiển thị kỳ {sel.period.label}.")
    set_selection(sel)


@dataclass(frozen=True)
class _MapUnits:
    """The units of one map as the boxes list them: rows by code (units_all order), the new map's
    codes (for unit_key_of), and the codes of each level under each parent."""
    rows: dict[str, dict]
    fresh: frozenset[str]
    has_map: bool
    children: dict[tuple, list[str]]

    def under(self, level: str, field: str | None = None, parent: str | None = None) -> list[str]:
        return self.children.get((level, field, parent), [])


_MAPS_KEPT = 8
_maps: dict[tuple, _MapUnits] = {}


def _map_units(db: CachedDatabase, map_: str) -> _MapUnits:
    """_MapUnits of a map, built once per data fingerprint (every run of every session shows the
    boxes: turning the units into dicts and filtering them per box cost a few ms a run)."""
    key = (db.root, _fingerprint(db.root), map_)
    got = _maps.get(key)
    if got is None:
        all_units = units_frame(db)
        rows = {r["code"]: r for r in _of_map(all_units, map_).to_dicts()}
        children: dict[tuple, list[str]] = {}
        for c, r in rows.items():
            children.setdefault((r["level"], None, None), []).append(c)
            for field in ("province_code", "district_code"):
                children.setdefault((r["level"], field, r.get(field)), []).append(c)
        got = _MapUnits(rows, new_codes(all_units), "map" in all_units.columns, children)
        if len(_maps) >= _MAPS_KEPT:
            _maps.clear()
        _maps[key] = got
    return got


def unit_picker(db: CachedDatabase) -> None:
    """The search box (both maps, by key) and the boxes of the map in force at the period's end,
    whose values are codes (one map: a code names one unit), turned into keys when picked."""
    sel = current()
    u = sel.unit
    map_ = coverage.map_at(sel.period.nominal_end)
    tree = _map_units(db, map_)
    rows, fresh = tree.rows, tree.fresh
    here = u.map == map_ if tree.has_map else True
    search = _search(db)
    labels = search.labels

    def on_search():
        """A listed unit is selected; typed text (Enter) is searched over every unit of both maps: one
        match is selected, several are listed under the box."""
        value = st.session_state.get("f_search")
        st.session_state["f_search"] = None
        st.session_state.pop("f_hits", None)
        if not value:
            return
        key = value if value in labels else typed_search(db, value, "f_hits")
        if key:
            _set_unit(db, key)

    st.selectbox("Tìm đơn vị (tên hoặc mã, cả đơn vị cũ)", options=search.provinces, index=None, key="f_search",
                 format_func=lambda k: labels.get(k, k), accept_new_options=True,
                 placeholder="Tên hoặc mã, vd. Quốc Tuấn, 10621", on_change=on_search)
    search_results("f_hits", "f_hit", labels, lambda key: _set_unit(db, key))
    if not here:  # a unit of the other map (a link, or the period changed): it stays selected
        st.caption(f"Đang xem: {fmt.md(u.label())}. Các danh sách dưới đây là đơn vị hành chính {MAP_TEXT[map_]}.")

    def pick(box: str, none: str, whole: str | None):
        v = st.session_state[box]
        code = whole if v == none else v
        if code is not None and code in rows:
            _set_unit(db, unit_key_of(rows[code], fresh))

    provinces = tree.under("province")
    st.session_state["f_province"] = u.province if here and u.province in provinces else None
    st.selectbox("Tỉnh, thành phố", provinces, key="f_province", format_func=lambda c: rows[c]["name"],
                 placeholder="Chọn tỉnh, thành phố", on_change=lambda: pick("f_province", "", None))
    if not here:
        return
    if map_ == units.NEW:  # province → commune
        com = tree.under("commune", "province_code", u.province)
        st.session_state["f_commune"] = u.code if u.level == "commune" else NONE_PROVINCE_COMMUNE
        st.selectbox("Xã, phường, đặc khu", [NONE_PROVINCE_COMMUNE] + com, key="f_commune",
                     format_func=lambda c: c if c == NONE_PROVINCE_COMMUNE else rows[c]["name"],
                     on_change=lambda: pick("f_commune", NONE_PROVINCE_COMMUNE, u.province))
        return
    # old map: province → district → commune
    dist = tree.under("district", "province_code", u.province)
    inside = u.level in ("district", "commune") and u.district in dist
    st.session_state["f_district"] = u.district if inside else NONE_DISTRICT
    st.selectbox("Quận, huyện, thị xã", [NONE_DISTRICT] + dist, key="f_district",
                 format_func=lambda c: c if c == NONE_DISTRICT else rows[c]["name"],
                 on_change=lambda: pick("f_district", NONE_DISTRICT, u.province))
    if inside:
        com = tree.under("commune", "district_code", u.district)
        st.session_state["f_commune"] = u.code if u.level == "commune" else NONE_COMMUNE
        st.selectbox("Xã, phường, thị trấn", [NONE_COMMUNE] + com, key="f_commune",
                     format_func=lambda c: c if c == NONE_COMMUNE else f"{rows[c]['name']} ({c})",
                     on_change=lambda: pick("f_commune", NONE_COMMUNE, u.district))


def _in_window(d: date, lo: date, hi: date) -> date:
    return min(max(d, lo), hi)


def _choose(db: CachedDatabase, p: periods.Period) -> None:
    """Select period p for the current unit (a period the data do not reach: a warning, no change)."""
    s = current()
    try:
        set_selection(select(db, s.unit, p, s.compare))
    except periods.PeriodError as e:
        st.session_state["_url_warning"] = fmt.md(str(e))


def period_picker(db: CachedDatabase) -> None:
    sel = current()
    first, last = data_range(db)
    lo, _ = date_window(db)  # a custom range starts no earlier than a link's dates are clamped to
    hi = last                # and ends on the data end at the latest: nothing after it is offered
    cut = cutoff_of(sel.unit)
    st.session_state["f_kind"] = sel.period.kind

    def on_kind():
        k = st.session_state["f_kind"]
        s = current()
        if k == "custom":  # a named period may reach outside the picker's bounds (e.g. Năm 2019)
            p = periods.custom(_in_window(s.period.start, lo, hi), _in_window(s.period.end, lo, hi))
        else:
            p = coverage.default_period(last, cut, s.unit.valid_to, kind=k)
        _choose(db, p)

    st.selectbox("Loại kỳ báo cáo", list(periods.KINDS), key="f_kind", format_func=lambda k: periods.KINDS[k],
                 on_change=on_kind)
    if sel.period.kind == "custom":
        def on_range():
            v = st.session_state.get("f_range")
            if isinstance(v, (tuple, list)) and len(v) == 2:
                _choose(db, periods.period_for(v[0], v[1], cutoff_of(current().unit)))

        value = (_in_window(sel.period.start, lo, hi), _in_window(sel.period.end, lo, hi))
        st.date_input("Từ ngày – đến ngày", value=value, min_value=lo, max_value=hi, format="DD/MM/YYYY",
                      key="f_range", on_change=on_range, help=f"Dữ liệu có đến ngày {periods.fmt_date(last)}.")
    else:
        # every period overlapping the data: none starts after the data end
        options = periods.periods_of_kind(sel.period.kind, first, last, cut)
        whole = sel.period.full()
        if whole not in options:
            options = [whole] + options
        st.session_state["f_period"] = options.index(whole)

        def text(i: int) -> str:  # name and dates; where a clipped period stops: the caption below
            return options[i].full().label

        st.selectbox("Kỳ", list(range(len(options))), key="f_period", format_func=text,
                     on_change=lambda: _choose(db, options[st.session_state["f_period"]]))
        if sel.period.partial:  # kept out of the option's text, which the box would cut
            st.caption(f"Kỳ chưa trọn: {sel.period.coverage_note}.")

    def on_cmp():
        s = current()
        set_selection(Selection(s.unit, s.period, bool(st.session_state["f_cmp"]), s.gone))

    st.session_state["f_cmp"] = sel.compare
    st.toggle("So sánh cùng kỳ năm trước", key="f_cmp", on_change=on_cmp)


def filter_bar(db: CachedDatabase) -> Selection:
    with st.sidebar:
        st.markdown("**Đơn vị và kỳ báo cáo**")
        st.caption(coverage.data_label(coverage.data_end(db)))
        unit_picker(db)
        period_picker(db)
    return current()


__all__ = ["filter_bar", "unit_picker", "period_picker", "search_labels", "default_period"]
