"""Two dashboard processes behind HAProxy (python -m cchc.ui.cluster), over real data in a writable
folder, with Debian's Chromium: two browsers pinned to different processes (the SRV cookie) read the
same figure; one of them loads a file on the import page (an upload through the proxy: Streamlit's
XSRF check passes, and a request without the token is refused); both then show the new figure at
once, equal to what cchc computes from the files. The second process had the old figure in its
query cache: only the data version stamp (cchc.store) can tell it the files changed."""
from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, free_port, wait_idle
from cchc import access, accounts, fmt, kpis, metrics, periods, sample, units
from cchc.access import Scope
from cchc.db import Database
from cchc.ui.cluster import Cluster, haproxy_path, healthy

pytestmark = [pytest.mark.slow, pytest.mark.app]

ARTIFACTS = ROOT / "tests" / "artifacts"
MAY = ROOT / "tests" / "files" / "load" / "so-ho-so-quoc-tuan-2023-05.csv"   # 30 dossiers of xã Quốc Tuấn, May 2023
LINK = "tong-quan?unit=10621&from=2022-12-10&to=2023-12-09"                   # its official year 2023
YEAR_2023 = periods.period_for(date(2022, 12, 10), date(2023, 12, 9), 10)
PASSWORD = "mật-khẩu-cụm-máy-1"


def _have_haproxy() -> bool:
    """Installed; or required (CCHC_REQUIRE_HAPROXY, set by .ci/run): the tests then fail, not skip."""
    if os.environ.get("CCHC_REQUIRE_HAPROXY"):
        return True
    try:
        haproxy_path()
        return True
    except RuntimeError:
        return False


@pytest.fixture()
def real_data(sample_dir, tmp_path) -> Path:
    """A writable copy of the sample that is no longer the sample (sign-in asked), with a data manager
    who may load and a reader."""
    root = tmp_path / "data"
    shutil.copytree(sample_dir, root, copy_function=os.link)
    (root / sample.MARKER).unlink()
    op = access.operator()
    accounts.add(root, "quan.ly", PASSWORD, "data_manager", Scope.parse("*"), by=op, display_name="Nguyễn Văn A")
    accounts.add(root, "xem", PASSWORD, "viewer", Scope.parse("*"), by=op)
    return root


def received(root: Path) -> int:
    db = Database(root)
    try:
        return kpis.kpis(db, units.resolve(db, "10621"), YEAR_2023)["received_total"]
    finally:
        db.close()


