"""Local accounts end to end in a real browser (Debian's Chromium through Playwright) over a folder of
real data (a copy of the sample without its marker: sign-in is asked before anything is shown):
wrong passwords are refused, then throttled; an officer of xã Trần Phú signs in, sees its unit, is
refused the city; a role change applies at the next click; signing out gives the form back; a
disabled account is refused."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, choose, streamlit_server, wait_idle
from cchc import access, accounts, sample
from cchc.access import Scope

ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORD = "mật-khẩu-trình-duyệt-1"


@pytest.fixture()
def real_data(sample_dir, tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(sample_dir, root, copy_function=os.link)
    (root / sample.MARKER).unlink()          # no longer the sample: real data ask for sign-in
    op = access.operator()
    accounts.add(root, "can.bo", PASSWORD, "officer", Scope.parse("10633"), by=op, display_name="Nguyễn Thị Lan")
    accounts.add(root, "khoa", PASSWORD, "viewer", Scope.parse("*"), by=op)
    accounts.add(root, "bi.khoa", PASSWORD, "viewer", Scope.parse("*"), by=op)
    accounts.set_disabled(root, "bi.khoa", True, by=op)
    return root


def _sign_in(page, name: str, password: str) -> None:
    form = page.get_by_test_id("stForm")
    form.get_by_label("Tên đăng nhập").fill(name)
    form.get_by_label("Mật khẩu").fill(password)
    form.get_by_role("button", name="Đăng nhập").click()
    wait_idle(page)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}")
def test_local_sign_in_in_the_browser(real_data):
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(real_data, ARTIFACTS / "browser-signin-server.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            page.set_default_timeout(60_000)
            page.goto(f"{url}/tong-quan?unit=10633")
            expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
            wait_idle(page)
            # nothing of the data before sign-in
            expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)

            # wrong passwords: refused with one message, then throttled (even the right password waits)
            for _ in range(accounts.FREE_FAILURES):
                _sign_in(page, "khoa", "sai-mat-khau-123")
                expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()
            _sign_in(page, "khoa", PASSWORD)
            expect(page.get_by_text(re.compile(r"Đăng nhập sai nhiều lần: hãy thử lại sau \d+ giây"))).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)

            # a disabled account is refused
            _sign_in(page, "bi.khoa", PASSWORD)
            expect(page.get_by_text(re.compile("Tài khoản bi.khoa đã bị khoá"))).to_be_visible()

            # the officer: its unit, and the city refused
            _sign_in(page, "can.bo", PASSWORD)
            expect(page.get_by_test_id("stMetric").first).to_be_visible()
            expect(page.get_by_text(re.compile("Đăng nhập: Nguyễn Thị Lan"))).to_be_visible()
            page.goto(f"{url}/tong-quan?unit=31")   # a new browser session of the same tab: signed out again
            wait_idle(page)
            expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            _sign_in(page, "can.bo", PASSWORD)
            expect(page.get_by_text(re.compile("nằm ngoài phạm vi của tài khoản"))).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)

            # a role change applies at the next click: the account now reads the whole country
            accounts.set_role(real_data, "can.bo", "officer", Scope.parse("*"), by=access.operator())
            choose(page, "Loại kỳ báo cáo", "Quý (kỳ báo cáo)")   # the next click (here: the kind of period)
            expect(page.get_by_test_id("stMetric").first).to_be_visible()

            # signing out gives the form back
            page.get_by_role("button", name="Đăng xuất").click()
            wait_idle(page)
            expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            expect(page.get_by_test_id("stMetric")).to_have_count(0)
            expect(page.get_by_test_id("stException")).to_have_count(0)
        finally:
            browser.close()
