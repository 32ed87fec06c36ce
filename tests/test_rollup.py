"""The daily rollups (cchc.rollup): a province's Biểu 06, trend and ratings read from them equal the
same queries over the dossiers and forms, on hand-built edge cases and on the default sample; they
are used only while they match the files they were built from."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from cchc import kpis, periods, rollup, schema
from cchc.db import Database
from cchc.sample import _pl_schema, _write

from fixtures import dossier, write_dataset

from cchc.units import Unit

# The old province 30 as a query scope, over a period of 2023 (the rollup answers an old province's
# periods that end before the new map).
SCOPE_30 = Unit("30", "", "province", "30", None).scope
END_2023 = date(2023, 12, 31)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Edge cases for the stocks. Deadlines at 17:00 on the due day.
ROWS = [
    # finished the day it was received
    dossier("A", "2023-03-01 08:00", "2023-03-03 17:00", "2023-03-01 16:00"),
    # overdue from 07/03 (the day after its due day), finished 09/03: open 02/03–08/03, overdue 07/03–08/03
    dossier("B", "2023-03-02 09:00", "2023-03-06 17:00", "2023-03-09 10:00"),
    # finished on the day it would have become overdue (due 06/03, finished 07/03): late, never overdue-pending at a day's end
    dossier("C", "2023-03-02 09:00", "2023-03-06 17:00", "2023-03-07 10:00"),
    # never finished, due 10/03: open from 03/03 on, overdue from 11/03 on, for ever
    dossier("D", "2023-03-03 09:00", "2023-03-10 17:00", None),
    # never finished, due far in the future (after every other event): the horizon is 02/06/2023
    dossier("E", "2023-03-04 09:00", "2023-06-01 17:00", None, proc="P2", field="Chứng thực"),
    # received in 2022 (older partition), finished in 2023 late
    dossier("F", "2022-12-28 09:00", "2022-12-30 17:00", "2023-01-05 11:00"),
    # received after its due day (bad but possible in real exports): overdue from the day of receipt
    dossier("G", "2023-03-08 09:00", "2023-03-07 17:00", "2023-03-10 09:00", channel="truc_tuyen"),
    # another commune of the province
    dossier("H", "2023-03-05 09:00", "2023-03-08 17:00", "2023-03-08 09:00", unit="10606"),
]



def rating(id: str, day: str, level: int, field="Hộ tịch", unit="10621") -> dict:
    at = datetime.fromisoformat(f"{day} 15:00")
    return dict(rating_id=id, dossier_id=f"D-{id}", unit_code=unit, district_code="291", procedure_code="P1",
                field=field, rated_at=at, level=level, channel="tai_quay", year=at.year, province_code="30")


# Rating forms: March 2023 has R1–R5; R6 (April) and R7 (February, an earlier day) are outside it.
RATINGS = [rating("R1", "2023-03-02", 4), rating("R2", "2023-03-10", 3), rating("R3", "2023-03-15", 2),
           rating("R4", "2023-03-20", 1, field="Chứng thực"), rating("R5", "2023-03-21", 4, field="Chứng thực", unit="10606"),
           rating("R6", "2023-04-01", 4), rating("R7", "2023-02-28", 3, field="Chứng thực")]


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("rollup"), dossiers=ROWS, ratings=RATINGS)
    rollup.build(root)
    on, off = Database(root), Database(root, use_rollup=False)
    yield root, on, off
    on.close()
    off.close()


def _province(db, start, end, query="dossier_kpis", **kw):
    """The query's frame for the whole province as cchc.kpis hands it on (the queries leave the order,
    the adding up by month or field and the derived columns to it)."""
    scope = SCOPE_30
    if query == "monthly_trend":  # the months as the pages get them: every month, in order
        return kpis.monthly_trend(db, scope, start, end, **kw)
    if query == "dossier_kpis":  # every column of the form, a row per procedure with anything counted
        return pl.DataFrame(kpis.dossier_rows(db, kpis.resolve_unit(db, "30"), periods.custom(start, end)))
    if query == "rating_kpis":  # a row per field with forms: total, satisfied, each level, rate
        return pl.DataFrame(kpis.rating_kpis(db, kpis.resolve_unit(db, "30"), periods.custom(start, end))["ratings_by_field"])
    raise ValueError(query)


def test_stocks_by_hand(fx):
    root, on, _ = fx
    rows = on.sql("SELECT day, sum(open_end) AS open_end, sum(overdue_end) AS overdue_end "
                  "FROM raw_dossier_daily_in($daily_files) WHERE province_code = $provinces[1] GROUP BY day ORDER BY day",
                  provinces=["30"]).to_dicts()
    stock = {r["day"]: (r["open_end"], r["overdue_end"]) for r in rows}
    # 28/12/2022: F open; 01/01/2023 (no event): F open and overdue since 31/12
    assert stock[date(2022, 12, 28)] == (1, 0) and stock[date(2023, 1, 1)] == (1, 1)
    assert stock[date(2023, 1, 5)] == (0, 0)  # F finished
    # 06/03: B, C, D, E and H (other commune, received 05/03) open; A finished the day it came
    assert stock[date(2023, 3, 6)] == (5, 0)
    # 07/03: B and C past due 06/03, C finishes that day: open B, D, E, H; overdue B
    assert stock[date(2023, 3, 7)] == (4, 1)
    # 08/03: G received after its due day (overdue at once); H finished: open B, D, E, G; overdue B, G
    assert stock[date(2023, 3, 8)] == (4, 2)
    # 11/03: D past due 10/03; B finished 09/03, G 10/03: open D, E; overdue D
    assert stock[date(2023, 3, 11)] == (2, 1)
    # the horizon: the day after E's due day, when E becomes overdue; nothing changes after it
    horizon = max(stock)
    assert horizon == date(2023, 6, 2) and stock[horizon] == (2, 2)


def test_province_biểu_06_by_hand_from_the_rollup(fx):
    root, on, _ = fx
    assert on.routed("dossier_kpis", SCOPE_30 | {"end": END_2023}) == "dossier_kpis_daily"
    k = kpis.dossier_kpis(on, kpis.resolve_unit(on, "30"), periods.calendar_month(2023, 3))
    # (3) A B C D E G H new (7) + nothing carried (F finished in January)
    assert (k["received_total"], k["received_new"], k["carried_over"], k["received_online"]) == (7, 7, 0, 1)
    # resolved in March: A (early), B (late), C (late), G (late), H (on the due day)
    assert (k["resolved_total"], k["resolved_early"], k["resolved_on_time"], k["resolved_late"]) == (5, 1, 1, 3)
    # pending at 31/03: D overdue, E within
    assert (k["pending_total"], k["pending_within"], k["pending_overdue"]) == (2, 1, 1)
    # a year later (starting after the horizon 02/06/2023: the rollup has no day of it, its stocks are
    # read on the horizon): D and E carried over, both overdue
    later = periods.calendar_year(2024)
    assert on.routed("dossier_kpis", SCOPE_30 | {"end": END_2023, "start": later.start}) == "dossier_kpis_daily"
    k = kpis.dossier_kpis(on, kpis.resolve_unit(on, "30"), later)
    assert (k["received_total"], k["carried_over"], k["pending_total"], k["pending_overdue"]) == (2, 2, 2, 2)


def test_ratings_by_hand_from_the_rollup_and_the_forms(fx):
    """Satisfied = level 3 or 4; a field and level without a form in the period adds nothing."""
    _, on, _ = fx
    march = periods.calendar_month(2023, 3)
    assert on.routed("rating_kpis", SCOPE_30 | {"end": END_2023}) == "rating_kpis_daily"
    province = kpis.rating_kpis(on, kpis.resolve_unit(on, "30"), march)  # from the rating_daily rollup
    commune = kpis.rating_kpis(on, kpis.resolve_unit(on, "10621"), march)  # from the forms
    keys = ("ratings_total", "ratings_satisfied", "level_4", "level_3", "level_2", "level_1")
    assert [province[k] for k in keys] == [5, 3, 2, 1, 1, 1]  # R1–R5; satisfied R1, R2, R5
    assert [commune[k] for k in keys] == [4, 2, 1, 1, 1, 1]  # R1–R4
    by = {f["field"]: f for f in province["ratings_by_field"]}
    assert [f["field"] for f in province["ratings_by_field"]] == ["Chứng thực", "Hộ tịch"]
    assert [by["Chứng thực"][k] for k in keys] == [2, 1, 1, 0, 0, 1] and by["Chứng thực"]["satisfaction_rate"] == 0.5
    assert [by["Hộ tịch"][k] for k in keys] == [3, 2, 1, 1, 1, 0]
    empty = kpis.rating_kpis(on, kpis.resolve_unit(on, "30"), periods.calendar_month(2023, 5))
    assert empty["ratings_total"] == 0 and empty["ratings_by_field"] == [] and empty["satisfaction_rate"] is None


@pytest.mark.slow  # every period kind over the fixture (≈ 4 s); test_units.py checks the rollups on both maps
def test_every_period_of_the_fixture_matches_the_dossiers(fx):
    """Every one-day period and every period ending on each day from December 2022 to July 2023
    (and one long after the data): the rollups give the dossier and rating queries' exact figures."""
    _, on, off = fx
    days = [date(2022, 12, 20) + timedelta(days=i) for i in range(0, 225)]
    cases = [(d, d) for d in days] + [(date(2022, 12, 25), d) for d in days[::3] if d >= date(2022, 12, 25)] + [(date(2023, 3, 7), date(2030, 1, 1))]
    for s, e in cases:
        for q in ("dossier_kpis", "rating_kpis"):
            a, b = _province(on, s, e, q), _province(off, s, e, q)
            assert a.equals(b), (q, s, e, a, b)


