"""The dossier drill-down (page "Hồ sơ TTHC"): fields → a field's procedures → a paged dossier list,
and the channel mix, monthly trend and processing-time distribution of the current selection.

Where the user is lives in four URL parameters (a copied link reproduces the view):
    field=<field name>   a field; "*" = every field (only with a list)
    proc=<code>          a procedure; "*" = every procedure of the field (the field's whole list)
    q=<text>             search in the dossier codes of the list
    pg=<n>               page of the list (1-based)
This module parses them (Drill), fetches the rows through named queries and builds the tables
(pre-formatted Vietnamese strings) and figures. No Streamlit here: pages/ho_so.py only draws.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import plotly.graph_objects as go
import polars as pl

from .. import charts, fmt, kpis, metrics, params, schema
from ..kpis import Unit
from ..periods import Period, month_end

ALL = "*"
PER_PAGE = 50
MAX_SEARCH = params.MAX_SEARCH  # characters of a search text that are used
TITLE_NAME = 45  # characters of a procedure name used in a chart title
CHANNEL_COLORS = {"truc_tiep": charts.COLORS["primary"], "truc_tuyen": charts.COLORS["good"],
                  "buu_chinh": charts.COLORS["secondary"]}


# --- where the user is ---------------------------------------------------------------------
@dataclass(frozen=True)
class Drill:
    field: str | None = None
    proc: str | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, get: Callable[[str], Any]) -> "Drill":
        """From the URL's raw values (get = dict.get or st.query_params.get), parsed by cchc.params
        (field, proc, q, pg); anything unusable falls back quietly (pages use from_parsed, which
        comes with the warnings)."""
        return cls.from_parsed(params.parse(params.DRILL, {k: get(k) for k in params.DRILL}))

    @classmethod
    def from_parsed(cls, v: "params.Parsed") -> "Drill":
        """From the parsed values of cchc.params.DRILL (bounded text and page number)."""
        field, proc = v["field"], v["proc"]
        if proc and not field:
            field = ALL
        return cls(field, proc, v["q"] or "", v["pg"])

    @property
    def level(self) -> int:
        """0: fields; 1: a field's procedures; 2: a dossier list."""
        if self.field is None:
            return 0
        return 2 if self.proc is not None or self.field == ALL else 1

    @property
    def sql_field(self) -> str | None:
        return None if self.field in (None, ALL) else self.field

    @property
    def sql_procedure(self) -> str | None:
        return None if self.proc in (None, ALL) else self.proc

    def params(self) -> dict[str, str | None]:
        """The page's URL parameters (None = remove)."""
        return {"field": self.field, "proc": self.proc, "q": self.q or None,
                "pg": str(self.page) if self.page > 1 else None}

    def to_level(self, level: int) -> "Drill":
        """Back up to a level, clearing what is deeper (search and page included)."""
        if level <= 0:
            return Drill()
        if level == 1:
            return Drill(self.field) if self.field != ALL else Drill()
        return replace(self, q="", page=1)

    def open_list(self, proc: str = ALL) -> "Drill":
        return Drill(self.field or ALL, proc)

    def search(self, q: str) -> "Drill":
        return replace(self, q=(q or "").strip()[:MAX_SEARCH], page=1)

    def go_page(self, page: int) -> "Drill":
        return replace(self, page=max(1, int(page)))


def scope(unit: Unit, p: Period, d: Drill) -> dict[str, Any]:
    """Query parameters of the selection: unit, period, field and procedure."""
    return {**unit.scope, "start": p.start, "end": p.end, "field": d.sql_field, "procedure": d.sql_procedure}


def procedure_info(db, code: str | None) -> dict | None:
    if not code or code == ALL:
        return None
    rows = db.run("drill_procedure", code=code).to_dicts()
    return rows[0] if rows else None


def breadcrumb(d: Drill, proc_name: str | None = None) -> list[tuple[str, Drill | None]]:
    """(label, where clicking it goes); the last crumb (where the user is) has no target."""
    crumbs: list[tuple[str, Drill | None]] = [("Tất cả lĩnh vực", d.to_level(0))]
    if d.field == ALL:
        crumbs.append(("Tất cả hồ sơ" if d.proc in (None, ALL) else "Mọi lĩnh vực", None))
    elif d.field:
        crumbs.append((d.field, d.to_level(1)))
    if d.proc == ALL and d.field != ALL:
        crumbs.append(("Tất cả thủ tục", None))
    elif d.proc not in (None, ALL):
        crumbs.append((proc_name or d.proc, None))
    crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def selection_label(d: Drill, proc_name: str | None = None) -> str:
    """What the selection covers, for chart titles: '', ' — Chứng thực', ' — <procedure>'."""
    if d.proc not in (None, ALL):
        name = proc_name or d.proc
        return f" — {name if len(name) <= TITLE_NAME else name[:TITLE_NAME - 1].rstrip() + '…'}"
    if d.field not in (None, ALL):
        return f" — {d.field}"
    return ""


