"""A new browser session's first view (issue 16 item 9, in a real Chromium; the server side is in
tests/test_first_view.py): its charts are SVG images drawn on the server at the width they are shown
(the page's main column, worked out from the width the page gave in its cookie), with Vietnamese text,
and no Plotly script is loaded for them; a deep link asks the server's health once (index.html names
the base URL); Plotly's chunk is fetched once the page is idle; the next run draws Plotly's
interactive charts where the first view's images were, as soon as the pointer reaches one."""
from __future__ import annotations

import base64
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from browser_util import CHARTS, CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, STATIC_CHART, streamlit_server, wait_idle
from cchc.ui import serve, widgets

ARTIFACTS = ROOT / "tests" / "artifacts"
LINK = "tong-quan?" + urlencode({"unit": "291", "from": "2022-12-10", "to": "2023-12-09", "kind": "year", "y": "2023",
                                 "cut": "10"})  # Huyện Nam Sách, official year 2023: the trend and the communes' ranking


def _open(browser, url: str, width: int):
    """A new browser context (a new session) at `width` opening url; with the URLs it requested."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(url)
    expect(page.locator(IDLE)).to_have_count(1)
    wait_idle(page)
    return ctx, page, asked


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_the_first_view_shows_server_drawn_charts_then_plotly(sample_dir):
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(sample_dir, ARTIFACTS / "browser-first-view-server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in (1024, 390, 1920):
                ctx, page, asked = _open(browser, f"{url}/{LINK}", width)
                for _ in range(30):  # the server's renderer starts in the background (2–4 s): until it has
                    if page.locator(STATIC_CHART).count():
                        break
                    ctx.close()
                    time.sleep(1)
                    ctx, page, asked = _open(browser, f"{url}/{LINK}", width)
                expect(page.get_by_test_id("stException")).to_have_count(0)
                images = page.locator(f"{STATIC_CHART} img")
                expect(images).to_have_count(2)
                expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
                assert not [u for u in asked if "PlotlyChart" in u], "Plotly's script fetched for the first view"
                assert sum("/_stcore/health" in u for u in asked) == 1, [u for u in asked if "health" in u]
                for i in range(2):
                    img = images.nth(i)
                    img.scroll_into_view_if_needed()
                    expect(img).to_be_visible()
                    natural, shown, src, alt = img.evaluate(
                        "i => [i.naturalWidth, i.getBoundingClientRect().width, i.getAttribute('src'), i.alt]")
                    assert "Huyện Nam Sách" in alt                  # title and subtitle for a screen reader
                    assert natural == widgets.main_width(width), (width, natural)
                    assert abs(shown - natural) <= 2, (width, shown, natural)   # drawn at the width it is shown
                    svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
                    assert svg.lstrip().startswith("<svg") and "Huyện Nam Sách" in svg
                # Plotly's chunk, fetched once the page has loaded and gone idle
                page.wait_for_timeout(serve.PREFETCH_AFTER_MS + 2500)
                assert [u for u in asked if "PlotlyChart" in u], "Plotly's chunk was not prefetched"
                # the pointer on a chart: the page runs again, Plotly's charts where the images were
                images.first.hover()
                wait_idle(page)
                expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2)
                expect(page.locator(STATIC_CHART)).to_have_count(0)
                expect(page.locator(CHARTS)).to_have_count(2)
                expect(page.locator('[data-testid="stPlotlyChart"] .main-svg .cartesianlayer').first).to_be_visible()
                labels = page.get_by_test_id("stPlotlyChart").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
                assert all(t and "Huyện Nam Sách" in t for t in labels), labels
                ctx.close()
        finally:
            browser.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_switched_off_the_first_view_draws_plotly(sample_dir):
    """CCHC_SERVER_CHARTS=0 (docs/scaling.md: the renderer's memory): no chart drawn on the server."""
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(sample_dir, ARTIFACTS / "browser-first-view-off-server.log",
                          env={"CCHC_SERVER_CHARTS": "0"}) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 900}, locale="vi-VN")
            page.set_default_timeout(90_000)
            page.goto(f"{url}/{LINK}")
            wait_idle(page)
            expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2)
            expect(page.locator(STATIC_CHART)).to_have_count(0)
        finally:
            browser.close()
