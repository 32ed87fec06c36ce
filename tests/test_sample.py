"""The sample generator: deterministic, --scale leaves the calibrated commune alone, atomic writes; across
the change of administrative map (01/07/2025) every row is on the map of its day and the new communes
continue their predecessors."""
from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import polars as pl
import pytest

from cchc import kpis, periods, sample, schema
from cchc.db import Database


def _digest(root) -> str:
    db = Database(root)
    try:
        h = hashlib.sha256()
        for t in ("dossiers", "ratings", "feedback", "finances", "facts"):
            df = db.sql(f"SELECT * FROM raw_{t}")  # fixed identifiers, no values
            h.update(df.sort(df.columns).write_csv().encode())
        return h.hexdigest()
    finally:
        db.close()


def _qt(root) -> dict:
    db = Database(root)
    try:
        u = kpis.resolve_unit(db, "10621")
        return kpis.kpis(db, u, periods.official_year(2023, 10))
    finally:
        db.close()


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    kw = dict(scale=0.05, start=date(2022, 11, 1), end=date(2024, 1, 31))
    a = sample.generate(base / "a", seed=7, **kw)
    b = sample.generate(base / "b", seed=7, **kw)
    c = sample.generate(base / "c", seed=8, **kw)
    return base, a, b, c


def test_same_seed_same_data(small_runs):
    base, a, b, _ = small_runs
    assert a["counts"] == b["counts"]
    assert _digest(base / "a") == _digest(base / "b")


def test_other_seed_other_data_same_calibration(small_runs, db):
    base, a, _, c = small_runs
    assert a["counts"]["dossiers"] != c["counts"]["dossiers"]
    # the calibrated commune reproduces the report whatever the seed and scale
    full = kpis.kpis(db, kpis.resolve_unit(db, "10621"), periods.official_year(2023, 10))
    for root in (base / "a", base / "c"):
        k = _qt(root)
        for key in ["received_total", "received_new", "carried_over", "resolved_total", "resolved_late",
                    "pending_total", "pending_within", "pending_overdue", "digitised_input", "digitised_result",
                    "ratings_total", "ratings_satisfied", "feedback_total", "resolved_online_capable"]:
            assert k[key] == full[key], key
        assert {f["field"]: f["received_total"] for f in k["by_field"]} == {f["field"]: f["received_total"] for f in full["by_field"]}
        assert k["finance"] == full["finance"]


def test_scale_multiplies_the_other_communes(small_runs, db):
    base, a, _, _ = small_runs
    small = Database(base / "a")
    try:
        p = periods.calendar_month(2023, 6)
        big_total = kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), p)["received_total"]
        small_total = kpis.dossier_kpis(small, kpis.resolve_unit(small, "30"), p)["received_total"]
        qt = kpis.dossier_kpis(db, kpis.resolve_unit(db, "10621"), p)["received_total"]
    finally:
        small.close()
    # 5 % of the others, plus the unscaled calibrated commune
    others = small_total - qt
    assert 0.035 * (big_total - qt) < others < 0.065 * (big_total - qt)


def test_generation_replaces_sample_atomically(small_runs, tmp_path):
    base, *_ = small_runs
    target = tmp_path / "d"
    sample.generate(target, seed=1, scale=0.01, start=date(2023, 1, 1), end=date(2023, 2, 28))
    first = (target / sample.MARKER).read_text()
    with pytest.raises(sample.SampleError, match="Không có tỉnh mã zz"):
        sample.generate(target, seed=1, scale=0.01, provinces=["zz"], start=date(2023, 1, 1), end=date(2023, 2, 28))
    assert (target / sample.MARKER).read_text() == first  # the failed run left the old data intact
    assert not list(tmp_path.glob(".d.tmp-*"))


def test_no_receipts_on_sundays_or_holidays(db):
    per_dow = db.sql("SELECT dayofweek(received_at) AS dow, count(*) AS n FROM raw_dossiers GROUP BY 1 ORDER BY 1")
    assert 0 not in per_dow["dow"].to_list()  # Sunday
    tet = db.sql("SELECT count(*) FROM raw_dossiers WHERE CAST(received_at AS DATE) BETWEEN DATE '2023-01-20' AND DATE '2023-01-26'").item()
    assert tet == 0


# --- The change of administrative map (01/07/2025): the default sample, then small runs across it ------
CHANGE = "TIMESTAMP '2025-07-01 00:00:00'"


def _scan(root, name: str) -> str:
    """A FROM clause reading one table of a sample folder (with its partition columns)."""
    t = schema.TABLES[name]
    if t.partition_by:
        return f"read_parquet('{root}/{name}/*/*/*.parquet', hive_partitioning = true)"
    return f"read_parquet('{root}/{name}.parquet')"


@pytest.fixture(scope="module")
def con(sample_dir):
    c = duckdb.connect()
    c.execute("SET threads = 2")
    yield c
    c.close()


