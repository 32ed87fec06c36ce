"""Issue 14, honest coverage (cchc.coverage): the data end read from the data, a period clipped to
it (and to an old unit's last day), a period after it refused in Vietnamese, the default period (the
latest complete official year) for data ending in every part of the year, the cut-off days from the
reference file. The data end is never typed: it is read from the sample (30/06/2025 until the sample
is extended, 30/11/2026 after)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cchc import coverage, kpis, periods, units
from cchc.coverage import CoverageError
from cchc.periods import PeriodError, fmt_date


def _end(db) -> date:
    return coverage.data_end(db)


# --- the data end -----------------------------------------------------------------------------------
def test_data_end_is_the_last_day_a_dossier_was_received(db):
    last = db.sql("SELECT max(CAST(received_at AS DATE)) FROM raw_dossiers").item()
    assert coverage.data_end(db) == last
    assert coverage.data_label(last) == f"Dữ liệu đến {fmt_date(last)}"
    assert coverage.data_label(date(2026, 11, 30)) == "Dữ liệu đến 30/11/2026"


def test_map_change_is_the_units_module_s():
    assert coverage.MAP_CHANGE == units.MAP_CHANGE
    assert coverage.map_at(date(2025, 6, 30)) == "old" and coverage.map_at(date(2025, 7, 1)) == "new"


# --- clip -------------------------------------------------------------------------------------------
def test_a_period_inside_the_data_is_not_clipped():
    p = periods.official_year(2023, 10)
    assert coverage.clip(p, date(2025, 6, 30)) is p
    assert coverage.clip(p, p.end) is p and not p.partial and p.coverage_note is None


def test_a_period_past_the_data_end_is_clipped_to_it():
    p = periods.official_year(2026, 15)          # 15/12/2025 – 14/12/2026
    c = coverage.clip(p, date(2026, 11, 30))
    assert (c.start, c.end, c.nominal_end) == (date(2025, 12, 15), date(2026, 11, 30), date(2026, 12, 14))
    assert c.partial and c.clip_reason == "data" and c.coverage_note == "dữ liệu đến 30/11/2026"
    assert c.label == "Năm 2026 (15/12/2025 – 14/12/2026), dữ liệu đến 30/11/2026"
    assert c.short_label == "Năm 2026" and c.file_label == "Năm 2026 đến 30/11/2026"
    assert c.days == 351 and c.full() == p
    # the link names the whole period: opened again, it is clipped again from the data
    assert c.to_params() == p.to_params() and periods.from_params(c.to_params()) == p
    # clipping a clipped period starts again from the whole period
    assert coverage.clip(c, date(2026, 12, 31)) == p
    assert coverage.clip(c, date(2026, 6, 30)).end == date(2026, 6, 30)


def test_the_comparison_of_a_clipped_period_is_clipped_at_the_same_day():
    c = coverage.clip(periods.official_year(2026, 15), date(2026, 11, 30))
    prev = c.previous_year()
    assert (prev.start, prev.end, prev.nominal_end) == (date(2024, 12, 15), date(2025, 11, 30), date(2025, 12, 14))
    assert prev.label.endswith("tính đến 30/11/2025")


def test_an_old_unit_s_period_is_clipped_at_its_last_day():
    p = periods.official_year(2025, 10)          # 10/12/2024 – 09/12/2025
    c = coverage.clip(p, date(2026, 11, 30), unit_valid_to=date(2025, 6, 30))
    assert c.end == date(2025, 6, 30) and c.clip_reason == "unit"
    assert c.label.endswith("đơn vị tồn tại đến 30/06/2025")
    # data ending first: the data end is the reason
    assert coverage.clip(p, date(2025, 3, 31), date(2025, 6, 30)).coverage_note == "dữ liệu đến 31/03/2025"
    with pytest.raises(PeriodError):             # after its end: the page shows Unit.gone_message()
        coverage.clip(periods.official_year(2026, 10), date(2026, 11, 30), date(2025, 6, 30))


def test_a_custom_range_is_clipped_too():
    c = coverage.clip(periods.custom(date(2025, 1, 1), date(2027, 3, 1)), date(2026, 11, 30))
    assert c.kind == "custom" and c.end == date(2026, 11, 30)
    assert c.label == "Từ 01/01/2025 đến 01/03/2027, dữ liệu đến 30/11/2026"


@pytest.mark.parametrize("p", [periods.official_year(2027, 15), periods.official_month(2027, 1, 15),
                               periods.calendar_month(2026, 12), periods.custom(date(2026, 12, 1), date(2026, 12, 2))])
def test_a_period_starting_after_the_data_end_is_refused_in_vietnamese(p):
    with pytest.raises(CoverageError) as e:
        coverage.clip(p, date(2026, 11, 30))
    assert "bắt đầu sau ngày cuối có dữ liệu" in str(e.value) and "30/11/2026" in str(e.value)
    assert isinstance(e.value, PeriodError)       # the UI's PeriodError handling shows it
    assert coverage.is_after_data(p, date(2026, 11, 30))


def test_clipped_period_is_validated():
    with pytest.raises(PeriodError):
        periods.Period("year", 2026, None, date(2025, 12, 15), date(2026, 12, 14), 15, date(2026, 12, 14), "data")
    with pytest.raises(PeriodError):
        periods.Period("year", 2026, None, date(2025, 12, 15), date(2026, 11, 30), 15, date(2026, 12, 14), "x")
    with pytest.raises(PeriodError):
        periods.Period("year", 2026, None, date(2025, 12, 15), date(2026, 11, 30), 15, date(2026, 12, 31), "data")
    with pytest.raises(PeriodError):
        periods.official_year(2026, 15).clipped(date(2025, 1, 1))


def test_the_queries_receive_the_clipped_period(db):
    """A dossier still open on the data end is pending on that day, never overdue on a day the data
    do not reach: the clipped period counts exactly what the range ending on the data end counts."""
    end = _end(db)
    unit = units.resolve(db, "10621")            # Xã Quốc Tuấn (old map), a commune of every sample
    whole = next(p for p in periods.periods_of_kind("year", end, end, coverage.cutoff_day("old", "30"))
                 if p.end > end) if unit.valid_to is None or end <= unit.valid_to else None
    if whole is None:                            # data beyond the old unit's end: its last year
        whole = periods.official_year(2025, coverage.cutoff_day("old", "30"))
    clipped = coverage.clip(whole, end, unit.valid_to)
    assert clipped.partial and clipped.end == min(end, unit.valid_to or end)
    got = kpis.dossier_kpis(db, unit, clipped)
    want = kpis.dossier_kpis(db, unit, periods.custom(clipped.start, clipped.end))
    assert {k: got[k] for k in kpis.BIEU06_KEYS} == {k: want[k] for k in kpis.BIEU06_KEYS}
    assert got["received_total"] > 0
    unclipped = kpis.dossier_kpis(db, unit, whole)
    assert got["pending_overdue"] <= unclipped["pending_overdue"]


# --- the default period -----------------------------------------------------------------------------
@pytest.mark.parametrize("data_end, cut, want", [
    # cut-off 15: Năm Y = 15/12/(Y-1) – 14/12/Y
    (date(2026, 11, 30), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),   # the extended sample
    (date(2026, 12, 13), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),   # the day before the year ends
    (date(2026, 12, 14), 15, (2026, date(2025, 12, 15), date(2026, 12, 14))),   # the year's last day
    (date(2026, 12, 31), 15, (2026, date(2025, 12, 15), date(2026, 12, 14))),   # after the cut-off, in December
    (date(2026, 1, 1), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),     # new year's day
    (date(2026, 3, 31), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),    # first quarter
    (date(2026, 6, 30), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),    # mid-year
    (date(2026, 9, 15), 15, (2025, date(2024, 12, 15), date(2025, 12, 14))),    # third quarter
    # cut-off 10 (old Hải Dương): Năm Y = 10/12/(Y-1) – 09/12/Y
    (date(2025, 6, 30), 10, (2024, date(2023, 12, 10), date(2024, 12, 9))),     # today's sample
    (date(2023, 12, 9), 10, (2023, date(2022, 12, 10), date(2023, 12, 9))),
    (date(2023, 12, 8), 10, (2022, date(2021, 12, 10), date(2022, 12, 9))),
])
def test_default_period_is_the_latest_complete_official_year(data_end, cut, want):
    p = coverage.default_period(data_end, cut)
    assert (p.kind, p.year, p.start, p.end, p.cutoff_day) == ("year", want[0], want[1], want[2], cut)
    assert not p.partial and p.end <= data_end
    assert periods.official_year(p.year + 1, cut).end > data_end   # the latest one


def test_default_period_of_an_old_unit_ends_by_its_last_day():
    p = coverage.default_period(date(2026, 11, 30), 10, valid_to=date(2025, 6, 30))
    assert (p.year, p.start, p.end) == (2024, date(2023, 12, 10), date(2024, 12, 9))


def test_default_period_of_other_kinds_and_short_data():
    m = coverage.default_period(date(2026, 11, 30), 15, kind="month")
    assert (m.year, m.index, m.start, m.end) == (2026, 11, date(2026, 10, 15), date(2026, 11, 14))
    q = coverage.default_period(date(2026, 11, 30), 15, kind="quarter")
    assert (q.year, q.index) == (2026, 3)
    # a first month of data only: the month holding the last day, clipped
    short = coverage.default_period(date(2026, 10, 20), 15, kind="cal_year")
    assert short.year == 2025
    part = coverage.default_period(date(1, 1, 20), 15, kind="cal_month")
    assert part.partial and part.end == date(1, 1, 20)


def test_default_period_of_the_sample(db):
    end = _end(db)
    p = coverage.default_period(end, 15)
    assert p.kind == "year" and p.end <= end < periods.official_year(p.year + 1, 15).end


# --- cut-off days -----------------------------------------------------------------------------------
def test_cutoff_days_from_the_reference_file():
    assert coverage.cutoff_day("old", "30") == 10     # old Hải Dương, until 30/06/2025
    assert coverage.cutoff_day("new", "31") == 15     # new Hải Phòng, which took it over
    assert coverage.cutoff_day("new", "30") == 15 and coverage.cutoff_day("old", "01") == 15
    assert coverage.cutoff_day("old", None) == 15
    table = coverage.load_cutoffs()
    assert table[("old", "30")] == 10
    import csv
    with open(coverage.CUTOFF_FILE, encoding="utf-8") as f:
        assert all(r["source"].strip() for r in csv.DictReader(f)), "every cut-off day says where it comes from"


def test_cutoff_file_is_checked(tmp_path):
    def load(text):
        p = tmp_path / "c.csv"
        p.write_text(text, encoding="utf-8")
        return coverage.load_cutoffs(p)

    head = "map,province_code,cutoff_day,source\n"
    assert load(head + "new,31,20,nghị quyết\n") == {("new", "31"): 20}
    for bad in ("mid,31,20,x\n", "new,3,20,x\n", "new,31,1,x\n", "new,31,29,x\n", "new,31,x,x\n",
                "new,31,20,x\nnew,31,21,y\n"):
        with pytest.raises(ValueError):
            load(head + bad)
    with pytest.raises(ValueError):
        load("province,cutoff\n30,10\n")


def test_units_cutoff_day_is_the_reference_file_s(db):
    """cchc.units.Unit.cutoff_day reads coverage.cutoff_day (the lead points it there)."""
    u = units.resolve(db, "10621")
    assert coverage.cutoff_day(u.map, u.province) == 10
    if u.cutoff_day != coverage.cutoff_day(u.map, u.province):
        pytest.xfail("cchc.units.Unit.cutoff_day not yet pointed at cchc.coverage.cutoff_day")


def test_one_day_past_the_data_end_is_refused_and_the_data_end_is_kept(db):
    end = _end(db)
    with pytest.raises(CoverageError):
        coverage.clip(periods.custom(end + timedelta(days=1), end + timedelta(days=5)), end)
    one = coverage.clip(periods.custom(end, end + timedelta(days=5)), end)
    assert (one.start, one.end) == (end, end) and one.partial


# --- the page state: what the queries receive -------------------------------------------------------
class _Data:
    """A database stand-in giving only the data range (cchc.ui.state reads nothing else here)."""
    def __init__(self, first: date, last: date):
        import polars as pl
        self.frame = pl.DataFrame({"first_day": [first], "last_day": [last]})

    def run(self, name, **params):
        import polars as pl
        assert name in ("data_range_stats", "data_range"), name
        return self.frame.with_columns(complete=pl.lit(True)) if name == "data_range_stats" else self.frame


def _old_commune():
    return units.Unit(code="10621", name="Xã Quốc Tuấn", level="commune", province="30", district="291",
                      map="old", valid_to=date(2025, 6, 30), successor_code="10633", successor_name="Xã Trần Phú")


def _new_commune():
    return units.Unit(code="10633", name="Xã Trần Phú", level="commune", province="31", district=None, map="new")


def test_state_selects_the_clipped_period():
    from cchc.ui import state
    db = _Data(date(2021, 1, 1), date(2026, 11, 30))
    s = state.select(db, _new_commune(), periods.official_year(2026, 15), True)
    assert not s.gone and s.period.end == date(2026, 11, 30) and s.period.partial
    assert s.params() == {"unit": "10633", **periods.official_year(2026, 15).to_params()}
    with pytest.raises(CoverageError):
        state.select(db, _new_commune(), periods.official_year(2027, 15), True)


def test_state_old_unit_spanning_its_end_and_after_it():
    from cchc.ui import state
    db = _Data(date(2021, 1, 1), date(2026, 11, 30))
    span = state.select(db, _old_commune(), periods.official_year(2025, 10), True)
    assert not span.gone and span.period.end == date(2025, 6, 30) and span.period.clip_reason == "unit"
    after = state.select(db, _old_commune(), periods.official_year(2026, 10), False)
    assert after.gone and after.period == periods.official_year(2026, 10)   # no clip: no figures at all
    assert "không còn tồn tại sau 30/06/2025" in after.unit.gone_message()
    # the successor keeps the period (re-made with its province's cut-off day) and the comparison
    nxt = state.with_unit(db, after, _new_commune())
    assert not nxt.gone and nxt.compare is False
    assert (nxt.period.kind, nxt.period.year, nxt.period.cutoff_day) == ("year", 2026, 15)
    # the default period of an old unit ends by its last day
    assert state.default_period(db, _old_commune()).end <= date(2025, 6, 30)


def test_data_range_from_the_files_statistics_and_from_the_rows_without_them(tmp_path, db):
    """The first and last day come from the dossier files' statistics (no row read) and equal the scan
    of every row; a file written without statistics makes the range come from the rows."""
    import glob

    import pyarrow.parquet as pq

    from cchc.db import Database
    from fixtures import dossier, write_dataset
    assert db.run("data_range_stats").row(0) == (*db.run("data_range").row(0), True)   # the sample
    root = write_dataset(tmp_path / "d", dossiers=[
        dossier("A", "2023-01-03 08:00", "2023-01-10 17:00", "2023-02-20 09:00"),
        dossier("B", "2023-03-07 08:00", "2023-03-14 17:00", None)])
    fresh = Database(root)
    try:
        assert fresh.run("data_range_stats").row(0)[2]
        assert coverage.data_range(fresh) == (date(2023, 1, 3), date(2023, 3, 7))
    finally:
        fresh.close()
    for f in glob.glob(str(root / "dossiers" / "**" / "*.parquet"), recursive=True):   # no statistics
        t = pq.read_table(f)
        pq.write_table(t, f, write_statistics=False)
    bare = Database(root)
    try:
        assert not bare.run("data_range_stats").row(0)[2]
        assert coverage.data_range(bare) == (date(2023, 1, 3), date(2023, 3, 7))
    finally:
        bare.close()