def _sign_in(page, name: str) -> None:
    form = page.get_by_test_id("stForm")
    form.get_by_label("Tên đăng nhập").fill(name)
    form.get_by_label("Mật khẩu").fill(PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    wait_idle(page)


def _open(page, url: str, name: str, backend: str) -> None:
    """The deep link in a new session, signed in; the page must have come from ``backend``."""
    from playwright.sync_api import expect
    response = page.goto(url)
    assert response.headers.get("x-served-by") == backend
    expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
    wait_idle(page)
    _sign_in(page, name)
    expect(page.get_by_test_id("stMetric").first).to_be_visible()


def _received_card(page):
    """The value of the 'received' card of the overview."""
    label = metrics.label("received_total")
    return page.get_by_test_id("stMetric").filter(has_text=label).first.get_by_test_id("stMetricValue")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
@pytest.mark.skipif(not _have_haproxy(), reason="HAProxy is not installed (apt-get install haproxy)")
def test_a_load_in_one_process_is_shown_at_once_by_the_other(real_data):
    from playwright.sync_api import expect, sync_playwright

    old, new = received(real_data), received(real_data) + 30
    run_dir = ARTIFACTS / "cluster"
    shutil.rmtree(run_dir, ignore_errors=True)
    # the file listing (the fallback for files copied in by hand) is not looked at again during the test:
    # only the version stamp can make process app2 see the load
    with Cluster(processes=2, port=free_port(), data_dir=real_data, run_dir=run_dir,
                 env={"CCHC_LISTING_TTL": "3600"}) as cluster, \
            sync_playwright() as pw:
        # XSRF through the proxy: an upload without the token is refused (403) before any session is looked up
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(f"{cluster.url}/_stcore/upload_file/x/y", data=b"z",
                                                          method="PUT"), timeout=10)
        assert refused.value.code == 403

        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for backend, user in (("app1", "quan.ly"), ("app2", "xem")):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
                ctx.add_cookies([{"name": "SRV", "value": backend, "url": cluster.url}])
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                _open(page, f"{cluster.url}/{LINK}", user, backend)
                pages[backend] = page
            for page in pages.values():
                expect(_received_card(page)).to_have_text(fmt.number(old))

            # a load on the import page of process app1: the file goes up through HAProxy
            up = pages["app1"]
            up.get_by_test_id("stTopNavSection").filter(has_text="Dữ liệu").click()
            up.get_by_test_id("stTopNavDropdownLink").filter(has_text="Nhập dữ liệu").click()
            wait_idle(up)
            up.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(MAY))
            wait_idle(up)
            up.get_by_role("button", name=re.compile("Nạp dữ liệu")).click()
            wait_idle(up)
            expect(up.get_by_text(re.compile("Đã nạp")).first).to_be_visible()
            assert received(real_data) == new

            # both processes show the new figure at their next run: app2 in a new session (its query
            # cache held the old figure), app1 back on the overview
            _open(pages["app2"], f"{cluster.url}/{LINK}", "xem", "app2")
            up.get_by_test_id("stTopNavSection").filter(has_text="Điều hành").click()
            up.get_by_test_id("stTopNavDropdownLink").filter(has_text="Tổng quan").click()
            wait_idle(up)
            for page in pages.values():
                expect(_received_card(page)).to_have_text(fmt.number(new), timeout=5_000)
            expect(up).to_have_url(re.compile(r"unit=10621.*from=2022-12-10.*to=2023-12-09"))
        finally:
            browser.close()


# --- the configuration and the processes, without a browser ---------------------------------------------
def test_the_configuration_pins_each_browser_to_one_process_and_haproxy_accepts_it(tmp_path):
    from cchc.ui import cluster
    text = cluster.render(8600, [("app1", 8601), ("app2", 8602)])
    assert "cookie SRV insert indirect nocache" in text
    assert "    server app1 127.0.0.1:8601 cookie app1" in text and "    server app2 127.0.0.1:8602 cookie app2" in text
    assert "option httpchk GET /_stcore/health" in text and re.search(r"timeout tunnel \S+", text)
    if _have_haproxy():
        import subprocess
        (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
        check = subprocess.run([haproxy_path(), "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif(not _have_haproxy(), reason="HAProxy is not installed (apt-get install haproxy)")
def test_the_command_serves_through_haproxy_restarts_a_dead_process_and_stops_everything_on_sigterm(sample_dir, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    port = free_port()
    cmd = [sys.executable, "-m", "cchc.ui.cluster", "--processes", "2", "--port", str(port), "--data-dir", str(sample_dir),
           "--run-dir", str(tmp_path / "run")]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        line = proc.stdout.readline()      # printed once HAProxy answers
        assert f"http://127.0.0.1:{port}" in line, line + proc.stderr.read()
        backends = [int(p) for p in re.findall(r"app\d http://127\.0\.0\.1:(\d+)", line)]
        assert len(backends) == 2
        served = set()
        for name in ("app1", "app2"):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health", headers={"Cookie": f"SRV={name}"})
            with urllib.request.urlopen(req, timeout=10) as r:
                assert r.status == 200
                served.add(r.headers["X-Served-By"])
        assert served == {"app1", "app2"}
        # a new browser gets a cookie naming its process
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert re.match(r"SRV=app[12];", r.headers["Set-Cookie"])
        # app1 killed: a browser pinned to it is sent to app2 meanwhile, and app1 is started again
        pid = next(int(p) for p in subprocess.run(["pgrep", "-f", f"server.port {backends[0]} "], capture_output=True,
                                                  text=True).stdout.split())
        os.kill(pid, signal.SIGKILL)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health", headers={"Cookie": "SRV=app1"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{backends[0]}"):
            assert time.monotonic() < deadline, "app1 was not started again"
            time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    for p in [port, *backends]:
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{p}/_stcore/health", timeout=2)
