"""Vietnamese everywhere, Streamlit's own strings included (issue 16 item 2): every page, served as
`make run` serves it (python -m cchc.ui.serve: Streamlit's bundle with cchc/ui/vi_strings.toml applied),
rendered in Chromium; the ⋮ menu opened, then a select box given a search with no match (the empty
list's text); a page on a phone with the sidebar open; the custom range's calendar; the uploader.
The page's text, aria-labels, titles and placeholders must hold none of Streamlit's English UI words.
Material icon names ("upload", "download": a font's ligatures, not words a reader sees) are left out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_util import (CHROMIUM, LINKS, PAGE_PATHS, ROOT, choose, launch, open_settled, open_sidebar,
                          streamlit_server, wait_idle)

ARTIFACTS = ROOT / "tests" / "artifacts"
ENGLISH = ["No results", "Upload", "Browse files", "Drag and drop", "per file", "Print", "Record", "Settings",
           "About", "Made with Streamlit", "Deploy", "Running", "Clear cache", "Rerun", "Download", "Fullscreen",
           "Search", "Close", "Open", "Dismiss", "Skip to", "Sidebar", "Main menu", "Choose an option",
           "options available", "Link to heading", "Copy", "Zoom", "Autoscale", "Reset axes", "Show/hide",
           "Help for", "Collapse", "Expand", "sample", "Stop", "Connecting", "Loading", "Please wait", "View",
           "Show", "Hide", "Cancel", "Submit", "Select all", "Clear", "Remove", "Selected", "Add files", "date",
           "Date range", "Past", "Select", "Error", "Warning", "Success", "Info"]
WORDS = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![A-Za-z])")

# (where, text) for every text node, aria-label, title and placeholder of the page
TEXTS = """() => {
  const out = [];
  const icon = (el) => el && (el.closest('[data-testid="stIconMaterial"]') ||
                              /Material/.test(getComputedStyle(el).fontFamily));
  const name = (el) => (el.getAttribute('data-testid') || el.tagName.toLowerCase()) +
                       (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'data-title']) {
      const v = el.getAttribute(a);
      if (v) out.push([`${name(el)} [${a}]`, v]);
    }
    if (el.tagName === 'INPUT' && el.value) out.push([`${name(el)} [value]`, el.value]);
    for (const n of el.childNodes)
      if (n.nodeType === 3 && n.textContent.trim() && !icon(el)) out.push([name(el), n.textContent.trim()]);
  }
  return out;
}"""


def english(page) -> list[str]:
    return [f"{where}: {text[:100]!r}" for where, text in page.evaluate(TEXTS) if WORDS.search(text)]


@pytest.fixture(scope="module")
def server(sample_dir):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_dir, ARTIFACTS / "browser-vietnamese-server.log") as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_no_english_on_any_page(server):
    from playwright.sync_api import expect, sync_playwright

    found = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(90_000)
            for path in PAGE_PATHS:
                open_settled(page, f"{server}/{path}?{LINKS['xa']}")
                assert page.locator("html").get_attribute("lang") == "vi"
                seen = english(page)
                # the ⋮ menu
                page.get_by_test_id("stMainMenu").click()
                expect(page.get_by_test_id("stMainMenuList")).to_be_visible()
                seen += english(page)
                if path == "tong-quan":
                    page.screenshot(path=str(ARTIFACTS / "vietnamese-menu.png"))
                page.keyboard.press("Escape")
                # text with no listed match in the unit search box: the entry that searches every unit
                box = page.get_by_test_id("stSelectbox").first.locator("input")
                box.click()
                box.fill("zzqxw")
                expect(page.get_by_text("Tìm: zzqxw", exact=True)).to_be_visible()
                seen += english(page)
                page.keyboard.press("Enter")           # searched over every unit: nothing found, said so
                expect(page.get_by_text("Không tìm thấy đơn vị nào khớp «zzqxw».", exact=True)).to_be_visible()
                wait_idle(page)
                # a search with no match in a box of fixed options: the empty list's text
                kind = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Loại kỳ báo cáo", exact=True))
                kind.locator("input").click()
                kind.locator("input").fill("zzqxw")
                expect(page.get_by_text("Không tìm thấy", exact=True)).to_be_visible()
                seen += english(page)
                if path == "tong-quan":
                    page.screenshot(path=str(ARTIFACTS / "vietnamese-no-match.png"))
                page.keyboard.press("Escape")
                found += [f"{path}: {s}" for s in dict.fromkeys(seen)]
            # a phone: the sidebar holds the page menu ("View 4 more" in Streamlit's English)
            phone = browser.new_page(viewport={"width": 390, "height": 900}, locale="vi-VN")
            open_settled(phone, f"{server}/tong-quan?{LINKS['xa']}")
            open_sidebar(phone)
            expect(phone.get_by_test_id("stSidebarNavViewButton")).to_be_visible()
            found += [f"tong-quan @ 390 px: {s}" for s in dict.fromkeys(english(phone))]
            phone.close()
            # a custom range: the date box's calendar (month and day names from the browser's vi-VN)
            open_settled(page, f"{server}/tong-quan?{LINKS['xa']}")
            choose(page, "Loại kỳ báo cáo", "Tùy chọn")
            page.get_by_test_id("stDateInput").get_by_role("button", name="Chọn khoảng ngày").click()
            expect(page.get_by_text("Khoảng ngày", exact=True)).to_be_visible()
            found += [f"tong-quan, calendar: {s}" for s in dict.fromkeys(english(page))]
            page.keyboard.press("Escape")
        finally:
            browser.close()
    assert not found, "English on screen:\n" + "\n".join(found)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_the_scan_sees_english(server):
    """The scan itself: Streamlit's untranslated bundle would show "No results"; a word put on the page is found."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
            open_settled(page, f"{server}/tong-quan?{LINKS['xa']}")
            page.get_by_test_id("stMetricValue").first.evaluate("el => el.setAttribute('title', 'Download as CSV')")
            assert any("Download as CSV" in s for s in english(page))
        finally:
            browser.close()