# Column names of the KPIs in the tables: the metric catalogue's (cchc/metrics.toml).
_RESOLVED, _ON_TIME, _OVERDUE, _PENDING = (metrics.label("resolved_total"), metrics.short("on_time_rate"),
                                           metrics.label("overdue"), metrics.label("pending_total"))


# --- level 0: fields -----------------------------------------------------------------------
def field_rows(k: dict) -> list[dict]:
    """Fields of kpis.dossier_kpis(...) with their share of the received dossiers, largest first."""
    total = k["received_total"]
    rows = [{**f, "share": fmt.ratio(f["received_total"], total), "late": f["resolved_late"] + f["pending_overdue"]}
            for f in k["by_field"]]
    return sorted(rows, key=lambda r: (-r["received_total"], r["field"]))


def field_table(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame({
        "Lĩnh vực": [r["field"] for r in rows],
        "Tiếp nhận": [fmt.number(r["received_total"]) for r in rows],
        "Tỷ trọng": [fmt.percent(r["share"]) for r in rows],
        _RESOLVED: [fmt.number(r["resolved_total"]) for r in rows],
        _ON_TIME: [fmt.percent(r["on_time_rate"]) for r in rows],
        _OVERDUE: [fmt.number(r["late"]) for r in rows],
        _PENDING: [fmt.number(r["pending_total"]) for r in rows],
    }, schema={c: pl.String for c in ("Lĩnh vực", "Tiếp nhận", "Tỷ trọng", _RESOLVED, _ON_TIME, _OVERDUE, _PENDING)})


def fields_figure(rows: list[dict], subtitle: str) -> go.Figure:
    """Horizontal bars of dossiers received by field, largest on top, with their share; each bar
    carries its field in customdata so a click can open it."""
    rows = list(reversed(rows))
    fig = go.Figure(go.Bar(
        y=[r["field"] for r in rows], x=[r["received_total"] for r in rows], orientation="h",
        customdata=[[r["field"]] for r in rows], marker_color=charts.COLORS["primary"],
        text=[f"{fmt.number(r['received_total'])} ({fmt.percent(r['share'], 1)})" for r in rows],
        textposition="auto", cliponaxis=False,
        hovertemplate="%{y}: %{x:,} hồ sơ<extra></extra>"))
    charts.style(fig, "Hồ sơ tiếp nhận theo lĩnh vực (số hồ sơ, tỷ trọng)", subtitle=subtitle,
                 height=max(320, 150 + 34 * len(rows)))
    fig.update_layout(showlegend=False, clickmode="event+select")
    fig.update_xaxes(title="Số hồ sơ")
    return charts.finish(fig)


def clicked_field(event: Any) -> str | None:
    """The field of the bar clicked in fields_figure, from st.plotly_chart's selection state."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for pt in points or []:
        cd = pt.get("customdata")
        if isinstance(cd, (list, tuple)) and cd:
            return str(cd[0])
        if isinstance(cd, str):
            return cd
        if pt.get("y") is not None:
            return str(pt["y"])
    return None


# --- level 1: a field's procedures ---------------------------------------------------------
def procedure_rows(db, unit: Unit, p: Period, field: str) -> list[dict]:
    """The field's procedures: Biểu 06 counts and rates with processing times, most received first."""
    times = {r["procedure_code"]: r for r in db.run("processing_times", **unit.scope, start=p.start, end=p.end,
                                                     field=field, procedure=None).to_dicts()}
    out = []
    for r in kpis.procedure_kpis(db, unit, p, field):
        t = times.get(r["procedure_code"], {})
        out.append({**r, "late": r["resolved_late"] + r["pending_overdue"], "median_days": t.get("median_days"),
                    "p90_days": t.get("p90_days"), "within_statutory": t.get("within_statutory")})
    return sorted(out, key=lambda r: (-r["received_total"], r["procedure_code"]))


def _days(x: float | None) -> str:
    if x is None:
        return fmt.DASH
    return fmt.number(x, 0 if float(x).is_integer() else 1)


def procedure_table(rows: list[dict]) -> pl.DataFrame:
    cols = {
        "Thủ tục": [r["procedure_name"] or r["procedure_code"] for r in rows],
        "Tiếp nhận": [fmt.number(r["received_total"]) for r in rows],
        _RESOLVED: [fmt.number(r["resolved_total"]) for r in rows],
        _ON_TIME: [fmt.percent(r["on_time_rate"]) for r in rows],
        _OVERDUE: [fmt.number(r["late"]) for r in rows],
        _PENDING: [fmt.number(r["pending_total"]) for r in rows],
        "Trung vị ngày xử lý": [_days(r["median_days"]) for r in rows],
        "Thời hạn quy định (ngày)": [_days(r["statutory_days"]) for r in rows],
        "90 % xong trong (ngày)": [_days(r["p90_days"]) for r in rows],
        "Mã": [r["procedure_code"] for r in rows],
    }
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


# --- level 2: the dossier list -------------------------------------------------------------
def search_pattern(q: str | None) -> str | None:
    """ILIKE pattern for a search text (its %, _ and \\ match themselves); None = no search."""
    q = (q or "").strip()[:MAX_SEARCH]
    if not q:
        return None
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class DossierPage:
    rows: pl.DataFrame  # the page's rows as queries/dossier_list.sql returns them
    total: int  # rows of the whole list
    late_total: int  # of which late (resolved late or overdue pending)
    page: int  # 1-based, clamped to the last page
    pages: int


def dossier_page(db, unit: Unit, p: Period, d: Drill, per_page: int = PER_PAGE) -> DossierPage:
    params = {**scope(unit, p, d), "pattern": search_pattern(d.q), "limit": per_page}
    page = max(1, d.page)
    df = db.run("dossier_list", **params, offset=(page - 1) * per_page)
    total = int(df["total"][0]) if df.height else 0
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # a link to a page that no longer exists: show the last one
        page = pages
        df = db.run("dossier_list", **params, offset=(page - 1) * per_page)
    late = int(df["late_total"][0]) if df.height else 0
    return DossierPage(df.filter(pl.col("dossier_id").is_not_null()), total, late, page, pages)


def dossier_table(page: DossierPage) -> pl.DataFrame:
    r = page.rows.to_dicts()
    cols = {
        "Mã hồ sơ": [x["dossier_id"] for x in r],
        "Thủ tục": [x["procedure_name"] or x["procedure_code"] for x in r],
        "Ngày tiếp nhận": [fmt.day(x["received_at"]) for x in r],
        "Hạn trả": [fmt.day(x["due_at"]) for x in r],
        "Ngày kết thúc": [fmt.day(x["finished_at"]) if x["finished_at"] else "" for x in r],
        "Trạng thái": [schema.DEADLINE_STATUS.get(x["deadline_status"], x["deadline_status"]) for x in r],
        "Tình trạng": [schema.STATUSES.get(x["status"], x["status"]) for x in r],
        "Số ngày xử lý": [_days(x["processing_days"]) if x["processing_days"] is not None else "" for x in r],
    }
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


# --- the selection's charts ----------------------------------------------------------------
def channel_rows(db, unit: Unit, p: Period, d: Drill) -> list[dict]:
    rows = db.run("channel_mix", **scope(unit, p, d)).to_dicts()
    return [{**r, "label": schema.CHANNELS.get(r["channel"], r["channel"])} for r in rows]


def channel_figure(rows: list[dict], title_tail: str, subtitle: str) -> go.Figure:
    """Horizontal bars of the new dossiers by channel, with their share."""
    total = sum(r["received_new"] for r in rows)
    rows = sorted(rows, key=lambda r: r["received_new"])
    fig = go.Figure(go.Bar(
        y=[r["label"] for r in rows], x=[r["received_new"] for r in rows], orientation="h",
        marker_color=[CHANNEL_COLORS.get(r["channel"], charts.COLORS["neutral"]) for r in rows],
        text=[f"{fmt.number(r['received_new'])} ({fmt.percent(fmt.ratio(r['received_new'], total), 1)})" for r in rows],
        textposition="auto", cliponaxis=False, hovertemplate="%{y}: %{x:,} hồ sơ<extra></extra>"))
    charts.style(fig, "Kênh nộp hồ sơ mới" + title_tail, subtitle=subtitle, height=340)
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title="Số hồ sơ mới tiếp nhận")
    return charts.finish(fig)


