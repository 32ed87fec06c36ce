"""Both administrative maps (cchc/units.py, the in_scope macro of queries/views/10_units.sql): a new
unit's figures are its predecessors' before 01/07/2025 and its own after, for any period; an old and
a new unit that share a code never share a row; the rollups give the same figures.

The dataset is hand-built (tests/fixtures.py UNITS_BOTH_MAPS): the new xã Trần Phú (10633) carries
the old Quốc Tuấn (10621), Hiệp Cát (10618) and Trần Phú (10633, the same code); the new Thành phố
Hải Phòng (31) carries the old provinces 30 and 31. Every expected figure below is counted by hand
from the rows listed here.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc import facts, kpis, periods, rollup, units
from cchc.db import Database
from tests.fixtures import UNITS_BOTH_MAPS, dossier, write_dataset


def old(id, received, due, finished, unit, district="291", province="30", **kw):
    return dossier(id, received, due, finished, unit=unit, district_code=district, province_code=province, **kw)


def new(id, received, due, finished, unit="10633", **kw):
    return dossier(id, received, due, finished, unit=unit, district_code=None, province_code="31", **kw)


ROWS = [
    # 2023, old map: Quốc Tuấn 2 (one late), Hiệp Cát 1, the old Trần Phú 1 (early), Nam Sách 1
    old("Q1", "2023-03-01 08:00", "2023-03-06 17:00", "2023-03-03 09:00", "10621"),
    old("Q2", "2023-03-02 08:00", "2023-03-03 17:00", "2023-03-08 09:00", "10621"),
    old("H1", "2023-03-02 08:00", "2023-03-07 17:00", "2023-03-07 16:00", "10618"),
    old("T1", "2023-03-09 08:00", "2023-03-14 17:00", "2023-03-10 09:00", "10633"),
    old("N1", "2023-03-09 08:00", "2023-03-14 17:00", "2023-03-10 09:00", "10606"),
    # around the change: received by the old Trần Phú on 20/06/2025, still open on 30/06, resolved
    # 01/08/2025 (late: due 30/07) -> carried over into the new xã Trần Phú's third quarter
    old("T2", "2025-06-20 08:00", "2025-07-30 17:00", "2025-08-01 09:00", "10633"),
    # old Hải Phòng (province 31, a district 303): one dossier in 2023
    old("P1", "2023-05-02 08:00", "2023-05-05 17:00", "2023-05-04 09:00", "11311", district="303", province="31"),
    # new map: the new Trần Phú 2 (one pending past due on 30/09), the new Nam Sách 1
    new("A1", "2025-07-10 08:00", "2025-07-15 17:00", "2025-07-14 09:00"),
    new("A2", "2025-09-01 08:00", "2025-09-05 17:00", None),
    new("B1", "2025-07-11 08:00", "2025-07-16 17:00", "2025-07-16 10:00", unit="10606"),
]
# An old commune divided between the new Trần Phú (its successor, with all its history) and the new
# Nam Sách (a part, without history), as four communes of the real mapping are (docs/units.md).
DIVIDED = dict(code="10627", name="Xã Thanh Quang", type="Xã", level="commune", parent_code="291", province_code="30",
               district_code="291", map="old", valid_to=date(2025, 6, 30), successor_code="10633",
               divided_into="10606;10633")
OLD_HP = [DIVIDED, dict(code="303", name="Quận Lê Chân", type="Quận", level="district", parent_code="31", province_code="31",
               district_code="303", map="old", valid_to=date(2025, 6, 30), successor_code="31"),
          dict(code="11311", name="Phường An Biên", type="Phường", level="commune", parent_code="303",
               province_code="31", district_code="303", map="old", valid_to=date(2025, 6, 30), successor_code="10633")]
YEAR_2023 = periods.calendar_year(2023)
Q3_2025 = periods.custom(date(2025, 7, 1), date(2025, 9, 30))
YEAR_2025 = periods.calendar_year(2025)
FORM = ["received_total", "received_new", "carried_over", "resolved_total", "resolved_early", "resolved_on_time",
        "resolved_late", "pending_total", "pending_within", "pending_overdue"]


def fact(unit, year, value):
    return dict(unit_code=unit, year=year, indicator="villages", value=value, note="x", entered_by="t",
                entered_at=datetime(year, 12, 20, 8))


# villages (số thôn): 2023 by the old communes (the old and the new 10633 share the code), 2025 by the new
FACTS = [fact("10621", 2023, 4), fact("10618", 2023, 5), fact("10633", 2023, 6), fact("10606", 2023, 3),
         fact("10633", 2025, 15)]


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("maps"), dossiers=ROWS, units=UNITS_BOTH_MAPS + OLD_HP, facts=FACTS)
    rollup.build(root)
    on, off = Database(root), Database(root, use_rollup=False)
    yield on, off
    on.close()
    off.close()


def form(db, key, p):
    k = kpis.dossier_kpis(db, units.resolve(db, key), p)
    return {c: k[c] for c in FORM}


def test_a_code_names_the_new_unit_and_cu_names_the_old(fx):
    db, _ = fx
    new_tp, old_tp, qt = units.resolve(db, "10633"), units.resolve(db, "cu-10633"), units.resolve(db, "10621")
    assert (new_tp.map, new_tp.province, new_tp.district) == ("new", "31", None)
    assert (old_tp.map, old_tp.province, old_tp.district, old_tp.key) == ("old", "30", "291", "cu-10633")
    assert (qt.map, qt.key, qt.successor_code) == ("old", "10621", "10633")   # no new unit reuses 10621
    assert sorted(p.code for p in new_tp.predecessors) == ["10618", "10621", "10627", "10633", "11311"]
    assert qt.label() == "Xã Quốc Tuấn, Huyện Nam Sách (cũ, nay thuộc Xã Trần Phú, Thành phố Hải Phòng)"
    assert units.resolve(db, "31").map == "new" and units.resolve(db, "cu-31").map == "old"
    assert units.resolve(db, "cu-10621") == qt   # "cu-" always names the old unit; its key stays the code
    with pytest.raises(units.UnitError, match="Không có đơn vị mã cu-11948"):
        units.resolve(db, "cu-11948")


def test_before_the_change_a_new_commune_is_the_sum_of_its_predecessors(fx):
    db, _ = fx
    # by hand, 2023: Q1 early, Q2 late, H1 on the due day (finished 16:00 on its due day), T1 early, P1 early
    assert form(db, "10633", YEAR_2023) == {
        "received_total": 5, "received_new": 5, "carried_over": 0, "resolved_total": 5, "resolved_early": 3,
        "resolved_on_time": 1, "resolved_late": 1, "pending_total": 0, "pending_within": 0, "pending_overdue": 0}
    parts = [form(db, k, YEAR_2023) for k in ("10621", "10618", "cu-10633", "11311")]
    assert form(db, "10633", YEAR_2023) == {c: sum(p[c] for p in parts) for c in FORM}


def test_a_period_spanning_the_change_adds_both(fx):
    db, _ = fx
    # Q3/2025 for the new Trần Phú: T2 carried over from the old Trần Phú and resolved late on 01/08;
    # A1 new, early; A2 new, open and past due on 30/09
    assert form(db, "10633", Q3_2025) == {
        "received_total": 3, "received_new": 2, "carried_over": 1, "resolved_total": 2, "resolved_early": 1,
        "resolved_on_time": 0, "resolved_late": 1, "pending_total": 1, "pending_within": 0, "pending_overdue": 1}
    # the whole of 2025: T2 received in it (old map), A1, A2 (new map)
    y = form(db, "10633", YEAR_2025)
    assert (y["received_new"], y["carried_over"], y["resolved_total"], y["pending_overdue"]) == (3, 0, 2, 1)


def test_old_and_new_units_with_one_code_never_share_a_row(fx):
    db, _ = fx
    # the old Trần Phú over the first half of 2025: T2 only (A1, A2 are the new unit's)
    h1 = periods.custom(date(2025, 1, 1), date(2025, 6, 30))
    assert form(db, "cu-10633", h1)["received_new"] == 1
    # the new Nam Sách (10606 reused) over Q3/2025: B1 only, not the old Thị trấn's N1 (it is no predecessor
    # in this period: N1 was finished in 2023)
    assert form(db, "10606", Q3_2025)["received_new"] == 1
    assert form(db, "10606", YEAR_2023)["received_new"] == 1   # before the change: the old Thị trấn Nam Sách
    # the old province 31 (Hải Phòng) in 2023: P1 only; the new 31 adds the old Hải Dương
    assert form(db, "cu-31", YEAR_2023)["received_new"] == 1
    assert form(db, "31", YEAR_2023)["received_new"] == 6


def test_the_new_province_ranks_new_communes_with_their_history(fx):
    db, _ = fx
    from cchc.views import tong_quan
    hp = units.resolve(db, "31")
    assert tong_quan.child_level(hp) == "commune"
    df = db.run("unit_ranking", **hp.scope, start=YEAR_2023.start, end=YEAR_2023.end, child_level="commune")
    got = {r["code"]: r["received_new"] for r in df.to_dicts()}
    assert got == {"10633": 5, "10606": 1}   # 2023: the predecessors' dossiers under the new communes


def test_the_rollups_give_the_same_figures(fx):
    on, off = fx
    for key in ("31", "cu-31", "30"):
        for p in (YEAR_2023, Q3_2025, YEAR_2025):
            u = units.resolve(on, key)
            if u.ended_before(p.end):
                continue   # an old unit's periods end by its last day (cchc.coverage cuts them)
            assert on.routed("dossier_kpis", {**u.scope, "start": p.start, "end": p.end}) == "dossier_kpis_daily"
            assert form(on, key, p) == form(off, key, p), (key, p.label)


def test_an_old_unit_after_its_end_names_its_successor(fx):
    db, _ = fx
    qt = units.resolve(db, "10621")
    assert qt.ended_before(date(2026, 1, 1)) and not qt.ended_before(date(2025, 6, 30))
    msg = qt.gone_message()
    assert "30/06/2025" in msg and "Xã Trần Phú" in msg and "10633" in msg


def test_facts_follow_the_map_of_their_year(fx):
    db, _ = fx
    new_tp, old_tp = units.resolve(db, "10633"), units.resolve(db, "cu-10633")
    # 2023: the new xã Trần Phú's facts are its predecessors' added up (4 + 5 + 6 villages)
    assert not facts.own_year(new_tp, 2023) and facts.own_year(old_tp, 2023)
    y = facts.scope_year(db, new_tp, 2023)
    assert (y["aggregate"]["villages"]["value"], y["communes"]) == (15, 3)
    assert facts.commune_year(db, old_tp, 2023)["values"] == {"villages": 6}
    # 2025: its own report; the old Trần Phú has none (the 2025 row of code 10633 is the new unit's)
    assert facts.own_year(new_tp, 2025) and not facts.own_year(old_tp, 2025)
    assert facts.commune_year(db, new_tp, 2025)["values"] == {"villages": 15}
    assert facts.scope_year(db, old_tp, 2025)["communes"] == 0


def test_a_divided_commune_makes_both_successors_approximate(fx):
    db, _ = fx
    tp, ns, qt = units.resolve(db, "10633"), units.resolve(db, "10606"), units.resolve(db, "10621")
    assert "Xã Thanh Quang được chia cho nhiều đơn vị mới" in tp.approximate_note
    assert "Xã Nam Sách nhận một phần của Xã Thanh Quang" in ns.approximate_note
    assert qt.approximate_note is None   # an old unit's own figures are exact


def test_the_pages_say_a_history_is_approximate(fx, monkeypatch):
    from apptest_util import open_page
    db, _ = fx
    monkeypatch.setenv("CCHC_DATA_DIR", str(db.root))
    monkeypatch.setenv("CCHC_PUBLIC_READ", "1")  # hand-built data are real data: read as the public
    for page in ("pages/tong_quan.py", "pages/ho_so.py"):
        at = open_page(page, {"unit": "10633", "from": "2023-01-01", "to": "2023-12-31"})
        assert not at.exception, [e.value for e in at.exception]
        assert any("gần đúng" in i.value and "Xã Thanh Quang" in i.value for i in at.info), page
        # after the change the new commune's own figures are exact: no note
        at = open_page(page, {"unit": "10633", "from": "2025-07-01", "to": "2025-09-30"})
        assert not any("gần đúng" in i.value for i in at.info), page
