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


def show(df: Any, name: str, sel: Selection | None, key: str, **dataframe_kwargs):
    """st.dataframe(df, key=key, hide_index=True, **dataframe_kwargs) and two compact download
    buttons under it; ``name`` (Vietnamese) titles the XLSX and names both files, with the unit and
    period of ``sel`` (None: a table not about the selection). Returns what
    st.dataframe returns (the selection when on_select is set)."""
    dataframe_kwargs.setdefault("hide_index", True)
    event = st.dataframe(df, key=key, **dataframe_kwargs)
    data = shown(df, dataframe_kwargs.get("column_config"), dataframe_kwargs.get("column_order"))
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


def name_column(label: str, **kwargs):
    """The column that names a row (unit, procedure, field): wide and pinned, so it is never cut
    nor scrolled away."""
    return st.column_config.TextColumn(label, width=kwargs.pop("width", "large"), pinned=True, **kwargs)


def key_column(label: str, **kwargs):
    """A key figure (the rate ranked on, days, lost points): narrow, right-aligned, pinned."""
    return st.column_config.TextColumn(label, width=kwargs.pop("width", "small"), alignment="right", pinned=True,
                                       **kwargs)
