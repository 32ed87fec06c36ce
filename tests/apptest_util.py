"""One way to open the app on a page in a test: a real Streamlit run of app.py (AppTest)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


PASSWORD = "mật-khẩu-của-phép-thử"


def sign_in(at, role: str, scope: str = "*", name: str | None = None, display_name: str | None = None):
    """Sign ``at`` in (before its first run) as a local account of the data folder CCHC_DATA_DIR names,
    made there with ``role``, ``scope`` and ``display_name`` if it does not exist yet (the folder must be
    the test's own copy: the account is written into it)."""
    import os
    import time

    from cchc import access, accounts
    root = os.environ["CCHC_DATA_DIR"]
    name = name or f"thu.{role.replace('_', '-')}"
    if name not in accounts.load(root):
        accounts.add(root, name, PASSWORD, role, access.Scope.parse(scope), by=access.operator(),
                     display_name=display_name or f"Cán bộ thử ({role})")
    at.session_state["_signin"] = {"name": name, "at": time.time()}
    return at


def open_page(page: str | None = None, params: dict[str, str] | None = None, timeout: float = 90,
              user: tuple[str, ...] | None = None):
    """app.py run once with the link's query parameters, then switched to ``page`` (a file under
    pages/) with the same parameters, as a browser opening that link does; ``user`` (role, scope[, name[,
    display name]]):
    signed in as such an account first (sign_in). Returns the AppTest; the caller asserts what it
    expects (exceptions included)."""
    from streamlit.testing.v1 import AppTest

    params = params or {}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if user:
        sign_in(at, *user)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
    return at
