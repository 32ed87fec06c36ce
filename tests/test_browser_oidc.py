"""Single sign-on end to end: a real OpenID Connect provider (oidc-provider on Node.js, started here on
127.0.0.1 from tests/oidc, installed by `make oidc` from the npm registry), the dashboard served with
Streamlit's st.login configured by a secrets file outside the repository, and Debian's Chromium: the
officer signs in at the provider, comes back to its own unit, is refused the city, signs out; a person
the provider knows but no account names reads nothing."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, free_port, streamlit_server, wait_idle
from cchc import access, accounts, sample
from cchc.access import Scope

ARTIFACTS = ROOT / "tests" / "artifacts"
OIDC = ROOT / "tests" / "oidc"
NODE = shutil.which("node")
EMAIL = "lan.nguyen@haiphong.gov.vn"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and NODE and (OIDC / "node_modules" / "oidc-provider").exists())
    and not os.environ.get("CCHC_REQUIRE_OIDC"),
    reason="needs Chromium, Node.js and tests/oidc/node_modules (make oidc)")


def _provider(port: int, redirect: str, secret: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "REDIRECT_URI": redirect, "CLIENT_SECRET": secret,
           "COOKIE_KEY": secrets.token_hex(16)}
    out = open(log, "wb")
    proc = subprocess.Popen([NODE, "provider.mjs"], cwd=OIDC, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the OpenID Connect provider did not start; see {log}")


def _sign_in_at_provider(page, login: str) -> None:
    from playwright.sync_api import expect
    page.get_by_role("button", name="Đăng nhập bằng tài khoản của tỉnh").click()
    expect(page.locator("input[name=login]")).to_be_visible(timeout=30_000)   # the provider's own page
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]")                       # "Continue" (consent), if asked
    page.wait_for_timeout(500)
    if "127.0.0.1" in page.url and "interaction" in page.url and consent.count():
        consent.first.click()


def test_single_sign_on_with_a_real_provider(sample_dir, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data, copy_function=os.link)
    (data / sample.MARKER).unlink()                              # real data: sign-in first
    accounts.add(data, "lan.nguyen", None, "officer", Scope.parse("10633"), by=access.operator(), oidc=EMAIL,
                 display_name="Nguyễn Thị Lan")
    st_port, op_port = free_port(), free_port()
    redirect = f"http://127.0.0.1:{st_port}/oauth2callback"
    client_secret = secrets.token_hex(16)
    secrets_file = tmp_path / "secrets.toml"                     # outside the repository, made by the test
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect}"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "cchc-dashboard"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "http://127.0.0.1:{op_port}/.well-known/openid-configuration"\n'
        # Streamlit asks prompt=select_account by default, which oidc-provider (like some real providers)
        # does not know: the standard "login" instead (docs/access.md)
        'client_kwargs = { prompt = "login" }\n', encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    op = _provider(op_port, redirect, client_secret, ARTIFACTS / "oidc-provider.log")
    try:
        with streamlit_server(data, ARTIFACTS / "browser-oidc-server.log", port=st_port,
                              args=("--secrets.files", str(secrets_file)),
                              env={"CCHC_SIGNIN": "oidc", "AUTHLIB_INSECURE_TRANSPORT": "1"}) as url, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
                page.set_default_timeout(60_000)
                page.goto(f"{url}/tong-quan")
                expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
                wait_idle(page)
                expect(page.get_by_test_id("stMetric")).to_have_count(0)
                _sign_in_at_provider(page, EMAIL)
                page.wait_for_url(re.compile(rf"^{re.escape(url)}"), timeout=60_000)
                expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)
                wait_idle(page)
                expect(page.get_by_text(re.compile("Đăng nhập: Nguyễn Thị Lan"))).to_be_visible()
                expect(page.get_by_test_id("stMetric").first).to_be_visible()
                expect(page).to_have_url(re.compile(r"unit=10633"))
                # the city is outside the officer's scope (a new session: the provider's cookie keeps it signed in)
                page.goto(f"{url}/tong-quan?unit=31")
                wait_idle(page)
                expect(page.get_by_text(re.compile("nằm ngoài phạm vi của tài khoản"))).to_be_visible()
                expect(page.get_by_test_id("stMetric")).to_have_count(0)
                # signing out
                page.get_by_role("button", name="Đăng xuất").click()
                page.wait_for_timeout(1000)
                page.goto(f"{url}/tong-quan")
                wait_idle(page)
                expect(page.get_by_role("button", name="Đăng nhập bằng tài khoản của tỉnh")).to_be_visible()
                expect(page.get_by_test_id("stMetric")).to_have_count(0)
                # someone the provider knows but no account names: told so, reads nothing
                _sign_in_at_provider(page, "nguoi.la@haiphong.gov.vn")
                page.wait_for_url(re.compile(rf"^{re.escape(url)}"), timeout=60_000)
                wait_idle(page)
                expect(page.get_by_text(re.compile("chưa được cấp quyền"))).to_be_visible()
                expect(page.get_by_test_id("stMetric")).to_have_count(0)
                expect(page.get_by_test_id("stException")).to_have_count(0)
            finally:
                page.screenshot(path=str(ARTIFACTS / "browser-oidc.png"), full_page=True)
                browser.close()
    finally:
        op.terminate()
        op.wait(timeout=10)