@pytest.fixture(scope="module")
def signed_in_server(sample_dir, tmp_path_factory):
    """A server over a copy of the sample with one account (issue 17: the demo only reads)."""
    import shutil

    from cchc import access, accounts
    root = tmp_path_factory.mktemp("vi") / "data"
    shutil.copytree(sample_dir, root)
    accounts.add(root, "kiemthu", "mat-khau-du-dai-2023", "admin", access.Scope("country"), by=access.operator())
    with streamlit_server(root, ARTIFACTS / "browser-vietnamese-upload-server.log") as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_the_uploader_speaks_vietnamese(signed_in_server):
    """The file uploader's own texts (Nhập dữ liệu, Kết quả công bố), for an account that may upload."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(90_000)
            open_settled(page, f"{signed_in_server}/nhap-du-lieu?{LINKS['xa']}")
            signin = page.get_by_role("button", name="Đăng nhập")
            if signin.count():  # the sample's demo: sign in from the sidebar's popover
                signin.first.click()
                wait_idle(page)
                page.get_by_label("Tên đăng nhập").fill("kiemthu")
                page.get_by_label("Mật khẩu").fill("mat-khau-du-dai-2023")
                page.get_by_test_id("stFormSubmitButton").filter(has_text="Đăng nhập").click()
                wait_idle(page)  # the same session (a new page load would be a new one), now signed in
            up = page.get_by_test_id("stFileUploader").first
            expect(up).to_contain_text("mỗi tệp")
            expect(up.get_by_test_id("stBaseButton-secondary")).to_contain_text("Chọn tệp")
            page.screenshot(path=str(ARTIFACTS / "vietnamese-uploader.png"))
            assert not english(page), english(page)
        finally:
            browser.close()
