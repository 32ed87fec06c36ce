"""What pages/ket_qua_cong_bo.py shows, without Streamlit: the published 766 scores (imported from
the bundled files or an upload), the boards of provinces and communes, and the selected unit's
computed score set beside them like with like. Queries: index_page_published, index_page_successor,
unit_lookup and unit_predecessors (cchc.units), the 766 metric queries (cchc.scoring).

Like with like (issue 14, items 5 and 6). A published score is compared only with a score computed
by the engine (cchc.scoring) for

* **the same period**: the board "Điểm tháng" 10/2025 with the calendar month 10/2025 (the data must
  cover the whole month); the board "Điểm năm" 2025, which the portal publishes year to date, with
  01/01/2025 to the end of the newest month published for that year (31/10/2025 for the bundled
  file: the file does not say the exact day the year-to-date stops), cut at the data's end when the
  data stop earlier, and said so. A score of another period is refused with its message
  (``compare``);
* **the same level**: a province with the provinces, a commune with the communes (the published
  communes are An Giang's; a commune elsewhere is placed among them, never ranked in their list);
  no board has districts;
* **the same unit of the new map**: the boards are of the 34 provinces and the communes since
  01/07/2025; an old unit is placed through its successor (units.Unit.successor_code): the score is
  the successor's (before 01/07/2025 the sum of its predecessors' rows), with a line saying so;
* **the same indicators**: the data hold 11 of the 19 indicators at most, so the engine's total is
  rescaled to 100 over the indicators it covers ("tính được 8/19 chỉ tiêu"): that total is shown, but
  never ranked against published totals, which count all 19. The comparison base is the **groups
  whose every indicator has data** in the computed score (typically TDGQ, CLGQ, TTTT, and MDHL when
  the period has PAKN): the computed points on those groups, not rescaled, against the published
  scores of the same groups added up for every unit of the board; CKMB (none of 4 indicators) and
  MDSH (3 of 7) are left out, because their published scores include indicators the data lack.

The position uses that one base for every unit of the board: on a board that holds the unit itself
(a new province), its published row is replaced by the computed score, so the rank is at most the
board's size ("9/34"); a unit not on the board (a commune of Hải Phòng among An Giang's communes) is
given no rank, only how many units of the board it scores above ("cao hơn 40/102").
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from .. import access, charts, fmt, periods, scoring, storage, units
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
    if published(db).height or storage.is_remote(data_dir):  # a bucket is read-only: what it holds is shown
        return None
    from ..ingest import results
    files = results.bundled_files()
    return results.import_file(files[0], data_dir, by=access.system("ket-qua-cong-bo-kem-theo")) if files else None


def import_upload(file_name: str, data: bytes, data_dir: Path, by: access.Identity):
    """Import an uploaded file of published scores (xlsx or json) into index_results as ``by``: the
    import report, or ResultsImportError (Vietnamese, naming sheet, row and column, or why ``by`` may
    not) with nothing changed."""
    from ..ingest import results
    name = Path(file_name or "tep").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".json"):
        raise results.ResultsImportError(f"Tệp {name}: chỉ nhận .xlsx hoặc .json.")
    with tempfile.TemporaryDirectory(prefix="cchc-upload-") as tmp:
        path = Path(tmp) / name   # keep the name: the period may be read from it (..._T10_2025.xlsx)
        path.write_bytes(data)
        return results.import_file(path, data_dir, by=by)


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
    """The board as published (official rank, total and groups); ``highlight``: the code of the unit
    whose computed score is set beside it."""
    from ..ingest.results import GROUP_NAMES
    rows = []
    for r in board.to_dicts():
        row = {"Hạng": str(r["rank"]) if r["rank"] is not None else fmt.DASH,
               "Đơn vị": r["unit_name"] + (" (đơn vị so sánh)" if highlight and r["unit_code"] == highlight else ""),
               "Tổng điểm": fmt.number(r["TONG"], 2)}
        for g in GROUP_ORDER:
            if g in r:
                row[f"{g} — {GROUP_NAMES[g]}"] = fmt.number(r[g], 2)
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in rows[0]}) if rows else pl.DataFrame()


def province_figure(board: pl.DataFrame, title: str, subtitle: str, source: str,
                    highlight: str | None = None) -> go.Figure:
    """The provinces as published, ranked (best on top), the six group scores stacked. No computed
    score on it: the published totals count all 19 indicators (base_figure compares)."""
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
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="Điểm (thang 100)", range=[0, 101])
    return charts.finish(fig)


def common_province(board: pl.DataFrame) -> str:
    """'tỉnh An Giang' when every published name ends with the same ' - tỉnh …' (the portal's commune
    and department names do), else ''."""
    tails = {n.rsplit(" - ", 1)[1].strip() for n in board["unit_name"].to_list() if " - " in n} if board.height else set()
    names_all_have = board.height and all(" - " in n for n in board["unit_name"].to_list())
    return tails.pop() if names_all_have and len(tails) == 1 else ""


def successor_code(db, unit: Unit) -> str | None:
    """The 2025 province the unit's province became part of (Hải Dương → Hải Phòng, 31)."""
    df = db.run("index_page_successor", province=unit.province)
    return df["new_province_code"][0] if df.height else None


