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

What the data cover (cchc.coverage, issue 14) is applied here, where the selection is built
(``select``), so every page and query receives it: the period is clipped to the data end and to an
old unit's last day (``Selection.period.partial``); a period starting after the data end is refused
(a link's gets a warning and the unit's default period: the latest complete official year of its
province); an old unit over a period after its end is ``Selection.gone`` (app.py shows its message
and a button to its successor instead of the page). ``unit=`` takes a key of either map
(cchc.units.resolve: 10633, cu-10633, 10621).
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Collection

import polars as pl
import streamlit as st

from cchc import access, coverage, fmt, params, periods, storage, store, units
from cchc import db as dbm
from cchc.units import Unit

from .auth import IDENTITY

FILTER_KEYS = params.SHARED
NONE_DISTRICT = "— Toàn tỉnh —"
NONE_COMMUNE = "— Toàn huyện —"


# --- data access -------------------------------------------------------------------------
# Why no process serves figures older than another's once a write has completed (docs/serving.md):
# 1. every write through cchc.store (the app's pages, the command line, the rollup build, in any
#    process) bumps the data version as its last step, after its files are in place (store.writing);
# 2. every query of every run asks _fingerprint, which reads that version anew (two stat calls: no
#    time-to-live in between), and the query cache's key holds it, as do the other caches of this
#    process that hold data: the unit lists of the filter bar (cchc.ui.filters: _maps, _searches)
#    key on _fingerprint too; the Database itself (_database: its views, what it found damaged, its
#    reference lookups) is opened again on a new version;
# 3. so once process A's write has returned, any query started afterwards in process B gets a new
#    key, misses, and DuckDB reads the files as they are now (its views list the files at each query).
# The file listing (Database.fingerprint) stays as a fallback for files changed outside cchc.store
# (copied in by hand): those are seen within FINGERPRINT_TTL seconds.
_databases: dict[str, tuple[str, dbm.Database]] = {}
_databases_lock = threading.Lock()


def _database(root: str) -> dbm.Database:
    """The process's Database over root, shared by every session, opened again when the data version
    has changed (~0,1 s, once per write, by the first query after it): what a Database decides when it
    opens (a damaged table's views, a partitioned table whose first file was damaged read through a
    fixed list of its files, the reference lookups it keeps) then never outlives a write. The old one
    is left to the runs still using it (closed when no one holds it)."""
    version = store.data_version(root)
    kept = _databases.get(root)
    if kept is not None and kept[0] == version:
        return kept[1]
    with _databases_lock:
        kept = _databases.get(root)
        if kept is not None and kept[0] == version:
            return kept[1]
        db = dbm.Database(root)
        _databases[root] = (version, db)
        return db


# Seconds a file listing is trusted (the fallback for files copied in by hand; CCHC_LISTING_TTL sets it:
# listing a national folder of thousands of files on every query would cost more than the queries).
FINGERPRINT_TTL = float(os.environ.get("CCHC_LISTING_TTL") or 15)
_listings: dict[str, tuple[float, str]] = {}
_versions: dict[str, str] = {}


def _fingerprint(root: str) -> str:
    """What this process's caches key the data of root on: the store's data version (cchc.store
    .data_version, read on every call: ~2 µs) and the file listing (cchc.db.Database.fingerprint),
    listed again after FINGERPRINT_TTL s or refresh_data(). A new version also empties the query
    cache (its old entries could never be hit again)."""
    version = store.data_version(root)
    if _versions.get(root) != version:
        if root in _versions:
            _queries.clear()
        _versions[root] = version
    now = time.monotonic()
    kept = _listings.get(root)
    if kept is None or now - kept[0] >= FINGERPRINT_TTL:
        kept = (now, _database(root).fingerprint())
        _listings[root] = kept
    return f"{version}/{kept[1]}"


