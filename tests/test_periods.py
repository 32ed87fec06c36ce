"""Tests for cchc.periods (reporting periods, Nghị định 09/2019/NĐ-CP)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc import periods as P
from cchc.periods import (
    KINDS,
    Period,
    PeriodError,
    calendar_month,
    calendar_quarter,
    calendar_year,
    custom,
    fmt_date,
    from_params,
    latest_complete,
    make,
    official_half,
    official_month,
    official_nine_months,
    official_quarter,
    official_year,
    parse_date,
    periods_of_kind,
)

D = date
ONE = timedelta(days=1)

# Vietnamese-specific letters: a Vietnamese message must contain at least one.
_VN_CHARS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


def assert_vietnamese(exc: BaseException) -> None:
    msg = str(exc)
    assert msg, "empty error message"
    assert _VN_CHARS.search(msg), f"message is not Vietnamese: {msg!r}"


def period_strategy():
    """Any named period (official kinds with any cut-off) or a custom range."""
    years = st.integers(2000, 2100)
    cutoffs = st.integers(2, 28)

    def named(kind):
        if kind in ("month", "cal_month"):
            idx = st.integers(1, 12)
        elif kind in ("quarter", "cal_quarter"):
            idx = st.integers(1, 4)
        else:
            idx = st.none()
        return st.builds(make, st.just(kind), years, idx, cutoffs)

    customs = st.tuples(
        st.dates(D(1990, 1, 1), D(2110, 12, 31)), st.integers(0, 800)
    ).map(lambda t: custom(t[0], t[0] + timedelta(days=t[1])))
    return st.one_of(*[named(k) for k in KINDS if k != "custom"], customs)


# ---------------------------------------------------------------------------
# Seed case and labels
# ---------------------------------------------------------------------------

def test_seed_hai_duong_year_cutoff_10():
    p = official_year(2023, cutoff_day=10)
    assert (p.start, p.end) == (D(2022, 12, 10), D(2023, 12, 9))
    assert p.kind == "year" and p.year == 2023 and p.index is None and p.cutoff_day == 10
    assert p.label == "Năm 2023 (10/12/2022 – 09/12/2023)"
    assert p.short_label == "Năm 2023"
    assert p.days == 365


def test_kinds_order_and_names():
    assert list(KINDS) == [
        "year", "nine_months", "half", "quarter", "month",
        "cal_year", "cal_quarter", "cal_month", "custom",
    ]
    assert KINDS["year"] == "Năm (kỳ báo cáo)"
    assert KINDS["custom"] == "Tùy chọn"


@pytest.mark.parametrize(
    "period, label, short",
    [
        (official_month(2023, 3), "Tháng 3/2023 (15/02/2023 – 14/03/2023)", "Tháng 3/2023"),
        (official_quarter(2023, 1), "Quý I/2023 (15/12/2022 – 14/03/2023)", "Quý I/2023"),
        (official_quarter(2023, 4), "Quý IV/2023 (15/09/2023 – 14/12/2023)", "Quý IV/2023"),
        (official_half(2023), "6 tháng đầu năm 2023 (15/12/2022 – 14/06/2023)", "6 tháng đầu năm 2023"),
        (official_nine_months(2023), "9 tháng năm 2023 (15/12/2022 – 14/09/2023)", "9 tháng năm 2023"),
        (official_year(2023), "Năm 2023 (15/12/2022 – 14/12/2023)", "Năm 2023"),
        (calendar_month(2023, 3), "Tháng 3/2023 (01/03/2023 – 31/03/2023)", "Tháng 3/2023"),
        (calendar_quarter(2023, 1), "Quý I/2023 (01/01/2023 – 31/03/2023)", "Quý I/2023"),
        (calendar_quarter(2023, 3), "Quý III/2023 (01/07/2023 – 30/09/2023)", "Quý III/2023"),
        (calendar_year(2023), "Năm 2023 (01/01/2023 – 31/12/2023)", "Năm 2023"),
        (custom(D(2022, 12, 10), D(2023, 12, 9)), "Từ 10/12/2022 đến 09/12/2023", "10/12/2022 – 09/12/2023"),
    ],
)
def test_labels(period, label, short):
    assert period.label == label
    assert period.short_label == short
    assert "–" in period.label or period.kind == "custom"


# ---------------------------------------------------------------------------
# Official months, quarters, half, nine months, year
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "month, start, end",
    [
        (1, D(2022, 12, 15), D(2023, 1, 14)),
        (2, D(2023, 1, 15), D(2023, 2, 14)),
        (3, D(2023, 2, 15), D(2023, 3, 14)),
        (6, D(2023, 5, 15), D(2023, 6, 14)),
        (12, D(2023, 11, 15), D(2023, 12, 14)),
    ],
)
def test_official_month_default_cutoff(month, start, end):
    p = official_month(2023, month)
    assert (p.start, p.end) == (start, end)
    assert p.kind == "month" and p.year == 2023 and p.index == month and p.cutoff_day == 15


def test_official_month_january_label():
    assert official_month(2024, 1).label == "Tháng 1/2024 (15/12/2023 – 14/01/2024)"


@pytest.mark.parametrize(
    "q, start, end",
    [
        (1, D(2022, 12, 15), D(2023, 3, 14)),
        (2, D(2023, 3, 15), D(2023, 6, 14)),
        (3, D(2023, 6, 15), D(2023, 9, 14)),
        (4, D(2023, 9, 15), D(2023, 12, 14)),
    ],
)
def test_official_quarters(q, start, end):
    p = official_quarter(2023, q)
    assert (p.start, p.end) == (start, end)
    assert p.start == official_month(2023, 3 * q - 2).start
    assert p.end == official_month(2023, 3 * q).end


def test_official_quarters_with_other_cutoff():
    assert (official_quarter(2023, 2, 10).start, official_quarter(2023, 2, 10).end) == (
        D(2023, 3, 10), D(2023, 6, 9))


def test_half_and_nine_months():
    h = official_half(2023)
    n = official_nine_months(2023)
    assert (h.start, h.end) == (D(2022, 12, 15), D(2023, 6, 14))
    assert (n.start, n.end) == (D(2022, 12, 15), D(2023, 9, 14))
    h10 = official_half(2023, 10)
    assert (h10.start, h10.end) == (D(2022, 12, 10), D(2023, 6, 9))
    n10 = official_nine_months(2023, 10)
    assert (n10.start, n10.end) == (D(2022, 12, 10), D(2023, 9, 9))


def test_year_wrap():
    y24 = official_year(2024)
    assert (y24.start, y24.end) == (D(2023, 12, 15), D(2024, 12, 14))
    assert y24.start == official_year(2023).end + ONE
    assert y24.days == 366  # 15/12/2023 .. 14/12/2024 contains 29/02/2024
    # A date after the cut-off in December belongs to next year's period.
    assert y24.contains(D(2023, 12, 20))
    assert not official_year(2023).contains(D(2023, 12, 20))


def test_calendar_periods():
    assert (calendar_month(2023, 12).start, calendar_month(2023, 12).end) == (D(2023, 12, 1), D(2023, 12, 31))
    assert (calendar_quarter(2023, 4).start, calendar_quarter(2023, 4).end) == (D(2023, 10, 1), D(2023, 12, 31))
    assert (calendar_year(2024).start, calendar_year(2024).end) == (D(2024, 1, 1), D(2024, 12, 31))
    assert calendar_year(2024).days == 366
    assert calendar_month(2023, 3).cutoff_day == 15


def test_make_dispatch():
    assert make("month", 2023, 3) == official_month(2023, 3)
    assert make("quarter", 2023, 2, 10) == official_quarter(2023, 2, 10)
    assert make("half", 2023) == official_half(2023)
    assert make("nine_months", 2023, cutoff_day=20) == official_nine_months(2023, 20)
    assert make("year", 2023, cutoff_day=10) == official_year(2023, 10)
    assert make("cal_month", 2023, 3) == calendar_month(2023, 3)
    assert make("cal_quarter", 2023, 3) == calendar_quarter(2023, 3)
    assert make("cal_year", 2023) == calendar_year(2023)
    # The cut-off day is irrelevant for calendar kinds.
    assert make("cal_year", 2023, cutoff_day=10) == calendar_year(2023)


# ---------------------------------------------------------------------------
# Inclusive ends, days, tiling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "p",
    [official_month(2023, 3), official_quarter(2023, 1), official_year(2023, 10),
     calendar_month(2024, 2), calendar_year(2023), custom(D(2023, 5, 5), D(2023, 5, 5))],
)
def test_inclusive_bounds(p):
    assert p.contains(p.start)
    assert p.contains(p.end)
    assert not p.contains(p.end + ONE)
    assert not p.contains(p.start - ONE)
    assert p.days == (p.end - p.start).days + 1


def test_single_day_custom():
    p = custom(D(2023, 5, 5), D(2023, 5, 5))
    assert p.days == 1
    assert p.label == "Từ 05/05/2023 đến 05/05/2023"


@pytest.mark.parametrize("cutoff", [2, 10, 15, 20, 28])
@pytest.mark.parametrize("year", [2023, 2024])
def test_months_tile_the_year(cutoff, year):
    months = [official_month(year, m, cutoff) for m in range(1, 13)]
    y = official_year(year, cutoff)
    assert months[0].start == y.start
    assert months[-1].end == y.end
    for a, b in zip(months, months[1:]):
        assert b.start == a.end + ONE
    assert sum(m.days for m in months) == y.days


@settings(max_examples=300, deadline=None)
@given(cutoff=st.integers(2, 28), year=st.integers(2000, 2100))
def test_months_tile_year_property(cutoff, year):
    months = [official_month(year, m, cutoff) for m in range(1, 13)]
    y = official_year(year, cutoff)
    # contiguous: no gap and no overlap
    for a, b in zip(months, months[1:]):
        assert b.start == a.end + ONE
    # union == the official year
    assert months[0].start == y.start and months[-1].end == y.end
    assert sum(m.days for m in months) == y.days
    # quarters are unions of their months, years tile each other
    for q in range(1, 5):
        qp = official_quarter(year, q, cutoff)
        assert qp.start == months[3 * q - 3].start and qp.end == months[3 * q - 1].end
    assert official_half(year, cutoff).end == months[5].end
    assert official_nine_months(year, cutoff).end == months[8].end
    assert official_year(year + 1, cutoff).start == y.end + ONE
    # each month starts on the cut-off day and ends the day before it
    for m in months:
        assert m.start.day == cutoff
        assert (m.end + ONE).day == cutoff


@settings(max_examples=200, deadline=None)
@given(d=st.dates(D(2000, 1, 1), D(2100, 11, 30)), cutoff=st.integers(2, 28))
def test_every_date_in_exactly_one_official_month(d, cutoff):
    hits = periods_of_kind("month", d, d, cutoff)
    assert len(hits) == 1
    assert hits[0].contains(d)


# ---------------------------------------------------------------------------
# Leap days
# ---------------------------------------------------------------------------

def test_leap_calendar_february():
    assert calendar_month(2024, 2).end == D(2024, 2, 29)
    assert calendar_month(2024, 2).days == 29
    assert calendar_month(2023, 2).end == D(2023, 2, 28)
    assert calendar_month(2100, 2).end == D(2100, 2, 28)  # not a leap year
    assert calendar_month(2000, 2).end == D(2000, 2, 29)
    assert calendar_quarter(2024, 1).days == 91


def test_leap_custom_previous_year():
    p = custom(D(2024, 2, 29), D(2024, 3, 31))
    prev = p.previous_year()
    assert (prev.start, prev.end) == (D(2023, 2, 28), D(2023, 3, 31))
    q = custom(D(2023, 3, 1), D(2024, 2, 29)).previous_year()
    assert (q.start, q.end) == (D(2022, 3, 1), D(2023, 2, 28))
    # both ends on leap days collapse to the same non-leap day, still valid
    r = custom(D(2024, 2, 28), D(2024, 2, 29)).previous_year()
    assert (r.start, r.end) == (D(2023, 2, 28), D(2023, 2, 28))


def test_leap_official_month_cutoff_28():
    # Tháng 3 with cut-off 28: 28/02 .. 27/03, regardless of leap years
    for y in (2023, 2024):
        m3 = official_month(y, 3, 28)
        assert (m3.start, m3.end) == (D(y, 2, 28), D(y, 3, 27))
    feb_leap = official_month(2024, 2, 28)
    assert (feb_leap.start, feb_leap.end) == (D(2024, 1, 28), D(2024, 2, 27))
    assert feb_leap.days == 31
    feb = official_month(2023, 2, 28)
    assert (feb.start, feb.end) == (D(2023, 1, 28), D(2023, 2, 27))
    # the leap day falls in Tháng 3 of 2024
    assert official_month(2024, 3, 28).contains(D(2024, 2, 29))
    assert official_month(2024, 3, 28).days == 29
    assert official_month(2023, 3, 28).days == 28


# ---------------------------------------------------------------------------
# previous_year
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "p, expected",
    [
        (official_month(2023, 1), official_month(2022, 1)),
        (official_month(2023, 3, 10), official_month(2022, 3, 10)),
        (official_quarter(2024, 1), official_quarter(2023, 1)),
        (official_half(2024, 20), official_half(2023, 20)),
        (official_nine_months(2024), official_nine_months(2023)),
        (official_year(2023, 10), official_year(2022, 10)),
        (calendar_month(2024, 2), calendar_month(2023, 2)),
        (calendar_quarter(2024, 4), calendar_quarter(2023, 4)),
        (calendar_year(2024), calendar_year(2023)),
        (custom(D(2023, 5, 1), D(2023, 7, 31)), custom(D(2022, 5, 1), D(2022, 7, 31))),
    ],
)
def test_previous_year(p, expected):
    prev = p.previous_year()
    assert prev == expected
    assert prev.kind == p.kind and prev.cutoff_day == p.cutoff_day


def test_previous_year_official_dates():
    prev = official_year(2023, 10).previous_year()
    assert (prev.start, prev.end) == (D(2021, 12, 10), D(2022, 12, 9))
    prevq = official_quarter(2024, 1).previous_year()
    assert (prevq.start, prevq.end) == (D(2022, 12, 15), D(2023, 3, 14))


# ---------------------------------------------------------------------------
# URL parameters
# ---------------------------------------------------------------------------

def test_to_params_shapes():
    assert official_month(2023, 3).to_params() == {
        "from": "2023-02-15", "to": "2023-03-14", "kind": "month", "y": "2023", "i": "3"}
    assert official_year(2023, 10).to_params() == {
        "from": "2022-12-10", "to": "2023-12-09", "kind": "year", "y": "2023", "cut": "10"}
    assert calendar_quarter(2023, 2).to_params() == {
        "from": "2023-04-01", "to": "2023-06-30", "kind": "cal_quarter", "y": "2023", "i": "2"}
    assert custom(D(2023, 1, 5), D(2023, 2, 6)).to_params() == {"from": "2023-01-05", "to": "2023-02-06"}
    for v in official_quarter(2023, 4, 20).to_params().values():
        assert isinstance(v, str)


@settings(max_examples=400, deadline=None)
@given(p=period_strategy())
def test_params_round_trip(p):
    assert from_params(p.to_params()) == p


@settings(max_examples=200, deadline=None)
@given(p=period_strategy(), province_cutoff=st.integers(2, 28))
def test_params_round_trip_with_province_default(p, province_cutoff):
    # The caller's default cut-off must not change what a URL means.
    assert from_params(p.to_params(), cutoff_day=province_cutoff) == p


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "custom"])
def test_params_round_trip_every_kind(kind):
    idx = 2 if kind in ("month", "cal_month", "quarter", "cal_quarter") else None
    for cut in (15, 10):
        p = make(kind, 2024, idx, cut)
        assert from_params(p.to_params()) == p
        assert from_params(p.to_params()).label == p.label


def test_from_params_only_from_to():
    p = from_params({"from": "2022-12-10", "to": "2023-12-09"})
    assert p == custom(D(2022, 12, 10), D(2023, 12, 9))
    assert p.kind == "custom"
    assert p.label == "Từ 10/12/2022 đến 09/12/2023"
    # Vietnamese date format also accepted
    assert from_params({"from": "10/12/2022", "to": "09/12/2023"}) == p


def test_from_params_named_only_when_dates_coincide():
    named = from_params({"from": "2023-02-15", "to": "2023-03-14", "kind": "month", "y": "2023", "i": "3"})
    assert named == official_month(2023, 3)
    # same kind/y/i but different dates -> the dates win
    other = from_params({"from": "2023-02-16", "to": "2023-03-14", "kind": "month", "y": "2023", "i": "3"})
    assert other == custom(D(2023, 2, 16), D(2023, 3, 14))
    # nonsense hints are ignored when dates are present
    junk = from_params({"from": "2023-02-15", "to": "2023-03-14", "kind": "bogus", "y": "x", "i": "99", "cut": "77"})
    assert junk.kind == "custom"
    # the dates of an official month without kind stay custom
    assert from_params({"from": "2023-02-15", "to": "2023-03-14"}).kind == "custom"


def test_from_params_kind_without_dates():
    assert from_params({"kind": "quarter", "y": "2023", "i": "1"}) == official_quarter(2023, 1)
    assert from_params({"kind": "year", "y": "2023"}, cutoff_day=10) == official_year(2023, 10)
    assert from_params({"kind": "year", "y": "2023", "cut": "20"}) == official_year(2023, 20)


def test_from_params_streamlit_style_values():
    # multi-valued params (lists) and surrounding spaces
    p = from_params({"from": ["2023-01-01"], "to": " 2023-12-31 ", "kind": "cal_year", "y": "2023"})
    assert p == calendar_year(2023)


@pytest.mark.parametrize(
    "params, names",
    [
        ({"from": "2023-13-01", "to": "2023-12-31"}, "from"),
        ({"from": "2023-01-01", "to": "2023-02-30"}, "to"),
        ({"from": "hôm qua", "to": "2023-12-31"}, "from"),
        ({"from": "2023-01-01"}, "to"),
        ({"to": "2023-01-01"}, "from"),
        ({"from": "2023-01-01", "to": ""}, "to"),
        ({"from": "2023-12-10", "to": "2023-12-09"}, "from"),
        ({}, "from"),
        ({"kind": "month", "y": "2023"}, '"i"'),
        ({"kind": "month", "y": "2023", "i": "13"}, '"i"'),
        ({"kind": "nope", "y": "2023"}, '"kind"'),
        ({"kind": "year", "y": "abc"}, '"y"'),
        ({"kind": "year", "y": "2023", "cut": "29"}, '"cut"'),
    ],
)
def test_from_params_errors(params, names):
    with pytest.raises(PeriodError) as ei:
        from_params(params)
    assert names in str(ei.value)
    assert_vietnamese(ei.value)


def test_from_params_inverted_message():
    with pytest.raises(PeriodError) as ei:
        from_params({"from": "2023-12-10", "to": "2023-12-09"})
    msg = str(ei.value)
    assert '"from"' in msg and '"to"' in msg and "10/12/2023" in msg and "09/12/2023" in msg


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_period_error_is_value_error():
    assert issubclass(PeriodError, ValueError)


def test_inverted_custom_range():
    with pytest.raises(PeriodError) as ei:
        custom(D(2023, 12, 10), D(2023, 12, 9))
    assert str(ei.value) == (
        "Kỳ báo cáo không hợp lệ: ngày bắt đầu 10/12/2023 sau ngày kết thúc 09/12/2023.")


@pytest.mark.parametrize("bad", [0, 1, 29, 31, -5, "15", 15.0, True, None])
@pytest.mark.parametrize(
    "factory",
    [
        lambda c: official_year(2023, cutoff_day=c),
        lambda c: official_month(2023, 3, c),
        lambda c: official_quarter(2023, 1, c),
        lambda c: official_half(2023, c),
        lambda c: official_nine_months(2023, c),
        lambda c: make("month", 2023, 1, c),
        lambda c: periods_of_kind("month", D(2023, 1, 1), D(2023, 3, 1), c),
        lambda c: latest_complete("year", D(2025, 6, 30), c),
        lambda c: from_params({"from": "2023-01-01", "to": "2023-02-01"}, cutoff_day=c),
    ],
)
def test_bad_cutoff(bad, factory):
    with pytest.raises(PeriodError) as ei:
        factory(bad)
    assert_vietnamese(ei.value)


@pytest.mark.parametrize("c", [2, 28])
def test_cutoff_bounds_accepted(c):
    assert official_year(2023, c).start == D(2022, 12, c)


@pytest.mark.parametrize(
    "call",
    [
        lambda: official_month(2023, 0),
        lambda: official_month(2023, 13),
        lambda: official_quarter(2023, 5),
        lambda: calendar_quarter(2023, 0),
        lambda: calendar_month(2023, 13),
        lambda: make("custom", 2023),
        lambda: make("weekly", 2023),
        lambda: make("year", 2023, 3),
        lambda: make("month", 2023),
        lambda: make("year", "2023"),
        lambda: official_year(1),  # would start in year 0
        lambda: Period("year", 2023, None, D(2022, 12, 15), D(2023, 12, 15)),  # inconsistent
        lambda: Period("custom", 2023, None, D(2022, 12, 15), D(2023, 12, 15)),
        lambda: periods_of_kind("custom", D(2023, 1, 1), D(2023, 2, 1)),
        lambda: periods_of_kind("month", D(2023, 2, 1), D(2023, 1, 1)),
        lambda: latest_complete("custom", D(2023, 1, 1)),
    ],
)
def test_invalid_arguments(call):
    with pytest.raises(PeriodError) as ei:
        call()
    assert_vietnamese(ei.value)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

def test_parse_and_format_dates():
    assert parse_date("2023-12-09") == D(2023, 12, 9)
    assert parse_date("09/12/2023") == D(2023, 12, 9)
    assert parse_date(" 9/12/2023 ") == D(2023, 12, 9)
    assert parse_date("2024-02-29") == D(2024, 2, 29)
    assert fmt_date(D(2023, 12, 9)) == "09/12/2023"
    assert fmt_date(D(2024, 1, 1)) == "01/01/2024"


@pytest.mark.parametrize(
    "s", ["2023-13-01", "2023-02-29", "31/04/2023", "2023/12/09", "12-09-2023", "", "abc",
          "20231209", "2023-12-09T00:00", "٢٠٢٣-١٢-٠٩", None, 20231209],
)
def test_parse_date_errors(s):
    with pytest.raises(PeriodError) as ei:
        parse_date(s)
    assert_vietnamese(ei.value)


@given(d=st.dates(D(1000, 1, 1), D(9999, 12, 31)))
def test_date_round_trips(d):
    assert parse_date(fmt_date(d)) == d
    assert parse_date(d.isoformat()) == d


# ---------------------------------------------------------------------------
# periods_of_kind / latest_complete on data 2021-01-01 .. 2025-06-30
# ---------------------------------------------------------------------------

DATA_FIRST = D(2021, 1, 1)
DATA_LAST = D(2025, 6, 30)


def test_periods_of_kind_official_year():
    ys = periods_of_kind("year", DATA_FIRST, DATA_LAST)
    assert [p.year for p in ys] == [2025, 2024, 2023, 2022, 2021]
    ys10 = periods_of_kind("year", DATA_FIRST, DATA_LAST, cutoff_day=10)
    assert all(p.cutoff_day == 10 for p in ys10)
    assert ys10[-1] == official_year(2021, 10)


def test_periods_of_kind_official_month():
    ms = periods_of_kind("month", DATA_FIRST, DATA_LAST)
    # 01/01/2021 is in Tháng 1/2021; 30/06/2025 is in Tháng 7/2025 (15/06–14/07)
    assert ms[0] == official_month(2025, 7)
    assert ms[-1] == official_month(2021, 1)
    assert len(ms) == 12 * 4 + 7
    for newer, older in zip(ms, ms[1:]):
        assert older.end + ONE == newer.start


def test_periods_of_kind_calendar_and_others():
    cm = periods_of_kind("cal_month", DATA_FIRST, DATA_LAST)
    assert cm[0] == calendar_month(2025, 6) and cm[-1] == calendar_month(2021, 1)
    assert len(cm) == 54
    cq = periods_of_kind("cal_quarter", DATA_FIRST, DATA_LAST)
    assert cq[0] == calendar_quarter(2025, 2) and len(cq) == 18
    assert [p.year for p in periods_of_kind("cal_year", DATA_FIRST, DATA_LAST)] == [2025, 2024, 2023, 2022, 2021]
    q = periods_of_kind("quarter", DATA_FIRST, DATA_LAST)
    assert q[0] == official_quarter(2025, 3) and q[-1] == official_quarter(2021, 1)
    halves = periods_of_kind("half", DATA_FIRST, DATA_LAST)
    assert [p.year for p in halves] == [2025, 2024, 2023, 2022, 2021]
    # a range between 15/06 and 14/12 touches no "6 tháng đầu năm" period
    assert periods_of_kind("half", D(2023, 7, 1), D(2023, 11, 30)) == []
    nine = periods_of_kind("nine_months", D(2023, 9, 15), D(2023, 12, 14))
    assert nine == []


def test_periods_of_kind_boundaries():
    # A range that only touches the first day of a period includes it.
    assert periods_of_kind("month", D(2023, 3, 14), D(2023, 3, 15)) == [
        official_month(2023, 4), official_month(2023, 3)]
    assert periods_of_kind("year", D(2023, 12, 15), D(2023, 12, 15)) == [official_year(2024)]


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "custom"])
def test_periods_of_kind_overlap_and_order(kind):
    ps = periods_of_kind(kind, DATA_FIRST, DATA_LAST, cutoff_day=12)
    assert ps, kind
    for p in ps:
        assert p.kind == kind
        assert p.start <= DATA_LAST and p.end >= DATA_FIRST
    ends = [p.end for p in ps]
    assert ends == sorted(ends, reverse=True)
    assert len(set(ps)) == len(ps)


@pytest.mark.parametrize(
    "kind, cutoff, expected",
    [
        ("year", 15, official_year(2024)),
        ("year", 10, official_year(2024, 10)),
        ("nine_months", 15, official_nine_months(2024)),
        ("half", 15, official_half(2025)),
        ("quarter", 15, official_quarter(2025, 2)),
        ("month", 15, official_month(2025, 6)),
        ("cal_year", 15, calendar_year(2024)),
        ("cal_quarter", 15, calendar_quarter(2025, 2)),
        ("cal_month", 15, calendar_month(2025, 6)),
    ],
)
def test_latest_complete_on_data_range(kind, cutoff, expected):
    assert latest_complete(kind, DATA_LAST, cutoff) == expected


def test_latest_complete_seed_values():
    y = latest_complete("year", DATA_LAST)
    assert (y.year, y.start, y.end) == (2024, D(2023, 12, 15), D(2024, 12, 14))
    assert latest_complete("cal_month", DATA_LAST).short_label == "Tháng 6/2025"
    assert latest_complete("month", D(2025, 6, 13)).short_label == "Tháng 5/2025"
    assert latest_complete("month", D(2025, 6, 14)).short_label == "Tháng 6/2025"
    assert latest_complete("half", D(2025, 6, 13)) == official_half(2024)
    assert latest_complete("cal_month", D(2025, 6, 29)) == calendar_month(2025, 5)
    assert latest_complete("year", D(2024, 12, 13)) == official_year(2023)
    assert latest_complete("year", D(2024, 12, 14)) == official_year(2024)
    assert latest_complete("cal_year", D(2025, 12, 31)) == calendar_year(2025)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from([k for k in KINDS if k != "custom"]),
    data_end=st.dates(D(2001, 1, 1), D(2099, 12, 31)),
    cutoff=st.integers(2, 28),
)
def test_latest_complete_property(kind, data_end, cutoff):
    p = latest_complete(kind, data_end, cutoff)
    assert p.kind == kind and p.end <= data_end
    # no period of this kind ending later is complete
    later = [q for q in periods_of_kind(kind, p.end + ONE, data_end + timedelta(days=400), cutoff)
             if q.end > p.end]
    assert all(q.end > data_end for q in later)


def test_module_does_not_import_streamlit():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(P.__file__).resolve().parents[1]
    code = "import sys, cchc.periods; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=200, deadline=None)
@given(a=st.dates(D(2000, 1, 1), D(2099, 12, 31)), days=st.integers(0, 1200))
def test_month_starts_cover_every_day_once(a, days):
    b = a + timedelta(days=days)
    months = P.month_starts(a, b)
    assert all(m.day == 1 for m in months) and months == sorted(set(months))
    assert months[0] == D(a.year, a.month, 1) and months[-1] == D(b.year, b.month, 1)
    for m, n in zip(months, months[1:]):
        assert P.add_months(m, 1) == n and (n - m).days in (28, 29, 30, 31)
    assert P.month_starts(b + timedelta(days=40), a) == []


# --- issue 14: period_for and clipped periods ---------------------------------------------------------
def test_period_for_names_a_range_under_the_cutoff_day():
    assert P.period_for(D(2022, 12, 10), D(2023, 12, 9), 10) == P.official_year(2023, 10)
    assert P.period_for(D(2022, 12, 10), D(2023, 12, 9)).kind == "custom"          # not a year under 15
    assert P.period_for(D(2024, 12, 15), D(2025, 12, 14)) == P.official_year(2025)
    assert P.period_for(D(2026, 11, 1), D(2026, 11, 30)) == P.calendar_month(2026, 11)
    assert P.period_for(D(2026, 10, 15), D(2026, 11, 14)) == P.official_month(2026, 11)
    assert P.period_for(D(2026, 1, 1), D(2026, 3, 31)) == P.calendar_quarter(2026, 1)
    assert P.period_for(D(2026, 1, 2), D(2026, 3, 31)).kind == "custom"
    with pytest.raises(PeriodError):
        P.period_for(D(2026, 2, 1), D(2026, 1, 1))


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(["year", "half", "nine_months", "quarter", "month", "cal_year", "cal_quarter",
                             "cal_month"]),
       year=st.integers(2001, 2098), index=st.integers(1, 12), cut=st.integers(2, 28), cut_days=st.integers(0, 400))
def test_a_clipped_period_names_the_whole_one(kind, year, index, cut, cut_days):
    i = None if kind in ("year", "half", "nine_months", "cal_year") else min(index, 4 if "quarter" in kind else 12)
    p = P.make(kind, year, i, cut)
    day = p.start + timedelta(days=cut_days)
    c = p.clipped(day)
    if day >= p.end:
        assert c is p and not c.partial
        return
    assert c.partial and (c.start, c.end, c.nominal_end) == (p.start, day, p.end) and c.full() == p
    assert c.to_params() == p.to_params() and c.short_label == p.short_label
    assert c.label == f"{p.label}, dữ liệu đến {P.fmt_date(day)}" and c.days == cut_days + 1
    prev = c.previous_year()
    assert prev.full() == p.previous_year() and prev.start == p.previous_year().start
    assert prev.end <= prev.nominal_end and (not prev.partial or prev.clip_reason == "same")
