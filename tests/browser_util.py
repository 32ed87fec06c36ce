"""Helpers for the one real-browser smoke test: a Streamlit server of app.py on a free local port,
and Playwright steps that wait for Streamlit to finish a run."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from cchc.ui import serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# A chart on the page: Plotly's (interactive), or on a session's first view the SVG the server drew for
# it, shown as an image (cchc.ui.widgets.chart)
STATIC_CHART = serve.STATIC_CHART
CHARTS = f'[data-testid="stPlotlyChart"], {STATIC_CHART}'


def rerun(page) -> None:
    """Run the page's script again, as Streamlit's "R" key does (the first view's charts become Plotly's)."""
    page.locator("body").press("r")
    wait_idle(page)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(data_dir: Path, log_path: Path, timeout: float = 60.0, port: int | None = None,
                     args: tuple[str, ...] = (), env: dict[str, str] | None = None):
    """Run the dashboard as `make run` does (python -m cchc.ui.serve) over data_dir; yields the base URL once
    /_stcore/health answers (``port``: a chosen one; ``args``: more Streamlit options; ``env``: more
    environment variables). The server is stopped (and its output kept in log_path) when the block ends."""
    port = port or free_port()
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    cmd = [sys.executable, "-m", "cchc.ui.serve", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", *args]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_path}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s; see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished the current script run."""
    from playwright.sync_api import expect
    page.wait_for_timeout(300)  # let a rerun triggered by the last action start
    expect(page.locator(IDLE)).to_have_count(1, timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)


def choose(page, label: str, option: str, typed: str | None = None) -> None:
    """Pick an option in the st.selectbox labelled `label` (typing `typed` first to filter)."""
    from playwright.sync_api import expect
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    expect(box).to_have_count(1)
    box.scroll_into_view_if_needed()
    box.locator("input").click()
    if typed:
        box.locator("input").fill(typed)
    opt = page.get_by_role("option", name=option, exact=True) if typed is None else \
        page.get_by_role("option").filter(has_text=option)
    expect(opt.first).to_be_visible()
    opt.first.click()
    wait_idle(page)


# --- pages and links the layout tests open (test_browser_text, _vietnamese, _print) ----------------
def _page_paths() -> list[str]:
    from cchc.ui.pages import available  # every page of the menu (cchc/ui/pages.py), new ones included
    return [url for _, _, url, _, _ in available()]


PAGE_PATHS = _page_paths()
LINKS = {"xa": "unit=10621&from=2022-12-10&to=2023-12-09",   # the old xã Quốc Tuấn, its 2023 report period
         "tinh": "unit=30&from=2022-12-10&to=2023-12-09"}    # the old Tỉnh Hải Dương, same period


def launch(pw):
    """Debian's Chromium, as the smoke test starts it."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_settled(page, url: str, timeout: float = 90_000) -> None:
    """Go to url and wait until Streamlit has finished its run and the charts have drawn."""
    page.goto(url)
    wait_idle(page, timeout=timeout)
    page.wait_for_timeout(700)


def open_sidebar(page) -> None:
    """On a phone the sidebar starts collapsed: open it."""
    btn = page.get_by_test_id("stExpandSidebarButton")
    if btn.count() and btn.first.is_visible():
        btn.first.click()
        page.wait_for_timeout(600)
