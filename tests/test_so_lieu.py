"""Số liệu tự báo cáo: the page for Quốc Tuấn 2023 (the seed's staffing inconsistency), a district's
view against its communes, the newest entry winning, and the checks on hand-made dicts."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc import facts, kpis, periods
from cchc.db import Database

from fixtures import write_dataset

YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}


def _tables(at) -> dict[str, object]:
    """Each group's table under its subheader (the page draws one subheader then one table per group)."""
    heads = [h.value for h in at.subheader if h.value in facts.GROUPS.values()]
    frames = [d.value for d in at.dataframe if "Chỉ tiêu" in d.value.columns]
    assert len(heads) == len(frames) > 0
    return dict(zip(heads, frames))


# --- the page on the default sample ---------------------------------------------------------------------
def test_quoc_tuan_2023_flags_staffing_and_shows_previous_year(app, db):
    at = app(page="pages/so_lieu.py", unit="10621", **YEAR_2023)
    assert at.selectbox(key="facts_year_2023").value == 2023  # the year the period ends in
    errors = [e.value for e in at.error]
    assert any("14 + 3 ≠ 20" in e for e in errors), errors
    tables = _tables(at)
    staff = tables["Cải cách tổ chức bộ máy"]
    assert {"Năm 2023", "Năm 2022", "Thay đổi"} <= set(staff.columns)
    before = {r["indicator"]: r["value"] for r in db.run("facts_year", unit="10621", year=2022).to_dicts()}
    quota = staff[staff["Chỉ tiêu"] == facts.indicators()["staff_quota"].name].iloc[0]
    assert quota["Năm 2023"] == "20"
    assert quota["Năm 2022"] == facts.value_text(before["staff_quota"])
    assert quota["Kiểm tra"] == "❌"
    assert set(tables) <= set(facts.GROUPS.values())


def test_district_view_sums_communes_and_lists_each_communes_issues(app, db):
    at = app(page="pages/so_lieu.py", unit="291", **YEAR_2023)
    issues = next(d.value for d in at.dataframe if "Mã xã" in d.value.columns and "Nội dung" in d.value.columns)
    qt = issues[issues["Mã xã"] == "10621"]
    assert any("14 + 3 ≠ 20" in m for m in qt["Nội dung"])
    units = db.run("units_all")
    codes = units.filter((units["district_code"] == "291") & (units["level"] == "commune"))["code"].to_list()
    quota = sum(next(r["value"] for r in db.run("facts_year", unit=c, year=2023).to_dicts()
                     if r["indicator"] == "staff_quota") for c in codes)
    staff = _tables(at)["Cải cách tổ chức bộ máy"]
    row = staff[staff["Chỉ tiêu"] == facts.indicators()["staff_quota"].name].iloc[0]
    assert row["Năm 2023"] == facts.value_text(quota)
    assert row["Cách tổng hợp"] == "Cộng các xã"
    assert row["Số xã báo cáo"] == str(len(codes))
    cls = staff[staff["Chỉ tiêu"] == facts.indicators()["unit_class"].name].iloc[0]
    assert (cls["Cách tổng hợp"], cls["Năm 2023"]) == ("Không cộng dồn", "–")
    assert any("không cộng dồn" in i.value for i in at.info)


def test_province_view_and_year_link(app):
    at = app(page="pages/so_lieu.py", unit="30", nam="2022", **YEAR_2023)
    assert at.selectbox(key="facts_year_2023").value == 2022
    assert not at.exception


# --- hand-built facts: the newest entry wins --------------------------------------------------------------
def _fact(unit, year, indicator, value, at):
    return dict(unit_code=unit, year=year, indicator=indicator, value=float(value), note=None, entered_by="t",
                entered_at=at)


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    t1, t2 = datetime(2023, 12, 15, 8), datetime(2024, 1, 5, 9)
    rows = [_fact("10621", 2023, k, v, t1) for k, v in
            {"staff_quota": 20, "staff_present": 14, "staff_vacancies": 3, "plans_issued": 15}.items()]
    rows += [_fact("10621", 2023, "staff_quota", 17, t2),  # corrected later: now consistent
             _fact("10621", 2022, "plans_issued", 11, t1),
             _fact("10606", 2023, "plans_issued", 5, t1), _fact("10606", 2023, "plan_tasks_done_pct", 90, t1),
             _fact("10621", 2023, "plan_tasks_done_pct", 100, t1)]
    d = Database(write_dataset(tmp_path_factory.mktemp("facts"), facts=rows))
    yield d
    d.close()


def test_newest_entry_wins_and_previous_year_beside(fx):
    qt = kpis.resolve_unit(fx, "10621")
    data = facts.commune_year(fx, qt, 2023)
    assert data["values"]["staff_quota"] == 17
    assert not [i for i in data["issues"] if i.check == "Biên chế"]
    assert data["previous"] == {"plans_issued": 11}
    tables = dict(facts.commune_tables(data))
    row = tables[facts.GROUPS["chi_dao"]].row(0, named=True)
    assert (row["Năm 2023"], row["Năm 2022"], row["Thay đổi"]) == ("15", "11", "+4")


