"""The query layer: one DuckDB connection per process over the Parquet tables, named SQL queries.

    db = Database(data_dir)                # views from queries/views/*.sql, locked to data_dir
    df = db.run("dossier_kpis", province="30", district=None, unit="10621", start=..., end=...)

Each call takes its own cursor (a DuckDB connection is not safe to share between threads, its
cursors are), binds the parameters by name and returns a polars DataFrame. SQL never has values
formatted into it: the only text the loader puts into SQL is the path of each table's files, which
comes from the configured data directory, not from a user.

Three things happen on the way (each tested to give the same figures):
- a query that names ``$dossier_files`` / ``$rating_files`` / ``$daily_files`` gets, bound as a
  parameter, the partition files of the province ``province`` only (FILE_PARAMS), so DuckDB neither
  lists nor filters the other provinces' files;
- ``dossier_kpis``, ``monthly_trend`` and ``rating_kpis`` for a whole province run their twin over the
  daily rollup (ROLLUP_TWINS, cchc.rollup) while the rollup matches the province's files (for
  ``dossier_kpis``, whose twin reads only the period's days, while the period starts by the rollup's
  horizon: TWINS_FROM_START);
- reference queries (REFERENCE_QUERIES: the procedure catalogue, procedures in force, a unit's
  lookup) are answered from memory while the files of their tables are unchanged.
"""
from __future__ import annotations

import os
import re
import threading
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from . import rollup, schema

warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
# Query parameters the Database fills in itself when a query uses them and the caller did not give
# them: the files of the province $province in a table (partition_files), for the *_for macros and
# the rollup twins, and the horizon of its dossier_daily rollup (cchc.rollup.horizon).
FILE_PARAMS = {"dossier_files": "dossiers", "rating_files": "ratings", "daily_files": "dossier_daily",
               "rating_daily_files": "rating_daily"}
AUTO_PARAMS = (*FILE_PARAMS, "daily_horizon")
# Queries with a twin over the dossier_daily rollup (cchc.rollup): for a whole province whose
# rollup matches its dossier files, run() runs the twin instead; same columns, same figures
# (tests/test_rollup.py), a few thousand rows read instead of every dossier.
ROLLUP_TWINS = {"dossier_kpis": ("dossier_kpis_daily", "dossier_daily"),
                "monthly_trend": ("monthly_trend_daily", "dossier_daily"),
                "rating_kpis": ("rating_kpis_daily", "rating_daily")}
# Twins that read only the days of the period (dossier_kpis_daily: the flows in it, the stocks at its
# end): a period starting after the province's rollup horizon has no rows there, so it is answered
# from the dossiers (nothing has changed since the horizon; such periods are rare).
TWINS_FROM_START = {"dossier_kpis_daily"}
# Reference queries: small lookups over reference tables that many calls repeat (the procedure
# catalogue beside every KPI table, the procedures in force on a day). Their results are kept per
# Database, per parameters, while the files of the tables named here are unchanged (inode, size and
# mtime).
REFERENCE_QUERIES = {"procedure_catalogue": ("procedures",), "procedures_in_force": ("procedures",),
                     "unit_lookup": ("units",)}
REFERENCE_KEEP = 4096  # results kept at most (then forgotten all at once)
_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_]\w*)")


def params_in(text: str) -> set[str]:
    """The named parameters ($name) an SQL text uses."""
    return set(_PARAM.findall(text))


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


def _read(t: schema.Table, files: str) -> str:
    """read_parquet(<files>) of a table, with partition types fixed by the schema. Every file is written
    with the table's Arrow schema, so no union_by_name: it would open every file's footer at bind time
    (57 ms a scan over 315 files, docs/performance.md)."""
    if t.partition_by:
        types = ", ".join(f"{c}: {'SMALLINT' if t.arrow_schema.field(c).type == schema.I16 else 'VARCHAR'}"
                          for c in t.partition_by)
        return f"read_parquet({files}, hive_partitioning = true, hive_types = {{{types}}})"
    return f"read_parquet({files})"


def _raw_view_ddl(t: schema.Table, root: Path) -> list[str]:
    """raw_<table>: a view over all the table's files. A partitioned table also gets the table macro
    raw_<table>_in(p_files), the same over a given list of its files (bound as a parameter, see
    Database.partition_files), and <table>_files_all(), the list that means every file. The table name
    comes from cchc.schema, the path is quoted as a literal."""
    if t.derived:  # may be absent: no view over "every file", which would fail to bind
        return ["CREATE MACRO raw_" + t.name + "_in(p_files) AS TABLE SELECT * FROM " + _read(t, "p_files")]
    if not t.partition_by:
        return ["CREATE VIEW raw_" + t.name + " AS SELECT * FROM " + _read(t, _literal(t.glob(root)))]
    return ["CREATE MACRO " + t.name + "_files_all() AS [" + _literal(t.glob(root)) + "]",
            "CREATE MACRO raw_" + t.name + "_in(p_files) AS TABLE SELECT * FROM " + _read(t, "p_files"),
            "CREATE VIEW raw_" + t.name + " AS SELECT * FROM raw_" + t.name + "_in(" + t.name + "_files_all())"]


def _lock_ddl(root: Path) -> str:
    """Restrict file access to the data directory (and the queries folder)."""
    return "SET allowed_directories = [" + _literal(str(root)) + ", " + _literal(str(QUERIES)) + "]"


