"""Feedback on-time figures and budget months on hand-built rows, every expected number worked out by
hand in the comments (never computed by the code under test, never one product path compared with
another).

Each test here catches a one-line bug that passed the whole suite before (issue 13, item 7), checked
by applying the bug and running this file:

* queries/feedback_kpis.sql with 'dang_trong_han' dropped from the on-time status set
  (`status IN ('dung_han')`): test_feedback_kpis_count_open_within_deadline_as_on_time;
* the Hài lòng page's on-time rate without the open feedback still within its deadline (once
  `ratio(out["on_time"], ...)` in cchc/views/hai_long.py; now queries/feedback_summary.sql's
  feedback_on_time column, the macro's meaning): test_satisfaction_feedback_rate_counts_open_within_deadline;
* `>=` -> `>` in the custom-range rule of cchc/kpis.finance_months (a month exactly half inside
  the range is left out): test_finance_months_month_half_inside_counts and
  test_finance_kpis_custom_range_by_hand.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from cchc import kpis, periods
from cchc.views import hai_long as satisfaction
from cchc.db import Database

from fixtures import write_dataset

MARCH = periods.calendar_month(2023, 3)      # 01/03/2023 – 31/03/2023; feedback counted as at 31/03


def fb(id: str, received: str, due: str, handled: str | None, unit: str = "10621", **kw) -> dict:
    ts = lambda s: None if s is None else datetime.fromisoformat(s)  # noqa: E731
    row = dict(feedback_id=id, unit_code=unit, district_code="291", province_code="30", dossier_id=None,
               field="Hộ tịch", kind="giai_quyet", channel="cong_dvc", received_at=ts(received), due_at=ts(due),
               handled_at=ts(handled), outcome="giai_trinh" if handled else None, citizen_satisfied=None)
    row.update(kw)
    return row


FEEDBACK = [
    # Xã Quốc Tuấn (10621), received in March; status as at the end of 31/03:
    fb("F1", "2023-03-01 09:00", "2023-03-22 17:00", "2023-03-10 10:00"),  # answered before its due day -> dung_han
    fb("F2", "2023-03-02 09:00", "2023-03-23 17:00", "2023-03-28 10:00"),  # answered after its due day  -> qua_han
    fb("F3", "2023-03-20 09:00", "2023-04-10 17:00", None),                # open, due 10/04 not passed  -> dang_trong_han
    fb("F4", "2023-03-03 09:00", "2023-03-24 17:00", None),                # open, due 24/03 passed      -> dang_qua_han
    fb("F5", "2023-03-15 09:00", "2023-04-05 17:00", "2023-04-03 10:00"),  # answered only after 31/03: open then,
    #                                                                        due 05/04 not passed    -> dang_trong_han
    fb("F6", "2023-03-06 09:00", "2023-03-31 17:00", None),                # open, due on the last day (not passed)
    #                                                                                                 -> dang_trong_han
    # Thị trấn Nam Sách (10606), same district: answered on time -> dung_han (district figures only)
    fb("G1", "2023-03-10 09:00", "2023-03-31 17:00", "2023-03-20 10:00", unit="10606"),
    # outside the period: received in February and in April -> not counted anywhere
    fb("X1", "2023-02-25 09:00", "2023-03-17 17:00", None),
    fb("X2", "2023-04-01 09:00", "2023-04-21 17:00", None),
]
# By hand, Quốc Tuấn, March: 6 received (F1–F6); answered by 31/03: F1, F2 (2), of which on time F1 (1);
# open: F3, F4, F5, F6 (4), of which within the deadline F3, F5, F6 (3) and overdue F4 (1).
# 766 indicator 5.2 on time = answered on time + open within the deadline = 1 + 3 = 4 of 6.
# Nam Sách district: + G1 (answered on time): 7 received, on time 5.


def fin(unit: str, month: int, plan: int, actual: int, item: str = "thu_ngan_sach", year: int = 2023) -> dict:
    return dict(unit_code=unit, year=year, month=month, item=item, plan_vnd=plan, actual_vnd=actual)


FINANCES = [
    # Quốc Tuấn, revenue, months 3..7 of 2023 (plan / actual, đồng)
    fin("10621", 3, 100, 90),
    fin("10621", 4, 200, 150),
    fin("10621", 5, 300, 330),
    fin("10621", 6, 400, 360),
    fin("10621", 7, 500, 20),
]


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("by_hand"), feedback=FEEDBACK, finances=FINANCES)
    d = Database(root)
    yield d
    d.close()


# --- feedback: 766 indicator 5.2 ------------------------------------------------------------------
def test_feedback_kpis_count_open_within_deadline_as_on_time(fx):
    # queries/feedback_kpis.sql through kpis.feedback_kpis (the overview's figures)
    k = kpis.feedback_kpis(fx, kpis.resolve_unit(fx, "10621"), MARCH)
    assert k["feedback_total"] == 6                 # F1..F6
    assert k["feedback_handled"] == 2               # F1, F2
    assert k["feedback_handled_on_time"] == 1       # F1
    assert k["feedback_open"] == 4                  # F3, F4, F5, F6
    assert k["feedback_on_time"] == 4               # F1 answered on time + F3, F5, F6 open within the deadline
    assert k["feedback_on_time_rate"] == pytest.approx(4 / 6)
    d = kpis.feedback_kpis(fx, kpis.resolve_unit(fx, "291"), MARCH)
    assert (d["feedback_total"], d["feedback_on_time"]) == (7, 5)   # + G1, answered on time


def test_satisfaction_feedback_rate_counts_open_within_deadline(fx):
    # queries/feedback_summary.sql through satisfaction.feedback (the Hài lòng page's figures)
    f = satisfaction.feedback(fx, kpis.resolve_unit(fx, "10621"), MARCH)
    assert {k: f[k] for k in satisfaction.FEEDBACK_KEYS} == {
        "feedback_total": 6, "handled": 2, "feedback_handled_on_time": 1, "feedback_on_time": 4,
        "late": 1, "open_within": 3, "open_overdue": 1}
    assert f["feedback_on_time_rate"] == pytest.approx(4 / 6)   # (1 answered on time + 3 open within) / 6
    assert {s["status"]: s["count"] for s in f["by_status"]} == {
        "dang_qua_han": 1, "dang_trong_han": 3, "dung_han": 1, "qua_han": 1}
    d = satisfaction.feedback(fx, kpis.resolve_unit(fx, "291"), MARCH)
    assert d["feedback_on_time_rate"] == pytest.approx(5 / 7)   # (2 answered on time + 3 open within) / 7
    assert d["children"]["10606"]["feedback_handled_on_time"] == 1 and d["children"]["10621"]["open_within"] == 3


# --- budget months of a custom range ------------------------------------------------------------------
@pytest.mark.parametrize("start, end, months", [
    # 16/04–15/06/2023: April has 30 days, 16..30 inside = 15 = exactly half -> in; May whole -> in;
    # June 1..15 inside = 15 of 30 = exactly half -> in.
    (date(2023, 4, 16), date(2023, 6, 15), (date(2023, 4, 1), date(2023, 6, 1))),
    # 17/04–14/06/2023: April 17..30 = 14 of 30 < half -> out; June 1..14 = 14 of 30 -> out; May only.
    (date(2023, 4, 17), date(2023, 6, 14), (date(2023, 5, 1), date(2023, 5, 1))),
    # February 2023 has 28 days: 15..28 = 14 = exactly half -> in; March 1..16 = 16 of 31 > half -> in.
    (date(2023, 2, 15), date(2023, 3, 16), (date(2023, 2, 1), date(2023, 3, 1))),
    # 31 days: 1..15 of January = 15, twice 15 = 30 < 31 -> out; 1..16 = 16 -> in.
    (date(2023, 1, 1), date(2023, 1, 15), None),
    (date(2023, 1, 1), date(2023, 1, 16), (date(2023, 1, 1), date(2023, 1, 1))),
])
def test_finance_months_month_half_inside_counts(start, end, months):
    assert kpis.finance_months(periods.custom(start, end)) == months


def test_finance_kpis_custom_range_by_hand(fx):
    # 16/04–15/06/2023 covers budget months 4, 5, 6 (each at least half inside, above):
    # plan 200 + 300 + 400 = 900, actual 150 + 330 + 360 = 840, rate 840 / 900.
    k = kpis.finance_kpis(fx, kpis.resolve_unit(fx, "10621"), periods.custom(date(2023, 4, 16), date(2023, 6, 15)))
    assert k["finance_months"] == ["2023-04-01", "2023-06-01"]
    assert k["finance"] == {"thu_ngan_sach": {"plan_vnd": 900, "actual_vnd": 840, "rate": pytest.approx(840 / 900)}}
    # 17/04–14/06/2023: May only: 300 planned, 330 collected.
    k = kpis.finance_kpis(fx, kpis.resolve_unit(fx, "10621"), periods.custom(date(2023, 4, 17), date(2023, 6, 14)))
    assert k["finance"]["thu_ngan_sach"] == {"plan_vnd": 300, "actual_vnd": 330, "rate": pytest.approx(1.1)}


# --- budget months of a period the data cover only in part ------------------------------------------
@pytest.mark.parametrize("period, data_end, valid_to, months", [
    # 2026 with data to 30/11: November is covered whole -> months 1–11 (December has no figures yet)
    (periods.calendar_year(2026), date(2026, 11, 30), None, (date(2026, 1, 1), date(2026, 11, 1))),
    # data to 14/11: 14 of November's 30 days < half -> months 1–10
    (periods.calendar_year(2026), date(2026, 11, 14), None, (date(2026, 1, 1), date(2026, 10, 1))),
    # data to 15/11: exactly half -> November counts
    (periods.calendar_year(2026), date(2026, 11, 15), None, (date(2026, 1, 1), date(2026, 11, 1))),
    # an old commune over 2025: it ends on 30/06/2025 -> months 1–6
    (periods.calendar_year(2025), date(2026, 11, 30), date(2025, 6, 30), (date(2025, 1, 1), date(2025, 6, 1))),
])
def test_finance_months_of_a_partly_covered_period(period, data_end, valid_to, months):
    from cchc import coverage
    assert kpis.finance_months(coverage.clip(period, data_end, valid_to)) == months
