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
  daily rollup (ROLLUP_TWINS, cchc.rollup) while the rollup matches the province's files (after a
  partition's horizon, ``dossier_kpis_daily`` reads that day's stocks);
- reference queries (REFERENCE_QUERIES: the procedure catalogue, procedures in force, a unit's
  lookup) are answered from memory while the files of their tables are unchanged.

A damaged table breaks only what reads it. At start, each one-file table's footer is checked against
cchc/schema.py (a few hundred µs a table, once); a damaged one gets a view of the right columns that
raises when a query reads it (DAMAGED_MARK), so Database() and every query that does not read it keep
working. A query that fails while reading a file (truncated, not Parquet, a column missing or of
another type, pages that do not decode) raises DamagedTableError, worded in Vietnamese, naming the
file relative to the data directory and saying what to do. Nothing is checked per query: the file is
looked for only after DuckDB has failed.
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
import pyarrow.parquet as pq

from . import rollup, schema, storage, store
from .storage import DataError

warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
# Query parameters the Database fills in itself when a query uses them and the caller did not give
# them: the files of the provinces $provinces in a table (partition_files; cchc.units.Unit.scope gives
# the province partitions a unit's rows are in, both maps), for the *_for macros and the rollup
# twins, and the horizon of a province's dossier_daily rollup (cchc.rollup.horizon).
FILE_PARAMS = {"dossier_files": "dossiers", "rating_files": "ratings", "daily_files": "dossier_daily",
               "rating_daily_files": "rating_daily"}
AUTO_PARAMS = (*FILE_PARAMS, "daily_horizon")
# Queries with a twin over the dossier_daily rollup (cchc.rollup): for a scope made of whole province
# partitions whose rollups match their files, run() runs the twin instead, once per partition
# (each with its own horizon), and adds the results up by their text columns; same columns, same
# figures (tests/test_rollup.py), a few thousand rows read instead of every dossier. A new province
# is whole partitions (its own and its predecessors'); an old province is, for periods that end
# before the new map (an old unit's periods always do: cchc.coverage).
ROLLUP_TWINS = {"dossier_kpis": ("dossier_kpis_daily", "dossier_daily"),
                "monthly_trend": ("monthly_trend_daily", "dossier_daily"),
                "rating_kpis": ("rating_kpis_daily", "rating_daily")}
# A period starting after a partition's rollup horizon (an old province after the change of map) is
# answered by the twins too: dossier_kpis_daily then reads the horizon's stocks (until 05/12/2026 it fell
# back to the dossiers, for the whole scope: a new province's last 12 months at 200 M dossiers took 371 ms
# instead of 36, the nation's 19 s instead of 0,45: docs/performance-national.md).
# The columns a twin's rows are keyed by: results over several partitions are summed by them.
TWIN_KEYS = {"dossier_kpis_daily": ("field", "procedure_code"), "monthly_trend_daily": ("received_month", "finished_month"),
             "rating_kpis_daily": ("field", "level", "satisfied")}
# Reference queries: small lookups over reference tables that many calls repeat (the procedure
# catalogue beside every KPI table, the procedures in force on a day). Their results are kept per
# Database, per parameters, while the files of the tables named here are unchanged (inode, size and
# mtime).
REFERENCE_QUERIES = {"procedure_catalogue": ("procedures",), "procedures_in_force": ("procedures",),
                     "unit_lookup": ("units",), "unit_predecessors": ("units",),
                     "unit_partial_predecessors": ("units",), "units_children": ("units",),
                     "units_children_predecessors": ("units",)}
REFERENCE_KEEP = 4096  # results kept at most (then forgotten all at once)
_PARAM = re.compile(r"(?<![:$\w])\$([A-Za-z_]\w*)")


def whole_partitions(scope: dict, end) -> bool:
    """True when a scope (cchc.units.Unit.scope) is every row of its province partitions over a
    period ending on ``end``: a new province (its partition and its predecessors', whole), or an old
    province over a period ending before the new map (its partition's later rows are the new
    province's, which a period ending before the change never reaches)."""
    if scope.get("old_districts") is not None or scope.get("old_units") is not None or scope.get("new_units") is not None:
        return False
    if scope.get("map") == "new":
        return True
    return end is not None and as_date(end) < scope["change"]


