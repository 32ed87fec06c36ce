"""So sánh đơn vị once in a real browser (issue 16 item 3): a deep link with three old units of
huyện Nam Sách (xã Quốc Tuấn, xã Hiệp Cát, thị trấn Nam Sách) for the official year 2023 draws the
KPI table, the overlaid trend and Biểu 06 per unit without an error, and the KPI table's "Tải CSV"
downloads through Chromium a UTF-8 file with BOM whose figures are the page's (Quốc Tuấn: 3.262
dossiers received, 99,97 % on time). A screenshot is kept in tests/artifacts/browser-so-sanh.png."""
from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest

from browser_util import CHARTS, CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, streamlit_server, wait_idle
from cchc import metrics
from cchc.export import tables as export

ARTIFACTS = ROOT / "tests" / "artifacts"
LINK = "so-sanh?unit=10621&from=2022-12-10&to=2023-12-09&ss=10621,10618,cu-10606"


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
def test_the_comparison_link_renders_and_its_kpi_csv_downloads(sample_dir, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_dir, ARTIFACTS / "browser-so-sanh-server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="vi-VN", accept_downloads=True)
            page.set_default_timeout(90_000)
            page.goto(f"{url}/{LINK}")
            expect(page.locator(IDLE)).to_have_count(1, timeout=90_000)
            wait_idle(page, timeout=90_000)
            expect(page.get_by_role("heading", name="So sánh đơn vị")).to_be_visible()
            expect(page).to_have_url(re.compile(r"ss=10621(%2C|,)10618(%2C|,)cu-10606"))
            # the three units picked from the link
            picker = page.get_by_test_id("stMultiSelect")
            for name in ("Quốc Tuấn", "Hiệp Cát", "Thị trấn Nam Sách"):
                expect(picker.get_by_text(re.compile(name)).first).to_be_visible()

            # the KPI table, the overlaid trend (one line per unit) and Biểu 06 in one tab per unit
            expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
            chart = page.locator(CHARTS)  # the first view's: drawn on the server, an image
            expect(chart).to_have_count(1)
            expect(chart.locator(".main-svg, img").first).to_be_visible()
            tabs = page.get_by_role("tab")
            expect(tabs).to_have_count(3)
            for i in range(3):
                tabs.nth(i).click()
                expect(page.get_by_role("tabpanel").locator("table").first).to_be_visible()
                expect(page.get_by_role("tabpanel").get_by_text("Tổng số").first).to_be_visible()
            expect(page.get_by_test_id("stException")).to_have_count(0)

            # the KPI table's CSV through the browser's download
            button = page.get_by_test_id("stDownloadButton").filter(has_text="Tải CSV")
            expect(button).to_have_count(1)
            with page.expect_download() as info:
                button.get_by_role("button").click()
            download = info.value
            assert re.fullmatch(r"so-sanh-chi-tieu_xa-quoc-tuan_nam-2023\.csv", download.suggested_filename)
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            data = target.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf")
            table = pl.read_csv(io.BytesIO(data[3:]), separator=export.SEPARATOR, infer_schema=False)
            assert table.columns[0] == "Chỉ tiêu" and table.width == 4
            received = table.filter(pl.col("Chỉ tiêu") == metrics.label("received_total"))
            quoc_tuan = next(c for c in table.columns if "Quốc Tuấn" in c)
            assert received[quoc_tuan].to_list() == ["3.262"]
            on_time = table.filter(pl.col("Chỉ tiêu") == metrics.label("on_time_rate"))
            assert on_time[quoc_tuan].to_list() == ["99,97 %"]
            expect(page.get_by_test_id("stException")).to_have_count(0)

            height = page.get_by_test_id("stMain").evaluate("el => el.scrollHeight")
            page.set_viewport_size({"width": 1280, "height": max(1000, min(int(height) + 40, 8000))})
            wait_idle(page)
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "browser-so-sanh.png"), full_page=True)
        finally:
            browser.close()
