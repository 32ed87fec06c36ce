"""The overview ("Tổng quan"): the leadership's landing page, as data and figures.

Everything the page shows is built here from named queries (through cchc.kpis, monthly_trend and
unit_ranking), so tests and exports get the same numbers as the screen:

    ov = overview(db, unit, period, compare=True)   # KPI dicts of the period and a year earlier
    cards(ov.now, ov.prev, load_targets())          # the KPI cards: value, change, target
    trend(db, unit, period) / trend_figure(...)     # 24 calendar months ending with the period
    ranking(db, unit, period) / ranking_figure(...) # a district's communes or a province's districts

No Streamlit here (the page in pages/tong_quan.py only lays these out).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .. import access, charts, coverage, fmt, kpis, metrics, periods
from ..db import Database
from ..kpis import Unit
from ..metrics import Target, load_targets  # noqa: F401 - the page reads the targets through this module

TREND_MONTHS = 24
RANK_TOP = 15


# --- KPI cards --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CardSpec:
    key: str
    label: str
    kind: str  # count | rate
    higher_is_better: bool | None  # None: neither (volume), the change is shown uncoloured
    note: str  # the tooltip's first paragraph: the catalogue's help and formula


def _card_spec(m: metrics.Metric) -> CardSpec:
    return CardSpec(m.key, m.label, "rate" if m.is_rate else "count", m.higher_is_better, m.help_text)


# The cards, their labels, help and direction: the metric catalogue (cchc/metrics.toml, `cards`).
CARDS: list[CardSpec] = [_card_spec(metrics.get(k)) for k in metrics.catalogue().cards]
FINANCE_CARDS = {m.key: m.finance_item for m in metrics.catalogue().metrics if m.finance_item}


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    kind: str
    value: float | int | None
    previous: float | int | None
    higher_is_better: bool | None
    text: str  # the value as shown
    help: str
    delta: str | None = None  # the change against a year earlier as shown, None without comparison

    @property
    def delta_sign(self) -> int:
        """-1, 0, +1: the direction of the change as shown (0 when it rounds to nothing)."""
        if self.delta is None:
            return 0
        return -1 if self.delta.startswith("-") else 0 if self.delta.startswith("±") else 1

    @property
    def colour(self) -> bool | None:
        """higher_is_better for widgets.kpi; None (grey) when nothing changed."""
        return None if self.delta_sign == 0 else self.higher_is_better


def delta_text(kind: str, now: float | int | None, before: float | int | None) -> str | None:
    """'+9 so với cùng kỳ', '-0,25 điểm % so với cùng kỳ', '±0 so với cùng kỳ'. The minus is an
    ASCII hyphen: st.metric reads the direction of the arrow and the colour from a leading '-'
    (fmt's U+2212 minus would show a falling figure as rising)."""
    if now is None or before is None:
        return None
    d = now - before
    if kind == "rate":
        d = 0.0 if abs(d) < 0.00005 else d  # shown with 2 decimals in percentage points
        text = fmt.signed_percent_points(d)
    else:
        text = fmt.signed_number(d)
    return text.replace("\u2212", "-", 1) + " so với cùng kỳ"


def flat(k: dict) -> dict:
    """The KPIs the cards show, from kpis.kpis(): the dossier counts and rates plus overdue
    (late + pending overdue) and the finance rates and amounts."""
    return metrics.values(k)


def money(vnd: int | None, unit: Unit) -> str:
    """Communes report in triệu đồng; districts and provinces in tỷ đồng from a billion up."""
    return fmt.million(vnd) if unit.level == "commune" else fmt.money(vnd)


def finance_span(k: dict) -> str | None:
    """'tháng 1–12/2023' for the budget months a period covers (kpis' finance_months)."""
    months = k.get("finance_months")
    if not months:
        return None
    a, b = date.fromisoformat(months[0]), date.fromisoformat(months[1])
    if a.year == b.year:
        return f"tháng {a.month}/{a.year}" if a.month == b.month else f"tháng {a.month}–{b.month}/{a.year}"
    return f"tháng {a.month}/{a.year}–{b.month}/{b.year}"


def cards(now: dict, prev: dict | None, targets: dict[str, Target], unit: Unit) -> list[Card]:
    """The KPI cards in display order. now/prev are flat() dicts; prev None = no comparison."""
    out = []
    span = finance_span(now)
    for spec in CARDS:
        v = now.get(spec.key)
        text = fmt.percent(v) if spec.kind == "rate" else fmt.number(v)
        lines = [spec.note]
        m = metrics.get(spec.key)
        num, den = m.parts(now) if m.is_rate else (None, None)
        if num is not None and den is not None and spec.key not in FINANCE_CARDS:
            lines.append(f"Kỳ này: {fmt.number(num)} / {fmt.number(den)}.")
        if spec.key in FINANCE_CARDS:
            base = spec.key.replace("_rate", "")
            if now.get(f"{base}_plan") is None:
                lines.append("Không có số liệu ngân sách của kỳ này.")
            else:
                lines.append(f"Thực hiện {money(now[f'{base}_actual'], unit)} / "
                             f"{'kế hoạch' if base == 'disbursement' else 'dự toán'} "
                             f"{money(now[f'{base}_plan'], unit)} ({span}).")
        t = targets.get(spec.key)
        if t:
            met = t.met(v)
            verdict = "" if met is None else (" Đạt." if met else " Chưa đạt.")
            lines.append(f"Mục tiêu {t.text}: {t.source}.{verdict}")
        before = None if prev is None else prev.get(spec.key)
        out.append(Card(spec.key, spec.label, spec.kind, v, before, spec.higher_is_better, text, "\n\n".join(lines),
                        None if prev is None else delta_text(spec.kind, v, before)))
    return out


@dataclass(frozen=True)
class Overview:
    unit: Unit
    period: periods.Period
    now: dict
    prev: dict | None  # None when not compared or the data do not cover the year-earlier period
    note: str | None  # why there is no comparison, if asked for and not possible

    @property
    def empty(self) -> bool:
        return self.now["received_total"] == 0


def data_range(db: Database) -> tuple[date, date]:
    return coverage.working_range(db)


def overview(db: Database, unit: Unit, period: periods.Period, compare: bool = True) -> Overview:
    """The unit's KPIs for the period and, if compare, for the same period a year earlier. The
    comparison is dropped (with a note) when the dossier data do not reach back to its start."""
    now = flat(kpis.kpis(db, unit, period))
    prev, note = None, None
    if compare:
        before = period.previous_year()
        first, _ = data_range(db)
        if first is None or before.start < date(first.year, first.month, 1):
            note = (f"Không so sánh cùng kỳ năm trước ({before.label}): dữ liệu hồ sơ chỉ có từ "
                    f"{fmt.day(first)}.") if first else None
        else:
            prev = flat(kpis.kpis(db, unit, before))
            if prev["received_total"] == 0:
                prev, note = None, f"Không có hồ sơ nào trong cùng kỳ năm trước ({before.label}) để so sánh."
    return Overview(unit, period, now, prev, note)


# --- monthly trend ------------------------------------------------------------------------------
def trend_window(p: periods.Period, last_day: date | None = None) -> tuple[date, date]:
    """The 24 calendar months ending with the period's end month (or with the month of the last
    day of data, if the period runs past it): first day of the first month, last day covered."""
    end = p.end if last_day is None else min(p.end, last_day)
    last_month = date(end.year, end.month, 1)
    month_end = periods.month_end(last_month)
    stop = month_end if last_day is None else min(month_end, max(last_day, last_month))
    return periods.add_months(last_month, 1 - TREND_MONTHS), stop


# The trend's series, labels, formulas and directions: the metric catalogue (cchc/metrics.toml,
# `trend`): its counts drawn as bars, its rates as lines on the right-hand axis.
TREND_SERIES: list[metrics.Metric] = [metrics.get(k) for k in metrics.catalogue().trend]
_BAR_COLORS = ("muted", "primary", "neutral", "secondary")
_LINE_COLORS = ("good", "secondary", "threshold", "bad")


def trend(db: Database, unit: Unit, p: periods.Period) -> tuple[pl.DataFrame, date, date]:
    """Monthly figures of the catalogue's trend KPIs (received new, resolved, on-time rate) over
    trend_window(), each computed by its catalogue formula from the monthly counts; one row a month."""
    _, last = data_range(db)
    start, end = trend_window(p, last)
    df = kpis.monthly_trend(db, unit.scope, start, end)
    return df.with_columns(**{m.key: m.expr(df.columns) for m in TREND_SERIES}), start, end


def _month(d: date) -> str:
    return f"{d.month:02d}/{d.year}"


def trend_subtitle(unit: Unit, start: date, end: date) -> str:
    s = f"{unit.full_name} — {TREND_MONTHS} tháng, từ tháng {_month(start)} đến tháng {_month(end)}"
    if end < periods.month_end(end):
        s += f" (số liệu đến {fmt.day(end)})"
    return s


def _floor_pct(x: float) -> float:
    """One percentage point below x, rounded down to a whole percent (an axis start), never below 0."""
    return max(0.0, (int(x * 100) - 1) / 100)


def _lower_first(s: str) -> str:
    return s[0].lower() + s[1:]


def trend_title(series: list[metrics.Metric] | None = None) -> str:
    """'Hồ sơ mới tiếp nhận, đã giải quyết và tỷ lệ trước, đúng hạn theo tháng': the counts' labels
    (after their unit) and the rates' short labels, from the catalogue."""
    series = TREND_SERIES if series is None else series
    counts = [m for m in series if not m.is_rate]
    names = [_lower_first(m.label) for m in counts] + [_lower_first(m.short) for m in series if m.is_rate]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]
    units = {m.unit for m in counts}
    return f"{units.pop().capitalize()} {text} theo tháng" if len(units) == 1 else f"{text[0].upper()}{text[1:]} theo tháng"