def trend_rows(db, unit: Unit, p: Period, d: Drill) -> pl.DataFrame:
    """One row per calendar month of the period (cchc.kpis.monthly_trend), with the part of it the
    period covers (start, end: a month cut by the period is partial)."""
    df = kpis.monthly_trend(db, unit.scope, p.start, p.end, field=d.sql_field, procedure=d.sql_procedure)
    months = df["month"].to_list()
    return df.with_columns(start=pl.Series([max(p.start, m) for m in months], dtype=pl.Date),
                           end=pl.Series([min(p.end, month_end(m)) for m in months], dtype=pl.Date))


def trend_figure(df: pl.DataFrame, title_tail: str, subtitle: str) -> go.Figure:
    months = df["month"].to_list()
    fig = go.Figure([
        go.Bar(name=metrics.label("received_new"), x=months, y=df["received_new"].to_list(), marker_color=charts.COLORS["primary"],
               hovertemplate="%{x|%m/%Y}: %{y:,} hồ sơ tiếp nhận<extra></extra>"),
        go.Bar(name=_RESOLVED, x=months, y=df["resolved_total"].to_list(), marker_color=charts.COLORS["good"],
               hovertemplate="%{x|%m/%Y}: %{y:,} hồ sơ giải quyết<extra></extra>"),
    ])
    if df["resolved_late"].sum():
        fig.add_trace(go.Bar(name="Giải quyết quá hạn", x=months, y=df["resolved_late"].to_list(),
                             marker_color=charts.COLORS["bad"],
                             hovertemplate="%{x|%m/%Y}: %{y:,} hồ sơ quá hạn<extra></extra>"))
    charts.style(fig, "Hồ sơ theo tháng" + title_tail, subtitle=subtitle)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Tháng", tickformat=charts.MONTH_TICKS, ticklabelmode="period")
    fig.update_yaxes(title="Số hồ sơ", rangemode="tozero")
    if df.height and "start" in df.columns:
        charts.mark_partial(fig, months, df["start"][0], df["end"][-1])
    return charts.finish(fig)


