"""The daily rollups: each province's dossiers added up per field, procedure and day (dossier_daily),
and its rating forms per field and day (rating_daily).

A province-wide Biểu 06 or trend over the dossiers reads every dossier of the province's partitions
(2,2 M rows a year for a province of 10 M dossiers); the same figures from the rollup read a few
thousand rows. The rollup is exact, not an estimate: flows per day and stocks at the end of each day
give every column of Biểu 06 for any range of days (queries/build_dossier_daily.sql explains how).

    build(root)                          # (re)build both for every province that has data
    build(root, ["30"])                  # only these provinces
    fresh(root, "dossier_daily", "30")   # does it match the province's dossier files as they are now?

They are written by the sample generator, and by ``python -m cchc rollup`` after real data are loaded.
``_built.json`` in each rollup's folder records, per province, the name, size and modification time of
each source file it was built from; ``cchc.db.Database`` uses a rollup for a province only while they
match, and falls back to the source table otherwise, so a stale rollup costs speed, never correctness.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema, storage, store

BUILT = "_built.json"
ROW_GROUP = 4096
# The layout of each rollup's files, recorded in _built.json when built. A rollup recorded with
# another layout (none recorded = 1) is stale for every province, and the next build redoes all of
# them: rating_daily became one row per field, day and level (2) in November 2026.
FORMAT = {schema.DOSSIER_DAILY.name: 1, schema.RATING_DAILY.name: 2}
# rollup table -> (source table, the query that builds one province's rows)
ROLLUPS = {schema.DOSSIER_DAILY.name: (schema.DOSSIERS, "build_dossier_daily"),
           schema.RATING_DAILY.name: (schema.RATINGS, "build_rating_daily")}


def source_signature(root: Path, table: schema.Table, province: str) -> list[list]:
    """[relative path, size, mtime_ns] of each file of the province in a partitioned table, sorted
    (in a bucket: [relative path, size, ETag], cchc.storage; publish stamps _built.json so)."""
    if storage.is_remote(root):
        return storage.signature(root, table.name, table.province_files(root, province))
    skip = len(os.path.join(root, table.name)) + 1
    return [[f[skip:].replace(os.sep, "/"), st.st_size, st.st_mtime_ns]
            for f in table.province_files(root, province) for st in (os.stat(f),)]


def provinces_with_data(root: Path, table: schema.Table) -> list[str]:
    if storage.is_remote(root):
        folder = storage.join(root, table.name)
        if not storage.is_dir(folder):
            return []
        return sorted({p.split("=", 1)[1] for y in storage.listdir(folder) if y.startswith("year=")
                       for p in storage.listdir(storage.join(folder, y)) if p.startswith("province_code=")
                       if storage.glob(storage.join(folder, y, p, "*.parquet"))})
    folder = table.path(root)
    found = {p.name.split("=", 1)[1] for y in folder.glob("year=*") for p in y.glob("province_code=*")
             if any(p.glob("*.parquet"))} if folder.is_dir() else set()
    return sorted(found)


_BUILT_CACHE: dict[str, tuple[object, dict]] = {}


def built(root: Path, name: str) -> dict:
    """The recorded sources of a rollup under root ({} if there is none), cached by file mtime (by
    size and ETag in a bucket)."""
    f = schema.TABLES[name].path(root) / BUILT
    if storage.is_remote(root):
        mtime = storage.stamp(f)
        if mtime is None:
            return {}
    else:
        try:
            mtime = f.stat().st_mtime_ns
        except FileNotFoundError:
            return {}
    key = str(f)
    if key not in _BUILT_CACHE or _BUILT_CACHE[key][0] != mtime:
        try:
            _BUILT_CACHE[key] = (mtime, json.loads(f.read_text(encoding="utf-8")))
        except FileNotFoundError:  # removed since it was listed
            return {}
    return _BUILT_CACHE[key][1]


def fresh(root: Path, name: str, province: str) -> bool:
    """True if the rollup ``name`` of the province was built from its source files exactly as they are now."""
    b = built(root, name)
    if b.get("format", 1) != FORMAT[name]:
        return False
    rec = b.get("provinces", {}).get(province)
    if name == schema.DOSSIER_DAILY.name and province not in b.get("horizons", {}):
        return False  # its stock lookups need the horizon
    return rec is not None and rec == source_signature(root, ROLLUPS[name][0], province)


def horizon(root: Path, province: str | None):
    """The last day of the province's dossier_daily rollup (after it no stock changes), or None."""
    h = built(root, schema.DOSSIER_DAILY.name).get("horizons", {}).get(province) if province else None
    return date.fromisoformat(h) if h else None


