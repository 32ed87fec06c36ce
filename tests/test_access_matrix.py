"""Every page and every CLI command × every role × a unit inside and a unit outside the scope, on a
copy of the sample. The stated rule (docs/access.md): a scope sees no figure of a unit outside it, and
nothing is writable without the role.

Scope of every account here: xã Trần Phú (10633, new map) with its history (old xã Quốc Tuấn 10621 and
the others merged into it). Inside: 10621 over 2023. Outside: huyện Nam Sách (291), same period."""
from __future__ import annotations

import pytest

from apptest_util import open_page
from cchc import access, accounts, audit, cli
from cchc.access import ROLES, Scope
from cchc.ui.pages import available

PERIOD = {"from": "2022-12-10", "to": "2023-12-09"}
INSIDE, OUTSIDE = "10621", "291"
SCOPE = "10633"
FIGURE_PAGES = [f for f, *_ in available() if f not in (
    "pages/tu_danh_gia.py", "pages/nhap_du_lieu.py", "pages/nhat_ky.py", "pages/tai_khoan.py", "pages/so_sanh.py",
    "pages/ket_qua_cong_bo.py", "pages/doi_chieu.py", "pages/tai_lieu_hop.py")]
# what each write page offers only to a role that may use it (a widget's label or key)
WRITES = {"pages/tu_danh_gia.py": ("enter_facts", lambda at: [b for b in at.button if b.label == "Lưu số liệu"]),
          "pages/nhap_du_lieu.py": ("load", lambda at: list(at.get("file_uploader"))),
          "pages/ket_qua_cong_bo.py": ("upload_results", lambda at: list(at.get("file_uploader"))),
          "pages/tai_khoan.py": ("manage_accounts", lambda at: [b for b in at.button if b.label == "Thêm"]),
          "pages/nhat_ky.py": ("read_audit", lambda at: [s for s in at.selectbox if s.label == "Thao tác"])}


def _locked(at) -> bool:
    return any("ngoài phạm vi" in w.value for w in at.warning)


def _shown(at) -> int:
    return len(at.metric) + len(at.dataframe) + len(at.get("plotly_chart"))


@pytest.mark.parametrize("role", ROLES)
def test_figure_pages_inside_and_outside_the_scope(sample_copy, role):
    for page in FIGURE_PAGES:
        at = open_page(page, {"unit": INSIDE, **PERIOD}, user=(role, SCOPE))
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not _locked(at) or page == "pages/chi_so.py", page   # Chỉ số says its wider ranking is left out
        at = open_page(page, {"unit": OUTSIDE, **PERIOD}, user=(role, SCOPE))
        assert not at.exception, (page, [e.value for e in at.exception])
        assert _locked(at) and _shown(at) == 0, (page, role, _shown(at))


@pytest.mark.parametrize("role", ROLES)
def test_write_pages_offer_writing_only_to_the_role(sample_copy, role):
    ident = access.Identity("x", role, Scope.parse("*"), "local")
    for page, (action, offered) in WRITES.items():
        at = open_page(page, {"unit": INSIDE, **PERIOD}, user=(role, "*", f"ca.{role.replace('_', '-')}"))
        assert not at.exception, (page, [e.value for e in at.exception])
        assert bool(offered(at)) == ident.may(action), (page, role)
    # the demo reader (the sample without sign-in) writes nothing anywhere
    for page, (_, offered) in WRITES.items():
        at = open_page(page, {"unit": INSIDE, **PERIOD})
        assert not at.exception and not offered(at), page


def test_comparison_leaves_out_units_outside_the_scope(sample_copy):
    at = open_page("pages/so_sanh.py", {**PERIOD, "ss": f"{INSIDE},{OUTSIDE}"}, user=("viewer", SCOPE))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.dataframe and not at.metric      # a side-by-side with a unit outside: refused as a whole


def _run(argv: list[str], capsys) -> tuple[int, str]:
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


COMMANDS = [
    ("read", ["kpis", "--unit", "{u}", "--from", PERIOD["from"], "--to", PERIOD["to"]]),
    ("read", ["index", "--index", "766", "--unit", "{u}", "--from", "2023-01-01", "--to", "2023-12-31"]),
    ("read", ["export", "form", "--unit", "{u}", "--from", PERIOD["from"], "--to", PERIOD["to"], "--out", "{out}.xlsx"]),
    ("read", ["export", "report", "--unit", "{u}", "--from", PERIOD["from"], "--to", PERIOD["to"], "--out", "{out}.docx"]),
]


@pytest.mark.parametrize("role", ROLES)
def test_cli_reads_inside_and_outside_the_scope(sample_copy, tmp_path, capsys, role):
    accounts.add(sample_copy, "ca", "mật-khẩu-đủ-dài-1", role, Scope.parse(SCOPE), by=access.operator())
    base = ["--data-dir", str(sample_copy), "--as", "ca"]
    for _, argv in COMMANDS:
        for unit, ok in ((INSIDE, True), (OUTSIDE, False)):
            out = tmp_path / f"{argv[0]}-{unit}"
            code, text = _run(base + [a.format(u=unit, out=out) for a in argv], capsys)
            assert (code == 0) == ok, (argv[:2], unit, text)
            if not ok:
                assert "ngoài phạm vi" in text and not list(tmp_path.glob(f"{argv[0]}-{unit}*")), text


@pytest.mark.parametrize("role", ROLES)
def test_cli_writes_need_the_role(sample_copy, capsys, role):
    from cchc.ingest import results
    accounts.add(sample_copy, "ca", "mật-khẩu-đủ-dài-1", role, Scope.parse("*"), by=access.operator())
    base = ["--data-dir", str(sample_copy), "--as", "ca"]
    ident = accounts.current(sample_copy, "ca")
    before = audit.verify(sample_copy)
    code, text = _run(base + ["import-results", str(results.BUNDLED_JSON)], capsys)
    assert (code == 0) == ident.may("upload_results"), text
    code, text = _run(base + ["users", "list"], capsys)
    assert (code == 0) == ident.may("manage_accounts"), text
    code, text = _run(base + ["undo-import"], capsys)
    assert code == 2 and (("không có quyền" in text) != ident.may("undo_load")), text   # nothing to undo anyway
    rows = audit.entries(sample_copy)[before:]
    assert [(r["action"], r["who"]) for r in rows] == ([("results.upload", "cli-as:ca")] if ident.may("upload_results") else [])
