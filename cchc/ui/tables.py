"""Every table of the pages: st.dataframe with, under it, "Tải CSV" and "Tải Excel" of exactly
what it shows (cchc.export.tables: same rows and columns, the headers as shown, text cells made
inert for spreadsheets), named like the charts' files (cchc.fmt.file_name: what, unit, period).

    tables.show(ov.ranking_table(...), "Xếp hạng đơn vị", sel, key="ov_rank_table", height=400,
                column_config={"Đơn vị": tables.name_column("Đơn vị")})
"""
from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from cchc import coverage, fmt
from cchc.export import tables as export

from . import state
from .state import Selection


def shown(df: Any, column_config: dict | None = None, column_order=None) -> pl.DataFrame:
    """The table as the user sees it: columns hidden by column_config (None) or left out of
    column_order dropped, headers renamed to their column_config label."""
    d = export.frame(df)
    config = column_config or {}
    keep = [c for c in (column_order or d.columns) if c in d.columns and not (c in config and config[c] is None)]
    d = d.select(keep)
    labels = {}
    for c in keep:
        cfg = config.get(c)
        label = cfg if isinstance(cfg, str) else cfg.get("label") if isinstance(cfg, dict) else None
        if label and label != c:
            labels[c] = label
    return d.rename(labels)


def title_lines(name: str, sel: Selection | None) -> list[str]:
    """What the XLSX prints above the table: its name, the unit and period, the data end, the source
    (a table not about the selection, e.g. an upload's preview: its name only)."""
    if sel is None:
        return [name]
    return [name, sel.title_suffix, coverage.data_label(state.data_end(state.get_db())), fmt.SOURCE]


def file_name(name: str, sel: Selection | None, ext: str) -> str:
    """Like the charts' files: 'xep-hang-ty-le-dung-han_xa-quoc-tuan_nam-2023.csv'."""
    if sel is None:
        return f"{fmt.slug(name)}.{ext}"
    return fmt.file_name(name, sel.unit.name, sel.period.file_label, ext)


# Column widths in pixels from the text they must show whole (Source Sans at 14 px: ~6.2 px a
# character, plus the cell's padding and the sort arrow).
CHAR_PX, PAD_PX = 6.2, 26
FIT_PX = 560               # the main column at a 1024 px window (sidebar open): 576 px, less the borders
# Streamlit freezes pinned columns only while they take at most 60 % of the table's width (wider, it
# freezes none): the rank and the name are pinned when they fit that share at 1024 px, the key
# figures follow them unpinned.
PIN_PX = int(0.6 * FIT_PX)
SELECT_PX = 34             # the row-selection checkbox column of a selectable table
NAME_MIN_PX, NAME_MAX_PX = 180, 320  # a longer name wraps (WRAP_ROW_PX) instead of widening the column
WRAP_ROW_PX = 66           # Streamlit wraps cell text only in rows taller than 4rem (64 px)


def px(text: str) -> int:
    return int(CHAR_PX * len(text)) + PAD_PX


def _numeric(values: list[str]) -> bool:
    return all(v.replace(".", "").replace(",", "").replace(" %", "").replace("–", "").strip().isdigit() or v == "–"
               for v in values)


def layout(df: pl.DataFrame, lead=(), name_col: str | None = None, keys=(), labels: dict | None = None,
           wrap: bool = False, selectable: bool = False) -> dict:
    """column_config and column_order that keep a table's key columns in view at 1024 px: ``lead``
    (rank, code) then the row's name (``name_col``) then ``keys`` (the figure ranked on, days, lost
    points) first, each as wide as its header and values, the name taking what is left of FIT_PX;
    the other columns after them, in their order, scrolling. The lead columns and the name are
    pinned when together they fit PIN_PX, so they stay when the table is scrolled sideways.
    ``labels``: a shorter header shown for a long one (its full text as the column's help).
    ``wrap``: a name longer than its column wraps on rows WRAP_ROW_PX tall."""
    labels = labels or {}
    config: dict[str, Any] = {}
    used = SELECT_PX if selectable else 0
    for c in [*lead, *keys]:
        if c not in df.columns:
            continue
        head = labels.get(c, c)
        values = [str(v) for v in df.get_column(c).to_list() if v is not None]
        width = max([px(head)] + [px(v) for v in values])
        used += width
        config[c] = st.column_config.Column(head, width=width, help=c if head != c else None,
                                            alignment="right" if _numeric(values) else "left")
    out: dict[str, Any] = {"column_config": config}
    if name_col and name_col in df.columns:
        longest = max([len(str(v)) for v in df.get_column(name_col).to_list() if v is not None], default=0)
        room = min(max(FIT_PX - used, NAME_MIN_PX), NAME_MAX_PX)
        width = max(px(name_col), min(px("x" * longest), room))
        config[name_col] = st.column_config.TextColumn(name_col, width=width)
        front = [c for c in [*lead, name_col] if c in config]
        if sum(config[c]["width"] for c in front) <= PIN_PX:
            for c in front:
                config[c]["pinned"] = True
        if wrap and px("x" * longest) > width:
            out["row_height"] = WRAP_ROW_PX
    first = [c for c in [*lead, name_col, *keys] if c and c in df.columns]
    out["column_order"] = first + [c for c in df.columns if c not in first]
    return out


def show(df: Any, name: str, sel: Selection | None, key: str, *, lead=(), name_col: str | None = None, keys=(),
         labels: dict | None = None, wrap: bool = False, **dataframe_kwargs):
    """st.dataframe(df, key=key, hide_index=True, **dataframe_kwargs) and two compact download
    buttons under it; ``name`` (Vietnamese) titles the XLSX and names both files, with the unit and
    period of ``sel`` (None: a table not about the selection). ``lead``, ``name_col``, ``keys``,
    ``labels``, ``wrap``: the key columns kept in view (``layout``); a column_config given here
    overrides theirs. A ``height`` given for 35-px rows grows with wrapped rows. Returns what
    st.dataframe returns (the selection when on_select is set)."""
    frame = export.frame(df)
    if lead or name_col or keys:
        fit = layout(frame, lead, name_col, keys, labels, wrap, "on_select" in dataframe_kwargs)
        dataframe_kwargs["column_config"] = {**fit["column_config"], **(dataframe_kwargs.get("column_config") or {})}
        dataframe_kwargs.setdefault("column_order", fit["column_order"])
        if "row_height" in fit:
            dataframe_kwargs.setdefault("row_height", fit["row_height"])
            if "height" in dataframe_kwargs and isinstance(dataframe_kwargs["height"], int):
                rows = round((dataframe_kwargs["height"] - 38) / 35)
                dataframe_kwargs["height"] = min(38 + fit["row_height"] * rows, 38 + fit["row_height"] * 12)
    dataframe_kwargs.setdefault("hide_index", True)
    event = st.dataframe(frame if not isinstance(df, pl.DataFrame) else df, key=key, **dataframe_kwargs)
    data = shown(frame, dataframe_kwargs.get("column_config"), dataframe_kwargs.get("column_order"))
    lines = title_lines(name, sel)
    with st.container(horizontal=True, gap="small", key=f"tbl_dl_{key}"):
        st.download_button("Tải CSV", data=lambda: export.to_csv(data), mime="text/csv", key=f"csv_{key}",
                           file_name=file_name(name, sel, "csv"), icon=":material/download:",
                           type="tertiary", on_click="ignore")
        st.download_button("Tải Excel", data=lambda: export.to_xlsx(data, lines), key=f"xlsx_{key}",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           file_name=file_name(name, sel, "xlsx"), icon=":material/download:",
                           type="tertiary", on_click="ignore")
    return event
