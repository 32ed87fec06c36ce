"""Tài khoản: the admin page in a real Streamlit run over a copy of the sample: the list, adding an
account, changing its role and locking it (each in the audit trail with the admin as author); anyone
else is refused."""
from __future__ import annotations

import pytest

from cchc import access, accounts, audit
from cchc.access import Scope

from apptest_util import open_page

PASSWORD = "mật-khẩu-đủ-dài-1"


@pytest.fixture()
def data(sample_copy):
    root = sample_copy
    accounts.add(root, "quan.tri", PASSWORD, "admin", Scope.parse("*"), by=access.operator())
    return root


def _open(name: str | None):
    """The page for the existing account ``name`` (None: nobody signed in)."""
    at = open_page("pages/tai_khoan.py", {}, user=("viewer", "*", name) if name else None)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_admin_adds_changes_and_locks_an_account(data):
    at = _open("quan.tri")
    assert at.dataframe[0].value["Tên đăng nhập"].to_list() == ["quan.tri"]
    inputs = {}
    for t in at.text_input:      # the add form's boxes come first (the edit form has a "Phạm vi" too)
        inputs.setdefault(t.label, t)
    inputs["Tên đăng nhập"].input("Lan.Nguyen")
    inputs["Họ tên"].input("Nguyễn Thị Lan")
    [s for s in at.selectbox if s.label == "Vai trò"][0].set_value("officer")
    inputs["Phạm vi"].input("10633")
    [t for t in at.text_input if t.label.startswith("Mật khẩu (ít nhất")][0].input(PASSWORD)
    [b for b in at.button if b.label == "Thêm"][0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value.startswith("Đã thêm tài khoản lan") for s in at.success), [e.value for e in at.error]
    assert accounts.authenticate(data, "lan.nguyen", PASSWORD).role == "officer"

    [s for s in at.selectbox if s.label == "Tài khoản"][0].set_value("lan.nguyen")
    at.run()
    [s for s in at.selectbox if s.label == "Vai trò"][-1].set_value("data_manager")
    [c for c in at.checkbox if c.label == "Khoá tài khoản"][0].check()
    [b for b in at.button if b.label == "Lưu"][0].click()
    at.run()
    assert any(s.value.startswith("Đã lưu tài khoản lan") for s in at.success), [e.value for e in at.error]
    assert accounts.current(data, "lan.nguyen") is None            # locked
    assert accounts.load(data)["lan.nguyen"]["role"] == "data_manager"
    trail = audit.entries(data)
    assert [e["action"] for e in trail][-3:] == ["account.add", "account.role", "account.disable"]
    assert {e["who"] for e in trail[-3:]} == {"local:quan.tri"}


def test_a_bad_value_is_said_and_changes_nothing(data):
    at = _open("quan.tri")
    inputs = {}
    for t in at.text_input:      # the add form's boxes come first (the edit form has a "Phạm vi" too)
        inputs.setdefault(t.label, t)
    inputs["Tên đăng nhập"].input("<b>x</b>")
    inputs["Phạm vi"].input("*")
    [t for t in at.text_input if t.label.startswith("Mật khẩu (ít nhất")][0].input(PASSWORD)
    [b for b in at.button if b.label == "Thêm"][0].click()
    at.run()
    assert any("Tên đăng nhập 2–64 ký tự" in e.value for e in at.error)
    assert list(accounts.load(data)) == ["quan.tri"]


@pytest.mark.parametrize("name", [None])
def test_others_are_refused(data, name):
    accounts.add(data, "xem", PASSWORD, "viewer", Scope.parse("*"), by=access.operator())
    for who in (name, "xem"):
        at = _open(who)
        assert not at.dataframe and any("quản trị hệ thống" in w.value for w in at.warning)
