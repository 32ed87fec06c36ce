"""Public finance (tài chính công) of a unit over a reporting period.

Three items are kept per commune and calendar month (table ``finances``): budget revenue (thu ngân
sách) and expenditure (chi ngân sách) against the estimate (dự toán), and public-investment
disbursement (giải ngân vốn đầu tư công) against the capital plan (kế hoạch vốn). A district or a
province adds up its communes. A period maps to budget months through ``kpis.finance_months``
(official year 2023 → months 1–12/2023); "the same period last year" is the same months one year
earlier.

Figures come from queries/finance_summary.sql (totals), finance_monthly.sql (the cumulative
curves) and finance_ranking.sql (child units); this module adds up, divides, formats and draws.
The items' names, their rates (actual / plan), directions, help and targets are the metric
catalogue's finance KPIs (cchc/metrics.toml, `finance`; cchc.metrics). The disbursement
milestones the province sets (30/6, 30/9, 31/12, 31/1 of the next year) are data:
cchc/reference/milestones.csv.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from .. import charts, fmt, kpis, metrics, periods
from ..db import Database
from ..kpis import Unit

# item code (schema.FINANCE_ITEMS) -> its KPI of the catalogue, in the catalogue's `finance` order.
KPIS: dict[str, metrics.Metric] = metrics.catalogue().by_finance_item()
ITEMS: dict[str, str] = {item: m.short for item, m in KPIS.items()}  # code -> short name, in display order
REVENUE, EXPENDITURE, DISBURSEMENT = "thu_ngan_sach", "chi_ngan_sach", "giai_ngan_dtc"
# The plan's word in chart texts ("lũy kế dự toán"); the KPI names are the catalogue's.
PLAN_WORD = {REVENUE: "dự toán", EXPENDITURE: "dự toán", DISBURSEMENT: "kế hoạch vốn"}
# Is more (against the plan) better? The catalogue's direction of each item's rate.
HIGHER_IS_BETTER = {item: m.higher_is_better for item, m in KPIS.items()}
RANK_ITEMS = (REVENUE, DISBURSEMENT)
MILESTONES_CSV = Path(__file__).resolve().parents[1] / "reference" / "milestones.csv"
SOURCE = "Nguồn: số liệu tài chính, ngân sách theo tháng của đơn vị, tổng hợp bởi Bảng điều khiển CCHC"


def actual_key(item: str) -> str:
    """The catalogue count of an item's actual amount (the rate's numerator), e.g. revenue_actual."""
    return KPIS[item].numerator[0]


def plan_key(item: str) -> str:
    """The catalogue count of an item's plan amount (the rate's denominator), e.g. revenue_plan."""
    return KPIS[item].denominator[0]


def rate(item: str, actual_vnd: int | None, plan_vnd: int | None) -> float | None:
    """actual / plan by the catalogue's formula; None when there is no plan."""
    return KPIS[item].value({actual_key(item): actual_vnd, plan_key(item): plan_vnd})


# --- money -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """The money unit of a page: communes report in triệu đồng, districts and the province in tỷ đồng."""
    factor: float
    label: str
    decimals: int

    def value(self, vnd: float | int | None) -> float | None:
        return None if vnd is None else vnd / self.factor

    def num(self, vnd: float | int | None) -> str:
        return fmt.number(self.value(vnd), self.decimals)

    def text(self, vnd: float | int | None) -> str:
        return fmt.DASH if vnd is None else f"{self.num(vnd)} {self.label}"

    @property
    def hover(self) -> str:
        """Plotly number format of the unit (with layout.separators=",.")."""
        return f",.{self.decimals}f"


TRIEU = Scale(1e6, "triệu đồng", 0)
TY = Scale(1e9, "tỷ đồng", 2)


def scale_for(unit: Unit) -> Scale:
    return TRIEU if unit.level == "commune" else TY


def signed_percent(change: float | None, decimals: int = 2) -> str:
    """A relative change as a signed percentage: 0.0461 -> '+4,61 %'."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return fmt.DASH
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{fmt.number(abs(change) * 100, decimals)} %"


def change_delta(change: float | None) -> str | None:
    """A KPI card's delta for a relative change: '+7,94 % so với cùng kỳ'; a leading ASCII '-' when
    negative, since st.metric reads the arrow's direction from it (cf. cchc.ui.widgets.delta_rate)."""
    if change is None:
        return None
    text = signed_percent(change)
    return ("-" + text[1:] if text.startswith("−") else text) + " so với cùng kỳ"