def test_district_aggregate_by_hand(fx):
    data = facts.scope_year(fx, kpis.resolve_unit(fx, "291"), 2023)
    agg = data["aggregate"]
    assert agg["plans_issued"] == {"value": 20, "communes": 2, "how": "sum"}
    assert agg["plan_tasks_done_pct"] == {"value": 95, "communes": 2, "how": "mean"}
    assert agg["staff_quota"]["value"] == 17  # only Quốc Tuấn reports it, its newest entry
    assert data["communes"] == 2
    assert facts.available_years(fx, kpis.resolve_unit(fx, "291")) == [2022, 2023]


# --- the checks on hand-made dicts --------------------------------------------------------------------------
GOOD = {"staff_quota": 20, "staff_present": 17, "staff_vacancies": 3, "staff_officials": 9, "staff_civil_servants": 8,
        "staff_university": 12, "staff_college": 5, "staff_politics_intermediate": 10, "staff_politics_elementary": 7,
        "plan_tasks_done_pct": 100, "documents_issued_electronic_pct": 97.5, "procedures_in_force": 161}


def test_consistent_year_has_no_issues():
    assert facts.check(GOOD, catalogue_count=161) == []


def test_quota_mismatch_is_an_error_with_the_figures():
    issues = facts.check({**GOOD, "staff_present": 14})
    quota = [i for i in issues if i.check == "Biên chế"]
    assert len(quota) == 1 and quota[0].severity == "error"
    assert "14 + 3 ≠ 20" in quota[0].message
    assert set(quota[0].indicators) == {"staff_present", "staff_vacancies", "staff_quota"}
    # the other identities on staff_present now fail too
    assert {i.check for i in issues} >= {"Cơ cấu CBCC", "Trình độ chuyên môn", "Lý luận chính trị"}


def test_officials_and_civil_servants_must_add_up():
    issues = facts.check({**GOOD, "staff_officials": 10})
    assert [(i.check, i.severity) for i in issues] == [("Cơ cấu CBCC", "error")]
    assert "10 + 8 ≠ 17" in issues[0].message


def test_qualifications_short_is_a_warning_over_is_an_error():
    short = facts.check({**GOOD, "staff_college": 4})
    assert [(i.check, i.severity) for i in short] == [("Trình độ chuyên môn", "warning")]
    over = facts.check({**GOOD, "staff_politics_elementary": 9})
    assert [(i.check, i.severity) for i in over] == [("Lý luận chính trị", "error")]
    assert "10 + 9 ≠ 17" in over[0].message


def test_percentages_and_ranges():
    issues = facts.check({**GOOD, "plan_tasks_done_pct": 104, "website_views": -5, "plans_issued": 2.5})
    by = {(i.check, i.indicators): i for i in issues}
    assert by[("Tỷ lệ", ("plan_tasks_done_pct",))].severity == "error"
    assert "104 %" in by[("Tỷ lệ", ("plan_tasks_done_pct",))].message
    assert by[("Khoảng giá trị", ("website_views",))].severity == "error"
    assert by[("Số nguyên", ("plans_issued",))].severity == "warning"


def test_procedures_in_force_against_the_catalogue():
    issues = facts.check(GOOD, catalogue_count=159, catalogue_day=date(2023, 12, 9))
    assert len(issues) == 1 and issues[0].check == "Số TTHC"
    assert "161" in issues[0].message and "159" in issues[0].message and "09/12/2023" in issues[0].message


def test_missing_figures_skip_their_checks():
    assert facts.check({"staff_quota": 20, "staff_present": 14}) == []
    assert facts.check({}) == []


def test_catalogue_day_and_default_year():
    assert facts.catalogue_day(2023, "30") == date(2023, 12, 9)  # Hải Dương reports up to the 9th
    assert facts.catalogue_day(2023, "01") == date(2023, 12, 14)  # NĐ 09/2019 default
    assert facts.default_year([2021, 2022, 2023], periods.official_year(2023, 10)) == 2023
    assert facts.default_year([2021, 2022], periods.calendar_year(2025)) == 2022
    assert facts.default_year([], periods.calendar_year(2025)) is None


def test_aggregate_rules():
    rows = [{"indicator": "plans_issued", "value": 3.0}, {"indicator": "plans_issued", "value": 4.0},
            {"indicator": "documents_compliant_pct", "value": 90.0}, {"indicator": "documents_compliant_pct", "value": 100.0},
            {"indicator": "unit_class", "value": 1.0}, {"indicator": "unit_class", "value": 3.0}]
    agg = facts.aggregate(rows)
    assert (agg["plans_issued"]["value"], agg["documents_compliant_pct"]["value"], agg["unit_class"]["value"]) == (7, 95, None)
    assert agg["unit_class"]["communes"] == 2
