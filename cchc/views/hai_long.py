"""Satisfaction and feedback of a unit over a period: the rating survey, the 766 indicator 5.4 and
feedback (phản ánh, kiến nghị, PAKN). Used by pages/hai_long.py; no Streamlit here.

Two satisfaction figures are shown side by side:

* **Survey rate** (tỷ lệ hài lòng theo phiếu đánh giá) = rating forms at level 3 (hài lòng) or 4
  (rất hài lòng) / all rating forms filled in the period (by the day the form was filled).

* **766 indicator 5.4** "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" (QĐ 766/QĐ-TTg;
  domain.md §2): 100 % − (share of late dossiers + share of dossiers with a feedback or a
  "không hài lòng" rating), in the official wording (total − dossiers not satisfied / with PAKN /
  late) / total. Implemented here (queries/satisfaction_766.sql) as:

  - denominator: the unit's dossiers **resolved in the period** (finished_at within
    [start, end]; received earlier or in the period). Only a finished dossier can be late, be
    rated or be complained about as handled, so pending dossiers are left out (the on-time
    indicator 2.1 is where pending overdue dossiers count);
  - a dossier is **not satisfied** if (a) it was resolved late: finished on a day after its due
    day (the due day already includes supplement time; stg_dossiers.days_past_due > 0), or
    (b) a rating form for it has level 1 (không hài lòng; level 2 "bình thường" is not a
    dislike), or (c) a feedback row names it (feedback.dossier_id). Ratings and feedback are
    matched on dossier_id and count when recorded by the end of the period (in the trend: by the
    end of the month), so the figure of a closed period does not change when later ratings
    arrive; this is the rule of queries/index_dossier_satisfaction.sql too. A dossier with
    several reasons counts once;
  - measure = (resolved − not satisfied) / resolved; None when nothing was resolved.

  Points: 5.4 carries 6 of the 18 points of the satisfaction group (MDHL); full points at a rate
  of 90 % or more, else proportional: points = 6 × min(1, rate / 0.9).

Feedback (766 indicator 5.2, deadline 15 working days, due_at of each row) is counted as it stood
at the end of the period: answered on time, answered late, open within the deadline, open and
overdue. The on-time rate (766 indicator 5.2) is (answered on time + open within the deadline) /
all received in the period, the rule of queries/index_feedback_on_time.sql.

For a district or a province the "children" (communes of a district, districts of a province)
are ranked worst first.

The figures are keyed by the metric catalogue's counts (satisfaction_766.sql's resolved and late are
Biểu 06's resolved_total (7) and resolved_late (10)); the cards' KPIs, their labels, help, formulas
and directions are the catalogue's (cchc/metrics.toml, `satisfaction_cards`). The points of 5.4
are the index definition's (cchc/indexes/766.toml), not a KPI of the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from .. import charts, fmt, metrics, periods, schema, scoring
from ..fmt import ratio

# Indicator 5.4 as the index definition (cchc/indexes/766.toml) states it: full points from this rate
# on (0.9), its maximum points (6 of the 18 of the satisfaction group), the label of its threshold line.
_T54 = scoring.thresholds("766")["dossier_satisfaction"]
THRESHOLD_766 = _T54.value
POINTS_766 = _T54.max
THRESHOLD_LABEL = _T54.label
TREND_MONTHS = 24

SURVEY, M766 = metrics.SURVEY, metrics.M766
RANK_BY = metrics.satisfaction_sources()

# Handling status of a feedback at the end of the period (derived in queries/feedback_*.sql).
FEEDBACK_STATUS = {"dang_qua_han": "Đang xử lý, quá hạn", "dang_trong_han": "Đang xử lý, trong hạn",
                   "dung_han": "Đã xử lý đúng hạn", "qua_han": "Đã xử lý quá hạn"}
NO_OUTCOME = "Chưa có kết quả (đang xử lý)"
LEVEL_COLORS = {4: "#2e8b57", 3: "#7fb77e", 2: "#e0b21e", 1: "#c0392b"}

EMPTY_RATINGS = "Không có phiếu đánh giá nào trong kỳ."
EMPTY_RESOLVED = "Không có hồ sơ nào được giải quyết trong kỳ, nên chưa tính được chỉ tiêu 5.4."
EMPTY_FEEDBACK = "Không có phản ánh, kiến nghị nào trong kỳ."

RATING_KEYS = ["ratings_total", "ratings_satisfied", "level_4", "level_3", "level_2", "level_1"]
# satisfaction_766.sql's (and satisfaction_trend.sql's) columns -> the catalogue's count names.
M766_COLUMNS = {"resolved": "resolved_total", "late": "resolved_late", "disliked": "disliked",
                "complained": "complained", "not_satisfied": "not_satisfied"}
M766_KEYS = list(M766_COLUMNS.values())
# feedback_summary.sql's counts (feedback_handled_on_time: answered on time; feedback_on_time: answered
# on time or open within the deadline, the numerator of 766 indicator 5.2, as in feedback_kpis.sql).
FEEDBACK_KEYS = ["feedback_total", "handled", "feedback_handled_on_time", "feedback_on_time", "late", "open_within",
                 "open_overdue"]
SURVEY_RATE = metrics.get("satisfaction_rate")
RATE_766 = metrics.get("satisfaction_766_rate")
FEEDBACK_RATE = metrics.get("feedback_on_time_rate")


# --- figures of one unit and period ------------------------------------------------------------
def points_766(rate: float | None) -> float | None:
    """Points of 766 indicator 5.4: 6 × min(1, rate / 90 %); None when there is no rate."""
    if rate is None:
        return None
    return POINTS_766 * min(1.0, rate / THRESHOLD_766)


def _int(row: dict | None, key: str) -> int:
    """A count from a query row; an aggregate over no rows (the total of nothing) is NULL there."""
    return int(row[key] or 0) if row else 0


def _ratings(row: dict | None) -> dict:
    out = {k: _int(row, k) for k in RATING_KEYS}
    out["survey_rate"] = SURVEY_RATE.value(out)
    return out


def _m766(row: dict | None) -> dict:
    out = {key: _int(row, col) for col, key in M766_COLUMNS.items()}
    out["satisfied_766"] = RATE_766.total(RATE_766.numerator, out)
    out["rate_766"] = RATE_766.value(out)
    out["points_766"] = points_766(out["rate_766"])
    return out


def _worst_first(rows: list[dict], key: str) -> list[dict]:
    """Lowest rate first (rows without a rate last), then the other rate, then the larger volume."""
    other = "rate_766" if key == "survey_rate" else "survey_rate"
    return sorted(rows, key=lambda r: (r[key] is None, r[key] if r[key] is not None else 0,
                                       r[other] if r[other] is not None else 2,
                                       -(r["resolved_total"] + r["ratings_total"])))


def _merge(r_rows: list[dict], m_rows: list[dict], keys: tuple[str, ...], names: tuple[str, ...]) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for src, kind in ((r_rows, "r"), (m_rows, "m")):
        for row in src:
            k = tuple(row[c] for c in keys)
            g = groups.setdefault(k, {"_r": None, "_m": None, **{c: row[c] for c in keys + names}})
            g["_" + kind] = row
            for c in names:
                g[c] = g[c] or row[c]
    return [{**{c: g[c] for c in keys + names}, **_ratings(g["_r"]), **_m766(g["_m"])} for g in groups.values()]


def overview(db, unit, p: periods.Period, rank_by: str = SURVEY) -> dict:
    """Survey and 766 figures of a unit and period: in total, per field, per procedure and per child
    unit (all children of a district or province, with or without data), each list worst first by
    ``rank_by`` (SURVEY or M766)."""
    r = db.run("satisfaction_ratings", **unit.scope, start=p.start, end=p.end).to_dicts()
    m = db.run("satisfaction_766", **unit.scope, start=p.start, end=p.end).to_dicts()
    key = "survey_rate" if rank_by == SURVEY else "rate_766"

    def part(grp):
        return [x for x in r if x["grp"] == grp], [x for x in m if x["grp"] == grp]

    rt, mt = part("total")
    out = {**_ratings(rt[0] if rt else None), **_m766(mt[0] if mt else None)}
    out["by_field"] = _worst_first(_merge(*part("field"), ("field",), ()), key)
    out["by_procedure"] = _worst_first(_merge(*part("procedure"), ("field", "procedure_code"), ("procedure_name",)), key)
    children = _merge(*part("child"), ("child_code",), ("child_name",))
    if unit.level != "commune":
        have = {c["child_code"] for c in children}
        for u in db.run("units_all").filter(pl.col("parent_code") == unit.code).to_dicts():
            if u["code"] not in have:
                children.append({"child_code": u["code"], "child_name": u["name"], **_ratings(None), **_m766(None)})
    out["children"] = _worst_first(children, key)
    return out


def measure_766(db, unit, p: periods.Period) -> dict:
    """The 766 indicator 5.4 of a unit and period in total (counts, rate_766, points_766)."""
    o = overview(db, unit, p)
    return {k: o[k] for k in M766_KEYS + ["satisfied_766", "rate_766", "points_766"]}


def trend_window(p: periods.Period, months: int = TREND_MONTHS) -> tuple[date, date]:
    """The calendar months ending with the period's last day: (first day of the first month, end)."""
    return periods.add_months(p.end, 1 - months), p.end