def processing_rows(db, unit: Unit, p: Period, d: Drill) -> pl.DataFrame:
    return db.run("drill_processing_days", **scope(unit, p, d))


def statutory_mark(db, unit: Unit, p: Period, d: Drill) -> int | None:
    """The statutory time to mark on the distribution: the procedure's, or the one all the
    selection's resolved dossiers share; None when they differ."""
    info = procedure_info(db, d.sql_procedure)
    if info:
        return int(info["statutory_days"])
    days = set(db.run("processing_times", **scope(unit, p, d))["statutory_days"].drop_nulls().to_list())
    return int(days.pop()) if len(days) == 1 else None


def late_count(df: pl.DataFrame) -> int:
    """Dossiers of the distribution (drill_processing_days) that took longer than their statutory time."""
    return int(df.filter(~pl.col("within_statutory"))["dossiers"].sum()) if df.height else 0


LOG_BELOW = 0.05  # late bars lower than this share of the tallest bar: the count axis turns logarithmic


def processing_figure(df: pl.DataFrame, statutory: int | None, title_tail: str, subtitle: str) -> go.Figure:
    """Resolved dossiers by processing days, within (green) or beyond (red) their statutory time. A
    handful of late dossiers among thousands would vanish on a linear axis: their count is written
    in the header, and the axis turns logarithmic when their tallest bar is under 5 % of the tallest."""
    fig = go.Figure()
    for within, name, color in ((True, "Trong thời hạn quy định", charts.COLORS["good"]),
                                (False, "Vượt thời hạn quy định", charts.COLORS["bad"])):
        part = df.filter(pl.col("within_statutory") == within)
        if part.height:
            fig.add_trace(go.Bar(name=name, x=part["processing_days"].to_list(), y=part["dossiers"].to_list(),
                                 marker_color=color, hovertemplate="%{x} ngày: %{y:,} hồ sơ<extra></extra>"))
    charts.style(fig, "Thời gian giải quyết (ngày làm việc)" + title_tail, subtitle=subtitle)
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(title="Số ngày làm việc", dtick=1 if df.height and df["processing_days"].max() <= 12 else None)
    fig.update_yaxes(title="Số hồ sơ giải quyết")
    late = late_count(df)
    if late:
        total = int(df["dossiers"].sum())
        late_max = df.filter(~pl.col("within_statutory"))["dossiers"].max()
        if late_max < LOG_BELOW * df["dossiers"].max():
            fig.update_yaxes(type="log", title="Số hồ sơ (thang log)", dtick=1)
        charts.note(fig, f"Vượt thời hạn quy định: {fmt.number(late)}/{fmt.number(total)} hồ sơ "
                         f"({fmt.percent(late / total)})", charts.COLORS["bad"])
    if statutory is not None:
        charts.threshold_line(fig, statutory + 0.5, f"Thời hạn quy định: {statutory} ngày", vertical=True)
    return charts.finish(fig)


__all__ = ["ALL", "PER_PAGE", "Drill", "DossierPage", "scope", "procedure_info", "breadcrumb", "selection_label",
           "field_rows", "field_table", "fields_figure", "clicked_field", "procedure_rows", "procedure_table",
           "search_pattern", "dossier_page", "dossier_table", "channel_rows", "channel_figure", "trend_rows",
           "trend_figure", "processing_rows", "statutory_mark", "processing_figure", "late_count"]
