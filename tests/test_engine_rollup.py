"""The daily rollups built by a distributed engine (cchc.engines: Spark in local mode, Dask with a
LocalCluster) are the same files as those of ``cchc rollup`` (DuckDB), and the app reads the same
figures from either; the national aggregates per day (bench/sql/engine_national_daily.sql) are the
same from Spark as from DuckDB, and agree with the product's own KPIs.

One small generated dataset (new Thành phố Hải Phòng, scale 0.02, ≈ 190.000 dossiers over two
partitions), copied three times (hard links): rebuilt by DuckDB, by Spark, by Dask. One Spark session
for the module (its start is most of the time)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from cchc import engines, kpis, periods, rollup, sample, schema
from cchc.db import Database
from cchc.engines import sqlport

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = (ROOT / "bench" / "sql" / "engine_national_daily.sql").read_text(encoding="utf-8")
TIMINGS = ("seconds", "engine")  # what _built.json may differ in


@pytest.fixture(scope="module", autouse=True)
def _plain_main():
    """Dask starts its workers with multiprocessing's spawn, which runs the parent's ``__main__`` again in
    each worker. An AppTest run earlier in the same pytest process leaves Streamlit's page script
    (app.py) as ``sys.modules["__main__"]`` (Streamlit's script runner puts it there), so each worker
    would run the app and fail to start ("Nanny failed to start", seen in CI). The command line never
    runs a page; here the workers get a bare main module, as under `python -m cchc rollup`."""
    import types
    saved = sys.modules.get("__main__")
    if saved is not None and str(getattr(saved, "__file__", "")).endswith("app.py"):
        sys.modules["__main__"] = types.ModuleType("__main__")
    yield
    if saved is not None:
        sys.modules["__main__"] = saved


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{engine: data directory} with the rollups rebuilt by that engine, from one generated dataset."""
    base = tmp_path_factory.mktemp("engines")
    src = base / "generated"
    sample.generate(src, scale=0.02, provinces=["31"])
    out = {}
    for engine in ("duckdb", "spark", "dask"):
        root = base / engine
        shutil.copytree(src, root, copy_function=os.link)
        out[engine] = root
    rollup.build(out["duckdb"])
    try:
        engines.build(out["spark"], "spark", workers=2)
        # the Dask build through the command line, in its own process (as an operator runs it)
        run = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(out["dask"]), "rollup", "--engine", "dask",
                              "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "dossier_daily: 2 tỉnh" in run.stdout, run.stdout
        yield out
    finally:
        engines.stop("spark")


def _files(root: Path, name: str) -> list[str]:
    folder = schema.TABLES[name].path(root)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))


def _record(root: Path, name: str) -> dict:
    rec = json.loads((schema.TABLES[name].path(root) / rollup.BUILT).read_text(encoding="utf-8"))
    return {k: v for k, v in rec.items() if k not in TIMINGS}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["spark", "dask"])
@pytest.mark.parametrize("name", list(rollup.ROLLUPS))
def test_the_engine_writes_the_same_files(built, engine, name):
    want, got = built["duckdb"], built[engine]
    files = _files(want, name)
    assert len(files) >= 4 and files == _files(got, name)
    folder = schema.TABLES[name].path
    rows = 0
    for f in files:
        a, b = pq.ParquetFile(folder(want) / f), pq.ParquetFile(folder(got) / f)
        assert a.schema_arrow == b.schema_arrow, f
        assert [a.metadata.row_group(i).num_rows for i in range(a.num_row_groups)] == \
               [b.metadata.row_group(i).num_rows for i in range(b.num_row_groups)], f
        ta, tb = a.read(), b.read()
        assert ta.num_rows > 0 and ta.equals(tb), f  # same rows in the same order
        rows += ta.num_rows
    assert _record(want, name) == _record(got, name)
    assert _record(got, name)["rows_built"] == rows
    assert json.loads((folder(got) / rollup.BUILT).read_text(encoding="utf-8"))["engine"] == engine


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["spark", "dask"])
def test_the_app_uses_the_engines_rollup_and_reads_the_same_kpis(built, engine):
    for name, (source, _q) in rollup.ROLLUPS.items():
        provinces = rollup.provinces_with_data(built[engine], source)
        assert provinces == ["30", "31"]
        assert all(rollup.fresh(built[engine], name, p) for p in provinces), name
    a, b = Database(built["duckdb"]), Database(built[engine])
    try:
        for period in (periods.calendar_year(2024), periods.custom(date(2025, 6, 20), date(2026, 3, 31))):
            ua, ub = kpis.resolve_unit(a, "31"), kpis.resolve_unit(b, "31")
            assert b.routed("dossier_kpis", {**ub.scope, "start": period.start, "end": period.end}) != "dossier_kpis"
            ka, kb = kpis.kpis(a, ua, period), kpis.kpis(b, ub, period)
            assert ka["received_new"] > 0 and ka == kb, period.label
    finally:
        a.close()
        b.close()