def _add_up(parts: list[pl.DataFrame], keys: tuple[str, ...]) -> pl.DataFrame:
    """Results of one query over several partitions as one: the other columns summed by ``keys``."""
    df = pl.concat(parts, how="vertical_relaxed")
    return df.group_by(list(keys), maintain_order=True).agg(pl.exclude(list(keys)).sum())


def params_in(text: str) -> set[str]:
    """The named parameters ($name) an SQL text uses."""
    return set(_PARAM.findall(text))


class DamagedTableError(DataError):
    """A query read a file of a table that is damaged or does not match cchc/schema.py. ``file`` is
    its path relative to the data directory; the message (Vietnamese) names it and says what to do."""

    def __init__(self, message: str, table: str, file: str):
        super().__init__(message)
        self.table = table
        self.file = file


# What a damaged one-file table's view raises when read (DuckDB's error(); cchc.db maps it back).
DAMAGED_MARK = "CCHC_DAMAGED_TABLE:"
# DuckDB types of the schema's Arrow types (the columns of a damaged table's view).
_DUCK_TYPES = {pa.string(): "VARCHAR", pa.int16(): "SMALLINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
               pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.date32(): "DATE"}
# Exceptions DuckDB raises while reading a file it cannot decode (the plain duckdb.Error included:
# a damaged page comes as "TProtocolException: Invalid data"). After one of these the files the
# query reads are decoded in full to find the damaged one; after any other error only their footers
# are checked.
_READ_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException,
                duckdb.InternalException, duckdb.SerializationException)
# Tries of a query whose read failed although its files are sound (a file replaced mid-query).
READ_ATTEMPTS = 3
_QUOTED_PATH = re.compile(r"""['"]([^'"]+?\.parquet)['"]""")
_CREATES = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:VIEW|MACRO)\s+(\w+)", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def _family(typ: pa.DataType) -> str:
    """The kind of a column's type, as far as the SQL cares (DuckDB reads int16 and int64 alike, a
    timestamp in ms or µs alike)."""
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
        return "text"
    if pa.types.is_integer(typ):
        return "integer"
    if pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        return "real"
    if pa.types.is_boolean(typ):
        return "boolean"
    if pa.types.is_date(typ):
        return "date"
    if pa.types.is_timestamp(typ):
        return "timestamp"
    return str(typ)


# Kinds a column of each kind may be stored as (a real column may hold whole numbers).
_ACCEPTS = {"real": {"real", "integer"}}
_KIND_VI = {"text": "chuỗi", "integer": "số nguyên", "real": "số thực", "boolean": "đúng/sai", "date": "ngày",
            "timestamp": "ngày giờ"}


def check_file(t: schema.Table, path: str | os.PathLike, full: bool = False) -> str | None:
    """What is wrong with one Parquet file of table ``t`` (Vietnamese, to follow "tệp … "), or None.
    Reads the footer only (columns and their types against cchc/schema.py); ``full`` also decodes every
    row group, which finds damaged pages (slow: only after a query has failed)."""
    src = None
    try:
        if storage.size(path) == 0:
            return "rỗng (0 byte)"
        src = storage.open_input(path)  # the path itself for a local file
        pf = pq.ParquetFile(src)
        got = pf.schema_arrow
    except FileNotFoundError:
        _close(src)
        return "không còn trong thư mục dữ liệu"
    except DataError:  # the object store cannot be reached: not a damaged file
        _close(src)
        raise
    except Exception:  # noqa: BLE001 - whatever pyarrow says, the footer cannot be read
        _close(src)
        return "bị cắt cụt hoặc không phải tệp Parquet (không đọc được phần cuối tệp)"
    try:
        missing, wrong = [], []
        for c in t.columns:
            if c.name in t.partition_by:
                continue
            i = got.get_field_index(c.name)
            if i < 0:
                missing.append(c.name)
                continue
            want, have = _family(c.type), _family(got.field(i).type)
            if have != want and have not in _ACCEPTS.get(want, ()):
                wrong.append(f"cột {c.name} là {_KIND_VI.get(have, have)}, cần {_KIND_VI.get(want, want)}")
        if missing or wrong:
            return "không đúng cấu trúc của bảng: " + "; ".join(
                ([f"thiếu cột {', '.join(missing)}"] if missing else []) + wrong)
        if full:
            names = [n for n in t.file_columns if n in got.names]
            for i in range(pf.num_row_groups):
                pf.read_row_group(i, columns=names)
    except Exception:  # noqa: BLE001 - a page that does not decode
        return "có dữ liệu bị hỏng bên trong (không giải mã được)"
    finally:
        pf.close()
        _close(src)
    return None


