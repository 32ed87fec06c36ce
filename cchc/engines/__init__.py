"""The daily rollups (cchc.rollup) built by a distributed engine instead of this process's DuckDB:
``python -m cchc rollup --engine spark|dask [--workers N]``.

    build(root, "spark", workers=2)          # both rollups, every province with data
    build(root, "dask", ["30"], workers=4)   # one province

The engine computes each province's rows from the same hive-partitioned Parquet with the product's own
SQL (queries/build_dossier_daily.sql, queries/build_rating_daily.sql):
- ``spark``: Spark SQL, the text transformed by cchc.engines.sqlport (macros inlined, four dialect
  rules), Spark parallelising inside each province;
- ``dask``: Dask distributed hands one task per (rollup, province) to its workers, each running the
  query with DuckDB.
This process then writes the rows exactly as ``cchc.rollup.build`` does (the same layout, sort, row
groups, schema and ``_built.json``), through cchc.store (lock, a folder built beside the old one and
swapped in), so ``rollup.fresh`` accepts the result and the app cannot tell which engine built it
(tests/test_engine_rollup.py compares every file). docs/engines.md has the figures and the choice.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import rollup, schema, storage, store

ENGINES = ("duckdb", "spark", "dask")


def _engine(name: str):
    if name == "spark":
        from . import spark
        return spark
    if name == "dask":
        from . import dask_engine
        return dask_engine
    raise ValueError(f"unknown engine {name!r}: one of {', '.join(ENGINES)}")


def compute_all(root: Path, engine: str, jobs: list[tuple[str, str]], workers: int) -> Iterator[tuple[str, str, pa.Table]]:
    """(rollup name, province, rows) for each (rollup name, province) in jobs, computed by the engine."""
    mod = _engine(engine)
    queries = {q: name for name, (_s, q) in rollup.ROLLUPS.items()}
    if engine == "spark":
        for query, p, t in mod.compute_all(root, [(rollup.ROLLUPS[n][1], rollup.ROLLUPS[n][0], p) for n, p in jobs],
                                           workers):
            yield queries[query], p, t
        return
    for query, p, t in mod.compute_all(root, [(rollup.ROLLUPS[n][1], p) for n, p in jobs], workers):
        yield queries[query], p, t


def duckdb_sql(root: str | Path, text: str, **params) -> pa.Table:
    """A product SQL text run by DuckDB over the data directory (cchc.db.Database.sql: every file of a
    table whose files parameter is not given)."""
    from ..db import Database

    db = Database(Path(root), use_rollup=False)
    try:
        return db.sql(text, **params).to_arrow()
    finally:
        db.close()


def run_sql(root: str | Path, engine: str, text: str, workers: int = 2, **params) -> pa.Table:
    """A product SQL text (DuckDB dialect, the views' macros) run by the engine over every file of the
    tables it reads: for aggregates over the rollups, such as bench/sql/engine_national_daily.sql."""
    root = Path(root)
    if engine == "duckdb":
        return duckdb_sql(root, text, **params)
    if engine == "spark":
        from . import spark
        return spark.run_sql(root, text, workers, **params)
    from . import dask_engine
    return dask_engine.client(workers).submit(duckdb_sql, str(root), text, pure=False, **params).result()


def stop(engine: str) -> None:
    """Stop the engine's session or cluster, if this process started one."""
    if engine in ENGINES[1:]:
        _engine(engine).stop()


def build(root: str | Path, engine: str, provinces: list[str] | None = None, workers: int = 2,
          progress=None) -> dict:
    """(Re)build every rollup for the given provinces (default: all with data) with the engine.
    ``engine == "duckdb"`` is cchc.rollup.build itself."""
    if engine == "duckdb":
        return rollup.build(root, provinces, progress)
    storage.check_writable(root)  # a bucket is read-only: build in a folder, then publish (cchc.storage)
    root = Path(root)
    return {name: _build_one(root, name, provinces, engine, workers, progress) for name in rollup.ROLLUPS}


def _build_one(root: Path, name: str, provinces: list[str] | None, engine: str, workers: int, progress) -> dict:
    """One rollup, as cchc.rollup._build_one writes it, the rows computed by the engine."""
    table = schema.TABLES[name]
    source, _query = rollup.ROLLUPS[name]
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    with store.writing(root, name, what=table.vi):
        folder = table.path(root)
        old = rollup.built(root, name) if folder.is_dir() else {}
        if folder.is_dir() and old.get("format", 1) != rollup.FORMAT[name]:  # an older layout: nothing kept
            old, provinces = {}, None
        todo = sorted(provinces) if provinces else rollup.provinces_with_data(root, source)
        record: dict = {"format": rollup.FORMAT[name], "provinces": {}, "horizons": {}}
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
            # the signature is taken before the engine reads the files (as cchc.rollup does): a file
            # changed meanwhile makes the rollup stale, never wrongly fresh
            sigs = {p: rollup.source_signature(root, source, p) for p in todo}
            jobs = [(name, p) for p in todo if sigs[p]]
            rows = 0
            for _n, p, t in compute_all(root, engine, jobs, workers):
                t = t.select(file_schema.names).cast(file_schema)
                years = pc.year(t["day"])
                for y in sorted(set(years.to_pylist())):
                    d = tmp / f"year={y}" / f"province_code={p}"
                    d.mkdir(parents=True, exist_ok=True)
                    pq.write_table(t.filter(pc.equal(years, y)), d / "part-0000.parquet", row_group_size=rollup.ROW_GROUP)
                record["provinces"][p] = sigs[p]
                if t.num_rows and "open_end" in file_schema.names:
                    record["horizons"][p] = pc.max(t["day"]).as_py().isoformat()
                rows += t.num_rows
                say(f"{table.vi}, tỉnh {p} ({engine}): {t.num_rows:_} dòng".replace("_", "."))
            # the same order of keys as cchc.rollup writes, whatever order the engine finished in
            record["provinces"] = dict(sorted(record["provinces"].items()))
            record["horizons"] = dict(sorted(record["horizons"].items()))
            record["rows_built"] = rows
            record["seconds"] = round(time.perf_counter() - t0, 2)
            record["engine"] = engine
            (tmp / rollup.BUILT).write_text(json.dumps(record, indent=0), encoding="utf-8")
            store.swap_dir(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return {"provinces": sorted(record["provinces"]), "rows": rows, "seconds": record["seconds"]}
