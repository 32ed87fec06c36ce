"""Charts never collide or clip (issue 16, item 1): one Streamlit server over the sample, one Chromium
page; every page that draws charts is opened by deep link for a commune, a district, an old province
and the new province. Its first view's charts, drawn on the server as SVG images at the 1920 px window's
width (cchc.ui.widgets.chart), are put in the page as SVG and measured; then the page runs again and
for each width (phone 390 px, laptop 1024/1280/1440, screen 1920 px) the text boxes of every rendered
Plotly SVG are measured in the page (getBoundingClientRect). The test fails on
  (a) two visible texts of one chart whose boxes intersect by more than 1 px (tick labels of one axis
      included),
  (b) a text reaching outside its chart's SVG (clipped),
  (c) two equal tick labels on one axis, or a tick label with an SI suffix ("20k") or English
      decimals ("99.5%").
A screenshot of every failing chart is kept in tests/artifacts/layout-*.png."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, STATIC_CHART, rerun, streamlit_server, wait_idle

ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = (390, 1024, 1280, 1440, 1920)
YEAR_2023 = {"from": "2022-12-10", "to": "2023-12-09"}
UNITS = {  # a commune, a district, an old province (official year 2023) and the new province (its default period)
    "xã Quốc Tuấn": {"unit": "10621", **YEAR_2023},
    "huyện Nam Sách": {"unit": "291", **YEAR_2023},
    "tỉnh Hải Dương": {"unit": "30", **YEAR_2023},
    "TP Hải Phòng (mới)": {"unit": "31"},
}
PAGES = {  # every page that draws charts; extra parameters per page
    "tong-quan": {},
    "ho-so": {},
    "ho-so (Chứng thực)": {"field": "Chứng thực"},
    "hai-long": {},
    "tai-chinh": {},
    "chi-so": {},
    "ket-qua-cong-bo": {},
    "so-sanh": {"ss": "10621,10618,cu-10606"},
    # an indicator's trend with its full-points threshold, on the index page and on the drill-down
    # (for the commune and the new province only: the same figures as above, one more label each)
    "chi-so (chỉ tiêu 2.1)": {"ind": "2.1", "_units": ("10621", "31")},
    "ho-so (chỉ tiêu 4.2)": {"ct": "4.2", "_units": ("10621", "31")},
}
TOLERANCE = 1.0  # px
# "20k", "1.5M" (SI suffixes) or "99.5%" (English decimals, no space) on an axis
SI_OR_ENGLISH = re.compile(r"^[−-]?[\d.,]+\s?[kMGTµm]$|\d\.\d+\s?%|\d%")

# Every text of every drawn chart, with its box and the chart it belongs to. A text counts when it has
# characters and is visible (display, visibility and opacity of it and its ancestors); hover labels and
# the modebar are left out. Tick labels carry the key of their axis (subplot + tick class).
COLLECT_JS = r"""
(selector) => {
  const out = [];
  document.querySelectorAll(selector).forEach((plot, i) => {
    const svg = plot.querySelector('svg.main-svg');
    if (!svg) return;
    const box = plot.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) return;  // in a closed tab or expander
    const title = (plot.querySelector('.gtitle') || {}).textContent || '(sans titre)';
    const texts = [];
    plot.querySelectorAll('svg.main-svg text').forEach(t => {
      if (t.closest('.hoverlayer') || t.closest('.modebar')) return;
      const s = (t.textContent || '').trim();
      if (!s) return;
      if (!t.checkVisibility({opacityProperty: true, visibilityProperty: true})) return;
      let op = 1;
      for (let e = t; e && e !== plot; e = e.parentElement) {
        const cs = getComputedStyle(e);
        op *= parseFloat(cs.opacity || '1') * parseFloat(e.getAttribute('fill-opacity') ?? '1');
      }
      if (op < 0.05) return;
      const r = t.getBoundingClientRect();
      if (r.width < 0.5 || r.height < 0.5) return;
      let axis = null;
      const tick = t.closest('g.xtick, g.ytick, g.x2tick, g.y2tick');
      if (tick) {
        const layer = tick.parentElement;
        const sub = tick.closest('g[class*="subplot"], g.overplot > g');
        axis = (sub ? sub.getAttribute('class') : '') + '/' + (layer ? layer.getAttribute('class') : '') + '/' +
               tick.getAttribute('class');
      }
      texts.push({s, axis, l: r.left, t: r.top, r: r.right, b: r.bottom});
    });
    out.push({i, title, box: {l: box.left, t: box.top, r: box.right, b: box.bottom}, texts});
  });
  return out;
}
"""


PLOTLY = ".js-plotly-plot"
# The first view's charts are images of the SVG the server drew (cchc.ui.widgets.chart): each SVG is put
# in the page as it is, at the width it was drawn and shown at, to be measured like Plotly's, then removed.
MEASURED = "cchc-measure"
INLINE_STATIC_JS = r"""
(cls) => {
  let n = 0;
  document.querySelectorAll('[class*="st-key-static_"] img').forEach(img => {
    const b64 = img.getAttribute('src').split(',')[1];
    const div = document.createElement('div');
    div.className = cls;
    div.style.cssText = 'position:fixed;left:0;top:0;z-index:2147483647;background:#fff;width:' + img.naturalWidth + 'px';
    div.innerHTML = new TextDecoder().decode(Uint8Array.from(atob(b64), c => c.charCodeAt(0)));
    document.body.appendChild(div);
    n += 1;
  });
  return n;
}
"""


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


def problems(chart: dict) -> list[str]:
    """Overlaps, clipped texts and repeated tick labels of one measured chart."""
    out = []
    texts, box = chart["texts"], chart["box"]
    for a in texts:
        if (a["l"] < box["l"] - TOLERANCE or a["r"] > box["r"] + TOLERANCE or a["t"] < box["t"] - TOLERANCE
                or a["b"] > box["b"] + TOLERANCE):
            out.append(f"clipped: «{_short(a['s'])}» {a['l']:.0f}–{a['r']:.0f} × {a['t']:.0f}–{a['b']:.0f} "
                       f"outside {box['l']:.0f}–{box['r']:.0f} × {box['t']:.0f}–{box['b']:.0f}")
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            w = min(a["r"], b["r"]) - max(a["l"], b["l"])
            h = min(a["b"], b["b"]) - max(a["t"], b["t"])
            if w > TOLERANCE and h > TOLERANCE:
                out.append(f"overlap {w:.0f}×{h:.0f} px: «{_short(a['s'])}» and «{_short(b['s'])}»")
    axes: dict[str, list[str]] = {}
    for a in texts:
        if a["axis"]:
            axes.setdefault(a["axis"], []).append(a["s"])
            if SI_OR_ENGLISH.search(a["s"]):
                out.append(f"tick label not in Vietnamese format: «{a['s']}»")
    for labels in axes.values():
        seen = {s for s in labels if labels.count(s) > 1}
        if seen:
            out.append(f"repeated tick labels: {sorted(seen)} in {labels}")
    return out


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:60]


def test_problems_finds_an_overlap_a_clip_and_a_repeated_tick():
    """The checker itself: each kind of fault is reported, a clean chart is not."""
    box = {"l": 0, "t": 0, "r": 100, "b": 100}
    clean = {"box": box, "texts": [{"s": "a", "axis": "x", "l": 0, "t": 0, "r": 10, "b": 10},
                                   {"s": "b", "axis": "x", "l": 10.5, "t": 0, "r": 20, "b": 10}]}
    assert problems(clean) == []
    bad = {"box": box, "texts": [{"s": "a", "axis": "x", "l": 0, "t": 0, "r": 10, "b": 10},
                                 {"s": "a", "axis": "x", "l": 5, "t": 5, "r": 15, "b": 15},
                                 {"s": "c", "axis": None, "l": 95, "t": 50, "r": 110, "b": 60}]}
    found = problems(bad)
    assert problems({"box": box, "texts": [{"s": "20k", "axis": "y", "l": 0, "t": 0, "r": 9, "b": 9}]}) == [
        "tick label not in Vietnamese format: «20k»"]
    assert problems({"box": box, "texts": [{"s": "99.5%", "axis": "y", "l": 0, "t": 0, "r": 9, "b": 9}]})
    assert not problems({"box": box, "texts": [{"s": "20.000", "axis": "y", "l": 0, "t": 0, "r": 9, "b": 9},
                                               {"s": "99,5 %", "axis": "x", "l": 20, "t": 0, "r": 29, "b": 9}]})
    assert any(p.startswith("overlap") for p in found)
    assert any(p.startswith("clipped") for p in found)
    assert any(p.startswith("repeated tick labels") for p in found)


def _wait_charts(page, rerun: bool = True) -> None:
    """Wait until every visible chart is drawn (after a page load: until Streamlit's run is over)."""
    if rerun:
        wait_idle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.getBoundingClientRect().width < 2 || c.querySelector('svg.main-svg .gtitle'))""",
        timeout=60_000)
    page.wait_for_timeout(400)  # Plotly's automargin redraw after the first paint


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
def test_no_chart_text_overlaps_or_is_clipped_at_any_width(sample_dir):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("layout-*.png"):
        old.unlink()
    failures: list[str] = []
    charts_seen = static_seen = 0
    with streamlit_server(sample_dir, ARTIFACTS / "browser-layout-server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTHS[-1], "height": 1000}, locale="vi-VN")
            page.set_default_timeout(60_000)
            for unit_name, unit_q in UNITS.items():
                for page_name, extra in PAGES.items():
                    if unit_q["unit"] not in extra.get("_units", (unit_q["unit"],)):
                        continue
                    extra = {k: v for k, v in extra.items() if not k.startswith("_")}
                    path = page_name.split(" ")[0]
                    page.set_viewport_size({"width": WIDTHS[-1], "height": 1000})
                    page.goto(f"{url}/{path}?{urlencode({**unit_q, **extra})}")
                    expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
                    wait_idle(page)
                    page.wait_for_function(f"""() => [...document.querySelectorAll('{STATIC_CHART} img')]
                                                   .every(i => i.complete && i.naturalWidth > 0)""")
                    page.wait_for_timeout(400)
                    expect(page.get_by_test_id("stException")).to_have_count(0)
                    # the first view: the charts drawn on the server, at the width the page had
                    static = page.evaluate(INLINE_STATIC_JS, MEASURED)
                    measured = page.evaluate(COLLECT_JS, f".{MEASURED}")
                    page.evaluate(f"() => document.querySelectorAll('.{MEASURED}').forEach(d => d.remove())")
                    assert len(measured) == static and static == page.locator(f"{STATIC_CHART} img").count()
                    static_seen += static
                    for chart in measured:
                        failures += [f"{page_name} · {unit_name} · {WIDTHS[-1]} px, drawn on the server · "
                                     f"«{_short(chart['title'], 90)}»: {p}" for p in problems(chart)]
                    # the next run: Plotly's charts, drawn again by Plotly at every width
                    rerun(page)
                    _wait_charts(page)
                    expect(page.get_by_test_id("stException")).to_have_count(0)
                    for width in reversed(WIDTHS):
                        page.set_viewport_size({"width": width, "height": 1000})
                        _wait_charts(page, rerun=False)  # a resize redraws the charts, Streamlit does not rerun
                        measured = page.evaluate(COLLECT_JS, PLOTLY)
                        charts_seen += len(measured)
                        for chart in measured:
                            found = problems(chart)
                            if not found:
                                continue
                            where = f"{page_name} · {unit_name} · {width} px · «{_short(chart['title'], 90)}»"
                            failures += [f"{where}: {p}" for p in found]
                            shot = ARTIFACTS / f"layout-{_slug(page_name)}-{unit_q['unit']}-{width}-{chart['i']}.png"
                            page.locator(".js-plotly-plot").nth(chart["i"]).screenshot(path=str(shot))
        finally:
            browser.close()
    assert charts_seen > 0 and static_seen > 0
    assert not failures, f"{len(failures)} layout faults:\n" + "\n".join(failures[:80])