def relative_change(now: int | None, before: int | None) -> float | None:
    if now is None or not before:
        return None
    return now / before - 1


# --- months ----------------------------------------------------------------------------------
def shift_years(d: date, years: int) -> date:
    return date(d.year + years, d.month, 1)


def months_label(first: date, last: date) -> str:
    """'tháng 1–12/2023', 'tháng 12/2022–11/2023', 'tháng 3/2023'."""
    if first == last:
        return f"tháng {first.month}/{first.year}"
    if first.year == last.year:
        return f"tháng {first.month}–{last.month}/{first.year}"
    return f"tháng {first.month}/{first.year}–{last.month}/{last.year}"


# --- totals (cchc.kpis.finance_totals) ----------------------------------------------------------
def summary(db: Database, unit: Unit, period: periods.Period) -> dict:
    """Actual, plan and % of plan per item over the period's budget months, and the same for the same
    months one year earlier, with the changes (relative for amounts, in points for rates). When the
    data stop before the period's last month, ``months`` ends at the last month with figures (and
    ``partial`` is set), so that both years cover the same months."""
    months = kpis.finance_months(period)
    out: dict = {"months": months, "requested_months": months, "partial": False, "previous_months": None, "items": []}
    if not months:
        return out
    # Figures may stop before the period's last month (the data end): compare only the months present.
    present = db.run("finance_monthly", **unit.scope, start=months[0], end=months[1])
    if present.is_empty():
        return out
    last = max(date(y, m, 1) for y, m in present.select("year", "month").rows())
    if last < months[1]:
        months = (months[0], last)
        out.update(months=months, partial=True)
    prev_months = (shift_years(months[0], -1), shift_years(months[1], -1))
    out["previous_months"] = prev_months
    now, before = kpis.finance_totals(db, unit, *months), kpis.finance_totals(db, unit, *prev_months)
    for item, name in ITEMS.items():
        if item not in now:
            continue
        n, b = now[item], before.get(item)
        r = rate(item, n["actual_vnd"], n["plan_vnd"])
        prev_rate = rate(item, b["actual_vnd"], b["plan_vnd"]) if b else None
        out["items"].append({
            "item": item, "name": name, "plan_word": PLAN_WORD[item], "units": n["units"],
            "plan_vnd": n["plan_vnd"], "actual_vnd": n["actual_vnd"], "rate": r,
            "prev_plan_vnd": b["plan_vnd"] if b else None, "prev_actual_vnd": b["actual_vnd"] if b else None,
            "prev_rate": prev_rate,
            "actual_change": relative_change(n["actual_vnd"], b["actual_vnd"] if b else None),
            "rate_change": None if r is None or prev_rate is None else r - prev_rate,
        })
    return out


@dataclass(frozen=True)
class Card:
    """A KPI card of the page: an item's actual amount or its rate against the plan."""
    key: str  # the catalogue's count (revenue_actual) or KPI (revenue_rate)
    label: str
    text: str
    value: float | int | None
    previous: float | int | None  # the same months a year earlier
    change: float | None  # amount: relative change against a year earlier; rate: in points
    higher_is_better: bool | None
    help: str


def cards(s: dict, scale: Scale, targets: dict[str, metrics.Target] | None = None) -> list[tuple[Card, Card]]:
    """Per item of summary(): the actual amount's card and the rate's card, named, explained and
    coloured by the catalogue (the amount by its count's label, the rate by its KPI's label, help,
    formula and target)."""
    cat, targets = metrics.catalogue(), targets or {}
    out = []
    for it in s["items"]:
        m, item = KPIS[it["item"]], it["item"]
        amounts = (f"{cat.count_label(actual_key(item))} {scale.text(it['actual_vnd'])} / "
                   f"{cat.count_label(plan_key(item))[0].lower()}{cat.count_label(plan_key(item))[1:]} "
                   f"{scale.text(it['plan_vnd'])} ({months_label(*s['months'])}).")
        lines = [m.help_text, amounts]
        t = targets.get(m.key)
        if t:
            met = t.met(it["rate"])
            lines.append(f"Mục tiêu {t.text}: {t.source}." + ("" if met is None else " Đạt." if met else " Chưa đạt."))
        amount = Card(actual_key(item), cat.count_label(actual_key(item)), scale.text(it["actual_vnd"]),
                      it["actual_vnd"], it["prev_actual_vnd"], it["actual_change"], m.higher_is_better,
                      f"{cat.count_label(plan_key(item))}: {scale.text(it['plan_vnd'])}")
        share = Card(m.key, m.label, fmt.percent(it["rate"]), it["rate"], it["prev_rate"], it["rate_change"],
                     m.higher_is_better, "\n\n".join(lines))
        out.append((amount, share))
    return out