def _sample_periods():
    out = [periods.make("year", 2023, None, 10), periods.make("year", 2021, None, 10),
           periods.make("quarter", 2024, 1, 10), periods.make("month", 2025, 6, 10), periods.make("half", 2022, None, 10),
           periods.calendar_year(2024), periods.calendar_month(2021, 1), periods.custom(date(2020, 6, 1), date(2021, 2, 3)),
           periods.custom(date(2025, 6, 20), date(2026, 12, 31)), periods.custom(date(2023, 7, 14), date(2023, 7, 14))]
    return out


@pytest.mark.parametrize("period", _sample_periods(), ids=lambda p: f"{p.start}..{p.end}")
def test_sample_province_matches_the_dossiers(sample_dir, period):
    on, off = Database(sample_dir), Database(sample_dir, use_rollup=False)
    try:
        for q, extra in (("dossier_kpis", {}), ("rating_kpis", {}), ("monthly_trend", {"field": None, "procedure": None}),
                         ("monthly_trend", {"field": "Hộ tịch", "procedure": None})):
            p = SCOPE_30 | {"end": END_2023}
            assert on.routed(q, p) != q, f"{q}: the sample's rollup should be fresh"
            a, b = _province(on, period.start, period.end, q, **extra), _province(off, period.start, period.end, q, **extra)
            assert a.height > 0 and a.equals(b), (q, period.label)
    finally:
        on.close()
        off.close()


