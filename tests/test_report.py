"""The report draft (cchc/export/report.py): the DOCX read back with python-docx, the CLI, LibreOffice."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date

import docx
import pytest

from cchc import coverage, kpis
from cchc.export import bieu06, report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED_FIGURES = ["3.262", "3.241", "21", "3.258", "99,04 %", "99,57 %", "104,61 %", "91,28 %", "98,75 %"]


def _period(unit):
    return kpis.period_for(unit, date(2022, 12, 10), date(2023, 12, 9))


@pytest.fixture(scope="module")
def draft(db):
    unit = kpis.resolve_unit(db, "10621")
    return report.build(db, unit, _period(unit))


@pytest.fixture(scope="module")
def document(draft):
    return docx.Document(io.BytesIO(report.to_docx(draft)))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_quoc_tuan_2023_draft_has_the_seed_figures(document):
    text = _text(document)
    for figure in SEED_FIGURES:
        assert re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", text), figure
    assert "Năm 2023 (10/12/2022 – 09/12/2023)" in text
    assert "Xã Quốc Tuấn" in text and "(cũ, nay thuộc" in text  # an old unit named as such


def test_draft_has_the_results_sections(document):
    text = _text(document)
    for heading in ("tiếp nhận, giải quyết thủ tục hành chính", "Số hóa", "dịch vụ công trực tuyến",
                    "hài lòng", "Tài chính công", "PHỤ LỤC"):
        assert heading in text, heading
    # by field, the seed's four fields with their totals
    for field, n in (("Hộ tịch", "719"), ("Chứng thực", "2.412"), ("Bảo trợ xã hội", "103"), ("Người có công", "28")):
        assert f"{field} {n} hồ sơ" in text


def test_each_figure_in_one_spelling(document):
    text = _text(document) + "\n" + "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    # the seed's other spellings of the same figures never appear
    for other in ("3262", "3,262", "3241", "3.210/3241", "99.04", "99,04%", "99.57", "104.61", "91,28%", "98.75",
                  "12 tỷ 951", "100%"):
        assert other not in text, other
    # every percentage is "d,dd %" and every count ≥ 1.000 has its thousands dot
    assert not re.search(r"\d%", text)
    assert not re.search(r"\d+\.\d{1,2} ?%", text)
    years_and_dates = re.sub(r"\d{1,2}/\d{1,2}/\d{4}|\b(19|20)\d\d\b|\d{1,2}/(19|20)\d\d", "", text)
    assert not re.search(r"(?<![\d.,])\d{4,}", years_and_dates)


def test_appendix_is_bieu06(db, draft, document):
    table = document.tables[-1]
    cols = bieu06.COLUMNS
    assert len(table.columns) == 13 == len(cols)
    assert [c.text for c in table.rows[0].cells] == [c.label for c in cols]
    assert [c.text for c in table.rows[1].cells] == [f"({n})" for n in range(1, 14)]
    expected = bieu06.build_table(db, draft.unit, draft.period)
    assert len(table.rows) == 2 + expected.height
    last = [c.text for c in table.rows[-1].cells]
    assert last[1] == bieu06.TOTAL_LABEL
    tot = bieu06.totals(expected)
    assert [int(x.replace(".", "")) for x in last[2:]] == [tot[n] for n in bieu06.NUMBER_COLUMNS]
    assert last[2] == "3.262" and last[6] == "3.258"
    # the appendix is on a landscape page
    assert document.sections[-1].page_width > document.sections[-1].page_height


def test_partial_period_says_so(db):
    unit = kpis.resolve_unit(db, "10621")  # an old unit: its figures stop on 30/06/2025
    end = coverage.data_end(db)
    p = coverage.clip(kpis.period_for(unit, date(2024, 12, 10), date(2025, 12, 9)), end, unit.valid_to)
    assert p.partial
    text = report.build(db, unit, p).text()
    assert f"Số liệu đến {p.end.strftime('%d/%m/%Y')}" in text and p.coverage_note in text


def _cli(*args, data_dir):
    env = dict(os.environ, CCHC_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "cchc", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def test_cli_writes_the_report(sample_dir, tmp_path):
    out = tmp_path / "bao-cao.docx"
    r = _cli("export", "report", "--unit", "10621", "--from", "2022-12-10", "--to", "2023-12-09", "--out", str(out),
             data_dir=sample_dir)
    assert r.returncode == 0, r.stderr
    text = _text(docx.Document(str(out)))
    assert "3.262" in text and "99,04 %" in text


def test_cli_refuses_a_bad_unit_and_a_bad_file_name(sample_dir, tmp_path):
    out = tmp_path / "x.docx"
    r = _cli("export", "report", "--unit", "99999", "--from", "2022-12-10", "--to", "2023-12-09", "--out", str(out),
             data_dir=sample_dir)
    assert r.returncode == 2 and r.stderr.startswith("Lỗi:") and "99999" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()
    r = _cli("export", "report", "--unit", "10621", "--from", "2022-12-10", "--to", "2023-12-09",
             "--out", str(tmp_path / "x.pdf"), data_dir=sample_dir)
    assert r.returncode == 2 and ".docx" in r.stderr


def _writer_installed() -> bool:
    """LibreOffice's Writer (Debian's libreoffice-writer-nogui): `make libreoffice` installs only Calc."""
    exe = shutil.which("soffice")
    if not exe:
        return False
    program = os.path.dirname(os.path.realpath(exe))
    return any(os.path.exists(os.path.join(d, "libswlo.so")) for d in (program, "/usr/lib/libreoffice/program"))


# Same pattern as tests/test_bieu_06.py: CI sets CCHC_REQUIRE_SOFFICE=1 (and `make libreoffice`
# installs Calc and Writer), a plain pytest without LibreOffice Writer skips this one check.
@pytest.mark.skipif(not _writer_installed() and not os.environ.get("CCHC_REQUIRE_SOFFICE"),
                    reason="LibreOffice Writer is not installed (make libreoffice: libreoffice-writer-nogui)")
def test_docx_opens_in_libreoffice(draft, tmp_path):
    assert _writer_installed(), "CCHC_REQUIRE_SOFFICE is set but LibreOffice Writer is missing (make libreoffice)"
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(report.to_docx(draft))
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    pdf = (out / "bao-cao.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # the text and the landscape appendix


def test_bieu06_page_offers_the_draft_for_the_selection(app):
    at = app(page="pages/bieu_06.py", unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tải dự thảo báo cáo CCHC (DOCX)" in labels
