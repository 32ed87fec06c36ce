"""Nhật ký thay đổi (the audit trail): who changed what, when, from which file, before and after,
filtered by kind, person, unit and dates; what a reader sees follows cchc.audit.visible (an admin all,
a data manager its scope's units and its own writes, nobody else anything).

    df = table(root, identity, db, action="load", who=None, unit=None, start=None, end=None)

No Streamlit here: pages/nhat_ky.py only draws.
"""
from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl

from .. import access, audit

LIMIT = 2000  # newest entries shown (the CSV/XLSX of the table holds the same)


def _text(value) -> str:
    if value in (None, "", {}, []):
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:300] + "…"


def _day(at: str) -> date | None:
    try:
        return datetime.fromisoformat(at).date()
    except (TypeError, ValueError):
        return None


def table(root, identity: access.Identity, db, *, action: str | None = None, who: str | None = None,
          unit: str | None = None, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """The entries the identity may read, newest first, as the page shows them (AuditError when the
    trail does not verify)."""
    rows = audit.visible(audit.entries(root), identity, db)
    out = []
    for r in reversed(rows):
        day = _day(r.get("at"))
        if (action and r.get("action") != action) or (who and who.lower() not in str(r.get("who", "")).lower()) \
                or (unit and str(r.get("unit") or "") != unit) or (start and (day is None or day < start)) \
                or (end and (day is None or day > end)):
            continue
        at = r.get("at") or ""
        out.append({"Số": r.get("seq"), "Thời điểm": at[:19].replace("T", " "), "Người thực hiện": r.get("who") or "",
                    "Vai trò": access.ROLE_LABELS.get(r.get("role"), r.get("role") or ""),
                    "Thao tác": audit.ACTIONS.get(r.get("action"), r.get("action") or ""),
                    "Đơn vị": r.get("unit") or "", "Tệp": r.get("file") or "",
                    "SHA-256": (r.get("sha256") or "")[:16], "Ghi chú": r.get("note") or "",
                    "Trước": _text(r.get("before")), "Sau": _text(r.get("after"))})
        if len(out) >= LIMIT:
            break
    schema = {"Số": pl.Int64, **{c: pl.String for c in ("Thời điểm", "Người thực hiện", "Vai trò", "Thao tác",
                                                          "Đơn vị", "Tệp", "SHA-256", "Ghi chú", "Trước", "Sau")}}
    return pl.DataFrame(out, schema=schema)