def test_default_is_the_new_hai_phong_from_2021_to_november_2026(sample_dir, con):
    meta = sample.load_meta(sample_dir)
    assert meta["provinces"] == ["31"] and meta["old_provinces"] == ["30", "31"]
    assert (meta["start"], meta["data_end"]) == ("2021-01-01", "2026-11-30") == (str(sample.DEFAULT_START),
                                                                                 str(sample.DEFAULT_END))
    first, last = con.execute(f"SELECT min(received_at)::DATE, max(received_at)::DATE FROM {_scan(sample_dir, 'dossiers')}").fetchall()[0]
    assert first <= date(2021, 1, 5) and last == date(2026, 11, 30)
    parts = {p.name for p in (sample_dir / "dossiers").glob("year=*/province_code=*")}
    assert parts == {"province_code=30", "province_code=31"}
    assert {p.name for p in (sample_dir / "dossier_daily").glob("year=*/province_code=*")} == parts
    for t, day in (("dossiers", "received_at"), ("ratings", "rated_at")):  # counted by the map of their day
        n = dict(con.execute(f"SELECT {day} >= {CHANGE}, count(*) FROM {_scan(sample_dir, t)} GROUP BY 1").fetchall())
        assert (meta["counts_by_map"]["old"][t], meta["counts_by_map"]["new"][t]) == (n[False], n[True])


def test_units_table_holds_both_maps_of_the_generated_provinces(sample_dir, con):
    units = con.sql(f"SELECT * FROM {_scan(sample_dir, 'units')}").pl()
    assert units.columns == [c.name for c in schema.UNITS.columns]
    ref = sample.load_units()
    want = ref.filter(((pl.col("map") == "old") & pl.col("province_code").is_in(["30", "31"]))
                      | ((pl.col("map") == "new") & (pl.col("province_code") == "31")))
    assert sorted(units.select("map", "code").rows()) == sorted(want.select("map", "code").rows())
    counts = dict(units.group_by("map", "level").len().select(pl.concat_str("map", "level", separator=" "), "len").rows())
    assert counts["old commune"] == 374 and counts["new commune"] == 114 and counts["new province"] == 1
    assert units.filter(pl.col("map") == "new")["district_code"].null_count() == 115
    assert units.filter(pl.col("map") == "old", pl.col("level") == "commune")["successor_code"].null_count() == 0


# table -> (the day a row belongs to, whether it has district_code and a province partition)
DAY_OF = {"dossiers": ("received_at", True), "ratings": ("rated_at", True), "feedback": ("received_at", True),
          "finances": ("make_timestamp(year, month, 1, 0, 0, 0)", False),
          "facts": ("make_timestamp(year, 12, 31, 0, 0, 0)", False)}


@pytest.mark.parametrize("table", list(DAY_OF))
def test_every_row_belongs_to_the_map_of_its_day(sample_dir, con, table):
    day, located = DAY_OF[table]
    units = _scan(sample_dir, "units")
    extra = ("count(*) FILTER (WHERE t.province_code <> u.province_code),"
             "count(*) FILTER (WHERE t.district_code IS DISTINCT FROM u.district_code),") if located else "0, 0,"
    per_map = con.execute(f"""
        SELECT CASE WHEN {day} >= {CHANGE} THEN 'new' ELSE 'old' END AS m, count(*),
               count(u.code), {extra} min({day})::DATE, max({day})::DATE
        FROM {_scan(sample_dir, table)} t
        LEFT JOIN {units} u ON u.code = t.unit_code AND u.level = 'commune'
             AND u.map = CASE WHEN {day} >= {CHANGE} THEN 'new' ELSE 'old' END
        GROUP BY 1 ORDER BY 1""").fetchall()
    got = {m: rest for m, *rest in per_map}
    assert set(got) == {"new", "old"}, got
    for m, (n, matched, wrong_province, wrong_district, first, last) in got.items():
        assert n > 0 and matched == n, (m, n - matched)  # every unit code exists on the map of its day
        assert wrong_province == 0 and wrong_district == 0, (m, wrong_province, wrong_district)
        if m == "new":
            assert first >= date(2025, 7, 1) and last <= date(2026, 12, 31)
        else:
            assert last <= date(2025, 6, 30)
    if located:  # new rows: partition 31, no district; old rows: the old province, a district
        assert con.execute(f"""SELECT count(*) FROM {_scan(sample_dir, table)} WHERE {day} >= {CHANGE}
                           AND (province_code <> '31' OR district_code IS NOT NULL)""").fetchall()[0][0] == 0
        assert con.execute(f"""SELECT count(*) FROM {_scan(sample_dir, table)} WHERE {day} < {CHANGE}
                           AND (province_code NOT IN ('30', '31') OR district_code IS NULL)""").fetchall()[0][0] == 0


