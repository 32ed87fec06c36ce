"""What the index pages show, without Streamlit: pages/chi_so.py (a unit's score on an index, its
trend, its ranking among sibling units, an indicator's trend, the points it lost and the dossiers
that lost them), pages/ket_qua_cong_bo.py (the published 766 scores against the unit's computed
one) and the index thresholds drawn on other pages' trends (pages/ho_so.py, pages/hai_long.py).

Scoring a unit runs one query per metric (cchc.scoring.score). A trend of 12 months or a ranking
of 19 communes done that way would run hundreds of queries, so both use grouped queries that
compute every metric's numerator and denominator for many periods ("buckets") or child units in
one pass (queries/index_page_*_metrics.sql), then hand them to scoring.score(..., metrics=...),
which applies the same rules. tests/test_chi_so.py checks the grouped figures equal the per-period
ones. The three queries of a dossier metric (its own queries/index_<metric>.sql, the grouped
index_page_dossier_metrics.sql and the lost-dossier list index_page_lost_dossiers.sql) take its
denominator and numerator from the same two macros, metric_<metric>_den / _num in
queries/views/45_index_metrics.sql (tests/test_sql_macros.py).

Queries: index_page_dossier_metrics, index_page_feedback_metrics, index_page_rating_metrics,
index_page_finance_metrics, index_page_facts, index_page_lost_dossiers, index_page_published,
index_page_successor, units_all, data_range (and the engine's own index_* queries).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from .. import charts, coverage, fmt, kpis, periods, schema, scoring, units
from ..db import QUERIES, params_in
from ..kpis import Unit
from ..periods import TREND_KINDS, Period

PER_PAGE = 50
NO_DATA = scoring.NO_DATA  # "không đủ dữ liệu"
LEVEL_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
CHILD_NAMES = {"commune": "xã, phường, thị trấn", "district": "huyện, thị xã, thành phố"}

# Metrics each grouped query computes (column <metric>_num, <metric>_den).
DOSSIER_METRICS = ("on_time", "resolved_in_time", "late_dossiers", "online_full", "online_submission", "paid_online",
                   "e_result", "digitised_input", "digitised_result", "reused_data", "dossier_satisfaction",
                   "fee_procedures_synced", "fee_procedures_paid_online")
FEEDBACK_METRICS = ("feedback_on_time", "feedback_satisfied")
RATING_METRICS = ("rating_satisfaction",)
FINANCE_METRIC = "finance_rate"
# Dossier metrics whose "lost" dossiers can be listed (queries/index_page_lost_dossiers.sql), and
# what such a dossier is.
LOST_WHAT = {
    "on_time": "Hồ sơ giải quyết quá hạn, đang giải quyết quá hạn hoặc chờ bổ sung lần thứ hai trở lên",
    "resolved_in_time": "Hồ sơ giải quyết quá hạn",
    "late_dossiers": "Hồ sơ giải quyết quá hạn",
    "online_full": "Hồ sơ của TTHC trực tuyến toàn trình nhưng không nộp trực tuyến",
    "online_submission": "Hồ sơ mới không nộp trực tuyến",
    "paid_online": "Hồ sơ có phí, lệ phí không thanh toán trực tuyến",
    "e_result": "Hồ sơ đã giải quyết (TTHC trả kết quả giấy) chưa có kết quả điện tử",
    "digitised_result": "Hồ sơ đã giải quyết chưa số hóa kết quả",
    "digitised_input": "Hồ sơ mới chưa số hóa thành phần hồ sơ",
    "reused_data": "Hồ sơ mới không tái sử dụng dữ liệu số hóa",
    "dossier_satisfaction": "Hồ sơ đã giải quyết quá hạn, bị đánh giá không hài lòng hoặc có phản ánh, kiến nghị",
}
REASONS = {"late": "Giải quyết quá hạn", "overdue": "Đang giải quyết, quá hạn",
           "supplement": "Chờ bổ sung lần thứ hai trở lên", "not_online": "Không nộp trực tuyến",
           "not_paid_online": "Không thanh toán trực tuyến", "no_e_result": "Chưa có kết quả điện tử",
           "not_digitised": "Chưa số hóa thành phần", "not_reused": "Không tái sử dụng dữ liệu",
           "disliked": "Đánh giá không hài lòng", "complained": "Có phản ánh, kiến nghị"}
COMPUTED_LABEL = "Điểm tính từ dữ liệu (không phải điểm công bố)"
PORTAL = "Cổng DVCQG"
_FAR = date(9999, 12, 1)  # budget months of a period covering none (as cchc.scoring does)


# --------------------------------------------------------------------------------------------
# Scoring many periods or units in one pass
# --------------------------------------------------------------------------------------------

def _defs(ix: scoring.IndexDef) -> list[scoring.IndicatorDef]:
    return [d for _, d in ix.indicators()] + list(ix.bonus) + list(ix.penalty)


def applies(ix: scoring.IndexDef, unit: Unit) -> bool:
    return unit.level in ix.levels


def not_applicable_text(ix: scoring.IndexDef, unit: Unit) -> str:
    levels = ", ".join(LEVEL_NAMES[x] for x in ix.levels)
    return (f"{ix.short_name or ix.name} chỉ áp dụng cho cấp {levels}, nên không tính điểm cho {unit.full_name} "
            f"(cấp {LEVEL_NAMES.get(unit.level, unit.level)}).")


def _scope_free(metric: str) -> bool:
    """A metric query that does not depend on the unit (e.g. procedures_online: the catalogue)."""
    used = params_in((QUERIES / f"index_{metric}.sql").read_text(encoding="utf-8"))
    return not used & {"province", "district", "unit"}


def children_of(db, scope: Unit, child: str) -> list[Unit]:
    """The units of level ``child`` within ``scope`` (communes of a district, districts of a province)."""
    return units.children(db, scope, child)


def grouped_metrics(db, ix: scoring.IndexDef, scope: Unit, buckets: list[Period], child: str | None = None,
                    keys: list[str | None] | None = None) -> dict[tuple[int, str | None], dict]:
    """{(bucket number, child code or None): {metric or (metric, params): row}} for every metric the
    index uses that a grouped query computes; the rest is left to scoring.score."""
    wanted = {(d.metric, d.params) for d in _defs(ix) if d.kind == "metric"}
    names = {m for m, _ in wanted}
    level = child or scope.level
    keys = keys if keys is not None else ([u.code for u in children_of(db, scope, child)] if child else [None])
    out: dict[tuple[int, str | None], dict] = {(i, k): {} for i in range(len(buckets)) for k in keys}
    if not buckets:
        return out
    base = {**scope.scope, "starts": tuple(b.start for b in buckets), "ends": tuple(b.end for b in buckets),
            "wstart": min(b.start for b in buckets), "wend": max(b.end for b in buckets), "child": child,
            "proc_level": "commune" if level == "commune" else None, "field": None, "procedure": None}

    def take(query: str, metrics: tuple[str, ...]) -> None:
        use = [m for m in metrics if m in names]
        if not use:
            return
        for r in db.run(query, **base).iter_rows(named=True):
            slot = out.get((r["bucket"], r["child_code"]))
            if slot is not None:
                for m in use:
                    slot[m] = {"numerator": r[f"{m}_num"], "denominator": r[f"{m}_den"]}

    take("index_page_dossier_metrics", DOSSIER_METRICS)
    take("index_page_feedback_metrics", FEEDBACK_METRICS)
    take("index_page_rating_metrics", RATING_METRICS)
    fin = [(m, p) for m, p in wanted if m == FINANCE_METRIC]
    if fin:
        months = [kpis.finance_months(b) or (_FAR, _FAR) for b in buckets]
        rows = db.run("index_page_finance_metrics", **scope.scope, child=child,
                      fin_starts=tuple(m[0] for m in months), fin_ends=tuple(m[1] for m in months))
        got = {(r["bucket"], r["child_code"], r["item"]): r for r in rows.iter_rows(named=True)}
        for (i, k), slot in out.items():
            for m, params in fin:
                r = got.get((i, k, dict(params).get("item")))
                slot[(m, params)] = {"numerator": r["numerator"] if r else 0.0, "denominator": r["denominator"] if r else 0.0}
    # metrics that do not depend on the unit: once per bucket, shared by every unit
    for m, params in wanted:
        if m in DOSSIER_METRICS + FEEDBACK_METRICS + RATING_METRICS or m == FINANCE_METRIC or not _scope_free(m):
            continue
        for i, b in enumerate(buckets):
            prm = {**scoring.query_params(scope, b), "proc_level": base["proc_level"]}
            df = db.run(f"index_{m}", **prm, **dict(params))
            row = df.row(0, named=True) if df.height else {"numerator": None, "denominator": 0}
            for k in keys:
                out[(i, k)][(m, params)] = row
    return out


def _facts_of(db, scope: Unit, child: str, year: int) -> dict[str, dict[str, float]]:
    df = db.run("index_page_facts", **scope.scope, level=child, year=year)
    out: dict[str, dict[str, float]] = {}
    for r in df.iter_rows(named=True):
        if r["value"] is not None:
            out.setdefault(r["unit_code"], {})[r["indicator"]] = float(r["value"])
    return out


def score_periods(db, ix: scoring.IndexDef, unit: Unit, buckets: list[Period]) -> list[scoring.IndexResult]:
    """The unit's score for each period (a trend), from one pass of each grouped query."""
    g = grouped_metrics(db, ix, unit, buckets)
    return [scoring.score(db, ix, unit, b, metrics=g[(i, None)]) for i, b in enumerate(buckets)]


