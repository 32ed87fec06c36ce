"""The one real-browser smoke test: Streamlit serving app.py over the sample data, Debian's Chromium
driven by Playwright. A user opens the app, reads up to which day the data go, walks today's map
(Thành phố Hải Phòng → xã Trần Phú) for the latest official period, then picks the old xã Quốc Tuấn
and the official year 2023, reads a KPI, opens "Hồ sơ TTHC" and clicks into the field Chứng thực. A
full-page screenshot is kept in tests/artifacts/browser-smoke.png."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, choose, streamlit_server, wait_idle

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
def test_pick_unit_and_period_then_drill_into_a_field(sample_dir):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_dir, ARTIFACTS / "browser-smoke-server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(60_000)
            page.goto(url)  # the root URL: no query parameters
            expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
            wait_idle(page, timeout=60_000)
            expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
            # how far the data go, in the sidebar of every page
            expect(page.get_by_test_id("stCaptionContainer").filter(
                has_text=re.compile(r"Dữ liệu đến \d\d/\d\d/\d{4}"))).to_have_count(1)

            # today's map: the new province, then its commune; the period stays the latest complete
            # official year (the default)
            choose(page, "Tỉnh, thành phố", "Thành phố Hải Phòng")
            choose(page, "Xã, phường, đặc khu", "Xã Trần Phú", typed="Trần Phú")
            expect(page).to_have_url(re.compile(r"unit=10633"))
            expect(page.get_by_role("combobox", name="Kỳ", exact=True)).to_have_value(re.compile(r"^Năm 20\d\d"))
            expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
            expect(page.get_by_test_id("stException")).to_have_count(0)

            # an old unit: search by code in the sidebar (the box lists the provinces: the typed code, Enter)
            choose(page, "Tìm đơn vị (tên hoặc mã, cả đơn vị cũ)", "Tìm: 10621", typed="10621")
            expect(page.get_by_test_id("stCaptionContainer").filter(has_text="Xã Quốc Tuấn").first).to_be_visible()
            # the period: official year 2023 (cut-off day 10 in Hải Dương)
            choose(page, "Loại kỳ báo cáo", "Năm (kỳ báo cáo)")
            choose(page, "Kỳ", "Năm 2023 (10/12/2022 – 09/12/2023)")
            expect(page.get_by_test_id("stMetricValue").filter(has_text="3.262")).to_have_count(1)
            expect(page).to_have_url(re.compile(r"unit=10621.*from=2022-12-10.*to=2023-12-09"))

            # the drill-down page, then the field Chứng thực
            # the pages are in the top bar, grouped: open "Điều hành", then the page
            page.get_by_test_id("stTopNavSection").filter(has_text="Điều hành").click()
            page.get_by_test_id("stTopNavDropdownLink").filter(has_text="Hồ sơ TTHC").click()
            wait_idle(page)
            expect(page.get_by_role("heading", name="Hồ sơ TTHC")).to_be_visible()
            expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
            # the pills "Chọn lĩnh vực" (a bar of the chart is the mouse alternative)
            page.get_by_test_id("stButtonGroup").get_by_role("radio", name=re.compile(r"^Chứng thực")).click()
            wait_idle(page)
            expect(page.get_by_role("heading", name="Các thủ tục lĩnh vực Chứng thực")).to_be_visible()
            expect(page.get_by_text(re.compile(r"2\.412 hồ sơ tiếp nhận"))).to_be_visible()
            expect(page).to_have_url(re.compile(r"field=Ch%E1%BB%A9ng(\+|%20)th%E1%BB%B1c"))
            expect(page.get_by_test_id("stException")).to_have_count(0)
            # let the charts below finish drawing before the picture is taken
            expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3)
            page.wait_for_timeout(1500)
            # the main area scrolls inside the page: make the window as tall as its content
            height = page.get_by_test_id("stMain").evaluate("el => el.scrollHeight")
            page.set_viewport_size({"width": 1440, "height": max(1000, min(int(height) + 40, 8000))})
            wait_idle(page)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "browser-smoke.png"), full_page=True)
        finally:
            browser.close()
