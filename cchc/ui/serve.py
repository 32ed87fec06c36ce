"""Start the dashboard: `python -m cchc.ui.serve [streamlit options]` (what `make run` does).

Same as `streamlit run app.py`, with two changes:
- Streamlit treats a folder named `pages/` beside the entry script as an old-style (v1) multipage
  app until the first session has called st.navigation, so the first visitor after a server start
  who opens a deep link (/ho-so?unit=...) gets a "Page not found" dialog and the overview. This app
  always uses st.navigation, so we tell Streamlit so before the first session starts.
- Streamlit's frontend speaks English ("No results", "Upload", the ⋮ menu…) and has no locale
  setting. We serve a translated copy of its static folder: `vi_strings.toml` (English literal of
  the bundle → Vietnamese) applied to a copy of streamlit/static, built once per Streamlit version
  and table under the cache folder (written to a temporary folder, then renamed: atomic), and
  Streamlit's static route pointed at it (streamlit.file_util.get_static_dir, read when the server
  builds its routes). A literal that is not found stops the start with its name, so an upgrade of
  Streamlit fails loudly instead of falling back to English.
- The same copy's index.html carries a small script (INDEX_SCRIPT): the page's width for the server's
  drawing of the first view's charts, the server's base URL (one round trip less for a deep link),
  Plotly's script fetched once the page is idle, and print.js.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent.parent.parent / "app.py"
STRINGS = Path(__file__).resolve().parent / "vi_strings.toml"


# --- Streamlit's strings in Vietnamese ----------------------------------------------------------------
class TranslationError(RuntimeError):
    """A literal of vi_strings.toml is not in Streamlit's bundle (Streamlit upgraded?)."""


@dataclass(frozen=True)
class Literal:
    file: str   # glob relative to streamlit/static
    en: str
    vi: str


def load_strings(path: Path = STRINGS) -> list[Literal]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, s in enumerate(data.get("s", [])):
        if set(s) != {"file", "en", "vi"} or not all(isinstance(s[k], str) and s[k] for k in s):
            raise TranslationError(f"{path.name}, mục {i + 1}: cần đúng ba khóa file, en, vi (chuỗi khác rỗng).")
        out.append(Literal(s["file"], s["en"], s["vi"]))
    return out


def streamlit_static_dir() -> Path:
    import streamlit
    return Path(streamlit.__file__).resolve().parent / "static"


def translate(static: Path, literals: list[Literal]) -> dict[Path, str]:
    """The translated text of every file the table touches (relative path → text). Raises
    TranslationError naming every literal not found in the files its glob matches."""
    texts: dict[Path, str] = {}
    missing = []
    for lit in literals:
        found = 0
        for f in sorted(static.glob(lit.file)):
            rel = f.relative_to(static)
            text = texts.get(rel)
            if text is None:
                text = f.read_text(encoding="utf-8")
            n = text.count(lit.en)
            if n:
                texts[rel] = text.replace(lit.en, lit.vi)
                found += n
        if not found:
            missing.append(f"{lit.en!r} ({lit.file})")
    if missing:
        raise TranslationError("Không tìm thấy trong giao diện Streamlit (đã nâng cấp Streamlit?): " + "; ".join(missing))
    return texts


# --- what index.html adds ---------------------------------------------------------------------------
# A script added to index.html, run before the app connects:
# - the page's width, in a cookie read by the session's first run, which draws its charts as SVG at
#   that width (cchc.ui.widgets.chart);
# - the server's base URL when the page's path ends with one of the app's pages (or nothing): Streamlit
#   otherwise first asks /<page>/_stcore/health, fails, then asks /_stcore/health, one round trip
#   and ~0,1 s more for every deep link (window.__streamlit.BACKEND_BASE_URL, read by Streamlit's
#   frontend); any other path is left to Streamlit's own guess;
# - once the page has loaded and gone idle, Streamlit's Plotly chunk, fetched and run, so that the
#   interactive charts of the next run find it ready;
# - when the pointer reaches a chart drawn on the server, the page runs again (as Streamlit's "R" key
#   does: a keydown event), so its charts become Plotly's, with hover values;
# - cchc/ui/print.js (charts fit the printed sheet).
# The chunk's name is hashed per Streamlit build: it is looked up when the copy is built; none or
# several stop the start.
VIEWPORT_COOKIE = "cchc_vw"
STATIC_KEY = "static_"  # the container of a chart drawn on the server (cchc.ui.widgets.chart): static_<key>
STATIC_CHART = f'[class*="st-key-{STATIC_KEY}"]'  # its CSS selector
# Streamlit's chunks of the elements every page's first view draws (sidebar boxes and toggle, the
# sign-in box, cards, chart images, download buttons, the stylesheet's st.html): its frontend imports
# each only when the first such element arrives, a round of fetches after the server's messages. The
# script imports them once the page's own script has run, while it waits for the server.
FIRST_VIEW_CHUNKS = ("Selectbox", "Checkbox", "TextInput", "Metric", "ImageList", "DownloadButton", "Html")
PLOTLY_CHUNK = "static/js/PlotlyChart.*.js"
PREFETCH_AFTER_MS = 3000
PRINT_JS = Path(__file__).resolve().parent / "print.js"
INDEX_SCRIPT = """<script>
  (function () {
    function width() {
      document.cookie = "%(cookie)s=" + window.innerWidth + "; path=/; SameSite=Strict";
    }
    width();
    window.addEventListener("resize", width);
    var parts = window.location.pathname.split("/"), last = parts.pop();
    if (last === "" || %(pages)s.indexOf(last) >= 0) {
      window.__streamlit = {BACKEND_BASE_URL: window.location.origin + (parts.join("/") || "/")};
    }
    document.addEventListener("DOMContentLoaded", function () {
      %(first_view)s.forEach(function (c) { import("./" + c).catch(function () {}); });
    });
    var live = 0;
    document.addEventListener("pointerover", function (e) {
      var t = e.target;
      if (!t || !t.closest || !t.closest('%(static)s') || Date.now() - live < 5000) return;
      live = Date.now();
      document.dispatchEvent(new KeyboardEvent("keydown", {key: "r", code: "KeyR", keyCode: 82, which: 82, bubbles: true}));
    });
    window.addEventListener("load", function () {
      setTimeout(function () {
        (window.requestIdleCallback || setTimeout)(function () { import("./%(chunk)s").catch(function () {}); });
      }, %(after)d);
    });
  })();
</script>
<script>
%(print_js)s
</script>
"""


