"""The shared chart rules (cchc.charts): percentage ticks distinct and Vietnamese, no SI suffixes,
partial months marked from dates, the header's slots, and the late dossiers of the processing-time
histogram counted as SQL counts them."""
from __future__ import annotations

import re
from datetime import date

import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc import charts, fmt, kpis, periods
from cchc.views import ho_so as drill

PCT = re.compile(r"^\d{1,3}(,\d+)? %$")  # 99,75 % — comma decimals, a space before %
QT = periods.custom(date(2022, 12, 10), date(2023, 12, 9))  # Năm 2023 of Hải Dương (cut-off day 10)

rates = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(rates, min_size=1, max_size=40), st.integers(min_value=3, max_value=8))
def test_percent_axis_ticks_are_distinct_vietnamese_and_inside_the_range(values, max_ticks):
    ax = charts.percent_axis(values, max_ticks=max_ticks)
    lo, hi = ax["range"]
    ticks, text = ax["tickvals"], ax["ticktext"]
    assert lo <= min(values) and hi >= max(values) and lo >= 0
    assert 2 <= len(ticks) <= max_ticks
    assert len(set(text)) == len(text), text
    assert all(PCT.match(t) for t in text), text
    assert all(lo - 1e-12 <= v <= min(hi, 1.0) + 1e-12 for v in ticks)
    assert ticks == sorted(ticks)


@settings(max_examples=300, deadline=None)
@given(rates, rates)
def test_percent_ticks_of_any_range_never_repeat_a_label(a, b):
    vals, text = charts.percent_ticks(a, b)
    assert len(vals) == len(text) and len(set(text)) == len(text)
    assert all(PCT.match(t) for t in text)


def test_a_narrow_satisfaction_range_gets_decimals_enough():
    """The Hài lòng axis of issue 16 read "99,7 % 99,7 % 99,8 %…": 99,6–100 % now steps by 0,1 point."""
    vals, text = charts.percent_ticks(0.996, 1.0)
    assert text == ["99,6 %", "99,7 %", "99,8 %", "99,9 %", "100,0 %"]
    assert vals[0] == 0.996


def test_no_axis_uses_si_suffixes():
    """Counts read 20.000 (not 20k): every axis of a styled figure inherits exponentformat 'none' and
    the Vietnamese separators."""
    fig = charts.style(go.Figure(go.Bar(x=[1, 2], y=[20_000, 60_000])), "Hồ sơ", "Tỉnh")
    assert fig.layout.separators == ",."
    for axis in ("xaxis", "yaxis"):
        t = fig.layout.template.layout[axis]
        assert t.exponentformat == "none" and t.separatethousands is True and t.tickangle == 0
        assert fig.layout[axis].exponentformat in (None, "none")
        assert "s" not in (fig.layout[axis].tickformat or "")


def test_first_and_last_months_of_a_period_cut_by_its_cutoff_day_are_partial():
    months = periods.month_starts(QT.start, QT.end)
    assert months[0] == date(2022, 12, 1) and months[-1] == date(2023, 12, 1) and len(months) == 13
    flags = charts.partial_months(months, QT.start, QT.end)
    assert flags[0] and flags[-1] and not any(flags[1:-1])
    assert charts.partial_text(months, QT.start, QT.end) == \
        "Tháng chưa trọn: 12/2022 (từ 10/12); 12/2023 (đến 09/12)"
    year = periods.calendar_year(2023)
    assert not any(charts.partial_months(periods.month_starts(year.start, year.end), year.start, year.end))
    assert charts.partial_text(periods.month_starts(year.start, year.end), year.start, year.end) is None


