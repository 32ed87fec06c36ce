"""The staging macro and the Biểu 06 query on hand-built dossiers whose answers are worked out by hand."""
from __future__ import annotations

from datetime import date

import pytest

from cchc import kpis, periods, units
from cchc.db import Database

from fixtures import dossier, write_dataset

# Period: calendar March 2023 (01/03–31/03). Deadlines at 17:00 on the due day.
ROWS = [
    # carried over: received in February, finished in March on the due day -> carried, resolved, đúng hạn
    dossier("A", "2023-02-27 09:00", "2023-03-02 17:00", "2023-03-02 10:00"),
    # carried over, finished before the period -> not counted at all
    dossier("B", "2023-02-20 09:00", "2023-02-23 17:00", "2023-02-22 10:00"),
    # new, finished early (day before due) -> trước hạn; online
    dossier("C", "2023-03-01 08:00", "2023-03-06 17:00", "2023-03-03 15:00", channel="truc_tuyen"),
    # new, finished one day late -> quá hạn; input not digitised
    dossier("D", "2023-03-06 08:00", "2023-03-09 17:00", "2023-03-10 08:30", digitised_input=False),
    # new, received on the last day, pending; due after the end -> trong hạn
    dossier("E", "2023-03-31 16:00", "2023-04-05 17:00", None),
    # carried over from 2021 (an older partition), still pending, due long past -> quá hạn (đang giải quyết)
    dossier("F", "2021-11-02 09:00", "2021-11-05 17:00", None),
    # new, finished after the end -> pending at the end; due on the last day -> trong hạn
    dossier("G", "2023-03-28 09:00", "2023-03-31 17:00", "2023-04-03 09:00"),
    # same-day procedure of another field, finished the same day -> đúng hạn; postal
    dossier("H", "2023-03-15 09:00", "2023-03-15 17:00", "2023-03-15 09:30", proc="P2", field="Chứng thực",
            channel="buu_chinh"),
    # another commune of the district: only in district/province totals
    dossier("I", "2023-03-10 09:00", "2023-03-15 17:00", "2023-03-14 09:00", unit="10606"),
    # received after the period -> not counted
    dossier("J", "2023-04-01 09:00", "2023-04-05 17:00", "2023-04-03 09:00"),
]


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("fx"), dossiers=ROWS)
    d = Database(root)
    yield d
    d.close()


def test_roles_of_each_dossier(fx):
    df = fx.sql("SELECT dossier_id, carried_over, is_new, resolved, pending, pending_status, finish_status "
                "FROM dossiers_for(dossiers_files_all(), $scope, $s, $e) ORDER BY dossier_id",
                s=date(2023, 3, 1), e=date(2023, 3, 31), scope=units.resolve(fx, "10621").scope["scope"])
    got = {r["dossier_id"]: r for r in df.to_dicts()}
    assert sorted(got) == ["A", "C", "D", "E", "F", "G", "H"]
    assert [k for k, r in got.items() if r["carried_over"]] == ["A", "F"]
    assert [k for k, r in got.items() if r["resolved"]] == ["A", "C", "D", "H"]
    assert {k: r["pending_status"] for k, r in got.items() if r["pending"]} == {"E": "trong_han", "F": "qua_han", "G": "trong_han"}
    assert {k: got[k]["finish_status"] for k in "ACDH"} == {"A": "dung_han", "C": "truoc_han", "D": "qua_han", "H": "dung_han"}


def test_biểu_06_by_hand(fx):
    u = kpis.resolve_unit(fx, "10621")
    k = kpis.dossier_kpis(fx, u, periods.calendar_month(2023, 3))
    # (3)=7: A,C,D,E,F,G,H; (4) online new: C; (5) new other: D,E,G,H; (6) carried: A,F
    assert (k["received_total"], k["received_online"], k["received_offline"], k["carried_over"]) == (7, 1, 4, 2)
    # (7)=4: A,C,D,H; (8) C; (9) A,H; (10) D
    assert (k["resolved_total"], k["resolved_early"], k["resolved_on_time"], k["resolved_late"]) == (4, 1, 2, 1)
    # (11)=3: E,G within, F overdue
    assert (k["pending_total"], k["pending_within"], k["pending_overdue"]) == (3, 2, 1)
    assert k["on_time_rate"] == 3 / 4
    assert (k["digitised_input"], k["received_new"]) == (4, 5)  # C,E,G,H of C,D,E,G,H
    f = {r["field"]: r["received_total"] for r in k["by_field"]}
    assert f == {"Hộ tịch": 6, "Chứng thực": 1}
    district = kpis.dossier_kpis(fx, kpis.resolve_unit(fx, "291"), periods.calendar_month(2023, 3))
    assert district["received_total"] == 8 and district["resolved_early"] == 2  # + I (early)


def test_period_boundaries_inclusive(fx):
    u = kpis.resolve_unit(fx, "10621")
    # a one-day period on the last day of March: E is new that day, G finishes later
    k = kpis.dossier_kpis(fx, u, periods.custom(date(2023, 3, 31), date(2023, 3, 31)))
    assert k["received_new"] == 1 and k["resolved_total"] == 0
    # a period ending on 02/03: A resolved on its last day
    k = kpis.dossier_kpis(fx, u, periods.custom(date(2023, 3, 1), date(2023, 3, 2)))
    assert k["resolved_total"] == 1 and k["resolved_on_time"] == 1