# --------------------------------------------------------------------------------------------
# Like with like: boards, the unit compared, the base, the position
# --------------------------------------------------------------------------------------------

LEVEL_PLURAL = {"province": "tỉnh, thành phố", "commune": "xã, phường"}
BOARDS = (("cal_month", "province"), ("cal_year", "province"), ("cal_year", "commune"))


@dataclass(frozen=True)
class Board:
    """One published list: a period kind at a level, its newest period."""
    kind: str                 # cal_month | cal_year
    level: str                # province | commune
    year: int
    month: int | None
    period: Period            # what the published scores cover (the year: to the end of `through`)
    through: int | None       # the year's board: the newest month published for that year
    rows: pl.DataFrame        # score_board: one row per unit, groups by code, TONG, rank

    @property
    def label(self) -> str:
        """'tháng 10/2025', 'năm 2025 (lũy kế đến hết tháng 10/2025)'."""
        if self.kind == "cal_month":
            return f"tháng {self.month}/{self.year}"
        return f"năm {self.year}" + (f" (lũy kế đến hết tháng {self.through}/{self.year})" if self.through else "")

    @property
    def short(self) -> str:
        """'tháng 10/2025', 'năm 2025'."""
        return self.label.split(" (")[0]

    @property
    def size(self) -> int:
        return self.rows.height

    @property
    def title(self) -> str:
        where = common_province(self.rows) if self.level == "commune" else ""
        return (f"{fmt.number(self.size)} {LEVEL_PLURAL[self.level]}{' của ' + where if where else ''} — "
                f"điểm {'tháng' if self.kind == 'cal_month' else 'năm'} {self.label.split(' ', 1)[1]}")


def boards(df: pl.DataFrame) -> list[Board]:
    """The published boards of the table (the newest period of each kind and level with more than one
    unit: a province's own monthly trend is not a board)."""
    out = []
    for kind, level in BOARDS:
        rows, at = score_board(df, kind, level)
        if at is None or rows.height < 2:
            continue
        y, m = at
        if kind == "cal_month":
            period, through = periods.calendar_month(y, m), None
        else:
            months = df.filter((pl.col("period_kind") == "cal_month") & (pl.col("year") == y))["period_index"]
            through = int(months.max()) if months.len() else None
            end = periods.month_end(date(y, through, 1)) if through else date(y, 12, 31)
            period = periods.calendar_year(y) if end == date(y, 12, 31) else periods.custom(date(y, 1, 1), end)
        out.append(Board(kind, level, y, m, period, through, rows))
    return out


def indicator_count(ix: scoring.IndexDef) -> int:
    """The indicators of the index's groups (19 for 766), read from its definition."""
    return sum(len(g.indicators) for g in ix.groups)