@charts.memo
def trend_figure(df: pl.DataFrame, unit: Unit, start: date, end: date, target: Target | None) -> go.Figure:
    """The catalogue's trend KPIs by month: counts as grouped bars (left axis), rates as lines
    (right axis, up to 100 % when higher is better), the target of a single rate as a dashed line."""
    months = df["month"].to_list()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    label = [f"Tháng {_month(m)}" for m in months]
    counts = [m for m in TREND_SERIES if not m.is_rate]
    rated = [m for m in TREND_SERIES if m.is_rate]
    for i, m in enumerate(counts):
        fig.add_trace(go.Bar(x=months, y=df[m.key].to_list(), name=m.label,
                             marker_color=charts.COLORS[_BAR_COLORS[i % len(_BAR_COLORS)]], customdata=label,
                             hovertemplate="%{customdata}<br>" + m.label + ": %{y:,.0f}<extra></extra>"))
    known = []
    for i, m in enumerate(rated):
        rates = df[m.key].to_list()
        known += [r for r in rates if r is not None]
        fig.add_trace(go.Scatter(x=months, y=rates, name=m.label, mode="lines+markers",
                                 line=dict(color=charts.COLORS[_LINE_COLORS[i % len(_LINE_COLORS)]], width=2.5),
                                 customdata=label,
                                 hovertemplate="%{customdata}<br>" + m.label + ": %{y:.2%}<extra></extra>"),
                      secondary_y=True)
    charts.style(fig, trend_title(), subtitle=trend_subtitle(unit, start, end), height=460)
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(tickformat=charts.MONTH_TICKS, ticklabelmode="period")
    units = {m.unit for m in counts}
    fig.update_yaxes(title_text=f"Số {units.pop()}" if len(units) == 1 else "Số lượng", secondary_y=False)
    charts.mark_partial(fig, months, start, end)
    if not rated:
        return charts.finish(fig)
    target = target if len(rated) == 1 else None
    marks = known + ([target.target] if target else [])
    if all(m.higher_is_better for m in rated):  # rates near 100 %: the axis ends at 100 %
        lo = _floor_pct(min(marks)) if known else 0.0
        hi = 1.0
    else:  # a rate where lower is better (small shares): from 0 to just above the largest
        lo, hi = 0.0, min(1.0, max([0.01, *marks]) * 1.1)
    fig.update_yaxes(title_text=rated[0].short if len(rated) == 1 else "Tỷ lệ", secondary_y=True,
                     **charts.percent_axis([lo, hi], pad=0.03), showgrid=False)
    if target:  # the line belongs to the rate axis
        charts.threshold_line(fig, target.target, f"Mục tiêu {target.text}", yref="y2")
    return charts.finish(fig)


