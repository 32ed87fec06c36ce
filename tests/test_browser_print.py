"""The print layout (issue 16 item 4; cchc/ui/style.css, the print_header container of app.py): what
Ctrl+P gives, as Chromium prints it (Playwright's page.pdf, A4 landscape) for Tổng quan and Hồ sơ TTHC
from a 1280 px and a 1920 px window (the browser's beforeprint event fired first, as Ctrl+P does),
read back with pypdf: pages, the header with unit, period and data date on every page, page numbers
"Trang i / n", no button, download or sidebar text; on screen the header is hidden, in print media the
sidebar is. The PDFs are kept in tests/artifacts/print-<page>.pdf."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from browser_util import CHROMIUM, LINKS, ROOT, STATIC_CHART, launch, open_settled, streamlit_server

ARTIFACTS = ROOT / "tests" / "artifacts"
UNIT = "Xã Quốc Tuấn"
PERIOD = "Năm 2023 (10/12/2022 – 09/12/2023)"
# what only the screen has: the sidebar's labels, the buttons
SCREEN_ONLY = ["Đơn vị và kỳ báo cáo", "Tìm đơn vị", "Loại kỳ báo cáo", "So sánh cùng kỳ năm trước", "Tải ảnh PNG",
               "Tải CSV", "Tải Excel"]


@pytest.fixture(scope="module")
def server(sample_dir):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_dir, ARTIFACTS / "browser-print-server.log") as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
@pytest.mark.parametrize("path,width", [("tong-quan", 1280), ("ho-so", 1920)])
def test_print_layout(server, path, width):
    from playwright.sync_api import expect, sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="vi-VN")
            page.set_default_timeout(90_000)
            open_settled(page, f"{server}/{path}?{LINKS['xa']}")
            page.wait_for_timeout(1500)  # the charts drawn
            header = page.locator(".st-key-print_header")
            expect(header).to_have_count(1)
            expect(header).to_be_hidden()                          # on screen: not shown
            expect(page.get_by_test_id("stSidebar")).to_be_visible()
            # Ctrl+P: beforeprint in the screen layout, then the print layout without a redraw: each
            # chart as drawn for the screen, scaled (cchc/ui/print.js) to the sheet's printable width,
            # 277 mm = 1047 px
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]')].map(el =>
                (el.querySelector('svg.main-svg') || el).getBoundingClientRect().width)""")  # zoom included
            assert all(0 < w <= 1047 for w in widths), widths
            images = page.locator(f"{STATIC_CHART} img").count()  # the first view's charts: images
            assert widths or images
            pdf = page.pdf(format="A4", landscape=True, prefer_css_page_size=True)
            # in print media: the sidebar is not displayed, the header is
            page.emulate_media(media="print")
            expect(page.get_by_test_id("stSidebar")).to_be_hidden()
            assert page.get_by_test_id("stSidebar").evaluate("el => getComputedStyle(el).display") == "none"
            expect(header).to_be_visible()
            # laid out at the sheet's printable width, a chart drawn on the server follows it (its image
            # is as wide as its column)
            page.set_viewport_size({"width": 1047, "height": 900})
            page.wait_for_timeout(300)
            shown = page.evaluate(f"""() => [...document.querySelectorAll('{STATIC_CHART} img')].map(i =>
                i.getBoundingClientRect().width)""")
            assert len(shown) == images and all(0 < w <= 1047 for w in shown), shown
        finally:
            browser.close()
    (ARTIFACTS / f"print-{path}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    n = len(reader.pages)
    assert n > 0
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)            # landscape
    assert abs(float(box.width) - 842) < 2                 # A4: 297 mm = 842 pt
    for i, p in enumerate(reader.pages, 1):
        text = p.extract_text()
        assert UNIT in text and PERIOD in text and re.search(r"Dữ liệu đến \d\d/\d\d/\d{4}", text), (i, text[:300])
        assert f"Trang {i} / {n}" in text, (i, text[-200:])
        for word in SCREEN_ONLY:
            assert word not in text, (i, word)
    everything = "\n".join(p.extract_text() for p in reader.pages)
    assert ("Tổng quan" if path == "tong-quan" else "Hồ sơ TTHC") in everything
