"""Scopes on the pages, in a real Streamlit run over a copy of the sample: an officer of the new xã
Trần Phú opens on its own unit, reads its predecessor (old xã Quốc Tuấn), and a link to another unit or
to the whole city shows nothing of it and says why; a national viewer reads everything; a signed-in
account whose role is taken away sees the change at its next click."""
from __future__ import annotations

import pytest

from apptest_util import open_page
from cchc import access, accounts
from cchc.access import Scope

PERIOD = {"from": "2022-12-10", "to": "2023-12-09"}


@pytest.fixture()
def data(sample_copy):
    return sample_copy


def _locked(at) -> list[str]:
    return [w.value for w in at.warning if "ngoài phạm vi" in w.value]


def test_a_commune_officer_sees_its_unit_and_its_history_only(data):
    ward = ("officer", "10633", "can.bo.tran.phu")
    at = open_page("pages/tong_quan.py", {}, user=ward)          # no link: its own unit
    assert not at.exception and at.query_params.get("unit") in ("10633", ["10633"]), dict(at.query_params)
    assert at.metric and not _locked(at)
    at = open_page("pages/tong_quan.py", {"unit": "10621", **PERIOD}, user=ward)   # its predecessor, 2023
    assert not at.exception and at.metric and not _locked(at)
    assert any(m.value == "3.262" for m in at.metric)
    for other in ("291", "31", "30"):
        at = open_page("pages/tong_quan.py", {"unit": other, **PERIOD}, user=ward)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.metric and not at.dataframe and _locked(at), other


@pytest.mark.parametrize("page", ["pages/ho_so.py", "pages/bieu_06.py", "pages/hai_long.py", "pages/chi_so.py",
                                  "pages/kiem_tra.py", "pages/tai_chinh.py"])
def test_out_of_scope_links_show_nothing_on_every_figure_page(data, page):
    at = open_page(page, {"unit": "31", **PERIOD}, user=("viewer", "10633", "xem.tran.phu"))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart") and _locked(at)


def test_a_national_viewer_reads_everything_and_a_role_change_applies_at_once(data):
    at = open_page("pages/tong_quan.py", {"unit": "31", **PERIOD}, user=("viewer", "*", "xem"))
    assert not at.exception and at.metric and not _locked(at)
    accounts.set_role(data, "xem", "viewer", Scope.parse("10633"), by=access.operator())
    at.run()                                                        # the next click
    assert not at.metric and _locked(at)
    accounts.set_disabled(data, "xem", True, by=access.operator())
    at.run()                    # a disabled account is signed out: the sample's demo reading remains
    assert any("Tài khoản đã bị khoá" in e.value for e in at.error) or not any(
        "Đăng nhập: " in c.value for c in at.sidebar.caption)


def test_a_local_sign_in_expires(sample_copy):
    """After the configured session length the account must sign in again (real data: the form)."""
    import time

    from cchc import sample
    from streamlit.testing.v1 import AppTest
    from apptest_util import ROOT, sign_in
    (sample_copy / sample.MARKER).unlink()                 # real data: nothing without sign-in
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    sign_in(at, "viewer", "*", "xem")
    at.run()
    assert not at.exception and at.metric
    at.session_state["_signin"] = {"name": "xem", "at": time.time() - 8 * 3600 - 1}   # 8 h: the default length
    at.run()
    assert not at.metric and [h.value for h in at.subheader] == ["Đăng nhập"]
    assert any("hết hạn" in e.value for e in at.error), [e.value for e in at.error]