def _close(src) -> None:
    """Close what storage.open_input opened (an object's file; a local path needs nothing)."""
    if src is not None and hasattr(src, "close"):
        src.close()


def damage_message(root: Path, t: schema.Table, file: str | os.PathLike, problem: str) -> str:
    """The message of a damaged file of table ``t``: which file (relative to the data directory), what
    is wrong, what to do."""
    rel = storage.relative(file, root) if storage.is_remote(root) else None
    if rel is None:
        try:
            rel = Path(file).relative_to(root).as_posix()
        except (ValueError, TypeError):
            rel = str(file).rsplit("/", 1)[-1]
    head = f"Không đọc được bảng {t.name} ({t.vi}): tệp {rel} trong thư mục dữ liệu {problem}."
    # The sample generator does not overwrite a sample whose files changed since it wrote them
    # (cchc.sample): a damaged sample is generated again into a new folder.
    sample = ("nếu đây là dữ liệu mẫu, hãy tạo lại vào một thư mục mới: python -m cchc sample --data-dir "
              "<thư mục mới>, rồi dùng thư mục đó")
    if t.derived:
        todo = f"Hãy tạo lại bảng tổng hợp bằng: python -m cchc rollup --data-dir {root}"
    elif t.name == "index_results":
        todo = ("Hãy khôi phục tệp từ bản sao lưu, hoặc đổi tên tệp hỏng rồi nạp lại điểm công bố: python -m cchc "
                f"import-results <tệp> --data-dir {root}; {sample}")
    else:
        todo = f"Hãy khôi phục tệp từ bản sao lưu hoặc nạp lại dữ liệu của bảng này; {sample}"
    return f"{head} {todo}."


def _damaged_view_ddl(t: schema.Table, root: Path) -> list[str]:
    """raw_<t> of a damaged table: its columns, typed as the schema says (so the views over it are
    created), and an error (DAMAGED_MARK + table) as soon as a query reads it; for a partitioned
    table also its two macros, over that view. Names come from cchc.schema, as in _raw_view_ddl."""
    err = "error(" + _literal(DAMAGED_MARK + t.name) + ")"
    cols = ", ".join("CAST(" + err + " AS " + _DUCK_TYPES.get(c.type, "TIMESTAMP") + ") AS " + c.name for c in t.columns)
    out = ["CREATE OR REPLACE VIEW raw_" + t.name + " AS SELECT " + cols + " FROM range(1) WHERE " + err + " IS NULL"]
    if t.partition_by:
        out += ["CREATE OR REPLACE MACRO raw_" + t.name + "_in(p_files) AS TABLE SELECT * FROM raw_" + t.name,
                "CREATE OR REPLACE MACRO " + t.name + "_files_all() AS [" + _literal(t.glob(root)) + "]"]
    return out


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The data directory: explicit argument, else CCHC_DATA_DIR, else data/ in the repository. A value
    ``s3://bucket/prefix`` names a prefix of an S3-compatible bucket: a cchc.storage.Remote, read-only."""
    if explicit:
        return storage.data_root(explicit)
    env = os.environ.get("CCHC_DATA_DIR")
    return storage.data_root(env) if env else ROOT / "data"


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