def score_children(db, ix: scoring.IndexDef, scope: Unit, child: str, period: Period) -> list[scoring.IndexResult]:
    """Every unit of level ``child`` within ``scope`` scored for the period, best first (a ranking)."""
    units = children_of(db, scope, child)
    if not units:
        return []
    g = grouped_metrics(db, ix, scope, [period], child, keys=[u.code for u in units])
    facts = _facts_of(db, scope, child, period.end.year)
    out = [scoring.score(db, ix, u, period, metrics=g[(0, u.code)], facts=facts.get(u.code, {})) for u in units]
    return sorted(out, key=lambda r: (r.total is None, -(r.total or 0), r.unit_code))


# --------------------------------------------------------------------------------------------
# Trend periods and ranking scope
# --------------------------------------------------------------------------------------------

def data_range(db) -> tuple[date, date]:
    return coverage.working_range(db)


def trend_periods(ix: scoring.IndexDef, unit: Unit, period: Period, kind: str, first: date, last: date) -> list[Period]:
    """The periods of the trend, oldest first: the last 12 months / 8 quarters / 5 years that start by
    the end of the selected period and lie within the data (calendar periods for an index defined on
    them, the unit's official reporting periods otherwise)."""
    _, cal, official, n = TREND_KINDS[kind]
    k = cal if ix.period == "calendar" else official
    cutoff = unit.cutoff_day
    found = periods.periods_of_kind(k, first, max(first, min(period.end, last)), cutoff)
    ok = [p for p in found if p.start <= period.end and p.end <= last and p.end >= first]
    return sorted(ok[:n], key=lambda p: p.start)