def comparison_unit(db, unit: Unit) -> tuple[Unit | None, str | None]:
    """The unit whose score is set beside the published ones, and the line that says why it is not the
    selected one: a unit of the new map is itself; an old unit is its successor (the published boards
    are of the units since 01/07/2025); an old unit without one is not compared."""
    if not unit.is_old:
        return unit, unit.approximate_note
    if not unit.successor_code:
        return None, (f"{unit.full_name} (cũ) không có đơn vị kế thừa trong danh mục sắp xếp 01/07/2025, nên không "
                      "so sánh với điểm công bố (các bảng điểm công bố là của đơn vị hành chính từ 01/07/2025).")
    succ = units.get(db, units.NEW, unit.successor_code)
    line = (f"{unit.full_name} (cũ) nay thuộc {succ.full_name} (sắp xếp đơn vị hành chính 01/07/2025). Điểm công bố "
            f"là của đơn vị mới, nên điểm tính ở đây là của {succ.name}: trước 01/07/2025 cộng số liệu của "
            f"{len(succ.predecessors)} đơn vị cũ hợp thành, từ 01/07/2025 số liệu của chính đơn vị.")
    return succ, line + (" " + succ.approximate_note if succ.approximate_note else "")


@dataclass(frozen=True)
class Placement:
    """The computed score set beside one board, or why not (refusal, in Vietnamese)."""
    board: Board
    result: scoring.IndexResult | None = None
    refusal: str | None = None
    other_level: bool = False          # refused because the board is of another level (expected, quiet)
    base: tuple[str, ...] = ()         # the groups compared
    computed: float | None = None      # the computed points on the base (not rescaled)
    published: pl.DataFrame | None = None   # the board's units with their base total ("base" column), best first
    own: dict | None = None            # the unit's published row (on the board), with its base total
    rank: int | None = None            # on a board that holds the unit: its rank with its row replaced
    above: int | None = None           # a unit not on the board: how many of the board it scores above

    @property
    def base_max(self) -> float:
        return sum(g.max for g in self.result.groups if g.code in self.base) if self.result else 0.0

    @property
    def position(self) -> str:
        """'9/34' (rank, the unit on the board), 'cao hơn 40/102' (not on it), else a dash."""
        if self.rank is not None:
            return f"{self.rank}/{self.board.size}"
        if self.above is not None:
            return f"cao hơn {self.above}/{self.board.size}"
        return fmt.DASH

    @property
    def coverage_text(self) -> str:
        """'tính được 11/19 chỉ tiêu (72/100 điểm tối đa có dữ liệu)'."""
        r = self.result
        return (f"tính được {r.indicators_covered}/{r.indicators_total} chỉ tiêu ({mx(r.available_max)}/"
                f"{mx(r.max_total)} điểm tối đa có dữ liệu)") if r else ""

    @property
    def base_text(self) -> str:
        """What is compared, and on what scale."""
        if not self.base:
            return ""
        from ..ingest.results import GROUP_NAMES
        names = ", ".join(f"{g} ({GROUP_NAMES[g]})" for g in self.base)
        return (f"So sánh trên {len(self.base)} nhóm mà điểm tính có đủ mọi chỉ tiêu: {names}, tổng tối đa "
                f"{mx(self.base_max)} điểm. Điểm tính là số điểm đạt của các nhóm ấy, không quy đổi; điểm công bố "
                f"của mọi đơn vị trong bảng cũng chỉ cộng đúng các nhóm ấy.")

    @property
    def left_out_text(self) -> str:
        if not self.result:
            return ""
        out = [f"{g.code} ({g.covered}/{len(g.indicators)} chỉ tiêu có dữ liệu)" for g in self.result.groups
               if g.code not in self.base]
        return ("Không so sánh: " + ", ".join(out) + " — điểm công bố của các nhóm này gồm cả chỉ tiêu mà dữ liệu "
                "không có.") if out else ""

    @property
    def total_text(self) -> str:
        """The engine's total, shown for what it is (not ranked)."""
        r = self.result
        if not r or r.total is None:
            return ""
        return (f"Tổng điểm tính {fmt.number(r.total, 2)}/{mx(r.max_total)} là điểm đạt {fmt.number(r.raw_total, 2)} "
                f"trên {mx(r.available_max)} điểm tối đa có dữ liệu quy đổi về thang {mx(r.max_total)} ({self.coverage_text}); "
                "không xếp cùng tổng điểm công bố, vốn tính đủ mọi chỉ tiêu.")


