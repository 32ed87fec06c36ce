"""So sánh đơn vị: two to six units of one level (either administrative map) over the same period,
as data and figures:

    chosen = choose(db, ["10621", "10618", "10606"])   # resolved units, or a Vietnamese refusal
    cols = columns(db, chosen.units, period)           # each unit's clipped period, or gone
    kpi_table(db, cols)                                # the catalogue's card KPIs, one column a unit
    trend_figure(trends(db, cols), ...)                # on-time rate and received, one line a unit
    bieu06.build_table(db, unit, col.period)           # Biểu 06 per unit (the page lays it out)

Every value comes from cchc.kpis (kpis.kpis + metrics.values, kpis.monthly_trend), so the table
equals what Tổng quan shows for each unit. No Streamlit here (pages/so_sanh.py lays these out).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .. import charts, coverage, fmt, kpis, metrics, periods, units
from ..db import Database
from ..kpis import Unit

MIN_UNITS, MAX_UNITS = 2, 6
LEVELS = {"province": "Tỉnh, thành phố", "district": "Huyện (bản đồ cũ)", "commune": "Xã, phường, thị trấn"}
CARD_KEYS: list[str] = list(metrics.catalogue().cards)
GONE_CELL = "Không còn tồn tại"
TREND_RATE, TREND_COUNT = "on_time_rate", "received_new"


# --- choosing the units ------------------------------------------------------------------------
@dataclass(frozen=True)
class Chosen:
    units: list[Unit]
    problem: str | None = None  # why the keys were refused (Vietnamese, plain text), units then empty


def column_name(unit: Unit) -> str:
    """The table's column header of a unit: its name and key (unique: two communes may share a name)."""
    return f"{unit.name} ({unit.key})"


def choose(db: Database, keys: list[str]) -> Chosen:
    """The units the keys name, in order and without repeats: refused (Chosen.problem) when there are
    fewer than two or more than six, a key names no unit, or the units are not all of one level."""
    keys = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))
    if not MIN_UNITS <= len(keys) <= MAX_UNITS:
        return Chosen([], f"Cần chọn từ {MIN_UNITS} đến {MAX_UNITS} đơn vị để so sánh (đang có {len(keys)}).")
    found: list[Unit] = []
    for k in keys:
        try:
            found.append(units.resolve(db, k))
        except units.UnitError as e:
            return Chosen([], str(e))
    if len({u.level for u in found}) > 1:
        names = "; ".join(f"{u.name} ({units.LEVEL_NAMES.get(u.level, u.level)})" for u in found)
        return Chosen([], f"Chỉ so sánh được các đơn vị cùng cấp: {names}.")
    if len({(u.map, u.code) for u in found}) < len(found):
        return Chosen([], "Có đơn vị được chọn hai lần.")
    return Chosen(found)


def options(frame: pl.DataFrame, labels: dict[str, str], level: str, around: str | None = None) -> list[str]:
    """The keys of the units of a level (units_all rows, both maps): the new map's first, then by label.
    With `around` (a unit's key), only those of its province family (family()): the picker lists them
    and finds the others by typed text, so that it does not send every unit of the country.
    labels: key -> text (cchc.ui.filters.search_labels of the same frame)."""
    keyed = _keyed(frame)
    rows = [(k, r) for k, r in keyed if r["level"] == level and k in labels]
    if around is not None:
        fam = _family(keyed)
        rows = [(k, r) for k, r in rows if fam.get(k) == fam.get(around)]
    return [k for k, r in sorted(rows, key=lambda kr: (kr[1].get("map", units.OLD) != units.NEW, labels[kr[0]]))]


def family(frame: pl.DataFrame) -> dict[str, str]:
    """Each unit's key -> the new province it is, or was, in (an old province's successor; "cu-" + its
    code for an old province without one)."""
    return _family(_keyed(frame))


def _family(keyed: list[tuple[str, dict]]) -> dict[str, str]:
    successor = {r["code"]: r.get("successor_code") for _, r in keyed
                 if r.get("map", units.OLD) == units.OLD and r["level"] == "province"}
    return {k: (successor.get(r["province_code"]) or units.OLD_PREFIX + r["province_code"])
            if r.get("map", units.OLD) == units.OLD else r["province_code"] for k, r in keyed}


def levels(frame: pl.DataFrame) -> dict[str, str]:
    """Each unit's key -> its level."""
    return {k: r["level"] for k, r in _keyed(frame)}


def _keyed(frame: pl.DataFrame) -> list[tuple[str, dict]]:
    """(key, units_all row) of every row, the rows read once."""
    rows = frame.to_dicts()
    return list(zip(_keys(frame, rows), rows))


def _keys(frame: pl.DataFrame, rows: list[dict] | None = None) -> list[str]:
    """The key of each units_all row (cchc.units.Unit.key: "cu-" before an old code a new unit reuses)."""
    fresh = frozenset(frame.filter(pl.col("map") == units.NEW)["code"].to_list()) if "map" in frame.columns else ()
    out = []
    for r in frame.to_dicts() if rows is None else rows:
        if r.get("map", units.OLD) == units.NEW:
            out.append(r["code"])
        else:
            reused = r.get("reused")
            reused = r["code"] in fresh if reused is None else reused
            out.append(units.OLD_PREFIX + r["code"] if reused else r["code"])
    return out


def level_of(frame: pl.DataFrame, key: str) -> str | None:
    """The level of the unit a key names (None: no such unit)."""
    for k, r in zip(_keys(frame), frame.to_dicts()):
        if k == key:
            return r["level"]
    return None