def test_only_whole_provinces_use_the_rollup(db):
    for unit in (Unit("291", "", "district", "30", "291"), Unit("10621", "", "commune", "30", "291")):
        scope = {**unit.scope, "end": END_2023}
        assert db.routed("dossier_kpis", scope) == "dossier_kpis"
        assert db.routed("rating_kpis", scope) == "rating_kpis"


def test_an_old_province_uses_the_rollup_only_before_the_new_map(db):
    # an old province's partition holds the new province's rows from 01/07/2025: its rollup answers
    # the old province only for periods ending before; a new province is whole partitions, always
    assert db.routed("dossier_kpis", SCOPE_30 | {"end": date(2025, 6, 30)}) != "dossier_kpis"
    assert db.routed("dossier_kpis", SCOPE_30 | {"end": date(2025, 7, 1)}) == "dossier_kpis"


def test_a_changed_file_is_not_read_through_the_stale_rollup(tmp_path):
    root = write_dataset(tmp_path / "d", dossiers=ROWS)
    rollup.build(root)
    db = Database(root)
    scope = SCOPE_30 | {"end": END_2023}
    march = periods.calendar_month(2023, 3)
    assert db.routed("dossier_kpis", scope) == "dossier_kpis_daily"
    before = kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), march)["received_new"]
    # one more dossier file in the 2023 partition: the rollup no longer matches, so the dossiers are read
    x = dossier("X", "2023-03-20 09:00", "2023-03-23 17:00", None)
    _write(pl.DataFrame([x], schema=_pl_schema(schema.DOSSIERS), orient="row"), schema.DOSSIERS, root)
    assert not rollup.fresh(root, "dossier_daily", "30")
    assert db.routed("dossier_kpis", scope) == "dossier_kpis"
    assert kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), march)["received_new"] == before + 1
    # rebuilt from the command line: used again, same figures
    r = subprocess.run([sys.executable, "-m", "cchc", "--data-dir", str(root), "rollup"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "dossier_daily: 1 tỉnh" in r.stdout
    assert db.routed("dossier_kpis", scope) == "dossier_kpis_daily"
    assert kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), march)["received_new"] == before + 1
    db.close()


def test_data_without_a_rollup_still_answers(tmp_path):
    root = write_dataset(tmp_path / "d", dossiers=ROWS)
    db = Database(root)
    assert db.routed("dossier_kpis", SCOPE_30 | {"end": END_2023}) == "dossier_kpis"
    assert kpis.dossier_kpis(db, kpis.resolve_unit(db, "30"), periods.calendar_month(2023, 3))["received_new"] == 7
    db.close()