def build(root: str | os.PathLike, provinces: list[str] | None = None, progress=None, compute=None,
          engine: str | None = None) -> dict:
    """(Re)build every rollup for the given provinces (default: all with data) under root. ``compute``
    (cchc.engines: a distributed engine) gives the rows; by default this process's DuckDB runs the query."""
    storage.check_writable(root)  # a bucket is read-only: build in a folder, then publish (cchc.storage)
    root = Path(root)
    return {name: _build_one(root, name, provinces, progress, compute or _duckdb_rows, engine) for name in ROLLUPS}


def _duckdb_rows(root: Path, name: str, provinces: list[str]) -> Iterator[tuple[str, pa.Table]]:
    """(province, rows) of the rollup ``name`` for each province, computed here by DuckDB."""
    from .db import Database  # the views and the query runner; imported here to avoid a cycle

    db = Database(root, use_rollup=False)
    try:
        for p in provinces:
            yield p, db.run(ROLLUPS[name][1], provinces=[p]).to_arrow()
    finally:
        db.close()


def _build_one(root: Path, name: str, provinces: list[str] | None, progress, compute, engine: str | None) -> dict:
    """One rollup. The new folder is written beside the old one and swapped in; provinces not rebuilt
    are kept as they were. ``compute(root, name, provinces)`` yields (province, rows) in any order."""
    table = schema.TABLES[name]
    source = ROLLUPS[name][0]
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    with store.writing(root, name, what=table.vi):
        folder = table.path(root)
        old = built(root, name) if folder.is_dir() else {}
        if folder.is_dir() and old.get("format", 1) != FORMAT[name]:  # an older layout: nothing of it is kept
            old, provinces = {}, None
        todo = sorted(provinces) if provinces else provinces_with_data(root, source)
        record: dict = {"format": FORMAT[name], "provinces": {}, "horizons": {}}
        tmp = store.temp_dir(root, name)
        try:
            for p, sig in old.get("provinces", {}).items():  # keep the provinces not rebuilt now
                if p in todo:
                    continue
                for y in folder.glob(f"year=*/province_code={p}"):
                    shutil.copytree(y, tmp / y.relative_to(folder))
                record["provinces"][p] = sig
                if p in old.get("horizons", {}):
                    record["horizons"][p] = old["horizons"][p]
            file_schema = pa.schema([table.arrow_schema.field(c) for c in table.file_columns])
            # the sources' signatures are taken before their rows are read: a file changed meanwhile
            # leaves the rollup stale, never wrongly fresh
            sigs = {p: source_signature(root, source, p) for p in todo}
            rows = 0
            for p, t in compute(root, name, [p for p in todo if sigs[p]]):
                t = t.select(file_schema.names).cast(file_schema)
                years = pc.year(t["day"])
                for y in sorted(set(years.to_pylist())):
                    d = tmp / f"year={y}" / f"province_code={p}"
                    d.mkdir(parents=True, exist_ok=True)
                    # rows sorted by day in small row groups: a lookup of one day's stocks reads one group
                    pq.write_table(t.filter(pc.equal(years, y)), d / "part-0000.parquet", row_group_size=ROW_GROUP)
                record["provinces"][p] = sigs[p]
                if t.num_rows and "open_end" in file_schema.names:
                    record["horizons"][p] = pc.max(t["day"]).as_py().isoformat()
                rows += t.num_rows
                say(f"{table.vi}, tỉnh {p}{f' ({engine})' if engine else ''}: {t.num_rows:_} dòng".replace("_", "."))
            # the same order of keys whatever order the provinces were computed in
            record["provinces"] = dict(sorted(record["provinces"].items()))
            record["horizons"] = dict(sorted(record["horizons"].items()))
            record["rows_built"] = rows
            record["seconds"] = round(time.perf_counter() - t0, 2)
            if engine:
                record["engine"] = engine
            (tmp / BUILT).write_text(json.dumps(record, indent=0), encoding="utf-8")
            store.swap_dir(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return {"provinces": sorted(record["provinces"]), "rows": rows, "seconds": record["seconds"]}
