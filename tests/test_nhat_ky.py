"""Nhật ký thay đổi: the audit page in a real Streamlit run over a copy of the sample, for an admin,
a data manager of one province (its scope's entries and its own), an officer (refused) and the demo
reader (refused); a tampered trail is said, not shown."""
from __future__ import annotations

import pytest

from cchc import access, accounts, audit
from cchc.access import Scope
from cchc.views import nhat_ky as nk

from apptest_util import open_page

PASSWORD = "mật-khẩu-đủ-dài-1"


@pytest.fixture()
def data(sample_copy):
    root = sample_copy
    op = access.operator()
    accounts.add(root, "quan.tri", PASSWORD, "admin", Scope.parse("*"), by=op)
    accounts.add(root, "hd.dulieu", PASSWORD, "data_manager", Scope.parse("tinh:30"), by=op)
    accounts.add(root, "can.bo", PASSWORD, "officer", Scope.parse("10633"), by=op)
    hd = accounts.current(root, "hd.dulieu")
    audit.record(root, hd, "load", unit="30", file="hai-duong.csv", sha256=audit.file_hash(b"rows"))
    audit.record(root, op, "facts.save", unit="10621", before={"v": 1}, after={"v": 2})
    audit.record(root, op, "facts.save", unit="cu-31", before=None, after={"v": 3})
    return root


def _open(name: str | None):
    """The page for the existing account ``name`` (None: nobody signed in)."""
    at = open_page("pages/nhat_ky.py", {}, user=("viewer", "*", name) if name else None)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at):
    return at.dataframe[0].value


def test_admin_sees_every_entry_newest_first(data):
    at = _open("quan.tri")
    df = _table(at)
    assert list(df["Thao tác"])[:3] == ["Nhập số liệu tự đánh giá", "Nhập số liệu tự đánh giá", "Nạp dữ liệu"]
    assert len(df) == 7    # the sample's published scores, three accounts added, a load, two facts saves
    assert set(df["Người thực hiện"]) == {"system:sample", access.operator().who, "local:hd.dulieu"}
    assert any("hai-duong.csv" == f for f in df["Tệp"])


def test_data_manager_sees_its_scope_and_its_own(data):
    df = _table(_open("hd.dulieu"))
    assert sorted(df["Đơn vị"]) == ["10621", "30"]       # Hải Dương's units; not cu-31, not the accounts


@pytest.mark.parametrize("name", ["can.bo", None])
def test_others_are_refused(data, name):
    at = _open(name)
    assert not at.dataframe
    assert any("dành cho quản lý dữ liệu" in w.value for w in at.warning)


def test_a_tampered_trail_is_said_not_shown(data):
    log = data / audit.FOLDER / audit.LOG
    lines = log.read_text(encoding="utf-8").splitlines()
    assert '"account.add"' in lines[1]
    lines[1] = lines[1].replace("account.add", "account.role")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    at = _open("quan.tri")
    assert not at.dataframe and any("bị sửa" in e.value for e in at.error)


def test_filters(data):
    ident = accounts.current(data, "quan.tri")
    assert nk.table(data, ident, None, action="load")["Đơn vị"].to_list() == ["30"]
    assert nk.table(data, ident, None, who="hd.")["Thao tác"].to_list() == ["Nạp dữ liệu"]
    assert nk.table(data, ident, None, unit="10621").height == 1