def months_for(ix: scoring.IndexDef, unit: Unit, period: Period, first: date, last: date) -> list[Period]:
    return trend_periods(ix, unit, period, "thang", first, last)


@dataclass(frozen=True)
class RankScope:
    parent: Unit
    child: str
    title: str
    note: str = ""


def ranking_scope(db, ix: scoring.IndexDef, unit: Unit) -> RankScope | None:
    """Which units the selected one is ranked among: the communes of its district for a commune, the
    districts of its province for a district. A unit the index does not score sees its communes (or
    districts) ranked instead."""
    province = units.get(db, unit.map, unit.province)
    if unit.level == "commune":
        parent = units.get(db, unit.map, unit.district) if unit.district else province
        return RankScope(parent, "commune", f"Xếp hạng các {CHILD_NAMES['commune']} của {parent.name}")
    if unit.level == "district":
        if "district" in ix.levels:
            return RankScope(province, "district", f"Xếp hạng các {CHILD_NAMES['district']} của {province.name}")
        if "commune" in ix.levels:
            return RankScope(unit, "commune", f"Xếp hạng các {CHILD_NAMES['commune']} của {unit.name}",
                             f"{ix.short_name} chấm điểm từng xã: đây là xếp hạng các xã của {unit.name}.")
        return None
    if "district" in ix.levels and unit.map == units.OLD:   # the new map has no districts
        return RankScope(unit, "district", f"Xếp hạng các {CHILD_NAMES['district']} của {unit.name}",
                         "Dữ liệu chỉ có một tỉnh nên không xếp hạng được giữa các tỉnh; đây là xếp hạng các huyện "
                         "của tỉnh (điểm công bố của 34 tỉnh, thành phố: trang Kết quả công bố).")
    if "commune" in ix.levels:
        return RankScope(unit, "commune", f"Xếp hạng các {CHILD_NAMES['commune']} của {unit.name}",
                         f"{ix.short_name} chấm điểm từng xã: đây là xếp hạng mọi xã của tỉnh.")
    return None