# --- ranking ------------------------------------------------------------------------------------
LEVEL_PLURAL = {"commune": "xã, phường, thị trấn", "district": "huyện, thị xã, thành phố"}
# The ranking choices and their labels: the metric catalogue (cchc/metrics.toml, `ranking`).
RANK_METRICS = {k: metrics.label(k) for k in metrics.catalogue().ranking}


def child_level(unit: Unit, all_communes: bool = False) -> str | None:
    """The level ranked under a unit: a district's communes, a province's districts (or all its
    communes); None for a commune."""
    if unit.level == "district":
        return "commune"
    if unit.level == "province":
        return "commune" if all_communes or unit.map == "new" else "district"   # the new map has no districts
    return None


def ranking(db: Database, unit: Unit, p: periods.Period, all_communes: bool = False,
            by: str = "on_time_rate") -> pl.DataFrame:
    """The units under `unit` with their counts and rates, worst first on `by` (ties: the other
    rates, then code), units without a rate (nothing resolved or received) last. `rank` is the
    standard competition rank, 1 = best."""
    level = child_level(unit, all_communes)
    if level is None:
        raise ValueError("a commune has no units under it")
    if by not in RANK_METRICS:
        raise ValueError(f"unknown ranking metric {by!r}")
    df = db.run("unit_ranking", **unit.scope, start=p.start, end=p.end, child_level=level)
    df = df.with_columns(overdue=metrics.get("overdue").expr(df.columns),
                         **{k: metrics.get(k).expr(df.columns) for k in RANK_METRICS})
    others = [m for m in RANK_METRICS if m != by]
    lower = {k: metrics.get(k).higher_is_better is False for k in RANK_METRICS}  # worst = highest
    df = df.sort([by, *others, "code"], descending=[lower[by], *(lower[k] for k in others), False], nulls_last=True)
    df = df.with_columns(rank=pl.col(by).rank(method="min", descending=not lower[by]).cast(pl.Int64))
    return df