def _period_refusal(board: Board, p: Period, last: date | None) -> str | None:
    """None when a score of period ``p`` may be set beside the board: the board's period, or (the
    year's board only) its start to the data's last day when the data stop before the board's end."""
    same = p.start == board.period.start and p.end == board.period.end
    cut = (board.kind == "cal_year" and last is not None and p.start == board.period.start
           and p.end == last < board.period.end)
    if same or cut:
        return None
    return (f"Không so sánh: điểm tính là của kỳ {p.label}, điểm công bố là của {board.label} "
            f"({fmt.day(board.period.start)} – {fmt.day(board.period.end)}); chỉ so sánh điểm cùng kỳ.")


def compare(board: Board, result: scoring.IndexResult, last: date | None = None) -> Placement:
    """The computed ``result`` set beside ``board``: refused unless it is of the board's level and
    period (see _period_refusal) and has at least one group with every indicator; else its points on
    those groups against the board's scores of the same groups (module doc)."""
    if result.unit_level != board.level:
        lv = units.LEVEL_NAMES
        return Placement(board, result, other_level=True,
                         refusal=f"Không so sánh: bảng này là điểm cấp {lv[board.level]}, đơn vị tính điểm là cấp "
                                 f"{lv.get(result.unit_level, result.unit_level)}.")
    why = _period_refusal(board, result.period, last)
    if why:
        return Placement(board, result, refusal=why)
    base = tuple(g for g in result.complete_groups() if g in board.rows.columns)
    if not base:
        return Placement(board, result, refusal=(
            f"Không xếp hạng: điểm tính ({Placement(board, result).coverage_text}) không có nhóm nào đủ mọi chỉ "
            "tiêu, nên không có cơ sở chung với điểm công bố."))
    computed = round(sum(g.score for g in result.groups if g.code in base), 2)
    pub = (board.rows.with_columns(base=pl.sum_horizontal(*base).round(2))
           .sort(["base", "unit_name"], descending=[True, False]))
    own = next((r for r in pub.to_dicts() if board.level == "province" and r["unit_code"] == result.unit_code), None)
    others = pub.filter(pl.col("unit_ref") != own["unit_ref"]) if own else pub
    if own:
        return Placement(board, result, base=base, computed=computed, published=pub, own=own,
                         rank=1 + int((others["base"] > computed).sum()))
    return Placement(board, result, base=base, computed=computed, published=pub,
                     above=int((pub["base"] < computed).sum()))


def place(db, ix: scoring.IndexDef, unit: Unit, board: Board, last: date) -> Placement:
    """Score ``unit`` for the board's period (as far as the data go) and compare."""
    if unit.level != board.level:
        lv = units.LEVEL_NAMES
        return Placement(board, other_level=True, refusal=f"Bảng này là điểm cấp {lv[board.level]}; {unit.full_name} "
                                                          f"là cấp {lv.get(unit.level, unit.level)}, nên không đặt vào.")
    p = board.period
    if last < p.start or (board.kind == "cal_month" and last < p.end):
        return Placement(board, refusal=(f"Không so sánh: dữ liệu chỉ đến {fmt.day(last)}, chưa trọn {board.label} "
                                         f"({fmt.day(p.start)} – {fmt.day(p.end)}) nên không tính được điểm cùng kỳ."))
    if last < p.end:
        p = periods.custom(p.start, last)
    return compare(board, scoring.score(db, ix, unit, p), last)