def test_the_monthly_dossier_trend_hatches_its_partial_months(db):
    unit = kpis.resolve_unit(db, "10621")
    fig = drill.trend_figure(drill.trend_rows(db, unit, QT, drill.Drill()), "", "Xã Quốc Tuấn — Năm 2023")
    for bar in fig.data:
        assert list(bar.marker.pattern.shape) == ["/"] + [""] * 11 + ["/"]
        assert bar.marker.opacity[0] < 1 and bar.marker.opacity[-1] < 1 and set(bar.marker.opacity[1:-1]) == {1.0}
    notes = [a.text for a in fig.layout.annotations if a.name == charts.NOTE]
    assert any(charts.PARTIAL in n and "12/2022" in n and "12/2023" in n for n in notes)
    whole = periods.calendar_year(2023)
    fig = drill.trend_figure(drill.trend_rows(db, unit, whole, drill.Drill()), "", "Xã Quốc Tuấn — 2023")
    assert all(b.marker.pattern.shape is None for b in fig.data)
    assert not any(charts.PARTIAL in (a.text or "") for a in fig.layout.annotations)


def test_histogram_late_count_equals_the_late_dossiers_counted_by_sql(db):
    unit = kpis.resolve_unit(db, "10621")
    d = drill.Drill()
    hist = drill.processing_rows(db, unit, QT, d)
    per_procedure = db.run("processing_times", **drill.scope(unit, QT, d))
    late_sql = int((per_procedure["resolved"] - per_procedure["within_statutory"]).sum())
    assert late_sql >= 1
    assert drill.late_count(hist) == late_sql
    fig = drill.processing_figure(hist, None, "", "Xã Quốc Tuấn — Năm 2023")
    late_bars = next(t for t in fig.data if t.name == "Vượt thời hạn quy định")
    assert sum(late_bars.y) == late_sql
    total = int(per_procedure["resolved"].sum())
    assert f"Vượt thời hạn quy định: {fmt.number(late_sql)}/{fmt.number(total)} hồ sơ" in " ".join(
        a.text for a in fig.layout.annotations if a.name == charts.NOTE)
    # a handful among thousands: the count axis is logarithmic so their bars show
    assert late_sql < 0.05 * total and fig.layout.yaxis.type == "log"


def test_header_lines_fit_a_phone_and_the_top_margin_holds_them():
    title = "Hồ sơ mới tiếp nhận, đã giải quyết và tỷ lệ trước, đúng hạn theo tháng"
    sub = "Xã Quốc Tuấn, Huyện Nam Sách, Tỉnh Hải Dương — 24 tháng, từ tháng 01/2022 đến tháng 12/2023"
    fig = go.Figure([go.Bar(name="Mới tiếp nhận", y=[1]), go.Bar(name="Đã giải quyết", y=[2])])
    charts.style(fig, title, sub)
    charts.threshold_line(fig, 1.0, "Mục tiêu ≥ 100 %")
    bold, rest = re.match(r"<b>(.*)</b><br><span[^>]*>(.*)</span>$", fig.layout.title.text).groups()
    assert len(bold.split("<br>")) >= 2 and len(rest.split("<br>")) >= 2  # wrapped for a phone
    assert all(charts.text_px(x, charts.TITLE_SIZE, bold=True) <= charts.PHONE_PX for x in bold.split("<br>"))
    assert all(charts.text_px(x, charts.SUBTITLE_SIZE) <= charts.PHONE_PX for x in rest.split("<br>"))
    # unit names and periods are not cut in the middle
    assert "Xã Quốc Tuấn" in fig.layout.title.text and "Tỉnh Hải Dương" in fig.layout.title.text
    notes = [a for a in fig.layout.annotations if a.name == charts.NOTE]
    assert [a.text for a in notes] == ["Mục tiêu ≥ 100 %"]
    # the note sits above the plot (in the top margin), the figure grew by what the header adds
    assert notes[0].yref == "paper" and notes[0].y == 1 and 0 < notes[0].yshift < fig.layout.margin.t
    assert fig.layout.height == 420 + fig.layout.margin.t - charts.HEADER_BASE
    assert fig.layout.legend.yref == "container" and fig.layout.showlegend


def test_wrap_breaks_between_phrases_first():
    assert charts.wrap("Xã Quốc Tuấn, Huyện Nam Sách — Năm 2023 (10/12/2022 – 09/12/2023)", 12, width=250) == [
        "Xã Quốc Tuấn, Huyện Nam Sách —", "Năm 2023 (10/12/2022 – 09/12/2023)"]
    assert charts.wrap("ngắn", 12) == ["ngắn"]