# --------------------------------------------------------------------------------------------
# Text and tables
# --------------------------------------------------------------------------------------------

def pts(x: float | None) -> str:
    return NO_DATA if x is None else fmt.number(x, 2)


def mx(x: float) -> str:
    return fmt.number(x, 0 if float(x).is_integer() else 2)


def threshold_text(i: scoring.IndicatorResult, d: scoring.IndicatorDef) -> str:
    """The value giving full points: '80 %', '100 % (tỷ lệ thuận)', '' for a manual or unheld one."""
    if d.kind not in ("metric", "fact"):
        return ""
    v = scoring.full_points_value(d)
    if v is None:
        return ""
    shown = fmt.percent(v / 100, 0 if float(v).is_integer() else 2) if d.is_percent else \
        f"{fmt.number(v, 0 if float(v).is_integer() else 2)} {i.unit}".strip()
    tail = {"proportional": " (tỷ lệ thuận)", "stepped": " (theo bậc)", "inverse": " (tối đa)"}.get(d.rule.kind, "")
    return shown + tail + (" (giả định)" if d.placeholder else "")


def status_text(i: scoring.IndicatorResult) -> str:
    if i.status == "no_data":
        return NO_DATA + (f": {i.reason}" if i.reason else "")
    if i.status == "manual":
        return scoring.BASIS.get(i.basis or "", "Điểm nhập")
    return "Đã tính" + (f" ({scoring.BASIS[i.basis].lower()})" if i.basis and i.basis != "computed" else "")


def lost_points(i: scoring.IndicatorResult) -> float | None:
    return None if i.status == "no_data" or i.points is None else max(0.0, i.max - i.points)


def group_table(res: scoring.IndexResult) -> pl.DataFrame:
    rows = [{"Mã nhóm": g.code, "Nhóm chỉ số": g.name, "Điểm": pts(g.score), "Tối đa": mx(g.max),
             "Tối đa có dữ liệu": mx(g.available_max),
             "Tỷ lệ": fmt.percent(g.percent) if g.percent is not None else NO_DATA,
             "Tình trạng": NO_DATA if g.status == "no_data" else
             ("Một phần chỉ tiêu " + NO_DATA if g.status == "partial" else "Đủ dữ liệu")} for g in res.groups]
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})


def indicator_table(res: scoring.IndexResult) -> pl.DataFrame:
    defs = {d.code: d for d in _defs(res.index)}
    rows = []
    for g in res.groups:
        for i in g.indicators:
            lost = lost_points(i)
            rows.append({"Mã": i.code, "Chỉ tiêu": i.name, "Nhóm": g.code,
                         "Giá trị": scoring.value_text(i) or fmt.DASH,
                         "Ngưỡng điểm tối đa": threshold_text(i, defs[i.code]) or fmt.DASH,
                         "Điểm": pts(i.points) if i.status != "no_data" else fmt.DASH, "Tối đa": mx(i.max),
                         "Điểm bị mất": fmt.number(lost, 2) if lost is not None else fmt.DASH,
                         "Tình trạng": status_text(i)})
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})