def trend(db, unit, p: periods.Period, months: int = TREND_MONTHS) -> list[dict]:
    """Month by month over the ``months`` calendar months ending at the period end, in order: survey
    rate and 766 indicator 5.4 (None in a month without ratings / resolved dossiers)."""
    start, end = trend_window(p, months)
    got = {r["month"]: r for r in db.run("satisfaction_trend", **unit.scope, start=start, end=end).to_dicts()}
    rows = []
    for m in periods.month_starts(start, end):
        r = got.get(m) or {}
        r = {"month": m, "start": max(start, m), "end": min(end, periods.month_end(m)),  # the part covered
             **{k: int(r.get(k) or 0) for k in ("ratings_total", "ratings_satisfied")},
             **{M766_COLUMNS[c]: int(r.get(c) or 0) for c in ("resolved", "not_satisfied")}}
        r["survey_rate"] = SURVEY_RATE.value(r)
        r["rate_766"] = RATE_766.value(r)
        rows.append(r)
    return rows


def feedback(db, unit, p: periods.Period) -> dict:
    """Feedback received in the period, as it stood at its end: totals, on-time rate, and counts by
    kind (every kind, zeros included), outcome, handling status and child unit."""
    rows = db.run("feedback_summary", **unit.scope, start=p.start, end=p.end).to_dicts()
    total = next((r for r in rows if r["grp"] == "total"), None)
    out = {k: _int(total, k) for k in FEEDBACK_KEYS}
    out["feedback_on_time_rate"] = FEEDBACK_RATE.value(out)
    kinds = {r["kind"]: int(r["feedback_total"]) for r in rows if r["grp"] == "kind"}
    out["by_kind"] = [{"kind": k, "label": v, "count": kinds.get(k, 0)} for k, v in schema.FEEDBACK_KINDS.items()]
    out["by_kind"] += [{"kind": k, "label": k, "count": n} for k, n in kinds.items() if k not in schema.FEEDBACK_KINDS]
    outcomes = {r["outcome"]: int(r["feedback_total"]) for r in rows if r["grp"] == "outcome"}
    out["by_outcome"] = [{"outcome": k, "label": schema.FEEDBACK_OUTCOMES.get(k, k) if k else NO_OUTCOME, "count": n}
                         for k, n in sorted(outcomes.items(), key=lambda kv: (kv[0] is None, -kv[1]))]
    status = {r["status"]: int(r["feedback_total"]) for r in rows if r["grp"] == "status"}
    out["by_status"] = [{"status": k, "label": v, "count": status.get(k, 0)} for k, v in FEEDBACK_STATUS.items()]
    out["children"] = {r["child_code"]: {k: _int(r, k) for k in FEEDBACK_KEYS} for r in rows if r["grp"] == "child"}
    return out


