"""Apache Spark (pyspark) as the rollup engine: the product's own SQL (queries/build_*.sql, made Spark
SQL by cchc.engines.sqlport) run by Spark over the same hive-partitioned Parquet.

Locally (``--workers N``) Spark runs in this process's JVM as ``local[N]``; on a cluster set
``CCHC_SPARK_MASTER`` (e.g. ``spark://host:7077``) and the data directory must be the same path on
every worker (a shared mount; or an object store URL with Spark's own connector).
Spark needs Java 17 (Debian: openjdk-17-jre-headless).
"""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Iterator

import pyarrow as pa

from .. import schema
from . import sqlport

_SESSION = None


def session(workers: int = 2):
    """One Spark session per process (Spark allows one active context), created on first use."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    from pyspark.sql import SparkSession

    master = os.environ.get("CCHC_SPARK_MASTER") or f"local[{int(workers)}]"
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # listen on loopback only
    b = (SparkSession.builder.master(master).appName("cchc-rollup")
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.memory", os.environ.get("CCHC_SPARK_DRIVER_MEMORY", "2g"))
         # Timestamps are wall-clock times without a zone: read and cast them in UTC, so a day is the
         # same day as in DuckDB whatever the machine's zone.
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
         # province_code '01' must stay a string, as in the schema
         .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
         .config("spark.sql.shuffle.partitions", str(max(2 * int(workers), 2)))
         .config("spark.sql.adaptive.enabled", "true")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    _SESSION = b.getOrCreate()
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def stop() -> None:
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None


def _register(spark, root: Path, table: schema.Table, files: list[str]) -> None:
    """raw_<table>: a view over the given files of a hive-partitioned table (partition columns kept)."""
    df = spark.read.option("basePath", str(table.path(root))).parquet(*files)
    df.createOrReplaceTempView("raw_" + table.name)


def compute(root: Path, query: str, source: schema.Table, province: str, workers: int = 2, spark=None) -> pa.Table:
    """The rows of queries/<query>.sql for one province, computed by Spark, as an Arrow table."""
    spark = spark or session(workers)
    files = source.province_files(root, province)
    _register(spark, root, source, files)
    text = sqlport.to_spark((sqlport.QUERIES / f"{query}.sql").read_text(encoding="utf-8"))
    return spark.sql(text, args={"provinces": [province]}).toArrow()


def compute_all(root: Path, jobs: list[tuple[str, schema.Table, str]], workers: int = 2) -> Iterator[tuple[str, str, pa.Table]]:
    """(query, province, rows) for each (query, source table, province) of jobs, as they finish. The
    provinces run as concurrent Spark jobs (each in its own session of the one Spark context: its own
    temporary views), so small provinces do not leave the workers idle between stages."""
    base = session(workers)
    with ThreadPoolExecutor(max_workers=max(2, int(workers))) as pool:
        futures = {pool.submit(compute, root, q, src, p, workers, base.newSession()): (q, p) for q, src, p in jobs}
        for f in as_completed(futures):
            q, p = futures[f]
            yield q, p, f.result()


def run_sql(root: Path, sql: str, workers: int = 2, **params) -> pa.Table:
    """A product SQL text (DuckDB dialect) through Spark, over every file of each table it reads
    (raw_<table> or raw_<table>_in(...))."""
    spark = session(workers)
    words = {w.lower() for w in re.findall(r"raw_(\w+?)(?:_in)?\b", sql)}
    for t in schema.TABLES.values():
        if t.name not in words:
            continue
        if t.partition_by:
            files = sorted(str(p) for p in t.path(root).glob("*/*/*.parquet"))
            _register(spark, root, t, files)
        else:
            spark.read.parquet(str(t.path(root))).createOrReplaceTempView("raw_" + t.name)
    return spark.sql(sqlport.to_spark(sql), args=params).toArrow()


def warm(workers: int = 2) -> float:
    """Start the session; seconds it took."""
    t0 = time.perf_counter()
    session(workers).sql("SELECT 1").collect()
    return time.perf_counter() - t0
