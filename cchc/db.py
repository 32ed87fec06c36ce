"""The query layer: one DuckDB connection per process over the Parquet tables, named SQL queries.

    db = Database(data_dir)                # views from queries/views/*.sql, locked to data_dir
    df = db.run("dossier_kpis", province="30", district=None, unit="10621", start=..., end=...)

Each call takes its own cursor (a DuckDB connection is not safe to share between threads, its
cursors are), binds the parameters by name and returns a polars DataFrame. SQL never has values
formatted into it: the only text the loader puts into SQL is the path of each table's files, which
comes from the configured data directory, not from a user.
"""
from __future__ import annotations

import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from . import schema

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_]\w*)")


class DataError(RuntimeError):
    """A problem with the data directory, worded for the user (Vietnamese)."""


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data directory: explicit argument, else CCHC_DATA_DIR, else data/ in the repository."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("CCHC_DATA_DIR")
    return Path(env).expanduser().resolve() if env else ROOT / "data"


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _source(t: schema.Table, root: Path) -> str:
    """read_parquet(...) of a table's files, with partition types fixed by the schema. Every file is written
    with the table's Arrow schema, so no union_by_name: it would open every file's footer at bind time
    (57 ms a scan over 315 files, docs/performance.md)."""
    if t.partition_by:
        types = ", ".join(f"{c}: {'SMALLINT' if t.arrow_schema.field(c).type == schema.I16 else 'VARCHAR'}"
                          for c in t.partition_by)
        return (f"read_parquet({_literal(t.glob(root))}, hive_partitioning = true, "
                f"hive_types = {{{types}}})")
    return f"read_parquet({_literal(t.glob(root))})"


def _raw_view_ddl(t: schema.Table, root: Path) -> str:
    """CREATE VIEW raw_<table>: the table name comes from cchc.schema, the path is quoted as a literal."""
    return "CREATE VIEW raw_" + t.name + " AS SELECT * FROM " + _source(t, root)


def _lock_ddl(root: Path) -> str:
    """Restrict file access to the data directory (and the queries folder)."""
    return "SET allowed_directories = [" + _literal(str(root)) + ", " + _literal(str(QUERIES)) + "]"


def check_data_dir(root: Path) -> None:
    if not root.exists():
        raise DataError(f"Không tìm thấy thư mục dữ liệu {root}. Hãy tạo dữ liệu mẫu: python -m cchc sample "
                        f"--data-dir {root}")
    missing = [t.name for t in schema.TABLES.values()
               if not (t.path(root).exists() and (not t.partition_by or any(t.path(root).rglob("*.parquet"))))]
    if missing:
        raise DataError(f"Thư mục dữ liệu {root} thiếu bảng: {', '.join(missing)}. Hãy tạo dữ liệu mẫu "
                        f"(python -m cchc sample --data-dir {root}) hoặc nạp dữ liệu thật.")


def _sql_files(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.sql"))}


class Database:
    def __init__(self, root: str | os.PathLike | None = None, threads: int | None = None):
        self.root = data_dir(root)
        check_data_dir(self.root)
        self.con = duckdb.connect(":memory:", config={"threads": int(threads)} if threads else {})
        for t in schema.TABLES.values():
            self.con.execute(_raw_view_ddl(t, self.root))
        # Views in dependency order: files are named NN_name.sql.
        for name, sql in _sql_files(QUERIES / "views").items():
            try:
                self.con.execute(sql)
            except duckdb.Error as e:
                raise DataError(f"Không tạo được view {name} trên dữ liệu {self.root}: {e}") from e
        self.con.execute(_lock_ddl(self.root))
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")
        self._queries = _sql_files(QUERIES)
        self._lock = threading.Lock()

    def query_names(self) -> list[str]:
        return sorted(self._queries)

    def params_of(self, name: str) -> list[str]:
        return sorted(set(_PARAM.findall(self._queries[name])))

    def run(self, name: str, **params: Any) -> pl.DataFrame:
        """Run queries/<name>.sql with its named parameters bound; extra keyword arguments are ignored,
        missing ones are an error."""
        if name not in self._queries:
            raise KeyError(f"no query named {name!r}")
        return self.sql(self._queries[name], **params)

    def sql(self, text: str, **params: Any) -> pl.DataFrame:
        wanted = set(_PARAM.findall(text))
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"missing query parameters: {', '.join(sorted(missing))}")
        bound = {k: params[k] for k in wanted}
        with self._lock:
            cur = self.con.cursor()
        try:
            return cur.sql(text, params=bound or None).pl()
        finally:
            cur.close()

    def fingerprint(self) -> str:
        """Changes whenever a data file is added, removed or rewritten (cache key for the app)."""
        h = 0
        n = 0
        for p in self.root.rglob("*.parquet"):
            st = p.stat()
            h ^= hash((str(p), st.st_mtime_ns, st.st_size))
            n += 1
        return f"{n}-{h & 0xFFFFFFFFFFFF:x}"

    def close(self) -> None:
        self.con.close()


def as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(d)