def feedback_list(db, unit, p: periods.Period, limit: int = 500) -> pl.DataFrame:
    """Feedback of the period, open ones first, with Vietnamese column names and dd/mm/yyyy dates."""
    df = db.run("feedback_list", **unit.scope, start=p.start, end=p.end, limit=limit)
    rows = [{
        "Ngày tiếp nhận": fmt.day(r["received_date"]),
        "Đơn vị": r["unit_name"] or r["unit_code"],
        "Phân loại": schema.FEEDBACK_KINDS.get(r["kind"], r["kind"]),
        "Lĩnh vực": r["field"] or fmt.DASH,
        "Hạn xử lý": fmt.day(r["due_date"]),
        "Tình trạng": FEEDBACK_STATUS.get(r["status"], r["status"]),
        "Ngày xử lý xong": fmt.day(r["handled_date"]),
        "Kết quả": schema.FEEDBACK_OUTCOMES.get(r["outcome"], r["outcome"]) if r["outcome"] else fmt.DASH,
        "Mã hồ sơ": r["dossier_id"] or fmt.DASH,
        "Mã PAKN": r["feedback_id"],
    } for r in df.to_dicts()]
    cols = ["Ngày tiếp nhận", "Đơn vị", "Phân loại", "Lĩnh vực", "Hạn xử lý", "Tình trạng", "Ngày xử lý xong",
            "Kết quả", "Mã hồ sơ", "Mã PAKN"]
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in cols})


