"""Bad input on the command line: a clear message, exit code != 0, no traceback, nothing written."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from fixtures import write_dataset


def cli(*args, env=None):
    e = {**os.environ, **(env or {})}
    e.pop("CCHC_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "cchc", *args], capture_output=True, text=True, env=e)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("small"))


def _clean_failure(r, *words):
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    for w in words:
        assert w in r.stderr, r.stderr


def test_unknown_unit(small):
    _clean_failure(cli("--data-dir", str(small), "kpis", "--unit", "99999", "--from", "2023-01-01", "--to", "2023-12-31"),
                   "Không có đơn vị mã 99999")


def test_malformed_unit(small):
    _clean_failure(cli("--data-dir", str(small), "kpis", "--unit", "abc", "--from", "2023-01-01", "--to", "2023-12-31"),
                   "Mã đơn vị không hợp lệ")


def test_inverted_period(small):
    _clean_failure(cli("--data-dir", str(small), "kpis", "--unit", "10621", "--from", "2023-12-09", "--to", "2022-12-10"),
                   "Kỳ báo cáo không hợp lệ")


def test_bad_date(small):
    _clean_failure(cli("--data-dir", str(small), "kpis", "--unit", "10621", "--from", "2023-13-01", "--to", "2023-12-31"))


def test_missing_data_dir(tmp_path):
    _clean_failure(cli("--data-dir", str(tmp_path / "nowhere"), "kpis", "--unit", "10621", "--from", "2023-01-01",
                       "--to", "2023-12-31"), "Không tìm thấy thư mục dữ liệu")


def test_empty_data_dir(tmp_path):
    _clean_failure(cli("--data-dir", str(tmp_path), "kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31"),
                   "thiếu bảng")


def test_data_dir_from_environment(small, tmp_path):
    ok = cli("kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31", "--json",
             env={"CCHC_DATA_DIR": str(small)})
    assert ok.returncode == 0 and '"received_total": 0' in ok.stdout
    bad = cli("kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31",
              env={"CCHC_DATA_DIR": str(tmp_path / "none")})
    _clean_failure(bad, "Không tìm thấy thư mục dữ liệu")


def test_empty_period_is_zero_not_an_error(small):
    r = cli("--data-dir", str(small), "kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-01-01", "--json")
    assert r.returncode == 0 and '"on_time_rate": null' in r.stdout


def test_sample_refuses_to_overwrite_real_data(small):
    before = sorted(p.relative_to(small) for p in small.rglob("*"))
    _clean_failure(cli("--data-dir", str(small), "sample"), "không ghi đè")
    assert sorted(p.relative_to(small) for p in small.rglob("*")) == before


def test_sample_fills_a_folder_with_only_a_readme(tmp_path):
    """A fresh clone's data/ holds only its README.md: `make run` must generate into it and keep the README."""
    from datetime import date

    from cchc import sample
    d = tmp_path / "data"
    d.mkdir()
    (d / "README.md").write_text("# data/\n", encoding="utf-8")
    sample.generate(d, seed=1, scale=0.01, start=date(2023, 1, 1), end=date(2023, 1, 31))
    assert (d / sample.MARKER).exists() and (d / "units.parquet").exists()
    assert (d / "README.md").read_text(encoding="utf-8") == "# data/\n"


def test_damaged_table(small, tmp_path):
    """A truncated table: exit 2 and one Vietnamese line naming the file (not DuckDB's English, exit 1)."""
    import shutil
    d = tmp_path / "data"
    shutil.copytree(small, d)
    units = d / "units.parquet"
    units.write_bytes(units.read_bytes()[:100])
    r = cli("--data-dir", str(d), "kpis", "--unit", "10621", "--from", "2023-01-01", "--to", "2023-12-31")
    assert r.returncode == 2
    _clean_failure(r, "Lỗi: Không đọc được bảng units", "tệp units.parquet", "bị cắt cụt")
    assert "Error" not in r.stderr and "Exception" not in r.stderr