def period_line(pl_: Placement) -> str:
    """Which period the computed score is of, said against the board's."""
    r, b = pl_.result, pl_.board
    if r is None:
        return ""
    if r.period.end < b.period.end:
        return (f"Điểm tính từ {fmt.day(r.period.start)} đến {fmt.day(r.period.end)} (hết dữ liệu), ngắn hơn kỳ công "
                f"bố {b.label} ({fmt.day(b.period.start)} – {fmt.day(b.period.end)}).")
    return f"Điểm tính cùng kỳ công bố: {fmt.day(r.period.start)} – {fmt.day(r.period.end)}."


def selected_note(period: Period, bds: list[Board]) -> str | None:
    """A line when the selected period is none of the published ones (the page scores those instead)."""
    if not bds or any(period.start == b.period.start and period.end == b.period.end for b in bds):
        return None
    shown = " và ".join(dict.fromkeys(b.label for b in bds))
    return (f"Điểm công bố chỉ có cho {shown}; điểm tính ở trang này là của đúng các kỳ ấy, không theo kỳ đang chọn "
            f"({period.label}).")


def _marker(fig: go.Figure, x: float, text: str) -> None:
    """The computed score as a red dashed line, its label in the header's notes."""
    charts.threshold_line(fig, x, text, vertical=True, color=charts.COLORS["bad"])


def marker_text(pl_: Placement, unit_name: str) -> str:
    return f"Điểm tính: {unit_name} {fmt.number(pl_.computed, 2)}/{mx(pl_.base_max)}"


def base_figure(pl_: Placement, title: str, subtitle: str, source: str, unit_name: str) -> go.Figure:
    """The board on the comparison base (published scores of the same groups added up), best on top,
    the unit's own published row highlighted, the computed points on the same groups as a marker."""
    rows = pl_.published.to_dicts()[::-1]
    own = pl_.own["unit_ref"] if pl_.own else None
    fig = go.Figure(go.Bar(
        y=[r["unit_name"] + (" ◀ (điểm công bố)" if r["unit_ref"] == own else "") for r in rows],
        x=[r["base"] for r in rows], orientation="h", text=[fmt.number(r["base"], 2) for r in rows],
        marker_color=[charts.COLORS["secondary"] if r["unit_ref"] == own else charts.COLORS["primary"] for r in rows],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{x:,.2f} điểm<extra></extra>"))
    charts.style(fig, title, subtitle=subtitle, source=source, height=max(520, 200 + 24 * len(rows)))
    fig.update_layout(showlegend=False)
    fig.update_xaxes(title=f"Điểm các nhóm {', '.join(pl_.base)} (tối đa {mx(pl_.base_max)})",
                     range=[0, pl_.base_max * 1.01])
    _marker(fig, pl_.computed, marker_text(pl_, unit_name))
    return charts.finish(fig)


def histogram_figure(values: list[float], names: list[str], title: str, subtitle: str, source: str,
                     computed: float | None = None, computed_text: str = "", top: float = 100,
                     axis: str = "Tổng điểm (thang 100)") -> go.Figure:
    """Distribution of published scores (e.g. An Giang's communes) with a box above, and the computed
    score on the same base as a marker line."""
    fig = go.Figure()
    fig.add_histogram(x=values, xbins=dict(size=1), name="Số đơn vị", marker_color=charts.COLORS["primary"],
                      hovertemplate="%{x} điểm: %{y} đơn vị<extra></extra>")
    fig.add_box(x=values, name="Phân bố", yaxis="y2", marker_color=charts.COLORS["secondary"], boxmean=True,
                text=names, hovertemplate="%{text}: %{x:,.2f}<extra></extra>")
    charts.style(fig, title, subtitle=subtitle, source=source, height=460)
    lo = min(values + ([computed] if computed is not None else []))
    fig.update_layout(showlegend=False, yaxis=dict(domain=[0, 0.78], title="Số đơn vị"),
                      yaxis2=dict(domain=[0.82, 1], showticklabels=False), bargap=0.05)
    fig.update_xaxes(title=axis, range=[math.floor(lo) - 2, top])
    if computed is not None:
        _marker(fig, computed, computed_text)
    return charts.finish(fig)