def ranking_table(results: list[scoring.IndexResult], selected: str) -> pl.DataFrame:
    """The units ranked on one base: the indicators every unit with data has (scoring.engine
    .rank_on_common_base), "Điểm xếp hạng" on that base; "Tổng điểm" is each unit's own total (rescaled
    over its own indicators with data), shown beside it, not used for the rank."""
    from ..scoring.engine import rank_on_common_base
    base, ranked = rank_on_common_base(results)
    rows = []
    for k in ranked:
        r = k.result
        row = {"Hạng": str(k.rank) if k.rank is not None else fmt.DASH,
               "Đơn vị": r.unit_name + (" (đang chọn)" if r.unit_code == selected else ""),
               "Điểm xếp hạng (cùng cơ sở)": pts(k.score) if k.score is not None else fmt.DASH,
               "Tổng điểm": pts(r.total), "Xếp loại": r.band.name if r.band else fmt.DASH}
        for g in r.groups:
            row[g.code] = pts(g.score)
        row["Tối đa có dữ liệu"] = mx(r.available_max)
        row["Chỉ tiêu có dữ liệu"] = f"{r.indicators_covered}/{r.indicators_total}"
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]}) if rows else pl.DataFrame()


def rank_of(results: list[scoring.IndexResult], code: str) -> int | None:
    """The unit's rank on the common base of the ranking (None when it has no score on it)."""
    from ..scoring.engine import rank_on_common_base
    return next((k.rank for k in rank_on_common_base(results)[1] if k.result.unit_code == code), None)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

MAX_POINT_LABELS = 6  # values written at the points of a trend up to this many points (a phone's width)


def _band_lines(fig: go.Figure, ix: scoring.IndexDef, vertical: bool = False) -> None:
    """The bands' lower limits as dotted lines, their names in the header's notes (never on the plot,
    where they met each other and the subtitle), one colour a band."""
    shown = [b for b in ix.bands if b.min_percent > 0]
    for k, b in enumerate(shown):
        color = _BAND_COLORS[k % len(_BAND_COLORS)]
        charts.threshold_line(fig, b.min_percent / 100 * ix.max_total, b.name, vertical=vertical, color=color,
                              dash="dot")


_BAND_COLORS = (charts.COLORS["good"], charts.COLORS["threshold"], charts.COLORS["secondary"], charts.COLORS["bad"])


def groups_figure(res: scoring.IndexResult, subtitle: str) -> go.Figure:
    """Each group's points against its maximum (grey) and the part of it with data (light blue)."""
    gs = list(reversed(res.groups))
    y = [f"{g.code} — {g.name}" for g in gs]
    fig = go.Figure()
    fig.add_bar(y=y, x=[g.max for g in gs], orientation="h", name="Điểm tối đa", marker_color="#e3e7ec",
                hovertemplate="%{y}: tối đa %{x:,.0f} điểm<extra></extra>")
    fig.add_bar(y=y, x=[g.available_max for g in gs], orientation="h", name="Tối đa có dữ liệu",
                marker_color=charts.COLORS["muted"], width=0.6,
                hovertemplate="%{y}: %{x:,.0f} điểm có dữ liệu<extra></extra>")
    fig.add_bar(y=y, x=[g.score or 0 for g in gs], orientation="h", name="Điểm đạt", width=0.35,
                marker_color=charts.COLORS["primary"],
                text=[f"{pts(g.score)}/{mx(g.max)}" if g.score is not None else NO_DATA for g in gs],
                textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x:,.2f} điểm<extra></extra>")
    charts.style(fig, f"Điểm theo nhóm chỉ số — {res.index.short_name or res.index.code}", subtitle=subtitle,
                 height=150 + 52 * len(gs))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title="Điểm", range=[0, max(g.max for g in gs) * 1.02])
    return charts.finish(fig)


