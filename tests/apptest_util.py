"""One way to open the app on a page in a test: a real Streamlit run of app.py (AppTest)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str | None = None, params: dict[str, str] | None = None, timeout: float = 90):
    """app.py run once with the link's query parameters, then switched to ``page`` (a file under
    pages/) with the same parameters, as a browser opening that link does. Returns the AppTest; the
    caller asserts what it expects (exceptions included)."""
    from streamlit.testing.v1 import AppTest

    params = params or {}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
    return at