def _raw_view_ddl(t: schema.Table, root: Path, files: list[str] | None = None) -> list[str]:
    """raw_<table>: a view over all the table's files. A partitioned table also gets the table macro
    raw_<table>_in(p_files), the same over a given list of its files (bound as a parameter, see
    Database.partition_files), and <table>_files_all(), the list that means every file: the glob, or
    ``files`` when given (DuckDB binds a view on the first file of its list: a damaged first file is put
    after a sound one, see Database._create_partitioned). The table name comes from cchc.schema, the
    paths are quoted as literals."""
    if t.derived:  # may be absent: no view over "every file", which would fail to bind
        return ["CREATE OR REPLACE MACRO raw_" + t.name + "_in(p_files) AS TABLE SELECT * FROM " + _read(t, "p_files")]
    if not t.partition_by:
        return ["CREATE OR REPLACE VIEW raw_" + t.name + " AS SELECT * FROM " + _read(t, _literal(t.glob(root)))]
    every = ", ".join(_literal(f) for f in files) if files else _literal(t.glob(root))
    return ["CREATE OR REPLACE MACRO " + t.name + "_files_all() AS [" + every + "]",
            "CREATE OR REPLACE MACRO raw_" + t.name + "_in(p_files) AS TABLE SELECT * FROM " + _read(t, "p_files"),
            "CREATE OR REPLACE VIEW raw_" + t.name + " AS SELECT * FROM raw_" + t.name + "_in(" + t.name + "_files_all())"]


def _lock_ddl(root: Path) -> str:
    """Restrict file access to the data directory (and the queries folder)."""
    return "SET allowed_directories = [" + _literal(str(root)) + ", " + _literal(str(QUERIES)) + "]"


def check_data_dir(root: Path) -> None:
    if storage.is_remote(root):
        storage.check_reachable(root)  # lists the bucket now: a Vietnamese DataError when it cannot
        if not root.exists():
            raise DataError(f"Kho dữ liệu {root} không có tệp nào. Hãy công bố một thư mục dữ liệu lên đó: python -m "
                            f"cchc publish --data-dir <thư mục dữ liệu> --to {root}")
    elif not root.exists() and not store.recover(root):  # a swap interrupted between its two renames
        raise DataError(f"Không tìm thấy thư mục dữ liệu {root}. Hãy tạo dữ liệu mẫu: python -m cchc sample "
                        f"--data-dir {root}")
    missing = [t.name for t in schema.TABLES.values() if not t.derived
               if not (t.path(root).exists() and (not t.partition_by or any(t.path(root).rglob("*.parquet"))))]
    if missing:
        raise DataError(f"Thư mục dữ liệu {root} thiếu bảng: {', '.join(missing)}. Hãy tạo dữ liệu mẫu "
                        f"(python -m cchc sample --data-dir {root}) hoặc nạp dữ liệu thật.")