def trend_figure(results: list[scoring.IndexResult], kind_label: str, subtitle: str) -> go.Figure:
    """Total score per period with the band lines."""
    ix = results[0].index
    x = [r.period.short_label for r in results]
    fig = go.Figure(go.Scatter(
        x=x, y=[r.total for r in results], mode="lines+markers+text" if len(x) <= MAX_POINT_LABELS else "lines+markers",
        name="Tổng điểm", text=[pts(r.total) if r.total is not None else "" for r in results], textposition="top center",
        marker=dict(color=charts.COLORS["primary"], size=8), line=dict(color=charts.COLORS["primary"]),
        customdata=[[r.band.name if r.band else NO_DATA, mx(r.available_max)] for r in results],
        hovertemplate="%{x}: %{y:,.2f} điểm<br>%{customdata[0]}<br>tối đa có dữ liệu %{customdata[1]}<extra></extra>"))
    span = f"{results[0].period.short_label} – {results[-1].period.short_label}"
    charts.style(fig, f"Xu hướng tổng điểm {ix.short_name or ix.code} — {kind_label.lower()}",
                 subtitle=f"{subtitle} — {span}" if len(results) > 1 else f"{subtitle} — {span.split(' – ')[0]}")
    lows = [r.total for r in results if r.total is not None]
    fig.update_yaxes(title=f"Điểm (thang {mx(ix.max_total)})",
                     range=[max(0, min([60.0] + lows) - 5), ix.max_total + 2])
    charts.thin_categories(fig, x)
    fig.update_layout(showlegend=False)
    cut = [r.period.partial for r in results]  # a period the data do not cover to its end: hollow
    if any(cut):
        fig.data[0].marker.symbol = ["circle-open" if c else "circle" for c in cut]
        charts.note(fig, "○ Kỳ chưa trọn: " + "; ".join(f"{r.period.short_label} (dữ liệu đến {fmt.day(r.period.end)})"
                                                        for r in results if r.period.partial), "#555")
    _band_lines(fig, ix)
    return charts.finish(fig)


def ranking_figure(results: list[scoring.IndexResult], selected: str, title: str, subtitle: str) -> go.Figure:
    """Units ranked on their common base (best on top; every unit scored on the same indicators), the
    selected one highlighted, with the band lines; the base is said under the title."""
    from ..scoring.engine import rank_on_common_base
    ix = results[0].index
    base, ranked = rank_on_common_base(results)
    rows = [k for k in ranked if k.score is not None][::-1]
    colors = [charts.COLORS["secondary"] if k.result.unit_code == selected else charts.COLORS["primary"] for k in rows]
    fig = go.Figure(go.Bar(
        y=[f"{k.rank}. " + k.result.unit_name.split(",")[0] + (" ◀" if k.result.unit_code == selected else "")
           for k in rows],
        x=[k.score for k in rows], orientation="h", marker_color=colors,
        text=[pts(k.score) for k in rows], textposition="outside", cliponaxis=False,
        customdata=[[pts(k.result.total)] for k in rows],
        hovertemplate="%{y}: %{x:,.2f} điểm cùng cơ sở<br>tổng điểm riêng %{customdata[0]}<extra></extra>"))
    base_text = f"Điểm xếp hạng trên {base.text}" if base is not None else ""
    charts.style(fig, title, subtitle=f"{subtitle} — {base_text}" if base_text else subtitle,
                 height=max(360, 170 + 26 * len(rows)))
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title=f"Điểm xếp hạng, cùng cơ sở (thang {mx(ix.max_total)})", range=[0, ix.max_total * 1.02])
    _band_lines(fig, ix, vertical=True)
    return charts.finish(fig)


def indicator_series(results: list[scoring.IndexResult], code: str) -> list[tuple[Period, scoring.IndicatorResult]]:
    out = []
    for r in results:
        i = next((x for x in r.indicators() if x.code == code), None)
        if i is not None:
            out.append((r.period, i))
    return out