def server_charts() -> bool:
    """Whether first views draw their charts on the server (CCHC_SERVER_CHARTS=0 switches it off: the
    renderer's Chromium costs ≈ 230 MB per app process, docs/scaling.md)."""
    return os.environ.get("CCHC_SERVER_CHARTS", "1") != "0"


def index_script(static: Path) -> str:
    """INDEX_SCRIPT for Streamlit's static folder `static` (raises TranslationError if its Plotly
    chunk is not exactly one file)."""
    import json

    from .pages import HOME_URL, PAGES
    def chunk(pattern: str) -> str:
        found = sorted(static.glob(pattern))
        if len(found) != 1:
            raise TranslationError(f"Cần đúng một tệp {pattern} trong giao diện Streamlit, có {len(found)}.")
        return found[0].relative_to(static).as_posix()

    plotly = chunk(PLOTLY_CHUNK)
    first_view = [chunk(f"static/js/{name}.*.js") for name in FIRST_VIEW_CHUNKS]
    print_js = PRINT_JS.read_text(encoding="utf-8")
    if "</" in print_js:
        raise TranslationError(f"{PRINT_JS.name} không được chứa '</' (nằm trong thẻ <script> của index.html).")
    return INDEX_SCRIPT % {"cookie": VIEWPORT_COOKIE, "chunk": plotly, "first_view": json.dumps(first_view),
                           "after": PREFETCH_AFTER_MS, "static": STATIC_CHART, "pages": json.dumps([HOME_URL] + [p[2] for p in PAGES]),
                           "print_js": print_js}


def with_index_script(index_html: str, script: str) -> str:
    if index_html.count("</head>") != 1:
        raise TranslationError("index.html của Streamlit không có đúng một thẻ </head>.")
    return index_html.replace("</head>", script + "</head>")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cchc"


def translated_static(root: Path | None = None) -> Path:
    """The translated copy of streamlit/static for this Streamlit version and table, built if absent."""
    import streamlit
    src = streamlit_static_dir()
    index = Path("index.html")
    script = index_script(src)
    key = hashlib.sha256(STRINGS.read_bytes() + script.encode() + streamlit.__version__.encode()).hexdigest()[:12]
    root = root or cache_root()
    target = root / f"streamlit-static-{streamlit.__version__}-{key}"
    if (target / "index.html").exists():
        return target
    texts = translate(src, load_strings())
    texts[index] = with_index_script(texts.get(index) or (src / index).read_text(encoding="utf-8"), script)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=root))
    try:
        shutil.copytree(src, tmp / "static")
        for rel, text in texts.items():
            (tmp / "static" / rel).write_text(text, encoding="utf-8")
        try:
            os.replace(tmp / "static", target)  # atomic; another process may have won the race
        except OSError:
            if not (target / "index.html").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _serve_translated() -> None:
    from streamlit import file_util

    static = str(translated_static())
    file_util.get_static_dir = lambda: static


def prepare() -> None:
    """The changes above, before Streamlit starts (bench/timed_serve.py calls it too)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    _serve_translated()
    from cchc.ui import state
    state.warm_up()  # imports and the database before the first visitor (docs/performance-app.md)
    if server_charts():
        from cchc import charts
        charts.warm_up()  # the renderer of the first view's charts (cchc.ui.widgets.chart), in the background


def main(argv: list[str]) -> None:
    from streamlit.web import cli

    prepare()
    sys.argv = ["streamlit", "run", str(APP), "--browser.gatherUsageStats", "false", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