def test_dossiers_open_across_the_change_keep_their_old_commune(sample_dir, con):
    rows = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE district_code IS NULL),
                              count(*) FILTER (WHERE year <> 2025)
                       FROM {_scan(sample_dir, 'dossiers')}
                       WHERE received_at < {CHANGE} AND (finished_at IS NULL OR finished_at >= {CHANGE})""").fetchall()[0]
    assert rows[0] > 1000 and rows[1] == 0 and rows[2] == 0
    # their ratings, given from 01/07/2025, are the new commune's (checked above for every rating)
    moved = con.execute(f"""SELECT count(*) FROM {_scan(sample_dir, 'ratings')} r JOIN {_scan(sample_dir, 'dossiers')} d
                        USING (dossier_id) WHERE r.rated_at >= {CHANGE} AND d.received_at < {CHANGE}""").fetchall()[0][0]
    assert moved > 1000


def test_a_new_commune_continues_its_predecessors(sample_dir, con):
    """xã Trần Phú (new 10633) = old Trần Phú 10633 + Hiệp Cát 10618 + Quốc Tuấn 10621: a year after
    the change against the year before it, about the same volume and the same habits."""
    ref = sample.load_units()
    preds = sorted(ref.filter((pl.col("map") == "old") & (pl.col("successor_code") == "10633"))["code"].to_list())
    assert preds == ["10618", "10621", "10633"]
    rows = dict((r[0], r[1:]) for r in con.execute(f"""
        SELECT received_at >= {CHANGE} AS after, count(*), avg((field = 'Chứng thực')::INT),
               avg((channel = 'truc_tuyen')::INT)
        FROM {_scan(sample_dir, 'dossiers')}
        WHERE (received_at >= TIMESTAMP '2025-07-01' AND received_at < TIMESTAMP '2026-07-01' AND unit_code = '10633')
           OR (received_at >= TIMESTAMP '2024-07-01' AND received_at < {CHANGE} AND unit_code IN ('10633', '10618', '10621'))
        GROUP BY 1""").fetchall())
    (n_before, ct_before, online_before), (n_after, ct_after, online_after) = rows[False], rows[True]
    assert 0.90 < n_after / n_before < 1.20, (n_before, n_after)
    assert abs(ct_after - ct_before) < 0.05
    assert online_before < online_after < online_before + 0.25  # online keeps growing, no jump
    # the whole province: the new 31 against the old 30 and 31
    totals = dict(con.execute(f"""SELECT received_at >= {CHANGE}, count(*) FROM {_scan(sample_dir, 'dossiers')}
                              WHERE received_at >= TIMESTAMP '2024-07-01' AND received_at < TIMESTAMP '2026-07-01'
                              GROUP BY 1""").fetchall())
    assert 0.95 < totals[True] / totals[False] < 1.15, totals


def test_finances_and_facts_switch_maps(sample_dir, con):
    fin = dict(con.execute(f"""SELECT year::INT * 100 + month, count(DISTINCT unit_code) FROM {_scan(sample_dir, 'finances')}
                           WHERE year = 2025 AND month IN (6, 7) OR year = 2026 AND month IN (11, 12)
                           GROUP BY 1""").fetchall())
    assert fin == {202506: 374, 202507: 114, 202611: 114}
    facts = dict(con.execute(f"SELECT year, count(DISTINCT unit_code) FROM {_scan(sample_dir, 'facts')} GROUP BY 1").fetchall())
    assert facts == {2021: 374, 2022: 374, 2023: 374, 2024: 374, 2025: 114, 2026: 114}


@pytest.fixture(scope="module")
def change_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("change")
    kw = dict(scale=0.02, start=date(2025, 5, 1), end=date(2025, 9, 30))
    a = sample.generate(base / "a", seed=7, **kw)
    b = sample.generate(base / "b", seed=7, provinces=["30"], **kw)  # an old code no new province reuses: its successor
    c = sample.generate(base / "c", seed=8, **kw)
    return base, a, b, c


def _files_digest(root) -> str:
    h = hashlib.sha256()
    for t in ("dossiers", "ratings", "feedback", "finances", "facts", "units"):
        df = duckdb.sql(f"SELECT * FROM {_scan(root, t)}").pl()
        h.update(df.sort(df.columns).write_csv().encode())
    return h.hexdigest()


def test_same_seed_same_data_across_the_change(change_runs):
    base, a, b, c = change_runs
    assert a["provinces"] == b["provinces"] == ["31"]
    assert a["counts"] == b["counts"] and a["counts_by_map"]["new"]["dossiers"] > 0
    assert a["data_end"] == "2025-09-30"
    assert _files_digest(base / "a") == _files_digest(base / "b")
    assert a["counts"] != c["counts"] and _files_digest(base / "a") != _files_digest(base / "c")


def test_unknown_province_and_all(change_runs):
    units = sample.load_units()
    with pytest.raises(sample.SampleError, match="Không có tỉnh mã 99"):
        sample.resolve_provinces(units, ["99"])
    plan = sample.resolve_provinces(units, ["all"])
    assert len(plan) == 34 and sum(len(o) for o in plan.values()) == 63
    assert plan["31"] == ["30", "31"] and sample.resolve_provinces(units, None) == {"31": ["30", "31"]}