# --- KPI cards -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    key: str  # the catalogue's KPI, or POINTS for the points of 5.4
    label: str
    kind: str  # count | rate | points
    value: float | int | None
    previous: float | int | None  # the same period a year earlier (None: not compared)
    higher_is_better: bool | None
    help: str


POINTS = "points_766"


def points_label() -> str:
    """'Điểm chỉ tiêu 5.4 (tối đa 6)', from the index definition."""
    return f"Điểm chỉ tiêu {_T54.code} (tối đa {fmt.number(POINTS_766)})"


def cards(o: dict, fb: dict, prev: dict | None = None, prev_fb: dict | None = None) -> list[Card]:
    """The page's cards: the catalogue's `satisfaction_cards` in order, each computed by its formula
    from the counts of overview() and feedback() (and of the period a year earlier), with the catalogue's
    label, help and direction; the points of 5.4 (index definition) follow its rate."""
    now = {**o, **fb}
    before = None if prev is None else {**prev, **(prev_fb or {})}
    out = []
    for key in metrics.catalogue().satisfaction_cards:
        m = metrics.get(key)
        help = m.help_text
        if key == RATE_766.key:
            help += f" Đạt điểm tối đa khi từ {fmt.percent(THRESHOLD_766, 0)}."
        if key == "not_satisfied_766":
            help += (f" Kỳ này: quá hạn {fmt.number(o['resolved_late'])}; đánh giá Không hài lòng "
                     f"{fmt.number(o['disliked'])}; có phản ánh, kiến nghị {fmt.number(o['complained'])}.")
        out.append(Card(key, m.label, "rate" if m.is_rate else "count", m.value(now),
                        None if before is None else m.value(before), m.higher_is_better, help))
        if key == RATE_766.key:
            out.append(Card(POINTS, points_label(), "points", o["points_766"], None if prev is None else prev["points_766"],
                            True, f"{fmt.number(POINTS_766)} × min(1; tỷ lệ / {fmt.percent(THRESHOLD_766, 0)}) "
                                  "(ngưỡng và điểm tối đa theo tệp định nghĩa cchc/indexes/766.toml)."))
    return out


