"""The layers of cchc/, checked on the source (AST, no import-linter):

* nothing in cchc/ outside cchc/ui imports Streamlit, directly or through another cchc module
  (cchc-internal imports are followed transitively, imports inside functions included: a lazy import
  still runs when the function is called);
* cchc/export and cchc/ingest never import cchc.ui (directly or transitively);
* importing cchc/export does not load Plotly (checked in a fresh interpreter, since a module-level
  import of a module that imports plotly is what would do it).

Imports under ``if TYPE_CHECKING:`` are not followed (they never run).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "cchc"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under `if TYPE_CHECKING:` (never run)."""
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            for s in n.body:
                skip.update(id(x) for x in ast.walk(s))
    return skip


@lru_cache(maxsize=None)
def imports_of(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(cchc modules, top-level outside packages) that module ``name`` imports anywhere in its file.
    Importing cchc.a.b imports cchc and cchc.a first: parents are included, its own too."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name if _is_package(name) else name.rpartition(".")[0]
    internal: set[str] = set()
    external: set[str] = set()

    def add(target: str):
        if target == "cchc" or target.startswith("cchc."):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                m = ".".join(parts[:i])
                if m in MODULES and m != name:
                    internal.add(m)
        else:
            external.add(target.split(".")[0])

    if "." in name:
        add(name.rpartition(".")[0])   # a module runs after its package's __init__
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.Import):
            for a in n.names:
                add(a.name)
        elif isinstance(n, ast.ImportFrom):
            if n.level:
                base = package.split(".")
                base = base[:len(base) - (n.level - 1)]
                mod = ".".join(base + ([n.module] if n.module else []))
            else:
                mod = n.module or ""
            add(mod)
            for a in n.names:      # `from . import fmt`: fmt is a module
                if f"{mod}.{a.name}" in MODULES:
                    add(f"{mod}.{a.name}")
    return frozenset(internal), frozenset(external)


def chain_to(start: str, bad) -> list[str] | None:
    """The shortest chain of cchc imports from ``start`` to a module for which ``bad(module)`` holds
    (a module name, or "<pkg>" for an outside package), or None."""
    seen = {start}
    frontier = [[start]]
    while frontier:
        nxt = []
        for path in frontier:
            internal, external = imports_of(path[-1])
            for e in sorted(external):
                if bad(e):
                    return path + [e]
            for m in sorted(internal):
                if bad(m):
                    return path + [m]
                if m not in seen:
                    seen.add(m)
                    nxt.append(path + [m])
        frontier = nxt
    return None


def _under(name: str, pkg: str) -> bool:
    return name == pkg or name.startswith(pkg + ".")


def test_the_module_list_is_complete():
    # the scan sees the layers it checks (a renamed folder would make the tests below vacuous)
    assert {"cchc.ui.state", "cchc.export.bieu06", "cchc.ingest.results", "cchc.kpis"} <= set(MODULES)
    internal, external = imports_of("cchc.ui.state")
    assert "streamlit" in external and "cchc.db" in internal
    # relative imports resolved: `from .. import fmt` in cchc/ingest/results.py is cchc.fmt
    assert {"cchc", "cchc.ingest", "cchc.fmt", "cchc.store"} <= imports_of("cchc.ingest.results")[0]


@pytest.mark.parametrize("name", [m for m in MODULES if not _under(m, "cchc.ui")])
def test_no_streamlit_outside_ui(name):
    chain = chain_to(name, lambda m: m == "streamlit" or _under(m, "cchc.ui"))
    assert chain is None, f"{name} imports Streamlit or the UI through " + " -> ".join(chain)


@pytest.mark.parametrize("name", [m for m in MODULES if _under(m, "cchc.export") or _under(m, "cchc.ingest")])
def test_export_and_ingest_never_import_the_ui(name):
    chain = chain_to(name, lambda m: _under(m, "cchc.ui"))
    assert chain is None, f"{name} imports the UI through " + " -> ".join(chain)


def test_the_check_finds_a_chain():
    # the same walk finds a package imported through another cchc module: cchc.ui.state -> cchc.db -> duckdb
    assert chain_to("cchc.ui.state", lambda m: m == "duckdb") == ["cchc.ui.state", "cchc.db", "duckdb"]
    assert chain_to("cchc.ui.filters", lambda m: m == "streamlit") == ["cchc.ui.filters", "streamlit"]


# cchc/export keeps the data-source line and the file name itself (cchc/export/__init__.py), so an
# export does not load plotly (issue 13 item 4).
@pytest.mark.parametrize("name", [m for m in MODULES if _under(m, "cchc.export")])
def test_export_does_not_load_plotly(name):
    code = f"import sys, {name}; print('plotly' in sys.modules, 'streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    plotly, streamlit = out.stdout.split()
    assert streamlit == "False", f"importing {name} loads streamlit"
    assert plotly == "False", f"importing {name} loads plotly"


# One view module per page, named like the page and like its test (issue 13 item 4). The pages
# whose content is a domain product read that module directly (cchc/views/__init__.py says which).
DOMAIN_PAGES = {"bieu_06": "cchc.export.bieu06", "so_lieu": "cchc.facts", "tu_danh_gia": "cchc.ingest.facts_entry"}
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_its_view_module_and_its_test(page):
    assert (ROOT / "tests" / f"test_{page}.py").exists(), f"pages/{page}.py has no tests/test_{page}.py"
    source = (ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8")
    view = DOMAIN_PAGES.get(page, f"cchc.views.{page}")
    assert (ROOT / (view.replace(".", "/") + ".py")).exists(), f"{view} is missing"
    package, _, module = view.rpartition(".")
    assert f"from {package} import {module}" in source, f"pages/{page}.py does not read {view}"
    others = {p for p in PAGES if p != page}
    for other in others:  # a page reads its own view, never another page's (shared helpers live in the domain)
        if other in DOMAIN_PAGES:
            continue
        if f"cchc.views import {other}" in source and (page, other) not in SHARED_VIEWS:
            raise AssertionError(f"pages/{page}.py reads cchc.views.{other}")


# Where a page shows another page's figure on purpose: Hồ sơ draws the 766 indicator trend of Chỉ số,
# Kết quả công bố places the computed score (Chỉ số) among the published ones.
SHARED_VIEWS = {("ho_so", "chi_so"), ("ket_qua_cong_bo", "chi_so")}


def test_no_view_module_without_its_page():
    views = {p.stem for p in (ROOT / "cchc" / "views").glob("*.py") if p.stem != "__init__"}
    assert views <= set(PAGES), f"view modules without a page: {views - set(PAGES)}"
