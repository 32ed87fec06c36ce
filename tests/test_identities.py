"""Identities of the official form over the whole default sample: every unit, a few periods."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cchc import coverage, kpis, periods, units

# Every unit of the sample, several periods: ~30 s; `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

PERIODS = [
    periods.official_year(2023, 10),
    periods.official_quarter(2024, 2, 10),
    periods.calendar_month(2022, 2),
    periods.calendar_year(2025),  # spans the map change (01/07/2025)
    periods.calendar_year(2026),  # runs past the end of the data (30/11/2026)
    periods.custom(date(2020, 6, 1), date(2021, 1, 31)),  # starts before the data
]


def _check(k: dict, where: str) -> None:
    assert k["received_total"] == k["received_new"] + k["carried_over"], where
    assert k["received_new"] == k["received_online"] + k["received_offline"], where
    assert k["received_total"] == k["resolved_total"] + k["pending_total"], where
    assert k["resolved_total"] == k["resolved_early"] + k["resolved_on_time"] + k["resolved_late"], where
    assert k["pending_total"] == k["pending_within"] + k["pending_overdue"], where
    for num, den in [("digitised_input", "received_new"), ("digitised_result", "resolved_total"),
                     ("reused_data", "received_new"), ("resolved_online_capable", "resolved_total"),
                     ("new_paid_online", "new_with_fee"), ("ratings_satisfied", "ratings_total")]:
        assert 0 <= k[num] <= k[den], (where, num)
    for rate in ("on_time_rate", "online_rate", "digitised_input_rate", "digitised_result_rate", "satisfaction_rate"):
        assert k[rate] is None or 0.0 <= k[rate] <= 1.0, (where, rate)


def _counted_here(db, p) -> pl.DataFrame:
    """Per receiving unit and map (of the day of receipt), counted in this test from the dossiers
    without the product's role macros or scopes: the dossiers a report over p counts, those finished
    by its end and those received in it."""
    return db.sql("""
        SELECT unit_code, district_code, province_code,
               CASE WHEN received_at < DATE '2025-07-01' THEN 'old' ELSE 'new' END AS map,
               count(*) AS counted,
               count(*) FILTER (WHERE finished_at < $end + INTERVAL 1 DAY) AS finished,
               count(*) FILTER (WHERE received_at >= $start) AS new
        FROM raw_dossiers
        WHERE received_at < $end + INTERVAL 1 DAY AND (finished_at IS NULL OR finished_at >= $start)
        GROUP BY ALL""", start=p.start, end=p.end)


def _mine(here: pl.DataFrame, u: units.Unit) -> pl.DataFrame:
    """The rows counted here that make unit u (docs/units.md): an old unit's own rows of the old
    map; a new unit's own rows of the new map and its predecessors' of the old."""
    old, new = pl.col("map") == "old", pl.col("map") == "new"
    if u.map == "old":
        col = {"commune": "unit_code", "district": "district_code", "province": "province_code"}[u.level]
        return here.filter(old & (pl.col(col) == u.code))
    col = "unit_code" if u.level == "commune" else "province_code"
    return here.filter((new & (pl.col(col) == u.code))
                       | (old & pl.col(col).is_in([x.code for x in u.predecessors])))


# Every unit of both maps over two periods (one before the change, one across it); the provinces,
# districts and new communes over the other periods too (every commune over every period: minutes).
EVERY_UNIT = {periods.official_year(2023, 10).short_label, periods.calendar_year(2025).short_label}


@pytest.mark.parametrize("p", PERIODS, ids=lambda p: p.short_label)
def test_every_unit(db, p):
    """The form's identities for every unit, and (3), (7) and new against the dossiers counted here:
    cchc.kpis derives (3) from (7) + (11) and (7) from (8) + (9) + (10), so those two counts are what
    shows a dossier missed or counted twice by the roles. A period is cut at the data's end and at an
    old unit's last day (cchc.coverage), as every screen cuts it."""
    end = coverage.data_end(db)
    here: dict[tuple, pl.DataFrame] = {}
    for r in db.run("units_all").to_dicts():
        u = units.get(db, r["map"], r["code"])
        if p.short_label not in EVERY_UNIT and u.map == "old" and u.level == "commune":
            continue
        if u.ended_before(p.start):
            continue
        pu = coverage.clip(p, end, u.valid_to)
        if (pu.start, pu.end) not in here:
            here[(pu.start, pu.end)] = _counted_here(db, pu)
        k = kpis.dossier_kpis(db, u, pu)
        _check({**k, **kpis.rating_kpis(db, u, pu)}, f"{u.key} {pu.label}")
        mine = _mine(here[(pu.start, pu.end)], u)
        assert (k["received_total"], k["resolved_total"], k["received_new"]) == \
            (mine["counted"].sum(), mine["finished"].sum(), mine["new"].sum()), (u.key, pu.label)
        fields = k["by_field"]
        for key in kpis.BIEU06_KEYS:
            assert sum(f[key] for f in fields) == k[key], (u.key, key)
        for f in fields:
            _check({**f, "ratings_satisfied": 0, "ratings_total": 0, "satisfaction_rate": None}, f"{u.key} {f['field']}")