def test_processing_working_days(fx):
    # D: received Mon 06/03, finished Fri 10/03 -> 4 working days; H same day -> 0
    df = fx.sql("SELECT dossier_id, processing_days FROM stg_dossier_times WHERE dossier_id IN ('D','H') ORDER BY 1")
    assert df.rows() == [("D", 4), ("H", 0)]


def test_connection_is_locked_to_the_data_directory(fx):
    import duckdb
    with pytest.raises(duckdb.Error):
        fx.sql("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        fx.sql("SET enable_external_access = true")


def test_values_are_bound_not_formatted(fx):
    # a hostile unit code is just a value that matches nothing
    df = fx.run("unit_lookup", code="10621' OR '1'='1")
    assert df.is_empty()


def test_saturday_receipt_counts_from_monday(tmp_path):
    from datetime import date as d

    from cchc import workdays
    import numpy as np
    sat, mon, tue = d(2023, 3, 18), d(2023, 3, 20), d(2023, 3, 21)
    off = np.array([(sat - workdays.FIRST).days])
    assert workdays.add_working_days(off, np.array([0]))[0] == (mon - workdays.FIRST).days
    assert workdays.add_working_days(off, np.array([1]))[0] == (tue - workdays.FIRST).days
    root = write_dataset(tmp_path, dossiers=[
        dossier("S0", "2023-03-18 09:00", "2023-03-20 17:00", "2023-03-20 10:00", proc="P2", field="Chứng thực"),
        dossier("S1", "2023-03-18 09:00", "2023-03-21 17:00", "2023-03-21 10:00"),
        dossier("SS", "2023-03-18 09:00", "2023-03-20 17:00", "2023-03-18 11:00", proc="P2", field="Chứng thực"),
    ])
    db = Database(root)
    try:
        df = db.sql("SELECT dossier_id, processing_days FROM stg_dossier_times ORDER BY 1")
        assert df.rows() == [("S0", 0), ("S1", 1), ("SS", 0)]
    finally:
        db.close()


def test_procedure_rows_carry_the_catalogue_by_hand(fx):
    rows = kpis.dossier_rows(fx, kpis.resolve_unit(fx, "10621"), periods.calendar_month(2023, 3))
    # sorted by field, then code: Chứng thực (H, P2) before Hộ tịch (A,C,D,E,F,G, P1)
    assert [(r["field"], r["procedure_code"], r["received_total"]) for r in rows] == [
        ("Chứng thực", "P2", 1), ("Hộ tịch", "P1", 6)]
    p2, p1 = rows
    assert (p1["procedure_name"], p1["statutory_days"], p1["online_level"]) == ("Đăng ký khai sinh", 3, "toan_trinh")
    assert (p2["procedure_name"], p2["statutory_days"], p2["online_level"]) == ("Chứng thực bản sao", 0, "khong")
    # resolved in March: A, C, D (P1, online capable) and H (P2, not online)
    assert (p1["resolved_online_capable"], p2["resolved_online_capable"]) == (3, 0)


def test_reference_queries_are_kept_until_their_file_changes(tmp_path):
    import os

    import pyarrow.parquet as pq
    root = write_dataset(tmp_path, dossiers=ROWS)
    db = Database(root)
    try:
        first = db.run("procedure_catalogue")
        assert db.run("procedure_catalogue") is first  # kept
        assert sorted(first["procedure_code"]) == ["P1", "P2"]
        # rewrite procedures.parquet with P1 renamed: the next call reads the new file
        path = root / "procedures.parquet"
        t = pq.read_table(path)
        names = [("Khai sinh (mới)" if c == "P1" else n) for c, n in zip(t["code"].to_pylist(), t["name"].to_pylist())]
        pq.write_table(t.set_column(t.schema.get_field_index("name"), "name", [names]), str(path) + ".new")
        os.replace(str(path) + ".new", path)
        again = db.run("procedure_catalogue")
        assert again is not first
        assert dict(zip(again["procedure_code"], again["procedure_name"]))["P1"] == "Khai sinh (mới)"
    finally:
        db.close()


def test_monthly_trend_by_hand_with_an_empty_month(fx):
    u = kpis.resolve_unit(fx, "10621")
    df = kpis.monthly_trend(fx, u.scope, date(2023, 1, 1), date(2023, 4, 30))
    got = {r["month"]: r for r in df.to_dicts()}
    assert list(got) == [date(2023, 1, 1), date(2023, 2, 1), date(2023, 3, 1), date(2023, 4, 1)]
    cols = ("received_new", "received_online", "resolved_total", "resolved_in_time", "resolved_late")
    # January: nothing received or finished in the commune -> a row of zeros
    assert tuple(got[date(2023, 1, 1)][c] for c in cols) == (0, 0, 0, 0, 0)
    # February: A and B received; B finished before its due day
    assert tuple(got[date(2023, 2, 1)][c] for c in cols) == (2, 0, 1, 1, 0)
    # March: C (online), D, E, G, H received; A, C, D, H finished, D a day late
    assert tuple(got[date(2023, 3, 1)][c] for c in cols) == (5, 1, 4, 3, 1)
    # April: J received; G (due 31/03, late) and J (early) finished
    assert tuple(got[date(2023, 4, 1)][c] for c in cols) == (1, 0, 2, 1, 1)
    # one procedure: Chứng thực's P2 only has H, in March
    p2 = kpis.monthly_trend(fx, u.scope, date(2023, 1, 1), date(2023, 4, 30), procedure="P2")
    assert p2["received_new"].to_list() == [0, 0, 1, 0] and p2["resolved_in_time"].to_list() == [0, 0, 1, 0]