def summary_table(s: dict, scale: Scale, compare: bool = True) -> pl.DataFrame:
    """The summary as a table with Vietnamese column names and formatted numbers."""
    u = scale.label
    rows = []
    for it in s["items"]:
        r = {"Chỉ tiêu": it["name"], f"Thực hiện ({u})": scale.num(it["actual_vnd"]),
             f"Dự toán / kế hoạch ({u})": scale.num(it["plan_vnd"]), "% dự toán / kế hoạch": fmt.percent(it["rate"])}
        if compare:
            r.update({f"Cùng kỳ: thực hiện ({u})": scale.num(it["prev_actual_vnd"]),
                      f"Cùng kỳ: dự toán / kế hoạch ({u})": scale.num(it["prev_plan_vnd"]),
                      "Cùng kỳ: % dự toán / kế hoạch": fmt.percent(it["prev_rate"]),
                      "Thực hiện so với cùng kỳ": signed_percent(it["actual_change"]),
                      "% dự toán so với cùng kỳ": fmt.signed_percent_points(it["rate_change"])})
        rows.append(r)
    return pl.DataFrame(rows)


# --- cumulative curves -------------------------------------------------------------------------
def cumulative(db: Database, unit: Unit, period: periods.Period) -> pl.DataFrame:
    """Month by month (``day`` = first day of the month) over the whole budget year(s) the period
    touches: the month's plan and actual,
    the cumulative plan line from January, the cumulative actual up to the period's last month
    (null after it), the year's plan and both cumulative figures as shares of it.

    The year's plan is the sum of the monthly plan shares present in the data (a year whose later
    months are not loaded yet has a smaller plan; ``plan_months`` says how many months it has)."""
    cols = {"item": pl.String, "year": pl.Int32, "month": pl.Int32, "day": pl.Date, "plan_vnd": pl.Int64,
            "actual_vnd": pl.Int64, "plan_cum": pl.Int64, "actual_cum": pl.Int64, "plan_year": pl.Int64,
            "plan_months": pl.UInt32, "plan_cum_share": pl.Float64, "actual_cum_share": pl.Float64}
    months = kpis.finance_months(period)
    if not months:
        return pl.DataFrame(schema=cols)
    df = db.run("finance_monthly", **unit.scope, start=date(months[0].year, 1, 1), end=date(months[1].year, 12, 1))
    if df.is_empty():
        return pl.DataFrame(schema=cols)
    last = months[1]
    df = (df.sort("item", "year", "month")
          .with_columns(
              day=pl.date(pl.col("year"), pl.col("month"), 1),
              plan_cum=pl.col("plan_vnd").cum_sum().over("item", "year"),
              actual_cum=pl.col("actual_vnd").cum_sum().over("item", "year"),
              plan_year=pl.col("plan_vnd").sum().over("item", "year"),
              plan_months=pl.len().over("item", "year"))
          .with_columns(actual_cum=pl.when(pl.date(pl.col("year"), pl.col("month"), 1) <= last)
                        .then(pl.col("actual_cum")).otherwise(None))
          .with_columns(plan_cum_share=pl.when(pl.col("plan_year") > 0).then(pl.col("plan_cum") / pl.col("plan_year")),
                        actual_cum_share=pl.when(pl.col("plan_year") > 0).then(pl.col("actual_cum") / pl.col("plan_year"))))
    return df.select(list(cols)).cast(cols)


