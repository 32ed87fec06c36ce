"""Streamlit glue: the cached database, the shared filter bar (unit, period, comparison) and the
URL (st.query_params) that carries them, so that a copied link reproduces the view.

Link format (stable; other systems deep-link into it):
    ?unit=10621&from=2022-12-10&to=2023-12-09            always works, on every page
    &kind=year&y=2023&cut=10                             optional: names the period
    &cmp=0                                               optional: no year-on-year comparison
Pages may add their own parameters (e.g. the drill-down's field=, proc=, q=, pg=).

Every parameter is read through cchc.params (one table, one parser): a value the app cannot use is
replaced by its default and the page says so in Vietnamese, escaped (cchc.fmt.md); a custom range
is clamped to the dates the picker offers (date_window).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Collection

import polars as pl
import streamlit as st

from cchc import db as dbm
from cchc import fmt, kpis, params, periods
from cchc.kpis import Unit

FILTER_KEYS = params.SHARED
NONE_DISTRICT = "— Toàn tỉnh —"
NONE_COMMUNE = "— Toàn huyện —"


# --- data access -------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _database(root: str) -> dbm.Database:
    return dbm.Database(root)


@st.cache_data(ttl=15, show_spinner=False)
def _fingerprint(root: str) -> str:
    return _database(root).fingerprint()


@st.cache_data(ttl=3600, max_entries=5000, show_spinner=False)
def _run(root: str, fingerprint: str, name: str, items: tuple) -> pl.DataFrame:
    return _database(root).run(name, **dict(items))


class CachedDatabase:
    """Same interface as cchc.db.Database.run, with results cached until the data change."""

    def __init__(self, root: str):
        self.root = root
        self.inner = _database(root)

    def run(self, name: str, **params) -> pl.DataFrame:
        wanted = self.inner.params_of(name)
        items = tuple(sorted((k, params[k]) for k in wanted if k in params))
        return _run(self.root, _fingerprint(self.root), name, items)

    def sql(self, text: str, **params) -> pl.DataFrame:
        return self.inner.sql(text, **params)


def get_db() -> CachedDatabase:
    """The database of CCHC_DATA_DIR (or data/); stops the page with a Vietnamese message if absent."""
    root = str(dbm.data_dir(os.environ.get("CCHC_DATA_DIR")))
    try:
        return CachedDatabase(root)
    except dbm.DataError as e:
        st.error(str(e))
        st.stop()


# --- selection -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    unit: Unit
    period: periods.Period
    compare: bool

    @property
    def previous(self) -> periods.Period:
        return self.period.previous_year()

    @property
    def title_suffix(self) -> str:
        """What every chart title ends with: the unit and the period."""
        return f"{self.unit.full_name} — {self.period.label}"

    @property
    def caption(self) -> str:
        """title_suffix for markdown (a page's caption): the unit's name escaped."""
        return f"{fmt.md(self.unit.full_name)} — {self.period.label}"

    def params(self) -> dict[str, str]:
        p = {"unit": self.unit.code, **self.period.to_params()}
        if not self.compare:
            p["cmp"] = "0"
        return p


def units_frame(db: CachedDatabase) -> pl.DataFrame:
    return db.run("units_all")


def data_range(db: CachedDatabase) -> tuple[date, date]:
    r = db.run("data_range").row(0)
    return r[0], r[1]


def date_window(db: CachedDatabase) -> tuple[date, date]:
    """The dates a custom range may take (the picker's min and max; a link's dates are clamped to it)."""
    return params.date_window(*data_range(db))


def _default_selection(db: CachedDatabase) -> Selection:
    units = units_frame(db)
    commune = units.filter(pl.col("level") == "commune")
    province = units.filter(pl.col("level") == "province")["code"][0]
    unit = kpis.resolve_unit(db, province if commune.is_empty() else province)
    _, last = data_range(db)
    return Selection(unit, periods.latest_complete("year", last, unit.cutoff_day), True)


def _from_url(db: CachedDatabase, qp: dict[str, str], fallback: Selection) -> tuple[Selection, str | None]:
    """The selection a URL describes, each unusable part (unit, period, comparison) replaced by the
    fallback's, with a Vietnamese warning (plain text) saying what was replaced or clamped."""
    v = params.parse(params.SHARED, qp)
    problems, replaced = list(v.warnings), False  # replaced: a problem whose text does not say so
    unit = fallback.unit
    if v["unit"] is not None:
        try:
            unit = kpis.resolve_unit(db, v["unit"])
        except kpis.UnitError as e:
            problems.append(str(e))
            replaced = True
    p, note = fallback.period, None
    if any(params.raw_text(qp.get(k)) is not None for k in ("from", "to", "kind")):
        try:
            p = params.period(v, cutoff_day=unit.cutoff_day)
            if p.kind == "custom":
                start, end, note = params.clamp_range(p.start, p.end, *date_window(db))
                p = kpis.period_for(unit, start, end)
        except periods.PeriodError as e:
            problems.append(str(e))
            p, replaced = fallback.period, True
    messages = []
    if problems:
        messages.append("Đường dẫn không dùng được: " + " ".join(problems)
                        + (" Phần không dùng được đã thay bằng lựa chọn mặc định." if replaced else ""))
    if note:
        messages.append(note)
    return Selection(unit, p, v["cmp"] != "0"), " ".join(messages) or None


def current() -> Selection:
    """The selection of this session (set by filter_bar in app.py)."""
    return st.session_state["selection"]


def set_selection(sel: Selection) -> None:
    st.session_state["selection"] = sel


def sync_from_url(db: CachedDatabase) -> None:
    """Adopt the URL's filters when they are new to this session (first load, pasted link)."""
    qp = {k: st.query_params.get(k) for k in FILTER_KEYS if st.query_params.get(k) is not None}
    last = st.session_state.get("_written_qp")
    if "selection" not in st.session_state or (qp and qp != last):
        fallback = st.session_state.get("selection") or _default_selection(db)
        sel, warn = _from_url(db, qp, fallback) if qp else (fallback, None)
        set_selection(sel)
        if warn:  # shown by app.py as markdown: escaped here
            st.session_state["_url_warning"] = fmt.md(warn)


def write_url(extra: dict[str, str] | None = None) -> None:
    """Write the selection (and a page's own parameters) into the URL."""
    sel = current()
    params = sel.params()
    for k in list(st.query_params.keys()):
        if k in FILTER_KEYS and k not in params:
            del st.query_params[k]
    for k, v in params.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    if extra:
        for k, v in extra.items():
            if v is None:
                if k in st.query_params:
                    del st.query_params[k]
            elif st.query_params.get(k) != str(v):
                st.query_params[k] = str(v)
    st.session_state["_written_qp"] = {k: st.query_params.get(k) for k in FILTER_KEYS if st.query_params.get(k) is not None}


def page_values(*names: str, allowed: dict[str, Collection | None] | None = None) -> params.Parsed:
    """This page's own URL parameters (declared in cchc.params.PARAMS), typed and bounded; each
    unusable one gets its default and a warning on the page. allowed: the values the page offers
    for a parameter whose list depends on the data (indicator codes, years)."""
    parsed = params.parse(names, st.query_params, allowed)
    for w in parsed.warnings:
        st.warning(fmt.md(w), icon=":material/link_off:")
    return parsed


def page_value(name: str, allowed: Collection | None = None) -> Any:
    """One page parameter (see page_values)."""
    return page_values(name, allowed={name: allowed})[name]


def data_root() -> Path:
    return dbm.data_dir(os.environ.get("CCHC_DATA_DIR"))


def refresh_data() -> None:
    """Forget the data fingerprint so the next query sees files just written (after a save)."""
    _fingerprint.clear()
