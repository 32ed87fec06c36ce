"""Small hand-built datasets: every table of cchc.schema written as Parquet in the product's layout,
with the rows a test gives and defaults for the rest."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from cchc import schema, workdays
from cchc.sample import _pl_schema, _write

OLD = dict(map="old", valid_to=date(2025, 6, 30))
NEW = dict(map="new", valid_from=date(2025, 7, 1))
UNITS = [
    dict(code="30", name="Tỉnh Hải Dương", type="Tỉnh", level="province", parent_code=None, province_code="30",
         district_code=None, **OLD),
    dict(code="291", name="Huyện Nam Sách", type="Huyện", level="district", parent_code="30", province_code="30",
         district_code="291", **OLD),
    dict(code="10621", name="Xã Quốc Tuấn", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291", **OLD),
    dict(code="10606", name="Thị trấn Nam Sách", type="Thị trấn", level="commune", parent_code="291", province_code="30",
         district_code="291", **OLD),
]
# Both maps around xã Quốc Tuấn (as in cchc/reference/units.csv): the new xã Trần Phú (10633, new
# Thành phố Hải Phòng 31) carries the old Quốc Tuấn, Hiệp Cát and Trần Phú (also 10633: a reused
# code); the old Thị trấn Nam Sách went to the new xã Nam Sách (10606); the old province 31 (Hải
# Phòng) and 30 (Hải Dương) to the new 31.
UNITS_BOTH_MAPS = [
    {**u, "successor_code": {"30": "31", "291": "31", "10621": "10633", "10606": "10606"}[u["code"]]} for u in UNITS
] + [
    dict(code="10618", name="Xã Hiệp Cát", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291", successor_code="10633", **OLD),
    dict(code="10633", name="Xã Trần Phú", type="Xã", level="commune", parent_code="291", province_code="30",
         district_code="291", successor_code="10633", **OLD),
    dict(code="31", name="Thành phố Hải Phòng", type="Thành phố Trung ương", level="province", parent_code=None,
         province_code="31", district_code=None, successor_code="31", **OLD),
    dict(code="31", name="Thành phố Hải Phòng", type="Thành phố Trung ương", level="province", parent_code=None,
         province_code="31", district_code=None, **NEW),
    dict(code="10633", name="Xã Trần Phú", type="Xã", level="commune", parent_code="31", province_code="31",
         district_code=None, **NEW),
    dict(code="10606", name="Xã Nam Sách", type="Xã", level="commune", parent_code="31", province_code="31",
         district_code=None, **NEW),
]
PROCEDURES = [
    dict(code="P1", name="Đăng ký khai sinh", field="Hộ tịch", level="commune", agency="ubnd", statutory_days=3,
         online_level="toan_trinh", fee_vnd=0, paper_result=True, valid_from=date(2020, 1, 1), valid_to=None),
    dict(code="P2", name="Chứng thực bản sao", field="Chứng thực", level="commune", agency="ubnd", statutory_days=0,
         online_level="khong", fee_vnd=2000, paper_result=True, valid_from=date(2020, 1, 1), valid_to=None),
]


def dossier(id: str, received: str, due: str, finished: str | None, unit="10621", proc="P1", field="Hộ tịch",
            channel="truc_tiep", **kw) -> dict:
    ts = lambda s: None if s is None else datetime.fromisoformat(s)  # noqa: E731
    r = ts(received)
    row = dict(dossier_id=id, unit_code=unit, district_code="291", procedure_code=proc, field=field, channel=channel,
               received_at=r, due_at=ts(due), finished_at=ts(finished), returned_at=ts(finished),
               status="da_tra" if finished else "dang_xu_ly", supplement_count=0, supplement_days=0,
               digitised_input=True, e_result=bool(finished), reused_data=False, paid_online=False, fee_vnd=0,
               year=r.year, province_code="30")
    row.update(kw)
    return row


def write_dataset(root: Path, dossiers=(), ratings=(), feedback=(), finances=(), facts=(), units=UNITS,
                  procedures=PROCEDURES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    frames = {"units": units, "procedures": procedures, "dossiers": dossiers, "ratings": ratings,
              "feedback": feedback, "finances": finances, "facts": facts, "index_results": ()}
    # units without a map are of the old map (the fixtures of the tests written before 2025's)
    frames["units"] = [{"map": "old", **u} for u in units]
    for name, rows in frames.items():
        t = schema.TABLES[name]
        full = [{c.name: r.get(c.name) for c in t.columns} for r in rows]
        df = pl.DataFrame(full, schema=_pl_schema(t), orient="row") if full else pl.DataFrame(schema=_pl_schema(t))
        if t.partition_by and df.is_empty():
            # an empty partitioned table still needs one file for the view to bind
            d = root / t.name / "/".join(f"{c}=0" if c == "year" else f"{c}=00" for c in t.partition_by)
            d.mkdir(parents=True, exist_ok=True)
            import pyarrow.parquet as pq
            pq.write_table(pa.schema([t.arrow_schema.field(c) for c in t.file_columns]).empty_table(), d / "part-0000.parquet")
        else:
            _write(df, t, root)
    cal = workdays.calendar_table(date(2019, 1, 1), date(2026, 12, 31))
    _write(pl.DataFrame(cal).cast(_pl_schema(schema.CALENDAR)), schema.CALENDAR, root)
    return root
