"""Vietnamese number, percentage, money and date formats."""
from datetime import date

from cchc import fmt


def test_numbers_and_percentages():
    assert fmt.number(3262) == "3.262"
    assert fmt.number(1234567.891, 2) == "1.234.567,89"
    assert fmt.percent(3257 / 3258) == "99,97 %"
    assert fmt.percent(None) == "–" and fmt.ratio(5, 0) is None
    assert fmt.percent(1.0461) == "104,61 %"


def test_money_and_dates():
    assert fmt.million(12_951_000_000) == "12.951 triệu đồng"
    assert fmt.money(4_112_000_000) == "4,11 tỷ đồng"
    assert fmt.money(950_000_000) == "950 triệu đồng"
    assert fmt.day(date(2023, 12, 9)) == "09/12/2023"


def test_signed_changes_never_show_minus_zero():
    assert fmt.signed_percent_points(-0.00001) == "±0,00 điểm %"
    assert fmt.signed_percent_points(0.0125) == "+1,25 điểm %"
    assert fmt.signed_percent_points(-0.094) == "−9,40 điểm %"
    assert fmt.signed_number(-0.2) == "±0"
    assert fmt.signed_number(-9) == "−9"