@pytest.mark.slow
def test_the_national_aggregates_are_the_same_from_spark(built):
    want = engines.run_sql(built["duckdb"], "duckdb", NATIONAL)
    got = engines.run_sql(built["spark"], "spark", NATIONAL)
    assert want.num_rows > 1000 and got.cast(want.schema).equals(want)
    assert sorted(set(want["scope"].to_pylist())) == ["31", "VN"]  # the nation and its one new province


@pytest.mark.slow
def test_the_national_aggregates_agree_with_the_products_kpis(built):
    """The nation here is the one new province: its KPIs from the dossiers themselves (no rollup)
    must be the national flows summed over a year and the stocks at its end."""
    t = engines.run_sql(built["duckdb"], "duckdb", NATIONAL)
    vn = t.filter(pc.equal(t["scope"], "VN"))
    db = Database(built["duckdb"], use_rollup=False)
    try:
        for year in (2023, 2024):
            k = kpis.dossier_kpis(db, kpis.resolve_unit(db, "31"), periods.calendar_year(year))
            days = vn.filter(pc.equal(pc.year(vn["day"]), year))
            last = vn.filter(pc.equal(vn["day"], pa.scalar(date(year, 12, 31), pa.date32())))
            assert pc.sum(days["received_new"]).as_py() == k["received_new"] > 0
            assert pc.sum(days["resolved_total"]).as_py() == k["resolved_total"]
            assert pc.sum(days["resolved_late"]).as_py() == k["resolved_late"]
            assert last["open_end"][0].as_py() == k["pending_total"]
            assert last["overdue_end"][0].as_py() == k["pending_overdue"]
    finally:
        db.close()


# --- the SQL transformation, without an engine --------------------------------------------------
def test_every_macro_of_the_views_is_read():
    known = sqlport.macros()
    assert {"days_past_due_of", "finished_early", "finish_status_of", "submitted_online", "stg_ratings_in"} <= set(known)
    assert known["stg_ratings_in"].table and not known["finished_early"].table


def test_macros_are_inlined_recursively_and_dialect_rewritten():
    s = sqlport.to_spark("SELECT finish_status_of(due_at, finished_at) AS s, $provinces[1] AS p, $x AS x "
                         "FROM raw_dossiers_in($dossier_files) -- a comment\n")
    assert "finish_status_of" not in s and "finished_early" not in s and "date_diff" not in s
    assert "datediff(CAST(((finished_at)) AS DATE), CAST(((due_at)) AS DATE))" in s
    assert "element_at(:provinces, 1) AS p" in s and ":x AS x" in s
    assert "FROM raw_dossiers" in s and "$" not in s and "comment" not in s
    g = sqlport.to_spark("SELECT CAST(unnest(generate_series(a, b, INTERVAL 1 DAY)) AS DATE) AS day, CAST(x AS INTEGER)")
    assert g == "SELECT explode(sequence(a, b, INTERVAL 1 DAY)) AS day, CAST(x AS INTEGER)"
    with pytest.raises(ValueError):
        sqlport.to_spark("SELECT date_diff('month', a, b)")


@pytest.mark.slow
def test_rebuilding_one_province_keeps_the_others(built, tmp_path):
    """--provinces 30: the province is recomputed by the engine, the other one copied as it was."""
    root = tmp_path / "one"
    shutil.copytree(built["duckdb"], root, copy_function=os.link)
    try:
        r = engines.build(root, "dask", ["30"], workers=1)
    finally:
        engines.stop("dask")
    assert r[schema.DOSSIER_DAILY.name]["provinces"] == ["30", "31"]
    for name in rollup.ROLLUPS:
        files = _files(built["duckdb"], name)
        assert files == _files(root, name)
        folder = schema.TABLES[name].path
        assert all(pq.read_table(folder(root) / f).equals(pq.read_table(folder(built["duckdb"]) / f)) for f in files)
        assert _record(root, name) | {"rows_built": 0} == _record(built["duckdb"], name) | {"rows_built": 0}
        assert all(rollup.fresh(root, name, p) for p in ("30", "31"))