def test_a_rollup_of_an_older_layout_is_stale_and_rebuilt_whole(tmp_path):
    """rating_daily became one row per field, day and level (layout 2): a folder built before, whose
    _built.json records no layout, is not read, and the next build, even of some provinces, redoes it."""
    root = write_dataset(tmp_path / "d", dossiers=ROWS, ratings=RATINGS)
    rollup.build(root)
    db = Database(root)
    scope = SCOPE_30 | {"end": END_2023}
    march = periods.calendar_month(2023, 3)
    assert db.routed("rating_kpis", scope) == "rating_kpis_daily"
    want = kpis.rating_kpis(db, kpis.resolve_unit(db, "30"), march)
    record = root / "rating_daily" / rollup.BUILT
    old = json.loads(record.read_text(encoding="utf-8"))
    assert old["format"] == rollup.FORMAT["rating_daily"] == 2
    del old["format"]
    record.write_text(json.dumps(old), encoding="utf-8")
    os.utime(record, ns=(time.time_ns(), time.time_ns() + 1_000_000))  # a new mtime: re-read
    assert not rollup.fresh(root, "rating_daily", "30") and rollup.fresh(root, "dossier_daily", "30")
    assert db.routed("rating_kpis", scope) == "rating_kpis"
    assert kpis.rating_kpis(db, kpis.resolve_unit(db, "30"), march) == want  # from the forms meanwhile
    rollup.build(root, ["31"])  # a province without data: the old layout is still rebuilt for all
    assert rollup.fresh(root, "rating_daily", "30")
    assert db.routed("rating_kpis", scope) == "rating_kpis_daily"
    assert kpis.rating_kpis(db, kpis.resolve_unit(db, "30"), march) == want
    db.close()


def test_the_apps_cached_database_uses_the_rollup_and_reads_only_the_scopes_files(sample_dir, monkeypatch):
    """cchc.ui.state.CachedDatabase (every page's database) passes on what routes a query: a province
    runs the rollup twin, a commune binds its own province's files only, with the same figures as the
    Database itself (until 05/12/2026 it passed on only the SQL's parameters: every query read every
    province's files and no page used a rollup)."""
    from cchc.ui import state
    ran: list[tuple[str, dict]] = []
    real_sql = Database.sql

    def spy(self, text, **params):
        ran.append((text, params))
        return real_sql(self, text, **params)

    monkeypatch.setattr(Database, "sql", spy)
    cached = state.CachedDatabase(str(sample_dir))
    direct = Database(sample_dir)
    try:
        twin = direct._queries["dossier_kpis_daily"]
        p30 = {**SCOPE_30, "start": date(2023, 1, 1), "end": END_2023}
        got = cached.run("dossier_kpis", **p30)
        assert any(text == twin for text, _ in ran), "the province did not run the rollup twin"
        same = direct.run("dossier_kpis", **p30)
        assert got.sort(got.columns).equals(same.sort(same.columns))   # rows in no set order
        ran.clear()
        commune = Unit("10621", "", "commune", "30", "291")
        pc = {**commune.scope, "start": date(2022, 12, 10), "end": END_2023}
        got = cached.run("dossier_kpis", **pc)
        given = [params.get("provinces") for _, params in ran]   # what the Database binds the files from
        assert given and all(g == ["30"] for g in given), given
        assert all("province_code=30" in f for f in direct.partition_files("dossiers", given[0]))
        same = direct.run("dossier_kpis", **pc)
        assert got.sort(got.columns).equals(same.sort(same.columns))
    finally:
        direct.close()


@pytest.mark.parametrize("start,end", [(date(2025, 12, 1), date(2026, 11, 30)), (date(2026, 1, 1), date(2026, 6, 30)),
                                       (date(2025, 10, 1), date(2025, 12, 31)), (date(2026, 11, 30), date(2026, 11, 30)),
                                       (date(2025, 7, 1), date(2025, 7, 31)), (date(2025, 9, 1), date(2027, 1, 1))])
def test_new_province_after_its_old_partitions_horizons_uses_the_rollup_with_the_same_figures(sample_dir, start, end):
    """Thành phố Hải Phòng (31) reads its old provinces' partitions (30, 31: their rows stop with the
    old map, their rollup horizons in the autumn of 2025) and its own: a period starting after an old
    partition's horizon still runs the twin (the horizon's stocks: what is still open), and every form
    column of every procedure equals the count from the dossiers."""
    hp = Database(sample_dir)
    off = Database(sample_dir, use_rollup=False)
    try:
        unit = kpis.resolve_unit(hp, "31")
        old = [p for p in unit.scope["provinces"] if rollup.horizon(sample_dir, str(p)) and rollup.horizon(sample_dir, str(p)) < date(2026, 1, 1)]
        assert old, "the sample should have an old partition whose horizon is before 2026"
        assert hp.routed("dossier_kpis", {**unit.scope, "start": start, "end": end}) == "dossier_kpis_daily"
        period = periods.custom(start, end)
        a = pl.DataFrame(kpis.dossier_rows(hp, unit, period))
        b = pl.DataFrame(kpis.dossier_rows(off, kpis.resolve_unit(off, "31"), period))
        assert a.height > 0 and a.sort(a.columns).equals(b.sort(b.columns)), (start, end)
    finally:
        hp.close()
        off.close()
