"""What pages/nhap_du_lieu.py shows, without Streamlit: an uploaded export previewed, loaded and the
last load undone, through cchc.ingest.load (the one loader; docs/loading.md). The page only lays
these out and holds the user's choices.

    p = preview(data, name, root, kind=None, unit="", policy=load.REJECT, mapping=None)
    mapping_table(p), counts_table(p), periods_table(p), procedures_table(p)   # what the load would do
    rep = run(data, name, root, …, who="Nguyễn Văn A", progress=cb)            # writes, or LoadError
    last_load(root) / undo_last(root, who)                                     # the log; the undo

Every value that came from the file is returned as text for st.dataframe / st.text (never markdown).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import polars as pl

from .. import access, fmt, schema
from ..ingest import load, readers

KIND_NAMES = {"": "Tự nhận biết theo tên cột", **{k: readers.kinds()[k].vi for k in load.KINDS}}
POLICIES = {load.REJECT: "Có dòng lỗi thì không nạp gì cả", load.VALID_ONLY: "Nạp các dòng đúng, trả lại các dòng lỗi"}
IGNORE = ""          # the mapping choice that ignores a header
MAX_UNIT_KEY = 12    # "cu-" + a 5-digit code, with room
HOW = {"alias": "theo tên cột", "manual": "ghép tay", "copy": "chép từ cột khác"}


class InputError(ValueError):
    """A value typed in the page that cannot be used (message in Vietnamese)."""


def clean_unit(text: Any) -> str | None:
    """The unit key typed for a file without a unit column: None when empty; InputError when it is not a
    key (digits, or cu- and digits)."""
    t = str(text or "").strip()
    if not t:
        return None
    body = t[3:] if t.lower().startswith("cu-") else t
    if len(t) > MAX_UNIT_KEY or not body.isdigit() or len(body) not in (2, 3, 5):
        raise InputError(f"Mã đơn vị «{readers.shown(t)}» không hợp lệ: mã TCTK của tỉnh (2 chữ số), huyện (3) hoặc "
                         "xã (5), hoặc cu-<mã> cho đơn vị cũ trùng mã với đơn vị mới.")
    return t


def columns_of(kind: str) -> list[str]:
    """The product columns a header of a file of this kind can be mapped to."""
    t = readers.kinds()[kind].table
    return [c.name for c in t.columns if c.name not in ("year", "province_code")]


def column_label(kind: str, name: str) -> str:
    if name == IGNORE:
        return "— bỏ qua cột này —"
    c = next((c for c in readers.kinds()[kind].table.columns if c.name == name), None)
    return f"{c.vi} ({name})" if c else name


def preview(data: bytes, name: str, root: str | Path, *, kind: str | None = None, unit: str | None = None,
            mapping: dict[str, str] | None = None, sheet: str | None = None) -> load.Plan:
    """What loading the file would change, the rows it would reject listed (nothing written; the page
    blocks the load itself when the user chose to reject a file with bad rows); LoadError when the file
    cannot be read at all."""
    return load.preview(data, name, root, kind or None, unit=unit, policy=load.VALID_ONLY, mapping=mapping or None,
                        sheet=sheet or None)


def run(data: bytes, name: str, root: str | Path, *, kind: str | None, unit: str | None, policy: str,
        mapping: dict[str, str] | None, sheet: str | None, by: access.Identity,
        progress: Callable[[float, str], None] | None = None) -> load.LoadReport:
    """Load the file as ``by`` (the signed-in identity: its role and scope are checked in cchc.ingest.load)."""
    return load.load(data, name, root, kind or None, unit=unit, policy=policy, mapping=mapping or None,
                     sheet=sheet or None, by=by, progress=progress)


def mapping_table(p: load.Plan) -> pl.DataFrame:
    """Each header of the file with the column it fills and how it was matched; unmatched headers last."""
    rows = [{"Cột trong tệp": m.header, "Cột dữ liệu": column_label(p.kind, m.column), "Cách ghép": HOW.get(m.how, m.how)}
            for m in p.read.matches]
    rows += [{"Cột trong tệp": h, "Cột dữ liệu": "—", "Cách ghép": "chưa ghép (bỏ qua)"} for h in p.read.unmatched]
    return pl.DataFrame(rows, schema={"Cột trong tệp": pl.String, "Cột dữ liệu": pl.String, "Cách ghép": pl.String})


def counts_table(p: load.Plan) -> pl.DataFrame:
    rows = [{"Bảng": schema.TABLES[n].vi, "Mới": fmt.number(t.new), "Cập nhật": fmt.number(t.updated),
             "Không đổi": fmt.number(t.unchanged), "Bị loại": fmt.number(t.rejected)} for n, t in p.tables.items()]
    return pl.DataFrame(rows, schema={c: pl.String for c in ("Bảng", "Mới", "Cập nhật", "Không đổi", "Bị loại")})


def periods_table(p: load.Plan) -> pl.DataFrame:
    """The units and months whose figures the load moves."""
    return pl.DataFrame([{"Mã đơn vị": u, "Tháng": m} for u, m in p.periods],
                        schema={"Mã đơn vị": pl.String, "Tháng": pl.String})


def procedures_table(p: load.Plan) -> pl.DataFrame:
    return pl.DataFrame([{"Mã TTHC": str(x.get("code", "")), "Tên thủ tục": str(x.get("name", "")),
                          "Lĩnh vực": str(x.get("field", ""))} for x in p.procedures_added],
                        schema={"Mã TTHC": pl.String, "Tên thủ tục": pl.String, "Lĩnh vực": pl.String})


def rejected_file(p: load.Plan) -> tuple[str, bytes] | None:
    """The rejected rows as a file to download (its name, its bytes), or None when none was rejected."""
    if not p.rejected_count:
        return None
    name = f"dong-bi-loai_{fmt.slug(Path(p.file).stem or 'tep')}.csv"
    return name, load.rejected_bytes(p, name)


def last_load(root: str | Path) -> dict | None:
    """The load the undo would take back (as cchc.ingest.load.undo chooses it: the newest load that
    changed a table, unless an undo came after it), or None."""
    for e in reversed(load.log_entries(root)):
        if e.get("action") == "undo":
            return None
        if e.get("tables"):
            return e
    return None


def last_load_text(e: dict) -> str:
    counts = e.get("counts") or {}
    parts = [f"{schema.TABLES[t].vi.lower()}: {fmt.number(c.get('new', 0))} mới, {fmt.number(c.get('updated', 0))} "
             f"cập nhật" for t, c in counts.items() if t in schema.TABLES and isinstance(c, dict)]
    return (f"Lần nạp {e.get('id')} — tệp {e.get('file', '?')}, người nạp {e.get('who', '?')}, lúc {e.get('at', '?')}"
            + (f" ({'; '.join(parts)})" if parts else "") + ".")


def undo_last(root: str | Path, by: access.Identity) -> load.UndoReport:
    return load.undo(root, by=by)


__all__ = ["KIND_NAMES", "POLICIES", "IGNORE", "InputError", "clean_unit", "columns_of", "column_label",
           "preview", "run", "mapping_table", "counts_table", "periods_table", "procedures_table", "rejected_file",
           "last_load", "last_load_text", "undo_last"]
