"""What pages/ket_qua_cong_bo.py shows, without Streamlit: the published 766 scores (imported from
the bundled files or an upload), the boards of provinces and ministries, and the unit's computed
score placed among them. Queries: index_page_published, index_page_successor.
"""
from __future__ import annotations

import math
import tempfile
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from .. import charts, fmt, periods
from .chi_so import PORTAL, mx
from ..kpis import Unit
from ..periods import Period

# --------------------------------------------------------------------------------------------
# Published results (pages/ket_qua_cong_bo.py)
# --------------------------------------------------------------------------------------------

GROUP_ORDER = ("TDGQ", "MDHL", "MDSH", "TTTT", "CLGQ", "CKMB")


def published(db, index_code: str = "766") -> pl.DataFrame:
    return db.run("index_page_published", index_code=index_code)


def ensure_published(db, data_dir: Path) -> "object | None":
    """Import the bundled published 766 scores when the table has none; the import report, else None."""
    if published(db).height:
        return None
    from ..ingest import results
    files = results.bundled_files()
    return results.import_file(files[0], data_dir) if files else None


def import_upload(file_name: str, data: bytes, data_dir: Path):
    """Import an uploaded file of published scores (xlsx or json) into index_results: the import
    report, or ResultsImportError (Vietnamese, naming sheet, row and column) with nothing changed."""
    from ..ingest import results
    name = Path(file_name or "tep").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".json"):
        raise results.ResultsImportError(f"Tệp {name}: chỉ nhận .xlsx hoặc .json.")
    with tempfile.TemporaryDirectory(prefix="cchc-upload-") as tmp:
        path = Path(tmp) / name   # keep the name: the period may be read from it (..._T10_2025.xlsx)
        path.write_bytes(data)
        return results.import_file(path, data_dir)


def _latest(df: pl.DataFrame, kind: str, level: str) -> tuple[int, int | None] | None:
    part = df.filter((pl.col("period_kind") == kind) & (pl.col("unit_level") == level))
    if part.is_empty():
        return None
    r = part.sort(["year", "period_index"], nulls_last=False).row(-1, named=True)
    return r["year"], r["period_index"]


def published_label(df: pl.DataFrame) -> str:
    """'Điểm công bố — Cổng DVCQG, 10/2025': the newest month published (else the year)."""
    m = _latest(df, "cal_month", "province")
    if m:
        return f"Điểm công bố — {PORTAL}, {m[1]}/{m[0]}"
    y = _latest(df, "cal_year", "province") or _latest(df, "cal_year", "commune")
    return f"Điểm công bố — {PORTAL}, năm {y[0]}" if y else f"Điểm công bố — {PORTAL}"


def score_board(df: pl.DataFrame, kind: str, level: str) -> tuple[pl.DataFrame, tuple[int, int | None] | None]:
    """The newest period of a kind at a level: one row per unit with the total, the rank and the six
    groups (columns named by group code), best first."""
    at = _latest(df, kind, level)
    if at is None:
        return pl.DataFrame(), None
    part = df.filter((pl.col("period_kind") == kind) & (pl.col("unit_level") == level) & (pl.col("year") == at[0]))
    part = part.filter(pl.col("period_index").is_null() if at[1] is None else pl.col("period_index") == at[1])
    wide = part.pivot(on="group_code", index=["unit_ref", "unit_code", "unit_name"], values="score",
                      aggregate_function="first")
    ranks = part.filter(pl.col("group_code") == "TONG").select("unit_ref", "rank")
    wide = wide.join(ranks, on="unit_ref", how="left")
    return wide.sort(["TONG", "unit_name"], descending=[True, False], nulls_last=True), at


def board_table(board: pl.DataFrame, highlight: str | None = None) -> pl.DataFrame:
    from ..ingest.results import GROUP_NAMES
    rows = []
    for r in board.to_dicts():
        row = {"Hạng": str(r["rank"]) if r["rank"] is not None else fmt.DASH,
               "Đơn vị": r["unit_name"] + (" (đơn vị kế thừa)" if highlight and r["unit_code"] == highlight else ""),
               "Tổng điểm": fmt.number(r["TONG"], 2)}
        for g in GROUP_ORDER:
            if g in r:
                row[f"{g} — {GROUP_NAMES[g]}"] = fmt.number(r[g], 2)
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]}) if rows else pl.DataFrame()


def _marker(fig: go.Figure, x: float, text: str, position: str = "top right") -> None:
    fig.add_vline(x=x, line=dict(color=charts.COLORS["bad"], dash="dash", width=2),
                  annotation=dict(text=text, font=dict(color=charts.COLORS["bad"], size=11), bgcolor="rgba(255,255,255,0.8)"),
                  annotation_position=position)


