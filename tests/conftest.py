"""Shared fixtures: the default sample dataset, generated once per test session (and cached under
.pytest_cache keyed by the generator's source, so a rerun without changes reuses it)."""
from __future__ import annotations

import ast
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator_key() -> str:
    h = hashlib.sha256()
    ref = ROOT / "cchc" / "reference"
    for p in [ROOT / "cchc" / "sample.py", ROOT / "cchc" / "workdays.py", ROOT / "cchc" / "schema.py",
              ROOT / "cchc" / "rollup.py", ROOT / "queries" / "build_dossier_daily.sql",
              ROOT / "queries" / "build_rating_daily.sql",
              ROOT / "cchc" / "ingest" / "results.py", ROOT / "cchc" / "indexes" / "766.toml", ref / "units.csv", ref / "procedures.csv",
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


# --- the "app" marker: tests that run the Streamlit app (AppTest) or a browser ---------------------
# `make test-fast` (pytest -m "not app") leaves them out. A test is marked when it uses the `app`
# fixture, or when it (or a fixture or function of its module that it calls, followed within the
# module) imports streamlit.testing, tests/apptest_util.py or tests/browser_util.py, or names AppTest
# or open_page; a module that imports one of those at its top marks all its tests.
APP_MODULES = ("streamlit.testing", "apptest_util", "browser_util")
APP_NAMES = {"AppTest", "open_page"}


def _is_app_module(name: str | None) -> bool:
    return bool(name) and any(name == m or name.startswith(m + ".") for m in APP_MODULES)


def _imports_app(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.ImportFrom) and _is_app_module(n.module):
            return True
        if isinstance(n, ast.Import) and any(_is_app_module(a.name) for a in n.names):
            return True
        if isinstance(n, ast.Name) and n.id in APP_NAMES:
            return True
    return False


@lru_cache(maxsize=None)
def _app_names(path: str) -> tuple[bool, frozenset[str]]:
    """(whether the module imports an app helper at its top, names of its functions that use one)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    top = any(isinstance(s, (ast.Import, ast.ImportFrom)) and _imports_app(s) for s in tree.body)
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    uses = {name: {n.id for n in ast.walk(f) if isinstance(n, ast.Name)} | {a.arg for a in f.args.args}
            for name, f in funcs.items()}
    marked = {name for name, f in funcs.items() if _imports_app(f)}
    while True:
        more = {name for name, used in uses.items() if name not in marked and used & marked}
        if not more:
            return top, frozenset(marked)
        marked |= more


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = getattr(item, "path", None)
        top, marked = _app_names(str(path)) if path and path.suffix == ".py" else (False, frozenset())
        name = getattr(item, "originalname", None) or item.name
        if top or "app" in getattr(item, "fixturenames", ()) or name in marked \
                or marked & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.app)


@pytest.fixture()
def sample_copy(sample_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample (hard links: every write replaces files), which CCHC_DATA_DIR
    points at: for tests that write (accounts, facts, loads)."""
    import os
    import shutil
    root = tmp_path / "data"
    shutil.copytree(sample_dir, root, copy_function=os.link)
    monkeypatch.setenv("CCHC_DATA_DIR", str(root))
    return root


@pytest.fixture()
def app(data_env):
    """Factory for a real Streamlit run of app.py (AppTest) over the sample data.

    app(page="pages/ho_so.py", unit="10621", **{"from": "2022-12-10", "to": "2023-12-09"})
    returns the AppTest after its first run, on that page, with those query parameters.
    """
    from apptest_util import open_page

    def make(page: str | None = None, user: tuple[str, ...] | None = None, **params):
        at = open_page(page, params, user=user)
        assert not at.exception, [e.value for e in at.exception]
        return at
    return make
