"""The shell: navigation, filter bar, and the URL carrying unit and period."""
from __future__ import annotations


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_deep_link_opens_quoc_tuan_2023(app):
    at = app(unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    v = metric_values(at)
    assert v["Hồ sơ tiếp nhận"] == "3.262"
    assert v["Tỷ lệ giải quyết trước hạn, đúng hạn"] == "99,97 %"
    # the link names the period it recognised and keeps the three parameters
    assert at.query_params["unit"] == ["10621"] or at.query_params["unit"] == "10621"


def test_default_view_without_parameters(app):
    at = app()
    assert at.metric, "the overview shows KPI cards by default"
    assert not at.exception


def test_bad_link_gets_a_vietnamese_warning(app):
    at = app(unit="99999", **{"from": "2023-12-09", "to": "2022-12-10"})
    assert any("Đường dẫn không dùng được" in w.value for w in at.warning)
    assert not at.exception
