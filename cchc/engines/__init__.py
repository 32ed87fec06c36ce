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
This process then writes the rows with ``cchc.rollup.build`` itself (given the engine's rows: the same
layout, sort, row groups, schema and ``_built.json``, through cchc.store), so ``rollup.fresh`` accepts
the result and the app cannot tell which engine built it (tests/test_engine_rollup.py compares every
file). docs/engines.md has the figures and the choice.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pyarrow as pa

from .. import rollup

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
    """(Re)build every rollup for the given provinces (default: all with data) with the engine, written
    by cchc.rollup.build as always. ``engine == "duckdb"`` is cchc.rollup.build itself."""
    if engine == "duckdb":
        return rollup.build(root, provinces, progress)

    def compute(root: Path, name: str, todo: list[str]) -> Iterator[tuple[str, pa.Table]]:
        for _n, p, t in compute_all(root, engine, [(name, p) for p in todo], workers):
            yield p, t

    return rollup.build(root, provinces, progress, compute=compute, engine=engine)