# --- tables --------------------------------------------------------------------------------------
def group_table(rows: list[dict], kind: str, fb_children: dict | None = None) -> pl.DataFrame:
    """Rows of overview()["by_field" | "by_procedure" | "children"] as a table, formatted the Vietnamese way."""
    out, cat = [], metrics.catalogue()
    for i, r in enumerate(rows, 1):
        head = {"field": {"Lĩnh vực": r.get("field")},
                "procedure": {"Lĩnh vực": r.get("field"), "Mã TTHC": r.get("procedure_code"),
                              "Thủ tục": r.get("procedure_name") or r.get("procedure_code")},
                "child": {"Hạng (từ thấp)": str(i), "Đơn vị": r.get("child_name") or r.get("child_code")}}[kind]
        row = {**head,
               metrics.short("ratings_total"): fmt.number(r["ratings_total"]),
               cat.count_label("ratings_satisfied"): fmt.number(r["ratings_satisfied"]),
               schema.RATING_LEVELS[1]: fmt.number(r["level_1"]),
               SURVEY_RATE.label: fmt.percent(r["survey_rate"]),
               metrics.short("resolved_total"): fmt.number(r["resolved_total"]),
               metrics.short("resolved_late"): fmt.number(r["resolved_late"]),
               "Có PAKN": fmt.number(r["complained"]),
               metrics.short("not_satisfied_766"): fmt.number(r["not_satisfied"]),
               RATE_766.short: fmt.percent(r["rate_766"]),
               f"Điểm {_T54.code} (/{fmt.number(POINTS_766)})": fmt.number(r["points_766"], 2)}
        if kind == "child" and fb_children is not None:
            row[metrics.short("feedback_total")] = fmt.number(fb_children.get(r["child_code"], {}).get("feedback_total", 0))
        out.append(row)
    return pl.DataFrame(out) if out else pl.DataFrame()


# --- charts --------------------------------------------------------------------------------------
def _pct_hover(name: str) -> str:
    return f"{name}: %{{y:.2%}}<extra></extra>"


def fig_trend(rows: list[dict], subtitle: str) -> go.Figure:
    """Monthly survey rate and 766 indicator 5.4 with the 90 % full-points threshold."""
    x = [r["month"] for r in rows]
    fig = go.Figure()
    fig.add_scatter(x=x, y=[r["survey_rate"] for r in rows], name=RANK_BY[SURVEY], mode="lines+markers",
                    customdata=[[r["ratings_satisfied"], r["ratings_total"]] for r in rows],
                    hovertemplate="%{x|%m/%Y}<br>" + SURVEY_RATE.label + ": %{y:.2%}<br>%{customdata[0]:,} / "
                                  "%{customdata[1]:,} phiếu<extra></extra>")
    fig.add_scatter(x=x, y=[r["rate_766"] for r in rows], name=RANK_BY[M766], mode="lines+markers",
                    customdata=[[RATE_766.total(RATE_766.numerator, r), r["resolved_total"]] for r in rows],
                    hovertemplate="%{x|%m/%Y}<br>" + RATE_766.short + ": %{y:.2%}<br>%{customdata[0]:,} / "
                                  "%{customdata[1]:,} hồ sơ<extra></extra>")
    charts.style(fig, f"Tỷ lệ hài lòng theo tháng ({len(rows)} tháng)", subtitle=subtitle)
    lows = [v for r in rows for v in (r["survey_rate"], r["rate_766"]) if v is not None]
    fig.update_yaxes(**charts.percent_axis(lows + [THRESHOLD_766], pad=0.05))
    fig.update_xaxes(tickformat=charts.MONTH_TICKS)
    if rows:
        charts.mark_partial(fig, x, rows[0]["start"], rows[-1]["end"])
    charts.threshold_line(fig, THRESHOLD_766, THRESHOLD_LABEL)
    return charts.finish(fig)