def _worst_word(by: str) -> tuple[str, str]:
    """('thấp', 'cao') for a rate where higher is better, ('cao', 'thấp') where lower is: how the
    worst and the best values read."""
    return ("cao", "thấp") if metrics.get(by).higher_is_better is False else ("thấp", "cao")


def ranking_caption(by: str, n: int) -> str:
    worst, best = _worst_word(by)
    return f"Danh sách đầy đủ ({n} đơn vị), {worst} nhất ở trên; hạng 1 là {best} nhất."


def ranking_label(df: pl.DataFrame) -> list[str]:
    """Unit names for a chart axis; with the parent's name where names repeat (e.g. all communes)."""
    names = df["name"].to_list()
    dup = {n for n in names if names.count(n) > 1}
    return [f"{n} ({p})" if n in dup else n for n, p in zip(names, df["parent_name"].to_list())]


@charts.memo
def ranking_figure(df: pl.DataFrame, by: str, unit: Unit, p: periods.Period, overall: float | None,
                   target: Target | None, level: str, top: int = RANK_TOP) -> go.Figure:
    """Horizontal bars of the `top` worst units on `by`, the worst at the top; red where worse than
    the unit's own overall rate (below it; above it for a rate where lower is better)."""
    d = df.filter(pl.col(by).is_not_null()).head(top)
    labels = ranking_label(d)
    values = d[by].to_list()
    fig = go.Figure()
    worst, best = _worst_word(by)
    sign = -1 if worst == "cao" else 1  # a worse value than the overall one: below it, or above it when lower is better
    below = [overall is not None and sign * (v - overall) < -1e-12 for v in values]
    for flag, name, color in [(True, f"{worst.capitalize()} hơn mức chung", charts.COLORS["bad"]),
                              (False, f"Bằng hoặc {best} hơn mức chung", charts.COLORS["primary"])]:
        idx = [i for i, b in enumerate(below) if b == flag]
        if not idx:
            continue
        fig.add_trace(go.Bar(
            y=[labels[i] for i in idx], x=[values[i] for i in idx], orientation="h", name=name,
            marker_color=color, text=[fmt.percent(values[i]) for i in idx], textposition="outside", showlegend=True,
            customdata=[[d["rank"][i], fmt.percent(values[i])] for i in idx],
            hovertemplate="%{y}<br>" + RANK_METRICS[by] + ": %{customdata[1]}<br>Hạng %{customdata[0]}"
                          f"/{df.height}<extra></extra>"))
    marks = values + ([overall] if overall is not None else []) + ([target.target] if target else [])
    lo = _floor_pct(min(marks)) if marks else 0.0
    hi = min(1.0, max(marks)) if marks else 1.0
    what = LEVEL_PLURAL[level]
    note = f"; trục hoành bắt đầu từ {fmt.percent(lo, 0)}" if lo > 0 else ""
    title = (f"{d.height} {what} có {RANK_METRICS[by].lower()} {worst} nhất" if d.height < df.height
             else f"Các {what} theo {RANK_METRICS[by].lower()}, {worst} nhất ở trên")
    charts.style(fig, title,
                 subtitle=f"{unit.full_name} — {p.label}{note}",
                 height=max(380, 150 + 32 * d.height))
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), autorange=None)
    ticks, text = charts.percent_ticks(lo, hi, max_ticks=3)
    fig.update_xaxes(range=[lo, hi + (hi - lo) * 0.02], tickmode="array", tickvals=ticks, ticktext=text,
                     hoverformat=".2%")
    if overall is not None:
        charts.threshold_line(fig, overall, f"Chung: {fmt.percent(overall)}", vertical=True,
                              color=charts.COLORS["neutral"], dash="dot")
    if target is not None and target.target <= 1.0:
        charts.threshold_line(fig, target.target, f"Mục tiêu {target.text}", vertical=True)
    return charts.finish(fig)