# --- disbursement milestones -------------------------------------------------------------------
@dataclass(frozen=True)
class Milestone:
    label: str  # day/month as the province writes it, e.g. "30/06"
    months_after_start: int  # 6 = end of June; 13 = end of January of the next year
    target: float  # share of the year's capital plan, 0..1
    placeholder: bool
    source: str

    def day(self, budget_year: int) -> date:
        d, m = (int(x) for x in self.label.split("/"))
        return date(budget_year + (self.months_after_start - 1) // 12, m, d)

    def month(self, budget_year: int) -> date:
        """First day of the month the milestone closes (where the curves plot that month's figure)."""
        m = self.months_after_start - 1
        return date(budget_year + m // 12, m % 12 + 1, 1)


def load_milestones(path: Path = MILESTONES_CSV) -> list[Milestone]:
    """The disbursement milestones; a bad row raises ValueError naming the file, row and column."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}, dòng {i}"
            try:
                d, m = (int(x) for x in r["milestone"].split("/"))
                months = int(r["months_after_start"])
                target = float(r["target_pct"])
            except (KeyError, ValueError, AttributeError):
                raise ValueError(f"{where}: cột milestone phải có dạng dd/mm, months_after_start là số nguyên, "
                                 "target_pct là số.") from None
            if not 1 <= months <= 24 or (months - 1) % 12 + 1 != m or not 1 <= d <= 31:
                raise ValueError(f"{where}, cột months_after_start: {months} tháng không khớp với mốc {r['milestone']}.")
            if not 0 <= target <= 100:
                raise ValueError(f"{where}, cột target_pct: {target} phải trong khoảng 0–100.")
            out.append(Milestone(r["milestone"].strip(), months, target / 100,
                                 (r.get("status") or "").strip() == "placeholder", (r.get("source") or "").strip()))
    return sorted(out, key=lambda x: x.months_after_start)


def milestone_status(cum: pl.DataFrame, milestones: list[Milestone], last_month: date) -> list[dict]:
    """Each milestone of each budget year in ``cum`` (disbursement rows): target, the cumulative share
    disbursed by then, and whether it was met. Months after the period are 'not yet due'; a milestone
    beyond December has no monthly figure (the data keep each budget year's months 1–12)."""
    d = cum.filter(pl.col("item") == DISBURSEMENT)
    out = []
    for year in sorted(set(d["year"].to_list())):
        by_month = {r["month"]: r for r in d.filter(pl.col("year") == year).to_dicts()}
        for ms in milestones:
            r = by_month.get(ms.months_after_start)
            share = r["actual_cum_share"] if r else None
            due_month = date(year, min(ms.months_after_start, 12), 1)
            if due_month > last_month:
                status, share = "Chưa đến mốc", None
            elif ms.months_after_start > 12 or share is None:
                status, share = "Không có số liệu", None
            else:
                status = "Đạt" if share >= ms.target - 1e-12 else "Chưa đạt"
            out.append({"year": year, "day": ms.day(year), "target": ms.target, "actual_share": share,
                        "status": status, "placeholder": ms.placeholder})
    return out


def milestone_table(status: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{"Mốc": fmt.day(s["day"]), "Năm ngân sách": str(s["year"]),
                          "Mục tiêu (% kế hoạch vốn năm)": fmt.percent(s["target"], 0),
                          "Đã giải ngân lũy kế": fmt.percent(s["actual_share"]), "Đánh giá": s["status"]}
                         for s in status])


# --- ranking of child units ----------------------------------------------------------------------
CHILD_LEVELS = {"commune": "Các xã, phường, thị trấn", "district": "Các huyện, thị xã, thành phố"}


def child_levels(unit: Unit) -> list[str]:
    """Which child units a unit can be ranked by: a district its communes; a province its districts
    or all its communes; a commune none."""
    if unit.level == "province" and unit.map == "new":
        return ["commune"]   # the new map has no districts
    return {"district": ["commune"], "province": ["district", "commune"]}.get(unit.level, [])


def ranking(db: Database, unit: Unit, period: periods.Period, by: str | None = None,
            sort_item: str = REVENUE) -> list[dict]:
    """Child units with plan, actual and % of plan per item, worst first on ``sort_item`` (units with
    no plan last)."""
    levels = child_levels(unit)
    months = kpis.finance_months(period)
    if not levels or not months:
        return []
    by = by if by in levels else levels[0]
    df = db.run("finance_ranking", **unit.scope, by=by,
                start=months[0], end=months[1])
    units: dict[str, dict] = {}
    for r in df.to_dicts():
        u = units.setdefault(r["code"], {"code": r["code"], "name": r["name"], "parent_name": r["parent_name"],
                                         "communes": 0})
        u["communes"] = max(u["communes"], int(r["communes"]))
        u[f"{r['item']}_plan"] = int(r["plan_vnd"])
        u[f"{r['item']}_actual"] = int(r["actual_vnd"])
        u[f"{r['item']}_rate"] = rate(r["item"], int(r["actual_vnd"]), int(r["plan_vnd"])) if r["item"] in KPIS else None
    rows = list(units.values())
    for u in rows:
        for item in ITEMS:
            u.setdefault(f"{item}_plan", None)
            u.setdefault(f"{item}_actual", None)
            u.setdefault(f"{item}_rate", None)
    sign = -1 if HIGHER_IS_BETTER[sort_item] is False else 1  # worst first: lowest, or highest where lower is better
    rows.sort(key=lambda u: (u[f"{sort_item}_rate"] is None, sign * (u[f"{sort_item}_rate"] or 0), u["name"]))
    for i, u in enumerate(rows, start=1):
        u["rank"] = i
    return rows


def ranking_table(rows: list[dict], scale: Scale, by: str) -> pl.DataFrame:
    out, parent = [], _with_parent(rows)
    for u in rows:
        r = {"Thứ tự": u["rank"], "Đơn vị": u["name"]}
        if by == "commune" and parent:
            r["Thuộc"] = u["parent_name"] or ""
        for item in ITEMS:
            r[f"{metrics.catalogue().count_label(actual_key(item))} ({scale.label})"] = scale.num(u[f"{item}_actual"])
            r[KPIS[item].label] = fmt.percent(u[f"{item}_rate"])
        out.append(r)
    return pl.DataFrame(out)


# --- figures -------------------------------------------------------------------------------------
def _gaps(df: pl.DataFrame, col: str) -> tuple[list, list]:
    """x (months) and y with a break between budget years, so a line restarts each January."""
    xs, ys, year = [], [], None
    for r in df.iter_rows(named=True):
        if year is not None and r["year"] != year:
            xs.append(r["day"])
            ys.append(None)
        year = r["year"]
        xs.append(r["day"])
        ys.append(r[col])
    return xs, ys


def cumulative_figure(cum: pl.DataFrame, item: str, scale: Scale, subtitle: str) -> go.Figure:
    """Monthly actual (bars) and the cumulative actual against the cumulative plan line, in money."""
    d = cum.filter(pl.col("item") == item).sort("year", "month")
    word = PLAN_WORD[item]
    fig = go.Figure()
    shown = d.filter(pl.col("actual_cum").is_not_null())
    fig.add_bar(x=shown["day"].to_list(), y=[scale.value(v) for v in shown["actual_vnd"].to_list()],
                name="Thực hiện trong tháng", marker_color=charts.COLORS["muted"],
                hovertemplate=f"%{{x|%m/%Y}}: %{{y:{scale.hover}}} {scale.label}<extra></extra>")
    x, y = _gaps(d, "plan_cum")
    fig.add_scatter(x=x, y=[scale.value(v) for v in y], name=f"Lũy kế {word}", mode="lines",
                    line=dict(color=charts.COLORS["neutral"], dash="dash", width=2),
                    hovertemplate=f"%{{x|%m/%Y}}: %{{y:{scale.hover}}} {scale.label}<extra></extra>")
    x, y = _gaps(d, "actual_cum")
    fig.add_scatter(x=x, y=[scale.value(v) for v in y], name="Lũy kế thực hiện", mode="lines+markers",
                    line=dict(color=charts.COLORS["primary"], width=3),
                    hovertemplate=f"%{{x|%m/%Y}}: %{{y:{scale.hover}}} {scale.label}<extra></extra>")
    charts.style(fig, f"{ITEMS[item]}: lũy kế thực hiện so với {word}", subtitle=subtitle, source=SOURCE)
    fig.update_yaxes(title_text=scale.label, rangemode="tozero")
    fig.update_xaxes(tickformat=charts.MONTH_TICKS)
    return charts.finish(fig)


def disbursement_figure(cum: pl.DataFrame, milestones: list[Milestone], subtitle: str) -> go.Figure:
    """Cumulative disbursement as a share of the year's capital plan, the plan schedule, and the
    province's milestones as markers."""
    d = cum.filter(pl.col("item") == DISBURSEMENT).sort("year", "month")
    fig = go.Figure()
    x, y = _gaps(d, "plan_cum_share")
    fig.add_scatter(x=x, y=y, name="Lũy kế kế hoạch vốn (theo tháng)", mode="lines",
                    line=dict(color=charts.COLORS["neutral"], dash="dash", width=2),
                    hovertemplate="%{x|%m/%Y}: %{y:.2%}<extra></extra>")
    x, y = _gaps(d, "actual_cum_share")
    fig.add_scatter(x=x, y=y, name="Lũy kế giải ngân", mode="lines+markers",
                    line=dict(color=charts.COLORS["primary"], width=3),
                    hovertemplate="%{x|%m/%Y}: %{y:.2%}<extra></extra>")
    years = sorted(set(d["year"].to_list()))
    marks = [(ms.month(yr), ms.target, fmt.day(ms.day(yr))) for yr in years for ms in milestones]
    if marks:  # the milestones' values in the header's notes: written at the points they met each other
        fig.add_scatter(x=[m[0] for m in marks], y=[m[1] for m in marks], name="Mốc tiến độ của tỉnh",
                        mode="markers", marker=dict(symbol="diamond", size=12, color=charts.COLORS["threshold"]),
                        customdata=[m[2] for m in marks], hovertemplate="Mốc %{customdata}: %{y:.0%}<extra></extra>")
    charts.style(fig, "Tiến độ giải ngân vốn đầu tư công so với kế hoạch và các mốc của tỉnh", subtitle=subtitle,
                 source=SOURCE)
    shares = [v for c in ("plan_cum_share", "actual_cum_share") for v in d[c].to_list() if v is not None]
    fig.update_yaxes(title_text="% kế hoạch vốn năm", **charts.percent_axis(
        shares + [m[1] for m in marks] + [0.0], ceiling=None, pad=0.04))
    fig.update_xaxes(tickformat=charts.MONTH_TICKS)
    if marks:
        charts.note(fig, "◆ Mốc: " + "; ".join(f"{m[2][:5]}: {fmt.percent(m[1], 0)}" for m in marks[:len(milestones)]),
                    charts.COLORS["threshold"])
    return charts.finish(fig)


def _with_parent(rows: list[dict]) -> bool:
    """Name the district beside a commune only when the communes come from several districts."""
    return len({r["parent_name"] for r in rows}) > 1


def ranking_figure(rows: list[dict], item: str, by: str, subtitle: str) -> go.Figure:
    """% of plan per child unit, worst on top, with the 100 % line (dashed)."""
    rs = [r for r in rows if r[f"{item}_rate"] is not None]
    parent = by == "commune" and _with_parent(rs)
    names = [f"{r['name']} ({r['parent_name']})" if parent and r["parent_name"] else r["name"] for r in rs]
    rates = [r[f"{item}_rate"] for r in rs]
    colors = [charts.COLORS["good"] if v >= 1 else charts.COLORS["bad"] for v in rates]
    fig = go.Figure(go.Bar(x=rates, y=names, orientation="h", marker_color=colors,
                           text=[fmt.percent(v) for v in rates], textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}: %{x:.2%}<extra></extra>"))
    height = max(420, 160 + 22 * len(rs))
    worst = "cao" if HIGHER_IS_BETTER[item] is False else "thấp"
    charts.style(fig, f"{KPIS[item].label}, {worst} nhất ở trên", subtitle=subtitle, source=SOURCE, height=height)
    fig.update_xaxes(**charts.percent_axis(rates + [0.0, 1.0], ceiling=None, pad=0.02, max_ticks=3))
    fig.update_yaxes(autorange="reversed")
    charts.threshold_line(fig, 1, "Kế hoạch: 100 %", vertical=True)
    return charts.finish(fig)


__all__ = ["ITEMS", "KPIS", "Card", "cards", "rate", "Scale", "TRIEU", "TY", "scale_for", "summary", "summary_table",
           "cumulative", "Milestone", "load_milestones", "milestone_status", "ranking", "child_levels", "cumulative_figure",
           "disbursement_figure", "ranking_figure"]