def check_data_dir(root: Path) -> None:
    if not root.exists():
        raise DataError(f"Không tìm thấy thư mục dữ liệu {root}. Hãy tạo dữ liệu mẫu: python -m cchc sample "
                        f"--data-dir {root}")
    missing = [t.name for t in schema.TABLES.values() if not t.derived
               if not (t.path(root).exists() and (not t.partition_by or any(t.path(root).rglob("*.parquet"))))]
    if missing:
        raise DataError(f"Thư mục dữ liệu {root} thiếu bảng: {', '.join(missing)}. Hãy tạo dữ liệu mẫu "
                        f"(python -m cchc sample --data-dir {root}) hoặc nạp dữ liệu thật.")


def _sql_files(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.sql"))}


def _whole_numbers_as_int64(t: pa.Table) -> pa.Table:
    """DuckDB's count_if and sum of integers are HUGEINT, which reach Arrow as decimal128(38, 0); they
    come back as Int64 like every other count. Converting here (≈ 20 µs, a checked cast: a value
    beyond Int64 is an error, not a wrap) instead of CAST(… AS BIGINT) around each aggregate in the
    SQL, which DuckDB binds and plans one by one: 17 of them cost dossier_kpis ≈ 0,3 ms (docs/performance.md)."""
    whole = [i for i, f in enumerate(t.schema) if pa.types.is_decimal(f.type) and f.type.scale == 0]
    if not whole:
        return t
    return t.cast(pa.schema([f.with_type(pa.int64()) if i in whole else f for i, f in enumerate(t.schema)]))


class Database:
    def __init__(self, root: str | os.PathLike | None = None, threads: int | None = None,
                 use_rollup: bool = True):
        self.root = data_dir(root)
        self.use_rollup = use_rollup
        check_data_dir(self.root)
        self.con = duckdb.connect(":memory:", config={"threads": int(threads)} if threads else {})
        for t in schema.TABLES.values():
            for ddl in _raw_view_ddl(t, self.root):
                self.con.execute(ddl)
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
        self._reference: dict[tuple, tuple[tuple, pl.DataFrame]] = {}

    def query_names(self) -> list[str]:
        return sorted(self._queries)

    def params_of(self, name: str) -> list[str]:
        """The parameters a caller gives the query (those in AUTO_PARAMS the Database fills in)."""
        return sorted(params_in(self._queries[name]) - set(AUTO_PARAMS))

    def run(self, name: str, **params: Any) -> pl.DataFrame:
        """Run queries/<name>.sql with its named parameters bound; extra keyword arguments are ignored,
        missing ones are an error."""
        if name not in self._queries:
            raise KeyError(f"no query named {name!r}")
        if name in REFERENCE_QUERIES:
            return self._run_reference(name, params)
        return self.sql(self._queries[self.routed(name, params)], **params)

    def _run_reference(self, name: str, params: dict) -> pl.DataFrame:
        """A reference query (REFERENCE_QUERIES), from this Database's memory while its tables' files
        are unchanged."""
        key = (name, tuple(sorted((k, params.get(k)) for k in self.params_of(name))))
        stamp = []
        for table in REFERENCE_QUERIES[name]:
            try:
                st = schema.TABLES[table].path(self.root).stat()
                stamp.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                stamp.append(None)
        kept = self._reference.get(key)
        if kept is not None and kept[0] == tuple(stamp):
            return kept[1]
        df = self.sql(self._queries[name], **params)
        if len(self._reference) >= REFERENCE_KEEP:  # one entry per unit code looked up: keep it bounded
            self._reference.clear()
        self._reference[key] = (tuple(stamp), df)
        return df

    def routed(self, name: str, params: dict) -> str:
        """The query run for ``name``: its rollup twin (ROLLUP_TWINS) for a whole province whose
        rollup is fresh (and, for TWINS_FROM_START, whose horizon the period does not start after),
        else itself."""
        twin, table = ROLLUP_TWINS.get(name, (None, None))
        if not (twin and self.use_rollup and params.get("province") is not None and params.get("district") is None
                and params.get("unit") is None and rollup.fresh(self.root, table, str(params["province"]))):
            return name
        if twin in TWINS_FROM_START and params.get("start") is not None:
            horizon = rollup.horizon(self.root, str(params["province"]))
            if horizon is None or as_date(params["start"]) > horizon:
                return name
        return twin

    def sql(self, text: str, **params: Any) -> pl.DataFrame:
        wanted = params_in(text)
        for name, table in FILE_PARAMS.items():
            if name in wanted and name not in params:
                params = {**params, name: self.partition_files(table, params.get("province"))}
        if "daily_horizon" in wanted and "daily_horizon" not in params:
            params = {**params, "daily_horizon": rollup.horizon(self.root, params.get("province"))}
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"missing query parameters: {', '.join(sorted(missing))}")
        bound = {k: params[k] for k in wanted}
        with self._lock:
            cur = self.con.cursor()
        try:
            # execute + Arrow, not cur.sql(...).pl(): the relational path binds every statement a
            # second time in Python (≈ 5 ms a query, docs/performance.md); the results are small, so
            # the extra copy DuckDB warns about costs nothing that matters.
            return pl.from_arrow(_whole_numbers_as_int64(cur.execute(text, bound or None).to_arrow_table()))
        finally:
            cur.close()

    def partition_files(self, table: str, province: str | None) -> list[str]:
        """The files of one province's partitions of a table (every year), listed now: a query over one
        province then opens only these instead of listing and filtering every partition (≈ 10 ms with
        315 files). Every file (the glob) when no province is given or it has none."""
        t = schema.TABLES[table]
        files = t.province_files(self.root, str(province)) if province is not None and str(province).isdigit() else []
        return files or [t.glob(self.root)]

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