class QueryCache:
    """Query results shared by every session of the server process, until the data change (the
    key holds the data fingerprint), for at most ``ttl`` seconds, the ``size`` most recently used.

    A plain dict keyed by the parameters' text (their repr: dates, codes, a scope's dict of lists,
    exact as in cchc.db.Database._run_reference), instead of st.cache_data: a page run asks ~40
    queries, and st.cache_data hashing each one's arguments and unpickling its result cost ~40 ms of
    a new session's first run (docs/performance-app.md). The frames are shared, not copied: polars
    operations return new frames, and nothing in the app changes one in place."""

    def __init__(self, size: int = 5000, ttl: float = 3600):
        self.size, self.ttl = size, ttl
        self._kept: OrderedDict[tuple, tuple[float, pl.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self.ttl:
                self._kept.move_to_end(key)
                return kept[1]
        df = compute()  # outside the lock: sessions run their queries side by side
        with self._lock:
            self._kept[key] = (now, df)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return df

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_queries = QueryCache()


class CachedDatabase:
    """Same interface as cchc.db.Database.run, with results cached until the data change."""

    def __init__(self, root: str):
        self.root = root
        self.inner = _database(root)

    def run(self, name: str, **params) -> pl.DataFrame:
        wanted = self.inner.params_of(name)
        items = tuple((k, params[k]) for k in wanted if k in params)  # params_of is sorted
        key = (self.root, _fingerprint(self.root), name, repr(items))
        return _queries.get(key, lambda: self.inner.run(name, **dict(items)))

    def sql(self, text: str, **params) -> pl.DataFrame:
        return self.inner.sql(text, **params)


def warm_up() -> None:
    """What every server process's first page run would otherwise do for its first visitor, done at
    server start (cchc.ui.serve.prepare): import the pages' view modules (and with them polars, DuckDB,
    Plotly: ~1,1 s on the benchmark machine) and open the database of CCHC_DATA_DIR (~0,25 s; a missing
    or damaged folder is left to the page, which says so). Measured in docs/performance-app.md."""
    import importlib
    import pkgutil

    from cchc import views
    for m in pkgutil.iter_modules(views.__path__):
        importlib.import_module(f"{views.__name__}.{m.name}")
    try:
        _database(str(dbm.data_dir(os.environ.get("CCHC_DATA_DIR"))))
    except dbm.DataError:
        pass


def get_db() -> CachedDatabase:
    """The database of CCHC_DATA_DIR (or data/); stops the page with a Vietnamese message if absent.
    Seen by the session's identity (cchc.access.Guarded) when its scope is not the whole country."""
    root = str(dbm.data_dir(os.environ.get("CCHC_DATA_DIR")))
    try:
        db = CachedDatabase(root)
    except dbm.DataError as e:
        st.error(str(e))
        st.stop()
    ident = st.session_state.get(IDENTITY)
    if ident is not None and ident.scope.kind != "country":  # every query checked against the scope
        return access.Guarded(db, ident)
    return db


# --- selection -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """The unit, the period and the comparison switch every page reads. ``period`` is what the
    queries receive: clipped to the data end and to an old unit's last day (cchc.coverage.clip;
    ``period.partial`` and its label say so). ``gone``: an old unit over a period starting after its
    end; the period is then the whole named one and the pages are not run (app.py shows
    ``unit.gone_message()`` and a button to its successor)."""
    unit: Unit
    period: periods.Period
    compare: bool
    gone: bool = False

    @property
    def previous(self) -> periods.Period:
        return self.period.previous_year()

    @property
    def title_suffix(self) -> str:
        """What every chart title ends with: the unit and the period."""
        return f"{self.unit.full_name} — {self.period.label}"

    @property
    def caption(self) -> str:
        """title_suffix for markdown (a page's caption): the unit's name escaped; a unit of the map
        not in force at the period's end named with Unit.label() ("… (cũ, nay thuộc …)")."""
        other = coverage.map_at(self.period.nominal_end) != self.unit.map
        return f"{fmt.md(self.unit.label() if other else self.unit.full_name)} — {self.period.label}"

    def params(self) -> dict[str, str]:
        p = {"unit": self.unit.key, **self.period.to_params()}
        if not self.compare:
            p["cmp"] = "0"
        return p


def units_frame(db: CachedDatabase) -> pl.DataFrame:
    return db.run("units_all")


def data_range(db: CachedDatabase) -> tuple[date, date]:
    """The days the pages work within (cchc.coverage.working_range: the data's, or today before any data)."""
    return coverage.working_range(db)


def data_end(db: CachedDatabase) -> date:
    """The last day with data (cchc.coverage.data_end)."""
    return data_range(db)[1]


def date_window(db: CachedDatabase) -> tuple[date, date]:
    """The dates a link's custom range is clamped to (cchc.params.date_window)."""
    return params.date_window(*data_range(db))


def resolve_unit(db: CachedDatabase, key: str) -> Unit:
    """The unit a key names, of either map (cchc.units.resolve: "10633", "cu-10633", "10621")."""
    return units.resolve(db, key)


def cutoff_of(unit: Unit) -> int:
    """The unit's province's cut-off day (cchc.coverage.cutoff_day, from the reference file)."""
    return coverage.cutoff_day(unit.map, unit.province)


def select(db: CachedDatabase, unit: Unit, p: periods.Period, compare: bool) -> Selection:
    """The selection of a unit and a (named or custom) period: the period clipped to the data end
    and the unit's last day, or ``gone`` when the unit ended before the period starts. Raises
    coverage.CoverageError (Vietnamese) when the period starts after the data end."""
    p, end = p.full(), data_end(db)
    if coverage.is_after_data(p, end):
        coverage.clip(p, end)  # raises CoverageError with its message
    if unit.ended_before(p.start):
        return Selection(unit, p, compare, gone=True)
    return Selection(unit, coverage.clip(p, end, unit.valid_to), compare)


def with_unit(db: CachedDatabase, sel: Selection, unit: Unit) -> Selection:
    """``sel`` for another unit: an official period re-made with that unit's cut-off day; a period
    the data do not reach for it falls back to its default."""
    p = sel.period.full()
    cut = cutoff_of(unit)
    if p.kind in ("year", "half", "nine_months", "quarter", "month") and cut != p.cutoff_day:
        p = periods.make(p.kind, p.year, p.index, cut)
    try:
        return select(db, unit, p, sel.compare)
    except periods.PeriodError:
        return select(db, unit, default_period(db, unit), sel.compare)


def default_period(db: CachedDatabase, unit: Unit) -> periods.Period:
    """The unit's default period: the latest complete official year of its province
    (cchc.coverage.default_period)."""
    return coverage.default_period(data_end(db), cutoff_of(unit), unit.valid_to)


def _default_selection(db: CachedDatabase) -> Selection:
    """The first unit of the signed-in account's scope, else the first province of the map in force on
    the data end (the sample's one province), over its default period, compared with a year earlier."""
    ident = st.session_state.get(IDENTITY)
    if ident is not None and ident.scope.kind != "country":
        for key in ident.scope.keys:
            try:
                unit = resolve_unit(db, key)
            except units.UnitError:
                continue
            return select(db, unit, default_period(db, unit), True)
    all_units = units_frame(db)
    provinces = all_units.filter(pl.col("level") == "province")
    if "map" in provinces.columns:
        of_map = provinces.filter(pl.col("map") == coverage.map_at(data_end(db)))
        provinces = of_map if not of_map.is_empty() else provinces
    row = provinces.row(0, named=True)
    unit = resolve_unit(db, unit_key_of(row, new_codes(all_units)))
    return select(db, unit, default_period(db, unit), True)


def unit_key_of(row: dict, new_codes: Collection[str] = ()) -> str:
    """The key (URL text) of a units_all row: a new unit's code; an old unit's code, or "cu-" + code
    when a new unit reuses it (cchc.units.Unit.key; the row's ``reused``, else whether its code is
    one of ``new_codes``: new_codes(units_frame))."""
    if row.get("map", units.OLD) == units.NEW:
        return row["code"]
    reused = row.get("reused")
    if reused is None:
        reused = row["code"] in new_codes
    return units.OLD_PREFIX + row["code"] if reused else row["code"]


def new_codes(all_units: pl.DataFrame) -> frozenset[str]:
    """The codes of the new map's units (a units_all frame)."""
    if "map" not in all_units.columns:
        return frozenset()
    return frozenset(all_units.filter(pl.col("map") == units.NEW)["code"].to_list())


def _from_url(db: CachedDatabase, qp: dict[str, str],
              fallback: Selection | Callable[[], Selection]) -> tuple[Selection, str | None]:
    """The selection a URL describes, each unusable part (unit, period, comparison) replaced by the
    fallback's, with a Vietnamese warning (plain text) saying what was replaced, clamped or refused:
    a period starting after the data end is refused (the unit's default period instead).
    ``fallback`` may be a function giving it: it is then called only if a part is missing or
    unusable (a new session's deep link naming a unit and a period does not need the default view)."""
    got: list[Selection] = []

    def fb() -> Selection:
        if not got:
            got.append(fallback() if callable(fallback) else fallback)
        return got[0]

    v = params.parse(params.SHARED, qp)
    problems, replaced = list(v.warnings), False  # replaced: a problem whose text does not say so
    unit = None
    if v["unit"] is not None:
        try:
            unit = resolve_unit(db, v["unit"])
        except units.UnitError as e:
            problems.append(str(e))
            replaced = True
    if unit is None:
        unit = fb().unit
    p, note = None, None
    if any(params.raw_text(qp.get(k)) is not None for k in ("from", "to", "kind")):
        try:
            p = params.period(v, cutoff_day=cutoff_of(unit))
            if p.kind == "custom":
                start, end, note = params.clamp_range(p.start, p.end, *date_window(db))
                p = periods.period_for(start, end, cutoff_of(unit))
        except periods.PeriodError as e:
            problems.append(str(e))
            replaced = True
    if p is None:  # the fallback's period; a link naming a unit only: that unit's default
        same = (unit.map, unit.code) == (fb().unit.map, fb().unit.code)
        p = fb().period.full() if same else default_period(db, unit)
    try:
        sel = select(db, unit, p, v["cmp"] != "0")
    except periods.PeriodError as e:  # starts after the data end
        problems.append(str(e))
        replaced = True
        sel = select(db, unit, default_period(db, unit), v["cmp"] != "0")
    messages = []
    if problems:
        messages.append("Đường dẫn không dùng được: " + " ".join(problems)
                        + (" Phần không dùng được đã thay bằng lựa chọn mặc định." if replaced else ""))
    if note:
        messages.append(note)
    return sel, " ".join(messages) or None


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
        kept = st.session_state.get("selection")
        if qp:  # the default view is worked out only if the link needs it
            sel, warn = _from_url(db, qp, kept or (lambda: _default_selection(db)))
        else:
            sel, warn = kept or _default_selection(db), None
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


def writable_root() -> Path:
    """The data folder, for a page about to write into it. Data read from object storage are read-only
    (cchc.storage, docs/storage.md): the page says so in Vietnamese and stops."""
    root = data_root()
    try:
        storage.check_writable(root)
    except storage.ReadOnlyError as e:
        st.error(fmt.md(str(e)), icon=":material/cloud_off:")
        st.stop()
    return root


def refresh_data() -> None:
    """List the files again at the next query. A write through cchc.store needs no call (it bumps the
    data version, which every query reads); this is for files changed by other means."""
    _listings.clear()