def province_figure(board: pl.DataFrame, title: str, subtitle: str, source: str, computed: float | None = None,
                    computed_text: str = "", highlight: str | None = None) -> go.Figure:
    """The provinces ranked (best on top), the six group scores stacked, with the computed score of
    the selected unit as a marker line."""
    from ..ingest.results import GROUP_NAMES, GROUPS
    rows = board.to_dicts()[::-1]
    y = [f"{r['rank']}. {r['unit_name']}" + (" ◀" if highlight and r["unit_code"] == highlight else "") for r in rows]
    fig = go.Figure()
    for k, g in enumerate(GROUP_ORDER):
        if g not in board.columns:
            continue
        fig.add_bar(y=y, x=[r[g] for r in rows], orientation="h", name=f"{g} ({GROUP_NAMES[g]}, tối đa {mx(GROUPS[g])})",
                    marker_color=charts.SEQUENCE[k], hovertemplate="%{y}<br>" + GROUP_NAMES[g] + ": %{x:,.2f}<extra></extra>")
    fig.add_scatter(y=y, x=[r["TONG"] for r in rows], mode="text", text=[fmt.number(r["TONG"], 2) for r in rows],
                    textposition="middle right", showlegend=False, hoverinfo="skip")
    charts.style(fig, title, subtitle=subtitle, source=source, height=max(520, 200 + 24 * len(rows)))
    fig.update_layout(barmode="stack", margin=dict(l=20, r=60, b=150))
    fig.update_xaxes(title="Điểm (thang 100)", range=[0, 108])
    fig.update_yaxes(automargin=True)
    if computed is not None:
        _marker(fig, computed, computed_text, "bottom right")
    return fig


def histogram_figure(board: pl.DataFrame, title: str, subtitle: str, source: str, computed: float | None = None,
                     computed_text: str = "") -> go.Figure:
    """Distribution of the published totals (e.g. An Giang's communes) with a box above, and the
    computed score of the selected unit as a marker line."""
    totals = board["TONG"].drop_nulls().to_list()
    fig = go.Figure()
    fig.add_histogram(x=totals, xbins=dict(size=1), name="Số đơn vị", marker_color=charts.COLORS["primary"],
                      hovertemplate="%{x} điểm: %{y} đơn vị<extra></extra>")
    fig.add_box(x=totals, name="Phân bố", yaxis="y2", marker_color=charts.COLORS["secondary"], boxmean=True,
                text=board["unit_name"].to_list(), hovertemplate="%{text}: %{x:,.2f}<extra></extra>")
    charts.style(fig, title, subtitle=subtitle, source=source, height=460)
    lo = min(totals + ([computed] if computed is not None else []))
    fig.update_layout(showlegend=False, yaxis=dict(domain=[0, 0.78], title="Số đơn vị"),
                      yaxis2=dict(domain=[0.82, 1], showticklabels=False), bargap=0.05)
    fig.update_xaxes(title="Tổng điểm (thang 100)", range=[math.floor(lo) - 2, 100])
    if computed is not None:
        _marker(fig, computed, computed_text)
    return fig


def common_province(board: pl.DataFrame) -> str:
    """'tỉnh An Giang' when every published name ends with the same ' - tỉnh …' (the portal's commune
    and department names do), else ''."""
    tails = {n.rsplit(" - ", 1)[1].strip() for n in board["unit_name"].to_list() if " - " in n} if board.height else set()
    names_all_have = board.height and all(" - " in n for n in board["unit_name"].to_list())
    return tails.pop() if names_all_have and len(tails) == 1 else ""


def place_of(board: pl.DataFrame, value: float | None) -> int | None:
    """Where a score would stand among published totals: 1 + the number of higher ones."""
    if value is None or board.is_empty():
        return None
    return 1 + int((board["TONG"] > round(value, 2)).sum())


def successor_code(db, unit: Unit) -> str | None:
    """The 2025 province the unit's province became part of (Hải Dương → Hải Phòng, 31)."""
    df = db.run("index_page_successor", province=unit.province)
    return df["new_province_code"][0] if df.height else None


def comparison_period(period: Period, last: date) -> tuple[Period, str]:
    """The period to compute the unit's 766 score for, to set against the published year 2025: the
    calendar year of the published scores as far as the data go, if the data reach it and the
    selected period ends in it; else the selected period. With a label saying which."""
    if period.end.year == 2025 and last >= date(2025, 1, 1):
        end = min(last, date(2025, 12, 31))
        p = periods.calendar_year(2025) if end == date(2025, 12, 31) else periods.custom(date(2025, 1, 1), end)
        return p, f"năm 2025 đến {fmt.day(end)} (hết dữ liệu)" if end < date(2025, 12, 31) else "năm 2025"
    return period, f"kỳ đang chọn: {period.label}"