# --- the period of each unit -------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    unit: Unit
    period: periods.Period | None  # the period clipped to the data end and the unit's last day; None: gone

    @property
    def gone(self) -> bool:
        return self.period is None

    @property
    def name(self) -> str:
        return column_name(self.unit)


def columns(db: Database, chosen: list[Unit], period: periods.Period) -> list[Column]:
    """Each unit's cut of the same dates: named under the unit's province cut-off day when they are
    one of its official periods (periods.period_for: the finance months follow the name), clipped to
    the data end and the unit's last day (coverage.clip); an old unit over a period starting after
    its end has none (its gone_message says why)."""
    whole, end = period.full(), coverage.data_end(db)
    out = []
    for u in chosen:
        p = periods.period_for(whole.start, whole.end, u.cutoff_day)
        if u.ended_before(p.start):
            out.append(Column(u, None))
        else:
            out.append(Column(u, coverage.clip(p, end, u.valid_to)))
    return out


# --- the KPI table -----------------------------------------------------------------------------
def values(db: Database, col: Column) -> dict | None:
    """metrics.values(kpis.kpis(...)) of a unit over its period; None when the unit is gone."""
    return None if col.gone else metrics.values(kpis.kpis(db, col.unit, col.period))


def cell(key: str, v) -> str:
    return fmt.percent(v) if metrics.get(key).is_rate else fmt.number(v)


def kpi_table(cols: list[Column], vals: list[dict | None]) -> dict[str, list[str]]:
    """The card KPIs (rows, catalogue order) by unit (columns), as shown (Vietnamese formats)."""
    out: dict[str, list[str]] = {"Chỉ tiêu": [metrics.label(k) for k in CARD_KEYS]}
    for c, v in zip(cols, vals):
        out[c.name] = [GONE_CELL] * len(CARD_KEYS) if v is None else [cell(k, v.get(k)) for k in CARD_KEYS]
    return out


def period_note(cols: list[Column]) -> list[str]:
    """A line for each unit whose figures stop before the period's end, and each gone unit's message."""
    out = []
    for c in cols:
        if c.gone:
            out.append(c.unit.gone_message())
        elif c.period.partial:
            out.append(f"{c.unit.name}: {c.period.coverage_note}.")
    return out


# --- the trends --------------------------------------------------------------------------------
def trends(db: Database, cols: list[Column]) -> list[tuple[Column, pl.DataFrame]]:
    """The monthly counts (kpis.monthly_trend) of each unit that exists, over its period's months,
    with the on-time rate by its catalogue formula."""
    rate = metrics.get(TREND_RATE)
    out = []
    for c in cols:
        if c.gone:
            continue
        df = kpis.monthly_trend(db, c.unit.scope, c.period.start, c.period.end)
        out.append((c, df.with_columns(**{TREND_RATE: rate.expr(df.columns)})))
    return out


def trend_figure(series: list[tuple[Column, pl.DataFrame]], subtitle: str) -> go.Figure:
    """On-time rate (top) and received (bottom) by month, one line a unit in each panel, one colour a unit."""
    rate, count = metrics.get(TREND_RATE), metrics.get(TREND_COUNT)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=(rate.short, count.label))
    for i, (c, df) in enumerate(series):
        colour = charts.SEQUENCE[i % len(charts.SEQUENCE)]
        months = df["month"].to_list()
        rates = df[TREND_RATE].to_list()
        fig.add_trace(go.Scatter(x=months, y=rates, mode="lines+markers", name=_esc(c.unit.name), legendgroup=c.name,
                                 line=dict(color=colour), customdata=[fmt.percent(v) for v in rates],
                                 hovertemplate="%{x|%m/%Y}: %{customdata}<extra>" + _esc(c.name) + "</extra>"),
                      row=1, col=1)
        got = df[TREND_COUNT].to_list()
        fig.add_trace(go.Scatter(x=months, y=got, mode="lines+markers", name=_esc(c.unit.name), legendgroup=c.name,
                                 showlegend=False, line=dict(color=colour, dash="dot"),
                                 customdata=[fmt.number(v) for v in got],
                                 hovertemplate="%{x|%m/%Y}: %{customdata}<extra>" + _esc(c.name) + "</extra>"),
                      row=2, col=1)
    charts.style(fig, "Tỷ lệ đúng hạn và hồ sơ tiếp nhận theo tháng", subtitle, height=560)
    rates_all = [v for _, d in series for v in d[TREND_RATE].to_list()]
    fig.update_yaxes(**charts.percent_axis(rates_all, max_ticks=3), row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=2, col=1)
    fig.update_xaxes(tickformat=charts.MONTH_TICKS)
    for a in fig.layout.annotations:  # the panels' titles
        if not a.name:
            a.font.size = 12
    if series:
        c, d = series[0]
        charts.mark_partial(fig, d["month"].to_list(), c.period.start, c.period.end)
    return charts.finish(fig)


def _esc(text: str) -> str:
    """Unit names as plain text in trace names and hover labels (Plotly reads tags in them)."""
    return html.escape(text, quote=False)


def trend_subtitle(period: periods.Period, n: int) -> str:
    return f"{n} đơn vị — {period.label}"


def default_keys(frame: pl.DataFrame, unit: Unit, n: int = 3) -> list[str]:
    """What the page opens with when the link names no units: the selected unit and the next units
    of its level under the same parent (same map), up to n."""
    rows = frame.to_dicts()
    same_map = [(k, r) for k, r in zip(_keys(frame), rows) if r.get("map", units.OLD) == unit.map]
    parent = next((r["parent_code"] for k, r in same_map if r["code"] == unit.code), None)
    keys = [unit.key]
    for k, r in same_map:
        if len(keys) < n and r["level"] == unit.level and r["parent_code"] == parent and k not in keys:
            keys.append(k)
    return keys