def test_district_is_sum_of_its_communes(db):
    p = periods.official_year(2024, 10)
    old = db.run("units_all").filter(pl.col("map") == "old")
    nam_sach = kpis.dossier_kpis(db, units.get(db, "old", "291"), p)
    communes = old.filter((pl.col("level") == "commune") & (pl.col("district_code") == "291"))["code"]
    parts = [kpis.dossier_kpis(db, units.get(db, "old", c), p) for c in communes]
    for key in kpis.BIEU06_KEYS:
        assert nam_sach[key] == sum(x[key] for x in parts), key
    province = kpis.dossier_kpis(db, units.get(db, "old", "30"), p)
    districts = old.filter((pl.col("level") == "district") & (pl.col("province_code") == "30"))["code"]
    assert province["received_total"] == sum(kpis.dossier_kpis(db, units.get(db, "old", d), p)["received_total"]
                                             for d in districts)


def test_new_province_is_its_old_provinces_before_the_change_and_its_communes_after(db):
    before, after = periods.official_year(2024, 10), periods.calendar_quarter(2026, 1)
    hp = units.resolve(db, "31")
    assert [x.code for x in hp.predecessors] == ["30", "31"]
    for key in kpis.BIEU06_KEYS:
        assert kpis.dossier_kpis(db, hp, before)[key] == sum(
            kpis.dossier_kpis(db, units.get(db, "old", c), before)[key] for c in ("30", "31")), key
    communes = db.run("units_all").filter((pl.col("map") == "new") & (pl.col("level") == "commune"))["code"]
    total = kpis.dossier_kpis(db, hp, after)
    parts = [kpis.dossier_kpis(db, units.get(db, "new", c), after) for c in communes]
    for key in ("received_total", "resolved_total", "pending_overdue"):
        assert total[key] == sum(x[key] for x in parts), key


def test_row_level_invariants(db):
    bad = db.sql("""
        SELECT
          count(*) FILTER (WHERE due_at < received_at) AS due_before_received,
          count(*) FILTER (WHERE finished_at < received_at) AS finished_before_received,
          count(*) FILTER (WHERE returned_at < finished_at) AS returned_before_finished,
          count(*) FILTER (WHERE year <> year(received_at)) AS wrong_partition,
          count(*) FILTER (WHERE dayofweek(received_at) = 0) AS sunday_receipts,
          count(*) - count(DISTINCT dossier_id) AS duplicate_ids
        FROM raw_dossiers""").row(0, named=True)
    assert bad == {k: 0 for k in bad}
    holidays = db.sql("""
        SELECT count(*) AS n FROM raw_dossiers d JOIN raw_calendar c ON c.day = CAST(d.received_at AS DATE)
        WHERE c.holiday_name IS NOT NULL AND NOT c.is_working_day""").item()
    assert holidays == 0


def test_sample_is_plausible_and_varied(db):
    p = periods.official_year(2024, 10)
    rows = [kpis.dossier_kpis(db, units.get(db, "old", c), p)
            for c in db.run("units_all").filter((pl.col("level") == "commune") & (pl.col("map") == "old"))["code"]]
    totals = [r["received_total"] for r in rows]
    assert min(totals) > 500 and max(totals) > 2 * min(totals)  # communes differ in size
    late = [r["resolved_late"] for r in rows]
    assert sum(1 for x in late if x == 0) > 0 and max(late) > 10  # late dossiers cluster in some communes
    share = {}
    for r in rows:
        for f in r["by_field"]:
            share[f["field"]] = share.get(f["field"], 0) + f["received_total"]
    assert max(share, key=share.get) == "Chứng thực"
    online = [kpis.dossier_kpis(db, units.get(db, "old", "30"), periods.calendar_year(y))["online_rate"]
              for y in (2021, 2022, 2023, 2024)]
    assert online == sorted(online)  # online share improves over the years