def indicator_figure(series: list[tuple[Period, scoring.IndicatorResult]], d: scoring.IndicatorDef,
                     subtitle: str) -> go.Figure:
    """An indicator's value per period (rate or count) with the value giving full points."""
    x = [p.short_label for p, _ in series]
    pct = d.is_percent
    y = [(i.rate if pct else i.value) if i.status != "no_data" else None for _, i in series]
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="lines+markers", name=d.name, marker=dict(color=charts.COLORS["primary"], size=8),
        customdata=[[scoring.value_text(i) or NO_DATA, pts(i.points) if i.status != "no_data" else NO_DATA]
                    for _, i in series],
        hovertemplate="%{x}: %{customdata[0]}<br>%{customdata[1]} điểm<extra></extra>"))
    span = f"{series[0][0].short_label} – {series[-1][0].short_label}" if series else ""
    charts.style(fig, f"Chỉ tiêu {d.code}: {d.name}", subtitle=f"{subtitle} — {span}" if span else subtitle,
                 yaxis_percent=pct)
    charts.thin_categories(fig, x)
    fig.update_layout(showlegend=False)
    v = scoring.full_points_value(d)
    if v is not None and d.kind in ("metric", "fact"):
        shown = fmt.percent(v / 100, 0) if pct else fmt.number(v)
        charts.threshold_line(fig, v / 100 if pct else v, f"Ngưỡng đạt điểm tối đa ({mx(d.max)} điểm): {shown}"
                              + (" (giả định)" if d.placeholder else ""))
        if pct:
            _rate_axis(fig, [t for t in y if t is not None] + [v / 100])
    elif pct:
        _rate_axis(fig, [t for t in y if t is not None])
    return charts.finish(fig)


def _rate_axis(fig: go.Figure, vals: list[float]) -> None:
    """A percent axis zoomed to the values (and the threshold), with ticks precise enough to differ."""
    if vals:
        fig.update_yaxes(**charts.percent_axis(vals, pad=0.1))


# --------------------------------------------------------------------------------------------
# Lost points: the dossiers that lost them
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LostPage:
    rows: pl.DataFrame
    total: int
    page: int
    pages: int


def lost_dossiers(db, unit: Unit, period: Period, metric: str, page: int = 1, per_page: int = PER_PAGE) -> LostPage:
    """One page of the dossiers that are in a dossier metric's denominator and not in its numerator."""
    prm = {**unit.scope, "start": period.start, "end": period.end, "metric": metric, "limit": per_page}
    page = max(1, page)
    df = db.run("index_page_lost_dossiers", **prm, offset=(page - 1) * per_page)
    total = int(df["total"][0]) if df.height else 0
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        page = pages
        df = db.run("index_page_lost_dossiers", **prm, offset=(page - 1) * per_page)
    return LostPage(df.filter(pl.col("dossier_id").is_not_null()), total, page, pages)


def lost_table(page: LostPage) -> pl.DataFrame:
    r = page.rows.to_dicts()
    cols = {
        "Mã hồ sơ": [x["dossier_id"] for x in r],
        "Lý do mất điểm": ["; ".join(REASONS.get(c, c) for c in (x["reasons"] or "").split(",") if c) for x in r],
        "Thủ tục": [x["procedure_name"] or x["procedure_code"] for x in r],
        "Lĩnh vực": [x["field"] or "" for x in r],
        "Kênh nộp": [schema.CHANNELS.get(x["channel"], x["channel"] or "") for x in r],
        "Ngày tiếp nhận": [fmt.day(x["received_at"]) for x in r],
        "Hạn trả": [fmt.day(x["due_at"]) for x in r],
        "Ngày kết thúc": [fmt.day(x["finished_at"]) if x["finished_at"] else "" for x in r],
    }
    return pl.DataFrame(cols, schema={c: pl.String for c in cols})