def fig_levels(o: dict, subtitle: str) -> go.Figure:
    """Ratings by level, horizontal (the level names and the counts fit a phone)."""
    levels = list(schema.RATING_LEVELS)  # 4, 3, 2, 1
    counts = [o[f"level_{lv}"] for lv in levels]
    total = o["ratings_total"]
    fig = go.Figure(go.Bar(
        y=[schema.RATING_LEVELS[lv] for lv in levels], x=counts, orientation="h",
        marker_color=[LEVEL_COLORS[lv] for lv in levels],
        text=[f"{fmt.number(c)} ({fmt.percent(ratio(c, total), 1)})" for c in counts], textposition="outside",
        hovertemplate="%{y}: %{x:,} phiếu<extra></extra>", cliponaxis=False))
    charts.style(fig, f"Mức độ hài lòng: {fmt.number(total)} phiếu đánh giá", subtitle=subtitle, height=360)
    fig.update_xaxes(title="Số phiếu", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return charts.finish(fig)


def _dot_plot(labels: list[str], rows: list[dict], title: str, subtitle: str) -> go.Figure:
    """Both rates per group as dots on one line per group (first row at the top), with the 90 %
    threshold. Dots, not bars: the axis is zoomed to the rates, and a bar cut off at 85 % would
    exaggerate the differences."""
    labels = [lb if len(lb) <= 60 else lb[:57] + "…" for lb in labels]
    fig = go.Figure()
    for key, name, color, symbol in (("survey_rate", RANK_BY[SURVEY], charts.COLORS["primary"], "circle"),
                                     ("rate_766", RANK_BY[M766], charts.COLORS["secondary"], "diamond")):
        fig.add_scatter(y=labels, x=[r[key] for r in rows], mode="markers", name=name,
                        marker=dict(color=color, size=11, symbol=symbol),
                        customdata=[[r["ratings_total"], r["resolved_total"]] for r in rows],
                        hovertemplate="%{y}<br>" + name + ": %{x:.2%}<br>%{customdata[0]:,} phiếu; "
                                      "%{customdata[1]:,} hồ sơ đã giải quyết<extra></extra>")
    charts.style(fig, title, subtitle=subtitle, height=max(420, 170 + 30 * len(rows)))
    low = min([r[k] for r in rows for k in ("survey_rate", "rate_766") if r[k] is not None], default=THRESHOLD_766)
    # Zoomed to the data; the 90 % line is drawn when it is near, else named in a note.
    near = low <= THRESHOLD_766 + 0.02
    fig.update_xaxes(**charts.percent_axis([low, 1.0] + ([THRESHOLD_766] if near else []), max_ticks=3))
    fig.update_yaxes(autorange="reversed", showgrid=True)
    label = f"Ngưỡng {fmt.percent(THRESHOLD_766, 0)}"
    if near:
        charts.threshold_line(fig, THRESHOLD_766, label, vertical=True)
    else:
        charts.note(fig, f"{label} (chỉ tiêu 5.4): mọi giá trị đều cao hơn", charts.COLORS["threshold"])
    return charts.finish(fig)


def fig_groups(rows: list[dict], label_key: str, title: str, subtitle: str, top: int = 15) -> go.Figure:
    """Both rates of the first ``top`` groups of a worst-first list (worst at the top)."""
    rows = rows[:top]
    return _dot_plot([str(r.get(label_key) or r.get("procedure_code") or "") for r in rows], rows, title, subtitle)


def fig_ranking(children: list[dict], rank_by: str, subtitle: str, level_name: str) -> go.Figure:
    """Child units ranked worst first by the chosen rate (both rates drawn), with the 90 % threshold."""
    key = "survey_rate" if rank_by == SURVEY else "rate_766"
    rows = _worst_first([c for c in children if c[key] is not None], key)
    return _dot_plot([c["child_name"] or c["child_code"] for c in rows], rows,
                     f"Xếp hạng {level_name} theo {RANK_BY[rank_by][0].lower() + RANK_BY[rank_by][1:]} "
                     "(thấp nhất trên cùng)", subtitle)


def fig_counts(items: list[dict], title: str, subtitle: str, colors: list[str] | None = None) -> go.Figure:
    """Horizontal bars of feedback counts (by kind, handling status or outcome), in the given order."""
    fig = go.Figure(go.Bar(y=[i["label"] for i in items], x=[i["count"] for i in items], orientation="h",
                           marker_color=colors or charts.COLORS["primary"], text=[fmt.number(i["count"]) for i in items],
                           textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,}<extra></extra>"))
    charts.style(fig, title, subtitle=subtitle, height=230 + 42 * len(items))
    fig.update_xaxes(title="Số PAKN", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return charts.finish(fig)


# Colours of FEEDBACK_STATUS, in its order: open overdue, open within deadline, on time, late.
STATUS_COLORS = [charts.COLORS["bad"], charts.COLORS["muted"], charts.COLORS["good"], charts.COLORS["secondary"]]
