"""Shared fixtures: the default sample dataset, generated once per test session (and cached under
.pytest_cache keyed by the generator's source, so a rerun without changes reuses it)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator_key() -> str:
    h = hashlib.sha256()
    ref = ROOT / "cchc" / "reference"
    for p in [ROOT / "cchc" / "sample.py", ROOT / "cchc" / "workdays.py", ROOT / "cchc" / "schema.py",
              ROOT / "cchc" / "rollup.py", ROOT / "queries" / "build_dossier_daily.sql",
              ROOT / "queries" / "build_rating_daily.sql",
              ROOT / "cchc" / "ingest" / "results.py", ref / "units.csv", ref / "procedures.csv",
              ref / "holidays.csv", ref / "facts.csv", ref / "provinces-2025.csv", ref / "chi-so-766-2025-thang-10.xlsx"]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The default sample (Hải Dương, 01/01/2021–30/06/2025, default seed)."""
    from cchc import sample
    import fcntl
    base = ROOT / ".pytest_cache"
    base.mkdir(exist_ok=True)
    cache = base / f"sample-{_generator_key()}"
    with open(base / "sample.lock", "w") as lock:  # several pytest processes may start at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / sample.MARKER).exists():
            sample.generate(cache)
    return cache


@pytest.fixture(scope="session")
def db(sample_dir):
    from cchc.db import Database
    d = Database(sample_dir)
    yield d
    d.close()


@pytest.fixture()
def data_env(sample_dir, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(sample_dir))
    return sample_dir


def pytest_configure(config):
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")


@pytest.fixture()
def app(data_env):
    """Factory for a real Streamlit run of app.py (AppTest) over the sample data.

    app(page="pages/ho_so.py", unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    returns the AppTest after its first run, on that page, with those query parameters.
    """
    from apptest_util import open_page

    def make(page: str | None = None, **params):
        at = open_page(page, params)
        assert not at.exception, [e.value for e in at.exception]
        return at
    return make