# --------------------------------------------------------------------------------------------
# Index thresholds on other pages' trends (pages/ho_so.py)
# --------------------------------------------------------------------------------------------

def dossier_indicators(index_code: str = "766") -> list[scoring.IndicatorDef]:
    """An index's indicators computed from dossiers alone (their monthly rate can be drawn per field
    or procedure), in the definition's order."""
    ix = scoring.load_index(index_code)
    return [d for _, d in ix.indicators() if d.kind == "metric" and d.metric in DOSSIER_METRICS
            and not d.metric.startswith("fee_procedures") and d.is_percent]


def month_buckets(period: Period) -> list[Period]:
    """The calendar months of a period, the first and last cut to the period's days."""
    return [periods.custom(max(period.start, first), min(period.end, periods.month_end(first)))
            for first in periods.month_starts(period.start, period.end)]


def metric_trend(db, unit: Unit, period: Period, metric: str, field: str | None = None,
                 procedure: str | None = None) -> list[dict]:
    """A dossier metric month by month over the period (months cut to the period), optionally for one
    field or procedure: [{month (first day), numerator, denominator, rate}]."""
    buckets = month_buckets(period)
    df = db.run("index_page_dossier_metrics", **unit.scope, starts=tuple(b.start for b in buckets),
                ends=tuple(b.end for b in buckets), wstart=period.start, wend=period.end, child=None,
                proc_level="commune" if unit.level == "commune" else None, field=field, procedure=procedure)
    rows = {r["bucket"]: r for r in df.iter_rows(named=True)}
    out = []
    for i, b in enumerate(buckets):
        r = rows.get(i, {})
        num, den = r.get(f"{metric}_num") or 0, r.get(f"{metric}_den") or 0
        out.append({"month": date(b.start.year, b.start.month, 1), "start": b.start, "end": b.end,
                    "numerator": int(num), "denominator": int(den), "rate": fmt.ratio(num, den)})
    return out


def metric_trend_figure(rows: list[dict], d: scoring.IndicatorDef, threshold: scoring.Threshold | None,
                        title_tail: str, subtitle: str) -> go.Figure:
    months = [r["month"] for r in rows]
    fig = go.Figure(go.Scatter(
        x=months, y=[r["rate"] for r in rows], mode="lines+markers", name=d.name,
        marker=dict(color=charts.COLORS["primary"], size=8), line=dict(color=charts.COLORS["primary"]),
        customdata=[[fmt.number(r["numerator"]), fmt.number(r["denominator"]), fmt.day(r["start"]), fmt.day(r["end"])]
                    for r in rows],
        hovertemplate="%{customdata[2]} – %{customdata[3]}: %{y:.2%}<br>%{customdata[0]} / %{customdata[1]} hồ sơ"
                      "<extra></extra>"))
    charts.style(fig, f"Chỉ tiêu {d.code} theo tháng: {d.name}" + title_tail, subtitle=subtitle, yaxis_percent=True)
    fig.update_xaxes(title="Tháng", tickformat=charts.MONTH_TICKS)
    fig.update_layout(showlegend=False)
    if rows:
        charts.mark_partial(fig, months, rows[0]["start"], rows[-1]["end"])
    vals = [r["rate"] for r in rows if r["rate"] is not None]
    if threshold is not None:
        charts.threshold_line(fig, threshold.value, threshold.label)
        vals.append(threshold.value)
    _rate_axis(fig, vals)
    return charts.finish(fig)


__all__ = [
    "DOSSIER_METRICS", "TREND_KINDS", "LOST_WHAT", "REASONS", "COMPUTED_LABEL", "grouped_metrics",
    "score_periods", "score_children", "children_of", "trend_periods", "months_for", "ranking_scope",
    "RankScope", "group_table", "indicator_table", "ranking_table", "rank_of", "groups_figure",
    "trend_figure", "ranking_figure", "indicator_series", "indicator_figure", "lost_dossiers", "lost_table",
    "LostPage", "dossier_indicators", "metric_trend", "metric_trend_figure", "applies", "not_applicable_text",
    "data_range", "lost_points"
]
