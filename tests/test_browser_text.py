"""Nothing cut (issue 16 item 1, cards, headings, captions and the sidebar): every page at a commune's and a
province's link, in Chromium at 390 (phone), 1024, 1280, 1440 and 1920 px. Fails when the text of a KPI
card (label, value, change), a heading, a caption or a value selected in the sidebar does not fit its box
(scrollWidth > clientWidth on an element that cuts: text-overflow ellipsis or overflow hidden; an
input's value wider than the input). Charts and tables are checked elsewhere. A screenshot of each
width's overview is kept in tests/artifacts/text-<width>-<link>.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_util import CHROMIUM, LINKS, PAGE_PATHS, ROOT, launch, open_settled, open_sidebar, streamlit_server

ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = [390, 1024, 1280, 1440, 1920]

# The elements whose text must show whole, and a check of each element and its descendants.
CUT = """() => {
  const kinds = [['card', '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricDelta"]'],
                 ['heading', '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3'],
                 ['caption', '[data-testid="stCaptionContainer"]']];
  const out = [];
  const seen = new Set();
  const cut = (el) => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || !el.clientWidth) return false;
    const clips = s.textOverflow === 'ellipsis' || ['hidden', 'clip'].includes(s.overflowX);
    const clipsY = ['hidden', 'clip'].includes(s.overflowY);
    return (clips && el.scrollWidth > el.clientWidth + 1) || (clipsY && el.scrollHeight > el.clientHeight + 2);
  };
  for (const [kind, sel] of kinds) {
    for (const root of document.querySelectorAll(sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        if (seen.has(el) || el.closest('svg') || el.closest('[data-testid="stTooltipIcon"]')) continue;
        seen.add(el);
        if (cut(el)) { out.push(`${kind}: "${root.innerText.trim().slice(0, 80)}" (${el.scrollWidth} > ${el.clientWidth} px)`); break; }
      }
    }
  }
  for (const input of document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"] input')) {
    if (input.value && input.clientWidth && input.scrollWidth > input.clientWidth + 1)
      out.push(`sidebar: "${input.value}" (${input.scrollWidth} > ${input.clientWidth} px)`);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(sample_dir):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_dir, ARTIFACTS / "browser-text-server.log") as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
@pytest.mark.parametrize("width", WIDTHS)
def test_no_text_is_cut(server, width):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="vi-VN")
            page.set_default_timeout(90_000)
            for name, link in LINKS.items():
                for path in PAGE_PATHS:
                    open_settled(page, f"{server}/{path}?{link}")
                    if page.get_by_test_id("stException").count():
                        problems.append(f"{path}?{link} @ {width} px: an exception (see the server log)")
                    if path == "tong-quan":
                        open_sidebar(page)
                        page.screenshot(path=str(ARTIFACTS / f"text-{width}-{name}.png"))
                        assert page.get_by_test_id("stMetricValue").count() > 0, f"{path}?{link}: no KPI card"
                        assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').count() >= 3
                    problems += [f"{path}?{link} @ {width} px: {p}" for p in page.evaluate(CUT)]
        finally:
            browser.close()
    assert not problems, "text cut:\n" + "\n".join(problems)


def test_the_check_sees_a_cut_value(server):
    """The check itself: a card value squeezed into a narrow box with an ellipsis is reported."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
            open_settled(page, f"{server}/tong-quan?{LINKS['xa']}")
            assert page.evaluate(CUT) == []
            page.get_by_test_id("stMetricValue").first.evaluate(
                "el => { el.style.setProperty('width', '20px', 'important'); "
                "for (const e of [el, ...el.querySelectorAll('*')]) { e.style.setProperty('white-space', 'nowrap', 'important'); "
                "e.style.setProperty('overflow', 'hidden', 'important'); e.style.setProperty('text-overflow', 'ellipsis', 'important'); } }")
            assert any(p.startswith('card: "3.262"') for p in page.evaluate(CUT))
        finally:
            browser.close()


def test_a_clipped_period_keeps_its_option_short(app, db):
    """The period box shows a name and dates only (the box would cut "…, dữ liệu đến dd/mm/yyyy"); a
    caption under it says where a clipped period's figures stop."""
    from cchc import periods

    last = db.run("data_range").row(0)[1]
    # the new xã Trần Phú, the official year the data end in (it runs to mid-December: past the data end)
    at = app(page="pages/tong_quan.py", unit="10633", kind="year", y=str(last.year))
    labels = at.selectbox(key="f_period").options
    assert labels and not any("dữ liệu đến" in t or "tồn tại đến" in t for t in labels)
    assert all(len(t) <= len("Tháng 12/2023 (10/11/2023 – 09/12/2023)") for t in labels)
    captions = [c.value for c in at.sidebar.caption]
    assert f"Kỳ chưa trọn: dữ liệu đến {periods.fmt_date(last)}." in captions, captions


def test_the_stylesheet_survives_streamlits_sanitiser():
    """st.html passes the CSS through DOMPurify, which drops a style element whose text has a '<'
    followed by a letter or '/': the whole stylesheet would silently vanish."""
    import re
    css = (ROOT / "cchc" / "ui" / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"<[/\w]", css)
