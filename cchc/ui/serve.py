"""Start the dashboard: `python -m cchc.ui.serve [streamlit options]` (what `make run` does).

Same as `streamlit run app.py`, with two fixes:
- Streamlit treats a folder named `pages/` beside the entry script as an old-style (v1) multipage
  app until the first session has called st.navigation, so the first visitor after a server start
  who opens a deep link (/ho-so?unit=...) gets a "Page not found" dialog and the overview. This app
  always uses st.navigation, so we tell Streamlit so before the first session starts.
- Streamlit's frontend fetches its Plotly chart code (one 4,6 MB script) only once a chart's message
  has arrived and been laid out, after the script has run: on a new browser session that fetch,
  its compilation and the drawing came last, one after the other (docs/performance-app.md). The
  page (index.html) is served with a `Link: <…PlotlyChart….js>; rel=modulepreload` header, so the
  browser fetches and compiles that script while the session starts and the script runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent.parent / "app.py"
PRELOAD = ("PlotlyChart.",)  # frontend chunks every page with a chart needs (file name prefixes)


def preload_header(static_dir: str | Path) -> str | None:
    """The Link header naming Streamlit's chunks in PRELOAD (their hashed names, looked up in its
    static folder), relative to the page so that a base URL path still works; None if none is found."""
    js = Path(static_dir) / "static" / "js"
    found = sorted(p.name for p in js.glob("*.js") if p.name.startswith(PRELOAD)) if js.is_dir() else []
    return ", ".join(f"<./static/js/{n}>; rel=modulepreload" for n in found) or None


def _preload_chunks() -> None:
    """Add preload_header to the responses that are Streamlit's index.html (Starlette server)."""
    try:
        from streamlit import file_util
        from streamlit.web.server.starlette import starlette_static_routes as routes
    except ImportError:  # another Streamlit layout: start without the preload
        return
    link = preload_header(file_util.get_static_dir())
    make = routes.create_streamlit_static_handler
    if link is None or getattr(make, "_cchc_preload", False):
        return

    def create(directory, base_url):
        handler = make(directory, base_url)
        headers = handler._apply_cache_headers

        def apply(response, served_path):
            headers(response, served_path)
            if response.headers.get("content-type", "").startswith("text/html"):
                response.headers["Link"] = link
        handler._apply_cache_headers = apply
        return handler

    create._cchc_preload = True
    routes.create_streamlit_static_handler = create


def prepare(preload: bool = True) -> None:
    """The two fixes above, before Streamlit starts (bench/timed_serve.py calls it too; preload=False
    for its comparison without the second)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    if preload:
        _preload_chunks()


def main(argv: list[str]) -> None:
    from streamlit.web import cli

    prepare()
    sys.argv = ["streamlit", "run", str(APP), "--browser.gatherUsageStats", "false", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
