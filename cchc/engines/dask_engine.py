"""Dask distributed as the rollup engine: the scheduler hands out one task per (rollup, province); each
worker runs the product's own query (queries/build_*.sql) on its province with DuckDB, exactly as
``cchc rollup`` does, and sends the rows back to be written.

Locally (``--workers N``) a LocalCluster of N worker processes with one thread each; on a cluster set
``CCHC_DASK_SCHEDULER`` (e.g. ``tcp://host:8786``; workers started with ``dask worker``) and the data
directory must be the same path on every worker (a shared mount).
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pyarrow as pa

_CLIENT = None


def client(workers: int = 2):
    global _CLIENT
    if _CLIENT is not None:
        return _CLIENT
    from distributed import Client, LocalCluster

    address = os.environ.get("CCHC_DASK_SCHEDULER")
    if address:
        _CLIENT = Client(address)
    else:
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, memory_limit=0)
        _CLIENT = Client(cluster)
    return _CLIENT


def stop() -> None:
    global _CLIENT
    if _CLIENT is not None:
        cluster = _CLIENT.cluster
        _CLIENT.close()
        if cluster is not None:
            cluster.close()
        _CLIENT = None


# In a worker process: the Database of the build it is serving, (root, build token) -> Database. Opening
# one (the views and macros of queries/views) costs about as much as a small province's query, so a
# worker keeps it for the tasks of one build and opens a new one for the next build.
_DB: dict[tuple[str, str], object] = {}
_DB_LOCK = threading.Lock()


def province_rows(root: str, query: str, province: str, build: str | None = None) -> pa.Table:
    """On a worker: the rows of queries/<query>.sql for one province, by DuckDB (one thread: the
    worker is one slot of the cluster)."""
    from ..db import Database

    with _DB_LOCK:
        db = _DB.get((root, build)) if build else None
        if db is None:
            for old in _DB.values():
                old.close()
            _DB.clear()
            db = Database(Path(root), threads=1, use_rollup=False)
            if build:
                _DB[(root, build)] = db
    try:
        return db.run(query, provinces=[province]).to_arrow()
    finally:
        if not build:
            db.close()


def compute_all(root: Path, jobs: list[tuple[str, str]], workers: int = 2) -> Iterator[tuple[str, str, pa.Table]]:
    """(query, province, rows) for each (query, province) of jobs, as they finish."""
    from distributed import as_completed

    c = client(workers)
    build = uuid.uuid4().hex
    futures = {c.submit(province_rows, str(root), q, p, build, pure=False): (q, p) for q, p in jobs}
    for f in as_completed(futures):
        q, p = futures[f]
        yield q, p, f.result()


def warm(workers: int = 2) -> float:
    t0 = time.perf_counter()
    client(workers).run(lambda: None)
    return time.perf_counter() - t0