def _stamp(path: str | os.PathLike) -> tuple | None:
    return storage.stamp(path)


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
        fs = storage.filesystem(self.root)
        if fs is not None:  # a bucket: DuckDB reads s3://… through it (before the configuration is locked)
            self.con.register_filesystem(fs)
        # Tables found damaged at start: name -> (file, what is wrong, the file's stat then).
        self.damaged: dict[str, tuple[str, str, tuple | None]] = {}
        # The tables each view, macro and file parameter reads (to look for a damaged file after a
        # query failed, among the files it reads only).
        self._reads: dict[str, set[str]] = {p: {t} for p, t in FILE_PARAMS.items()}
        for t in schema.TABLES.values():
            self._reads.update({f"raw_{t.name}": {t.name}, f"raw_{t.name}_in": {t.name}, f"{t.name}_files_all": {t.name}})
            if t.partition_by and not t.derived:
                self._create_partitioned(t)
                continue
            if not t.derived:
                problem = check_file(t, t.path(self.root))
                if problem:  # a view that says so when read, instead of failing here
                    self.damaged[t.name] = (str(t.path(self.root)), problem, _stamp(t.path(self.root)))
                    for ddl in _damaged_view_ddl(t, self.root):
                        self.con.execute(ddl)
                    continue
            for ddl in _raw_view_ddl(t, self.root):
                self.con.execute(ddl)
        # Views in dependency order: files are named NN_name.sql.
        for name, sql in _sql_files(QUERIES / "views").items():
            self._note_reads(sql)
            try:
                self.con.execute(sql)
            except duckdb.Error as e:
                err = self._damage_of(e, sql, {})
                if isinstance(err, DataError):
                    raise err from None
                raise DataError(f"Không tạo được view {name} trên dữ liệu {self.root}: {e}") from e
        self.con.execute(_lock_ddl(self.root))
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")
        self._queries = _sql_files(QUERIES)
        self._lock = threading.Lock()
        self._reference: dict[tuple, tuple[tuple, pl.DataFrame]] = {}

    def _create_partitioned(self, t: schema.Table) -> None:
        """The views of a partitioned table. DuckDB binds a view over many files on the first one: if
        that one is damaged, the list of every file is written out with a sound file first (files
        added later are then not seen until the next start), and a query reading the damaged file
        fails with DamagedTableError; if none is sound, the table's views say so when read."""
        try:
            for ddl in _raw_view_ddl(t, self.root):
                self.con.execute(ddl)
            return
        except duckdb.Error:
            pass
        files = sorted(storage.glob(t.glob(self.root)))
        problems = {f: check_file(t, f) for f in files}
        sound = [f for f in files if problems[f] is None]
        if sound:
            try:
                for ddl in _raw_view_ddl(t, self.root, sound[:1] + [f for f in files if f != sound[0]]):
                    self.con.execute(ddl)
                return
            except duckdb.Error:
                pass
        bad = next((f for f in files if problems[f]), files[0] if files else t.glob(self.root))
        self.damaged[t.name] = (bad, problems.get(bad) or "không giải mã được", _stamp(bad))
        for ddl in _damaged_view_ddl(t, self.root):
            self.con.execute(ddl)

    def _note_reads(self, sql: str) -> None:
        """Record the tables each view or macro an SQL file creates reads (through the ones before it)."""
        found = list(_CREATES.finditer(sql))
        for m, nxt in zip(found, found[1:] + [None]):
            body = sql[m.end():nxt.start() if nxt else len(sql)]
            self._reads[m.group(1)] = self.tables_read(body)

    def tables_read(self, sql: str) -> set[str]:
        """The tables an SQL text reads, through the views and macros it names."""
        out: set[str] = set()
        for w in set(_WORD.findall(sql)):
            out |= self._reads.get(w, set())
        return out

    def query_names(self) -> list[str]:
        return sorted(self._queries)

    def params_of(self, name: str) -> list[str]:
        """The parameters a caller gives the query: those of its SQL but the ones the Database fills in
        (AUTO_PARAMS), and ``provinces`` for a query over partitioned files or with a rollup twin: it is
        not in the SQL, but it chooses the files read and the twin run (routed). A caching wrapper that
        passed on only the SQL's parameters (cchc.ui.state.CachedDatabase did, until 05/12/2026) made every
        query read every province's files and never use a rollup: 31 s for a province's first overview at
        200 M dossiers instead of 8 s (docs/performance-national.md)."""
        used = params_in(self._queries[name])
        wanted = used - set(AUTO_PARAMS)
        if used & set(FILE_PARAMS) or name in ROLLUP_TWINS:
            wanted.add("provinces")
        return sorted(wanted)

    def run(self, name: str, **params: Any) -> pl.DataFrame:
        """Run queries/<name>.sql with its named parameters bound; extra keyword arguments are ignored,
        missing ones are an error."""
        if name not in self._queries:
            raise KeyError(f"no query named {name!r}")
        if name in REFERENCE_QUERIES:
            return self._run_reference(name, params)
        if not storage.is_remote(self.root):
            return self._run(name, params)
        # A bucket: if its listing was renewed while the query ran (an object replaced by a publish
        # failed its read, cchc.storage), the query is routed and run again on the new listing alone.
        seen = storage.generation(self.root)
        df = self._run(name, params)
        return df if storage.generation(self.root) == seen else self._run(name, params)

    def _run(self, name: str, params: dict) -> pl.DataFrame:
        routed = self.routed(name, params)
        if routed == name:
            return self.sql(self._queries[name], **params)
        if "daily_horizon" not in params_in(self._queries[routed]) or len(params["provinces"]) == 1:
            return self.sql(self._queries[routed], **params)
        # a twin that takes the stocks at a province's horizon runs once per partition, each with its own
        parts = [self.sql(self._queries[routed], **{**params, "provinces": [p]}) for p in params["provinces"]]
        return _add_up(parts, TWIN_KEYS[routed])

    def _run_reference(self, name: str, params: dict) -> pl.DataFrame:
        """A reference query (REFERENCE_QUERIES), from this Database's memory while its tables' files
        are unchanged."""
        # repr: a scope ($scope) is a dict of lists; its text names it exactly (same keys, same order)
        key = (name, tuple(sorted((k, repr(params.get(k))) for k in self.params_of(name))))
        stamp = []
        for table in REFERENCE_QUERIES[name]:
            stamp.append(storage.stamp(schema.TABLES[table].path(self.root)))
        kept = self._reference.get(key)
        if kept is not None and kept[0] == tuple(stamp):
            return kept[1]
        df = self.sql(self._queries[name], **params)
        if len(self._reference) >= REFERENCE_KEEP:  # one entry per unit code looked up: keep it bounded
            self._reference.clear()
        self._reference[key] = (tuple(stamp), df)
        return df

    def routed(self, name: str, params: dict) -> str:
        """The query run for ``name``: its rollup twin (ROLLUP_TWINS) for a scope of whole province
        partitions whose rollups are all fresh, else itself."""
        twin, table = ROLLUP_TWINS.get(name, (None, None))
        scope, provinces = params.get("scope"), params.get("provinces")
        if not (twin and self.use_rollup and scope and provinces and whole_partitions(scope, params.get("end"))
                and all(rollup.fresh(self.root, table, str(p)) for p in provinces)):
            return name
        return twin

    def sql(self, text: str, **params: Any) -> pl.DataFrame:
        wanted = params_in(text)
        filled = [n for n in FILE_PARAMS if n in wanted and n not in params]
        for name in filled:
            params = {**params, name: self.partition_files(FILE_PARAMS[name], params.get("provinces"))}
        horizon_filled = "daily_horizon" in wanted and "daily_horizon" not in params
        if horizon_filled:
            one = (params.get("provinces") or [None])[0]
            params = {**params, "daily_horizon": rollup.horizon(self.root, one)}
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"missing query parameters: {', '.join(sorted(missing))}")
        bound = {k: params[k] for k in wanted}
        for attempt in range(READ_ATTEMPTS):
            with self._lock:
                cur = self.con.cursor()
            try:
                # execute + Arrow, not cur.sql(...).pl(): the relational path binds every statement a
                # second time in Python (≈ 5 ms a query, docs/performance.md); the results are small, so
                # the extra copy DuckDB warns about costs nothing that matters.
                return pl.from_arrow(_whole_numbers_as_int64(cur.execute(text, bound or None).to_arrow_table()))
            except duckdb.Error as e:
                last = attempt == READ_ATTEMPTS - 1
                # A read error may be a writer replacing a file between DuckDB's binding (which reads
                # its footer) and its scan (which reads its pages): cchc.store's rename is atomic for
                # each open, not across DuckDB's two. Read again before looking for a damaged file.
                if not last and (isinstance(e, _READ_ERRORS) or type(e) is duckdb.Error) \
                        and DAMAGED_MARK not in str(e):
                    if storage.is_remote(self.root):  # a bucket: its files may have changed since listed
                        storage.refresh(self.root)
                        bound.update({n: self.partition_files(FILE_PARAMS[n], params.get("provinces")) for n in filled})
                        if horizon_filled:
                            bound["daily_horizon"] = rollup.horizon(self.root, (params.get("provinces") or [None])[0])
                    continue
                err = self._damage_of(e, text, bound)
                if err is None:
                    raise
                if err is not True or last:
                    raise (err if err is not True else DataError(str(e))) from None
            finally:
                cur.close()
        raise AssertionError("unreachable")

    # --- damaged files ---------------------------------------------------------------------------
    def _damage_of(self, e: duckdb.Error, text: str, bound: dict) -> "DamagedTableError | bool | None":
        """After DuckDB failed on a query: the DamagedTableError of the file it could not read, True if
        the damaged table it read has been repaired since (its view is then restored: run it again), or
        None when no file the query reads is damaged (an error of the query itself)."""
        msg = str(e)
        m = re.search(re.escape(DAMAGED_MARK) + r"(\w+)", msg)
        if m and m.group(1) in schema.TABLES:
            if m.group(1) not in self.damaged:  # restored meanwhile by another query
                return True
            t = schema.TABLES[m.group(1)]
            file, problem, stamp = self.damaged[t.name]
            if not t.partition_by and _stamp(file) != stamp and check_file(t, file) is None:
                with self._lock:
                    for ddl in _raw_view_ddl(t, self.root):
                        self.con.execute(ddl)
                    self.damaged.pop(t.name, None)
                return True
            return self._damaged(t, file, check_file(t, file) or problem)
        # The files DuckDB names (IO errors, a file too short, a column missing from a file of a glob).
        named = [p for p in _QUOTED_PATH.findall(msg) if self._table_of(p)]
        decode = isinstance(e, _READ_ERRORS) or type(e) is duckdb.Error
        for full in (False, True) if decode else (False,):
            for p in named:
                problem = check_file(self._table_of(p), p, full=full)
                if problem:
                    return self._damaged(self._table_of(p), p, problem)
        if named and decode:  # pyarrow reads it, DuckDB does not
            return self._damaged(self._table_of(named[-1]), named[-1], "không giải mã được (DuckDB không đọc được tệp)")
        # Else the files of the tables the query reads: footers first, then (a read error) every page.
        files = self._files_of(text, bound)
        for full in (False, True) if decode else (False,):
            for t, f in files:
                problem = check_file(t, f, full=full)
                if problem:
                    return self._damaged(t, f, problem)
        return None

    def _damaged(self, t: schema.Table, file: str, problem: str) -> DamagedTableError:
        if storage.is_remote(self.root):
            rel = storage.relative(file, self.root) or str(file).rsplit("/", 1)[-1]
        else:
            rel = Path(file).relative_to(self.root).as_posix() if Path(file).is_relative_to(self.root) else Path(file).name
        return DamagedTableError(damage_message(self.root, t, file, problem), t.name, rel)

    def _table_of(self, path: str) -> schema.Table | None:
        """The table a file under the data directory belongs to, else None."""
        if storage.is_remote(self.root):
            rel = storage.relative(path, self.root)
            if not rel:
                return None
            return schema.TABLES.get(rel.split("/", 1)[0].removesuffix(".parquet"))
        try:
            first = Path(path).resolve().relative_to(self.root).parts[0]
        except (ValueError, IndexError, OSError):
            return None
        return schema.TABLES.get(first.removesuffix(".parquet"))

    def _files_of(self, text: str, bound: dict) -> list[tuple[schema.Table, str]]:
        """The files a query may read: one-file tables first (small), then the partition files bound as
        parameters, else every file of the partitioned tables it reads."""
        tables = [schema.TABLES[n] for n in sorted(self.tables_read(text)) if n in schema.TABLES]
        out = [(t, str(t.path(self.root))) for t in tables if not t.partition_by and t.path(self.root).exists()]
        for t in tables:
            if not t.partition_by:
                continue
            given = [v for p, n in FILE_PARAMS.items() if n == t.name and p in bound for v in bound[p]]
            for f in given or [t.glob(self.root)]:
                out += [(t, g) for g in sorted(storage.glob(f))]
        return out

    def partition_files(self, table: str, provinces: list[str] | str | None) -> list[str]:
        """The files of some provinces' partitions of a table (every year), listed now: a query over
        a unit then opens only these instead of listing and filtering every partition (≈ 10 ms with
        315 files). Every file (the glob) when no province is given or none has files."""
        t = schema.TABLES[table]
        if isinstance(provinces, str):
            provinces = [provinces]
        files = [f for p in (provinces or []) if str(p).isdigit() for f in t.province_files(self.root, str(p))]
        return files or [t.glob(self.root)]

    def fingerprint(self) -> str:
        """Changes whenever a data file is added, removed or rewritten (cache key for the app)."""
        h = 0
        n = 0
        if storage.is_remote(self.root):  # the bucket listed again now: one LIST per 1.000 objects
            storage.refresh(self.root)
            for p in storage.rglob(self.root, "*.parquet"):
                h ^= hash((str(p), storage.stamp(p)))
                n += 1
            return f"{n}-{h & 0xFFFFFFFFFFFF:x}"
        for p in self.root.rglob("*.parquet"):
            st = p.stat()
            h ^= hash((str(p), st.st_mtime_ns, st.st_size))
            n += 1
        return f"{n}-{h & 0xFFFFFFFFFFFF:x}"

    def close(self) -> None:
        self.con.close()


def as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(d)