RANK_COLUMNS = [
    ("rank", "Hạng (1 = tốt nhất)"), ("code", "Mã"), ("name", "Đơn vị"), ("parent_name", "Thuộc"),
    ("received_total", metrics.label("received_total")), ("resolved_total", metrics.label("resolved_total")),
    ("resolved_in_time", "Giải quyết trước hạn, đúng hạn"), ("resolved_late", metrics.label("resolved_late")),
    ("pending_overdue", metrics.label("pending_overdue")),
] + [(k, metrics.short(k)) for k in RANK_METRICS]


def ranking_table(df: pl.DataFrame, with_parent: bool) -> pl.DataFrame:
    """The ranking as shown: Vietnamese headers, numbers and rates formatted, worst first."""
    cols = [(k, v) for k, v in RANK_COLUMNS if with_parent or k != "parent_name"]
    out = {}
    for k, v in cols:
        s = df[k].to_list()
        if k.endswith("_rate"):
            out[v] = [fmt.percent(x) for x in s]
        elif k in ("code", "name", "parent_name"):
            out[v] = s
        else:
            out[v] = [fmt.number(x) for x in s]
    return pl.DataFrame(out, schema={v: pl.String for _, v in cols})


def commune_note(db: Database, unit: Unit, p: periods.Period, now: dict) -> str | None:
    """A commune's on-time rate against its district's, with its place among the district's communes."""
    if unit.level != "commune" or not unit.district:
        return None
    district = kpis.resolve_unit(db, unit.district)
    try:
        dk = kpis.dossier_kpis(db, district, p)
    except access.AccessError:  # the district is outside the reader's scope: no comparison (docs/access.md)
        return None
    mine, theirs = now.get("on_time_rate"), dk.get("on_time_rate")
    if mine is None or theirs is None:
        return None
    diff = mine - theirs
    how = "cao hơn" if diff > 1e-12 else "thấp hơn" if diff < -1e-12 else "bằng"
    label = metrics.label("on_time_rate")
    s = (f"{label} của {unit.name}: {fmt.percent(mine)}, {how} mức chung của "
         f"{district.name} ({fmt.percent(theirs)}")
    s += f", {fmt.signed_percent_points(diff)})." if how != "bằng" else ")."
    r = ranking(db, district, p)
    row = r.filter(pl.col("code") == unit.code)
    if row.height and row["rank"][0] is not None:
        s += (f" Xếp thứ {row['rank'][0]}/{r.filter(pl.col('on_time_rate').is_not_null()).height} "
              f"xã, phường, thị trấn của huyện về {label[0].lower() + label[1:]}.")
    return s
