# Two commands for a newcomer on a fresh Debian machine with Python 3.11:
#   make run    set up, generate the sample data if missing, start the dashboard (http://localhost:8501)
#   make test   set up (Python packages, Debian's chromium, libreoffice-calc-nogui and -writer-nogui, haproxy,
#               openjdk-17-jre-headless, the test's OpenID Connect provider from npm) and run the whole test suite
# and, for the checks CI runs first:
#   make lint       ruff over the Python, sqlfluff (DuckDB dialect, .sqlfluff) over queries/
#   make test-fast  the core tests without the app, browser and slow ones, on 2 processes
#                   (pytest -n 2 -m "not app and not slow"; pytest-xdist)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= $(or $(CCHC_DATA_DIR),data)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: run run-cluster test test-fast setup chromium libreoffice oidc haproxy java sample bench bench-national docs lint

$(BIN)/activate:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# LibreOffice Calc, headless: tests/test_bieu_06.py opens the Biểu 06 XLSX in it (about 45 s to install
# on a Debian 12 machine with a warm mirror, 190 MB).
libreoffice:
	@{ command -v soffice >/dev/null 2>&1 && dpkg -s libreoffice-writer-nogui >/dev/null 2>&1; } || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libreoffice-calc-nogui libreoffice-writer-nogui >/dev/null; }

# The OpenID Connect provider of tests/test_browser_oidc.py (oidc-provider, from the npm registry, locked by
# tests/oidc/package-lock.json) and Node.js to run it (on these machines already; Debian's otherwise).
oidc:
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@[ -d tests/oidc/node_modules/oidc-provider ] || (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)

# HAProxy from Debian: tests/test_cluster.py serves two app processes behind it (cchc.ui.cluster, docs/serving.md).
haproxy:
	@{ command -v haproxy || test -x /usr/sbin/haproxy; } >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq haproxy >/dev/null; }

# A Java runtime for Spark (pyspark): tests/test_engine_rollup.py builds the rollups with it too (docs/engines.md).
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

$(DATA)/_sample.json: | setup
	$(BIN)/python -m cchc --data-dir $(DATA) sample

sample: setup
	$(BIN)/python -m cchc --data-dir $(DATA) sample

run: setup chromium $(DATA)/_sample.json
	CCHC_DATA_DIR=$(abspath $(DATA)) $(BIN)/python -m cchc.ui.serve

# Several app processes behind HAProxy with sticky sessions (docs/serving.md), on the same port as make run.
run-cluster: setup chromium haproxy $(DATA)/_sample.json
	CCHC_DATA_DIR=$(abspath $(DATA)) $(BIN)/python -m cchc.ui.cluster --processes 2 --port 8501

test: setup chromium libreoffice oidc haproxy java
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -n 2 -m "not app and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint queries

bench: setup
	$(BIN)/python bench/run.py

# The national-scale benchmark (≈ 200 M dossiers, 8,5 GB, ≈ 30 min): docs/performance-national.md.
bench-national: setup chromium
	$(BIN)/python bench/national.py

docs: setup
	$(BIN)/python -m cchc schema-doc
